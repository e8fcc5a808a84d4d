package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// fix15oEmptied is the new-user check's lot H1 (issue 15, fix15o item
// 1): 10 t commissioned at K for FWO; 4 t shipped K→H under H-1 and
// received there for USSM; then a shipment from H stating no quantity
// (H-2, to S) ships USSM's 4 t on. Nothing of H1 stands at H after it;
// the body, 10 − 4 = 6 t, stands at K.
func fix15oEmptied() (id, k, h string, evs []*critmin.Event) {
	const lot, ks, hs, s = "urn:lot:H1", "urn:site:K", "urn:site:H", "urn:site:S"
	c := noBodyCommission(lot, ks, 10000)
	c.Destinations = []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:fwo"}}
	r1 := noBodyEv(lot, "r1", 5, "receiving", hs, "", "H-1", kg(4000))
	r1.Destinations = []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:ussm"}}
	return lot, ks, hs, []*critmin.Event{c, noBodyEv(lot, "s1", 2, "shipping", ks, hs, "H-1", kg(4000)), r1,
		noBodyEv(lot, "s2", 6, "shipping", hs, s, "H-2", nil)}
}

// TestDispatchFromEmptiedSiteMovesNothing (issue 15, fix15o item 1): a
// further dispatch from H, dated 8, where nothing of H1 stands (USSM's
// 4 t part was shipped on by H-2), ships nothing — with no quantity
// (shipping, departing, loading) or with 2,000 kg. The lot stays as H-2
// left it: 10 t, its 6 t body in stock at K (BodyStands), USSM's 4 t
// in transit H→S, and the dispatch's own part, flagged (FromRetracted:
// 0 t when it states none, else its 2 t) and counted nowhere, so that a
// receipt of it receives nothing (issue 15, fix15q; it moved the 6 t
// body at K in transit H→K before fix15o, then left no part, and its
// shipment page still read "in transit"). DispatchFromNothing says so of the lot before it, not of a
// shipment from K (the body's site), nor of a departure at H under H-2
// (that part moving on: it goes to S2, the body stays at K).
func TestDispatchFromEmptiedSiteMovesNothing(t *testing.T) {
	t.Parallel()
	id, k, h, evs := fix15oEmptied()
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	before := projectAll(id, evs...)
	if !near(before.RemainingWetTonnes(), 6) || len(before.Parts) != 2 || !near(before.Parts[1].Tonnes, 4) || before.Parts[1].Owner != "urn:party:ussm" {
		t.Fatalf("after H-2: body %v t, parts %+v; want 6 t at K, USSM's 4 t shipped on", before.RemainingWetTonnes(), before.Parts)
	}
	for _, c := range []struct {
		step string
		kgs  *float64
	}{{"shipping", nil}, {"departing", nil}, {"loading", nil}, {"shipping", kg(2000)}} {
		ev := noBodyEv(id, "s9", 8, c.step, h, k, "H-9", c.kgs)
		if !ledger.DispatchFromNothing(projectAll(id, evs...), ev) {
			t.Errorf("%s %v from H: DispatchFromNothing false; want true (nothing stands at H)", c.step, c.kgs)
		}
		l := projectAll(id, append(append([]*critmin.Event(nil), evs...), ev)...)
		if l.Status == critmin.LotInTransit || l.Location != k || !ledger.BodyStands(l, k) || !near(l.RemainingWetTonnes(), 6) || !near(l.WetTonnes, 10) || len(l.Parts) != 3 || !l.Parts[2].FromRetracted || !near(l.InTransitTonnes(), 4) {
			t.Errorf("%s %v from H: lot %s at %s, %v t, body %v t, parts %+v; want in stock at K, 10 t, body 6 t, the 2 parts and the dispatch's flagged",
				c.step, c.kgs, l.Status, l.Location, l.WetTonnes, l.RemainingWetTonnes(), l.Parts)
		}
	}
	if ledger.DispatchFromNothing(before, noBodyEv(id, "s9", 8, "shipping", k, h, "H-9", nil)) {
		t.Errorf("a shipment from K, where the 6 t body stands: DispatchFromNothing true")
	}
	dep := noBodyEv(id, "d2", 8, "departing", h, "urn:site:S2", "H-2", nil)
	if ledger.DispatchFromNothing(before, dep) {
		t.Errorf("a departure at H under H-2 (the part at sea moving on): DispatchFromNothing true")
	}
	l := projectAll(id, append(append([]*critmin.Event(nil), evs...), dep)...)
	if l.Status == critmin.LotInTransit || !ledger.BodyStands(l, k) || len(l.Parts) != 2 || l.Parts[1].To != "urn:site:S2" {
		t.Errorf("departure under H-2: lot %s at %s, parts %+v; want the part bound for S2, the body in stock at K", l.Status, l.Location, l.Parts)
	}
}

