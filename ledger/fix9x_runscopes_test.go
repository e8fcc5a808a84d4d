package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestRunInputScopesByPart (issue 9 item 3; issue 15, fix15a: an assay
// is of what stood where it was taken): the grades of what a run took
// are those of the parts it took, each at its own moisture and assays,
// as RunInputMoisture reads their water. Lot RG, 30 t at mine M; D1
// ships 10 t to port P at 8 % moisture assayed Nd 4 % dry, D2 10 t at
// 4 % moisture assayed Nd 6 % dry; both received at P (10 t stay at M).
// Run X at P takes 15 t: all 10 t of D1, then 5 t of D2.
//   - scopes: D1 10 × 0.92 = 9.2 t dry at Nd 4 %, D2 5 × 0.96 = 4.8 t
//     dry at Nd 6 %;
//   - the run's feed grade (Σ dᵢ·gᵢ / Σ dᵢ) = (9.2 × 4 + 4.8 × 6) / 14
//     = (36.8 + 28.8) / 14 = 4.685714 % Nd, 0.656 t Nd.
//
// The dispatch D2 shipped the part that holds Nd 6 % (ShippedPart); an
// event that took of no part (the commissioning) gives no scopes.
func TestRunInputScopesByPart(t *testing.T) {
	t.Parallel()
	const id, mine, port = "urn:lot:RG", "urn:site:M", "urn:site:P"
	with := func(e *critmin.Event, m, nd float64) *critmin.Event {
		e.Mineral = &critmin.MineralFacts{Moisture: &m, Assays: []critmin.Assay{{Analyte: "Nd", Value: nd, Unit: "%", Basis: "dry", EventID: e.EventID, At: e.EventTime}}}
		return e
	}
	run := &critmin.Event{EventID: "x", Type: critmin.TransformationEvent, EventTime: at(6), BizLocation: port,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: id, Quantity: kg(15000), UOM: "KGM"}}}
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{noBodyCommission(id, mine, 30000),
		with(noBodyEv(id, "d1", 2, "shipping", mine, port, "D1", kg(10000)), 0.08, 4),
		with(noBodyEv(id, "d2", 3, "shipping", mine, port, "D2", kg(10000)), 0.04, 6),
		noBodyEv(id, "r1", 4, "receiving", port, "", "D1", kg(10000)), noBodyEv(id, "r2", 5, "receiving", port, "", "D2", kg(10000)),
		run})
	l := lots[id]
	scopes, ok := ledger.RunInputScopes(l, "x")
	if !ok || len(scopes) != 2 {
		t.Fatalf("run X's scopes %+v (%v), want two parts", scopes, ok)
	}
	nd := func(list []critmin.Assay) float64 {
		for _, a := range ledger.LatestAssays(list) {
			if a.Analyte == "Nd" {
				return a.Value
			}
		}
		return -1
	}
	want := []struct {
		ship    string
		dry, nd float64
	}{{"d1", 9.2, 4}, {"d2", 4.8, 6}}
	var sum, w float64
	for i, sc := range scopes {
		if sc.ShipEventID != want[i].ship || math.Abs(sc.DryTonnes-want[i].dry) > 1e-9 || nd(sc.Assays) != want[i].nd {
			t.Errorf("scope %d: %s %v t dry at Nd %v %%, want %s %v t at %v %%", i, sc.ShipEventID, sc.DryTonnes, nd(sc.Assays), want[i].ship, want[i].dry, want[i].nd)
		}
		sum += sc.DryTonnes * nd(sc.Assays)
		w += sc.DryTonnes
	}
	if g := sum / w; math.Abs(g-65.6/14) > 1e-9 {
		t.Errorf("run X's feed grade %v %% Nd, want 65.6 / 14 = 4.685714 %%", g)
	}
	if _, ok := ledger.RunInputScopes(l, "c"); ok {
		t.Errorf("an event that took of no part gives scopes")
	}
	if p, ok := ledger.ShippedPart(l, "d2"); !ok || nd(l.PartAssays(p)) != 6 {
		t.Errorf("ShippedPart(d2) = %+v (%v), want the part at Nd 6 %%", p, ok)
	}
	if _, ok := ledger.ShippedPart(l, "r1"); ok {
		t.Errorf("a receipt reads as a dispatch of a part")
	}
}
