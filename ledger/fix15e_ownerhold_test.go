package ledger

import (
	"testing"

	"github.com/critmin/critmin"
)

// TestOnwardShipTakesTheNamedOwnersHolding (issue 15, fix15e;
// docs/identity.md): at Houston BUY1 holds a received 6 t part and BUY2
// the lot's 13.95 t body (19.95 t wet in all). A 10 t shipment whose
// source owning_party is BUY2 ships BUY2's body: 13.95 − 10 = 3.95 t of
// the body left, BUY1 keeps its 6 t, the shipped part is BUY2's. (It took
// BUY1's 6 t first, first in first out by parts, and labelled the 10 t
// BUY1's.) Named BUY1 it takes BUY1's part only (issue 15, fix15o: it
// took 6 t of it and 4 t of BUY2's body under BUY1's name). 10 t are
// more than BUY1's 6 t hold (10 > 6 × 1.005 = 6.03): capture refuses
// it, and one stored before (or left so by a declaration) takes of
// nothing — flagged (FromRetracted), counted nowhere, BUY1's part still
// 6 t rather than 6 − 10 = −4 t (issue 15, fix15q) — and BUY2's 13.95 t
// stay.
func TestOnwardShipTakesTheNamedOwnersHolding(t *testing.T) {
	const hou = "urn:t:site:houston"
	lot := func() *critmin.Lot {
		return &critmin.Lot{ID: "urn:t:lot:H", UOM: "TNE", WetTonnes: 19.95, DryTonnes: 19.95, Location: hou, Status: critmin.LotInStock, Owner: "urn:t:party:BUY2",
			Parts: []critmin.LotPart{{Tonnes: 6, ReceivedTonnes: 6, Status: critmin.PartReceived, To: hou, ShipEventID: "urn:t:ev:s1", Owner: "urn:t:party:BUY1"}}}
	}
	ten := 10.0
	ship := func(owner string) *critmin.Event {
		return &critmin.Event{Type: critmin.ObjectEvent, EventID: "urn:t:ev:s2", Action: "OBSERVE", BizStep: "shipping", BizLocation: hou,
			Sources:      []critmin.SourceDest{{Type: "owning_party", ID: owner}},
			Destinations: []critmin.SourceDest{{Type: "location", ID: "urn:t:site:rotterdam"}}}
	}
	q := critmin.QuantityElement{EPCClass: "urn:t:lot:H", Quantity: &ten, UOM: "TNE"}

	l := lot()
	applyPart(l, ship("urn:t:party:BUY2"), q)
	if len(l.Parts) != 2 {
		t.Fatalf("parts %+v, want BUY1's and the shipped one", l.Parts)
	}
	if left := l.Parts[0].LeftTonnes(); left != 6 {
		t.Errorf("BUY1's part has %v t left, want 6", left)
	}
	if rest := l.RemainingWetTonnes(); rest < 3.95-1e-9 || rest > 3.95+1e-9 {
		t.Errorf("BUY2's body %v t, want 13.95 − 10 = 3.95", rest)
	}
	if sp := l.Parts[1]; sp.Tonnes != 10 || l.PartOwner(sp) != "urn:t:party:BUY2" {
		t.Errorf("shipped part %v t owned by %q, want 10 t of BUY2", sp.Tonnes, l.PartOwner(sp))
	}

	l = lot()
	applyPart(l, ship("urn:t:party:BUY1"), q)
	if len(l.Parts) != 2 || l.Parts[0].ShippedOnTonnes != 0 || l.Parts[0].LeftTonnes() != 6 || !l.Parts[1].FromRetracted || l.PartOwner(l.Parts[1]) != "urn:t:party:BUY1" || len(l.Parts[1].Owners) != 0 {
		t.Errorf("named BUY1: parts %+v, want BUY1's 6 t part untouched and the 10 t part flagged, BUY1's alone", l.Parts)
	}
	if rest := l.RemainingWetTonnes(); rest < 13.95-1e-9 || rest > 13.95+1e-9 {
		t.Errorf("named BUY1: BUY2's body %v t, want 13.95 t untouched (fix15o: a named owner's shipment is not topped up from another's holding)", rest)
	}
}
