package ledger_test

import (
	"math"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestHoldingsAfterTrips (nu38a-b): what a container holds once its
// trips are counted, worked by hand. A: 6,000 kg packed into C on day 2.
func TestHoldingsAfterTrips(t *testing.T) {
	const c, a = "urn:epc:id:sscc:0614141.4000000038", "urn:t:lot:A"
	day := func(d int) time.Time { return time.Date(2025, 10, d, 0, 0, 0, 0, time.UTC) }
	f := func(v float64) *float64 { return &v }
	pack := func(id, action string, d int, kg *float64) *critmin.Event {
		ev := &critmin.Event{EventID: id, Type: critmin.AggregationEvent, Action: action, ParentID: c, EventTime: day(d)}
		if kg != nil {
			ev.Quantities = []critmin.QuantityElement{{Role: critmin.RoleChild, EPCClass: a, Quantity: kg, UOM: "KGM"}}
		}
		return ev
	}
	move := func(id, step string, d int, kg *float64) *critmin.Event {
		ev := &critmin.Event{EventID: id, Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: step, EventTime: day(d), EPCs: []critmin.EPCRef{{Role: critmin.RoleEPC, EPC: c}}}
		if kg != nil {
			ev.Quantities = []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: a, Quantity: kg, UOM: "KGM"}}
		}
		return ev
	}
	ship := move("ship", "shipping", 3, f(5000)) // a 5 t line beside 6 t packed: C carried 5 t
	recv := move("recv", "receiving", 5, nil)
	for _, tc := range []struct {
		name  string
		packs []*critmin.Event
		moves []*critmin.Event
		at    int
		want  float64 // kg of A in C; NaN: not in C
	}{
		// No trip: what was packed.
		{"before the trip", []*critmin.Event{pack("p", "ADD", 2, f(6000))}, []*critmin.Event{ship, recv}, 2, 6000},
		// 6 − (6 − 5) = 5 t.
		{"after the trip", []*critmin.Event{pack("p", "ADD", 2, f(6000))}, []*critmin.Event{ship, recv}, 6, 5000},
		// Onward with a 4 t line: 5 − (5 − 4) = 4 t.
		{"after two trips", []*critmin.Event{pack("p", "ADD", 2, f(6000))}, []*critmin.Event{ship, recv, move("on", "departing", 6, f(4000))}, 7, 4000},
		// 1 t more packed at the destination: 7 − 1 = 6 t.
		{"packed more after", []*critmin.Event{pack("p", "ADD", 2, f(6000)), pack("p2", "ADD", 6, f(1000))}, []*critmin.Event{ship, recv}, 7, 6000},
		// Emptied (a DELETE naming no child) and 6 t packed again: 6 t.
		{"emptied and packed again", []*critmin.Event{pack("p", "ADD", 2, f(6000)), pack("u", "DELETE", 6, nil), pack("p3", "ADD", 7, f(6000))}, []*critmin.Event{ship, recv}, 8, 6000},
		// A shipment stating no line carried what was packed: 6 t.
		{"trip without a line", []*critmin.Event{pack("p", "ADD", 2, f(6000))}, []*critmin.Event{move("ship0", "shipping", 3, nil)}, 6, 6000},
	} {
		h := ledger.Holdings{
			Packings: func(string) ([]*critmin.Event, error) { return tc.packs, nil },
			Moves:    func(string) ([]*critmin.Event, error) { return tc.moves, nil },
		}
		got, err := h.HeldAt(c, day(tc.at), nil)
		if err != nil {
			t.Fatal(err)
		}
		kg := math.NaN()
		for _, q := range got {
			if q.EPCClass == a && q.Quantity != nil {
				kg = *q.Quantity
			}
		}
		if math.Abs(kg-tc.want) > 1e-6 {
			t.Errorf("%s: C holds %v kg of A; want %v", tc.name, kg, tc.want)
		}
	}
}

// TestHoldingsAfterFeeds: a run fed a container whole empties it until
// something is packed into it again, worked by hand. L: 6,000 kg packed
// into C on day 2; run RA fed C whole on day 5.
func TestHoldingsAfterFeeds(t *testing.T) {
	const c, l = "urn:epc:id:sscc:0614141.4000000045", "urn:t:lot:L"
	day := func(d int) time.Time { return time.Date(2025, 10, d, 0, 0, 0, 0, time.UTC) }
	f := func(v float64) *float64 { return &v }
	pack := func(id string, d int, kg float64) *critmin.Event {
		return &critmin.Event{EventID: id, Type: critmin.AggregationEvent, Action: "ADD", ParentID: c, EventTime: day(d),
			Quantities: []critmin.QuantityElement{{Role: critmin.RoleChild, EPCClass: l, Quantity: f(kg), UOM: "KGM"}}}
	}
	run := func(id string, d int) *critmin.Event {
		return &critmin.Event{EventID: id, Type: critmin.TransformationEvent, EventTime: day(d), EPCs: []critmin.EPCRef{{Role: critmin.RoleInput, EPC: c}}}
	}
	ra, rb := run("RA", 5), run("RB", 6)
	for _, tc := range []struct {
		name    string
		packs   []*critmin.Event
		at      int
		self    *critmin.Event
		want    float64 // kg of L in C
		emptied string  // the run EmptiedBy names, "" none
	}{
		// Before RA: the 6 t packed.
		{"before the run", []*critmin.Event{pack("p", 2, 6000)}, 4, nil, 6000, ""},
		// RA itself reads the 6 t it is fed.
		{"the run itself", []*critmin.Event{pack("p", 2, 6000)}, 5, ra, 6000, ""},
		// After RA: 6 − 6 = 0 t, emptied by RA.
		{"fed again", []*critmin.Event{pack("p", 2, 6000)}, 6, rb, 0, "RA"},
		// 3 t packed on day 6 after RA: 3 t, not 6 + 3.
		{"packed again", []*critmin.Event{pack("p", 2, 6000), pack("p2", 6, 3000)}, 7, nil, 3000, ""},
	} {
		h := ledger.Holdings{
			Packings: func(string) ([]*critmin.Event, error) { return tc.packs, nil },
			Feeds:    func(string) ([]*critmin.Event, error) { return []*critmin.Event{ra}, nil },
		}
		got, err := h.HeldAt(c, day(tc.at), tc.self)
		if err != nil {
			t.Fatal(err)
		}
		kg := 0.0
		for _, q := range got {
			if q.EPCClass == l && q.Quantity != nil {
				kg += *q.Quantity
			}
		}
		if math.Abs(kg-tc.want) > 1e-6 {
			t.Errorf("%s: C holds %v kg of L; want %v", tc.name, kg, tc.want)
		}
		by, err := h.EmptiedBy(c, day(tc.at), tc.self)
		if err != nil {
			t.Fatal(err)
		}
		if name := ""; by != nil && by.EventID != tc.emptied || by == nil && tc.emptied != name {
			t.Errorf("%s: emptied by %+v; want %q", tc.name, by, tc.emptied)
		}
	}
}
