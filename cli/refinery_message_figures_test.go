package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRefineryMessagesHaveNoFloatNoise: the gross-error list prints a
// measurement with the report's 10 significant digits — a conc mass of
// 170.16780000000003 t (a sum of weighings) prints as 170.1678, not
// with the float noise. 170.1678 t against feed 100 t is a gross error:
// (170.1678 − 8)/0.3 ≈ 540 sd from the balance.
func TestRefineryMessagesHaveNoFloatNoise(t *testing.T) {
	doc := `{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
 {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
 {"id": "conc", "from": "flotation", "mass_t": {"value": 170.16780000000003, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
 {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`
	f := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(f, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := run(t, nil, "refinery", "reconcile", f)
	all := out + stderr
	if err != nil {
		all += err.Error()
	}
	if !strings.Contains(all, "170.1678") {
		t.Fatalf("no gross error on conc mass:\n%s", all)
	}
	if strings.Contains(all, "0000000") {
		t.Errorf("float noise in the output:\n%s", all)
	}
}
