package ledger_test

import (
	"math"
	"testing"

	"github.com/critmin/critmin"
)

// TestSecondReceiptUnderBillOfLadingCreatesNoMass (issue 15, fix15j): a
// receipt (CBV 2.0 bizStep receiving) under a bill of lading whose
// shipment was already received states nothing of the lot: the part it
// names is no longer in transit, and the lot's body stands elsewhere.
// Lot P2 10 t at mine LS; 8 t shipped LS→K under B/L P2A; received at
// K at 8 t: 2 t at LS + 8 t at K = 10 t, body at LS. P2A received
// again at K (8,000 kg, or 10,660 kg): before, it read as a receipt of
// the body: 8 (part) + 8 = 16 t, body at K, owned by the receipt's
// owner. Now a no-op for mass: still 10 t, body at LS, 2 t there,
// owner unchanged, the part still received at 8 t.
func TestSecondReceiptUnderBillOfLadingCreatesNoMass(t *testing.T) {
	t.Parallel()
	const id, ls, k = "urn:lot:P2", "urn:site:LS", "urn:site:K"
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	base := []*critmin.Event{noBodyCommission(id, ls, 10000),
		noBodyEv(id, "s", 2, "shipping", ls, k, "P2A", kg(8000)),
		noBodyEv(id, "r1", 3, "receiving", k, "", "P2A", kg(8000))}
	// The same with no bill of lading on the second receipt: nothing is
	// in transit, a part stands received at K and the body at LS.
	for _, c := range []struct {
		w   float64
		bol string
	}{{8000, "P2A"}, {10660, "P2A"}, {8000, ""}} {
		w := c.w
		again := noBodyEv(id, "r2", 4, "receiving", k, "", c.bol, kg(w))
		again.Destinations = []critmin.SourceDest{{Type: "owning_party", ID: "urn:party:BUYER"}}
		l := projectAll(id, append(base, again)...)
		if !near(l.WetTonnes, 10) || l.Location != ls || l.Owner == "urn:party:BUYER" {
			t.Errorf("second receipt at %v kg: lot %v t at %s owned by %q; want 10 t (2 at LS + 8 at K), body at LS, owner unchanged", w, l.WetTonnes, l.Location, l.Owner)
		}
		if len(l.Parts) != 1 || l.Parts[0].ReceiptEventID != "r1" || !near(l.Parts[0].Mass(), 8) {
			t.Errorf("second receipt at %v kg: parts %+v; want the 8 t part received by r1", w, l.Parts)
		}
	}
}
