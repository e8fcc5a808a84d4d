package refinery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/critmin/critmin"
)

// Num is a float64 that is written to JSON as null when it is NaN (a
// quantity the balances cannot determine).
type Num float64

// MarshalJSON writes NaN and ±Inf as null.
func (n Num) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return json.Marshal(f)
}

// UnmarshalJSON reads null as NaN.
func (n *Num) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Num(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Num(f)
	return nil
}

// Known reports whether n holds a value.
func (n Num) Known() bool { return !math.IsNaN(float64(n)) && !math.IsInf(float64(n), 0) }

// Estimate is one quantity after reconciliation, in the unit of the field
// that holds it (t or %). Value and SD are null when the quantity is
// unobservable; Measured, MeasuredSD, Adjustment (Value − Measured) and
// NormalisedAdjustment (Adjustment / sd of the adjustment, the
// measurement test statistic of Mah & Tamhane 1982) are present for
// measured quantities, the last only when it is redundant. Suspect marks a
// measurement whose normalised adjustment exceeds the critical value.
type Estimate struct {
	Value Num    `json:"value"`
	SD    Num    `json:"sd"`
	Class string `json:"class"`
	// Fixed marks a value held as given (a bare number in the problem,
	// or "fixed": true): it is not a measurement, has no precision and
	// is never adjusted; its sd 0 is exact, not a precision. Every output
	// shows "fixed" where a measured value shows its sd.
	Fixed                bool     `json:"fixed,omitempty"`
	Measured             *float64 `json:"measured,omitempty"`
	MeasuredSD           *float64 `json:"measured_sd,omitempty"`
	Adjustment           *float64 `json:"adjustment,omitempty"`
	NormalisedAdjustment *float64 `json:"normalised_adjustment,omitempty"`
	Estimated            bool     `json:"estimated,omitempty"`
	Suspect              bool     `json:"suspect,omitempty"`
	Removed              bool     `json:"removed,omitempty"`  // a located gross error, left out of this solution
	AtBound              *float64 `json:"at_bound,omitempty"` // the physical bound (0 or 100) the bounded reconciliation holds it at
	Source               []string `json:"source,omitempty"`
}

// StreamResult is one stream after reconciliation: mass in t, grades in
// %, and contained element in t (mass × grade / 100, null when either is
// unobservable).
type StreamResult struct {
	ID        string              `json:"id"`
	From      string              `json:"from,omitempty"`
	To        string              `json:"to,omitempty"`
	Kind      string              `json:"kind,omitempty"`
	Mass      Estimate            `json:"mass_t"`
	Grade     map[string]Estimate `json:"grade_pct"`
	Contained map[string]Num      `json:"element_t"`
}

// InventoryResult is an inventory node's opening and closing stock after
// reconciliation.
type InventoryResult struct {
	Opening      Estimate            `json:"opening_t"`
	Closing      Estimate            `json:"closing_t"`
	OpeningGrade map[string]Estimate `json:"opening_grade_pct"`
	ClosingGrade map[string]Estimate `json:"closing_grade_pct"`
}

// NodeResult is one node after reconciliation. RawImbalance is in − out −
// (closing − opening) in t from the raw measurements (total mass under
// "mass", then per element), with reconciled values standing in for
// unmeasured quantities (RawComplete false then). Recovery gives, per
// element, the fraction of the node's sources (streams in plus any stock
// drawn down, as for the overall recovery) that leaves in each outgoing
// stream (P754 unit recovery).
type NodeResult struct {
	ID           string                    `json:"id"`
	Kind         string                    `json:"kind,omitempty"`
	Inventory    *InventoryResult          `json:"inventory,omitempty"`
	RawImbalance map[string]Num            `json:"raw_imbalance_t"`
	RawComplete  bool                      `json:"raw_complete"`
	Recovery     map[string]map[string]Num `json:"recovery"`
	// Unreachable lists, per element that enters the unit, its outgoing
	// streams the element cannot reach (model.reached): they have no
	// recovery ("n/a (unreachable)"), not 0.
	Unreachable map[string][]string `json:"unreachable,omitempty"`
}

// ElementResult is the flowsheet-wide account of one element, in t of
// element: reconciled feed (streams from outside), output (streams to
// outside), opening and closing stock (null when a survey gave the stock's
// tonnes only); StockChangeT, closing − opening summed over the inventory
// nodes (from the nodes' balances when the stock grades were not
// surveyed); SourcesT, the element's sources:
// the feed plus any stock drawn down (Σ over inventory nodes whose stock of
// it fell of opening − closing); Recovery, the fraction of the sources in
// each outgoing stream (AMIRA P754 (2005) §4: recovery = metal in product
// ÷ metal available to the process, feed plus inventory drawn down; for a
// stock build-up the feed alone, the build-up being a destination), so a
// recovery lies in [0, 1] by construction; RecoveryPct the same in %;
// Deportment, the share of the element's sources that went
// to each destination: each outgoing stream and each inventory node whose
// stock of it grew (key "stock:" + node id) — for a rare-earth refinery,
// where the thorium and uranium went (the residue store, for one). The raw figures use
// the measurements; Unaccounted is raw feed − raw output − raw stock
// change (P754 unaccounted losses) and UnaccountedPct that share of the
// raw feed.
type ElementResult struct {
	Element      string         `json:"element"`
	FeedT        Num            `json:"feed_t"`
	OutputT      Num            `json:"output_t"`
	OpeningT     Num            `json:"opening_t"`
	ClosingT     Num            `json:"closing_t"`
	StockChangeT Num            `json:"stock_change_t"`
	SourcesT     Num            `json:"sources_t"`
	Recovery     map[string]Num `json:"recovery"`
	RecoveryPct  map[string]Num `json:"recovery_pct"`
	Deportment   map[string]Num `json:"deportment"`
	// Unreachable lists the streams leaving the flowsheet that the element
	// cannot reach (their mass or grade of it fixed at 0, or nothing
	// bearing it upstream): they have no recovery or deportment entry
	// ("n/a (unreachable)" in the report), rather than 0.
	Unreachable     []string `json:"unreachable,omitempty"`
	RawFeedT        Num      `json:"raw_feed_t"`
	RawOutputT      Num      `json:"raw_output_t"`
	RawStockChangeT Num      `json:"raw_stock_change_t"`
	UnaccountedT    Num      `json:"unaccounted_t"`
	UnaccountedPct  Num      `json:"unaccounted_pct"`
	// RawUnmeasured names the quantities ("sb_residue mass_t",
	// "sb_residue grade_pct Sb", "store closing_t" …) that the raw
	// figures would need but nobody measured. When it is not empty the
	// raw feed, output or stock change they enter, and the unaccounted
	// loss, are null: not determinable from the measurements (the
	// reconciled values, which close the balance, do not stand in).
	RawUnmeasured []string `json:"raw_unmeasured,omitempty"`
	// FromGrades is the recovery worked out from the grades alone when
	// the masses cannot be (TwoProductFromGrades); nil otherwise.
	FromGrades *GradeRecovery `json:"recovery_from_grades,omitempty"`
	// FromGradesWhyNot says why no recovery from grades is given for a
	// one-unit, two-product flowsheet whose masses cannot be determined
	// (the grades are not c > f > t ≥ 0, or not all determinable);
	// empty otherwise.
	FromGradesWhyNot string `json:"recovery_from_grades_not_determined,omitempty"`
}

