package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestPartRejoinsBody (issue 15, fix15p): a part received where the
// lot's body stands rejoins the body. Lot K3: 30 t at 8 % at mine M.
// D1 ships 5 t to port P, D2 5 t more; both received at P. D3 ships 5 t
// from P back to M (read there at 10 %), received at M:
//   - total stays 30 t (5 + 5 + 20, nothing counted twice);
//   - the body at M is 20 + 5 = 25 t, its moisture mass-weighted
//     (20 × 0.08 + 5 × 0.10) / 25 = 2.1 / 25 = 8.4 %;
//   - dry: body 25 × 0.916 = 22.9 t, P's parts 5 × 0.92 = 4.6 t
//     (D1 received 5 t, 5 t shipped on: counts 0; D2 5 t): 27.5 t
//     (= 30 × 0.92 − 5 × 0.92 + 5 × 0.90 = 27.6 − 4.6 + 4.5);
//   - Σ parts 5 t wet (D2's), the D3 part marked rejoined by its receipt.
//
// A 25 t weighing at M then states the body: total 25 + 5 = 30 t.
func TestPartRejoinsBody(t *testing.T) {
	t.Parallel()
	const id, mine, port = "urn:lot:K3", "urn:site:M", "urn:site:P"
	f := func(v float64) *float64 { return &v }
	commission := noBodyCommission(id, mine, 30000)
	commission.Mineral.Moisture = f(0.08)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	evs := []*critmin.Event{commission,
		moistureEv(id, "d1", 2, "shipping", mine, port, "D1", kg(5000), nil),
		moistureEv(id, "d2", 3, "shipping", mine, port, "D2", kg(5000), nil),
		moistureEv(id, "r1", 4, "receiving", port, "", "D1", kg(5000), nil),
		moistureEv(id, "r2", 5, "receiving", port, "", "D2", kg(5000), nil),
		moistureEv(id, "d3", 6, "shipping", port, mine, "D3", kg(5000), f(0.10)),
		moistureEv(id, "r3", 7, "receiving", mine, "", "D3", kg(5000), nil)}
	lots, _ := ledger.Replay([]string{id}, evs)
	l := lots[id]
	if !near(l.WetTonnes, 30) || !near(l.DryTonnes, 27.5) || !near(l.RemainingWetTonnes(), 25) || !near(l.PartsTonnes(), 5) {
		t.Fatalf("after the return: wet %v, dry %v, rest %v, parts %v; want 30, 27.5, 25, 5 (parts %+v)", l.WetTonnes, l.DryTonnes, l.RemainingWetTonnes(), l.PartsTonnes(), l.Parts)
	}
	if l.Moisture == nil || !near(*l.Moisture, 0.084) || !near(l.RestDryTonnes(), 22.9) || !near(l.PartsDryTonnes(), 4.6) {
		t.Fatalf("body moisture %v, rest dry %v, parts dry %v; want 0.084, 22.9, 4.6", l.Moisture, l.RestDryTonnes(), l.PartsDryTonnes())
	}
	if len(l.Parts) != 3 || l.Parts[2].Status != critmin.PartRejoined || l.Parts[2].ReceiptEventID != "r3" {
		t.Fatalf("parts %+v: want the third rejoined by r3", l.Parts)
	}
	// 25 t weighed at M: the body; the total 25 + 5 (D2 at P) = 30 t.
	lots, _ = ledger.Replay([]string{id}, append(evs, moistureEv(id, "w", 8, "inspecting", mine, "", "", kg(25000), nil)))
	if l := lots[id]; !near(l.WetTonnes, 30) || !near(l.RemainingWetTonnes(), 25) {
		t.Fatalf("after a 25 t weighing at M: wet %v, rest %v; want 30, 25", l.WetTonnes, l.RemainingWetTonnes())
	}
}
