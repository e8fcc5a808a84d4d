package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// bodyLeftEvents (issue 15, fix15n): lot L, 10,000 kg commissioned at
// mine M by party A; 4,000 kg shipped M→Karachi K on B/L a and received
// there by party B (owner and custodian: B's part, which does not rejoin
// A's body); the 6 t body shipped M→K on b with no quantity and received
// at K with none (A's 6 t body and B's 4 t part at K); then the body
// shipped K→Q on c with NO quantity: what stands of A at K leaves, B's
// 4 t part stays at K.
func bodyLeftEvents(id string) []*critmin.Event {
	const m, k, q = "urn:site:M", "urn:site:K", "urn:site:Q"
	b := []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:B"}, {Type: "possessing_party", ID: "urn:party:B"}}
	c := partyCommission(id, m, 10000, "urn:party:A")
	c.Mineral = &critmin.MineralFacts{Commodity: "antimony_ore"}
	return []*critmin.Event{c,
		partyEv(id, "sa", 2, "shipping", m, k, "a", 4000),
		partyEv(id, "ra", 3, "receiving", k, "", "a", 4000, b...),
		partyEv(id, "sb", 4, "shipping", m, k, "b", 0),
		partyEv(id, "rb", 5, "receiving", k, "", "b", 0),
		partyEv(id, "sc", 6, "shipping", k, q, "c", 0)}
}

// packAtK packs kgs kilograms of lot id into container C at K on day 7,
// naming party as its source owner when party is not "".
func packAtK(id string, kgs float64, party string) *critmin.Event {
	e := &critmin.Event{EventID: "p", Type: critmin.AggregationEvent, Action: "ADD", BizStep: "packing", EventTime: at(7), BizLocation: "urn:site:K", ParentID: "urn:container:C",
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleChild, EPCClass: id, Quantity: kg(kgs), UOM: "KGM"}}}
	if party != "" {
		e.Sources = []critmin.SourceDest{{Type: "owning_party", ID: party}}
	}
	return e
}

// TestPackingWhereTheBodyLeft (issue 15, fix15n): after bodyLeftEvents
// the lot is 10 t: A's 6 t body in transit K→Q, B's 4 t part standing at
// K. The body has left K (ledger.BodyStands is false there):
//   - packing 9 t at K is refused: 4 t stand there (it was judged
//     against the lot's 10 t and accepted);
//   - packing 4 t of B's part at K is accepted; after it the body is
//     still in transit (it read in_stock at K, 10 t) and the lot 10 t.
func TestPackingWhereTheBodyLeft(t *testing.T) {
	t.Parallel()
	const id, k = "urn:lot:L", "urn:site:K"
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	evs := bodyLeftEvents(id)
	l := projectAll(id, evs...)
	if l.Status != critmin.LotInTransit || !near(l.WetTonnes, 10) {
		t.Fatalf("before packing: lot %s, %v t; want in_transit, 10 t", l.Status, l.WetTonnes)
	}
	if ledger.BodyStands(l, k) {
		t.Errorf("BodyStands(K) after the body shipped from K: true; want false")
	}
	if st, ok := ledger.StandingAt(l, k); !ok || st.Body || !near(st.WetTonnes, 4) {
		t.Errorf("standing at K %+v %v; want B's 4 t part, no body", st, ok)
	}
	lot := func(string) *critmin.Lot { c := *l; return &c }
	if errs := ledger.CheckPacking(packAtK(id, 9000, ""), lot); len(errs) != 1 || errs[0].Pointer != "/childQuantityList/0/quantity" {
		t.Errorf("9 t packed at K where 4 t stand: %+v; want one refusal at /childQuantityList/0/quantity", errs)
	}
	if errs := ledger.CheckPacking(packAtK(id, 4000, "urn:party:B"), lot); len(errs) != 0 {
		t.Errorf("B's 4 t packed at K: %+v; want accepted", errs)
	}
	l = projectAll(id, append(evs, packAtK(id, 4000, "urn:party:B"))...)
	if l.Status != critmin.LotInTransit || !near(l.WetTonnes, 10) || ledger.BodyStands(l, k) {
		t.Errorf("after packing B's 4 t at K: lot %s at %s, %v t; want the body still in transit, 10 t", l.Status, l.Location, l.WetTonnes)
	}
	if st, ok := ledger.StandingAt(l, k); !ok || st.Body || !near(st.WetTonnes, 4) {
		t.Errorf("standing at K after packing %+v %v; want B's 4 t part only", st, ok)
	}
}
