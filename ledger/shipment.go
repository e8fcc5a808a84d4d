package ledger

import (
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// BodyShipment is the shipping event that sent lot l's body on its way:
// the lot's transit, which the lot's API view, its page, the lot list
// and `critmin lot show` read (vessel, bill of lading, ETA, destination).
// Its rule:
//
//   - l is in transit (Status critmin.LotInTransit, as the projection
//     leaves it): a lot whose body was received, arrived or consumed
//     after its shipment has no transit, so nil;
//   - the event is live (Live: neither an error declaration nor declared
//     in error, EPCIS 2.0 §7.4.1.2) and of the CBV 2.0 business step
//     shipping, in its bare or URI form — else, when no live shipping
//     is among evs, departing (a truck leg that departs with no shipping
//     event, n8c s23);
//   - it moved the body: an event that sent only a part of l away
//     (ShippedPart: a critmin.LotPart's ShipEventID) is passed over while
//     another ships the body (issue 15, nu15b: the body shipped under
//     B/L M and later a part under N read "in transit … B/L N"). When
//     every live shipping event shipped a part, the latest of those;
//   - of those, the latest in evs.
//
// evs are l's events in event-time order, as the store lists them (see
// EventTimeOrder). nil when no live shipping event is among them.
// The events may be stored records: the pick reads only the eventID,
// the business step and the declaration state; read the shipment's
// route from the event decoded in full (LegOf).
func BodyShipment(l *critmin.Lot, evs []*critmin.Event) *critmin.Event {
	if l == nil || l.Status != critmin.LotInTransit {
		return nil
	}
	for _, step := range []string{"shipping", "departing"} {
		var part *critmin.Event // the latest that shipped a part, if no body's
		for i := len(evs) - 1; i >= 0; i-- {
			e := evs[i]
			if !Live(e) || stepOf(e.BizStep) != step {
				continue
			}
			if _, ok := ShippedPart(l, e.EventID); !ok {
				return e
			}
			if part == nil {
				part = e
			}
		}
		if part != nil {
			return part
		}
	}
	return nil
}

// Leg is where a shipping event sends what it moves, as the event states
// it: identifiers as written, "" for what it does not state.
type Leg struct {
	// From is the event's last source of type location (CBV 2.0
	// source/destination type location), else its bizLocation, else its
	// readPoint.
	From string
	// To is its last destination of type location.
	To string
	// BillOfLading is its last business transaction of CBV 2.0 type bol,
	// else its last of type desadv (a truck or rail waybill).
	BillOfLading string
}

// LegOf reads the Leg of shipping event e (BodyShipment), which must be
// decoded in full: a stored record indexes neither its source and
// destination lists nor its business transactions.
func LegOf(e *critmin.Event) Leg {
	g := Leg{From: e.BizLocation}
	if g.From == "" {
		g.From = e.ReadPoint
	}
	for _, s := range e.Sources {
		if stepOf(s.Type) == "location" {
			g.From = s.ID
		}
	}
	for _, d := range e.Destinations {
		if stepOf(d.Type) == "location" {
			g.To = d.ID
		}
	}
	desadv := ""
	for _, b := range e.BizTransactions {
		switch stepOf(b.Type) {
		case "bol":
			g.BillOfLading = b.ID
		case "desadv":
			desadv = b.ID
		}
	}
	if g.BillOfLading == "" {
		// A truck or rail leg travels under a despatch advice (the
		// waybill) rather than a bill of lading (n8c s23).
		g.BillOfLading = desadv
	}
	return g
}

// ShippedFromRetractedReceipt is the receipt declared in error that
// dispatch ship of lot id left from: the latest receipt of the lot (a
// receiving, arriving, unloading or accepting ObjectEvent naming it)
// at the place ship leaves from (LegOf's From), dated no later than
// ship, that a declaration in error names (EPCIS 2.0 §7.4.1.2), when the
// lot's live events before ship leave nothing of it standing there: its
// body neither stands there (BodyStands) nor left from there on a trip
// ship continues, and no received part has anything left there
// (StandingAt). nil otherwise — a receipt declared in error whose lot
// stood there anyway (another receipt, its commissioning there) is not
// what the shipment left from.
//
// A part shipped on from such a receipt is flagged by the projection
// (critmin.LotPart.FromRetracted) and counted nowhere. A whole lot is
// never split: its onward shipment still moves it (a record that skipped
// its move there still moves it, DispatchFromNothing), so the custody
// checks accept it on the record left by the declaration; the shipment
// page and the lot API flag it in the same words, "ships from a receipt
// declared in error" (issue 8 §2, fixJj: the onward shipment from a
// receipt declared on its own read as any other).
//
// events are the lot's events decoded in full (their sources and
// quantities), declared ones included with their DeclaredInError.
func ShippedFromRetractedReceipt(id string, events []*critmin.Event, ship *critmin.Event) *critmin.Event {
	if ship == nil || !Live(ship) || ship.Type != critmin.ObjectEvent || ship.Action == "DELETE" || !dispatchSteps[stepOf(ship.BizStep)] {
		return nil
	}
	from := epcis.Canonical(LegOf(ship).From)
	if from == "" {
		return nil
	}
	key := epcis.Canonical(id)
	names := func(ev *critmin.Event) bool {
		for _, q := range ev.LotLines() {
			if epcis.Canonical(q.EPCClass) == key {
				return true
			}
		}
		return false
	}
	var receipt *critmin.Event
	var before []*critmin.Event
	for _, ev := range EventTimeOrder(events) {
		if ev.EventID == ship.EventID {
			break
		}
		if ev.EventTime.After(ship.EventTime) {
			break
		}
		if Live(ev) {
			before = append(before, ev)
			continue
		}
		// The declared event as recorded (DeclaredInError), not a
		// declaration record: read back whole, a declared event may
		// carry its declaration too (EPCIS 2.0 §7.4.1.2).
		if ev.DeclaredInError != nil && ev.Type == critmin.ObjectEvent && receiptSteps[stepOf(ev.BizStep)] &&
			epcis.Canonical(eventSite(ev)) == from && names(ev) {
			receipt = ev
		}
	}
	if receipt == nil {
		return nil
	}
	lots, _ := Replay([]string{id}, before)
	l := lots[id]
	if l == nil || l.EventCount == 0 {
		return nil
	}
	if BodyStands(l, from) {
		return nil
	}
	if l.Status == critmin.LotInTransit && !NoBody(l) && epcis.Canonical(l.Location) == from {
		return nil // the body's own trip continuing from there
	}
	if st, ok := StandingAt(l, from); ok && st.WetTonnes > 1e-9 {
		return nil
	}
	return receipt
}
