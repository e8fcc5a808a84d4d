package custody_test

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// retractEvent captures the error declaration (EPCIS 2.0 §7.4.1.2) of
// event body: the same event, with errorDeclaration, at time when.
func retractEvent(t *testing.T, svc *ledger.Service, body, when string) {
	t.Helper()
	retractEvents(t, svc, when, body)
}

// retractEvents declares every event of bodies in error in one document.
func retractEvents(t *testing.T, svc *ledger.Service, when string, bodies ...string) {
	t.Helper()
	var decls []string
	for _, body := range bodies {
		var m map[string]any
		if err := json.Unmarshal([]byte(body), &m); err != nil {
			t.Fatal(err)
		}
		m["errorDeclaration"] = map[string]any{"declarationTime": when, "reason": "incorrect_data"}
		decl, _ := json.Marshal(m)
		decls = append(decls, string(decl))
	}
	svc.Now = clockAt(when)
	if _, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: mbDoc(decls...)}); err != nil {
		t.Fatalf("the retraction is refused: %v", err)
	}
}

// anomalyWith reports whether list holds an anomaly of kind whose detail
// holds every one of words.
func anomalyWith(list []custody.Anomaly, kind string, words ...string) bool {
	for _, a := range list {
		if a.Kind != kind {
			continue
		}
		ok := true
		for _, w := range words {
			ok = ok && strings.Contains(a.Detail, w)
		}
		if ok {
			return true
		}
	}
	return false
}

