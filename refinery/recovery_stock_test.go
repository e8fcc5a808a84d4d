package refinery_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// drawdownDoc: a month that draws a stockpile down. Consistent data, so
// the reconciliation adjusts nothing (χ² = 0):
//
//	feed     100 t × 1.2 %  = 1.20 t Cu into the pile
//	pile     50 t × 1.2 % = 0.60 t opening, 30 t × 1.2 % = 0.36 t closing:
//	         0.24 t drawn down
//	reclaim  120 t × 1.2 %  = 1.44 t = 1.20 + 0.24 (pile balance)
//	conc     10 t × 13 %    = 1.30 t
//	tail     110 t × 0.14/110·100 % = 0.14 t (1.44 − 1.30)
//
// On the feed alone conc would be 1.30 / 1.20 = 1.0833 — over 1, which
// crashed the check. On the P754 basis, feed plus stock drawn down, it is
// 1.30 / 1.44 = 0.902778, the tail 0.14 / 1.44 = 0.097222, summing to 1
// and equal to the deportment.
const drawdownDoc = `{"site":"urn:critmin:test:site:pile","period":"2026-01","elements":["Cu"],
 "nodes": [{"id": "pile", "inventory": {"opening_t": {"value": 50, "sd": 2}, "closing_t": {"value": 30, "sd": 2},
     "opening_grade_pct": {"Cu": {"value": 1.2, "sd": 0.05}}, "closing_grade_pct": {"Cu": {"value": 1.2, "sd": 0.05}}}},
   {"id": "flot"}],
 "streams": [
   {"id": "feed", "to": "pile", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.2, "sd": 0.03}}},
   {"id": "reclaim", "from": "pile", "to": "flot", "mass_t": {"value": 120, "sd": 2}, "grade_pct": {"Cu": {"value": 1.2, "sd": 0.03}}},
   {"id": "conc", "from": "flot", "commodity": "cu_conc", "mass_t": {"value": 10, "sd": 0.3}, "grade_pct": {"Cu": {"value": 13.0, "sd": 0.2}}},
   {"id": "tail", "from": "flot", "mass_t": {"value": 110, "sd": 2}, "grade_pct": {"Cu": {"value": 0.12727272727272727, "sd": 0.01}}}]}`

func TestRecoveryWithStockDrawnDown(t *testing.T) {
	r := mustReconcile(t, decode(t, drawdownDoc))
	near(t, "chi_square", r.ChiSquare, 0, 1e-9)
	a := r.Accounts[0]
	near(t, "feed_t", float64(a.FeedT), 1.20, 1e-9)
	near(t, "sources_t", float64(a.SourcesT), 1.44, 1e-9)
	near(t, "recovery conc", float64(a.Recovery["conc"]), 1.30/1.44, 1e-9)
	near(t, "recovery tail", float64(a.Recovery["tail"]), 0.14/1.44, 1e-9)
	near(t, "deportment conc", float64(a.Deportment["conc"]), 1.30/1.44, 1e-9)
	// The ledger path: a close, then the planner's and the mass
	// balance's reading of it, on the same basis.
	db, key := testStore(t)
	ctx := context.Background()
	appendRaw(t, db, key, decode(t, drawdownDoc), at)
	rs, err := refinery.RecoveryFor(ctx, db, "urn:critmin:test:site:pile", "Cu", "2026-01")
	if err != nil || len(rs) != 2 {
		t.Fatalf("RecoveryFor: %v %v", rs, err)
	}
	near(t, "RecoveryFor conc", rs[0].Fraction, 1.30/1.44, 1e-9)
	for _, bad := range []string{"Cu+Cu", "Cu+", "+Cu"} {
		_, err := refinery.RecoveryFor(ctx, db, "urn:critmin:test:site:pile", bad, "2026-01")
		assertField(t, err, "element", "twice or is empty")
	}
}

