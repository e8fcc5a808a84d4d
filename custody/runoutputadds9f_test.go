package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// feedAtMB commissions lot id (Pakistan, t tonnes dry at Nd 4 % + Pr 1 %)
// at site mb, where a run there may feed it.
func feedAtMB(id string, t float64) string {
	return strings.Replace(feedAt(id, "ree_concentrate", "PAK", t, "Nd:4", "Pr:1"), "mine-PAK\"}", "mb\"}", 1)
}

// novemberEntry is the statement entry of kind at site mb in November
// 2025 booked by event ev.
func novemberEntry(t *testing.T, db critmin.Store, kind, ev string) custody.Entry {
	t.Helper()
	st, err := custody.StatementOf(context.Background(), db, "urn:t:site:mb", "2025-11", nil, time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind == kind && e.Event == ev {
				return e
			}
		}
	}
	t.Fatalf("no %s entry of %s in November", kind, ev)
	return custody.Entry{}
}

// TestRunOutputNamedAgainAdds (issue 9, fix9f, the new-user check): the
// events of one run add up, outputs as inputs. Site mb (mbSvc), P8,
// Pakistan, 100 t at Nd 4 % + Pr 1 %: Nd 100 × 4 % = 4 t, Pr 1 t.
//
//	r8a (Nov 20, run R8): 100 t of P8 → O8, 0.5 t oxide at Nd 60 % + Pr 20 %
//	r8b (Nov 21, run R8, output-only): O8, 10 t
//
// O8 is 0.5 + 10 = 10.5 t (before: 10 t, the 0.5 t lost). Run R8's
// element balance over both events: Nd out 10.5 × 60 % = 6.3 t > 4 ×
// 1.005 = 4.02 t, Pr out 10.5 × 20 % = 2.1 t > 1.005 t → element_gain on
// each (before: none, the balance read r8a's 0.5 t while the origin read
// 10 t × 60 % = 6 t Nd from 4 t). O8's origin never exceeds what the run
// put in: capped at Nd 4 t (6.3 × 4 / 6.3), Pr 1 t. R8's credit: inputs ×
// factor = 100 × (4 % + 1 %) × 0.9 = 4.5 t Nd+Pr; its products hold, capped,
// 4 + 1 = 5 t ≥ 4.5, so no bound and no note (before: "bounded … 0.4 t
// Nd+Pr in 0.5 t", r8a's figure). Another run naming O8 is refused
// naming O8 and R8, which made it (a lot is made once). r8b declared in
// error leaves O8 at r8a's 0.5 t.
func TestRunOutputNamedAgainAdds(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, feedAtMB("P8", 100)); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, runT("r8a", "R8", "2025-11-20T00:00:00Z", "mb", "P8", 100, "O8", 0.5, "")); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, runT("r8b", "R8", "2025-11-21T00:00:00Z", "mb", "", 0, "O8", 10, "")); err != nil {
		t.Fatalf("an output-only event of R8 adding to its own O8: %v", err)
	}
	// r8b sent again (the same event) is one event: it adds nothing more.
	if err := capture(svc, runT("r8b", "R8", "2025-11-21T00:00:00Z", "mb", "", 0, "O8", 10, "")); err != nil {
		t.Fatalf("r8b re-sent: %v", err)
	}
	o8, err := db.FindLot(ctx, "urn:t:lot:O8")
	if err != nil || !near(o8.WetTonnes, 10.5) || !near(o8.DryTonnes, 10.5) {
		t.Errorf("O8: %+v %v, want 0.5 + 10 = 10.5 t", o8, err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O8", true)
	if err != nil {
		t.Fatal(err)
	}
	var gains []string
	for _, a := range o.Anomalies {
		if a.Kind == "element_gain" {
			gains = append(gains, a.Detail)
		}
	}
	for _, want := range []string{"outputs hold 6.3 t Nd but its inputs only 4 t", "outputs hold 2.1 t Pr but its inputs only 1 t"} {
		if !strings.Contains(strings.Join(gains, "\n"), want) {
			t.Errorf("element_gain anomalies %q lack %q", gains, want)
		}
	}
	if !near(o.Elements["Nd"].Recorded(), 4) || !near(o.Elements["Pr"].Recorded(), 1) {
		t.Errorf("O8's origin: Nd %v t, Pr %v t; want capped at what R8's input held, 4 and 1", o.Elements["Nd"].Recorded(), o.Elements["Pr"].Recorded())
	}
	if e := novemberEntry(t, db, "credit", "urn:t:ev:r8a"); !near(e.Tonnes, 4.5) || strings.Contains(e.Note, "0.5 t of ndpr_oxide") {
		t.Errorf("R8's credit %+v, want 4.5 t and no bound on r8a's 0.5 t", e)
	}
	err = capture(svc, runT("t9", "T9", "2025-11-22T00:00:00Z", "mb", "", 0, "O8", 1, ""))
	refused409(t, db, "run T9 naming O8", err, "t9", "lot urn:t:lot:O8 already exists (made by run urn:t:run:R8 (event urn:t:ev:r8a) on 2025-11-20T00:00:00Z): a lot is made once")
	if o8, err := db.FindLot(ctx, "urn:t:lot:O8"); err != nil || !near(o8.WetTonnes, 10.5) {
		t.Errorf("O8 after the refused run: %+v %v, want 10.5 t", o8, err)
	}
	// An ObjectEvent ADD on O8 with ILMD is a second commissioning:
	// refused. One with a quantity alone is a weighing, held to O8's
	// recorded 10.5 t: 3 t is (3 − 10.5) / 10.5 = −71.4 %, refused.
	add := strings.Replace(objectEv("a8", "2025-11-22T00:00:00Z", "urn:t:lot:O8", "ADD", `, "bizStep": "commissioning"`), `"quantityList": [{"epcClass": "urn:t:lot:O8"}]`, `"quantityList": [{"epcClass": "urn:t:lot:O8", "quantity": 3, "uom": "TNE"}]`, 1)
	refused409(t, db, "a weighing ADD of O8 at 3 t", capture(svc, add), "a8", "the lot is recorded at 10.5 t and weighed at 3 t, a difference of −71.4 %")
	again := strings.TrimSuffix(strings.Replace(add, "a8", "a9", 1), "}") + `, "ilmd": {"cm:commodity": "ndpr_oxide"}}`
	refused409(t, db, "a second commissioning of O8", capture(svc, again), "a9", "lot urn:t:lot:O8 already exists (commissioned by event urn:t:ev:r8a")
	// r8b declared in error: O8 is what r8a made, 10.5 − 10 = 0.5 t.
	if err := capture(svc, declared9d(runT("r8b", "R8", "2025-11-21T00:00:00Z", "mb", "", 0, "O8", 10, ""), "2025-11-24T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if o8, err := db.FindLot(ctx, "urn:t:lot:O8"); err != nil || !near(o8.WetTonnes, 0.5) {
		t.Errorf("O8 after r8b is declared in error: %+v %v, want 0.5 t", o8, err)
	}
}

// TestRunOutputNamedAgainCreditBound (fix9f): the credit bound reads what
// the run's events produced together. P7, Pakistan, 100 t at Nd 4 % + Pr
// 1 %; run R7: r7a 100 t of P7 → O7 0.5 t oxide at Nd 60 % + Pr 20 %;
// r7b (output-only) O7 1 t more: O7 is 1.5 t. Nd 1.5 × 60 % = 0.9 ≤ 4 t,
// Pr 1.5 × 20 % = 0.3 ≤ 1 t: balanced. Inputs × factor Nd 100 × 4 % ×
// 0.9 = 3.6 t, Pr 100 × 1 % × 0.9 = 0.9 t; the products hold Nd 0.9 t,
// Pr 0.3 t: the credit is min(3.6, 0.9) + min(0.9, 0.3) = 1.2 t (per
// element, fix9ad) and its note says "Nd 0.9 t, Pr 0.3 t in 1.5 t"
// (before fix9f: Nd 0.3 t, Pr 0.1 t in 0.5 t).
func TestRunOutputNamedAgainCreditBound(t *testing.T) {
	db, svc := mbSvc(t)
	if err := capture(svc, feedAtMB("P7", 100)); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, runT("r7a", "R7", "2025-11-20T00:00:00Z", "mb", "P7", 100, "O7", 0.5, ""), runT("r7b", "R7", "2025-11-21T00:00:00Z", "mb", "", 0, "O7", 1, "")); err != nil {
		t.Fatal(err)
	}
	e := novemberEntry(t, db, "credit", "urn:t:ev:r7a")
	if !near(e.Tonnes, 1.2) || !strings.Contains(e.Note, "Nd 0.9 t, Pr 0.3 t in 1.5 t of ndpr_oxide (lot urn:t:lot:O7)") {
		t.Errorf("R7's credit %+v, want 1.2 t bounded by Nd 0.9 t, Pr 0.3 t in 1.5 t", e)
	}
	o, err := custody.OriginOf(context.Background(), db, "urn:t:lot:O7", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range o.Anomalies {
		if a.Kind == "element_gain" {
			t.Errorf("anomaly %+v: R7 holds 0.9 ≤ 4 t Nd, 0.3 ≤ 1 t Pr", a)
		}
	}
	if !near(o.Elements["Nd"].Recorded(), 0.9) || !near(o.Elements["Pr"].Recorded(), 0.3) {
		t.Errorf("O7: Nd %v, Pr %v t; want 1.5 × 60 %% = 0.9, 1.5 × 20 %% = 0.3", o.Elements["Nd"].Recorded(), o.Elements["Pr"].Recorded())
	}
}

// TestRunProduced (fix9f): ledger.RunProduced, the one definition of what
// a run produced, over the edges ledger.RunLinks makes. Run R: a takes
// 100 t of P → O 0.5 t; b takes 20 t of Q (no output: its edge Q→O
// carries a's 0.5 t again, Carried as the store keeps it); c (output-only) O 10 t (Replay edges P→O, Q→O
// carry c's 10 t). O = 0.5 (a, the earliest) + 10 (c, its own line) =
// 10.5 t — b's edge is a's line, not counted twice.
func TestRunProduced(t *testing.T) {
	q := func(lot string, v float64) critmin.QuantityElement {
		return critmin.QuantityElement{EPCClass: lot, Quantity: &v, UOM: "TNE"}
	}
	var edges []critmin.LotEdge
	var priorIn, priorOut []critmin.QuantityElement
	day := 20
	for _, ev := range []struct {
		id      string
		in, out []critmin.QuantityElement
	}{{"a", []critmin.QuantityElement{q("P", 100)}, []critmin.QuantityElement{q("O", 0.5)}}, {"b", []critmin.QuantityElement{q("Q", 20)}, nil}, {"c", nil, []critmin.QuantityElement{q("O", 10)}}} {
		for _, l := range ledger.RunLinks(priorIn, priorOut, ev.in, ev.out, ev.id) {
			edges = append(edges, critmin.LotEdge{Parent: l.Parent, Child: l.Child, EventID: l.EventID, Kind: l.Kind, ParentQty: l.ParentQty, ParentUOM: l.ParentUOM,
				ChildQty: l.ChildQty, ChildUOM: l.ChildUOM, Run: "R", Replay: l.Replay, Carried: l.Carried, EventTime: time.Date(2025, 11, day, 0, 0, 0, 0, time.UTC)})
		}
		day++
		priorIn, priorOut = append(priorIn, ev.in...), append(priorOut, ev.out...)
	}
	got, unknown := ledger.RunProduced(edges)
	if !near(got["O"], 10.5) || len(unknown) > 0 {
		t.Errorf("RunProduced: %v (unknown %v), want O 0.5 + 10 = 10.5 t", got, unknown)
	}
}
