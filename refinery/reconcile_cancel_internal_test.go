package refinery

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// cancelAfter is a context whose Err is nil for its first n calls and
// context.Canceled from then on: a client that disconnects at a known
// point of the work, without timing.
type cancelAfter struct {
	context.Context
	n, calls int
}

func (c *cancelAfter) Err() error {
	c.calls++
	if c.calls > c.n {
		return context.Canceled
	}
	return nil
}

// A reconciliation whose request is cancelled after the work has started
// (a client that disconnects during the first linearisation) stops with
// context.Canceled inside that linearisation: the projection checks the
// context between its factorisations and the statistics per block of
// columns. The context here turns cancelled at its third check — the
// first is the linearisation's tick, the second its charge, the third
// inside the projection — so the reconciliation must stop within the
// first linearisation (spent 1). When the context was checked only once
// per linearisation it ran the first to the end and stopped at the third
// tick (spent 2).
func TestReconcileCancelledDuringWork(t *testing.T) {
	p, err := Generate(BenchmarkSize)
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(p)
	ctx := &cancelAfter{Context: context.Background(), n: 2}
	m.work = newWork(ctx)
	s := m.solveBounded(nil, nil, nil)
	if err := m.stopError(s); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled during the first linearisation: %v; want context.Canceled", err)
	}
	if m.work.spent != 1 {
		t.Errorf("%d linearisations begun; want 1 (stopped inside the first)", m.work.spent)
	}
	// The same through ReconcileContext: cancelled once the work has
	// begun (here at the first linearisation's tick), it returns the
	// context's error.
	ctx2, cancel := context.WithCancel(context.Background())
	defer cancel()
	m2 := newModel(p)
	m2.work = newWork(ctx2)
	m2.work.onTick = cancel
	if err := m2.stopError(m2.solveBounded(nil, nil, nil)); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled at the first tick: %v; want context.Canceled", err)
	}
}

// project, given a work whose context is done, returns the context's
// error before factorising anything.
func TestProjectStopsWhenCancelled(t *testing.T) {
	p, err := Generate(BenchmarkSize)
	if err != nil {
		t.Fatal(err)
	}
	m := newModel(p)
	nr := m.nrows()
	A := make([][]entry, 1)
	A[0] = []entry{{0, 1}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := project(A, nil, []float64{1}, nr, &work{ctx: ctx}); !errors.Is(err, context.Canceled) {
		t.Errorf("project with a cancelled context: %v; want context.Canceled", err)
	}
}

// When the estimated arithmetic would overrun the work budget, the
// reconciliation stops before the linearisation that would overrun it and
// says so, naming the counts that set the cost. The flotation example
// costs linearisationFlops(2, 6, 0) = 20·2·0·2 + 3·8 + 2·6 + 4 + 1 = 41
// per linearisation, so a budget of 100 allows two (82) and refuses the
// third (123 > 100).
func TestWorkFlopsBudgetSpent(t *testing.T) {
	p, err := DecodeProblem(strings.NewReader(`{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
	 {"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
	 {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
	 {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := linearisationFlops(2, 6, 0); got != 41 {
		t.Fatalf("linearisationFlops(2, 6, 0) = %g; want 41", got)
	}
	m := newModel(p)
	m.work = &work{ctx: context.Background(), limit: MaxTotalIterations, maxFlops: 100}
	s := m.solveBounded(nil, nil, nil)
	err = m.stopError(s)
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "work budget") || !strings.Contains(err.Error(), "2 balances, 6 measured and 0 unmeasured") {
		t.Fatalf("budget 100: %v", err)
	}
	if m.work.flops != 82 {
		t.Errorf("spent %g; want 82 (two linearisations of 41)", m.work.flops)
	}
}
