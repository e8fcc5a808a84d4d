package refinery

import (
	"math"

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
	// EigenTol: eigenvalues of GΣGᵀ below EigenTol × the largest count as
	// zero (dependent reduced balances); the rest give the degrees of
	// freedom.
	EigenTol = 1e-10
	// StepTol: successive linearisation stops when no measured value moves
	// by more than StepTol standard deviations, no unmeasured value by more
	// than StepTol relative, and every balance closes within ResidualTol.
	StepTol = 1e-9
	// ResidualTol is the convergence criterion on every balance, relative
	// to the sum of the absolute terms of the balance.
	ResidualTol = 1e-11
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
}

// Classes of a quantity after reconciliation.
const (
	ClassRedundant      = "redundant"       // measured, and the balances estimate it again from other measurements
	ClassJustDetermined = "just_determined" // measured, but no other measurement checks it: not adjusted
	ClassObservable     = "observable"      // unmeasured, computed from the balances
	ClassUnobservable   = "unobservable"    // unmeasured, and the balances cannot determine it
	ClassFixed          = "fixed"           // held at a given value
)

// solve reconciles the model with the measurements in drop treated as
// unmeasured (serial elimination of gross errors).
func (m *model) solve(drop map[int]bool) *solution {
	nv, nr := m.nvars(), m.nrows()
	var xs, us []int
	colOf := make([]int, nv)
	for j := 0; j < nv; j++ {
		switch {
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
	m.initialGuess(v, drop)
	xm := make([]float64, nx)
	sig := make([]float64, nx)
	for i, j := range xs {
		xm[i], sig[i] = m.raw[j], m.sd[j]
	}

	var (
		A    = mat.NewDense(nr, max(nx, 1), nil)
		B    *mat.Dense
		lin  linear
		conv bool
		it   int
	)
	if nu > 0 {
		B = mat.NewDense(nr, nu, nil)
	}
	for it = 1; it <= MaxIterations; it++ {
		f, _ := m.residual(v)
		A.Zero()
		if B != nil {
			B.Zero()
		}
		m.jacobian(v, func(r, j int, d float64) {
			switch {
			case m.kind[j] == varFixed:
			case m.kind[j] == varMeasured && !drop[j]:
				A.Set(r, colOf[j], A.At(r, colOf[j])+d)
			default:
				B.Set(r, colOf[j], B.At(r, colOf[j])+d)
			}
		})
		lin = project(A, B, sig, nx)
		// Linearised balances: f + A(x − xk) + B(u − uk) = 0. Projected:
		// G x = G xk − P f; so x̂ = xm − ΣGᵀ M⁺ (G(xm − xk) + P f).
		dx := make([]float64, nx)
		for i, j := range xs {
			dx[i] = xm[i] - v[j]
		}
		xhat := make([]float64, nx)
		copy(xhat, xm)
		if lin.ng > 0 {
			r := mat.NewVecDense(lin.ng, nil)
			r.MulVec(lin.G, mat.NewVecDense(nx, dx))
			pf := mat.NewVecDense(lin.ng, nil)
			pf.MulVec(lin.P, mat.NewVecDense(nr, f))
			r.AddVec(r, pf)
			lam := mat.NewVecDense(lin.ng, nil)
			lam.MulVec(lin.Minv, r)
			gl := mat.NewVecDense(nx, nil)
			gl.MulVec(lin.G.T(), lam)
			for i := range xhat {
				xhat[i] -= sig[i] * sig[i] * gl.AtVec(i)
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
				if d == 0 {
					continue
				}
				for r := 0; r < nr; r++ {
					rhs[r] -= A.At(r, i) * d
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
		for r := range f2 {
			worst = math.Max(worst, math.Abs(f2[r])/(scale[r]+1e-300))
		}
		if step < StepTol && worst < ResidualTol {
			conv = true
			break
		}
	}
	s := &solution{v: v, class: make([]string, nv), sdHat: make([]float64, nv), mt: make([]float64, nv), iterations: min(it, MaxIterations), converged: conv, dof: lin.dof}
	for j := range s.mt {
		s.mt[j] = math.NaN()
	}
	// Statistics at the solution's linearisation (Narasimhan & Jordache
	// 2000, §3.3 and §7.2): Va = ΣGᵀM⁺GΣ is the covariance of the
	// adjustments, Σ̂ = Σ − Va that of the reconciled measured values.
	va := make([]float64, nx)
	if lin.ng > 0 {
		K := mat.NewDense(lin.ng, nx, nil)
		K.Mul(lin.Minv, lin.G)
		for i := 0; i < nx; i++ {
			d := 0.0
			for k := 0; k < lin.ng; k++ {
				d += lin.G.At(k, i) * K.At(k, i)
			}
			va[i] = sig[i] * sig[i] * sig[i] * sig[i] * d
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
	}
	if nu > 0 {
		// û = uk − B⁺(f + A(x̂ − xk)), so cov(û) = L Σ̂ Lᵀ with L = B⁺A:
		// diag(LΣLᵀ) − diag(W M⁺ Wᵀ), W = LΣGᵀ.
		L := mat.NewDense(nu, max(nx, 1), nil)
		L.Mul(lin.Bplus, A)
		for i := 0; i < nx; i++ {
			for k := 0; k < nu; k++ {
				L.Set(k, i, L.At(k, i)*sig[i])
			}
		}
		var WM *mat.Dense
		var W *mat.Dense
		if lin.ng > 0 {
			W = mat.NewDense(nu, lin.ng, nil)
			W.Mul(L, lin.GS.T())
			WM = mat.NewDense(nu, lin.ng, nil)
			WM.Mul(W, lin.Minv)
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
				t1 += L.At(k, i) * L.At(k, i)
			}
			t2 := 0.0
			if W != nil {
				for g := 0; g < lin.ng; g++ {
					t2 += W.At(k, g) * WM.At(k, g)
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
	P            *mat.Dense // ng × nr: rows span the left null space of B
	G            *mat.Dense // PA, ng × nx
	GS           *mat.Dense // G·diag(σ)
	Minv         *mat.Dense // (GΣGᵀ)⁺
	Bplus        *mat.Dense // B⁺, nu × nr
	dof          int
	redundant    []bool
	unobservable []bool
}

// project eliminates the unmeasured quantities (Crowe et al. 1983): with B
// = UΣVᵀ, the rows of P = U₂ᵀ (left singular vectors of the zero singular
// values) satisfy PB = 0. B's columns are scaled to unit norm first so
// that masses and grades weigh alike in the rank decision.
func project(A, B *mat.Dense, sig []float64, nx int) linear {
	nr, _ := A.Dims()
	var lin linear
	if B == nil {
		lin.P = identity(nr)
	} else {
		_, nu := B.Dims()
		d := make([]float64, nu)
		Bs := mat.DenseCopyOf(B)
		for j := 0; j < nu; j++ {
			n := mat.Norm(Bs.ColView(j), 2)
			d[j] = 1
			if n > 0 {
				d[j] = 1 / n
			}
			for r := 0; r < nr; r++ {
				Bs.Set(r, j, Bs.At(r, j)*d[j])
			}
		}
		var svd mat.SVD
		if !svd.Factorize(Bs, mat.SVDFull) {
			panic("refinery: SVD of the unmeasured Jacobian failed")
		}
		sv := svd.Values(nil)
		rank := 0
		for _, s := range sv {
			if s > RankTol*sv[0] {
				rank++
			}
		}
		var U, V mat.Dense
		svd.UTo(&U)
		svd.VTo(&V)
		if rank < nr {
			lin.P = mat.DenseCopyOf(U.Slice(0, nr, rank, nr).T())
		}
		lin.Bplus = mat.NewDense(nu, nr, nil)
		for k := 0; k < rank; k++ {
			for j := 0; j < nu; j++ {
				vj := V.At(j, k) * d[j] / sv[k]
				if vj == 0 {
					continue
				}
				for r := 0; r < nr; r++ {
					lin.Bplus.Set(j, r, lin.Bplus.At(j, r)+vj*U.At(r, k))
				}
			}
		}
		lin.unobservable = make([]bool, nu)
		for j := 0; j < nu; j++ {
			nn := 0.0
			for k := rank; k < nu; k++ {
				nn += V.At(j, k) * V.At(j, k)
			}
			lin.unobservable[j] = math.Sqrt(nn) > ObservableTol
		}
	}
	lin.redundant = make([]bool, nx)
	if lin.P == nil || nx == 0 {
		return lin
	}
	lin.ng, _ = lin.P.Dims()
	lin.G = mat.NewDense(lin.ng, nx, nil)
	lin.G.Mul(lin.P, A.Slice(0, nr, 0, nx))
	lin.GS = mat.NewDense(lin.ng, nx, nil)
	for i := 0; i < nx; i++ {
		an := mat.Norm(A.ColView(i), 2)
		gn := 0.0
		for k := 0; k < lin.ng; k++ {
			g := lin.G.At(k, i)
			gn += g * g
			lin.GS.Set(k, i, g*sig[i])
		}
		lin.redundant[i] = an > 0 && math.Sqrt(gn) > RedundantTol*an
	}
	var M mat.SymDense
	M.SymOuterK(1, lin.GS)
	var eig mat.EigenSym
	if !eig.Factorize(&M, true) {
		panic("refinery: eigendecomposition of GΣGᵀ failed")
	}
	w := eig.Values(nil)
	var Q mat.Dense
	eig.VectorsTo(&Q)
	wmax := 0.0
	for _, x := range w {
		wmax = math.Max(wmax, x)
	}
	lin.Minv = mat.NewDense(lin.ng, lin.ng, nil)
	for k, x := range w {
		if !(x > EigenTol*wmax) {
			continue
		}
		lin.dof++
		for a := 0; a < lin.ng; a++ {
			qa := Q.At(a, k) / x
			if qa == 0 {
				continue
			}
			for b := 0; b < lin.ng; b++ {
				lin.Minv.Set(a, b, lin.Minv.At(a, b)+qa*Q.At(b, k))
			}
		}
	}
	return lin
}

func identity(n int) *mat.Dense {
	d := mat.NewDense(n, n, nil)
	for i := 0; i < n; i++ {
		d.Set(i, i, 1)
	}
	return d
}

// initialGuess sets the unmeasured variables (and dropped measurements)
// to a start for successive linearisation: masses from the mass balances
// alone (minimum-norm least squares), then each element's contained
// tonnes from its balances, divided by the masses.
func (m *model) initialGuess(v []float64, drop map[int]bool) {
	E1 := m.E + 1
	nc, nn := len(m.carriers), len(m.p.Nodes)
	unknown := func(j int) bool { return m.kind[j] == varUnmeasured || drop[j] }
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