// originsOf reads lot id's origin all three ways (the list, on demand
// with evidence, from the kept mix): each must give the same figures.
func originsOf(t *testing.T, db *sqldb.DB, id string) []*custody.Composition {
	t.Helper()
	ctx := context.Background()
	l, err := db.FindLot(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	list, err := custody.Origins(ctx, db, []*critmin.Lot{l})
	if err != nil {
		t.Fatal(err)
	}
	out := []*custody.Composition{list[l.ID]}
	for _, evidence := range []bool{true, false} {
		c, err := custody.OriginOf(ctx, db, l.ID, evidence)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return out
}

// TestRetractedWeighingCapsLaterRun (issue 9, fix9m item 1): a weighing
// retracted after a run consumed the lot it weighed brings no metal back.
// At controlled-blending site b:
//
//	W, Pakistan, 10 t dry at Nd 5 % → 0.5 t Nd
//	weighing wt (Oct 5): W is 100 t dry → 5 t Nd
//	R2 (Oct 10): W 100 t → WO 8 t at Nd 60 % = 4.8 t Nd (≤ 5: balanced)
//	wt retracted (Oct 20): W is 10 t again, holding 0.5 t Nd
//
// R2's input is capped at what W holds: min(100, 10) dmt × 5 % = 0.5 t
// Nd, not 100 × 5 % = 5 t (over_consumed on W by R2: 100 dmt of a 10 dmt
// lot); WO's 4.8 t > 0.5 × 1.005 → element_gain on R2, WO counted as
// 0.5 t Nd (Pakistan).
func TestRetractedWeighingCapsLaterRun(t *testing.T) {
	wt := weighing("wt", "2025-10-05T00:00:00Z", "W", 100)
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("W", "ree_concentrate", "PAK", 10, "Nd:5"),
		wt,
		runOf("R2", "b", "2025-10-10T00:00:00Z", []string{"W:100"}, product{lot: "WO", commodity: "ndpr_oxide", t: 8, assays: []string{"Nd:60"}}),
	))
	svc := ledger.NewService(db)
	retractEvent(t, svc, wt, "2025-10-20T00:00:00Z")
	for i, c := range originsOf(t, db, "urn:t:lot:WO") {
		if got := c.Elements["Nd"].Recorded(); math.Abs(got-0.5) > 1e-9 {
			t.Errorf("WO (%d): Nd %.4f t, want 0.5 (10 dmt × 5 %%: W after the retraction)", i, got)
		}
		if !anomalyWith(c.Anomalies, "over_consumed", "urn:t:lot:W", "urn:t:ev:R2", "100 dmt", "10 dmt") {
			t.Errorf("WO (%d): no over_consumed naming W and R2 (%+v)", i, c.Anomalies)
		}
	}
	c, err := custody.OriginOf(context.Background(), db, "urn:t:lot:WO", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, rb := range c.Runs {
		for _, l := range rb.Elements {
			if rb.Event == "urn:t:ev:R2" && l.Element == "Nd" && math.Abs(l.In-0.5) > 1e-9 {
				t.Errorf("R2's Nd in %.4f t, want 0.5 (capped)", l.In)
			}
		}
		if rb.Event == "urn:t:ev:R2" && (len(rb.OverConsumed) != 1 || rb.OverConsumed[0].Lot != "urn:t:lot:W" || math.Abs(rb.OverConsumed[0].Consumed-100) > 1e-9 || math.Abs(rb.OverConsumed[0].Counted-10) > 1e-9) {
			t.Errorf("R2's over-consumed inputs %+v, want W: 100 dmt consumed, 10 dmt counted", rb.OverConsumed)
		}
	}
	w, err := custody.OriginOf(context.Background(), db, "urn:t:lot:W", true)
	if err != nil {
		t.Fatal(err)
	}
	if !anomalyWith(w.Anomalies, "over_consumed", "urn:t:lot:W", "urn:t:ev:R2") {
		t.Errorf("W: no over_consumed listed on the lot (%+v)", w.Anomalies)
	}
}

// TestRetractedWeighingSplitConsumption (issue 9, fix9m item 1): a lot
// consumed by two runs whose consumption adds up to more than it holds
// after a retraction. At site b:
//
//	W, Pakistan, 10 t dry at Nd 5 % (0.5 t Nd); weighing wt: 100 t
//	R1 (Oct 10): W 60 t → O1 4 t at Nd 60 % = 2.4 t (≤ 60 × 5 % = 3)
//	R2 (Oct 12): W 40 t → O2 2 t at Nd 60 % = 1.2 t (≤ 40 × 5 % = 2)
//	wt retracted: W is 10 t, 0.5 t Nd
//
// In time order: R1 took 60 dmt of a 10 dmt lot → counted 10 dmt ×
// 5 % = 0.5 t Nd; R2 took 40 dmt with nothing left → 0 t. Together
// 0.5 t = what W holds (not 3 + 2 = 5 t). O1 capped at 0.5 t, O2 at 0 t.
func TestRetractedWeighingSplitConsumption(t *testing.T) {
	wt := weighing("wt", "2025-10-05T00:00:00Z", "W", 100)
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("W", "ree_concentrate", "PAK", 10, "Nd:5"),
		wt,
		runOf("R1", "b", "2025-10-10T00:00:00Z", []string{"W:60"}, product{lot: "O1", commodity: "ndpr_oxide", t: 4, assays: []string{"Nd:60"}}),
		runOf("R2", "b", "2025-10-12T00:00:00Z", []string{"W:40"}, product{lot: "O2", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:60"}}),
	))
	retractEvent(t, ledger.NewService(db), wt, "2025-10-20T00:00:00Z")
	for lot, want := range map[string]float64{"O1": 0.5, "O2": 0} {
		for i, c := range originsOf(t, db, "urn:t:lot:"+lot) {
			if got := c.Elements["Nd"].Recorded(); math.Abs(got-want) > 1e-9 {
				t.Errorf("%s (%d): Nd %.4f t, want %.4f", lot, i, got, want)
			}
			if !anomalyWith(c.Anomalies, "over_consumed", "urn:t:lot:W") {
				t.Errorf("%s (%d): no over_consumed on W (%+v)", lot, i, c.Anomalies)
			}
		}
	}
}

// TestRetractedWeighingCapsCredits (issue 9, fix9m items 2, 3, 5): the
// mass-balance account counts the capped figure. Site mb (declaration():
// REE, Nd + Pr, factor 0.9):
//
//	W, Pakistan, 10 t dry at Nd 4 %, Pr 1 % → 0.5 t Nd+Pr
//	weighing wt (Oct 3): 100 t → 5 t Nd+Pr
//	E1 (Oct 5): W 100 t → O1 2 t at Nd 60 %, Pr 20 % = 1.6 t, claims
//	  Pakistan: credits 100 × 5 % × 0.9 = 4.5 ≥ 1.6, accepted
//	wt retracted (Oct 20): W is 10 t, E1's input 10 × 4 % = 0.4 t Nd,
//	  10 × 1 % = 0.1 t Pr (over_consumed: 100 dmt of a 10 dmt lot);
//	  credits 0.5 × 0.9 = 0.45 t Nd+Pr. O1 would hold 1.2 t Nd, 0.4 t
//	  Pr (element_gain) → counted 0.4 + 0.1 = 0.5 t: even that capped
//	  figure exceeds the credits, so the claim is refused. A refused
//	  claim states the figure accepted when made (fix9r item 5), 1.6 t,
//	  not the re-figured 0.5 t: shortfall 1.6 − 0.45 = 1.15 t (before
//	  fix9r: 0.5 t claimed, shortfall 0.05 t), retractedBy the weighing
//	  wt.
func TestRetractedWeighingCapsCredits(t *testing.T) {
	ctx := context.Background()
	wt := weighing("wt", "2025-10-03T00:00:00Z", "W", 100)
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("W", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		wt,
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-06T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("E1", "mb", "2025-10-05T00:00:00Z", []string{"W:100"}, product{lot: "O1", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK}))}); err != nil {
		t.Fatal(err)
	}
	retractEvent(t, svc, wt, "2025-10-20T00:00:00Z")
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if l := line(t, st, "ree", "PAK"); math.Abs(l.Credits-0.45) > 1e-9 || !strings.Contains(strings.Join(l.Notes, " "), "run event urn:t:ev:E1 consumed 100 dmt of a lot of 10 dmt") {
		t.Errorf("credits in %v t Nd+Pr (notes %q), want 0.45 (10 dmt × 5 %% × 0.9), noting E1's over-consumption", l.Credits, l.Notes)
	}
	found := false
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:O1" {
			found = true
			if math.Abs(r.Claimed-1.6) > 1e-9 || math.Abs(r.Shortfall-1.15) > 1e-9 || strings.Join(r.RetractedBy, " ") != "urn:t:ev:wt" {
				t.Errorf("O1 refused %+v, want 1.6 t claimed (as made), shortfall 1.15 t, retractedBy urn:t:ev:wt", r)
			}
		}
	}
	if !found {
		t.Errorf("October's refused claims %+v, want O1", st.Refused)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O1", false)
	if err != nil {
		t.Fatal(err)
	}
	if cl := o.Claimed; cl == nil || cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || strings.Join(cl.RetractedBy, " ") != "urn:t:ev:wt" || !strings.Contains(cl.Error, "the claim was covered until the retraction of event urn:t:ev:wt (weighing of lot urn:t:lot:W, 2025-10-03) declared in error on 2025-10-20T00:00:00Z (reason incorrect_data)") {
		t.Errorf("O1's claim %+v, want refused, retractedBy urn:t:ev:wt", cl)
	}
}

