package ledger_test

import (
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestContentsAt: container C holds what its packings put in less what
// its unpackings took out, at the time asked (EPCIS 2.0 §7.3.5). Oct 2:
// 3,000 kg of A and 2,000 kg of B packed; Oct 3: 1,000 kg of A unpacked
// (a DELETE line with a mass, §7.3.5.3); Oct 4: C holds A 3,000 −
// 1,000 = 2,000 kg and B 2,000 kg; Oct 2 at noon, A 3,000 kg and B
// 2,000 kg; Oct 5: a DELETE naming no child empties C, so on Oct 6 it
// holds nothing. A packing of another container is not C's.
func TestContentsAt(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 10, d, 0, 0, 0, 0, time.UTC) }
	kg := func(v float64) *float64 { return &v }
	agg := func(id, action, parent string, d int, lines ...critmin.QuantityElement) *critmin.Event {
		for i := range lines {
			lines[i].Role, lines[i].UOM = critmin.RoleChild, "KGM"
		}
		return &critmin.Event{Type: critmin.AggregationEvent, EventID: id, Action: action, ParentID: parent, EventTime: day(d), Quantities: lines}
	}
	evs := []*critmin.Event{
		agg("p1", "ADD", "urn:t:C", 2, critmin.QuantityElement{EPCClass: "urn:t:lot:A", Quantity: kg(3000)}, critmin.QuantityElement{EPCClass: "urn:t:lot:B", Quantity: kg(2000)}),
		agg("p2", "ADD", "urn:t:D", 2, critmin.QuantityElement{EPCClass: "urn:t:lot:E", Quantity: kg(500)}),
		agg("u1", "DELETE", "urn:t:C", 3, critmin.QuantityElement{EPCClass: "urn:t:lot:A", Quantity: kg(1000)}),
		agg("u2", "DELETE", "urn:t:C", 5),
	}
	read := func(at time.Time) map[string]float64 {
		out := map[string]float64{}
		for _, q := range ledger.ContentsAt("urn:t:C", evs, at) {
			if q.Quantity == nil || q.UOM != "KGM" || q.Role != critmin.RoleEPC {
				t.Errorf("line %+v; want a quantityList line in KGM", q)
				continue
			}
			out[q.EPCClass] = *q.Quantity
		}
		return out
	}
	for _, c := range []struct {
		at   time.Time
		want map[string]float64
	}{
		{day(2).Add(12 * time.Hour), map[string]float64{"urn:t:lot:A": 3000, "urn:t:lot:B": 2000}},
		{day(4), map[string]float64{"urn:t:lot:A": 2000, "urn:t:lot:B": 2000}},
		{day(6), map[string]float64{}},
	} {
		got := read(c.at)
		if len(got) != len(c.want) {
			t.Errorf("at %s: %v; want %v", c.at.Format(time.DateOnly), got, c.want)
			continue
		}
		for lot, w := range c.want {
			if d := got[lot] - w; d > 1e-9 || d < -1e-9 {
				t.Errorf("at %s: %s %v kg; want %v", c.at.Format(time.DateOnly), lot, got[lot], w)
			}
		}
	}
	// WithContents adds the lots the event does not name itself; a lot
	// it names moves as its line says (B 1,500 kg).
	ship := &critmin.Event{Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "shipping", EPCs: []critmin.EPCRef{{Role: critmin.RoleEPC, EPC: "urn:t:C"}},
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: "urn:t:lot:B", Quantity: kg(1500), UOM: "KGM"}}}
	if !ledger.MovesContents(ship) {
		t.Fatal("a shipping OBSERVE naming C in its epcList moves no contents")
	}
	x := ledger.WithContents(ship, ledger.ContentsAt("urn:t:C", evs, day(4)))
	if len(x.Quantities) != 2 || x.Quantities[1].EPCClass != "urn:t:lot:A" || *x.Quantities[1].Quantity != 2000 || *x.Quantities[0].Quantity != 1500 || len(ship.Quantities) != 1 {
		t.Errorf("shipment with contents: %+v; want its own B line (1,500 kg) and A's 2,000 kg added, the event unchanged", x.Quantities)
	}
}

// TestWithContentsSumsContainers: a lot held in several containers an
// event names moves as one line, the sum of them (nu38a). Contents: L
// 6 t in C1, L 4,000 kg in C2, M 2 t in C1, N whole (no quantity) in C1
// and C2. The event names none of them: L moves 6 + 4,000 / 1,000 =
// 10 t (units differ: summed in tonnes), M 2 t, N no quantity (the
// whole lot). An event naming L by a 3 t line keeps its line alone.
func TestWithContentsSumsContainers(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	contents := []critmin.QuantityElement{
		{Role: critmin.RoleEPC, EPCClass: "urn:t:lot:L", Quantity: f(6), UOM: "TNE"},
		{Role: critmin.RoleEPC, EPCClass: "urn:t:lot:M", Quantity: f(2), UOM: "TNE"},
		{Role: critmin.RoleEPC, EPCClass: "urn:t:lot:N"},
		{Role: critmin.RoleEPC, EPCClass: "urn:t:lot:L", Quantity: f(4000), UOM: "KGM"},
		{Role: critmin.RoleEPC, EPCClass: "urn:t:lot:N"},
	}
	ev := &critmin.Event{Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "shipping", EPCs: []critmin.EPCRef{{Role: critmin.RoleEPC, EPC: "urn:t:box:C1"}, {Role: critmin.RoleEPC, EPC: "urn:t:box:C2"}}}
	got := ledger.WithContents(ev, contents)
	if len(got.Quantities) != 3 || len(got.Carried) != 3 {
		t.Fatalf("lines %+v, carried %+v; want one line per lot: L, M, N", got.Quantities, got.Carried)
	}
	want := map[string]float64{"urn:t:lot:L": 10, "urn:t:lot:M": 2}
	for _, q := range got.Quantities {
		if q.EPCClass == "urn:t:lot:N" {
			if q.Quantity != nil {
				t.Errorf("N (packed whole twice): %v %s; want no quantity", *q.Quantity, q.UOM)
			}
			continue
		}
		if q.Quantity == nil || q.UOM != "TNE" || *q.Quantity != want[q.EPCClass] {
			t.Errorf("%s: %v %s; want %v TNE", q.EPCClass, q.Quantity, q.UOM, want[q.EPCClass])
		}
	}
	if *contents[0].Quantity != 6 {
		t.Errorf("contents changed: C1's L line reads %v", *contents[0].Quantity)
	}
	named := &critmin.Event{Type: critmin.ObjectEvent, Action: "OBSERVE", BizStep: "shipping", EPCs: ev.EPCs,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: "urn:t:lot:L", Quantity: f(3), UOM: "TNE"}}}
	got = ledger.WithContents(named, contents)
	for _, q := range got.Quantities {
		if q.EPCClass == "urn:t:lot:L" && (q.Quantity == nil || *q.Quantity != 3) {
			t.Errorf("L named by a 3 t line beside C1 and C2: a line of %v; want its own 3 t line alone", q.Quantity)
		}
	}
	if len(got.Quantities) != 3 {
		t.Errorf("lines %+v; want L's own, M and N", got.Quantities)
	}
}
