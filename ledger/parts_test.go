package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestProjectParts replays a lot's movements in event-time order
// (ledger.Replay) and checks what each says of the lot: its total, the
// parts sent away, what is in transit and what remains where it stands.
// Lot L: 20,000 kg commissioned at the mine, moisture 10 % (dry = wet ×
// 0.9).
func TestProjectParts(t *testing.T) {
	t.Parallel()
	const id, mine, port, plant = "urn:lot:L", "urn:site:mine", "urn:site:port", "urn:site:plant"
	m := 0.1
	commission := &critmin.Event{EventID: "c", Type: critmin.ObjectEvent, Action: "ADD", BizStep: "commissioning", EventTime: at(1), BizLocation: mine,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: id, Quantity: kg(20000), UOM: "KGM"}}, Mineral: &critmin.MineralFacts{Commodity: "antimony_ore", Moisture: &m}}
	obs := func(eid string, day int, step, disp, loc string, kgs float64) *critmin.Event {
		ev := &critmin.Event{EventID: eid, Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: step, Disposition: disp, EventTime: at(day), BizLocation: loc,
			Quantities: []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: id, Quantity: kg(kgs), UOM: "KGM"}}}
		if loc == "" {
			ev.ReadPoint = mine
			ev.Destinations = []critmin.SourceDest{{Type: "location", ID: port}}
		}
		return ev
	}
	type want struct {
		total, inTransit, remaining float64
		parts                       int
		status, location            string
	}
	cases := []struct {
		name   string
		events []*critmin.Event
		want   want
	}{
		{
			// Departing 5,000 kg, then loading and shipping the same
			// 5,000 kg: one part moving on, counted once. Total 20 t;
			// remaining 20 − 5 = 15 t at the mine, in stock.
			name:   "one part departs, loads and ships",
			events: []*critmin.Event{commission, obs("d", 2, "departing", "in_transit", "", 5000), obs("l", 3, "loading", "in_transit", "", 5000), obs("s", 4, "shipping", "in_transit", "", 5000)},
			want:   want{total: 20, inTransit: 5, remaining: 15, parts: 1, status: critmin.LotInStock, location: mine},
		},
		{
			// The whole lot departs at 19,950 kg: 19.95 ≥ 20 × 0.995 =
			// 19.9, the whole lot, weighed anew; shipped on at 19,500 kg
			// while in transit as a whole: moved on, not split. Total
			// 19.5 t, no parts, in transit.
			name:   "the whole lot moves and moves on",
			events: []*critmin.Event{commission, obs("d", 2, "departing", "in_transit", "", 19950), obs("s", 4, "shipping", "in_transit", "", 19500)},
			want:   want{total: 19.5, inTransit: 0, remaining: 19.5, parts: 0, status: critmin.LotInTransit, location: mine},
		},
		{
			// A part of 5,000 kg ships; a stock-taking at the mine counts
			// 14,800 kg there: the rest, so the total is 14.8 + 5 = 19.8 t
			// and 14.8 t remains.
			name:   "a count where the rest stands",
			events: []*critmin.Event{commission, obs("s", 2, "shipping", "in_transit", "", 5000), obs("k", 5, "stock_taking", "", mine, 14800)},
			want:   want{total: 19.8, inTransit: 5, remaining: 14.8, parts: 1, status: critmin.LotInStock, location: mine},
		},
		{
			// A part of 5,000 kg ships and is received at the port at
			// 4,990 kg; an inspection at the port weighs 4,980 kg: it
			// weighs the part received there, not the rest of the lot
			// (fix9c item 4: before, ignored). The part's mass is 4.98 t;
			// the total 20 − 5 + 4.98 = 19.98 t (dry × 0.9 = 17.982);
			// nothing in transit; remaining 19.98 − 4.98 = 15 t at the
			// mine, unchanged.
			name:   "a weighing where a part went",
			events: []*critmin.Event{commission, obs("s", 2, "shipping", "in_transit", "", 5000), obs("r", 6, "receiving", "in_progress", port, 4990), obs("i", 7, "inspecting", "", port, 4980)},
			want:   want{total: 19.98, inTransit: 0, remaining: 15, parts: 1, status: critmin.LotInStock, location: mine},
		},
		{
			// The same part weighed at the port by a Mass sensor report
			// of 5,100 kg (an OBSERVE without a quantity): part 5.1 t,
			// total 20 − 5 + 5.1 = 20.1 t, remaining 15 t.
			name: "a sensor weighing where a part went",
			events: []*critmin.Event{commission, obs("s", 2, "shipping", "in_transit", "", 5000), obs("r", 6, "receiving", "in_progress", port, 4990),
				{EventID: "w", Type: critmin.ObjectEvent, Action: "OBSERVE", EventTime: at(7), BizLocation: port,
					Quantities: []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: id}}, Mineral: &critmin.MineralFacts{MassTonnes: tonnes(5.1)}}},
			want: want{total: 20.1, inTransit: 0, remaining: 15, parts: 1, status: critmin.LotInStock, location: mine},
		},
		{
			// A part of 5,000 kg ships, is received at the port at 4,990
			// kg and a run at the port takes 4,990 kg of the lot: it
			// takes the part, not the rest at the mine. Total 20 − 5 +
			// 4.99 = 19.99 t (the outturn weight counts, fix15v);
			// remaining 19.99 − 4.99 = 15 t at the mine, in stock (not
			// moved to the port, not consumed).
			name: "a run where a part was received",
			events: []*critmin.Event{commission, obs("s", 2, "shipping", "in_transit", "", 5000), obs("r", 6, "receiving", "in_progress", port, 4990),
				{EventID: "run", Type: critmin.TransformationEvent, EventTime: at(8), BizLocation: port,
					Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: id, Quantity: kg(4990), UOM: "KGM"}}}},
			want: want{total: 19.99, inTransit: 0, remaining: 15, parts: 1, status: critmin.LotInStock, location: mine},
		},
		{
			// Issue 15 (fix15v item 2): a part of 5,000 kg ships and is
			// received at the port at 4,960 kg. The outturn weight
			// becomes the part's mass: total 20 − 5 + 4.96 = 19.96 t (dry
			// × 0.9 = 17.964); remaining 19.96 − 4.96 = 15 t at the mine,
			// unchanged; the shipped 5 t stay on the part (its loading
			// weight).
			name:   "a part received lighter than shipped",
			events: []*critmin.Event{commission, obs("s", 2, "shipping", "in_transit", "", 5000), obs("r", 6, "receiving", "in_progress", port, 4960)},
			want:   want{total: 19.96, inTransit: 0, remaining: 15, parts: 1, status: critmin.LotInStock, location: mine},
		},
		{
			// Two parts, 12,000 and 8,000 kg: the second takes what
			// remains (8 ≥ 8 × 0.995), so nothing is left at the mine and
			// the lot follows the event: in transit. Total 20 t.
			name:   "the last part ships what remains",
			events: []*critmin.Event{commission, obs("s1", 2, "shipping", "in_transit", "", 12000), obs("s2", 3, "shipping", "in_transit", "", 8000)},
			want:   want{total: 20, inTransit: 20, remaining: 0, parts: 2, status: critmin.LotInTransit, location: mine},
		},
	}
	// The last part received at the port: the lot follows it there; the
	// flows are the two parts' shipped weights, 12 + 8 = 20 t mine →
	// port, not the lot's 20 t once more.
	last := append(append([]*critmin.Event(nil), cases[len(cases)-1].events...),
		obs("r1", 9, "receiving", "in_progress", port, 12000), obs("r2", 10, "receiving", "in_progress", port, 8000))
	cases = append(cases, struct {
		name   string
		events []*critmin.Event
		want   want
	}{"both parts received", last, want{total: 20, inTransit: 0, remaining: 0, parts: 2, status: critmin.LotInStock, location: port}})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			lots, moves := ledger.Replay([]string{id}, tc.events)
			if tc.name == "both parts received" {
				var flow float64
				for _, m := range moves {
					flow += m.Tonnes
				}
				if len(moves) != 2 || math.Abs(flow-20) > 1e-9 {
					t.Errorf("moves %+v; want the two parts, 20 t", moves)
				}
			}
			l := lots[id]
			if tc.name == "a weighing where a part went" && (len(l.Parts) != 1 || l.Parts[0].WeighedTonnes == nil || math.Abs(*l.Parts[0].WeighedTonnes-4.98) > 1e-9 ||
				l.Parts[0].WeighEventID != "i" || math.Abs(l.Parts[0].ReceivedTonnes-4.99) > 1e-9) {
				t.Errorf("parts %+v; want the part weighed 4.98 t by i, received 4.99 t", l.Parts)
			}
			if tc.name == "a part received lighter than shipped" && (len(l.Parts) != 1 || math.Abs(l.Parts[0].Tonnes-5) > 1e-9 || math.Abs(l.Parts[0].ReceivedTonnes-4.96) > 1e-9) {
				t.Errorf("parts %+v; want the part shipped at 5 t (kept), received 4.96 t", l.Parts)
			}
			if tc.name == "a run where a part was received" && (len(l.Parts) != 1 || math.Abs(l.Parts[0].TakenTonnes-4.99) > 1e-9 || l.TakenTonnes != 0) {
				t.Errorf("parts %+v, lot taken %v; want the part's 4.99 t taken, none of the rest", l.Parts, l.TakenTonnes)
			}
			near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
			w := tc.want
			if !near(l.WetTonnes, w.total) || !near(l.DryTonnes, w.total*0.9) || !near(l.InTransitTonnes(), w.inTransit) || !near(l.RemainingWetTonnes(), w.remaining) ||
				len(l.Parts) != w.parts || l.Status != w.status || l.Location != w.location {
				t.Errorf("total %v t (dry %v), in transit %v, remaining %v, parts %+v, %s at %s; want %+v", l.WetTonnes, l.DryTonnes, l.InTransitTonnes(), l.RemainingWetTonnes(), l.Parts, l.Status, l.Location, w)
			}
		})
	}
}

func tonnes(v float64) *float64 { return &v }
