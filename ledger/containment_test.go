package ledger_test

import (
	"math"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestPartialUnpack: an AggregationEvent DELETE naming part of a lot
// (childQuantityList with a mass) takes out only that part (EPCIS 2.0
// §7.3.5.3), oldest packing first.
//
//	quantities: L packed 3,000 kg then 2,000 kg into C; DELETE 4,000 kg
//	  takes all 3 t of the first packing (gone) and 1 t of the second:
//	  2 − 1 = 1 t stays in.
//	whole: W (10 t) packed without a quantity; DELETE 2.5 t leaves
//	  10 − 2.5 = 7.5 t in; its mass unknown, what stays is unknown.
//	no quantity: a DELETE line without one takes the whole lot out.
func TestPartialUnpack(t *testing.T) {
	const c = "urn:epc:id:sscc:0614141.9000000001"
	kg := func(v float64) *float64 { return &v }
	agg := func(id, action string, day int, lot string, q *float64) *critmin.Event {
		return &critmin.Event{Type: critmin.AggregationEvent, EventID: id, Action: action, ParentID: c, EventTime: time.Date(2025, 10, day, 0, 0, 0, 0, time.UTC),
			Quantities: []critmin.QuantityElement{{Role: critmin.RoleChild, EPCClass: lot, Quantity: q, UOM: "KGM"}}}
	}
	cont := ledger.NewContainment(nil)
	for _, ev := range []*critmin.Event{
		agg("a1", "ADD", 1, "urn:t:lot:L", kg(3000)), agg("a2", "ADD", 2, "urn:t:lot:L", kg(2000)), agg("d1", "DELETE", 3, "urn:t:lot:L", kg(4000)),
		agg("w1", "ADD", 1, "urn:t:lot:W", nil), agg("d2", "DELETE", 3, "urn:t:lot:W", kg(2500)),
		agg("n1", "ADD", 1, "urn:t:lot:N", kg(1000)), agg("d3", "DELETE", 3, "urn:t:lot:N", nil),
	} {
		cont.Apply(ev)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if ps := cont.Of("urn:t:lot:L"); len(ps) != 1 || ps[0].EventID != "a2" {
		t.Fatalf("L: %+v; want the second packing only", ps)
	} else if w, ok := ledger.PackedWet(ps[0], 5); !ok || !near(w, 1) {
		t.Errorf("L still in: %v %v; want 2 − 1 = 1 t", w, ok)
	}
	ps := cont.Of("urn:t:lot:W")
	if len(ps) != 1 || !near(ps[0].Unpacked, 2.5) {
		t.Fatalf("W: %+v; want one packing with 2.5 t unpacked", ps)
	}
	if w, ok := ledger.PackedWet(ps[0], 10); !ok || !near(w, 7.5) {
		t.Errorf("W still in: %v %v; want 10 − 2.5 = 7.5 t", w, ok)
	}
	if _, ok := ledger.PackedWet(ps[0], 0); ok {
		t.Errorf("W of unknown mass: what stays in is known; want unknown")
	}
	if ps := cont.Of("urn:t:lot:N"); len(ps) != 0 {
		t.Errorf("N: %+v; a DELETE line without a quantity takes the whole lot out", ps)
	}
}