// TestRecoveryWithStockBuiltUp: the same plant building the pile up
// (opening 30 t, closing 50 t: 0.24 t into stock, reclaim 80 t × 1.2 % =
// 0.96 t, conc 6 t × 13 % = 0.78 t, tail 74 t carrying 0.18 t) has the
// feed alone as its basis: conc 0.78 / 1.20 = 0.65, the stock build-up
// 0.24 / 1.20 = 0.2 a destination.
func TestRecoveryWithStockBuiltUp(t *testing.T) {
	r := mustReconcile(t, decode(t, `{"elements":["Cu"],
 "nodes": [{"id": "pile", "inventory": {"opening_t": {"value": 30, "sd": 2}, "closing_t": {"value": 50, "sd": 2},
     "opening_grade_pct": {"Cu": {"value": 1.2, "sd": 0.05}}, "closing_grade_pct": {"Cu": {"value": 1.2, "sd": 0.05}}}},
   {"id": "flot"}],
 "streams": [
   {"id": "feed", "to": "pile", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.2, "sd": 0.03}}},
   {"id": "reclaim", "from": "pile", "to": "flot", "mass_t": {"value": 80, "sd": 2}, "grade_pct": {"Cu": {"value": 1.2, "sd": 0.03}}},
   {"id": "conc", "from": "flot", "mass_t": {"value": 6, "sd": 0.3}, "grade_pct": {"Cu": {"value": 13.0, "sd": 0.2}}},
   {"id": "tail", "from": "flot", "mass_t": {"value": 74, "sd": 2}, "grade_pct": {"Cu": {"value": 0.24324324324324326, "sd": 0.01}}}]}`))
	a := r.Accounts[0]
	near(t, "sources_t", float64(a.SourcesT), 1.20, 1e-9)
	near(t, "recovery conc", float64(a.Recovery["conc"]), 0.65, 1e-9)
	near(t, "deportment stock", float64(a.Deportment["stock:pile"]), 0.2, 1e-9)
}

// TestMassOnlyStockSurvey: a pile surveyed for tonnes only (opening 30 t,
// closing 50 t, no grades) — its Cu contents are unobservable, but their
// change follows from the pile's balance. Consistent data:
//
//	feed 100 t × 1.2 % = 1.20 t in; reclaim 80 t × 1.2 % = 0.96 t out
//	→ stock change +0.24 t (a build-up: a destination, 0.24/1.20 = 0.2)
//	conc 6 t × 13 % = 0.78 t → recovery 0.78 / 1.20 = 0.65
//
// No NaN reaches the account; opening_t and closing_t of Cu are null.
func TestMassOnlyStockSurvey(t *testing.T) {
	r := mustReconcile(t, decode(t, `{"elements":["Cu"],
 "nodes": [{"id": "pile", "inventory": {"opening_t": {"value": 30, "sd": 2}, "closing_t": {"value": 50, "sd": 2}}},
   {"id": "flot"}],
 "streams": [
   {"id": "feed", "to": "pile", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.2, "sd": 0.03}}},
   {"id": "reclaim", "from": "pile", "to": "flot", "mass_t": {"value": 80, "sd": 2}, "grade_pct": {"Cu": {"value": 1.2, "sd": 0.03}}},
   {"id": "conc", "from": "flot", "mass_t": {"value": 6, "sd": 0.3}, "grade_pct": {"Cu": {"value": 13.0, "sd": 0.2}}},
   {"id": "tail", "from": "flot", "mass_t": {"value": 74, "sd": 2}, "grade_pct": {"Cu": {"value": 0.24324324324324326, "sd": 0.01}}}]}`))
	a := r.Accounts[0]
	if a.OpeningT.Known() || a.ClosingT.Known() {
		t.Errorf("stock contents %v %v, want null (grades not surveyed)", a.OpeningT, a.ClosingT)
	}
	near(t, "stock_change_t", float64(a.StockChangeT), 0.24, 1e-9)
	near(t, "sources_t", float64(a.SourcesT), 1.20, 1e-9)
	near(t, "recovery conc", float64(a.Recovery["conc"]), 0.65, 1e-9)
	near(t, "deportment stock", float64(a.Deportment["stock:pile"]), 0.2, 1e-9)
	// The pile's unit recovery: reclaim 0.96 of 1.20 in (nothing drawn down).
	near(t, "pile unit recovery", float64(nodeOf(t, r, "pile").Recovery["Cu"]["reclaim"]), 0.8, 1e-9)
}

