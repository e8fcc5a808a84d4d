package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// fix13x item 4: the CLI names a refused field by its RFC 6901 JSON
// Pointer, as the HTTP API does: the buyer's Cu 0.2185 % on the demo
// copper lot (the seller's 22.05 % on record: 22.05 ÷ 0.2185 = 100.9, a
// unit slip) is refused at /results/0/value (before: results/0/value),
// and a negative payment against a debit at /amount (before: amount).
func TestTradeCLINamesFieldsByJSONPointer(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, env, "trade", "assay", "--lot", commercial.DemoCopperLot, "--party", "buyer", "--lab", "urn:lab:b", "--at", "2025-10-30T00:00:00Z", "Cu=0.2185%")
	if err == nil || !strings.Contains(err.Error(), "/results/0/value: ") || !strings.Contains(err.Error(), "factor of 100.9") {
		t.Errorf("unit slip: %v; want refused at /results/0/value", err)
	}
	cu := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	_, _, err = run(t, env, "trade", "pay", "--invoice", cu, "--amount", "-5", "--on", "2025-11-20")
	if err == nil || !strings.Contains(err.Error(), "/amount: ") {
		t.Errorf("negative payment: %v; want refused at /amount", err)
	}
}