// TestOverConsumedCreditsFollowOrigin (issue 9, fix9m item 2): credits
// count the same capped input as the run's element balance, whatever
// site took the lot first. Sites b (controlled blending) and mb:
//
//	W, Pakistan, 10 t dry at Nd 4 %, Pr 1 %; weighing wt (Oct 3): 100 t
//	X1 at b (Oct 4): W 60 t → XO 1 t at Nd 60 %, Pr 20 % (0.8 ≤ 3 t)
//	E1 at mb (Oct 5): W 40 t → O1 0.5 t at Nd 60 %, Pr 20 % (0.4 ≤ 2 t)
//	wt retracted: W is 10 t. In time order X1 took 60 dmt of 10 → it
//	  counts all 10 dmt (0.5 t Nd+Pr); E1 took 40 dmt with none left →
//	  0 t. Credits PAK at mb: 0 × 5 % × 0.9 = 0 — not 10 × 5 % × 0.9 =
//	  0.45 (W's whole content, as if E1 were its only run) nor
//	  40 × 5 % × 0.9 = 1.8.
func TestOverConsumedCreditsFollowOrigin(t *testing.T) {
	ctx := context.Background()
	wt := weighing("wt", "2025-10-03T00:00:00Z", "W", 100)
	db := store(t, doc(map[string]string{"mb": "mass_balance", "b": "controlled_blending"},
		feed("W", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		wt,
		runOf("X1", "b", "2025-10-04T00:00:00Z", []string{"W:60"}, product{lot: "XO", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}}),
		runOf("E1", "mb", "2025-10-05T00:00:00Z", []string{"W:40"}, product{lot: "O1", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}}),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	retractEvent(t, ledger.NewService(db), wt, "2025-10-20T00:00:00Z")
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	l := line(t, st, "ree", "PAK")
	if math.Abs(l.Credits) > 1e-9 || !strings.Contains(strings.Join(l.Notes, " "), "run event urn:t:ev:E1 consumed 40 dmt of a lot of 10 dmt (60 dmt of it consumed by earlier runs)") {
		t.Errorf("PAK credits %v t (notes %q), want 0: X1 took all of W first", l.Credits, l.Notes)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O1", true)
	if err != nil {
		t.Fatal(err)
	}
	if got := o.Elements["Nd"].Recorded() + o.Elements["Pr"].Recorded(); math.Abs(got) > 1e-9 {
		t.Errorf("O1 holds %v t Nd+Pr, want 0 (E1's input counts nothing)", got)
	}
}

// TestWithinConsumptionToleranceReadAsStated (fix9m): runs whose
// consumption stays within the consumption tolerance of a lot's mass
// (0.5 %, accepted at capture) are read as stated, on every path. W,
// Pakistan, 20 t dry at Nd 5 %: R1 takes 10 t → O1 0.5 t at Nd 60 %
// (0.3 ≤ 0.5 t); R2 takes 10.05 t (20.05 ≤ 20 × 1.005 = 20.1) → O2 0.5 t
// at Nd 60 %. R2's Nd in: 10.05 × 5 % = 0.5025 t (not capped at the
// 0.5 t left); no over_consumed; O2 holds its assayed 0.3 t on all paths.
func TestWithinConsumptionToleranceReadAsStated(t *testing.T) {
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("W", "ree_concentrate", "PAK", 20, "Nd:5"),
		runOf("R1", "b", "2025-10-10T00:00:00Z", []string{"W:10"}, product{lot: "O1", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60"}}),
		runOf("R2", "b", "2025-10-12T00:00:00Z", []string{"W:10.05"}, product{lot: "O2", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60"}}),
	))
	for i, c := range originsOf(t, db, "urn:t:lot:O2") {
		if got := c.Elements["Nd"].Recorded(); math.Abs(got-0.3) > 1e-9 {
			t.Errorf("O2 (%d): Nd %.4f t, want 0.3", i, got)
		}
		if anomalyWith(c.Anomalies, "over_consumed") {
			t.Errorf("O2 (%d): over_consumed within the tolerance (%+v)", i, c.Anomalies)
		}
	}
	c, err := custody.OriginOf(context.Background(), db, "urn:t:lot:O2", true)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rb := range c.Runs {
		for _, l := range rb.Elements {
			if rb.Event == "urn:t:ev:R2" && l.Element == "Nd" {
				found = true
				if math.Abs(l.In-0.5025) > 1e-9 {
					t.Errorf("R2's Nd in %.6f t, want 10.05 × 5 %% = 0.5025", l.In)
				}
			}
		}
	}
	if !found {
		t.Errorf("O2's runs %+v lack R2's Nd balance", c.Runs)
	}
}