// TestEmptyInventoryRefused: "inventory": {} names the field.
func TestEmptyInventoryRefused(t *testing.T) {
	_, err := refinery.DecodeProblem(strings.NewReader(`{"elements":["Cu"],"nodes":[{"id":"pile","inventory":{}},{"id":"flot"}],"streams":[
 {"id":"feed","to":"pile","mass_t":{"value":100,"sd":2}},{"id":"reclaim","from":"pile","to":"flot","mass_t":{"value":80,"sd":2}},
 {"id":"conc","from":"flot","mass_t":{"value":6,"sd":0.3}}]}`))
	assertField(t, err, "/nodes/0/inventory", "is empty")
}

// TestGradeNearUpperBoundStaysFinite: feed 100 t × 9.0 % = 9 t Cu,
// cathode 8 t × 99.99 % (sd 0.01) = 7.9992 t, tail 92 t × 0.2 % =
// 0.184 t: 0.8168 t unaccounted. Serial elimination would remove the feed
// grade and then the cathode grade, after which no measurement is left to
// estimate either (the Cu balance has two unknown grades): it must stop
// before that. The global test (dof 2, χ²₀.₉₅ = 5.991) fails and is
// reported on all measurements, every estimate a number.
func TestGradeNearUpperBoundStaysFinite(t *testing.T) {
	r := mustReconcile(t, decode(t, `{"elements": ["Cu"], "nodes": [{"id": "n"}], "streams": [
{"id": "feed", "to": "n", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 9.0, "sd": 0.27}}},
{"id": "cath", "from": "n", "mass_t": {"value": 8, "sd": 0.1}, "grade_pct": {"Cu": {"value": 99.99, "sd": 0.01}}},
{"id": "tail", "from": "n", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`))
	if r.DOF != 2 || r.GlobalTest != "fail" || r.Basis != refinery.BasisAll {
		t.Errorf("dof %d, test %s, basis %q", r.DOF, r.GlobalTest, r.Basis)
	}
	near(t, "chi2 critical", float64(r.ChiSquareCritical), 5.991464547, 1e-6)
	for _, s := range r.Streams {
		for _, e := range []refinery.Estimate{s.Mass, s.Grade["Cu"]} {
			if !e.Value.Known() || !e.SD.Known() || e.Class == refinery.ClassUnobservable {
				t.Errorf("stream %s: %+v", s.ID, e)
			}
		}
	}
	for id, x := range r.Accounts[0].Recovery {
		if !x.Known() || x < 0 || x > 1 {
			t.Errorf("recovery to %s = %v", id, x)
		}
	}
}

// TestConfidenceRange: the same range for files, the API (which decodes
// the same way) and the CLI flag: [0.5, 0.9999]. 1e-300 (which panicked
// in the χ² quantile), 0 (which became 0.95 silently), 1 − 2⁻⁵³ (1 in all
// but name) and 1.5 are refused naming /confidence; absent is 0.95.
func TestConfidenceRange(t *testing.T) {
	body := `"elements":["Cu"],"nodes":[{"id":"n"}],"streams":[
{"id":"feed","to":"n","mass_t":{"value":100,"sd":2},"grade_pct":{"Cu":{"value":1,"sd":0.03}}},{"id":"out","from":"n","mass_t":{"value":99,"sd":2}}]}`
	for _, c := range []string{"1e-300", "0", "0.9999999999999999", "1.5", "0.49"} {
		_, err := refinery.DecodeProblem(strings.NewReader(`{"confidence":` + c + `,` + body))
		assertField(t, err, "/confidence", "must be in [0.5, 0.9999]")
	}
	for c, want := range map[string]float64{`"confidence":0.5,`: 0.5, `"confidence":0.9999,`: 0.9999, ``: 0.95} {
		r := mustReconcile(t, decode(t, `{`+c+body))
		if r.Confidence != want {
			t.Errorf("%q: confidence %v, want %v", c, r.Confidence, want)
		}
	}
}

