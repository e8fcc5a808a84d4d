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

// MaxWorkFlops bounds the arithmetic of one reconciliation, every solve
// counted together, in estimated floating-point operations of the dense
// linear algebra (linearisationFlops, statisticsFlops). MaxTotalIterations
// counts linearisations whatever their size, and a linearisation of a
// large problem costs ~10⁹ operations where a small one costs ~10⁴: it is
// this budget that holds the worst case within the limits of checkSize to
// a few seconds of CPU (docs/refinery.md, "Limits"). Measured on a 2-vCPU
// machine: the benchmark flowsheet (30 units, 80 streams, 15 elements)
// spends ~1.3·10¹⁰ in ~0.5 s; a problem that spends the whole budget stops
// after about 4 s.
const MaxWorkFlops = 8e10

// MaxLinearisationFlops bounds the estimated arithmetic of one
// linearisation of a problem as given (checkSize): a tenth of the
// budget, about half a second, so that one uninterruptible factorisation
// never keeps a cancelled request running for long, and a problem leaves
// room for the iterations and serial elimination it needs.
const MaxLinearisationFlops = MaxWorkFlops / 10

// errBudget marks a reconciliation stopped by MaxTotalIterations.
var errBudget = errors.New("iteration budget spent")

// errWorkBudget marks a reconciliation stopped by MaxWorkFlops.
var errWorkBudget = errors.New("work budget spent")

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
	// flops is the estimated arithmetic spent, maxFlops its budget (0:
	// none, for tests that build a work by hand).
	flops, maxFlops float64
	// onTick, when set (tests), is called after each counted
	// linearisation.
	onTick func()
}

func newWork(ctx context.Context) *work {
	return &work{ctx: ctx, limit: MaxTotalIterations, maxFlops: MaxWorkFlops}
}

// charge counts f estimated floating-point operations about to be done;
// false (and the reconciliation stops) when they would overrun the
// budget or the context is done. It is called before each expensive
// step, so no single step runs past the budget.
func (w *work) charge(f float64) bool {
	if w == nil {
		return true
	}
	if !w.alive() {
		return false
	}
	if w.maxFlops > 0 && w.flops+f > w.maxFlops {
		w.err = errWorkBudget
		return false
	}
	w.flops += f
	return true
}

// alive reports whether the reconciliation may go on: false once the
// context is done or another cause stopped it. Inner loops of the linear
// algebra call it per row or column block so that a client that
// disconnects stops the work within a fraction of a second, not at the
// end of the linearisation.
func (w *work) alive() bool {
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
	return true
}

// linearisationFlops estimates the dense arithmetic of one linearisation
// with nr balances, nx measured and nu unmeasured quantities: the full
// SVD of the unmeasured Jacobian (nr × nu, with V of nu × nu) and B⁺,
// weighted ×20 as measured against the rest (Householder reductions and
// rotations run far below the speed of matrix products), then the
// projected covariance M and its factorisation (order nr³) and N = AΣAᵀ.
func linearisationFlops(nr, nx, nu int) float64 {
	r, x, u := float64(nr), float64(nx), float64(nu)
	return 20*r*u*(r+u) + 3*r*r*r + r*x + r*r + 1
}

// statisticsFlops estimates the covariances computed once a solve has
// converged: H·A (dof × nx), L = B⁺A (nu × nx) and L·Σ·(HA)ᵀ.
func statisticsFlops(nr, nx, nu int) float64 {
	r, x, u := float64(nr), float64(nx), float64(nu)
	return r*x*(u+1) + u*x*4 + r*r*r + 1
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
	if w.onTick != nil {
		w.onTick()
	}
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

// countKind counts the variables of kind k (varMeasured, varUnmeasured).
func (m *model) countKind(k int) int {
	n := 0
	for _, x := range m.kind {
		if x == k {
			n++
		}
	}
	return n
}
