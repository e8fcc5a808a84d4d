package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// TestTradeCreditRefundCLI: the demo antimony final is a credit of
// −263.28 USD, due 2025-11-15. trade pay takes a refund written with its
// sign (−100.00), refuses a negative amount against the copper final (a
// debit), and trade invoice show/list say the seller owes 263.28 − 100.00
// = 163.28 USD, 30 − 15 + 1 = 16 days late on 2025-12-01 — not "overdue
// … unpaid".
func TestTradeCreditRefundCLI(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	sb := commercial.InvoiceID("FWO-USSM-SB-2025", commercial.DemoAntimonyLot, commercial.Final)
	cu := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	out, _, err := run(t, env, "trade", "pay", "--invoice", sb, "--amount", "-100.00", "--on", "2025-11-20")
	if err != nil || !strings.Contains(out, "recorded refund") {
		t.Fatalf("refund with its sign: %q %v", out, err)
	}
	if _, _, err := run(t, env, "trade", "pay", "--invoice", cu, "--amount", "-100.00", "--on", "2025-11-20"); err == nil || !strings.Contains(err.Error(), "amount") || !strings.Contains(err.Error(), "owed by the buyer") {
		t.Errorf("negative amount on a debit: %v, want an error naming amount", err)
	}
	want := "refund due, 16 days late: 163.28 USD owed by the seller to the buyer"
	show, _, err := run(t, env, "trade", "invoice", "show", sb, "--as-of", "2025-12-01")
	if err != nil || !strings.Contains(show, want) || strings.Contains(show, "unpaid") {
		t.Errorf("show: %v\n%s\nwant %q", err, show, want)
	}
	list, _, err := run(t, env, "trade", "invoice", "list", "--as-of", "2025-12-01")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(list, "\n") {
		if strings.HasPrefix(line, sb) && (!strings.Contains(line, want) || !strings.Contains(line, "−263.28")) {
			t.Errorf("list row %q, want %q and −263.28", line, want)
		}
	}
}
