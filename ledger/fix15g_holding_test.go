package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// fix15gSite builds the site of issue 15, fix15g item 1: lot G, 10 t
// commissioned at mine M owned and held by A; 4 t (B/L a) shipped to S
// and received there for B (owning_party and possessing_party B); the
// rest, 10 − 4 = 6 t, shipped with no quantity (B/L b) and received at S
// naming no party — A's body. The parties differ, so the part does not
// rejoin the body (fix15c3): S holds A's 6 t body and B's 4 t part,
// 10 t in all.
func fix15gSite() (id, s string, evs []*critmin.Event) {
	const lot, mine, site = "urn:lot:G", "urn:site:M", "urn:site:S"
	c := noBodyCommission(lot, mine, 10000)
	c.Destinations = []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:A"}, {Type: "possessing_party", ID: "urn:party:A"}}
	ra := noBodyEv(lot, "ra", 3, "receiving", site, "", "a", kg(4000))
	ra.Destinations = []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:B"}, {Type: "possessing_party", ID: "urn:party:B"}}
	return lot, site, []*critmin.Event{c,
		noBodyEv(lot, "sa", 2, "shipping", mine, site, "a", kg(4000)), ra,
		noBodyEv(lot, "sb", 4, "shipping", mine, site, "b", nil),
		noBodyEv(lot, "rb", 5, "receiving", site, "", "b", kg(6000))}
}

// fix15gNamed names party as ev's source owning_party (CBV 2.0 §7.5).
func fix15gNamed(ev *critmin.Event, party string) *critmin.Event {
	ev.Sources = append(ev.Sources, critmin.SourceDest{Type: "owning_party", ID: party})
	return ev
}

// fix15gRun is a refinery run at site taking kgs of lot (nil: no
// quantity stated).
func fix15gRun(lot, site string, kgs *float64) *critmin.Event {
	q := critmin.QuantityElement{Role: critmin.RoleInput, EPCClass: lot, Quantity: kgs}
	if kgs != nil {
		q.UOM = "KGM"
	}
	return &critmin.Event{EventID: "run", Type: critmin.TransformationEvent, EventTime: at(7), BizLocation: site, Quantities: []critmin.QuantityElement{q}}
}

