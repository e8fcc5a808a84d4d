package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// noBodyEv is an ObjectEvent OBSERVE of lot id at loc: a dispatch to dest
// under bill of lading bol when dest is set; kgs its quantity (nil: none).
func noBodyEv(id, eid string, day int, step, loc, dest, bol string, kgs *float64) *critmin.Event {
	e := &critmin.Event{EventID: eid, Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: step, EventTime: at(day), BizLocation: loc,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: id, Quantity: kgs}}}
	if kgs != nil {
		e.Quantities[0].UOM = "KGM"
	}
	if dest != "" {
		e.Disposition = "in_transit"
		e.Destinations = []critmin.SourceDest{{Type: "location", ID: dest}}
	}
	if bol != "" {
		e.BizTransactions = []critmin.BizTransaction{{Type: "bol", ID: bol}}
	}
	return e
}

func noBodyCommission(id, site string, kgs float64) *critmin.Event {
	return &critmin.Event{EventID: "c", Type: critmin.ObjectEvent, Action: "ADD", BizStep: "commissioning", EventTime: at(1), BizLocation: site,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: id, Quantity: kg(kgs), UOM: "KGM"}}, Mineral: &critmin.MineralFacts{Commodity: "antimony_ore"}}
}

// TestNoBodyWeighingReplacesSite (issue 15, fix15r item 1): a lot whose
// every tonne left as parts with their weights stated has no body; a
// weighing at a site where parts of it stand weighs those parts and
// replaces that site's standing mass — it does not add to the parts.
// Lot 30 t at mine M; D1 and D2 ship 15 t each, so nothing stands at M.
//   - both received at port P: a 29.8 t weighing at P is the lot's total,
//     29.8 t (was 29.8 + 30 = 59.8 t);
//   - D1 received at P, D2 at Q: 14.9 t weighed at Q: 15 (P) + 14.9 (Q)
//     = 29.9 t (was 14.9 + 30 = 44.9 t);
//   - both received at P, D3 ships 15 t from P back to M, received
//     there: 14.9 t weighed at M: 15 (P: 30 − 15 shipped on) + 14.9 (M)
//     = 29.9 t, not 14.9 + 30 = 44.9 t or more.
func TestNoBodyWeighingReplacesSite(t *testing.T) {
	t.Parallel()
	const id, mine, port, quay = "urn:lot:NB", "urn:site:M", "urn:site:P", "urn:site:Q"
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	ev := func(eid string, day int, step, loc, dest, bol string, kgs *float64) *critmin.Event {
		return noBodyEv(id, eid, day, step, loc, dest, bol, kgs)
	}
	for _, c := range []struct {
		name string
		evs  []*critmin.Event
		want float64
	}{
		{"both at P", []*critmin.Event{
			ev("d1", 2, "shipping", mine, port, "D1", kg(15000)), ev("d2", 3, "shipping", mine, port, "D2", kg(15000)),
			ev("r1", 4, "receiving", port, "", "D1", kg(15000)), ev("r2", 5, "receiving", port, "", "D2", kg(15000)),
			ev("w", 6, "inspecting", port, "", "", kg(29800))}, 29.8},
		{"P and Q", []*critmin.Event{
			ev("d1", 2, "shipping", mine, port, "D1", kg(15000)), ev("d2", 3, "shipping", mine, quay, "D2", kg(15000)),
			ev("r1", 4, "receiving", port, "", "D1", kg(15000)), ev("r2", 5, "receiving", quay, "", "D2", kg(15000)),
			ev("w", 6, "inspecting", quay, "", "", kg(14900))}, 29.9},
		{"back to M", []*critmin.Event{
			ev("d1", 2, "shipping", mine, port, "D1", kg(15000)), ev("d2", 3, "shipping", mine, port, "D2", kg(15000)),
			ev("r1", 4, "receiving", port, "", "D1", kg(15000)), ev("r2", 5, "receiving", port, "", "D2", kg(15000)),
			ev("d3", 6, "shipping", port, mine, "D3", kg(15000)), ev("r3", 7, "receiving", mine, "", "D3", kg(15000)),
			ev("w", 8, "inspecting", mine, "", "", kg(14900))}, 29.9},
	} {
		lots, _ := ledger.Replay([]string{id}, append([]*critmin.Event{noBodyCommission(id, mine, 30000)}, c.evs...))
		if l := lots[id]; !near(l.WetTonnes, c.want) {
			t.Errorf("%s: lot reads %v t after the weighing, want %v (parts %+v)", c.name, l.WetTonnes, c.want, l.Parts)
		}
	}
}