// GradeRecovery is the two-product recovery of an element from grades
// alone: one unit, one feed, two products, no stock, masses not
// determinable. Recovery = c(f − t)/(f(c − t)) to Stream (the product of
// higher grade c; t the other's, f the feed's), Yield = (f − t)/(c − t)
// its mass share (Wills & Finch 2016, §1.7); SD the first-order standard
// deviation of Recovery from the reconciled grades' sds (independent):
// ∂R/∂f = c·t/(f²(c − t)), ∂R/∂c = −t(f − t)/(f(c − t)²),
// ∂R/∂t = c(f − c)/(f(c − t)²).
type GradeRecovery struct {
	Stream   string `json:"stream"`
	Other    string `json:"other"`
	Recovery Num    `json:"recovery"`
	SD       Num    `json:"sd"`
	Yield    Num    `json:"mass_yield"`
	Formula  string `json:"formula"`
}

// GrossError is a measurement suspected of a gross error: its normalised
// adjustment exceeds the critical value of the measurement test, or
// serial elimination removed it. Located is true when serial elimination
// (Ripps 1965; Narasimhan & Jordache 2000, §8.3) removed it to make the
// global test pass, and Without is then the value the other measurements
// give for it.
type GrossError struct {
	Stream               string  `json:"stream,omitempty"`
	Node                 string  `json:"node,omitempty"`
	Quantity             string  `json:"quantity"` // mass_t, grade_pct, opening_t, closing_t, opening_grade_pct, closing_grade_pct
	Element              string  `json:"element,omitempty"`
	Pointer              string  `json:"pointer"`
	Measured             float64 `json:"measured"`
	Reconciled           float64 `json:"reconciled"`
	NormalisedAdjustment float64 `json:"normalised_adjustment"`
	Located              bool    `json:"located"`
	Without              *Num    `json:"estimate_without,omitempty"`
	// TiedWith lists the pointers of the other measurements that serial
	// elimination cannot tell this one apart from (TieTol): a gross error
	// in any of them explains the data equally, so none is located.
	TiedWith []string `json:"tied_with,omitempty"`
	// Basis names the solution Reconciled and NormalisedAdjustment come
	// from: always BasisAll (the test that flags the measurement uses
	// every measurement), which differs from the reported values when
	// located gross errors were removed (Result.Basis).
	Basis string `json:"basis"`
}

// Result is the reconciliation of one Problem. ChiSquare is Σ((x̂ − x)/σ)²
// over the measurements, DOF the number of independent balances left
// after the unmeasured quantities are eliminated; the global test passes
// when ChiSquare ≤ ChiSquareCritical, the χ²(DOF) quantile at Confidence.
// MeasurementTestCritical is the two-sided normal quantile at the Šidák
// level β = 1 − Confidence^(1/n) for the n redundant measurements
// (Narasimhan & Jordache 2000, §7.3).
type Result struct {
	ID                      string       `json:"id,omitempty"`
	Site                    string       `json:"site,omitempty"`
	Period                  string       `json:"period,omitempty"`
	Status                  string       `json:"status"`
	Iterations              int          `json:"iterations"`
	Method                  string       `json:"method"`
	Confidence              float64      `json:"confidence"`
	ChiSquare               float64      `json:"chi_square"`
	DOF                     int          `json:"dof"`
	ChiSquareCritical       float64      `json:"chi_square_critical"`
	PValue                  Num          `json:"p_value"`
	GlobalTest              string       `json:"global_test"`               // pass, pass_at_bounds, fail, none (dof 0)
	MeasurementTestCritical Num          `json:"measurement_test_critical"` // null when nothing is redundant
	GrossErrors             []GrossError `json:"gross_errors"`
	// Warnings are the problem's (Problem.Warnings): what reading the
	// ledger assumed, such as a wet mass taken as dry.
	Warnings []string `json:"warnings,omitempty"`
	// BoundsActive lists the quantities the bounded reconciliation holds
	// at a physical bound (mass 0, grade 0 or 100 %). When it is not
	// empty the χ² statistic only approximates its reference distribution
	// and a passing global test reads "pass_at_bounds": a result to
	// review, not a plain pass, and a close needs a reason.
	BoundsActive []BoundHit `json:"bounds_active"`
	// Basis says which measurements the reported solution uses: every one,
	// or every one but the located gross errors (named). In the latter
	// case AllMeasurements is the solution with every measurement, kept
	// for the record; recoveries, accounts and closes use this one.
	Basis string `json:"basis"`
	// MassBasis, when set, says that no mass was measured and every
	// tonnage is relative to a feed fixed at MassBasis t (massBasis).
	MassBasis       string          `json:"mass_basis,omitempty"`
	AllMeasurements *Result         `json:"all_measurements,omitempty"`
	Elements        []string        `json:"elements"`
	Streams         []StreamResult  `json:"streams"`
	Nodes           []NodeResult    `json:"nodes"`
	Accounts        []ElementResult `json:"element_accounts"`
}

