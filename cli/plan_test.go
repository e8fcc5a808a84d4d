package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

func TestSolveMPS(t *testing.T) {
	out, _, err := run(t, nil, "solve", "../solver/testdata/p0033.mps")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err != nil || lines[len(lines)-1] != "status=optimal objective=3089" {
		t.Fatalf("err %v, output %q", err, out)
	}
	for _, c := range [][]string{{"solve"}, {"solve", "--gap", "2", "x.mps"}, {"solve", "a.mps", "b.mps"}} {
		if _, _, err := run(t, nil, c...); !cli.UsageError(err) {
			t.Errorf("%v: %v; want a usage error", c, err)
		}
	}
	junk := filepath.Join(t.TempDir(), "junk.mps")
	os.WriteFile(junk, []byte("NAME\nnot really\n"), 0o644)
	if _, _, err := run(t, nil, "solve", junk); err == nil {
		t.Error("junk MPS accepted")
	}
}

// TestPlanDemoCompare plans the demo baseline beside the Karachi closure,
// prints the comparison, and writes the model as MPS that `critmin solve`
// reads back.
func TestPlanDemoCompare(t *testing.T) {
	mps := filepath.Join(t.TempDir(), "demo.mps")
	out, _, err := run(t, nil, "plan", "demo", "--compare", "karachi-closed", "--mps", mps)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"== baseline", "== karachi-closed", "shadow prices", "Δ margin", "contract magnet-ndpr: fill of minimum (%)", "origin of what each buyer and stockpile received", "planned 2 scenario(s)",
		// No database, so no term sheet: the NdPr contract keeps the file's price, and says so.
		"warning: contract magnet-ndpr: term sheet USSM-NDPR-FLOOR-2025 not stored; priced at the planning file's price 72000 USD per t"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	// At the planner's gap: proving the campaign MIP optimal takes CBC far longer.
	solved, _, err := run(t, nil, "solve", "--gap", "0.005", mps)
	if err != nil || !strings.Contains(solved, "status=optimal") {
		t.Fatalf("solve of exported model: %v %s", err, solved)
	}
	js, _, err := run(t, nil, "plan", "demo", "--json")
	var plans []map[string]any
	if err != nil || json.Unmarshal([]byte(js), &plans) != nil || len(plans) != 1 || plans[0]["status"] != "optimal" || len(plans[0]["warnings"].([]any)) != 1 {
		t.Fatalf("json: %v %.300s", err, js)
	}
	for _, c := range [][]string{{"plan"}, {"plan", "demo", "--compare", "no-such"}, {"plan", "demo", "--gap", "1"}, {"plan", "demo", "--gap", "-0.1"}, {"plan", "demo", "--mps", "x.lp"}, {"plan", "demo", "--parallel", "0"}} {
		if _, _, err := run(t, nil, c...); !cli.UsageError(err) {
			t.Errorf("%v: %v; want a usage error", c, err)
		}
	}
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"id": "x", "title": "x", "periods": {"unit": "week", "count": 4, "start": "2026-01-05"}, "commodities": [], "sites": [], "lanes": [{"id": "l", "from": "a", "to": "b", "mode": "truck", "cost_per_t": 1, "transit_periods": 0}]}`), 0o644)
	if _, _, err := run(t, nil, "plan", bad); err == nil || !strings.Contains(err.Error(), "/lanes/0/from") {
		t.Errorf("bad planning file: %v", err)
	}
	// serve refuses a bad planning file before it listens.
	db := filepath.Join(t.TempDir(), "s.db")
	if _, _, err := run(t, nil, "serve", "--db", db, "--addr", "127.0.0.1:0", "--plan", bad); err == nil || !strings.Contains(err.Error(), "/lanes/0/from") {
		t.Errorf("serve --plan with a bad file: %v", err)
	}
}
