package refinery

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// Tolerances of Check.
const (
	// BalanceTol: a reconciled balance closes when |in − out − Δstock| ≤
	// BalanceTol × (the sum of its absolute terms) + AbsTol.
	BalanceTol = 1e-7
	// AbsTol is the absolute floor of every comparison, in the unit
	// compared (t, %, or a dimensionless statistic).
	AbsTol = 1e-9
	// StatTol is the relative tolerance of recomputed statistics.
	StatTol = 1e-6
)

// Check re-derives the invariants of a reconciliation from the published
// result alone, independently of the solver: every node's total-mass and
// per-element balance closes with the reconciled values (inventory change
// included); every adjustment is reconciled − measured; ChiSquare is the
// sum of the squared adjustments over the measured standard deviations;
// fixed values are unchanged; just-determined measurements are not
// adjusted; no reconciled standard deviation exceeds the measured one;
// every element's flowsheet account closes (feed + opening = output +
// closing) and its deportment sums to 1; every stream's contained tonnes
// are its reconciled mass × grade. Balances that involve an
// unobservable quantity cannot be checked and are skipped. It returns
// every violation found, joined.
func Check(p *Problem, r *Result) error {
	var bad []error
	fail := func(format string, args ...any) {
		for i, a := range args {
			if x, ok := a.(float64); ok {
				args[i] = figure(x) // %g and %v alike: FigDigits, grouped, no exponent, no float noise
			}
		}
		if len(bad) < 20 {
			bad = append(bad, fmt.Errorf(format, args...))
		}
	}
	closeTo := func(a, b, scale, rel float64) bool {
		return math.Abs(a-b) <= rel*math.Abs(scale)+AbsTol
	}
	stream := map[string]*StreamResult{}
	for i := range r.Streams {
		stream[r.Streams[i].ID] = &r.Streams[i]
	}
	node := map[string]*NodeResult{}
	for i := range r.Nodes {
		node[r.Nodes[i].ID] = &r.Nodes[i]
	}
	if len(r.Streams) != len(p.Streams) || len(r.Nodes) != len(p.Nodes) {
		return fmt.Errorf("result has %d streams and %d nodes, problem %d and %d", len(r.Streams), len(r.Nodes), len(p.Streams), len(p.Nodes))
	}
	chi2 := 0.0
	redundant := 0
	est := func(where string, e Estimate, q *Quantity) {
		isGrade := strings.Contains(where, "grade")
		if e.Measured != nil && e.Removed {
			// A located gross error left out: its value is what the
			// other measurements give it, adjustment included.
			a := float64(e.Value) - *e.Measured
			if e.Adjustment == nil || !closeTo(*e.Adjustment, a, a, StatTol) {
				fail("%s: adjustment is not reconciled − measured (%g)", where, a)
			}
		} else if e.Measured != nil {
			a := float64(e.Value) - *e.Measured
			if e.Adjustment == nil || !closeTo(*e.Adjustment, a, a, StatTol) {
				fail("%s: adjustment is not reconciled − measured (%g)", where, a)
			}
			chi2 += (a / *e.MeasuredSD) * (a / *e.MeasuredSD)
			if e.Class == ClassJustDetermined && !closeTo(a, 0, *e.MeasuredSD, 1e-6) {
				fail("%s: just-determined measurement adjusted by %g", where, a)
			}
			// No other measurement checks a just-determined one, so the
			// reconciliation cannot make it more precise.
			if e.Class == ClassJustDetermined && !closeTo(float64(e.SD), *e.MeasuredSD, *e.MeasuredSD, 1e-6) {
				fail("%s: just-determined measurement's sd changed from %g to %g", where, *e.MeasuredSD, float64(e.SD))
			}
			if e.Class == ClassRedundant || e.Class == ClassAtBound {
				redundant++
			}
			if float64(e.SD) > *e.MeasuredSD*(1+StatTol)+AbsTol {
				fail("%s: reconciled sd %g exceeds measured sd %g", where, float64(e.SD), *e.MeasuredSD)
			}
		}
		if q != nil && q.Fixed && float64(e.Value) != q.Value {
			fail("%s: fixed value %g changed to %g", where, q.Value, float64(e.Value))
		}
		if (e.Class == ClassUnobservable) == e.Value.Known() {
			fail("%s: class %s with value %v", where, e.Class, float64(e.Value))
		}
		// Physical bounds: a mass ≥ 0, a grade in [0, 100] %.
		if v := float64(e.Value); e.Value.Known() && (v < -BoundTol*10 || (isGrade && v > 100+BoundTol*10)) {
			fail("%s: reconciled value %g lies outside its physical bounds", where, v)
		}
		if e.AtBound != nil && float64(e.Value) != *e.AtBound {
			fail("%s: held at bound %g but reconciled to %g", where, *e.AtBound, float64(e.Value))
		}
	}
	type flow struct {
		mass  Num
		grade map[string]Num
	}
	type side struct {
		node string
		sign float64
		f    flow
	}
	var flows []side
	gradeVals := func(g map[string]Estimate) map[string]Num {
		out := map[string]Num{}
		for e, x := range g {
			out[e] = x.Value
		}
		return out
	}
	for _, s := range p.Streams {
		sr := stream[s.ID]
		if sr == nil {
			fail("stream %s missing from the result", s.ID)
			continue
		}
		est("stream "+s.ID+" mass_t", sr.Mass, s.Mass)
		for _, e := range p.Elements {
			est("stream "+s.ID+" grade_pct "+e, sr.Grade[e], s.Grade[e])
		}
		// Contained tonnes are what the readers of a close use (the
		// recoveries): each is the reconciled mass × grade / 100.
		for _, e := range p.Elements {
			m, g := sr.Mass.Value, sr.Grade[e].Value
			x, ok := sr.Contained[e]
			if !m.Known() || !g.Known() {
				continue
			}
			want := float64(m) * float64(g) / 100
			if !ok || !closeTo(float64(x), want, want, StatTol) {
				fail("stream %s element_t %s: %v is not mass × grade (%g t × %g %% = %g t)", s.ID, e, float64(x), float64(m), float64(g), want)
			}
		}
		f := flow{sr.Mass.Value, gradeVals(sr.Grade)}
		if s.To != "" {
			flows = append(flows, side{s.To, 1, f})
		}
		if s.From != "" {
			flows = append(flows, side{s.From, -1, f})
		}
	}
	for _, n := range p.Nodes {
		nr := node[n.ID]
		if nr == nil {
			fail("node %s missing from the result", n.ID)
			continue
		}
		if n.Inventory == nil {
			continue
		}
		if nr.Inventory == nil {
			fail("node %s: inventory missing from the result", n.ID)
			continue
		}
		est("node "+n.ID+" opening_t", nr.Inventory.Opening, n.Inventory.Opening)
		est("node "+n.ID+" closing_t", nr.Inventory.Closing, n.Inventory.Closing)
		for _, e := range p.Elements {
			est("node "+n.ID+" opening_grade_pct "+e, nr.Inventory.OpeningGrade[e], n.Inventory.OpeningGrade[e])
			est("node "+n.ID+" closing_grade_pct "+e, nr.Inventory.ClosingGrade[e], n.Inventory.ClosingGrade[e])
		}
		flows = append(flows, side{n.ID, 1, flow{nr.Inventory.Opening.Value, gradeVals(nr.Inventory.OpeningGrade)}})
		flows = append(flows, side{n.ID, -1, flow{nr.Inventory.Closing.Value, gradeVals(nr.Inventory.ClosingGrade)}})
	}
	// A degree of freedom is a balance left over after the unmeasured
	// quantities are eliminated; it checks at least one measurement, which
	// is then redundant. Without one, nothing is redundant.
	if (r.DOF > 0) != (redundant > 0) {
		fail("dof %d with %d redundant measurements", r.DOF, redundant)
	}
	if !closeTo(r.ChiSquare, chi2, chi2, StatTol) {
		fail("chi_square %g is not Σ(adjustment/sd)² = %g", r.ChiSquare, chi2)
	}
	// Balances per node: mass, then each element as mass × grade / 100.
	for _, n := range p.Nodes {
		keys := append([]string{"mass"}, p.Elements...)
		for _, key := range keys {
			sum, scale, known := 0.0, 0.0, true
			for _, fl := range flows {
				if fl.node != n.ID {
					continue
				}
				x := float64(fl.f.mass)
				if key != "mass" {
					x *= float64(fl.f.grade[key]) / 100
				}
				if math.IsNaN(x) {
					known = false
					break
				}
				sum += fl.sign * x
				scale += math.Abs(x)
			}
			if known && !closeTo(sum, 0, scale, BalanceTol) {
				fail("node %s: reconciled %s balance is off by %g t", n.ID, key, sum)
			}
		}
	}
	// Element accounts.
	for _, a := range r.Accounts {
		if !a.FeedT.Known() || !a.OutputT.Known() {
			continue
		}
		in := float64(a.FeedT) + float64(a.OpeningT)
		out := float64(a.OutputT) + float64(a.ClosingT)
		if a.OpeningT.Known() && a.ClosingT.Known() && !closeTo(in, out, in+out, BalanceTol) {
			fail("element %s: feed + opening %g ≠ output + closing %g", a.Element, in, out)
		}
		if !a.StockChangeT.Known() || !closeTo(float64(a.FeedT)-float64(a.OutputT), float64(a.StockChangeT), float64(a.FeedT)+float64(a.OutputT)+math.Abs(float64(a.StockChangeT)), BalanceTol) {
			fail("element %s: feed − output %g ≠ stock change %v", a.Element, float64(a.FeedT)-float64(a.OutputT), float64(a.StockChangeT))
		}
		for id, x := range a.Recovery {
			if x.Known() && (float64(x) < -BoundTol || float64(x) > 1+1e-9) {
				fail("element %s: recovery to %s is %v, not in [0, 1]", a.Element, id, float64(x))
			}
		}
		dep, known := 0.0, true
		for _, d := range a.Deportment {
			if !d.Known() {
				known = false
			}
			dep += float64(d)
		}
		if known && len(a.Deportment) > 0 && !closeTo(dep, 1, 1, 1e-6) {
			fail("element %s: deportment sums to %g, not 1", a.Element, dep)
		}
	}
	return errors.Join(bad...)
}