// BoundHit is one quantity held at a physical bound by the bounded
// reconciliation: Bound is 0 (mass or grade) or 100 (grade, %);
// Measured the measurement when there is one; Multiplier the
// Karush–Kuhn–Tucker multiplier of the bound (≥ 0: the balances and
// measurements push the quantity past the bound).
type BoundHit struct {
	Stream     string   `json:"stream,omitempty"`
	Node       string   `json:"node,omitempty"`
	Quantity   string   `json:"quantity"`
	Element    string   `json:"element,omitempty"`
	Pointer    string   `json:"pointer"`
	Bound      float64  `json:"bound"`
	Measured   *float64 `json:"measured,omitempty"`
	Multiplier float64  `json:"multiplier"`
}

// Verdicts of the global test.
const (
	TestPass         = "pass"
	TestPassAtBounds = "pass_at_bounds"
	TestFail         = "fail"
	TestNone         = "none"
)

// Method names the reconciliation method in results and reports.
const Method = "weighted least squares, successive linearisation with Crowe projection (Narasimhan & Jordache 2000, §5.2), bounded by an active set (mass ≥ 0, 0 ≤ grade ≤ 100 %)"

// BoundTol is how far (t or %) a reconciled value may lie past its
// physical bound before the active set holds it at the bound; MuTol how
// negative a bound's multiplier may be before the bound is released.
const (
	BoundTol = 1e-9
	MuTol    = 1e-9
)

// MaxActiveSet bounds the active-set iterations of solveBounded.
const MaxActiveSet = 50

// bounds returns the physical bounds of variable j: a mass is ≥ 0, a
// grade in [0, 100] %.
func (m *model) bounds(j int) (lo, hi float64) {
	if j%(m.E+1) == 0 {
		return 0, math.Inf(1)
	}
	return 0, 100
}

// solveBounded reconciles with the physical bounds respected, by a
// primal active-set method for bound-constrained weighted least squares
// (Narasimhan & Jordache 2000, §5.5 "Bounds"; Nocedal & Wright 2006,
// §16.5): solve with the active bounds as equalities; hold every
// variable that the solution takes past its bound at that bound and
// solve again; when nothing is past a bound, release the active bound
// with the most negative multiplier (one whose quantity the data would
// pull back inside) and solve again; stop when every multiplier is ≥ 0.
// A solution that does not settle within MaxActiveSet rounds is marked
// not converged.
//
// active, when not nil, is the active set to start from (the previous
// solution's, during serial elimination). Only bounds on quantities that
// are still measured are kept: a held measurement is a fixed value either
// way and does not change what the balances can determine, and a bound
// that no longer belongs is released by its multiplier like any other,
// so the answer is the one from an empty set — but the usual case, the
// same bounds active again, costs one solve instead of two. A bound on
// an unmeasured or newly dropped quantity is not kept: held, it would
// make a quantity that the balances no longer determine look determined.
func (m *model) solveBounded(drop map[int]bool, start []float64, active map[int]float64) *solution {
	pin := map[int]float64{}
	for j, b := range active {
		if m.kind[j] == varMeasured && !drop[j] {
			pin[j] = b
		}
	}
	var warm []float64
	for round := 0; round < MaxActiveSet; round++ {
		// Each round after the first starts from the previous round's
		// solution; should that stall successive linearisation (seen on
		// the demo refinery), it starts again from the caller's start.
		var s *solution
		if warm != nil {
			s = m.solve(drop, warm, pin)
		}
		if m.work.stopped() {
			return s
		}
		if s == nil || !s.converged {
			s = m.solve(drop, start, pin)
		}
		if !s.converged {
			return s
		}
		warm = s.v
		added := false
		for j, x := range s.v {
			if _, p := pin[j]; p || m.kind[j] == varFixed || math.IsNaN(x) {
				continue
			}
			lo, hi := m.bounds(j)
			if x < lo-BoundTol {
				pin[j], added = lo, true
			} else if x > hi+BoundTol {
				pin[j], added = hi, true
			}
		}
		if added {
			pin = maps.Clone(pin)
			continue
		}
		worst, wmu := -1, -MuTol
		for _, j := range sortedPins(s.mu) {
			if s.mu[j] < wmu {
				worst, wmu = j, s.mu[j]
			}
		}
		if worst < 0 {
			return s
		}
		pin = maps.Clone(pin)
		delete(pin, worst)
	}
	s := m.solve(drop, start, pin)
	s.converged = false
	return s
}

func sortedPins(mu map[int]float64) []int {
	out := make([]int, 0, len(mu))
	for j := range mu {
		out = append(out, j)
	}
	sort.Ints(out)
	return out
}

// Reconcile validates p and reconciles its measurements: minimise
// Σ((x̂ − x)/σ)² subject to the total-mass and per-element balances of
// every node (inventory changes included). It returns the reconciled
// values, their classification and standard deviations, the global and
// per-measurement tests, gross errors located by serial elimination, and
// the metal account per element. Every result is checked with Check
// before it is returned. Errors: critmin.EINVALID for a bad problem
// (naming the field) or one that does not converge.
func Reconcile(p *Problem) (*Result, error) {
	return ReconcileContext(context.Background(), p)
}

// MaxEliminations caps serial gross-error elimination: at most this many
// measurements are removed (one reconciliation each) before the search
// stops and, the global test still failing, none is reported as located.
// Serial elimination assumes few gross errors (Narasimhan & Jordache
// 2000, §8.3); more than ten in one balance says the data, not a few
// instruments, are at fault.
const MaxEliminations = 10

// ReconcileContext is Reconcile stopped when ctx is done (a client that
// disconnected, a server shutting down): ctx is checked before the first
// solve and between the solves of serial elimination, and its error
// returned.
func ReconcileContext(ctx context.Context, p *Problem) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := reconcileContext(ctx, p)
	if err != nil {
		return nil, err
	}
	res.Warnings = append([]string(nil), p.Warnings...)
	return res, nil
}