// TestEventAtSiteOfTwoHoldings (issue 15, fix15g item 1): an event at a
// site where the lot's body (A's 6 t) and another party's part (B's
// 4 t) stand concerns the holding of the party it names as its source
// owning_party (CBV 2.0 §7.5), else the body — the rule fix15e gave
// onward shipments, for weighings, runs and shipments alike
// (docs/identity.md, "Parts moved"):
//   - weighing 3,900 kg naming B: B's part 4 → 3.9 t, the body stays
//     6 t, the lot 6 + 3.9 = 9.9 t (it set the body to 3.9 t: 7.9 t);
//   - weighing 5,900 kg naming nobody, or A: the body 5.9 t, B's 4 t
//     stay, 9.9 t;
//   - run taking 3,000 kg naming B: of B's part, 4 − 3 = 1 t left of it,
//     the body 6 t (it took of the body: 3 t left of it); naming nobody:
//     of the body, 6 − 3 = 3 t, B's 4 t stay; naming B with no quantity:
//     all of B's 4 t;
//   - shipment with no quantity naming B: B's 4 t ship (a part in
//     transit, B's), the body stays in stock at S (the whole lot went
//     in transit); naming nobody: it ships the body, 6 t
//     (ShippedStanding read 6 + 4 = 10 t), B's 4 t stay at S;
//   - shipment of 2,000 kg naming nobody: of the body, 6 − 2 = 4 t left,
//     B's 4 t untouched (it took B's part first, first in first out).
func TestEventAtSiteOfTwoHoldings(t *testing.T) {
	t.Parallel()
	id, s, evs := fix15gSite()
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	after := func(ev *critmin.Event) *critmin.Lot {
		lots, _ := ledger.Replay([]string{id}, append(append([]*critmin.Event(nil), evs...), ev))
		return lots[id]
	}
	base := after(noBodyEv(id, "nothing", 6, "inspecting", s, "", "", nil))
	if len(base.Parts) != 1 || base.Parts[0].Status != critmin.PartReceived || !near(base.RemainingWetTonnes(), 6) || !near(base.Parts[0].LeftTonnes(), 4) || base.Location != s {
		t.Fatalf("fixture: lot %+v; want A's 6 t body and B's 4 t part at S", base)
	}
	weigh := func(kgs float64) *critmin.Event { return noBodyEv(id, "w", 6, "inspecting", s, "", "", kg(kgs)) }

	l := after(fix15gNamed(weigh(3900), "urn:party:B"))
	if !near(l.WetTonnes, 9.9) || !near(l.RemainingWetTonnes(), 6) || !near(l.Parts[0].LeftTonnes(), 3.9) {
		t.Errorf("weighing 3.9 t naming B: lot %v t, body %v t, B's part %v t; want 9.9, 6, 3.9", l.WetTonnes, l.RemainingWetTonnes(), l.Parts[0].LeftTonnes())
	}
	for _, named := range []string{"", "urn:party:A"} {
		ev := weigh(5900)
		if named != "" {
			fix15gNamed(ev, named)
		}
		l = after(ev)
		if !near(l.WetTonnes, 9.9) || !near(l.RemainingWetTonnes(), 5.9) || !near(l.Parts[0].LeftTonnes(), 4) {
			t.Errorf("weighing 5.9 t naming %q: lot %v t, body %v t, B's part %v t; want 9.9, 5.9, 4", named, l.WetTonnes, l.RemainingWetTonnes(), l.Parts[0].LeftTonnes())
		}
	}

	l = after(fix15gNamed(fix15gRun(id, s, kg(3000)), "urn:party:B"))
	if !near(l.Parts[0].LeftTonnes(), 1) || !near(l.RemainingWetTonnes(), 6) || !near(l.WetTonnes, 10) {
		t.Errorf("run of 3 t naming B: B's part %v t left, body %v t; want 1, 6", l.Parts[0].LeftTonnes(), l.RemainingWetTonnes())
	}
	l = after(fix15gRun(id, s, kg(3000)))
	if !near(l.Parts[0].LeftTonnes(), 4) || !near(l.RemainingWetTonnes(), 3) {
		t.Errorf("run of 3 t naming nobody: B's part %v t left, body %v t; want 4, 3", l.Parts[0].LeftTonnes(), l.RemainingWetTonnes())
	}
	l = after(fix15gNamed(fix15gRun(id, s, nil), "urn:party:B"))
	if !near(l.Parts[0].LeftTonnes(), 0) || !near(l.RemainingWetTonnes(), 6) {
		t.Errorf("run with no quantity naming B: B's part %v t left, body %v t; want 0, 6", l.Parts[0].LeftTonnes(), l.RemainingWetTonnes())
	}

	ship := func(kgs *float64) *critmin.Event { return noBodyEv(id, "sx", 6, "shipping", s, "urn:site:T", "x", kgs) }
	l = after(fix15gNamed(ship(nil), "urn:party:B"))
	if len(l.Parts) != 2 || !near(l.Parts[0].LeftTonnes(), 0) || !near(l.Parts[1].Tonnes, 4) || l.Parts[1].Status != critmin.PartInTransit || l.PartOwner(l.Parts[1]) != "urn:party:B" ||
		l.Status == critmin.LotInTransit || !near(l.RemainingWetTonnes(), 6) || l.Location != s {
		t.Errorf("no-quantity shipment naming B: lot %s at %s, body %v t, parts %+v; want B's 4 t in transit, A's 6 t body in stock at S", l.Status, l.Location, l.RemainingWetTonnes(), l.Parts)
	}
	if got, ok := ledger.ShippedStanding(base, fix15gNamed(ship(nil), "urn:party:B")); !ok || !near(got, 4) {
		t.Errorf("ShippedStanding naming B = %v, %v; want B's 4 t", got, ok)
	}
	if got, ok := ledger.ShippedStanding(base, ship(nil)); !ok || !near(got, 6) {
		t.Errorf("ShippedStanding naming nobody = %v, %v; want the body's 6 t (not 6 + 4 = 10)", got, ok)
	}
	l = after(ship(nil))
	if l.Status != critmin.LotInTransit || len(l.Parts) != 1 || !near(l.Parts[0].LeftTonnes(), 4) {
		t.Errorf("no-quantity shipment naming nobody: lot %s, parts %+v; want the body in transit, B's 4 t at S", l.Status, l.Parts)
	}
	l = after(ship(kg(2000)))
	if len(l.Parts) != 2 || !near(l.Parts[0].LeftTonnes(), 4) || !near(l.RemainingWetTonnes(), 4) || l.PartOwner(l.Parts[1]) != "urn:party:A" {
		t.Errorf("shipment of 2 t naming nobody: body %v t, parts %+v; want the body 4 t, B's 4 t untouched, the shipped part A's", l.RemainingWetTonnes(), l.Parts)
	}
}

// TestContainmentUnpackDrawsOldestFirst (issue 15, fix15g item 2): what
// a movement of a packed lot takes beyond its loose rest comes out of its
// containers, oldest packing first (Containment.Unpack): 3 t then 2 t of
// lot K packed into C; 4 t drawn out of C take all 3 t of the first
// packing and 1 t of the second: C holds 5 − 4 = 1 t.
func TestContainmentUnpackDrawsOldestFirst(t *testing.T) {
	t.Parallel()
	pack := func(id string, kgs float64) *critmin.Event {
		return &critmin.Event{EventID: id, Type: critmin.AggregationEvent, Action: "ADD", ParentID: "urn:t:container:C", EventTime: at(2),
			Quantities: []critmin.QuantityElement{{Role: critmin.RoleChild, EPCClass: "urn:lot:K", Quantity: kg(kgs), UOM: "KGM"}}}
	}
	c := ledger.NewContainment(nil)
	c.Apply(pack("p1", 3000))
	c.Apply(pack("p2", 2000))
	c.Unpack("urn:lot:K", "urn:t:container:C", 4)
	var held []float64
	for _, p := range c.Of("urn:lot:K") {
		w, _ := ledger.PackedWet(p, 0)
		held = append(held, w)
	}
	if len(held) != 1 || math.Abs(held[0]-1) > 1e-9 {
		t.Errorf("C holds %v of lot K; want one packing with 2 − 1 = 1 t (the first emptied)", held)
	}
}
