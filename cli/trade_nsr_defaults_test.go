package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
)

// Issue 13, sixth new-user check through the CLI (branch fix13f).
// Gap 5: `trade nsr` without --as-of takes the NSR page's rule
// (commercial.Service.PricesDay): today's prices are stale (the demo
// series end on 2025-12-31), so the latest day with prices, said so —
// before: exit 1, every term sheet failing as stale. Gap 4: the grades
// line shows the grades the value used: the REE basket reads its shares
// from one sample, event 001 (TREO 45 %, Nd2O3 5.2 %, Pr6O11 1.9 %), not
// event 005's later Nd2O3 5.3 %.
func TestTradeCLINSRDefaultDayAndGradesUsed(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, env, "trade", "nsr", "--lot", "urn:critmin:demo:lot:REE-2025-001")
	if err != nil || !strings.Contains(out, "valued at the prices of 2025-12-31") {
		t.Errorf("nsr without --as-of: %v\n%s", err, out)
	}
	if !strings.Contains(out, "Nd2O3 5.2 % (event urn:critmin:demo:event:001)") || !strings.Contains(out, "TREO 45 % (event urn:critmin:demo:event:001)") {
		t.Errorf("nsr grades line, want the one sample the basket used (event 001):\n%s", out)
	}
}
