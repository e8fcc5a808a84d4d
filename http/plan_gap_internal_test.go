package http

import (
	"encoding/json"
	"testing"

	"github.com/critmin/critmin/plan"
)

// TestPlanRequestZeroGap: "gap": 0 in POST /api/v1/plans reaches the
// solver as 0 (it became 0.005, nu14 item 5); a gap left out is
// plan.DefaultGap; 1 is refused naming /gap.
func TestPlanRequestZeroGap(t *testing.T) {
	p := newPlanner()
	for body, want := range map[string]float64{`{"scenarios":["baseline"],"gap":0}`: 0, `{"scenarios":["baseline"]}`: plan.DefaultGap, `{"scenarios":["baseline"],"gap":0.02}`: 0.02} {
		var req PlanRequest
		if err := json.Unmarshal([]byte(body), &req); err != nil {
			t.Fatal(err)
		}
		_, opt, err := p.validate(&req)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if !opt.GapSet || opt.Solver.Gap != want {
			t.Errorf("%s: gap %v (set %v); want %v, set", body, opt.Solver.Gap, opt.GapSet, want)
		}
	}
	one := 1.0
	if _, _, err := p.validate(&PlanRequest{Scenarios: []string{"baseline"}, Gap: &one}); err == nil {
		t.Error("gap 1 accepted")
	}
}
