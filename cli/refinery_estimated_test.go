package cli_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestRefineryTableShowsEstimated: the terminal table says which values
// are estimated (P754: measured versus estimated), as the CSV and XLSX
// do in their basis column — tail's mass is an estimate, feed's a
// measurement, conc's fixed, and an unmeasured grade has no basis.
func TestRefineryTableShowsEstimated(t *testing.T) {
	doc := `{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
 {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
 {"id": "conc", "from": "flotation", "mass_t": 8, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
 {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2, "estimated": true}}]}`
	f := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, nil, "refinery", "reconcile", f)
	if err != nil {
		t.Fatal(err)
	}
	for _, re := range []string{`STREAM\s+QUANTITY\s+BASIS\s+MEASURED`, `tail\s+mass t\s+estimated\s+92\.000`, `feed\s+mass t\s+measured\s+100\.000`, `conc\s+mass t\s+fixed\s+8\.000`, `Cu %\s+—\s+—`} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("table lacks %s:\n%s", re, out)
		}
	}
}