// reconcileContext solves a validated problem (ReconcileContext).
func reconcileContext(ctx context.Context, p *Problem) (*Result, error) {
	m := newModel(p)
	m.work = newWork(ctx)
	basis := m.massBasis()
	s := m.solveBounded(nil, nil, nil)
	if err := m.stopError(s); err != nil {
		return nil, err
	}
	if !s.converged {
		if s.diverged {
			return nil, m.notConverged(s, fmt.Sprintf("%d iterations: the iterates diverged (a quantity not finite)", s.iterations))
		}
		return nil, m.notConverged(s, fmt.Sprintf("%d iterations", MaxIterations))
	}
	if err := m.finite(s); err != nil {
		return nil, err
	}
	conf := p.Confidence
	if conf == 0 {
		conf = DefaultConfidence
	}
	r := &Result{ID: p.ID, Site: p.Site, Period: p.Period, Status: "converged", Iterations: s.iterations, Method: Method,
		Confidence: conf, ChiSquare: s.chi2, DOF: s.dof, Elements: append([]string{}, p.Elements...), GrossErrors: []GrossError{}}
	if basis != "" {
		r.MassBasis = fmt.Sprintf("no mass is measured: every tonnage is per %d t of stream %s (a basis, not a measurement); recoveries, deportments and grades do not depend on it", MassBasis, basis)
	}
	r.ChiSquareCritical, r.PValue, r.GlobalTest = globalTest(s.chi2, s.dof, conf)
	r.BoundsActive = m.boundHits(s)
	r.GlobalTest = atBounds(r.GlobalTest, r.BoundsActive)
	nred := 0
	for j, c := range s.class {
		if c == ClassRedundant && m.kind[j] == varMeasured {
			nred++
		}
	}
	r.MeasurementTestCritical = Num(measurementCritical(conf, nred))
	suspect := map[int]bool{}
	for j, z := range s.mt {
		if !math.IsNaN(z) && math.Abs(z) > float64(r.MeasurementTestCritical) {
			suspect[j] = true
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	located, without, elim, tie, err := m.serialElimination(ctx, s, conf)
	if err != nil {
		return nil, err
	}
	tied := map[int]bool{}
	for _, j := range tie {
		tied[j] = true
	}
	if len(located) > 0 {
		if err := m.finite(elim); err != nil {
			return nil, err
		}
	}
	for _, j := range sortedVars(suspect, located, tied) {
		g := m.grossError(j, s, located[j], without[j])
		peers := s.parallelTo(j)
		if tied[j] {
			peers = append(peers, tie...)
		}
		sort.Ints(peers)
		for i, k := range peers {
			if k != j && (i == 0 || peers[i-1] != k) {
				g.TiedWith = append(g.TiedWith, m.grossError(k, s, false, 0).Pointer)
			}
		}
		r.GrossErrors = append(r.GrossErrors, g)
	}
	sort.SliceStable(r.GrossErrors, func(a, b int) bool {
		return math.Abs(r.GrossErrors[a].NormalisedAdjustment) > math.Abs(r.GrossErrors[b].NormalisedAdjustment)
	})
	r.Basis = BasisAll
	if len(located) == 0 {
		m.fill(r, s, suspect, nil)
	} else {
		// A located gross error would spread over the other measurements
		// if kept (Narasimhan & Jordache 2000, §8.3; P754 asks that a
		// measurement known to be wrong not be used): the reported
		// solution is the one without the located measurements, which are
		// flagged "removed"; the solution with every measurement stays
		// beside it, for the record.
		all := *r
		all.GrossErrors = nil
		all.Streams, all.Nodes, all.Accounts = nil, nil, nil
		m.fill(&all, s, suspect, nil)
		if err := Check(p, &all); err != nil {
			return nil, critmin.Errorf(critmin.EINVALID, "refinery: these measurements cannot be reconciled to a consistent solution (all measurements): %v", err)
		}
		r.AllMeasurements = &all
		r.ChiSquare, r.DOF, r.Iterations = elim.chi2, elim.dof, elim.iterations
		r.ChiSquareCritical, r.PValue, r.GlobalTest = globalTest(elim.chi2, elim.dof, conf)
		r.BoundsActive = m.boundHits(elim)
		r.GlobalTest = atBounds(r.GlobalTest, r.BoundsActive)
		var names []string
		for _, j := range sortedVars(located) {
			g := m.grossError(j, s, true, without[j])
			names = append(names, g.Pointer)
		}
		r.Basis = BasisEliminated + ": " + strings.Join(names, ", ")
		suspect2 := map[int]bool{}
		for j, z := range elim.mt {
			if !math.IsNaN(z) && math.Abs(z) > float64(r.MeasurementTestCritical) {
				suspect2[j] = true
			}
		}
		m.fill(r, elim, suspect2, located)
	}
	if err := Check(p, r); err != nil {
		return nil, critmin.Errorf(critmin.EINVALID, "refinery: these measurements cannot be reconciled to a consistent solution: %v", err)
	}
	return r, nil
}

// stopError is the error that stopped the reconciliation, or nil: the
// context's error when it is done; "did not converge after N iterations"
// when the budget MaxTotalIterations is spent; the numerical failure,
// naming what failed and what to check.
func (m *model) stopError(s *solution) error {
	err := m.work.err
	var ne *numericalError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, errBudget):
		return m.notConverged(s, fmt.Sprintf("%d iterations (the budget of every solve together: bounded solve, active-set rounds, serial elimination)", m.work.limit))
	case errors.Is(err, errWorkBudget):
		e := m.notConverged(s, "")
		e.Message = fmt.Sprintf("the reconciliation stopped after %d linearisations: its work budget (%.2g floating-point operations, docs/refinery.md \"Limits\") is spent; with %d balances, %d measured and %d unmeasured quantities each costs about %.2g — measure more of the unmeasured quantities, or split the flowsheet", m.work.spent, MaxWorkFlops, m.nrows(), m.countKind(varMeasured), m.countKind(varUnmeasured), linearisationFlops(m.nrows(), m.countKind(varMeasured), m.countKind(varUnmeasured)))
		return e
	case errors.As(err, &ne):
		e := m.notConverged(s, "")
		e.Message = fmt.Sprintf("the reconciliation broke down numerically: %s; the measurements cannot be reconciled as given — check first %s (a grade within a few sds of 0 with a very small sd, unmeasured masses between measured grades that barely differ, tonnages many orders of magnitude apart)", ne.what, orEvery(pointersOf(e.Fields)))
		return e
	}
	return err
}

