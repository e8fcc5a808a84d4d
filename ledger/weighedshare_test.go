package ledger_test

import (
	"math"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// TestHoldingsAfterWeighedReceipt (issue 9, n8e-2): a receipt weighing a
// lot by its own line sets what the containers it names hold of it,
// worked by hand. On day 2, L: 6,000 kg packed into D1 and 4,000 kg into
// D2; M: 3,000 kg packed into D1. [D1, D2] shipped on day 3 with no line
// (they carried what was packed).
func TestHoldingsAfterWeighedReceipt(t *testing.T) {
	const d1, d2 = "urn:epc:id:sscc:0614141.4000000038", "urn:epc:id:sscc:0614141.4000000045"
	const l, m = "urn:t:lot:L", "urn:t:lot:M"
	day := func(d int) time.Time { return time.Date(2025, 10, d, 0, 0, 0, 0, time.UTC) }
	f := func(v float64) *float64 { return &v }
	pack := func(id, box, lot string, kg float64) *critmin.Event {
		return &critmin.Event{EventID: id, Type: critmin.AggregationEvent, Action: "ADD", ParentID: box, EventTime: day(2),
			Quantities: []critmin.QuantityElement{{Role: critmin.RoleChild, EPCClass: lot, Quantity: f(kg), UOM: "KGM"}}}
	}
	move := func(id, step string, d int, boxes []string, kgOfL *float64) *critmin.Event {
		ev := &critmin.Event{EventID: id, Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: step, EventTime: day(d)}
		for _, b := range boxes {
			ev.EPCs = append(ev.EPCs, critmin.EPCRef{Role: critmin.RoleEPC, EPC: b})
		}
		if kgOfL != nil {
			ev.Quantities = []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: l, Quantity: kgOfL, UOM: "KGM"}}
		}
		return ev
	}
	packs := map[string][]*critmin.Event{epcis.Canonical(d1): {pack("p1", d1, l, 6000), pack("p3", d1, m, 3000)}, epcis.Canonical(d2): {pack("p2", d2, l, 4000)}}
	ship := move("ship", "shipping", 3, []string{d1, d2}, nil)
	for _, tc := range []struct {
		name     string
		receipts []*critmin.Event
		box      string
		wantL    float64 // kg of L in box on day 7
		wantM    float64 // kg of M in box on day 7 (0: none)
	}{
		// [D1] with "L 5,400 kg": D1 carried 6 t, so it holds 5.4 t; M
		// keeps its 3 t.
		{"D1 weighed short", []*critmin.Event{move("r1", "receiving", 5, []string{d1}, f(5400))}, d1, 5400, 3000},
		// D2 not named: it keeps its 4 t.
		{"D2 beside it", []*critmin.Event{move("r1", "receiving", 5, []string{d1}, f(5400))}, d2, 4000, 0},
		// [D1, D2] with "L 9,400 kg": 6 × 9.4 / 10 = 5.64 t and
		// 4 × 9.4 / 10 = 3.76 t.
		{"both weighed, D1", []*critmin.Event{move("r", "receiving", 5, []string{d1, d2}, f(9400))}, d1, 5640, 3000},
		{"both weighed, D2", []*critmin.Event{move("r", "receiving", 5, []string{d1, d2}, f(9400))}, d2, 3760, 0},
		// A gain: [D1] with "L 6,020 kg" holds 6.02 t.
		{"D1 weighed heavier", []*critmin.Event{move("r1", "receiving", 5, []string{d1}, f(6020))}, d1, 6020, 3000},
		// A receipt stating no line receives what was carried: 6 t.
		{"no line", []*critmin.Event{move("r1", "receiving", 5, []string{d1}, nil)}, d1, 6000, 3000},
		// A carrier's step with a line weighs nothing: 6 t.
		{"transporting", []*critmin.Event{move("t1", "transporting", 5, []string{d1}, f(5400))}, d1, 6000, 3000},
	} {
		moves := append([]*critmin.Event{ship}, tc.receipts...)
		h := ledger.Holdings{
			Packings: func(c string) ([]*critmin.Event, error) { return packs[c], nil },
			Moves:    func(string) ([]*critmin.Event, error) { return moves, nil },
		}
		got, err := h.HeldAt(tc.box, day(7), nil)
		if err != nil {
			t.Fatal(err)
		}
		kg := map[string]float64{}
		for _, q := range got {
			if q.Quantity != nil {
				kg[q.EPCClass] += *q.Quantity
			}
		}
		if math.Abs(kg[l]-tc.wantL) > 1e-6 || math.Abs(kg[m]-tc.wantM) > 1e-6 {
			t.Errorf("%s: %s holds %v kg of L and %v kg of M; want %v and %v", tc.name, tc.box, kg[l], kg[m], tc.wantL, tc.wantM)
		}
	}
}
