package ledger

import (
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// onTheWaySteps are the carrier's CBV 2.0 receipt-like steps that, at a
// port on the way of a trip under a through bill of lading, are a step
// of the trip rather than its end: arriving ("an object arrives at a
// location") and unloading. A receiving or accepting is the consignee's
// receipt and ends the trip wherever it is recorded (capture refuses it
// away from the trip's destination).
var onTheWaySteps = map[string]bool{"arriving": true, "unloading": true}

// StepOnTheWay says whether ev is an arriving or unloading at a port on
// the way of a trip under bill bound for dests (canonical or not): ev
// names the same bill of lading (canonical), the trip states at least
// one destination and ev happens (bizLocation, else readPoint) at none
// of them (issue 8, fixQb; new-user checks n8d s33/s44: an arriving at
// Singapore under the Karachi → Houston through bill read as the trip's
// end, and the receipt at Houston was refused). Such an event keeps the
// trip open: the lot (or container) stays in transit until its receipt
// at the destination.
func StepOnTheWay(ev *critmin.Event, bill string, dests []string) bool {
	if ev == nil || ev.Type != critmin.ObjectEvent || !onTheWaySteps[stepOf(ev.BizStep)] || len(dests) == 0 {
		return false
	}
	b := billOfLading(ev)
	if b == "" || bill == "" || epcis.Canonical(b) != epcis.Canonical(bill) {
		return false
	}
	site := epcis.Canonical(eventSite(ev))
	if site == "" {
		return false
	}
	for _, d := range dests {
		if epcis.Canonical(d) == site {
			return false
		}
	}
	return true
}

// lotOnTheWay says whether receipt ev is a step on the way of the trip
// lot l's body is on (critmin.Lot.TripBill, TripTo; StepOnTheWay).
func lotOnTheWay(l *critmin.Lot, ev *critmin.Event) bool {
	if l == nil || l.Status != critmin.LotInTransit || NoBody(l) || l.TripTo == "" {
		return false
	}
	return StepOnTheWay(ev, l.TripBill, []string{l.TripTo})
}

// keepTrip sets lot l's trip (TripBill, TripTo, TripEventID) after
// current event ev (body: it moved the lot's body, moveLot), l's status as ev left it,
// prev its status before: a dispatch that puts the body in transit
// starts a trip (its bill of lading, destination and event ID); a
// further step of the body in transit under the same bill (or when
// either names none) keeps the trip, taking the bill and a destination
// the trip did not state; one under another bill starts a new trip;
// any event that leaves the body out of transit ends it.
func keepTrip(l *critmin.Lot, ev *critmin.Event, prev string, body bool) {
	if l.Status != critmin.LotInTransit || NoBody(l) {
		l.TripBill, l.TripTo, l.TripEventID = "", "", ""
		return
	}
	if !body || !dispatchSteps[stepOf(ev.BizStep)] {
		return // an arriving or unloading on the way, or a reading: the trip goes on
	}
	bill, to := billOfLading(ev), destination(ev)
	same := prev == critmin.LotInTransit && l.TripEventID != "" &&
		(bill == "" || l.TripBill == "" || epcis.Canonical(bill) == epcis.Canonical(l.TripBill))
	if !same {
		l.TripBill, l.TripTo, l.TripEventID = bill, to, ev.EventID
		return
	}
	if l.TripBill == "" {
		l.TripBill = bill
	}
	if to != "" {
		l.TripTo = to
	}
}
