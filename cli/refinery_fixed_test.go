package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRefineryTableShowsFixed: in the terminal table a fixed mass (conc,
// a bare 8) and a fixed grade (tail Cu "fixed": true) both show the given
// value as measured and "fixed" for the sd — not "—" and "0.000" for one
// and "fixed" and "0" for the other.
func TestRefineryTableShowsFixed(t *testing.T) {
	doc := `{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
 {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
 {"id": "conc", "from": "flotation", "mass_t": 8, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
 {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "fixed": true}}}]}`
	f := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "refinery", "reconcile", f)
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{`conc\s+mass t\s+fixed\s+8\.000\s+8\.000\s+fixed\s+fixed`, `Cu %\s+fixed\s+0\.2000\s+0\.2000\s+fixed\s+fixed`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("table lacks %s:\n%s", re, out)
		}
	}
	if strings.Contains(out, "NaN") {
		t.Errorf("table shows NaN:\n%s", out)
	}
}
