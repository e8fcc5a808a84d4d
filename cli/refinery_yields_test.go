package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestRefineryYieldsNeedsClosedPeriod (nu12 item 3, the CLI's side):
// `refinery yields --plan` for a month never closed used to print no
// change and exit 0, as if the refinery accounted nothing; it is an
// error naming the period. For the closed demo month, the demo plan's
// outputs are all accounted, so no note is printed.
func TestRefineryYieldsNeedsClosedPeriod(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "critmin.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	if _, err := custody.GenerateKey(filepath.Join(dir, "signing.key")); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"CRITMIN_DB": db}
	_, _, err := run(t, env, "refinery", "yields", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-09", "--plan", "demo", "--plan-site", "refinery-mo")
	if err == nil || !strings.Contains(err.Error(), "2025-09") || !strings.Contains(err.Error(), "never closed") {
		t.Errorf("yields of a month never closed: %v", err)
	}
	if _, _, err := run(t, env, "refinery", "close", "--operator", "metallurgist", "demo"); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := run(t, env, "refinery", "yields", "--site", "urn:critmin:demo:site:pk-refinery", "--period", "2025-10", "--plan", "demo", "--plan-site", "refinery-mo")
	if err != nil || !strings.Contains(out, "ree-sx") || strings.Contains(stderr, "note:") {
		t.Errorf("yields of the closed month: %v %s %s", err, out, stderr)
	}
}
