package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestPartAssayIsThePartsOwn (issue 15, fix15a; docs/origin.md "An assay
// is of what stood where it was taken"): lot L, 20 t dry at the mine, Nd
// 5 % (dry). 5 t shipped to Karachi (B/L K1) and received there; an
// assay there of that part reads Nd 4 %. It is the part's grade, not the
// lot's:
//   - the body at the mine (15 t) stays at Nd 5 %: LatestAssays of
//     Lot.Assays still reads 5 %, the part's (Lot.PartAssays) 4 %;
//   - the lot holds 15 × 5 % + 5 × 4 % = 0.75 + 0.20 = 0.95 t Nd
//     (ledger.Contained; 0.95 / 20 = 4.75 %, the mass-weighted grade),
//     not 20 × 4 % = 0.8 t;
//   - a later assay at the mine, Nd 6 %, is the body's: 15 × 6 % + 5 ×
//     4 % = 0.9 + 0.2 = 1.1 t;
//   - a second part shipped from the mine afterwards (2 t, B/L K2)
//     leaves at the body's 6 %: the lot still holds 13 × 6 % + 2 × 6 % +
//     5 × 4 % = 0.78 + 0.12 + 0.2 = 1.1 t.
func TestPartAssayIsThePartsOwn(t *testing.T) {
	t.Parallel()
	const id, mine, port = "urn:lot:L", "urn:site:mine", "urn:site:karachi"
	zero := 0.0
	assay := func(v float64, day int, eid string) []critmin.Assay {
		return []critmin.Assay{{Analyte: "Nd", Value: v, Unit: "%", Basis: "dry", EventID: eid, At: at(day)}}
	}
	ev := func(eid string, day int, step, loc, dest, bol string, kgs *float64, as []critmin.Assay) *critmin.Event {
		e := noBodyEv(id, eid, day, step, loc, dest, bol, kgs)
		if as != nil {
			e.Mineral = &critmin.MineralFacts{Assays: as}
		}
		return e
	}
	commission := noBodyCommission(id, mine, 20000)
	commission.Mineral = &critmin.MineralFacts{Commodity: "ree_concentrate", Moisture: &zero, Assays: assay(5, 1, "c")}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	nd := func(list []critmin.Assay) float64 {
		for _, a := range ledger.LatestAssays(list) {
			if a.Analyte == "Nd" {
				return a.Value
			}
		}
		return -1
	}
	check := func(name string, evs []*critmin.Event, body, contained float64, parts ...float64) {
		t.Helper()
		lots, _ := ledger.Replay([]string{id}, evs)
		l := lots[id]
		if g := nd(l.Assays); g != body {
			t.Errorf("%s: the lot's (body's) Nd %v %%, want %v %%", name, g, body)
		}
		if len(l.Parts) != len(parts) {
			t.Fatalf("%s: parts %+v, want %d", name, l.Parts, len(parts))
		}
		for i, want := range parts {
			if g := nd(l.PartAssays(l.Parts[i])); g != want {
				t.Errorf("%s: part %d Nd %v %%, want %v %%", name, i, g, want)
			}
		}
		if c, ok := ledger.Contained(l, "Nd"); !ok || !near(c, contained) {
			t.Errorf("%s: contained Nd %v t (%v), want %v t", name, c, ok, contained)
		}
	}
	evs := []*critmin.Event{commission,
		ev("s", 2, "shipping", mine, port, "K1", kg(5000), nil),
		ev("r", 3, "receiving", port, "", "K1", kg(5000), nil),
		ev("a", 4, "sampling", port, "", "", nil, assay(4, 4, "a"))}
	check("assay at Karachi", evs, 5, 0.95, 4)
	evs = append(evs, ev("am", 5, "sampling", mine, "", "", nil, assay(6, 5, "am")))
	check("assay at the mine", evs, 6, 1.1, 4)
	evs = append(evs, ev("s2", 6, "shipping", mine, port, "K2", kg(2000), nil))
	check("second part shipped", evs, 6, 1.1, 4, 6)
}