// notConverged is the error of a reconciliation that did not converge
// (in: "N iterations"); it names the measurements the last iterate moved
// most, in sds: where to look first.
func (m *model) notConverged(s *solution, in string) *critmin.Error {
	type moved struct {
		j int
		z float64
	}
	var ms []moved
	for j := range s.v {
		if m.kind[j] == varMeasured && m.sd[j] > 0 && finite(s.v[j]) {
			ms = append(ms, moved{j, math.Abs(s.v[j]-m.raw[j]) / m.sd[j]})
		}
	}
	sort.SliceStable(ms, func(a, b int) bool { return ms[a].z > ms[b].z })
	var fields []critmin.FieldError
	for _, x := range ms[:min(3, len(ms))] {
		g := m.grossError(x.j, s, false, 0)
		fields = append(fields, critmin.FieldError{Pointer: g.Pointer, Reason: fmt.Sprintf("moved %.3g standard deviations from its measurement before the iterations stopped", x.z)})
	}
	e := critmin.Errorf(critmin.EINVALID, "reconciliation did not converge after %s%s. No figures are reconciled: nothing is reported or stored. The measurements are grossly inconsistent with the balances: check first %s for a gross error (a wrong weighing, an assay in another unit, a stream joined to the wrong node) and check that the standard deviations are not far too small; correct or remove the measurement, or widen its sd, and reconcile again", in, lastChange(s), orEvery(pointersOf(fields)))
	e.Fields = fields
	return e
}

// lastChange says how far the last linearisation of s was from
// converging: the largest move and the worst balance residual, beside
// the tolerances they must fall under; "" when s made no linearisation
// or its iterates diverged (the reason already says so).
func lastChange(s *solution) string {
	if s == nil || s.diverged || !finite(s.lastStep) || !finite(s.lastResidual) {
		return ""
	}
	return fmt.Sprintf(" (last change: a quantity still moved by %.3g standard deviations — relative to its value if unmeasured — and the worst balance was out by %.3g %% of its terms; converging needs under %g and %g %%)", s.lastStep, 100*s.lastResidual, StepTol, 100*ResidualTol)
}

func orEvery(ps string) string {
	if ps == "" {
		return "every measurement and its sd"
	}
	return ps
}

// finite refuses a solution that holds a NaN or an infinity where a
// number belongs (a quantity not unobservable, χ², a reconciled sd): the
// floating-point arithmetic broke down, as it can with a grade measured
// within a few sds of its 100 % bound beside a much larger relative
// error elsewhere, or tonnages many orders of magnitude apart. The error
// names the first such quantity and says what to check; nothing is
// reported.
func (m *model) finite(s *solution) error {
	bad := func(j int) error {
		g := m.grossError(j, s, false, 0)
		return critmin.FieldErrorf(g.Pointer, "the reconciliation broke down numerically (no finite estimate of %s): check for a grade within a few standard deviations of 0 or 100 %% with a very small sd, or tonnages that differ by many orders of magnitude; widen the sd or fix the quantity", g.Pointer)
	}
	for j, x := range s.v {
		if s.class[j] == ClassUnobservable {
			continue
		}
		if !finite(x) || (m.kind[j] != varFixed && !finite(s.sdHat[j]) && s.class[j] != ClassAtBound) {
			return bad(j)
		}
	}
	if !finite(s.chi2) {
		return critmin.Errorf(critmin.EINVALID, "the reconciliation broke down numerically (chi-square %s): check for grades near 0 or 100 %% with very small sds, or tonnages many orders of magnitude apart", Fig(s.chi2))
	}
	return nil
}

// Bases of a reported solution.
const (
	BasisAll        = "all measurements"
	BasisEliminated = "located gross errors removed"
)

// atBounds turns a passing verdict into "pass_at_bounds" when a bound
// is active.
func atBounds(verdict string, hits []BoundHit) string {
	if verdict == TestPass && len(hits) > 0 {
		return TestPassAtBounds
	}
	return verdict
}

// boundHits lists the variables s holds at a bound.
func (m *model) boundHits(s *solution) []BoundHit {
	out := []BoundHit{}
	for _, j := range sortedPins(s.mu) {
		g := m.grossError(j, s, false, 0)
		h := BoundHit{Stream: g.Stream, Node: g.Node, Quantity: g.Quantity, Element: g.Element, Pointer: g.Pointer, Bound: s.pin[j], Multiplier: s.mu[j]}
		if m.kind[j] == varMeasured {
			x := m.raw[j]
			h.Measured = &x
		}
		out = append(out, h)
	}
	return out
}

// globalTest returns the χ² critical value, the p-value and the verdict.
func globalTest(chi2 float64, dof int, conf float64) (crit float64, p Num, verdict string) {
	if dof == 0 {
		return 0, Num(math.NaN()), "none"
	}
	d := distuv.ChiSquared{K: float64(dof)}
	crit = d.Quantile(conf)
	p = Num(d.Survival(chi2))
	if chi2 > crit {
		return crit, p, "fail"
	}
	return crit, p, "pass"
}

// measurementCritical is z_{1−β/2} with β = 1 − conf^(1/n) (Šidák), the
// critical value of each of n normalised-adjustment tests so that the
// family of tests has the stated confidence.
func measurementCritical(conf float64, n int) float64 {
	if n == 0 {
		return math.NaN()
	}
	beta := 1 - math.Pow(conf, 1/float64(n))
	return distuv.UnitNormal.Quantile(1 - beta/2)
}

// TieTol is the relative tolerance within which two normalised
// adjustments are equal for serial elimination: when the largest |z| is
// shared by two or more measurements (|z| ≥ (1 − TieTol)·max), the
// measurement test cannot tell them apart. Equal |z| arise when the
// measurements' columns of the projected balance matrix are parallel (a
// gross error in any of them moves the residuals in the same direction:
// the gross errors are not identifiable, Narasimhan & Jordache 2000,
// ch. 7), and the rounding of the solve then picks one at random. 1e-6
// is far above that rounding (≈1e-15 relative) and far below any real
// difference between two tests.
const TieTol = 1e-6

