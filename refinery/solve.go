package refinery

import (
	"errors"
	"math"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Numerical tolerances of the reconciliation, named so that tests and the
// documentation can refer to them.
const (
	// RankTol: a singular value below RankTol × the largest one counts as
	// zero when the rank of the unmeasured Jacobian B (columns scaled to
	// unit norm) is determined.
	RankTol = 1e-9
	// ObservableTol: an unmeasured quantity is unobservable when its
	// component in the null space of B (scaled) exceeds ObservableTol.
	ObservableTol = 1e-6
	// RedundantTol: a measured quantity is redundant when its column in the
	// reduced constraint matrix G = PA has a norm above RedundantTol × its
	// column norm in A.
	RedundantTol = 1e-7
	// EigenTol: when GΣGᵀ is not safely positive definite (condition
	// number above 1/EigenTol), its eigenvalues below EigenTol × the
	// largest count as zero (dependent reduced balances); the rest give
	// the degrees of freedom.
	EigenTol = 1e-10
	// StepTol: successive linearisation stops when no measured value moves
	// by more than StepTol standard deviations, no unmeasured value by more
	// than StepTol relative, and every balance closes within ResidualTol.
	StepTol = 1e-8
	// ResidualTol is the convergence criterion on every balance, relative
	// to the sum of the absolute terms of the balance.
	ResidualTol = 1e-10
	// ResidualFloor is the absolute floor of an element balance's
	// convergence test, relative to the node's total-mass throughput.
	ResidualFloor = 1e-14
	// RowScaleFloor is the least scale of an element balance, relative
	// to the node's total-mass balance (1 ppm of the throughput).
	RowScaleFloor = 1e-6
	// MaxIterations bounds successive linearisation.
	MaxIterations = 100
)

// solution is the reconciled state of a model.
type solution struct {
	v          []float64 // every variable (NaN for unobservable)
	class      []string
	sdHat      []float64 // reconciled sd (NaN for unobservable, 0 fixed)
	mt         []float64 // normalised adjustment (NaN if not redundant)
	chi2       float64
	dof        int
	iterations int
	converged  bool
	diverged   bool // stopped because an iterate was not finite
	// lastStep and lastResidual are the last linearisation's change:
	// the largest move (measured values in sds, unmeasured relative) and
	// the worst balance residual relative to its terms (the convergence
	// tests against StepTol and ResidualTol); NaN before any.
	lastStep, lastResidual float64
	// pin holds the variables held at a bound by the active set (value
	// 0 or 100), mu their multipliers (≥ 0 when the bound is rightly
	// active), lambda the balances' multipliers (scaled rows).
	pin map[int]float64
	mu  map[int]float64
	// ha holds the columns of the whitened, projected balance matrix
	// RPA (dof × measured), hcol the column of each redundant
	// measurement: the columns parallelTo compares.
	ha   *mat.Dense
	hcol map[int]int
}

// Classes of a quantity after reconciliation.
const (
	ClassRedundant      = "redundant"       // measured, and the balances estimate it again from other measurements
	ClassJustDetermined = "just_determined" // measured, but no other measurement checks it: not adjusted
	ClassObservable     = "observable"      // unmeasured, computed from the balances
	ClassUnobservable   = "unobservable"    // unmeasured, and the balances cannot determine it
	ClassFixed          = "fixed"           // held at a given value
	ClassAtBound        = "at_bound"        // held at a physical bound (mass 0, grade 0 or 100 %) by the bounded reconciliation
)

// entry is one non-zero of a sparse column.
type entry struct {
	row int
	val float64
}

// solve reconciles the model with the measurements in drop treated as
// unmeasured (serial elimination of gross errors). start, when not nil,
// is the solution of a previous solve to start from.
//
// pin holds variables at a bound (the active set of solveBounded): they
// enter the balances as fixed values, and solve returns their multipliers
// in solution.mu.
func (m *model) solve(drop map[int]bool, start []float64, pin map[int]float64) *solution {
	nv, nr := m.nvars(), m.nrows()
	var xs, us []int
	colOf := make([]int, nv)
	for j := 0; j < nv; j++ {
		_, pinned := pin[j]
		switch {
		case pinned:
			colOf[j] = -1
		case m.kind[j] == varMeasured && !drop[j]:
			colOf[j] = len(xs)
			xs = append(xs, j)
		case m.kind[j] == varFixed:
			colOf[j] = -1
		default:
			colOf[j] = len(us)
			us = append(us, j)
		}
	}
	nx, nu := len(xs), len(us)
	v := make([]float64, nv)
	copy(v, m.raw)
	for j, b := range pin {
		v[j] = b
	}
	m.initialGuess(v, drop, pin)
	for j, x := range start {
		if _, pinned := pin[j]; m.kind[j] != varFixed && !pinned && !math.IsNaN(x) {
			v[j] = x
		}
	}
	xm := make([]float64, nx)
	sig := make([]float64, nx)
	for i, j := range xs {
		xm[i], sig[i] = m.raw[j], m.sd[j]
	}

	var (
		A    = make([][]entry, nx) // sparse columns of the measured Jacobian
		B    *mat.Dense
		lin  linear
		conv bool
		it   int
		// Multipliers of the last linearisation: lam (scaled balance
		// rows) and, per pinned variable, its scaled Jacobian column.
		lam    []float64
		pinCol = map[int][]entry{}
		// broke: the loop stopped before a usable linearisation (budget
		// spent, context done, numerical failure, iterates not finite).
		broke, diverged bool
		// The last linearisation's change (solution.lastStep, lastResidual).
		lastStep, lastResidual = math.NaN(), math.NaN()
	)
	if nu > 0 {
		B = mat.NewDense(nr, nu, nil)
	}
	for it = 1; it <= MaxIterations; it++ {
		if !m.work.tick() || !m.work.charge(linearisationFlops(nr, nx, nu)) {
			broke = true
			break
		}
		// Each balance is divided by the sum of its absolute terms so that
		// mass rows (thousands of t) and trace-element rows (grams) weigh
		// alike in the rank and eigenvalue decisions; scaling rows of
		// equality constraints does not change their solution.
		f, rs := m.residual(v)
		E1 := m.E + 1
		for r := range f {
			// An element balance whose contained tonnes are all (near)
			// zero — a trace element held at a zero grade — is scaled as
			// if it carried RowScaleFloor of the node's mass: scaled by
			// its own near-zero sum, its grade derivatives (mass/100)
			// would swamp every other balance in the rank decisions.
			if r%E1 != 0 {
				rs[r] = math.Max(rs[r], RowScaleFloor*rs[r-r%E1])
			}
			if !(rs[r] > 0) {
				rs[r] = 1
			}
			f[r] /= rs[r]
		}
		for i := range A {
			A[i] = A[i][:0]
		}
		if B != nil {
			B.Zero()
		}
		clear(pinCol)
		m.jacobian(v, func(r, j int, d float64) {
			if _, pinned := pin[j]; pinned && d != 0 {
				pinCol[j] = append(pinCol[j], entry{r, d / rs[r]})
				return
			}
			switch {
			case m.kind[j] == varFixed || d == 0:
			case m.kind[j] == varMeasured && !drop[j]:
				A[colOf[j]] = append(A[colOf[j]], entry{r, d / rs[r]})
			default:
				B.Set(r, colOf[j], B.At(r, colOf[j])+d/rs[r])
			}
		})
		if !finiteVec(v) || !finiteVec(f) || !finiteCols(A) || (B != nil && !allFinite(B)) {
			// The iterates diverged (a grade driven towards 0 with a tiny
			// sd, a mass towards 0 under a large grade): stop this solve
			// as not converged rather than factorise NaN — gonum's SVD
			// does not return on a NaN (nu12f: reconcile never ended).
			broke, diverged = true, true
			break
		}
		var err error
		lin, err = project(A, B, sig, nr, m.work)
		if err != nil {
			m.work.fail(err)
			broke = true
			break
		}
		// Linearised balances: f + A(x − xk) + B(u − uk) = 0. Projected
		// with PB = 0: P(f + A(x − xk)) = 0, so with M = PAΣAᵀPᵀ
		// x̂ = xm − ΣAᵀPᵀ M⁺ P(f + A(xm − xk)).
		xhat := make([]float64, nx)
		copy(xhat, xm)
		lam = nil
		if lin.dof > 0 {
			y := make([]float64, nr)
			copy(y, f)
			for i, j := range xs {
				d := xm[i] - v[j]
				for _, e := range A[i] {
					y[e.row] += e.val * d
				}
			}
			z, err := lin.apply(y)
			if err != nil {
				m.work.fail(err)
				broke = true
				break
			}
			lam = z
			for i := range xhat {
				s := 0.0
				for _, e := range A[i] {
					s += e.val * z[e.row]
				}
				xhat[i] -= sig[i] * sig[i] * s
			}
		}
		step := 0.0
		for i, j := range xs {
			step = math.Max(step, math.Abs(xhat[i]-v[j])/sig[i])
		}
		if nu > 0 {
			// B du = −f − A(x̂ − xk), solved with B⁺ (minimum norm: the
			// unobservable directions do not move).
			rhs := make([]float64, nr)
			for r := 0; r < nr; r++ {
				rhs[r] = -f[r]
			}
			for i, j := range xs {
				d := xhat[i] - v[j]
				for _, e := range A[i] {
					rhs[e.row] -= e.val * d
				}
			}
			du := mat.NewVecDense(nu, nil)
			du.MulVec(lin.Bplus, mat.NewVecDense(nr, rhs))
			for k, j := range us {
				step = math.Max(step, math.Abs(du.AtVec(k))/(1+math.Abs(v[j])))
				v[j] += du.AtVec(k)
			}
		}
		for i, j := range xs {
			v[j] = xhat[i]
		}
		f2, scale := m.residual(v)
		worst := 0.0
		E1 = m.E + 1
		for r := range f2 {
			// An element balance whose terms are all rounding noise
			// (contained tonnes below ResidualFloor × the node's mass
			// throughput, e.g. a trace element held at a zero grade) is
			// judged against that floor, not against its own noise.
			floor := ResidualFloor * scale[r-r%E1]
			worst = math.Max(worst, math.Abs(f2[r])/(scale[r]+floor+1e-300))
		}
		lastStep, lastResidual = step, worst
		if step < StepTol && worst < ResidualTol {
			conv = true
			break
		}
	}
	s := &solution{v: v, class: make([]string, nv), sdHat: make([]float64, nv), mt: make([]float64, nv), iterations: min(it, MaxIterations), converged: conv, dof: lin.dof, lastStep: lastStep, lastResidual: lastResidual}
	for j := range s.mt {
		s.mt[j] = math.NaN()
	}
	if broke {
		// Nothing to take statistics of: a solve that did not converge.
		s.converged, s.diverged = false, diverged
		s.pin, s.mu = pin, map[int]float64{}
		return s
	}
	// A pinned variable's multiplier (Karush–Kuhn–Tucker): the
	// Lagrangian ½Σ((x−xm)/σ)² + λᵀf(v) − μ(x_j − lo) (lower bound) or
	// + μ(x_j − hi) (upper) is stationary in x_j, so μ = ±(g_j + a_jᵀλ)
	// with g_j = (x_j − xm_j)/σ_j² for a measurement, 0 otherwise; the
	// bound is rightly active when μ ≥ 0 (Narasimhan & Jordache 2000,
	// §5.5; Nocedal & Wright 2006, §16.5).
	s.pin, s.mu = pin, map[int]float64{}
	if !m.work.charge(statisticsFlops(nr, nx, nu)) {
		s.converged = false
		return s
	}
	for j, b := range pin {
		g := 0.0
		if m.kind[j] == varMeasured && !drop[j] {
			g = (b - m.raw[j]) / (m.sd[j] * m.sd[j])
		}
		for _, e := range pinCol[j] {
			if lam != nil {
				g += e.val * lam[e.row]
			}
		}
		if b > 0 { // upper bound
			g = -g
		}
		s.mu[j] = g
	}
	// Statistics at the solution's linearisation (Narasimhan & Jordache
	// 2000, §3.3 and §7.2): Va = ΣAᵀPᵀM⁺PAΣ is the covariance of the
	// adjustments, Σ̂ = Σ − Va that of the reconciled measured values.
	// With M⁺ = RᵀR and H = RP, va_i = σᵢ⁴‖H aᵢ‖².
	var HA *mat.Dense
	va := make([]float64, nx)
	if lin.dof > 0 && lin.chol != nil {
		// M = LLᵀ, M⁻¹ = L⁻ᵀL⁻¹: R = L⁻¹, needed only here.
		var L, Li mat.TriDense
		lin.chol.LTo(&L)
		if err := Li.InverseTri(&L); err != nil {
			var c mat.Condition
			if !errors.As(err, &c) || !allFinite(&Li) {
				// mat.Condition only warns of ill-conditioning; the inverse
				// is still computed. Anything else is a failure.
				m.work.fail(numericalf("inverting the Cholesky factor of the reduced balances' covariance failed: %v", err))
				s.converged = false
				return s
			}
		}
		lin.R = mat.DenseCopyOf(&Li)
	}
	if lin.dof > 0 {
		// H = RP, held transposed (HT = PᵀRᵀ) for row access.
		HT := lin.P.rightT(lin.R)
		HA = mat.NewDense(lin.dof, max(nx, 1), nil)
		col := make([]float64, lin.dof)
		for i := 0; i < nx; i++ {
			if i%64 == 0 && !m.work.alive() {
				s.converged = false
				return s
			}
			clear(col)
			for _, e := range A[i] {
				for k, h := range HT.RawRowView(e.row) {
					col[k] += h * e.val
				}
			}
			d := 0.0
			for k, x := range col {
				HA.Set(k, i, x)
				d += x * x
			}
			va[i] = sig[i] * sig[i] * sig[i] * sig[i] * d
		}
	}
	s.ha, s.hcol = HA, map[int]int{}
	for i, j := range xs {
		if lin.redundant[i] && HA != nil {
			s.hcol[j] = i
		}
	}
	for i, j := range xs {
		a := v[j] - xm[i]
		s.chi2 += (a / sig[i]) * (a / sig[i])
		s.sdHat[j] = math.Sqrt(math.Max(0, sig[i]*sig[i]-va[i]))
		if lin.redundant[i] {
			s.class[j] = ClassRedundant
			if va[i] > 0 {
				s.mt[j] = a / math.Sqrt(va[i])
			}
		} else {
			s.class[j] = ClassJustDetermined
		}
	}
	for j := 0; j < nv; j++ {
		if m.kind[j] == varFixed {
			s.class[j] = ClassFixed
		}
		if _, pinned := pin[j]; pinned {
			// Held at its bound: the bound acts as one more balance on the
			// measurements, so its adjustment counts in χ² and adds a
			// degree of freedom (a measurement) — the statistic is then
			// only approximately χ² (see Result.BoundsActive).
			s.class[j] = ClassAtBound
			if m.kind[j] == varMeasured && !drop[j] {
				a := (s.v[j] - m.raw[j]) / m.sd[j]
				s.chi2 += a * a
				s.dof++
			}
		}
	}
	if nu > 0 {
		// û = uk − B⁺(f + A(x̂ − xk)), so cov(û) = L Σ̂ Lᵀ with L = B⁺A:
		// diag(LΣLᵀ) − ‖(LΣ²… )‖: row k of (L diag(σ²)) HAᵀ, squared.
		L := mat.NewDense(nu, max(nx, 1), nil)
		for i := 0; i < nx; i++ {
			if i%64 == 0 && !m.work.alive() {
				s.converged = false
				return s
			}
			for _, e := range A[i] {
				for k := 0; k < nu; k++ {
					L.Set(k, i, L.At(k, i)+lin.Bplus.At(k, e.row)*e.val)
				}
			}
		}
		var WR *mat.Dense
		if HA != nil && nx > 0 {
			LS := mat.DenseCopyOf(L)
			for k := 0; k < nu; k++ {
				for i := 0; i < nx; i++ {
					LS.Set(k, i, LS.At(k, i)*sig[i]*sig[i])
				}
			}
			if !m.work.alive() {
				s.converged = false
				return s
			}
			WR = mat.NewDense(nu, lin.dof, nil)
			WR.Mul(LS, HA.T())
		}
		for k, j := range us {
			if lin.unobservable[k] {
				s.class[j] = ClassUnobservable
				s.v[j] = math.NaN()
				s.sdHat[j] = math.NaN()
				continue
			}
			s.class[j] = ClassObservable
			t1 := 0.0
			for i := 0; i < nx; i++ {
				t1 += L.At(k, i) * L.At(k, i) * sig[i] * sig[i]
			}
			t2 := 0.0
			if WR != nil {
				for g := 0; g < lin.dof; g++ {
					t2 += WR.At(k, g) * WR.At(k, g)
				}
			}
			s.sdHat[j] = math.Sqrt(math.Max(0, t1-t2))
		}
	}
	return s
}

// linear is one linearisation projected onto the measured quantities.
type linear struct {
	ng           int
	P            basis
	R            *mat.Dense // dof × ng with M⁺ = RᵀR (eigen path; set after convergence on the Cholesky path)
	chol         *mat.Cholesky
	Bplus        *mat.Dense // B⁺, nu × nr
	dof          int
	redundant    []bool
	unobservable []bool
}

// basis is the projection P (PB = 0) in block form. A balance that no
// unmeasured quantity enters (a zero row of B) is a row of P as it is
// (a unit row); only the balances that some unmeasured quantity enters
// (rowsB) are combined, by U₂ᵀ of the SVD of B restricted to those rows.
// The rows of P span the same space as U₂ᵀ of the SVD of the whole of B
// (the zero rows of B only add unit vectors to its left null space, and
// leave its singular values and right singular vectors unchanged), and
// PᵀM⁺P with M = PNPᵀ does not depend on which orthonormal basis of that
// space P holds. So the reconciliation is the same, but the SVD is of a
// B of ~150 rows instead of ~480 on the benchmark flowsheet, and most
// of M is read straight from N.
type basis struct {
	nr    int
	unit  []int      // P's row k < len(unit) is the unit vector of balance unit[k]
	rowsB []int      // the balances some unmeasured quantity enters
	U2    *mat.Dense // len(rowsB) × n2: P's row len(unit)+c is Σᵢ U2[i,c]·e(rowsB[i]); nil when n2 = 0
	posU  []int      // per balance, its index in unit, or −1
	posB  []int      // per balance, its index in rowsB, or −1
}

func newBasis(nr int, unit, rowsB []int, U2 *mat.Dense) basis {
	b := basis{nr: nr, unit: unit, rowsB: rowsB, U2: U2, posU: make([]int, nr), posB: make([]int, nr)}
	for r := range b.posU {
		b.posU[r], b.posB[r] = -1, -1
	}
	for k, r := range unit {
		b.posU[r] = k
	}
	for i, r := range rowsB {
		b.posB[r] = i
	}
	return b
}

// n2 is the number of P's rows that combine balances.
func (b *basis) n2() int {
	if b.U2 == nil {
		return 0
	}
	_, c := b.U2.Dims()
	return c
}

// ng is the number of rows of P (reduced balances).
func (b *basis) ng() int { return len(b.unit) + b.n2() }

// addCol adds a × (column r of P) to g: g += a·P·e(r).
func (b *basis) addCol(g []float64, r int, a float64) {
	if k := b.posU[r]; k >= 0 {
		g[k] += a
		return
	}
	if i := b.posB[r]; i >= 0 && b.U2 != nil {
		n0 := len(b.unit)
		for c, u := range b.U2.RawRowView(i) {
			g[n0+c] += a * u
		}
	}
}

// mulP returns P y.
func (b *basis) mulP(y []float64) []float64 {
	g := make([]float64, b.ng())
	for r, x := range y {
		if x != 0 {
			b.addCol(g, r, x)
		}
	}
	return g
}

// mulPt returns Pᵀ g.
func (b *basis) mulPt(g []float64) []float64 {
	z := make([]float64, b.nr)
	for k, r := range b.unit {
		z[r] = g[k]
	}
	if b.U2 != nil {
		n0 := len(b.unit)
		for i, r := range b.rowsB {
			s := 0.0
			for c, u := range b.U2.RawRowView(i) {
				s += u * g[n0+c]
			}
			z[r] = s
		}
	}
	return z
}

// rightT returns (R Pᵀ)ᵀ = P Rᵀ, nr × (rows of R): row r is R's
// combination for balance r, laid out for row access.
func (b *basis) rightT(R *mat.Dense) *mat.Dense {
	nd, _ := R.Dims()
	HT := mat.NewDense(b.nr, nd, nil)
	for k, r := range b.unit {
		for d := 0; d < nd; d++ {
			HT.Set(r, d, R.At(d, k))
		}
	}
	if b.U2 != nil {
		n0 := len(b.unit)
		var X mat.Dense
		X.Mul(b.U2, R.Slice(0, nd, n0, n0+b.n2()).T())
		for i, r := range b.rowsB {
			copy(HT.RawRowView(r), X.RawRowView(i))
		}
	}
	return HT
}

// apply returns Pᵀ M⁺ P y.
func (lin *linear) apply(y []float64) ([]float64, error) {
	r := mat.NewVecDense(lin.ng, lin.P.mulP(y))
	lam := mat.NewVecDense(lin.ng, nil)
	if lin.chol != nil {
		if err := lin.chol.SolveVecTo(lam, r); err != nil {
			var c mat.Condition
			if !errors.As(err, &c) {
				return nil, numericalf("solving the reduced balances by Cholesky failed: %v", err)
			}
		}
	} else {
		rr := mat.NewVecDense(lin.dof, nil)
		rr.MulVec(lin.R, r)
		lam.MulVec(lin.R.T(), rr)
	}
	return lin.P.mulPt(lam.RawVector().Data), nil
}

// project eliminates the unmeasured quantities (Crowe et al. 1983): with B
// = UΣVᵀ, the rows of P = U₂ᵀ (left singular vectors of the zero singular
// values) satisfy PB = 0; P is built in the block form of basis. B's
// columns are scaled to unit norm first so that masses and grades weigh
// alike in the rank decision. M = PAΣAᵀPᵀ is factorised by Cholesky (R =
// L⁻¹) when it is safely positive definite, else by its
// eigendecomposition (R = W^(−1/2)Qᵀ over the eigenvalues above
// EigenTol), which also gives the degrees of freedom.
//
// Errors: a factorisation that fails (with finite input, LAPACK's
// iteration limits), as a numericalError naming the matrix.
func project(A [][]entry, B *mat.Dense, sig []float64, nr int, wk *work) (linear, error) {
	var lin linear
	nx := len(A)
	// Balances whose linearisation has no term at all (an element fixed
	// at zero grade on every stream of a node: 0 = 0) carry no
	// information. They are left out of the projection: kept, their unit
	// vectors would enter P and rounding noise in them would count as
	// degrees of freedom.
	active := make([]bool, nr)
	for _, c := range A {
		for _, e := range c {
			active[e.row] = true
		}
	}
	inB := make([]bool, nr)
	if B != nil {
		for r := 0; r < nr; r++ {
			for _, x := range B.RawRowView(r) {
				if x != 0 {
					inB[r], active[r] = true, true
					break
				}
			}
		}
	}
	var unit, rowsB []int
	for r, a := range active {
		switch {
		case inB[r]:
			rowsB = append(rowsB, r)
		case a:
			unit = append(unit, r)
		}
	}
	na := len(unit) + len(rowsB)
	var U2 *mat.Dense
	if B != nil {
		_, nu := B.Dims()
		lin.Bplus = mat.NewDense(nu, nr, nil)
		lin.unobservable = make([]bool, nu)
		nb := len(rowsB)
		if nb == 0 {
			// B is zero: nothing unmeasured is determined, and P is
			// every active balance as it is.
			for j := range lin.unobservable {
				lin.unobservable[j] = true
			}
		} else {
			d := make([]float64, nu)
			Bs := mat.NewDense(nb, nu, nil)
			for k, r := range rowsB {
				copy(Bs.RawRowView(k), B.RawRowView(r))
			}
			for j := 0; j < nu; j++ {
				n := mat.Norm(Bs.ColView(j), 2)
				d[j] = 1
				if n > 0 {
					d[j] = 1 / n
				}
				for k := 0; k < nb; k++ {
					Bs.Set(k, j, Bs.At(k, j)*d[j])
				}
			}
			if !wk.alive() {
				return lin, wk.err
			}
			var svd mat.SVD
			if !svd.Factorize(Bs, mat.SVDFull) {
				return lin, numericalf("the singular value decomposition of the Jacobian of the unmeasured quantities (%d balances × %d unmeasured) did not converge", nb, nu)
			}
			sv := svd.Values(nil)
			rank := 0
			for _, s := range sv {
				if s > RankTol*math.Max(sv[0], 1) {
					rank++
				}
			}
			if !wk.alive() {
				return lin, wk.err
			}
			var U, V mat.Dense
			svd.UTo(&U)
			svd.VTo(&V)
			if rank < nb {
				U2 = mat.DenseCopyOf(U.Slice(0, nb, rank, nb))
			}
			if rank > 0 {
				Vr := mat.DenseCopyOf(V.Slice(0, nu, 0, rank))
				for j := 0; j < nu; j++ {
					for k := 0; k < rank; k++ {
						Vr.Set(j, k, Vr.At(j, k)*d[j]/sv[k])
					}
				}
				var bp mat.Dense
				bp.Mul(Vr, U.Slice(0, nb, 0, rank).T())
				for j := 0; j < nu; j++ {
					for k, r := range rowsB {
						lin.Bplus.Set(j, r, bp.At(j, k))
					}
				}
			}
			for j := 0; j < nu; j++ {
				nn := 0.0
				for k := rank; k < nu; k++ {
					nn += V.At(j, k) * V.At(j, k)
				}
				lin.unobservable[j] = math.Sqrt(nn) > ObservableTol
			}
		}
	}
	lin.P = newBasis(nr, unit, rowsB, U2)
	lin.redundant = make([]bool, nx)
	lin.ng = lin.P.ng()
	if na == 0 || lin.ng == 0 || nx == 0 {
		// No balance, or every balance is used up by the unmeasured
		// quantities, or nothing measured.
		lin.ng = 0
		return lin, nil
	}
	// Redundancy: the column P aᵢ of G = PA.
	col := make([]float64, lin.ng)
	for i := 0; i < nx; i++ {
		an, gn := 0.0, 0.0
		clear(col)
		for _, e := range A[i] {
			an += e.val * e.val
			lin.P.addCol(col, e.row, e.val)
		}
		for _, g := range col {
			gn += g * g
		}
		lin.redundant[i] = an > 0 && math.Sqrt(gn) > RedundantTol*math.Sqrt(an)
	}
	// N = AΣAᵀ from A's sparse columns, then M = P N Pᵀ by blocks: N
	// itself on the unit rows, N·U₂ and U₂ᵀ·N·U₂ where rows combine.
	if !wk.alive() {
		return lin, wk.err
	}
	N := mat.NewDense(nr, nr, nil)
	for i, c := range A {
		if i%256 == 0 && !wk.alive() {
			return lin, wk.err
		}
		s2 := sig[i] * sig[i]
		for _, a := range c {
			row := N.RawRowView(a.row)
			for _, b := range c {
				row[b.row] += s2 * a.val * b.val
			}
		}
	}
	n0, n2 := len(unit), lin.P.n2()
	M := mat.NewSymDense(lin.ng, nil)
	for a, ra := range unit {
		for b := a; b < n0; b++ {
			M.SetSym(a, b, (N.At(ra, unit[b])+N.At(unit[b], ra))/2)
		}
	}
	if n2 > 0 {
		nb := len(rowsB)
		N0B := mat.NewDense(max(n0, 1), nb, nil)
		for a, ra := range unit {
			for i, r := range rowsB {
				N0B.Set(a, i, (N.At(ra, r)+N.At(r, ra))/2)
			}
		}
		NBB := mat.NewDense(nb, nb, nil)
		for i, r := range rowsB {
			for k, s := range rowsB {
				NBB.Set(i, k, N.At(r, s))
			}
		}
		if n0 > 0 {
			var X mat.Dense
			X.Mul(N0B, U2)
			for a := 0; a < n0; a++ {
				for c := 0; c < n2; c++ {
					M.SetSym(a, n0+c, X.At(a, c))
				}
			}
		}
		var NU, UNU mat.Dense
		NU.Mul(NBB, U2)
		UNU.Mul(U2.T(), &NU)
		for c := 0; c < n2; c++ {
			for e := c; e < n2; e++ {
				M.SetSym(n0+c, n0+e, (UNU.At(c, e)+UNU.At(e, c))/2)
			}
		}
	}
	// The rank decisions on M are made against the scale of the
	// unprojected N = AΣAᵀ (its largest diagonal term), not against M
	// itself: when PA is rounding noise, M is a well-conditioned matrix of
	// noise and a relative test would count it as degrees of freedom.
	ref := 0.0
	for r := 0; r < nr; r++ {
		ref = math.Max(ref, N.At(r, r))
	}
	if !wk.alive() {
		return lin, wk.err
	}
	var ch mat.Cholesky
	// ‖M‖₁/cond₁(M) = 1/‖M⁻¹‖₁ is a lower bound of M's smallest eigenvalue.
	if ch.Factorize(M) && ch.Cond() < 1/EigenTol && mat.Norm(M, 1)/ch.Cond() > EigenTol*ref {
		lin.dof = lin.ng
		lin.chol = &ch
		return lin, nil
	}
	var eig mat.EigenSym
	if !allFinite(M) || !eig.Factorize(M, true) {
		return lin, numericalf("the eigendecomposition of the reduced balances' covariance GΣGᵀ (%d × %d) failed", lin.ng, lin.ng)
	}
	w := eig.Values(nil)
	var Q mat.Dense
	eig.VectorsTo(&Q)
	var keep []int
	for k, x := range w {
		if x > EigenTol*ref {
			keep = append(keep, k)
		}
	}
	lin.dof = len(keep)
	if lin.dof == 0 {
		return lin, nil
	}
	lin.R = mat.NewDense(lin.dof, lin.ng, nil)
	for c, k := range keep {
		for a := 0; a < lin.ng; a++ {
			lin.R.Set(c, a, Q.At(a, k)/math.Sqrt(w[k]))
		}
	}
	return lin, nil
}

// initialGuess sets the unmeasured variables (and dropped measurements)
// to a start for successive linearisation: masses from the mass balances
// alone (minimum-norm least squares), then each element's contained
// tonnes from its balances, divided by the masses.
func (m *model) initialGuess(v []float64, drop map[int]bool, pin map[int]float64) {
	E1 := m.E + 1
	nc, nn := len(m.carriers), len(m.p.Nodes)
	unknown := func(j int) bool {
		if _, pinned := pin[j]; pinned {
			return false
		}
		return m.kind[j] == varUnmeasured || drop[j]
	}
	solveRows := func(val func(c int) float64, unk func(c int) bool) []float64 {
		var cols []int
		for c := 0; c < nc; c++ {
			if unk(c) {
				cols = append(cols, c)
			}
		}
		out := make([]float64, nc)
		if len(cols) == 0 {
			return out
		}
		pos := map[int]int{}
		for k, c := range cols {
			pos[c] = k
		}
		B := mat.NewDense(nn, len(cols), nil)
		rhs := mat.NewDense(nn, 1, nil)
		for n, ts := range m.terms {
			for _, t := range ts {
				if k, ok := pos[t.c]; ok {
					B.Set(n, k, B.At(n, k)+t.sign)
				} else {
					rhs.Set(n, 0, rhs.At(n, 0)-t.sign*val(t.c))
				}
			}
		}
		if !allFinite(B) || !allFinite(rhs) {
			return out
		}
		var svd mat.SVD
		if !svd.Factorize(B, mat.SVDThin) {
			return out
		}
		sv := svd.Values(nil)
		rank := 0
		for _, s := range sv {
			if s > RankTol*sv[0] {
				rank++
			}
		}
		if rank == 0 {
			return out
		}
		var x mat.Dense
		svd.SolveTo(&x, rhs, rank)
		for k, c := range cols {
			out[c] = x.At(k, 0)
		}
		return out
	}
	// Masses.
	mass := solveRows(func(c int) float64 { return v[c*E1] }, func(c int) bool { return unknown(c * E1) })
	known := 0.0
	nk := 0
	for c := 0; c < nc; c++ {
		if !unknown(c * E1) {
			known += math.Abs(v[c*E1])
			nk++
		}
	}
	typical := 1.0
	if nk > 0 && known > 0 {
		typical = known / float64(nk)
	}
	for c := 0; c < nc; c++ {
		if unknown(c * E1) {
			v[c*E1] = mass[c]
			if !(mass[c] > 0) {
				v[c*E1] = typical
			}
		}
	}
	// Grades, element by element, through contained tonnes.
	for k := 1; k <= m.E; k++ {
		mean, nm := 0.0, 0
		for c := 0; c < nc; c++ {
			if !unknown(c*E1 + k) {
				mean += v[c*E1+k]
				nm++
			}
		}
		if nm > 0 {
			mean /= float64(nm)
		}
		cont := solveRows(func(c int) float64 { return v[c*E1] * v[c*E1+k] / 100 }, func(c int) bool { return unknown(c*E1 + k) })
		for c := 0; c < nc; c++ {
			if !unknown(c*E1 + k) {
				continue
			}
			g := mean
			if v[c*E1] > 0 && cont[c] > 0 {
				g = 100 * cont[c] / v[c*E1]
			}
			v[c*E1+k] = g
		}
	}
}

// ParallelTol is how close to 1 |cos| of the angle between two
// measurements' columns of the projected balance matrix must be for them
// to be indistinguishable (parallel columns): a gross error in either
// moves the balance residuals in the same direction, so no test can tell
// which one it is in — they form an equivalent set (Narasimhan & Jordache
// 2000, ch. 7, identifiability of gross errors). Their normalised
// adjustments are then equal, or nearly so for nearly parallel columns.
const ParallelTol = 1e-9

// parallelTo returns the other redundant measurements whose columns of
// the whitened projected balance matrix (RPA: R a factor of M⁺, so
// parallel columns of RPA are parallel columns of PA) are parallel to
// j's, |cos| ≥ 1 − ParallelTol; nil when j is not redundant.
func (s *solution) parallelTo(j int) []int {
	i, ok := s.hcol[j]
	if !ok || s.ha == nil {
		return nil
	}
	r, _ := s.ha.Dims()
	norm := func(c int) float64 {
		n := 0.0
		for k := 0; k < r; k++ {
			n += s.ha.At(k, c) * s.ha.At(k, c)
		}
		return math.Sqrt(n)
	}
	ni := norm(i)
	if ni == 0 {
		return nil
	}
	var out []int
	for k2, c := range s.hcol {
		if k2 == j {
			continue
		}
		nc := norm(c)
		if nc == 0 {
			continue
		}
		dot := 0.0
		for k := 0; k < r; k++ {
			dot += s.ha.At(k, i) * s.ha.At(k, c)
		}
		if math.Abs(dot)/(ni*nc) >= 1-ParallelTol {
			out = append(out, k2)
		}
	}
	sort.Ints(out)
	return out
}

// finiteVec reports whether every element of x is finite.
func finiteVec(x []float64) bool {
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

// finiteCols reports whether every entry of the sparse columns A is finite.
func finiteCols(A [][]entry) bool {
	for _, c := range A {
		for _, e := range c {
			if math.IsNaN(e.val) || math.IsInf(e.val, 0) {
				return false
			}
		}
	}
	return true
}
