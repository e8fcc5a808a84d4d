package refinery

import (
	"context"
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// MaxTotalIterations bounds the work of one reconciliation: the
// successive-linearisation iterations of every solve it makes — the
// bounded solve's active-set rounds and their restarts, and every
// reconciliation of serial elimination — counted together. MaxIterations
// bounds one solve, MaxActiveSet the rounds of one bounded solve and
// MaxEliminations the eliminations, but their product (≈10⁵ iterations)
// is no bound a user can wait for; this one is. The largest count seen
// on the test and demo problems is under 30 (the whole refinery
// test suite, the demo refinery and the 30-unit, 80-stream, 15-element
// benchmark flowsheet included), so the budget leaves room for hard
// problems and still ends in well under a second on small ones.
const MaxTotalIterations = 2000

// errBudget marks a reconciliation stopped by MaxTotalIterations.
var errBudget = errors.New("iteration budget spent")

// work is the budget and the stop signal shared by every solve of one
// reconciliation: each linearisation calls tick, which fails once the
// context is done (a client that disconnected, SIGINT or SIGTERM), the
// budget is spent, or a numerical failure was recorded. The first such
// cause sticks: every loop above the solve sees it and stops.
type work struct {
	ctx   context.Context
	limit int
	spent int
	err   error
}

func newWork(ctx context.Context) *work {
	return &work{ctx: ctx, limit: MaxTotalIterations}
}

// tick counts one linearisation; false when the reconciliation must stop.
func (w *work) tick() bool {
	if w == nil {
		return true
	}
	if w.err != nil {
		return false
	}
	if err := w.ctx.Err(); err != nil {
		w.err = err
		return false
	}
	if w.spent >= w.limit {
		w.err = errBudget
		return false
	}
	w.spent++
	return true
}

// stopped reports whether the reconciliation must stop.
func (w *work) stopped() bool { return w != nil && w.err != nil }

// fail records a numerical failure (the first one sticks).
func (w *work) fail(err error) {
	if w != nil && w.err == nil {
		w.err = err
	}
}

// numericalError is a breakdown of the linear algebra: a factorisation
// that failed, or a matrix that holds NaN or an infinity because the
// iterates diverged.
type numericalError struct{ what string }

func (e *numericalError) Error() string { return e.what }

// allFinite reports whether every element of a is finite.
func allFinite(a mat.Matrix) bool {
	r, c := a.Dims()
	for i := 0; i < r; i++ {
		for j := 0; j < c; j++ {
			if x := a.At(i, j); math.IsNaN(x) || math.IsInf(x, 0) {
				return false
			}
		}
	}
	return true
}

// numericalf returns a numerical failure.
func numericalf(format string, args ...any) error {
	return &numericalError{what: fmt.Sprintf(format, args...)}
}
