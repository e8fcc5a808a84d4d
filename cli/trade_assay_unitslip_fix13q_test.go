package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestTradeAssayUnitSlipBeforeClosure (fix13q item 7): `trade assay`
// with Cu=25 % Au=2 % Ag=80 % on the demo copper-concentrate lot: Au 2 %
// is 20 000 g/t (1 % = 10 000 g/t), twenty times the 1 000 g/t bound of a
// flotation concentrate, and Ag 80 % is 800 000 g/t against 50 000 g/t:
// unit slips, which the refusal names ("did you mean Au 2 g/t?") rather
// than only that the set adds up to 25 + 2 + 80 = 107 %.
func TestTradeAssayUnitSlipBeforeClosure(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"CRITMIN_DB": filepath.Join(dir, "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	lot := "https://id.gs1.org/01/09520123456788/10/CU2025001"
	_, _, err := run(t, env, "trade", "assay", "--lot", lot, "--party", "buyer", "--lab", "urn:lab:x", "--at", "2025-10-01T00:00:00Z", "Cu=25%", "Au=2%", "Ag=80%")
	if err == nil || !strings.Contains(err.Error(), "did you mean Au 2 g/t") || !strings.Contains(err.Error(), "did you mean Ag 80 g/t") {
		t.Errorf("Au 2 %% and Ag 80 %% in one trade assay: err = %v, want both unit slips named", err)
	}
}
