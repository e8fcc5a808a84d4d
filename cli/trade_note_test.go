package cli_test

import (
	"encoding/csv"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// Issue 13, new-user check (fix13p, 1): from the CLI, a price correction
// into the antimony lot's closed QP is invoiced by a note (trade note
// issue), listed as text and CSV (one row per changed line, naming the
// invoice, the reason and the corrected day); the settlement prints it;
// a second note with nothing more to correct is refused.
func TestTradeNoteCLI(t *testing.T) {
	env := map[string]string{"CRITMIN_DB": filepath.Join(t.TempDir(), "t.db")}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, env, "trade", "prices", "import", "--correction", "../commercial/testdata/late-sb.csv"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, env, "trade", "note", "issue", "--contract", "FWO-USSM-SB-2025", "--lot", commercial.DemoAntimonyLot); err == nil || !strings.Contains(err.Error(), "reason") {
		t.Errorf("note without a reason: %v; want reason required", err)
	}
	out, _, err := run(t, env, "trade", "note", "issue", "--contract", "FWO-USSM-SB-2025", "--lot", commercial.DemoAntimonyLot, "--reason", "assessment of 31 Oct published late")
	if err != nil || !strings.Contains(out, "issued ") || !strings.Contains(out, " note INV-FWO-USSM-SB-2025-") {
		t.Fatalf("note issue: %v %s", err, out)
	}
	id := strings.Fields(out)[3]
	inv := id[:strings.LastIndex(id, "-")]
	out, _, err = run(t, env, "trade", "note", "list", "--invoice", inv, "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(rows) < 2 || rows[1][0] != id || rows[1][2] != inv || rows[1][10] != "assessment of 31 Oct published late" || !strings.Contains(rows[1][11], "DEMO-AGENCY-SB 2025-10-31") {
		t.Errorf("notes CSV: %v\n%s", err, out)
	}
	if out, _, err = run(t, env, "trade", "settle", "--terms", "FWO-USSM-SB-2025", "--lot", commercial.DemoAntimonyLot); err != nil || !strings.Contains(out, id) {
		t.Errorf("settle after the note: %v\n%s", err, out)
	}
	if _, _, err = run(t, env, "trade", "note", "issue", "--contract", "FWO-USSM-SB-2025", "--lot", commercial.DemoAntimonyLot, "--reason", "again"); err == nil || !strings.Contains(err.Error(), "nothing to correct") {
		t.Errorf("second note: %v; want nothing to correct", err)
	}
}
