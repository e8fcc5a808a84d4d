package refinery

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestWorkBudgetSpent: when the budget of linearisations is spent (here
// set to 2 on the flotation example, which needs more), every solve
// stops and the reconciliation fails with EINVALID "did not converge after
// 2 iterations", naming the measurements to check first.
func TestWorkBudgetSpent(t *testing.T) {
	p, err := DecodeProblem(strings.NewReader(`{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
	 {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
	 {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
	 {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(p)
	m.work = &work{ctx: context.Background(), limit: 2}
	s := m.solveBounded(nil, nil, nil)
	err = m.stopError(s)
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "did not converge after 2 iterations") || !strings.Contains(err.Error(), "/streams/") {
		t.Fatalf("budget 2: %v", err)
	}
	if m.work.spent != 2 {
		t.Errorf("spent %d linearisations, budget 2", m.work.spent)
	}
	// With the full budget it converges.
	m2 := newModel(p)
	m2.work = newWork(context.Background())
	if s := m2.solveBounded(nil, nil, nil); !s.converged || m2.stopError(s) != nil {
		t.Fatalf("full budget: converged %v, %v", s.converged, m2.stopError(s))
	}
}