// TestDuplicateKeysRefused: a repeated key is refused naming the object
// and the key, wherever it is.
func TestDuplicateKeysRefused(t *testing.T) {
	_, err := refinery.DecodeProblem(strings.NewReader(`{"elements":["Cu"],"nodes":[{"id":"n"}],"streams":[
{"id":"feed","to":"n","mass_t":{"value":100,"sd":2,"sd":3}},{"id":"out","from":"n","mass_t":{"value":99,"sd":2}}]}`))
	assertField(t, err, "/streams/0/mass_t/sd", `given twice`)
	_, err = refinery.DecodeProblem(strings.NewReader(`{"elements":["Cu"],"elements":["Cu"],"nodes":[{"id":"n"}],"streams":[]}`))
	assertField(t, err, "/elements", `given twice`)
}

// TestCloseNeedsReasonWhenUnchecked: a close without a reason is refused,
// recording nothing, when serial elimination removed a measurement (the
// planted error of TestPlantedGrossErrorLocated: s2 read 78 for 70, the
// global test passing only without it) or when nothing is checked (dof 0:
// the two-product case with only the feed weighed, 1 % / 10 % / 0.2 %
// giving conc 100·(1 − 0.2)/(10 − 0.2) = 8.163 t and no balance left
// over); with a reason each is kept.
func TestCloseNeedsReasonWhenUnchecked(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	planted := `{"site":"urn:critmin:test:site:planted","period":"2026-01","elements":["Cu"],"nodes":[{"id":"A"},{"id":"B"},{"id":"C"}],"streams":[
{"id":"s1","to":"A","mass_t":{"value":100,"sd":2},"grade_pct":{"Cu":{"value":1,"fixed":true}}},
{"id":"s2","from":"A","to":"B","mass_t":{"value":78,"sd":1.4},"grade_pct":{"Cu":{"value":1,"fixed":true}}},
{"id":"s3","from":"A","to":"C","mass_t":{"value":30,"sd":0.6},"grade_pct":{"Cu":{"value":1,"fixed":true}}},
{"id":"s4","from":"B","mass_t":{"value":50,"sd":1},"grade_pct":{"Cu":{"value":1,"fixed":true}}},
{"id":"s5","from":"B","to":"C","mass_t":{"value":20,"sd":0.4},"grade_pct":{"Cu":{"value":1,"fixed":true}}},
{"id":"s6","from":"C","mass_t":{"value":45,"sd":0.9},"grade_pct":{"Cu":{"value":1,"fixed":true}}},
{"id":"s7","from":"C","mass_t":{"value":5,"sd":0.1},"grade_pct":{"Cu":{"value":1,"fixed":true}}}]}`
	_, r, err := refinery.ClosePeriod(ctx, db, decode(t, planted), op, "", key, at)
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "removed 1 measurements as gross errors (/streams/1/mass_t") {
		t.Fatalf("close after elimination without reason: %v", err)
	}
	if r == nil || r.AllMeasurements == nil || r.GlobalTest != "pass" {
		t.Fatalf("the month should pass only without s2: %+v", r)
	}
	twoProduct := `{"site":"urn:critmin:test:site:two","period":"2026-01","elements":["Cu"],"nodes":[{"id":"flot"}],"streams":[
{"id":"feed","to":"flot","mass_t":{"value":100,"sd":2},"grade_pct":{"Cu":{"value":1.0,"sd":0.03}}},
{"id":"conc","from":"flot","grade_pct":{"Cu":{"value":10.0,"sd":0.2}}},
{"id":"tail","from":"flot","grade_pct":{"Cu":{"value":0.2,"sd":0.01}}}]}`
	_, r, err = refinery.ClosePeriod(ctx, db, decode(t, twoProduct), op, "", key, at)
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "no degree of freedom") {
		t.Fatalf("dof-0 close without reason: %v", err)
	}
	near(t, "conc t", float64(r.Streams[1].Mass.Value), 100*0.8/9.8, 1e-6)
	if recs, _ := db.PeriodRecords(ctx, "", ""); len(recs) != 0 {
		t.Fatalf("refused closes left %d records", len(recs))
	}
	for _, doc := range []string{planted, twoProduct} {
		if _, _, err := refinery.ClosePeriod(ctx, db, decode(t, doc), op, "reviewed; accepted", key, at); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCloseSiteAndMonth: after 2026-01 is closed at
// urn:critmin:test:site:same, the same site spelt "URN:CRITMIN:…" (RFC
// 8141 §3.1: scheme and NID are case-insensitive) is the same site: a
// second close conflicts. White space, a non-URI and a month after the
// current one (now = 2026-03-02: 2026-04, 9999-12) or before 1900
// (0000-01) are refused naming the field; a period 2025-13 is refused by
// reconcile itself.
func TestCloseSiteAndMonth(t *testing.T) {
	db, key := testStore(t)
	ctx := context.Background()
	doc := func(site, period string) *refinery.Problem {
		p := decode(t, drawdownDoc)
		p.Site, p.Period = site, period
		return p
	}
	if _, _, err := refinery.ClosePeriod(ctx, db, doc("urn:critmin:test:site:same", "2026-01"), op, "", key, at); err != nil {
		t.Fatal(err)
	}
	if _, _, err := refinery.ClosePeriod(ctx, db, doc("URN:CRITMIN:test:site:same", "2026-01"), op, "", key, at); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("same site in upper case: %v, want a conflict", err)
	}
	if _, _, _, err := refinery.ClosedResult(ctx, db, "URN:critmin:test:site:same", "2026-01"); err != nil {
		t.Errorf("closed result by the upper-case spelling: %v", err)
	}
	for _, site := range []string{" urn:critmin:test:site:same", "urn:critmin:test:site:same ", "x", "urn:critmin", "urn:critmin:test:site:a b"} {
		_, _, err := refinery.ClosePeriod(ctx, db, doc(site, "2026-02"), op, "", key, at)
		assertField(t, err, "/site", "")
	}
	// The current month (2026-03 at 2026-03-02) has not ended (nu12b-2
	// item 4): refused like a later one; the month before closes.
	for _, period := range []string{"2026-03", "2026-04", "9999-12", "0000-01", "1899-12"} {
		_, _, err := refinery.ClosePeriod(ctx, db, doc("urn:critmin:test:site:other", period), op, "", key, at)
		assertField(t, err, "/period", "")
	}
	if _, _, err := refinery.ClosePeriod(ctx, db, doc("urn:critmin:test:site:other", "2026-02"), op, "", key, at); err != nil {
		t.Errorf("the month before: %v", err)
	}
	_, err := refinery.Reconcile(doc("urn:critmin:test:site:other", "2025-13"))
	assertField(t, err, "/period", "YYYY-MM")
}

