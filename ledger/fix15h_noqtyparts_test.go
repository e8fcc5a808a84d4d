package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// noQtyPartsEvents is the new-user check of issue 15 (fix15h), as the web
// forms capture it: lot A commissioned 20,000 kg at mine M (owner fwo);
// 8,000 kg shipped to Karachi K on B1 and 5,000 kg on B2 (parts in
// transit, the 7 t body stays at M); received at K 7,950 kg on B1 (owner
// ussm) and 5,010 kg on B2 (owner carrier); 4,000 kg packed into C1 at K
// and C1 shipped with the lot at 4,000 kg on B3 to Houston H; then the
// lot shipped from K on B4 with NO quantity.
func noQtyPartsEvents(id string) []*critmin.Event {
	const m, k, h, c1 = "urn:site:M", "urn:site:K", "urn:site:H", "urn:container:C1"
	owner := func(e *critmin.Event, who string) *critmin.Event {
		e.Destinations = append(e.Destinations, critmin.SourceDest{Type: "owning_party", ID: who})
		return e
	}
	c := noBodyCommission(id, m, 20000)
	c.Destinations = []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:fwo"}}
	pack := &critmin.Event{EventID: "p", Type: critmin.AggregationEvent, Action: "ADD", BizStep: "packing", EventTime: at(6), BizLocation: k, ParentID: c1,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleChild, EPCClass: id, Quantity: kg(4000), UOM: "KGM"}}}
	b3 := noBodyEv(id, "s3", 7, "shipping", k, h, "B3", kg(4000))
	b3.EPCs = []critmin.EPCRef{{EPC: c1}}
	return []*critmin.Event{c,
		noBodyEv(id, "s1", 2, "shipping", "urn:site:M", k, "B1", kg(8000)),
		noBodyEv(id, "s2", 3, "shipping", "urn:site:M", k, "B2", kg(5000)),
		owner(noBodyEv(id, "r1", 4, "receiving", k, "", "B1", kg(7950)), "urn:party:ussm"),
		owner(noBodyEv(id, "r2", 5, "receiving", k, "", "B2", kg(5010)), "urn:party:carrier"),
		pack, b3,
		noBodyEv(id, "s4", 8, "shipping", k, h, "B4", nil)}
}

// TestNoQuantityShipmentTakesThePartsAtItsSite (issue 15, fix15h): a
// shipment with no quantity at a site where the lot's body is not ships
// what stands of the lot there — every party's received parts there, as
// the Ship preview says (ledger.ShippedStanding) — never the body
// elsewhere. Hand-worked:
//   - after B1, B2 received: 7 t body at M (20 − 8 − 5), 7.95 (ussm) +
//     5.01 (carrier) = 12.96 t at K; total 7 + 12.96 = 19.96 t;
//   - B3 ships 4 t on from K: 8.96 t stand at K, 4 t in transit;
//   - B4, no quantity, from K: ships the 8.96 t standing at K. Expected:
//     7 t at M (the lot stays there, in stock), 0 t at K, 12.96 t in
//     transit (4 on B3 + 8.96 on B4), total 19.96 t. (It moved the lot's
//     body: the lot read in transit from K, 8.96 t "at K", the 7 t at M
//     gone, parts adding to 12.96 t of a 19.96 t total.)
//   - B4 received at H, 8,950 kg: that part becomes 8.95 t at H; the
//     total 20 − 0.05 + 0.01 − 0.01 = 19.95 t (7 at M + 4 in transit +
//     8.95 at H). (It read 21.91 t: the mine's 7 t became the receipt.)
func TestNoQuantityShipmentTakesThePartsAtItsSite(t *testing.T) {
	t.Parallel()
	const id, m, k, h = "urn:lot:A", "urn:site:M", "urn:site:K", "urn:site:H"
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	evs := noQtyPartsEvents(id)
	standing := func(l *critmin.Lot, site string) float64 {
		s, _ := ledger.StandingAt(l, site)
		return s.WetTonnes
	}
	before := projectAll(id, evs[:len(evs)-1]...)
	if got, ok := ledger.ShippedStanding(before, evs[len(evs)-1]); !ok || !near(got, 8.96) {
		t.Fatalf("B4 ships %v t (%v); want 12.96 − 4 = 8.96 t standing at K", got, ok)
	}
	l := projectAll(id, evs...)
	if l.Status == critmin.LotInTransit || l.Location != m || !near(l.WetTonnes, 19.96) {
		t.Errorf("after B4: lot %s at %s, %v t; want in stock at M, 19.96 t (parts %+v)", l.Status, l.Location, l.WetTonnes, l.Parts)
	}
	if got := standing(l, m); !near(got, 7) {
		t.Errorf("after B4: %v t at M, want the 7 t body", got)
	}
	if got := standing(l, k); got > 1e-9 {
		t.Errorf("after B4: %v t at K, want 0 (every party's parts there shipped on B4)", got)
	}
	if got := l.InTransitTonnes(); !near(got, 12.96) {
		t.Errorf("after B4: %v t in transit, want 4 (B3) + 8.96 (B4) = 12.96", got)
	}
	rcv := noBodyEv(id, "r4", 9, "receiving", h, "", "B4", kg(8950))
	l = projectAll(id, append(evs, rcv)...)
	if !near(l.WetTonnes, 19.95) || !near(standing(l, m), 7) || !near(standing(l, h), 8.95) || !near(l.InTransitTonnes(), 4) {
		t.Errorf("after B4's receipt: %v t, %v at M, %v at H, %v in transit; want 19.95 = 7 + 8.95 + 4 (parts %+v)",
			l.WetTonnes, standing(l, m), standing(l, h), l.InTransitTonnes(), l.Parts)
	}
	var b4 *ledger.Outturn
	for _, o := range ledger.Outturns(id, append(evs, rcv)) {
		if o.BillOfLading == "B4" {
			b4 = &o
		}
	}
	if b4 == nil || !near(b4.ShippedTonnes, 8.96) || b4.Anomaly != "" {
		t.Errorf("outturn of B4 %+v; want 8.96 t shipped, 8.95 received (−0.11 %%), no anomaly", b4)
	}
}
