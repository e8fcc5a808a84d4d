package cli

import (
	"testing"
	"time"

	"github.com/critmin/critmin/plan"
)

// TestPlanOptionsZeroGap: an explicit --gap 0 reaches the solver as 0
// with GapSet (solve to proven optimality), as the API's "gap": 0 does;
// it was refused as "not a fraction in (0, 1)". Left out, the flag's
// default is plan.DefaultGap (0.005); 1 and negative gaps are refused.
func TestPlanOptionsZeroGap(t *testing.T) {
	for _, gap := range []float64{0, plan.DefaultGap, 0.02} {
		opt, err := planOptions(false, false, gap, time.Minute, 0)
		if err != nil || !opt.GapSet || opt.Solver.Gap != gap {
			t.Errorf("--gap %v: gap %v set %v err %v", gap, opt.Solver.Gap, opt.GapSet, err)
		}
	}
	for _, gap := range []float64{1, -0.1, 2} {
		if _, err := planOptions(false, false, gap, time.Minute, 0); !UsageError(err) {
			t.Errorf("--gap %v: %v; want a usage error", gap, err)
		}
	}
}