// TestNamedOwnerShipsOnlyItsHolding (issue 15, fix15o item 2): at S,
// A's 6 t body and B's 4 t part (fix15gSite). A shipment of 5,000 kg
// naming B as its source owning_party ships B's holding only: HoldingOf
// is B's part, named, 4 t. 5 t are more than B's part holds (5 > 4 ×
// 1.005 = 4.02): capture refuses it, and one stored before takes of
// nothing — a part of B's alone, flagged (FromRetracted), counted
// nowhere — B's part keeps its 4 t (issue 15, fix15q: it was booked
// 5 t shipped on, −1 t left) and A's body stays 6 t (fix15o: it took
// 4 t of B's and 1 t of A's body: body 5 t, part owned by [B, A]).
// Naming A, 7,000 kg are more than A's 6 t body (7 > 6 × 1.005 =
// 6.03): flagged too, A's part, the body 6 t, B's 4 t part untouched
// (it took B's part first). Naming X, who holds nothing at S where A
// and B do (NamedAbsent), 2,000 kg take of nobody's holding: flagged,
// X's (HoldingOf itself still falls back to the body for what it
// weighs or feeds). The body's 6 t shipped with no quantity moved whole
// (fix15gSite): B's part is the lot's only part before.
func TestNamedOwnerShipsOnlyItsHolding(t *testing.T) {
	t.Parallel()
	id, s, evs := fix15gSite()
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	ship := func(party string, kgs float64) *critmin.Event {
		return fix15gNamed(noBodyEv(id, "s5", 8, "shipping", s, "urn:site:K", "c", kg(kgs)), "urn:party:"+party)
	}
	before := projectAll(id, evs...)
	if h, ok := ledger.HoldingOf(before, ship("B", 5000)); !ok || !h.Named || h.Party != "urn:party:B" || h.Body || !near(h.WetTonnes, 4) {
		t.Errorf("HoldingOf naming B: %+v %v; want B's part, named, 4 t", h, ok)
	}
	if h, ok := ledger.HoldingOf(before, ship("X", 5000)); !ok || h.Named || !h.Body || !near(h.WetTonnes, 6) {
		t.Errorf("HoldingOf naming X (holds nothing at S): %+v %v; want the body, not named, 6 t", h, ok)
	}
	if _, absent := ledger.NamedAbsent(before, ship("B", 5000)); absent {
		t.Errorf("NamedAbsent naming B, who holds 4 t at S: true")
	}
	if p, absent := ledger.NamedAbsent(before, ship("X", 2000)); !absent || p != "urn:party:X" {
		t.Errorf("NamedAbsent naming X: %q %v; want urn:party:X, true", p, absent)
	}
	l := projectAll(id, append(append([]*critmin.Event(nil), evs...), ship("B", 5000))...)
	if len(l.Parts) != 2 || l.Parts[0].ShippedOnTonnes != 0 || !near(l.Parts[0].LeftTonnes(), 4) || !near(l.RemainingWetTonnes(), 6) || !near(l.WetTonnes, 10) {
		t.Fatalf("5 t naming B: body %v t, lot %v t, parts %+v; want B's part 4 t untouched, body 6 t, 10 t", l.RemainingWetTonnes(), l.WetTonnes, l.Parts)
	}
	if p := l.Parts[1]; !near(p.Tonnes, 5) || !p.FromRetracted || l.PartOwner(p) != "urn:party:B" || len(p.Owners) != 0 || !near(l.InTransitTonnes(), 0) {
		t.Errorf("shipped part %+v, %v t in transit; want 5 t of B alone, flagged, 0 t in transit", p, l.InTransitTonnes())
	}
	l = projectAll(id, append(append([]*critmin.Event(nil), evs...), ship("A", 7000))...)
	if len(l.Parts) != 2 || l.Parts[0].ShippedOnTonnes != 0 || !near(l.Parts[0].LeftTonnes(), 4) || !l.Parts[1].FromRetracted || l.PartOwner(l.Parts[1]) != "urn:party:A" || !near(l.RemainingWetTonnes(), 6) {
		t.Errorf("7 t naming A: body %v t, parts %+v; want B's 4 t untouched, the body 6 t, the shipped part A's, flagged", l.RemainingWetTonnes(), l.Parts)
	}
	l = projectAll(id, append(append([]*critmin.Event(nil), evs...), ship("X", 2000))...)
	if len(l.Parts) != 2 || !near(l.Parts[0].LeftTonnes(), 4) || !l.Parts[1].FromRetracted || l.PartOwner(l.Parts[1]) != "urn:party:X" || !near(l.RemainingWetTonnes(), 6) {
		t.Errorf("2 t naming X: body %v t, parts %+v; want the body 6 t and B's 4 t untouched, the shipped part X's, flagged", l.RemainingWetTonnes(), l.Parts)
	}
	for _, c := range []string{"B", "A", "X"} {
		if err := ledger.CheckHoldings(projectAll(id, append(append([]*critmin.Event(nil), evs...), ship(c, 7000))...)); err != nil {
			t.Errorf("7 t naming %s: %v", c, err)
		}
	}
}
