package ledger_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestLotTotalsOver: a lot's total and what runs took of it are held to
// 10^9 t judged to the gram. 10^9 t is kept; 10^9 t + 1 g
// (1,000,000,000.000001 t) is over; 10^9 t + 0.4 g rounds to the limit
// and is kept (a conversion's rounding is no gram).
func TestLotTotalsOver(t *testing.T) {
	for _, c := range []struct {
		wet, taken float64
		want       []ledger.LotTotal
	}{
		{1e9, 1e9, nil},
		{1e9 + 4e-7, 0, nil},
		{1e9 + 1e-6, 0, []ledger.LotTotal{{Tonnes: 1e9 + 1e-6}}},
		{5e8, 1.2e9, []ledger.LotTotal{{Taken: true, Tonnes: 1.2e9}}},
		{1.4e9, 1.1e9, []ledger.LotTotal{{Tonnes: 1.4e9}, {Taken: true, Tonnes: 1.1e9}}},
	} {
		got := ledger.LotTotalsOver(&critmin.Lot{WetTonnes: c.wet, TakenTonnes: c.taken})
		if len(got) != len(c.want) {
			t.Errorf("wet %v taken %v: %+v, want %+v", c.wet, c.taken, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("wet %v taken %v: %+v, want %+v", c.wet, c.taken, got, c.want)
			}
		}
	}
}

// TestLotTotalReason: the figure in kilograms to the gram, grouped
// (1.2e9 t = 1,200,000,000,000 kg), the limit, and the events summed —
// the first three named, then how many more.
func TestLotTotalReason(t *testing.T) {
	for _, c := range []struct {
		lt       ledger.LotTotal
		events   []string
		recorded bool
		want     []string
	}{
		{ledger.LotTotal{Tonnes: 1.2e9}, []string{"E2"}, true, []string{"lot L would total 1,200,000,000,000 kg (event E2 and the lot's recorded events summed)", "over the mass limit of 1,000,000,000,000 kg (1,000,000,000 t) for a lot"}},
		{ledger.LotTotal{Tonnes: 1.05e9}, []string{"E1", "E2"}, false, []string{"1,050,000,000,000 kg (events E1 and E2 summed)"}},
		// 10^9 t + 2 g = 1,000,000,000,000 kg + 0.002 kg: the total to
		// the gram, not rounded to the limit it is over (fixSs).
		{ledger.LotTotal{Tonnes: 1e9 + 2e-6}, []string{"E1"}, false, []string{"lot L would total 1,000,000,000,000.002 kg (event E1 summed)", "over the mass limit of 1,000,000,000,000 kg (1,000,000,000 t)"}},
		// 10^9 t + 250 g: 1,000,000,000,000.25 kg (trailing zeros left out).
		{ledger.LotTotal{Taken: true, Tonnes: 1e9 + 2.5e-4}, []string{"E1"}, false, []string{"runs would have taken 1,000,000,000,000.25 kg of lot L in all"}},
		{ledger.LotTotal{Taken: true, Tonnes: 1.5e9}, []string{"E1", "E2", "E3", "E4", "E5"}, false, []string{"runs would have taken 1,500,000,000,000 kg of lot L in all (events E1, E2, E3 and 2 more summed)"}},
	} {
		got := c.lt.Reason("L", c.events, c.recorded)
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%q\nwants %q", got, w)
			}
		}
	}
}

// TestTotalPointer: the line of the lot that adds to its total (its
// quantity), or to what runs took (its input line); a Mass report when
// the line states no quantity.
func TestTotalPointer(t *testing.T) {
	q := func(f float64) *float64 { return &f }
	id := func(s string) string { return s }
	run := &critmin.Event{Quantities: []critmin.QuantityElement{
		{Role: critmin.RoleInput, EPCClass: "A", Quantity: q(1), UOM: "TNE"},
		{Role: critmin.RoleInput, EPCClass: "B", Quantity: q(1), UOM: "TNE"},
		{Role: critmin.RoleOutput, EPCClass: "C", Quantity: q(1), UOM: "TNE"},
		{Role: critmin.RoleOutput, EPCClass: "B", Quantity: q(1), UOM: "TNE"},
	}}
	weigh := &critmin.Event{Quantities: []critmin.QuantityElement{{Role: critmin.RoleEPC, EPCClass: "A"}},
		Sensors: []critmin.SensorReport{{Type: "Mass", Pointer: "/sensorElementList/0/sensorReport/1"}}}
	for _, c := range []struct {
		ev    *critmin.Event
		lot   string
		taken bool
		want  string
	}{
		{run, "B", true, "/inputQuantityList/1/quantity"},
		{run, "B", false, "/outputQuantityList/1/quantity"},
		{run, "C", false, "/outputQuantityList/0/quantity"},
		{weigh, "A", false, "/sensorElementList/0/sensorReport/1/value"},
	} {
		if got := ledger.TotalPointer(c.ev, c.lot, c.taken, id); got != c.want {
			t.Errorf("%s taken %v: %q, want %q", c.lot, c.taken, got, c.want)
		}
	}
}