// serialElimination removes, one at a time, the measurement with the
// largest normalised adjustment and reconciles again, until the global
// test passes, no redundant measurement is left or MaxEliminations were
// removed. It stops, removing none of them, when the largest |z| is tied
// (TieTol): which of the tied measurements is wrong is not something the
// data can say, and removing one of them at random would change the
// reported figures (nu12: a correct feed assay replaced, a wrong
// concentrate assay kept). It returns the removed measurements and, for
// each, the value the remaining ones give it, and the tied group it
// stopped at (nil without a tie); ctx's error when it is done between
// solves.
func (m *model) serialElimination(ctx context.Context, s *solution, conf float64) (map[int]bool, map[int]float64, *solution, []int, error) {
	located, without := map[int]bool{}, map[int]float64{}
	cur := s
	drop := map[int]bool{}
	var tie []int
	for range min(s.dof, MaxEliminations) {
		if err := ctx.Err(); err != nil {
			return nil, nil, nil, nil, err
		}
		_, _, verdict := globalTest(cur.chi2, cur.dof, conf)
		if verdict != "fail" {
			break
		}
		worst, wz := -1, 0.0
		for j, z := range cur.mt {
			if !math.IsNaN(z) && !drop[j] && math.Abs(z) > wz {
				worst, wz = j, math.Abs(z)
			}
		}
		if worst < 0 {
			break
		}
		var group []int
		for j, z := range cur.mt {
			if !math.IsNaN(z) && !drop[j] && math.Abs(z) >= wz*(1-TieTol) {
				group = append(group, j)
			}
		}
		// Measurements whose columns are parallel to the worst one's
		// cannot be told from it by any test (an equivalent set), even
		// when rounding or a nearly parallel column leaves their |z| a
		// little apart.
		for _, j := range cur.parallelTo(worst) {
			if !drop[j] && !slices.Contains(group, j) {
				group = append(group, j)
			}
		}
		sort.Ints(group)
		if len(group) > 1 {
			tie = group
			break
		}
		drop[worst] = true
		next := m.solveBounded(drop, cur.v, cur.pin)
		if err := m.stopError(next); err != nil {
			return nil, nil, nil, nil, err
		}
		if !next.converged || m.loses(cur, next) {
			// A measurement is removed only while the rest still
			// estimate it and everything they estimated before
			// (Narasimhan & Jordache 2000, §8.3: only a redundant
			// measurement can be eliminated).
			break
		}
		located[worst] = true
		cur = next
	}
	if len(located) > 0 {
		for j := range located {
			without[j] = cur.v[j]
		}
	}
	if _, _, verdict := globalTest(cur.chi2, cur.dof, conf); verdict == "fail" {
		return map[int]bool{}, map[int]float64{}, s, tie, nil
	}
	return located, without, cur, tie, nil
}

// loses reports whether next leaves unobservable (or not finite) a
// quantity that cur estimated.
func (m *model) loses(cur, next *solution) bool {
	for j, x := range next.v {
		if cur.class[j] != ClassUnobservable && (next.class[j] == ClassUnobservable || !finite(x)) {
			return true
		}
	}
	return !finite(next.chi2)
}

func sortedVars(sets ...map[int]bool) []int {
	seen := map[int]bool{}
	var out []int
	for _, set := range sets {
		for j := range set {
			if !seen[j] {
				seen[j] = true
				out = append(out, j)
			}
		}
	}
	sort.Ints(out)
	return out
}

func (m *model) grossError(j int, s *solution, located bool, without float64) GrossError {
	E1 := m.E + 1
	c, k := j/E1, j%E1
	car := m.carriers[c]
	g := GrossError{Pointer: car.ptr[k], Measured: m.raw[j], Reconciled: s.v[j], Located: located, Basis: BasisAll}
	if !math.IsNaN(s.mt[j]) {
		g.NormalisedAdjustment = s.mt[j]
	}
	if located {
		w := Num(without)
		g.Without = &w
	}
	qty := [...]string{carStream: "mass_t", carOpening: "opening_t", carClosing: "closing_t"}[car.kind]
	if k > 0 {
		g.Element = m.p.Elements[k-1]
		qty = [...]string{carStream: "grade_pct", carOpening: "opening_grade_pct", carClosing: "closing_grade_pct"}[car.kind]
	}
	g.Quantity = qty
	if car.kind == carStream {
		g.Stream = car.id
	} else {
		g.Node = m.p.Nodes[car.node].ID
	}
	return g
}

func (m *model) estimate(j int, s *solution, suspect, removed map[int]bool) Estimate {
	E1 := m.E + 1
	q := m.carriers[j/E1].q[j%E1]
	e := Estimate{Value: Num(s.v[j]), SD: Num(s.sdHat[j]), Class: s.class[j]}
	if m.kind[j] == varFixed {
		e.SD, e.Fixed = 0, true
	}
	if q != nil {
		e.Estimated = q.Estimated
		e.Source = q.Source
	}
	if m.kind[j] == varMeasured {
		meas, sd, adj := m.raw[j], m.sd[j], s.v[j]-m.raw[j]
		e.Measured, e.MeasuredSD, e.Adjustment = &meas, &sd, &adj
		if z := s.mt[j]; !math.IsNaN(z) {
			e.NormalisedAdjustment = &z
		}
		e.Suspect = suspect[j]
		e.Removed = removed[j]
	}
	if b, ok := s.pin[j]; ok {
		e.AtBound = &b
	}
	return e
}