// TestRecoveryFromGradesAlone: the textbook case with no mass weighed
// (feed 1.0 ± 0.03 %, conc 10.0 ± 0.2 %, tail 0.2 ± 0.01 %): the masses
// and the mass-based recoveries are not determinable, but
// R = c(f − t)/(f(c − t)) = 10·0.8/(1·9.8) = 0.816327, yield 0.8/9.8 =
// 0.0816327; sd by first-order propagation:
//
//	∂R/∂f = c·t/(f²(c−t))      = 10·0.2/9.8        = 0.2040816
//	∂R/∂c = −t(f−t)/(f(c−t)²)  = −0.2·0.8/96.04    = −0.0016660
//	∂R/∂t = c(f−c)/(f(c−t)²)   = 10·(−9)/96.04     = −0.9371095
//	var = (0.2040816·0.03)² + (0.0016660·0.2)² + (0.9371095·0.01)²
//	    = 3.74844e-5 + 1.1102e-7 + 8.78174e-5 = 1.254128e-4 → sd 0.0111988
func TestRecoveryFromGradesAlone(t *testing.T) {
	r := mustReconcile(t, decode(t, `{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
{"id": "feed", "to": "flotation", "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
{"id": "conc", "from": "flotation", "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
{"id": "tail", "from": "flotation", "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`))
	g := r.Accounts[0].FromGrades
	if g == nil || g.Stream != "conc" || g.Other != "tail" {
		t.Fatalf("from grades: %+v", g)
	}
	near(t, "recovery", float64(g.Recovery), 0.816327, 1e-6)
	near(t, "yield", float64(g.Yield), 0.0816327, 1e-7)
	near(t, "sd", float64(g.SD), 0.0111988, 1e-6)
	// With the masses weighed the mass-based recovery stands and none
	// from grades is given.
	r = mustReconcile(t, decode(t, `{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
{"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
{"id": "conc", "from": "flotation", "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
{"id": "tail", "from": "flotation", "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`))
	if r.Accounts[0].FromGrades != nil {
		t.Errorf("from grades given beside a mass-based recovery: %+v", r.Accounts[0].FromGrades)
	}
}

