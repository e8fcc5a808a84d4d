package refinery_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// countingCtx counts how often the solver asks whether it must stop
// (once per linearisation, see refinery.MaxTotalIterations) and reports
// itself cancelled after cancelAfter asks (0: never).
type countingCtx struct {
	context.Context
	asks        atomic.Int64
	cancelAfter int64
}

func (c *countingCtx) Err() error {
	n := c.asks.Add(1)
	if c.cancelAfter > 0 && n > c.cancelAfter {
		return context.Canceled
	}
	return nil
}

func loadNU(t *testing.T, name string) *refinery.Problem {
	t.Helper()
	f, err := os.Open("testdata/nu12f/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := refinery.DecodeProblem(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReconcileBoundedWork (nu12f 1): hang.json drove the iterates to
// NaN, and gonum's SVD of a NaN matrix never returns — reconcile ran for
// minutes and ignored SIGTERM. Now it ends with an EINVALID "did not
// converge" naming measurements, after at most MaxTotalIterations
// linearisations (counted by the context's Err calls: one per
// linearisation, plus a few between the stages).
func TestReconcileBoundedWork(t *testing.T) {
	p := loadNU(t, "hang.json")
	ctx := &countingCtx{Context: context.Background()}
	r, err := refinery.ReconcileContext(ctx, p)
	if err == nil {
		// Converging is as good as failing clearly, provided the result
		// holds.
		if cerr := refinery.Check(p, r); cerr != nil {
			t.Fatalf("converged to a result that fails Check: %v", cerr)
		}
	} else {
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "did not converge") || !strings.Contains(err.Error(), "/streams/") {
			t.Fatalf("hang.json: %v; want EINVALID \"did not converge …\" naming streams", err)
		}
	}
	if n := ctx.asks.Load(); n > refinery.MaxTotalIterations+10 {
		t.Errorf("the solver asked the context %d times: more linearisations than MaxTotalIterations (%d)", n, refinery.MaxTotalIterations)
	}
}

// TestReconcileCancelledInsideLoops: a context cancelled while the
// solver works (here: after its 3rd linearisation, inside successive
// linearisation of the first solve) stops the reconciliation with the
// context's error — it is checked inside the loops, not only between
// stages. The demo month takes more than 3 linearisations.
func TestReconcileCancelledInsideLoops(t *testing.T) {
	p, err := refinery.DemoMonth()
	if err != nil {
		t.Fatal(err)
	}
	for _, after := range []int64{2, 3, 5} {
		ctx := &countingCtx{Context: context.Background(), cancelAfter: after}
		if _, err := refinery.ReconcileContext(ctx, p); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled after %d asks: %v; want context.Canceled", after, err)
		}
		if n := ctx.asks.Load(); n > after+3 {
			t.Errorf("cancelled after %d asks, the solver asked %d times: it went on working", after, n)
		}
	}
}

// TestReconcileNoPanicG51 (nu12f 2): g51.json panicked "SVD of the
// unmeasured Jacobian failed" (HTTP 500, CLI crash). It must return a
// result that holds or an EINVALID error.
func TestReconcileNoPanicG51(t *testing.T) {
	p := loadNU(t, "g51.json")
	r, err := refinery.Reconcile(p)
	checkOutcome(t, "g51.json", p, r, err)
}

func checkOutcome(t *testing.T, name string, p *refinery.Problem, r *refinery.Result, err error) {
	t.Helper()
	if err != nil {
		if critmin.ErrorCode(err) != critmin.EINVALID {
			t.Errorf("%s: %v; want a result or an EINVALID error", name, err)
		}
		return
	}
	if r.ChiSquare < 0 || math.IsNaN(r.ChiSquare) {
		t.Errorf("%s: chi-square %v", name, r.ChiSquare)
	}
	if cerr := refinery.Check(p, r); cerr != nil {
		t.Errorf("%s: result fails Check: %v", name, cerr)
	}
	// Every node's total-mass balance closes: Σin − Σout − (closing −
	// opening) = 0 over the reconciled masses (Check does the elements).
	for _, n := range p.Nodes {
		sum, scale := 0.0, 0.0
		skip := false
		for _, s := range r.Streams {
			v := float64(s.Mass.Value)
			if s.To != n.ID && s.From != n.ID {
				continue
			}
			if s.Mass.Class == refinery.ClassUnobservable {
				skip = true
			}
			if s.To == n.ID {
				sum += v
			} else {
				sum -= v
			}
			scale += math.Abs(v)
		}
		for _, nr := range r.Nodes {
			if nr.ID == n.ID && nr.Inventory != nil {
				o, c := nr.Inventory.Opening, nr.Inventory.Closing
				if o.Class == refinery.ClassUnobservable || c.Class == refinery.ClassUnobservable {
					skip = true
				}
				sum += float64(o.Value) - float64(c.Value)
				scale += math.Abs(float64(o.Value)) + math.Abs(float64(c.Value))
			}
		}
		if !skip && math.Abs(sum) > 1e-6*scale+1e-9 {
			t.Errorf("%s: node %s mass balance off by %g t", name, n.ID, sum)
		}
	}
}