// fill writes the reconciled streams, nodes and element accounts.
func (m *model) fill(r *Result, s *solution, suspect, removed map[int]bool) {
	E1 := m.E + 1
	els := m.p.Elements
	grades := func(c int) map[string]Estimate {
		g := map[string]Estimate{}
		for k, e := range els {
			g[e] = m.estimate(c*E1+k+1, s, suspect, removed)
		}
		return g
	}
	contained := func(v []float64, c, k int) float64 { return v[c*E1] * v[c*E1+k+1] / 100 }
	// Raw values: the measurement where there is one, else the estimate.
	raw := make([]float64, len(s.v))
	rawKnown := make([]bool, len(s.v))
	for j := range raw {
		raw[j] = s.v[j]
		if m.kind[j] != varUnmeasured {
			raw[j], rawKnown[j] = m.raw[j], true
		}
	}
	inv := map[int]*InventoryResult{}
	for c, car := range m.carriers {
		switch car.kind {
		case carStream:
			st := m.p.Streams[car.stream]
			sr := StreamResult{ID: st.ID, From: st.From, To: st.To, Kind: st.Kind, Mass: m.estimate(c*E1, s, suspect, removed), Grade: grades(c), Contained: map[string]Num{}}
			for k, e := range els {
				sr.Contained[e] = Num(contained(s.v, c, k))
			}
			r.Streams = append(r.Streams, sr)
		case carOpening:
			ir := inv[car.node]
			if ir == nil {
				ir = &InventoryResult{}
				inv[car.node] = ir
			}
			ir.Opening, ir.OpeningGrade = m.estimate(c*E1, s, suspect, removed), grades(c)
		case carClosing:
			ir := inv[car.node]
			if ir == nil {
				ir = &InventoryResult{}
				inv[car.node] = ir
			}
			ir.Closing, ir.ClosingGrade = m.estimate(c*E1, s, suspect, removed), grades(c)
		}
	}
	// stock[n][k]: the reconciled change in node n's stock of element k
	// (closing − opening, t). A mass-only survey (stock tonnes, no
	// grades) leaves the opening and closing contents unobservable, but
	// their difference follows from the node's balance: Σ in − Σ out of
	// the reconciled streams.
	stock := make([][]float64, len(m.p.Nodes))
	for n, node := range m.p.Nodes {
		if node.Inventory == nil {
			continue
		}
		stock[n] = make([]float64, m.E)
		for k := range els {
			d, flow := 0.0, 0.0
			for _, t := range m.terms[n] {
				x := contained(s.v, t.c, k)
				switch m.carriers[t.c].kind {
				case carOpening:
					d -= x
				case carClosing:
					d += x
				default:
					flow += t.sign * x
				}
			}
			if math.IsNaN(d) {
				d = flow
			}
			stock[n][k] = d
		}
	}
	reached := make([][]bool, m.E)
	for k := range reached {
		reached[k] = m.reached(k)
	}
	for n, node := range m.p.Nodes {
		nr := NodeResult{ID: node.ID, Kind: node.Kind, Inventory: inv[n], RawImbalance: map[string]Num{}, RawComplete: true, Recovery: map[string]map[string]Num{}}
		mass := 0.0
		for _, t := range m.terms[n] {
			mass += t.sign * raw[t.c*E1]
			if !rawKnown[t.c*E1] {
				nr.RawComplete = false
			}
		}
		nr.RawImbalance["mass"] = Num(mass)
		for k, e := range els {
			x, in := 0.0, 0.0
			for _, t := range m.terms[n] {
				x += t.sign * contained(raw, t.c, k)
				if !rawKnown[t.c*E1+k+1] {
					nr.RawComplete = false
				}
				if t.sign > 0 && m.carriers[t.c].kind == carStream {
					in += contained(s.v, t.c, k)
				}
			}
			// The node's sources: the streams in plus any stock drawn
			// down, the basis of the overall recovery too.
			if stock[n] != nil && stock[n][k] < 0 {
				in -= stock[n][k]
			}
			nr.RawImbalance[e] = Num(x)
			if in == 0 {
				// The element never enters the unit: it has no recovery
				// there (not "not determinable").
				continue
			}
			rec := map[string]Num{}
			reach := reached[k]
			for _, t := range m.terms[n] {
				if t.sign < 0 && m.carriers[t.c].kind == carStream {
					if !reach[t.c] {
						if nr.Unreachable == nil {
							nr.Unreachable = map[string][]string{}
						}
						nr.Unreachable[e] = append(nr.Unreachable[e], m.carriers[t.c].id)
						continue
					}
					rec[m.carriers[t.c].id] = share(contained(s.v, t.c, k), in)
				}
			}
			nr.Recovery[e] = rec
		}
		r.Nodes = append(r.Nodes, nr)
	}
	for k, e := range els {
		a := ElementResult{Element: e, Recovery: map[string]Num{}, RecoveryPct: map[string]Num{}, Deportment: map[string]Num{}}
		var feed, out, open, closing, rfeed, rout, rdelta float64
		var feedKnown, outKnown, deltaKnown = true, true, true
		for c, car := range m.carriers {
			x, rx := contained(s.v, c, k), contained(raw, c, k)
			// A raw contained tonnage is known when both factors are
			// measured, or when one is measured (or fixed) at zero.
			mj, gj := c*E1, c*E1+k+1
			known := (rawKnown[mj] && rawKnown[gj]) || (rawKnown[mj] && raw[mj] == 0) || (rawKnown[gj] && raw[gj] == 0)
			if !known {
				name := car.id
				if car.kind != carStream {
					name = m.p.Nodes[car.node].ID
				}
				qty := [...]string{carStream: "mass_t", carOpening: "opening_t", carClosing: "closing_t"}[car.kind]
				gq := [...]string{carStream: "grade_pct", carOpening: "opening_grade_pct", carClosing: "closing_grade_pct"}[car.kind]
				if car.kind != carStream || car.from < 0 || car.to < 0 {
					if !rawKnown[c*E1] {
						a.RawUnmeasured = append(a.RawUnmeasured, name+" "+qty)
					}
					if !rawKnown[c*E1+k+1] {
						a.RawUnmeasured = append(a.RawUnmeasured, name+" "+gq+" "+e)
					}
				}
			}
			switch {
			case car.kind == carOpening:
				open += x
				rdelta -= rx
				deltaKnown = deltaKnown && known
			case car.kind == carClosing:
				closing += x
				rdelta += rx
				deltaKnown = deltaKnown && known
			case car.from < 0:
				feed += x
				rfeed += rx
				feedKnown = feedKnown && known
			case car.to < 0:
				out += x
				rout += rx
				outKnown = outKnown && known
			}
		}
		nan := math.NaN()
		if !feedKnown {
			rfeed = nan
		}
		if !outKnown {
			rout = nan
		}
		if !deltaKnown {
			rdelta = nan
		}
		a.FeedT, a.OutputT, a.OpeningT, a.ClosingT = Num(feed), Num(out), Num(open), Num(closing)
		a.RawFeedT, a.RawOutputT, a.RawStockChangeT = Num(rfeed), Num(rout), Num(rdelta)
		a.UnaccountedT = Num(rfeed - rout - rdelta)
		a.UnaccountedPct = Num(100 * float64(ratio(rfeed-rout-rdelta, rfeed)))
		// Deportment: where the element went, as shares of where it came
		// from (feed plus any stock drawn down); a stock that grew is a
		// destination ("stock:" + node id).
		delta := map[string]float64{}
		sources := feed
		stockChange := 0.0
		for n, node := range m.p.Nodes {
			if node.Inventory == nil {
				continue
			}
			d := stock[n][k]
			stockChange += d
			if d > 0 {
				delta[StockPrefix+node.ID] = d
			} else {
				sources -= d
			}
		}
		for c, car := range m.carriers {
			if car.kind == carStream && car.to < 0 {
				if !reached[k][c] {
					a.Unreachable = append(a.Unreachable, car.id)
					continue
				}
				x := contained(s.v, c, k)
				a.Recovery[car.id] = share(x, sources)
				a.RecoveryPct[car.id] = Num(100 * float64(ratio(x, sources)))
				a.Deportment[car.id] = ratio(x, sources)
			}
		}
		for id, d := range delta {
			a.Deportment[id] = ratio(d, sources)
		}
		a.SourcesT = Num(sources)
		a.FromGrades, a.FromGradesWhyNot = m.gradeRecovery(s, k, a.Recovery)
		a.StockChangeT = Num(stockChange)
		r.Accounts = append(r.Accounts, a)
	}
}

