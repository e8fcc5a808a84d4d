package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// packAt is a packing (or, with action DELETE, an unpacking, or with
// typ AssociationEvent an association) of kgs of lot id into parent at
// loc on day.
func packAt(typ string, action, id, eid string, day int, loc, parent string, kgs float64) *critmin.Event {
	return &critmin.Event{EventID: eid, Type: typ, Action: action, BizStep: "packing", EventTime: at(day), BizLocation: loc, ReadPoint: loc, ParentID: parent,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleChild, EPCClass: id, Quantity: kg(kgs), UOM: "KGM"}}}
}

// TestPackingWherePartStandsConcernsPart (issue 15, fix15z F1): lot C,
// 20 t at 8 % at mine M; 5 t shipped to port K (BoL C1) and received
// there at 5 t: 15 t (body) at M, 5 t at K. An event at K other than a
// receipt or a send concerns the part (docs/forms.md): packing 2 t of C
// into a container at K — and likewise an unpacking, an observation of
// the aggregation, or an association — leaves the body at M with 15 t
// and the part received (not rejoined) with 5 t at K. (The packing moved
// the 15 t body to K: standsAt read K 20 t, body.)
func TestPackingWherePartStandsConcernsPart(t *testing.T) {
	t.Parallel()
	const id, mine, port, box = "urn:lot:C", "urn:site:M", "urn:site:K", "urn:box:1"
	cases := []struct {
		name string
		ev   *critmin.Event
	}{
		{"aggregation ADD", packAt(critmin.AggregationEvent, "ADD", id, "p", 4, port, box, 2000)},
		{"aggregation OBSERVE", packAt(critmin.AggregationEvent, "OBSERVE", id, "p", 4, port, box, 2000)},
		{"aggregation DELETE", packAt(critmin.AggregationEvent, "DELETE", id, "p", 4, port, box, 2000)},
		{"association ADD", packAt(critmin.AssociationEvent, "ADD", id, "p", 4, port, box, 2000)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := 0.08
			c := noBodyCommission(id, mine, 20000)
			c.Mineral.Moisture = &m
			lots, _ := ledger.Replay([]string{id}, []*critmin.Event{c,
				noBodyEv(id, "s", 2, "shipping", mine, port, "C1", kg(5000)),
				noBodyEv(id, "r", 3, "receiving", port, "", "C1", kg(5000)), tc.ev})
			l := lots[id]
			if l.Location != mine {
				t.Errorf("location %q, want %q (the body did not move)", l.Location, mine)
			}
			if len(l.Parts) != 1 || l.Parts[0].Status != critmin.PartReceived {
				t.Fatalf("parts %+v, want one received part", l.Parts)
			}
			// 20 − 5 = 15 t at M (body), 5 t at K; dry 15 × 0.92 = 13.8 t.
			st := ledger.StandsAt(l)
			if len(st) != 2 || st[0].Site != mine || !st[0].Body || math.Abs(st[0].WetTonnes-15) > 1e-9 || math.Abs(st[0].DryTonnes-13.8) > 1e-9 ||
				st[1].Site != port || st[1].Body || math.Abs(st[1].WetTonnes-5) > 1e-9 {
				t.Errorf("standsAt %+v; want M 15 t (body, 13.8 t dry), K 5 t", st)
			}
			if math.Abs(l.WetTonnes-20) > 1e-9 {
				t.Errorf("total %v t, want 20", l.WetTonnes)
			}
		})
	}
}

// TestPackingAfterRunWherePartStands (issue 15, fix15z F1, 2nd case):
// lot D, 18 t at mine M; 10 t shipped to K and received at 9.95 t:
// body 18 − 10 = 8 t at M (total 17.95 t); a run at K takes 9 t of the
// part: 9.95 − 9 = 0.95 t stand at K. Packing 1.09 t at K leaves K at
// 0.95 t (it read 17.96 t: the body moved there and merged) and M at
// 8 t.
func TestPackingAfterRunWherePartStands(t *testing.T) {
	t.Parallel()
	const id, mine, port = "urn:lot:D", "urn:site:M", "urn:site:K"
	run := &critmin.Event{EventID: "run", Type: critmin.TransformationEvent, EventTime: at(4), BizLocation: port,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: id, Quantity: kg(9000), UOM: "KGM"}}}
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{noBodyCommission(id, mine, 18000),
		noBodyEv(id, "s", 2, "shipping", mine, port, "D1", kg(10000)),
		noBodyEv(id, "r", 3, "receiving", port, "", "D1", kg(9950)), run,
		packAt(critmin.AggregationEvent, "ADD", id, "p", 5, port, "urn:box:2", 1090)})
	l := lots[id]
	st := ledger.StandsAt(l)
	if len(st) != 2 || st[0].Site != mine || math.Abs(st[0].WetTonnes-8) > 1e-9 || st[1].Site != port || math.Abs(st[1].WetTonnes-0.95) > 1e-9 {
		t.Errorf("standsAt %+v; want M 8 t (body), K 0.95 t", st)
	}
}
