package ledger

import (
	"slices"
	"testing"

	"github.com/critmin/critmin"
)

// TestPartOfSeveralOwnersNamesThemAll (issue 15, fix15l item 2;
// docs/forms.md): a part shipped of several parties' holdings at one
// site is every one of those parties' (LotPart.Owners, Lot.PartOwners),
// not the first one's alone.
//
// Quantity: at Houston BUY1 holds a received 6 t part and BUY2 the lot's
// 13.95 t body. 15 t shipped naming nobody — more than the body holds —
// takes BUY1's 6 t and 15 − 6 = 9 t of BUY2's body: the part is BUY1's
// and BUY2's (it read BUY1's only), the body keeps 13.95 − 9 = 4.95 t.
// (A shipment naming BUY1 ships BUY1's holding only, issue 15, fix15o:
// it is never topped up from BUY2's body.)
//
// No quantity: at Karachi (the body at the mine) BUY1 holds a received
// 3 t part and BUY2 a received 2 t part; a shipment naming nobody ships
// both, 3 + 2 = 5 t, owned by BUY1 and BUY2 and held by their custodians
// HOLD1 and HOLD2 — not by the carrier the event names as a destination
// location's operator (the event names no possessing_party).
func TestPartOfSeveralOwnersNamesThemAll(t *testing.T) {
	const hou, khi, mine = "urn:t:site:houston", "urn:t:site:karachi", "urn:t:site:mine"
	fifteen := 15.0
	l := &critmin.Lot{ID: "urn:t:lot:H", UOM: "TNE", WetTonnes: 19.95, DryTonnes: 19.95, Location: hou, Status: critmin.LotInStock, Owner: "urn:t:party:BUY2",
		Parts: []critmin.LotPart{{Tonnes: 6, ReceivedTonnes: 6, Status: critmin.PartReceived, To: hou, ShipEventID: "urn:t:ev:s1", Owner: "urn:t:party:BUY1"}}}
	ship := &critmin.Event{Type: critmin.ObjectEvent, EventID: "urn:t:ev:s2", Action: "OBSERVE", BizStep: "shipping", BizLocation: hou,
		Destinations: []critmin.SourceDest{{Type: "location", ID: "urn:t:site:rotterdam"}}}
	applyPart(l, ship, critmin.QuantityElement{EPCClass: "urn:t:lot:H", Quantity: &fifteen, UOM: "TNE"})
	if len(l.Parts) != 2 {
		t.Fatalf("parts %+v, want BUY1's and the shipped one", l.Parts)
	}
	if got, want := l.PartOwners(l.Parts[1]), []string{"urn:t:party:BUY1", "urn:t:party:BUY2"}; !slices.Equal(got, want) {
		t.Errorf("15 t shipped of 6 t of BUY1 and 9 t of BUY2: owners %q, want %q", got, want)
	}
	if rest := l.RemainingWetTonnes(); rest < 4.95-1e-9 || rest > 4.95+1e-9 {
		t.Errorf("BUY2's body %v t, want 13.95 − 9 = 4.95", rest)
	}

	k := &critmin.Lot{ID: "urn:t:lot:K", UOM: "TNE", WetTonnes: 20, DryTonnes: 20, Location: mine, Status: critmin.LotInStock, Owner: "urn:t:party:MINE", Custodian: "urn:t:party:MINE",
		Parts: []critmin.LotPart{
			{Tonnes: 3, ReceivedTonnes: 3, Status: critmin.PartReceived, To: khi, ShipEventID: "urn:t:ev:a", Owner: "urn:t:party:BUY1", Custodian: "urn:t:party:HOLD1"},
			{Tonnes: 2, ReceivedTonnes: 2, Status: critmin.PartReceived, To: khi, ShipEventID: "urn:t:ev:b", Owner: "urn:t:party:BUY2", Custodian: "urn:t:party:HOLD2"}}}
	noQty := &critmin.Event{Type: critmin.ObjectEvent, EventID: "urn:t:ev:s3", Action: "OBSERVE", BizStep: "shipping", BizLocation: khi,
		Destinations: []critmin.SourceDest{{Type: "location", ID: "urn:t:site:rotterdam"}}}
	applyPart(k, noQty, critmin.QuantityElement{EPCClass: "urn:t:lot:K"})
	if len(k.Parts) != 3 {
		t.Fatalf("parts %+v, want the two received and the shipped one", k.Parts)
	}
	sp := k.Parts[2]
	if sp.Tonnes != 5 {
		t.Errorf("shipped %v t, want 3 + 2 = 5", sp.Tonnes)
	}
	if got, want := k.PartOwners(sp), []string{"urn:t:party:BUY1", "urn:t:party:BUY2"}; !slices.Equal(got, want) {
		t.Errorf("owners %q, want %q", got, want)
	}
	if got, want := k.PartCustodians(sp), []string{"urn:t:party:HOLD1", "urn:t:party:HOLD2"}; !slices.Equal(got, want) {
		t.Errorf("custodians %q, want %q", got, want)
	}
}

// TestOwnersAt (issue 15, fix15l item 1): at Houston BUY2's 13.95 t body
// and BUY1's received 6 t part stand: the owners there are BUY2 and BUY1;
// nothing of the lot stands at Rotterdam: none.
func TestOwnersAt(t *testing.T) {
	const hou = "urn:t:site:houston"
	l := &critmin.Lot{ID: "urn:t:lot:H", UOM: "TNE", Quantity: 19.95, WetTonnes: 19.95, DryTonnes: 19.95, Location: hou, Status: critmin.LotInStock, Owner: "urn:t:party:BUY2",
		Parts: []critmin.LotPart{{Tonnes: 6, ReceivedTonnes: 6, Status: critmin.PartReceived, To: hou, ShipEventID: "urn:t:ev:s1", Owner: "urn:t:party:BUY1"}}}
	if got, want := OwnersAt(l, hou), []string{"urn:t:party:BUY2", "urn:t:party:BUY1"}; !slices.Equal(got, want) {
		t.Errorf("owners at Houston %q, want %q", got, want)
	}
	if got := OwnersAt(l, "urn:t:site:rotterdam"); got != nil {
		t.Errorf("owners at Rotterdam %q, want none", got)
	}
}
