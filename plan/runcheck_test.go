package plan

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestRunRefusesPlanBreakingItsInvariants: Run checks every solved plan
// with Check before returning it, so a defect in the model or the solver
// that publishes flows breaking mass balance fails with EINTERNAL instead
// of answering with a wrong plan. The hook adds 1 t to the first flow the
// solver chose: the receiving node then gets 1 t more than it uses or
// stores, which Check's balance per site, stream and period catches.
func TestRunRefusesPlanBreakingItsInvariants(t *testing.T) {
	n := handNetwork()
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
	// Unchanged, the same network plans and passes (the control).
	if _, err := Run(context.Background(), n, Baseline, Options{}); err != nil {
		t.Fatalf("baseline without tampering: %v", err)
	}
	solvedHook = func(p *Plan) {
		for i := range p.Flows {
			if p.Flows[i].Tonnes > 0 {
				p.Flows[i].Tonnes++
				return
			}
		}
		t.Fatal("the hand network's plan ships nothing")
	}
	defer func() { solvedHook = nil }()
	p, err := Run(context.Background(), n, Baseline, Options{})
	if err == nil {
		t.Fatalf("a plan with 1 t too much on a lane was published: %+v", p.Flows)
	}
	if critmin.ErrorCode(err) != critmin.EINTERNAL || !strings.Contains(err.Error(), "invariant check") {
		t.Fatalf("want EINTERNAL naming the invariant check, got %v", err)
	}
}
