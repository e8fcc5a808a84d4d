package risk_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/risk"
)

// TestGateBoundsRuns (issue 14, fix14 item 3): with 2 slots and a queue
// of 1, two runs compute, a third waits, a fourth is refused EBUSY at
// once; when one finishes the waiter runs. A waiter whose wait runs out,
// or whose client goes away, is refused and leaves the queue.
func TestGateBoundsRuns(t *testing.T) {
	ctx := context.Background()
	g := risk.NewGate(2, 1, time.Hour)
	r1, err1 := g.Enter(ctx)
	r2, err2 := g.Enter(ctx)
	if err1 != nil || err2 != nil || g.Running() != 2 {
		t.Fatalf("first two: %v %v, running %d", err1, err2, g.Running())
	}
	got := make(chan error, 1)
	var r3 func()
	go func() {
		var err error
		r3, err = g.Enter(ctx)
		got <- err
	}()
	for g.Waiting() != 1 {
		time.Sleep(time.Millisecond)
	}
	if _, err := g.Enter(ctx); critmin.ErrorCode(err) != critmin.EBUSY {
		t.Fatalf("fourth with 2 running and 1 waiting: %v; want EBUSY", err)
	}
	r1()
	if err := <-got; err != nil {
		t.Fatalf("waiter: %v", err)
	}
	if g.Running() != 2 || g.Waiting() != 0 {
		t.Errorf("after the waiter entered: %d running, %d waiting; want 2, 0", g.Running(), g.Waiting())
	}
	r2()
	r3()
	if g.Running() != 0 {
		t.Errorf("%d running after all released", g.Running())
	}

	// A wait of 0: refused as soon as it waits, EBUSY; a cancelled client:
	// its context's error. Neither keeps a place in the queue.
	g = risk.NewGate(1, 1, 0)
	hold, _ := g.Enter(ctx)
	if _, err := g.Enter(ctx); critmin.ErrorCode(err) != critmin.EBUSY {
		t.Errorf("wait ran out: %v; want EBUSY", err)
	}
	g = risk.NewGate(1, 1, time.Hour)
	hold2, _ := g.Enter(ctx)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := g.Enter(cctx); !errors.Is(err, context.Canceled) || g.Waiting() != 0 {
		t.Errorf("cancelled: %v, %d waiting; want context.Canceled, 0", err, g.Waiting())
	}
	hold()
	hold2()
	// No gate: no bound.
	var none *risk.Gate
	if rel, err := none.Enter(ctx); err != nil {
		t.Errorf("nil gate: %v", err)
	} else {
		rel()
	}
}
