package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestAsReceivedMoistureKeepsTakenPart (issue 9, fix9t): an as-received
// assay's own H2O, read where a part of the lot was received and all of
// it taken by a run, converts the assay and leaves the part's moisture,
// as on the lot's body: the run took the part at its moisture.
//
// Lot RA, 30 t at mine M at 6 %; D1 ships 10 t to port P at 8 % and is
// received there; run X at P takes all 10 t (10 × 0.92 = 9.2 t dry).
// Dry mass: 20 × 0.94 + 10 × 0.92 = 18.8 + 9.2 = 28.0 t.
// Then at P: Nd 2.3 % as received with H2O 10 % → 2.3 / 0.9 = 2.5556 %
// dry. D1 keeps 8 % and the lot 28.0 t dry (a 10 % on D1 would make it
// 18.8 + 9.0 = 27.8 t). The body's moisture, 6 %, stays too.
func TestAsReceivedMoistureKeepsTakenPart(t *testing.T) {
	t.Parallel()
	const id, mine, port = "urn:lot:RA", "urn:site:M", "urn:site:P"
	m6, m8, m10 := 0.06, 0.08, 0.10
	com := noBodyCommission(id, mine, 30000)
	com.Mineral.Moisture = &m6
	d1 := noBodyEv(id, "d1", 2, "shipping", mine, port, "D1", kg(10000))
	d1.Mineral = &critmin.MineralFacts{Moisture: &m8}
	x := &critmin.Event{EventID: "x", Type: critmin.TransformationEvent, EventTime: at(6), BizLocation: port,
		Quantities: []critmin.QuantityElement{{Role: critmin.RoleInput, EPCClass: id, Quantity: kg(10000), UOM: "KGM"}}}
	ar := noBodyEv(id, "ar", 8, "inspecting", port, "", "", nil)
	ar.Mineral = &critmin.MineralFacts{Moisture: &m10, Assays: []critmin.Assay{{Analyte: "Nd", Value: 2.3, Unit: "%", Basis: "as_received", Moisture: &m10, EventID: "ar", At: at(8)}}}
	lots, _ := ledger.Replay([]string{id}, []*critmin.Event{com, d1, noBodyEv(id, "r1", 4, "receiving", port, "", "D1", kg(10000)), x, ar})
	l := lots[id]
	if len(l.Parts) != 1 || l.Parts[0].Moisture == nil || *l.Parts[0].Moisture != m8 {
		t.Fatalf("parts %+v, want D1 at 8 %%", l.Parts)
	}
	if l.Moisture == nil || *l.Moisture != m6 || math.Abs(l.DryTonnes-28) > 1e-9 {
		t.Errorf("lot RA: moisture %v, %v t dry; want 0.06, 28.0", l.Moisture, l.DryTonnes)
	}
	// The assay was taken where D1 stands: it is D1's (fix15a), not the
	// body's, and converts with its own H2O.
	pa := l.PartAssays(l.Parts[0])
	if len(pa) != 1 || len(l.Assays) != 0 {
		t.Fatalf("D1's assays %+v, the body's %+v; want the one assay D1's", pa, l.Assays)
	}
	if g, ok := ledger.OnBasis(pa[0], l.Parts[0].Moisture, true); !ok || math.Abs(g-2.3/0.9) > 1e-9 {
		t.Errorf("Nd dry %v %v, want 2.5556 %%", g, ok)
	}
	if m, ok := ledger.RunInputMoisture(l, "x"); !ok || m == nil || *m != m8 {
		t.Errorf("run X took at %v %v, want 8 %%", m, ok)
	}
}
