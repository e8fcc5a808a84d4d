package risk

import (
	"context"
	"runtime"
	"time"

	"github.com/critmin/critmin"
)

// Gate bounds the stockpile Monte Carlo runs a process computes at once.
// Each run is CPU-bound (up to MaxStockpileWork end-use-years, a few
// seconds of one core) and holds its draws in memory, so without a bound
// many concurrent requests would share the CPUs until every one of them
// was slow and the process's memory was their sum. A run takes one of
// Running slots; when all are taken it waits in a queue of at most
// Queued for at most Wait; a full queue is refused at once, and a wait
// that runs out is refused then — both with EBUSY (HTTP 429 with
// Retry-After), which RetryAfter says how long to wait.
type Gate struct {
	slots chan struct{}
	queue chan struct{}
	wait  time.Duration
}

// Defaults of a stockpile gate (NewGate, serve's --stockpile-running,
// --stockpile-queue and --stockpile-wait).
const (
	DefaultStockpileQueue = 8
	DefaultStockpileWait  = 10 * time.Second
)

// DefaultStockpileRunning is the default number of runs at once: the
// number of CPUs Go uses (GOMAXPROCS), since each run keeps one busy.
func DefaultStockpileRunning() int { return runtime.GOMAXPROCS(0) }

// NewGate is a gate of running slots (at least 1), a queue of queued
// waiters (0: none wait, a run beyond the slots is refused at once) and
// a longest wait.
func NewGate(running, queued int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, max(running, 1)), queue: make(chan struct{}, max(queued, 0)), wait: wait}
}

// RetryAfter is the wait a refused caller is told: the longest queue
// wait, at least a second.
func (g *Gate) RetryAfter() time.Duration { return max(g.wait, time.Second) }

// Enter takes a slot, waiting in the queue when all are taken, and
// returns the function that gives it back. It fails with EBUSY when the
// queue is full or the wait ran out, and with ctx's error when ctx ends
// first (the client went away). A nil gate lets everything through.
func (g *Gate) Enter(ctx context.Context) (release func(), err error) {
	if g == nil {
		return func() {}, nil
	}
	release = func() { <-g.slots }
	select {
	case g.slots <- struct{}{}:
		return release, nil
	default:
	}
	select {
	case g.queue <- struct{}{}:
	default:
		return nil, critmin.Errorf(critmin.EBUSY, "%d stockpile runs are computing and %d waiting, the most this server takes at once; retry in %s", cap(g.slots), cap(g.queue), g.RetryAfter())
	}
	defer func() { <-g.queue }()
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, critmin.Errorf(critmin.EBUSY, "no stockpile run finished within %s while %d were computing; retry in %s", g.wait, cap(g.slots), g.RetryAfter())
	}
}

// Running and Waiting are the runs computing and waiting now.
func (g *Gate) Running() int { return len(g.slots) }

// Waiting: see Running.
func (g *Gate) Waiting() int { return len(g.queue) }