// gradeRecovery is the two-product recovery of element k from grades
// (GradeRecovery) when the flowsheet is one unit without stock, fed by
// one stream and discharging two, the recoveries from masses are not
// determinable and the three grades are known with c > f > t ≥ 0.
func (m *model) gradeRecovery(s *solution, k int, rec map[string]Num) (*GradeRecovery, string) {
	if len(m.p.Nodes) != 1 || m.p.Nodes[0].Inventory != nil || len(m.carriers) != 3 {
		return nil, ""
	}
	for _, x := range rec {
		if x.Known() {
			return nil, ""
		}
	}
	// The formula is the way to a recovery only when no mass is measured
	// (or declared): with one weighed, a recovery that is not determinable
	// (an element with no feed) is not one the grades could give.
	for _, car := range m.carriers {
		if len(car.q) > 0 && car.q[0] != nil {
			return nil, ""
		}
	}
	E1 := m.E + 1
	feed, outs := -1, []int{}
	for c, car := range m.carriers {
		if car.from < 0 {
			feed = c
		} else {
			outs = append(outs, c)
		}
	}
	if feed < 0 || len(outs) != 2 {
		return nil, ""
	}
	g := func(c int) (float64, float64) { return s.v[c*E1+k+1], s.sdHat[c*E1+k+1] }
	hi, lo := outs[0], outs[1]
	if a, _ := g(lo); a > func() float64 { x, _ := g(hi); return x }() {
		hi, lo = lo, hi
	}
	f, sf := g(feed)
	c, sc := g(hi)
	t, st := g(lo)
	if !finite(f) || !finite(c) || !finite(t) || !finite(sf) || !finite(sc) || !finite(st) {
		return nil, fmt.Sprintf("the two-product formula needs the grades of %s, %s and %s, and not all of them (or their sds) can be determined", m.carriers[feed].id, m.carriers[hi].id, m.carriers[lo].id)
	}
	y, r, err := TwoProduct(f, c, t)
	if err != nil {
		return nil, fmt.Sprintf("the two-product formula needs concentrate > feed > tailing ≥ 0 (c > f > t), and the reconciled grades are c = %s %% (%s), f = %s %% (%s), t = %s %% (%s): the grades do not separate, so no recovery can be worked out from them", Fig(c), m.carriers[hi].id, Fig(f), m.carriers[feed].id, Fig(t), m.carriers[lo].id)
	}
	df := c * t / (f * f * (c - t))
	dc := -t * (f - t) / (f * (c - t) * (c - t))
	dt := c * (f - c) / (f * (c - t) * (c - t))
	sd := math.Sqrt(df*df*sf*sf + dc*dc*sc*sc + dt*dt*st*st)
	return &GradeRecovery{Stream: m.carriers[hi].id, Other: m.carriers[lo].id, Recovery: Num(r), SD: Num(sd), Yield: Num(y),
		Formula: "two-product formula R = c(f − t)/(f(c − t)) (Wills & Finch 2016, §1.7); the masses are not measured, so no other recovery can be determined"}, ""
}

// Sources is the basis of the element's recoveries: SourcesT, or FeedT for
// a result recorded before SourcesT existed (absent, hence 0; the sources
// are never less than the feed, so a true 0 has a feed of 0 too).
func (a ElementResult) Sources() Num {
	if a.SourcesT == 0 || !a.SourcesT.Known() {
		return a.FeedT
	}
	return a.SourcesT
}

// Processed is the element the plant's units processed in the period,
// stock-corrected (AMIRA P754's check-in less the stock built up, plus
// the stock drawn down): feed − net stock change, which with the
// balances closed is the element's whole check-out. The basis of line
// yields and conversion factors (RecoveryFor): a product's share of it
// does not move when the same plant builds a stockpile up one month and
// draws it down the next. When the stock change is not known it is
// Sources.
func (a ElementResult) Processed() Num {
	if !a.StockChangeT.Known() || !a.FeedT.Known() {
		return a.Sources()
	}
	return a.FeedT - a.StockChangeT
}

// ShareTol is the rounding noise a recovery may carry past 0 or 1 (a
// stock draw-down month gave 1.000000000000006): within it a recovery is
// clamped to [0, 1]; beyond it the value is kept, and a close refuses it
// (recoveryFaults).
const ShareTol = 1e-9

// share is ratio for a recovery: clamped to [0, 1] within ShareTol.
func share(a, b float64) Num {
	r := ratio(a, b)
	switch x := float64(r); {
	case x > 1 && x <= 1+ShareTol:
		return 1
	case x < 0 && x >= -ShareTol:
		return 0
	}
	return r
}

func ratio(a, b float64) Num {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return Num(math.NaN())
	}
	return Num(a / b)
}

func pointersOf(fs []critmin.FieldError) string {
	var ps []string
	for _, f := range fs {
		ps = append(ps, f.Pointer)
	}
	return strings.Join(ps, ", ")
}