// TestWeighingWhereNothingStands (issue 15, fix15r item 2): a part
// received at P and shipped on from there in full leaves nothing of the
// lot at P; a weighing at P states nothing of the lot (custody refuses
// it at capture; a stored one must not add). Lot 30 t at M: D1 10 t to P,
// received 10 t; D2 ships the 10 t on from P to Q. 9.9 t weighed at P:
// the total stays 30 t (was 30 + 9.9 = 39.9 t).
func TestWeighingWhereNothingStands(t *testing.T) {
	t.Parallel()
	const id, mine, port, quay = "urn:lot:NS", "urn:site:M", "urn:site:P", "urn:site:Q"
	ev := func(eid string, day int, step, loc, dest, bol string, kgs *float64) *critmin.Event {
		return noBodyEv(id, eid, day, step, loc, dest, bol, kgs)
	}
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{noBodyCommission(id, mine, 30000),
		ev("d1", 2, "shipping", mine, port, "D1", kg(10000)), ev("r1", 3, "receiving", port, "", "D1", kg(10000)),
		ev("d2", 4, "shipping", port, quay, "D2", kg(10000)), ev("w", 5, "inspecting", port, "", "", kg(9900))})
	if l := lots[id]; math.Abs(l.WetTonnes-30) > 1e-9 {
		t.Fatalf("lot reads %v t after a weighing where nothing of it stands, want 30 (parts %+v)", l.WetTonnes, l.Parts)
	}
}

// TestRejoinedPartDryReceived (issue 15, fix15r item 7): a rejoined
// part's dry tonnes are of its received weight, as its mass is. Lot 30 t
// at 8 % at M; D1 ships 5 t to P (at 10 % on dispatch), received there
// 5 t; D2 ships 5 t from P back to M, received at M as 4.9 t: the D2
// part rejoins and its dry reads 4.9 × (1 − 0.10) = 4.41 t, not the
// shipped 5 × 0.9 = 4.5 t.
func TestRejoinedPartDryReceived(t *testing.T) {
	t.Parallel()
	const id, mine, port = "urn:lot:RD", "urn:site:M", "urn:site:P"
	ev := func(eid string, day int, step, loc, dest, bol string, kgs *float64) *critmin.Event {
		return noBodyEv(id, eid, day, step, loc, dest, bol, kgs)
	}
	m8, m10 := 0.08, 0.10
	c := noBodyCommission(id, mine, 30000)
	c.Mineral.Moisture = &m8
	d1 := ev("d1", 2, "shipping", mine, port, "D1", kg(5000))
	d1.Mineral = &critmin.MineralFacts{Moisture: &m10}
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{c, d1,
		ev("r1", 3, "receiving", port, "", "D1", kg(5000)), ev("d2", 4, "shipping", port, mine, "D2", kg(5000)),
		ev("r2", 5, "receiving", mine, "", "D2", kg(4900))})
	l := lots[id]
	var p *critmin.LotPart
	for i := range l.Parts {
		if l.Parts[i].ShipEventID == "d2" {
			p = &l.Parts[i]
		}
	}
	if p == nil || p.Status != critmin.PartRejoined {
		t.Fatalf("parts %+v: want d2's rejoined", l.Parts)
	}
	if got := p.DryTonnes(l.Moisture); math.Abs(got-4.41) > 1e-9 {
		t.Errorf("rejoined part dry %v t, want 4.41 (4.9 received × 0.9)", got)
	}
}

// TestNoBodyOnwardKeepsStock (issue 15, fix15r item 4): shipping on a
// part of a lot with no body does not put the whole lot in transit while
// other parts stand received elsewhere. Lot 30 t at M: D1 20 t to P,
// received; D2 the last 10 t to Q, received (the lot follows it: at Q,
// in stock); D3 ships the 10 t on from Q to R: 20 t still stand at P,
// so the lot stays in stock, total 30 t (20 at P + 10 in transit).
func TestNoBodyOnwardKeepsStock(t *testing.T) {
	t.Parallel()
	const id, mine, port, quay, dest = "urn:lot:NO", "urn:site:M", "urn:site:P", "urn:site:Q", "urn:site:R"
	ev := func(eid string, day int, step, loc, dest, bol string, kgs *float64) *critmin.Event {
		return noBodyEv(id, eid, day, step, loc, dest, bol, kgs)
	}
	r := func(eid string, day int, loc, bol string, kgs *float64) *critmin.Event {
		e := ev(eid, day, "receiving", loc, "", bol, kgs)
		e.Disposition = "in_progress"
		return e
	}
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{noBodyCommission(id, mine, 30000),
		ev("d1", 2, "shipping", mine, port, "D1", kg(20000)), r("r1", 3, port, "D1", kg(20000)),
		ev("d2", 4, "shipping", mine, quay, "D2", kg(10000)), r("r2", 5, quay, "D2", kg(10000)),
		ev("d3", 6, "shipping", quay, dest, "D3", kg(10000))})
	l := lots[id]
	if l.Status == critmin.LotInTransit || math.Abs(l.WetTonnes-30) > 1e-9 || math.Abs(l.InTransitTonnes()-10) > 1e-9 {
		t.Fatalf("lot %s, %v t (in transit %v t); want in stock, 30 t (10 in transit) — parts %+v", l.Status, l.WetTonnes, l.InTransitTonnes(), l.Parts)
	}
}