// TestRecoveryFromGradesWhyNot (nu12b-2 item 6): with no mass weighed
// and a feed grade below the tailing's (feed 0.15 %, conc 10 %, tail
// 0.2 %), c > f > t fails — R = c(f − t)/(f(c − t)) = 10·(−0.05)/(0.15·9.8)
// would be −0.34 — so no recovery from grades is given, and the result
// says why, naming the three grades.
func TestRecoveryFromGradesWhyNot(t *testing.T) {
	r := mustReconcile(t, decode(t, `{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
{"id": "feed", "to": "flotation", "grade_pct": {"Cu": {"value": 0.15, "sd": 0.03}}},
{"id": "conc", "from": "flotation", "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
{"id": "tail", "from": "flotation", "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`))
	a := r.Accounts[0]
	if a.FromGrades != nil {
		t.Fatalf("from grades given: %+v", a.FromGrades)
	}
	for _, want := range []string{"concentrate > feed > tailing", "c = 10 % (conc)", "f = 0.15 % (feed)", "t = 0.2 % (tail)"} {
		if !strings.Contains(a.FromGradesWhyNot, want) {
			t.Errorf("why not %q lacks %q", a.FromGradesWhyNot, want)
		}
	}
	// The textbook grades separate: no reason.
	r = mustReconcile(t, decode(t, `{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
{"id": "feed", "to": "flotation", "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
{"id": "conc", "from": "flotation", "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
{"id": "tail", "from": "flotation", "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`))
	if r.Accounts[0].FromGradesWhyNot != "" {
		t.Errorf("why not given beside a recovery from grades: %q", r.Accounts[0].FromGradesWhyNot)
	}
}

// TestUnitRecoveryLeavesOutElementsNotFed (nu12b-2 item 7): an element
// that never enters a unit (Sb fixed at 0 % in every stream of the
// flotation: 0 t fed) has no recovery there — left out, not "not
// determinable" — while Cu keeps its recovery, conc ≈ 0.816.
func TestUnitRecoveryLeavesOutElementsNotFed(t *testing.T) {
	r := mustReconcile(t, decode(t, `{"elements": ["Cu", "Sb"], "nodes": [{"id": "flotation"}], "streams": [
{"id": "feed", "to": "flotation", "mass_t": {"value": 100, "sd": 2}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}, "Sb": {"value": 0, "fixed": true}}},
{"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}, "Sb": {"value": 0, "fixed": true}}},
{"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}, "Sb": {"value": 0, "fixed": true}}}]}`))
	rec := r.Nodes[0].Recovery
	if _, ok := rec["Sb"]; ok {
		t.Errorf("Sb, never fed to the flotation, has a unit recovery: %v", rec["Sb"])
	}
	near(t, "Cu to conc", float64(rec["Cu"]["conc"]), 0.816, 0.02)
}

// TestFixedMassesThatCannotBalance (nu12b-2 item 6): feed 100 t, conc
// 8 t and tail 90 t all fixed, with one measured grade: 100 in ≠ 98 out
// and nothing may be adjusted, so the problem is refused naming the node
// and its fixed masses — not a grade, as the solver's failure did.
func TestFixedMassesThatCannotBalance(t *testing.T) {
	_, err := refinery.DecodeProblem(strings.NewReader(`{"elements": ["Cu"], "nodes": [{"id": "flotation"}], "streams": [
{"id": "feed", "to": "flotation", "mass_t": {"value": 100, "fixed": true}, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
{"id": "conc", "from": "flotation", "mass_t": {"value": 8, "fixed": true}},
{"id": "tail", "from": "flotation", "mass_t": {"value": 90, "fixed": true}}]}`))
	if err == nil || !strings.Contains(err.Error(), "/nodes/0") || !strings.Contains(err.Error(), "100 t in, 98 t out") {
		t.Errorf("got %v, want refused at /nodes/0 with 100 t in, 98 t out", err)
	}
}
