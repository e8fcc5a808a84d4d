package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestPartMoistureProjected (issue 15, fix15m): ledger.Project gives a
// moisture to what it was measured on. Lot M: 20,000 kg at the mine at
// 10 % (dry 18 t). 5,000 kg ship to the port (the part leaves at 10 %)
// and are received there; then:
//   - a reading of 12 % at the port is the part's: the lot stays at
//     10 %, dry 15 × 0.9 + 5 × 0.88 = 13.5 + 4.4 = 17.9 t;
//   - a reading of 8 % at the mine is the body's: the part keeps 12 %,
//     dry 15 × 0.92 + 4.4 = 13.8 + 4.4 = 18.2 t;
//   - 2,000 kg shipped on from the port leave at the part's 12 %: the
//     onward part holds 12 %, the received part counts 5 − 2 = 3 t;
//     dry 13.8 + 3 × 0.88 + 2 × 0.88 = 18.2 t still;
//   - a reading of 9 % on the receipt of a second part at the plant is
//     that part's (shipped 1,000 kg at the body's 8 %): dry 14 × 0.92 +
//     4.4 + 1 × 0.91 = 12.88 + 4.4 + 0.91 = 18.19 t.
func TestPartMoistureProjected(t *testing.T) {
	t.Parallel()
	const id, mine, port, plant = "urn:lot:M", "urn:site:mine", "urn:site:port", "urn:site:plant"
	f := func(v float64) *float64 { return &v }
	commission := noBodyCommission(id, mine, 20000)
	commission.Mineral.Moisture = f(0.1)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	check := func(name string, events []*critmin.Event, body, dry float64, parts ...float64) {
		t.Helper()
		lots, _ := ledger.Replay([]string{id}, events)
		l := lots[id]
		if l.Moisture == nil || !near(*l.Moisture, body) || !near(l.DryTonnes, dry) || len(l.Parts) != len(parts) {
			t.Fatalf("%s: lot at %v, dry %v, parts %+v; want %v, %v t, %d parts", name, l.Moisture, l.DryTonnes, l.Parts, body, dry, len(parts))
		}
		for i, m := range parts {
			if p := l.Parts[i]; p.Moisture == nil || !near(*p.Moisture, m) {
				t.Errorf("%s: part %d at %v, want %v", name, i, p.Moisture, m)
			}
		}
	}
	evs := []*critmin.Event{commission,
		moistureEv(id, "s", 2, "shipping", mine, port, "B1", kg(5000), nil),
		moistureEv(id, "r", 3, "receiving", port, "", "B1", kg(5000), nil),
		moistureEv(id, "mp", 4, "sampling", port, "", "", nil, f(0.12))}
	check("reading at the port", evs, 0.1, 17.9, 0.12)
	evs = append(evs, moistureEv(id, "mm", 5, "sampling", mine, "", "", nil, f(0.08)))
	check("reading at the mine", evs, 0.08, 18.2, 0.12)
	evs = append(evs, moistureEv(id, "o", 6, "shipping", port, plant, "B2", kg(2000), nil))
	check("shipped on from the port", evs, 0.08, 18.2, 0.12, 0.12)
	evs = append(evs, moistureEv(id, "s3", 7, "shipping", mine, plant, "B3", kg(1000), nil),
		moistureEv(id, "r3", 8, "receiving", plant, "", "B3", kg(1000), f(0.09)))
	check("receipt measured at the plant", evs, 0.08, 18.19, 0.12, 0.12, 0.09)
	// What a run or a weighing takes at each site: the port's part at
	// 12 %, the plant's received part at 9 % (the onward part bound
	// there is still in transit); at the mine the lot's own (ok false).
	lots, _ := ledger.Replay([]string{id}, evs)
	l := lots[id]
	if m, ok := ledger.PartMoistureAt(l, port); !ok || m == nil || !near(*m, 0.12) {
		t.Errorf("moisture at the port %v %v, want 0.12", m, ok)
	}
	if m, ok := ledger.PartMoistureAt(l, plant); !ok || m == nil || !near(*m, 0.09) {
		t.Errorf("moisture at the plant %v %v, want 0.09 (the part received there)", m, ok)
	}
	if _, ok := ledger.PartMoistureAt(l, mine); ok {
		t.Errorf("moisture at the mine: a part's, want the lot's own")
	}
}
