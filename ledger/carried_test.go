package ledger_test

import (
	"math"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// TestCarried: what a dispatch carried in each container it names, the
// figure a receipt of the container alone receives.
//   - C1 holds 6,000 kg of A; the shipment names C1 and "A 5 t": the line
//     states what moved of A, C1's share included: 6 × min(1, 5 ÷ 6) = 5 t
//     = 5,000 kg in C1;
//   - C1 and C2 hold 6,000 kg of A each; "A 10 t": 6 × min(1, 10 ÷ 12) =
//     5 t in each;
//   - C1 holds 6,000 kg; "A 10 t": 6 × min(1, 10 ÷ 6) = 6 t (the other 4 t
//     travelled loose);
//   - C1 holds A packed whole (no quantity), the only container holding
//     it; "A 5,000 kg": 5,000 kg; in C1 and C2 both whole: no quantity;
//   - a lot the shipment does not name (B, 2,000 kg), or names with no
//     quantity: what was packed.
func TestCarried(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	const c1, c2 = "urn:epc:id:sscc:0614141.4000000038", "urn:epc:id:sscc:0614141.4000000045"
	ship := func(lines []critmin.QuantityElement, boxes ...string) *critmin.Event {
		ev := &critmin.Event{Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "shipping", Quantities: lines}
		for _, b := range boxes {
			ev.EPCs = append(ev.EPCs, critmin.EPCRef{Role: critmin.RoleEPC, EPC: b})
		}
		return ev
	}
	line := func(lot string, q *float64, uom string) critmin.QuantityElement {
		return critmin.QuantityElement{Role: critmin.RoleEPC, EPCClass: lot, Quantity: q, UOM: uom}
	}
	for _, tc := range []struct {
		name string
		ship *critmin.Event
		held map[string][]critmin.QuantityElement
		want map[string]float64 // lot → kg in C1; NaN: no quantity
	}{
		{"6 t packed, 5 t line", ship([]critmin.QuantityElement{line("urn:t:lot:A", f(5), "TNE")}, c1),
			map[string][]critmin.QuantityElement{c1: {line("urn:t:lot:A", f(6000), "KGM")}}, map[string]float64{"urn:t:lot:A": 5000}},
		{"6 t in each of two, 10 t line", ship([]critmin.QuantityElement{line("urn:t:lot:A", f(10000), "KGM")}, c1, c2),
			map[string][]critmin.QuantityElement{c1: {line("urn:t:lot:A", f(6000), "KGM")}, c2: {line("urn:t:lot:A", f(6000), "KGM")}}, map[string]float64{"urn:t:lot:A": 5000}},
		{"6 t packed, 10 t line", ship([]critmin.QuantityElement{line("urn:t:lot:A", f(10000), "KGM")}, c1),
			map[string][]critmin.QuantityElement{c1: {line("urn:t:lot:A", f(6000), "KGM")}}, map[string]float64{"urn:t:lot:A": 6000}},
		{"packed whole in one, 5 t line", ship([]critmin.QuantityElement{line("urn:t:lot:A", f(5000), "KGM")}, c1),
			map[string][]critmin.QuantityElement{c1: {line("urn:t:lot:A", nil, "")}}, map[string]float64{"urn:t:lot:A": 5000}},
		{"packed whole in two, 5 t line", ship([]critmin.QuantityElement{line("urn:t:lot:A", f(5000), "KGM")}, c1, c2),
			map[string][]critmin.QuantityElement{c1: {line("urn:t:lot:A", nil, "")}, c2: {line("urn:t:lot:A", nil, "")}}, map[string]float64{"urn:t:lot:A": math.NaN()}},
		{"lot not named, and named with no quantity", ship([]critmin.QuantityElement{line("urn:t:lot:A", nil, "")}, c1),
			map[string][]critmin.QuantityElement{c1: {line("urn:t:lot:A", f(6000), "KGM"), line("urn:t:lot:B", f(2000), "KGM")}}, map[string]float64{"urn:t:lot:A": 6000, "urn:t:lot:B": 2000}},
	} {
		// held is asked by canonical container (docs/identity.md).
		got := ledger.Carried(tc.ship, c1, func(c string) []critmin.QuantityElement {
			for k, v := range tc.held {
				if epcis.Canonical(k) == c {
					return v
				}
			}
			return nil
		})
		if len(got) != len(tc.want) {
			t.Errorf("%s: %+v; want %d lines", tc.name, got, len(tc.want))
			continue
		}
		for _, q := range got {
			want := tc.want[q.EPCClass]
			switch {
			case math.IsNaN(want) && q.Quantity != nil:
				t.Errorf("%s: %s carried %v %s; want no quantity", tc.name, q.EPCClass, *q.Quantity, q.UOM)
			case !math.IsNaN(want) && (q.Quantity == nil || q.UOM != "KGM" || math.Abs(*q.Quantity-want) > 1e-9):
				t.Errorf("%s: %s carried %+v; want %v KGM", tc.name, q.EPCClass, q, want)
			}
		}
	}
}

// TestTripOf: a receipt of C ends the trip of C's latest dispatch dated
// at or before it, under the receipt's bill of lading when one is (C
// shipped Oct 3 under B1 and Oct 8 under B2: a receipt of Oct 5 under B1
// ends the Oct 3 trip; one of Oct 9 under B2 the Oct 8 trip; one of Oct 9
// naming no bill the latest, Oct 8); a receipt of Oct 2 ends none.
func TestTripOf(t *testing.T) {
	const c = "urn:epc:id:sscc:0614141.4000000038"
	at := func(d int) time.Time { return time.Date(2025, 10, d, 0, 0, 0, 0, time.UTC) }
	ev := func(id, step, bol string, d int) *critmin.Event {
		e := &critmin.Event{EventID: id, Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: step, EventTime: at(d), EPCs: []critmin.EPCRef{{Role: critmin.RoleEPC, EPC: c}}}
		if bol != "" {
			e.BizTransactions = []critmin.BizTransaction{{Type: "bol", ID: bol}}
		}
		return e
	}
	moves := []*critmin.Event{ev("s1", "shipping", "B1", 3), ev("s2", "shipping", "B2", 8)}
	for _, tc := range []struct {
		recv *critmin.Event
		want string
	}{
		{ev("r1", "receiving", "B1", 5), "s1"},
		{ev("r2", "receiving", "B2", 9), "s2"},
		{ev("r3", "receiving", "", 9), "s2"},
		{ev("r4", "receiving", "B1", 9), "s1"},
		{ev("r5", "receiving", "B1", 2), ""},
	} {
		got := ledger.TripOf(c, moves, tc.recv)
		if id := ""; got != nil {
			id = got.EventID
			if id != tc.want {
				t.Errorf("receipt %s: trip %s; want %q", tc.recv.EventID, id, tc.want)
			}
		} else if tc.want != "" {
			t.Errorf("receipt %s: no trip; want %s", tc.recv.EventID, tc.want)
		}
	}
}