// genFlowsheet is t/gen.py of nu12f in Go: feed (Cu 1, Fe 5, S 2 %)
// into a chain of 2–4 nodes, each emitting a product and passing the rest
// on; half the time the first node holds an inventory; masses measured
// with probability 0.8, each grade with 0.85; noise up to 3 sds.
func genFlowsheet(seed int64) string {
	rng := rand.New(rand.NewSource(seed))
	els := []string{"Cu", "Fe", "S"}
	q := func(v, rel float64) string {
		mult := []float64{0.5, 1, 1, 3}[rng.Intn(4)]
		return fmt.Sprintf(`{"value": %g, "sd": %g}`, v*(1+rng.NormFloat64()*rel*mult), v*rel)
	}
	grades := func(g map[string]float64, rel float64, prob float64) string {
		var parts []string
		for _, e := range els {
			if rng.Float64() < prob {
				r := rel
				if rel == 0 {
					r = []float64{0.02, 0.03, 0.05}[rng.Intn(3)]
				}
				parts = append(parts, fmt.Sprintf(`"%s": %s`, e, q(g[e], r)))
			}
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	n := 2 + rng.Intn(3)
	inv := rng.Float64() < 0.5
	cur, cg := 100.0, map[string]float64{"Cu": 1, "Fe": 5, "S": 2}
	var nodes []string
	type st struct {
		id, from, to string
		m            float64
		g            map[string]float64
	}
	streams := []st{{"feed", "", "n0", cur, cg}}
	for i := 0; i < n; i++ {
		node := fmt.Sprintf(`{"id": "n%d"}`, i)
		if i == 0 && inv {
			o, c := 50.0, 50+rng.Float64()*60-30
			node = fmt.Sprintf(`{"id": "n0", "inventory": {"opening_t": %s, "closing_t": %s, "opening_grade_pct": %s, "closing_grade_pct": %s}}`,
				q(o, 0.03), q(c, 0.03), grades(cg, 0.04, 2), grades(cg, 0.04, 2))
			cur += o - c
		}
		nodes = append(nodes, node)
	}
	for i := 0; i < n; i++ {
		frac := 0.05 + rng.Float64()*0.25
		pm := cur * frac
		rm := cur - pm
		rg, pg := map[string]float64{}, map[string]float64{}
		for _, e := range els {
			p := math.Min(cg[e]*(1.5+rng.Float64()*4.5), 30)
			rg[e] = math.Max((cur*cg[e]-pm*p)/rm, 0.001)
			pg[e] = (cur*cg[e] - rm*rg[e]) / pm
		}
		next := ""
		if i+1 < n {
			next = fmt.Sprintf("n%d", i+1)
		}
		streams = append(streams, st{fmt.Sprintf("p%d", i), fmt.Sprintf("n%d", i), "", pm, pg}, st{fmt.Sprintf("s%d", i), fmt.Sprintf("n%d", i), next, rm, rg})
		cur, cg = rm, rg
	}
	var ss []string
	for _, s := range streams {
		b := fmt.Sprintf(`{"id": %q`, s.id)
		if s.from != "" {
			b += fmt.Sprintf(`, "from": %q`, s.from)
		}
		if s.to != "" {
			b += fmt.Sprintf(`, "to": %q`, s.to)
		}
		if rng.Float64() < 0.8 {
			b += `, "mass_t": ` + q(s.m, []float64{0.01, 0.02, 0.05}[rng.Intn(3)])
		}
		b += `, "grade_pct": ` + grades(s.g, 0, 0.85) + "}"
		ss = append(ss, b)
	}
	return fmt.Sprintf(`{"elements": ["Cu", "Fe", "S"], "nodes": [%s], "streams": [%s]}`, strings.Join(nodes, ", "), strings.Join(ss, ", "))
}

// TestReconcileRandomFlowsheets (nu12f 2): 200 generated small
// flowsheets (seeds 1–200; nu12f found a panic in 1 of 220). Each must
// end — with a result whose balances close, χ² ≥ 0 and Check passes, or
// with an EINVALID error naming the problem — without a panic and within
// the iteration budget. A problem the validator refuses (e.g. an element
// no stream measures) counts as a clear error too.
func TestReconcileRandomFlowsheets(t *testing.T) {
	ok, refused := 0, 0
	for seed := int64(1); seed <= 200; seed++ {
		name := fmt.Sprintf("seed %d", seed)
		p, err := refinery.DecodeProblem(strings.NewReader(genFlowsheet(seed)))
		if err != nil {
			if critmin.ErrorCode(err) != critmin.EINVALID {
				t.Errorf("%s: decode: %v", name, err)
			}
			refused++
			continue
		}
		ctx := &countingCtx{Context: context.Background()}
		var r *refinery.Result
		func() {
			defer func() {
				if x := recover(); x != nil {
					t.Errorf("%s: panic: %v\n%s", name, x, genFlowsheet(seed))
				}
			}()
			r, err = refinery.ReconcileContext(ctx, p)
		}()
		if n := ctx.asks.Load(); n > refinery.MaxTotalIterations+10 {
			t.Errorf("%s: %d linearisations, budget %d", name, n, refinery.MaxTotalIterations)
		}
		checkOutcome(t, name, p, r, err)
		if err == nil {
			ok++
		} else {
			refused++
		}
	}
	// Most generated flowsheets are ordinary and must reconcile: a
	// solver that refused everything would pass the checks above.
	if ok < 150 {
		t.Errorf("only %d of 200 generated flowsheets reconciled (%d refused)", ok, refused)
	}
	t.Logf("%d reconciled, %d refused", ok, refused)
}

// TestGradesOnlyTwoElements (nu12f 3): the flotation example with no
// mass measured and an Fe assay beside Cu (feed 1.0±0.03 % Cu, 5.0±0.1 %
// Fe; conc 10±0.2, 20±0.4; tail 0.2±0.01, 3.6±0.1) was refused with
// "deportment sums to 0.667": with no mass scale the solver drove every
// mass to 0 (1e-321 t), where each element balance closes whatever the
// grades. The split y = conc/feed is over-determined (2 elements, 1
// unknown: 1 dof), and now reconciled on a basis of 100 t of feed.
//
// Independent solution: for a fixed y each element's balance
// f − t − y(c − t) = 0 is linear in its three grades, so the least
// adjustment gives χ²(y) = Σᵢ rᵢ²/Vᵢ with rᵢ = fᵢ − tᵢ − y(cᵢ − tᵢ) and
// Vᵢ = σf² + (1−y)²σt² + y²σc²; ŷ minimises χ²(y). By hand at ŷ = 0.0822035:
//
//	Cu: r = 0.8 − 0.0822035·9.8 = −0.005594;
//	    V = 0.0009 + 0.9177965²·0.0001 + 0.0822035²·0.04 = 0.00125453;
//	    r²/V = 0.024946
//	Fe: r = 1.4 − 0.0822035·16.4 = 0.051863;
//	    V = 0.01 + 0.9177965²·0.01 + 0.0822035²·0.16 = 0.0195047;
//	    r²/V = 0.137904
//	χ² = 0.16285 (1 dof); Cu recovery = ŷ·ĉ/f̂ ≈ 0.8175.
//
// (The unweighted least-squares split Σ(f−t)(c−t)/Σ(c−t)² = 30.8/365 =
// 0.0844 differs: the Fe assays weigh less than their spread suggests.)
func TestGradesOnlyTwoElements(t *testing.T) {
	p := loadNU(t, "p3.json")
	r, err := refinery.Reconcile(p)
	if err != nil {
		t.Fatal(err)
	}
	type g struct{ f, c, t, sf, sc, st float64 }
	els := []g{{1.0, 10, 0.2, 0.03, 0.2, 0.01}, {5.0, 20, 3.6, 0.1, 0.4, 0.1}}
	chi2 := func(y float64) float64 {
		s := 0.0
		for _, e := range els {
			r := e.f - e.t - y*(e.c-e.t)
			v := e.sf*e.sf + (1-y)*(1-y)*e.st*e.st + y*y*e.sc*e.sc
			s += r * r / v
		}
		return s
	}
	// Golden-section search for ŷ on [0.01, 0.5].
	a, b := 0.01, 0.5
	phi := (math.Sqrt(5) - 1) / 2
	for range 200 {
		c, d := b-phi*(b-a), a+phi*(b-a)
		if chi2(c) < chi2(d) {
			b = d
		} else {
			a = c
		}
	}
	y := (a + b) / 2
	if math.Abs(y-0.0822035) > 1e-6 || math.Abs(chi2(y)-0.16285) > 1e-4 {
		t.Fatalf("independent solution ŷ = %v, χ² = %v; the hand arithmetic says 0.0822035, 0.16285", y, chi2(y))
	}
	mass := map[string]float64{}
	grade := map[string]map[string]float64{}
	for _, s := range r.Streams {
		mass[s.ID] = float64(s.Mass.Value)
		grade[s.ID] = map[string]float64{}
		for e, x := range s.Grade {
			grade[s.ID][e] = float64(x.Value)
		}
	}
	if mass["feed"] != refinery.MassBasis || r.MassBasis == "" {
		t.Errorf("feed %v t, mass basis %q: want the %d t basis, said so", mass["feed"], r.MassBasis, refinery.MassBasis)
	}
	if got := mass["conc"] / mass["feed"]; math.Abs(got-y) > 1e-6 {
		t.Errorf("split conc/feed = %v, want %v", got, y)
	}
	if r.DOF != 1 || math.Abs(r.ChiSquare-chi2(y)) > 1e-6 {
		t.Errorf("χ² %v with %d dof, want %v with 1", r.ChiSquare, r.DOF, chi2(y))
	}
	for _, acc := range r.Accounts {
		want := y * grade["conc"][acc.Element] / grade["feed"][acc.Element]
		if got := float64(acc.Recovery["conc"]); math.Abs(got-want) > 1e-6 {
			t.Errorf("%s recovery to conc %v, want ŷ·ĉ/f̂ = %v", acc.Element, got, want)
		}
		if acc.Element == "Cu" && math.Abs(float64(acc.Recovery["conc"])-0.8175) > 1e-4 {
			t.Errorf("Cu recovery %v, hand value 0.8175", float64(acc.Recovery["conc"]))
		}
	}
}

// stockMonth is a month of a receiving pile feeding a plant that
// recovers 75 % of its Nd to oxide: feed 100 t at 1.2 % Nd into the
// pile, the pile from opening to closing t (1.2 % Nd), the plant fed
// 100 + opening − closing t, oxide at 72 % Nd, residue at 0.3037975 %.
func stockMonth(site, period string, opening, closing, plantFeed, oxide, residue float64) string {
	q := func(v float64) string { return fmt.Sprintf(`{"value": %g, "sd": %g}`, v, v*0.005) }
	return fmt.Sprintf(`{"site": %q, "period": %q, "elements": ["Nd"], "nodes": [
	 {"id": "pile", "inventory": {"opening_t": %s, "closing_t": %s, "opening_grade_pct": {"Nd": %s}, "closing_grade_pct": {"Nd": %s}}},
	 {"id": "plant"}], "streams": [
	 {"id": "feed", "to": "pile", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "plant_feed", "from": "pile", "to": "plant", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "plant", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "residue", "kind": "residue", "from": "plant", "mass_t": %s, "grade_pct": {"Nd": %s}}]}`,
		site, period, q(opening), q(closing), q(1.2), q(1.2), q(100), q(1.2), q(plantFeed), q(1.2), q(oxide), q(72), q(residue), q(0.3037975))
}

// TestLineYieldIndependentOfStock (nu12f 4): the line yield (planner)
// and the conversion factor (mass balance) of a closed month are the
// plant's recovery, stock-corrected — not a share of the feed plus
// stock drawn down, which counted Nd sent to a growing pile as lost.
//
// Build-up month 2025-11: pile 30 → 50 t, so the plant took
// 100 + 30 − 50 = 80 t × 1.2 % = 0.96 t Nd; oxide 1.0 t × 72 % =
// 0.72 t; residue 79 t × 0.3037975 % = 0.24 t (0.72 + 0.24 = 0.96).
// Processed = feed − stock change = 1.2 − (50 − 30)·1.2 % = 1.2 − 0.24 =
// 0.96 t: yield 0.72 / 0.96 = 0.75. (Before: 0.72 / 1.2 = 0.60.)
//
// Draw-down month 2025-12: pile 50 → 30 t, plant 120 t × 1.2 % = 1.44 t;
// oxide 1.5 t × 72 % = 1.08 t; residue 118.5 t × 0.3037975 % = 0.36 t.
// Processed = 1.2 − (30 − 50)·1.2 % = 1.44 t: yield 1.08 / 1.44 = 0.75.
//
// The data are consistent, so reconciliation moves nothing by more than
// rounding: both months give 0.75 to 1e-4.
func TestLineYieldIndependentOfStock(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	site := "urn:critmin:test:site:pile"
	months := []struct {
		period                                  string
		opening, closing, plant, oxide, residue float64
	}{
		{"2025-11", 30, 50, 80, 1.0, 79},
		{"2025-12", 50, 30, 120, 1.5, 118.5},
	}
	cf := refinery.ConversionFactors{Store: db}
	cat := critmin.MaterialCategory{Elements: []string{"Nd"}, Product: "ndpr_oxide", ConversionFactor: 0.5}
	for _, m := range months {
		p := decode(t, stockMonth(site, m.period, m.opening, m.closing, m.plant, m.oxide, m.residue))
		if _, _, err := refinery.ClosePeriod(ctx, db, p, op, "", key, at); err != nil {
			t.Fatalf("%s: close: %v", m.period, err)
		}
		rs, err := refinery.RecoveryFor(ctx, db, site, "Nd", m.period)
		if err != nil || len(rs) != 1 || rs[0].Stream != "oxide" {
			t.Fatalf("%s: RecoveryFor: %+v %v", m.period, rs, err)
		}
		near(t, m.period+" line yield", rs[0].Fraction, 0.75, 1e-4)
		from, _ := time.Parse("2006-01", m.period)
		f, src, ok, err := cf.ConversionFactor(ctx, site, cat, critmin.ClaimPeriod{From: from.Format(time.DateOnly), To: from.AddDate(0, 1, 0).Format(time.DateOnly)})
		if err != nil || !ok || !strings.HasPrefix(src, "refinery period "+m.period) {
			t.Fatalf("%s: conversion factor %v %q %v %v", m.period, f, src, ok, err)
		}
		near(t, m.period+" conversion factor", f, 0.75, 1e-4)
	}
}

// TestLineYieldResidueStore (nu12g 1): a stockpile that nothing leaves (a
// residue store) is downstream of the plant: what builds up in it was
// processed and left the units, so it stays in the line yield's basis.
// Feed 100 t at 1.0 % Nd = 1.0 t into the leach; oxide 0.9 t × 83.3 % =
// 0.7497 t; residue 99.1 t into the store, which goes 1000 t at 0.3 %
// (3.0 t Nd) → 1099.1 t at 0.2957 % (3.25004 t): +0.25004 t Nd. The
// line yield is 0.7497 / 1.0 ≈ 0.75 — not 0.7497 / (1.0 − 0.25) = 1,
// which taking the store's build-up off the basis gave.
func TestLineYieldResidueStore(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	site := "urn:critmin:test:site:leach"
	q := func(v float64) string { return fmt.Sprintf(`{"value": %g, "sd": %g}`, v, v*0.005) }
	doc := fmt.Sprintf(`{"site": %q, "period": "2025-11", "elements": ["Nd"], "nodes": [
	 {"id": "leach"},
	 {"id": "residue_storage", "inventory": {"opening_t": %s, "closing_t": %s, "opening_grade_pct": {"Nd": %s}, "closing_grade_pct": {"Nd": %s}}}], "streams": [
	 {"id": "feed", "to": "leach", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "oxide", "kind": "product", "commodity": "ndpr_oxide", "from": "leach", "mass_t": %s, "grade_pct": {"Nd": %s}},
	 {"id": "residue", "kind": "residue", "from": "leach", "to": "residue_storage", "mass_t": %s, "grade_pct": {"Nd": %s}}]}`,
		site, q(1000), q(1099.1), q(0.3), q(0.2957), q(100), q(1.0), q(0.9), q(83.3), q(99.1), q(0.2523))
	if _, _, err := refinery.ClosePeriod(ctx, db, decode(t, doc), op, "", key, at); err != nil {
		t.Fatalf("close: %v", err)
	}
	rs, err := refinery.RecoveryFor(ctx, db, site, "Nd", "2025-11")
	if err != nil || len(rs) != 1 || rs[0].Stream != "oxide" {
		t.Fatalf("RecoveryFor: %+v %v", rs, err)
	}
	near(t, "line yield with a residue store", rs[0].Fraction, 0.75, 2e-3)
}
