package custody

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// This file holds the capture check that an event happens where its lots
// are (issue 15, fix15c items 1 and 2), for every path alike — the API,
// the CLI, the import and the forms. The forms and the import word the
// same rule with the sites' names (web lotElsewhere); this check is what
// makes it hold for a document posted to POST /epcis/capture.

// receiptSteps are the CBV 2.0 business steps that end a lot's transit at
// its destination: it arrives, is unloaded, received or accepted there.
var receiptSteps = map[string]bool{"arriving": true, "unloading": true, "receiving": true, "accepting": true}

// sendSteps are the CBV 2.0 business steps that pack a lot or send it on
// its way from where it is: they may be recorded only where the lot is.
var sendSteps = map[string]bool{"packing": true, "loading": true, "shipping": true, "departing": true}

// readingSteps are the CBV 2.0 business steps that observe a lot where
// it is — sample, inspect, weigh or report a sensor reading of it — and
// may be recorded only there.
var readingSteps = map[string]bool{"sampling": true, "inspecting": true, "sensor_reporting": true, "cycle_counting": true}

// whereabouts is where a lot was at an instant, by its own live events up
// to then: at a site (the bizLocation of the latest event that has one),
// or in transit after a shipping, departing or transporting event (or one
// of disposition in_transit without a bizLocation), bound for its
// location destinations. by is the event that put it there; nil when no
// event places the lot. partsAt are the sites where parts of the lot
// shipped away (critmin.Lot.Parts) had been received by then.
type whereabouts struct {
	by *critmin.Event
	// arrived is the event that put the body at site: its commissioning
	// or receipt there, not a later packing, sampling or weighing at the
	// same site, which did not move it (issue 15, fix15b: a refusal read
	// "since packing" of a lot commissioned there). by is the last event
	// that placed it.
	arrived   *critmin.Event
	inTransit bool
	site      string // canonical, at a site
	from      string // canonical source location, else readPoint, else bizLocation, in transit
	// left is the site the trip left from: the from of its first step,
	// kept through its further steps (departing, transporting), for a
	// transporting seen at a vessel states not the site the lot left
	// (new-user finding nu38a item 2).
	left  string
	dests []string
	// trip is the event that put the lot in transit from a site — the
	// trip's first step, kept through its further steps — and bol the
	// bill of lading the trip travels under (the first its steps name;
	// "" none), for a refusal of a shipment of the lot while it is at
	// sea to name the open trip (leftWhileAtSea).
	trip *critmin.Event
	bol  string

	partsAt map[string]bool
	// boxes are the containers (canonical) that moved the lot, each at
	// sea on a trip not yet received (boxTrip), nil once received: a
	// container named in a shipment is judged by its own trip, not by
	// what of the lot stands where it leaves (issue 8, fixOg: [C1, C2]
	// shipped under B1, [C1] received at Karachi, then [C2] shipped on
	// from Karachi under BX fitted within C1's 6 t there and was taken).
	boxes map[string]*boxTrip
	// partTrips are the events walked so far that sent a part of the
	// lot away (its own dispatch, or an onward one from where a part was
	// received), by eventID: a part they sent that is still in transit
	// (critmin.PartInTransit in lot) is at sea (leftWhileAtSea).
	partTrips map[string]*critmin.Event
	// parted: every tonne of the lot left as parts (its last dispatch,
	// by, sent the rest away, ledger.NoBody): it stands only where its
	// parts were received (partsAt) and is at no site of its own, nor in
	// transit as a whole (issue 15, fix15t: its last part's shipment put
	// the whole lot in transit, and the other parts' receipts were
	// refused). lot is the lot as the document leaves it, to word where
	// it stands.
	parted bool
	lot    *critmin.Lot
}

// placedBy is the event that put the body where it stands (arrived),
// else the last event that placed it (by).
func (w *whereabouts) placedBy() *critmin.Event {
	if w.arrived != nil {
		return w.arrived
	}
	return w.by
}

// eventSite is where an event happens: its bizLocation, else its readPoint
// (a departing event states only the readPoint), canonical.
func eventSite(ev *critmin.Event) string {
	if ev.BizLocation != "" {
		return epcis.Canonical(ev.BizLocation)
	}
	return epcis.Canonical(ev.ReadPoint)
}

// placesLot says whether e places a lot: it has a bizLocation, or it sends
// the lot on its way — a dispatch step without a disposition too
// (ledger.TripStep: a loading stating neither is a trip's step, as the
// ledger reads it, not nothing).
func placesLot(e *critmin.Event) bool {
	return e.BizLocation != "" || inTransitStep(e.BizStep) || e.Disposition == "in_transit" || ledger.TripStep(e)
}

// tracker follows a lot's whereabouts through its events in event-time
// order (add). lot is the lot as the document leaves it, for its parts: a
// shipping that sends a part of the lot away (Lot.Parts) leaves the rest
// where it stood, unless it leaves nothing (less than
// ledger.PartTolerance of the lot); a receipt of a part puts that part,
// not the lot, at its destination, and a later reading there (atPart)
// concerns the part, not the rest.
type tracker struct {
	id       string
	partShip map[string]float64
	partRecv map[string]string
	onward   map[string]bool // ship events of onward parts (LotPart.OnwardOf)
	// back is what parts that rejoined the body brought back to it
	// (critmin.PartRejoined), wet tonnes by the event that rejoined
	// them (LotPart.RejoinedBy): from then on it is not sent.
	back  map[string]float64
	whole float64
	sent  float64
	w     whereabouts
	// bols are the bills of lading the lot's dispatches so far named;
	// inert the receipts of parts shipped from nothing
	// (critmin.LotPart.FromRetracted). A receipt under a bill of lading
	// no dispatch of the lot named (its shipment declared in error,
	// ledger.ReceiptOfNothing), or of a flagged part, receives nothing
	// and does not move the lot (issue 15, fix15q: after NU-B1's NUB-1
	// shipment was declared in error, its receipt put the lot at Karachi
	// and a shipment from Loe Shilman, where 25 t stood, was refused).
	bols  map[string]bool
	inert map[string]bool
	// ends are the parts' receipts (ReceiptEventID): the bill of lading
	// the part travelled under and the containers it came in; boxIn the
	// containers (canonical) such a receipt brought in, each with where
	// and under which bill ("" none), until a dispatch names it again;
	// billIn the sites where a part's receipt under a bill brought it
	// in. A later step of the same trip's end (arriving, then
	// receiving) books nothing new in the ledger (ledger.broughtIn,
	// ReReceipt) and does not move the lot's body (laterStep).
	ends   map[string]critmin.LotPart
	boxIn  map[string][2]string
	billIn map[string]string
	// lineIn the sites where a part's receipt brought in a part shipped
	// by a line with no bill of lading and no container: with no bill
	// the trip is known by what it carries (ledger.LineTripEndBy).
	lineIn map[string]bool
}

func newTracker(id string, lot *critmin.Lot) *tracker {
	t := &tracker{id: id, partShip: map[string]float64{}, partRecv: map[string]string{}, onward: map[string]bool{}, back: map[string]float64{}, w: whereabouts{partsAt: map[string]bool{}, boxes: map[string]*boxTrip{}, partTrips: map[string]*critmin.Event{}, lot: lot},
		bols: map[string]bool{}, inert: map[string]bool{}, ends: map[string]critmin.LotPart{}, boxIn: map[string][2]string{}, billIn: map[string]string{}, lineIn: map[string]bool{}}
	if lot != nil {
		t.whole = lot.WetTonnes
		for _, p := range lot.Parts {
			if p.FromRetracted && p.ReceiptEventID != "" {
				t.inert[p.ReceiptEventID] = true
			}
			if by := p.RejoinedBy(); by != "" && !p.FromRetracted {
				// Back where the body stands (ledger's rejoin): what it
				// brought back (its mass less what was shipped on from
				// where it was received) is the body's again, not sent
				// (issue 15, fix15u item 2: 10 t sent away and shipped
				// back, then 20 t of 30 t shipped, read 30 t sent and
				// the lot as having no body).
				t.back[by] += max(0, p.Mass()-p.ShippedOnTonnes)
			}
			if p.ReceiptEventID != "" && !p.FromRetracted && (p.Status == critmin.PartReceived || p.Status == critmin.PartRejoined && p.ReceiptEventID != p.RejoinedBy()) {
				// Every part's receipt, an onward part's included: what
				// it brought stands where it was received — a part the
				// body later came to and rejoined too (its receipt is
				// kept, fix15y): until the body came, the lot's body
				// stood where it was, and a shipment of it from there
				// with no quantity was refused as if the part's receipt
				// had moved the lot (issue 15, fix15r2 item 1).
				t.partRecv[p.ReceiptEventID] = p.To
				t.ends[p.ReceiptEventID] = p
			}
			if p.OnwardOf != "" || p.FromRetracted {
				// Shipped on from where a part was received (or from
				// nothing): it never moves the lot's body, whatever its
				// weight — a 0 kg placeholder of an import row included
				// (issue 15, fix15r item 4: the whole lot read in transit).
				t.onward[p.ShipEventID] = true
				continue
			}
			// A dispatch that joined the part's trip sent what it added
			// (ledger.joinsTrip): one trip, several events.
			sent := p.Tonnes
			for _, j := range p.Joins {
				t.partShip[j.ShipEventID] += j.Tonnes
				sent -= j.Tonnes
			}
			t.partShip[p.ShipEventID] += sent
		}
	}
	return t
}

// fedOnly says whether e is a run that takes lot id as an input and does
// not make it: the run consumes the lot (or part of it) where it is — it
// may feed only there, or where a part of it was received — and does not
// move what remains of it.
func fedOnly(e *critmin.Event, id string) bool {
	if e.Type != critmin.TransformationEvent {
		return false
	}
	fed := false
	for _, ql := range e.Quantities {
		if ql.EPCClass == id {
			if ql.Role == critmin.RoleOutput {
				return false
			}
			fed = fed || ql.Role == critmin.RoleInput
		}
	}
	return fed
}

// add moves the lot by its next event e.
func (t *tracker) add(e *critmin.Event) {
	if b := bolOf(e); b != "" && dispatchSteps[stepName(e.BizStep)] {
		t.bols[b] = true
	}
	if t.receivesNothing(e) {
		return
	}
	if dispatchSteps[stepName(e.BizStep)] || inTransitStep(e.BizStep) {
		for _, c := range listed(e) {
			delete(t.boxIn, epcis.Canonical(c))
		}
	}
	if t.onward[e.EventID] {
		t.w.partTrips[e.EventID] = e
		return // a part shipped on: the body stays where it was
	}
	if tn, ok := t.back[e.EventID]; ok {
		t.sent = max(0, t.sent-tn) // and the event places the body as any other
	}
	if tn, ok := t.partShip[e.EventID]; ok {
		t.w.partTrips[e.EventID] = e
		t.sent += tn
		if t.whole-t.sent > t.whole*ledger.PartTolerance {
			return // the rest stays where it was
		}
		// The last of the lot left as a part: no body is left anywhere;
		// the lot stands where its parts are received (partsAt).
		w := &t.w
		w.by, w.arrived, w.parted, w.inTransit = e, nil, true, false
		w.site, w.from, w.dests = "", "", nil
		w.trip, w.bol = nil, ""
		return
	}
	if to, ok := t.partRecv[e.EventID]; ok {
		t.w.partsAt[epcis.Canonical(to)] = true
		p := t.ends[e.EventID]
		for _, c := range p.Containers {
			t.boxIn[epcis.Canonical(c)] = [2]string{epcis.Canonical(to), p.BillOfLading}
		}
		if p.BillOfLading != "" {
			t.billIn[p.BillOfLading] = epcis.Canonical(to)
		} else if len(p.Containers) == 0 && p.ShipEventID != "" {
			t.lineIn[epcis.Canonical(to)] = true
		}
		return
	}
	if t.laterStep(e) {
		// A later step of the end of a part's trip: the part stands
		// where its first step brought it, the rest where it stood.
		t.w.partsAt[eventSite(e)] = true
		return
	}
	if !placesLot(e) || fedOnly(e, t.id) || atPart(e, t.w) {
		return
	}
	w := &t.w
	if w.inTransit && stepName(e.BizStep) == "loading" && e.Action != "ADD" && (eventSite(e) == w.from || eventSite(e) == w.left) {
		// A loading where the lot left, after its shipping, is a step
		// of the same trip: the lot stays in transit (nu38a item 2: it
		// put the lot back at the site, and a new shipping from there
		// replaced the trip).
		w.by = e
		return
	}
	wasInTransit, dests := w.inTransit, w.dests
	wasAt, arrived, left := w.site, w.arrived, w.left
	trip, bol := w.trip, w.bol
	w.by, w.arrived = e, nil
	// On a trip as the ledger reads it (ledger.Departs: a loading at its
	// bizLocation too, whatever its disposition; builder fixQw), or
	// placed at no site.
	w.inTransit = inTransitStep(e.BizStep) || ledger.Departs(e) || e.BizLocation == ""
	w.site, w.from, w.dests = "", "", nil
	w.trip, w.bol = nil, ""
	if !w.inTransit {
		w.site = epcis.Canonical(e.BizLocation)
		w.arrived = e
		if !wasInTransit && wasAt == w.site && arrived != nil && !receiptSteps[stepName(e.BizStep)] {
			w.arrived = arrived // an event where the body already stood
		}
		return
	}
	defer func() {
		// A further leg that names no destination (a transporting event
		// seen on the way) keeps the shipment's.
		if wasInTransit && len(w.dests) == 0 {
			w.dests = dests
		}
	}()
	// Where it left, as the event states it in any standard member: a
	// source of type location (CBV 2.0 §7.5), else its readPoint, else
	// its bizLocation (issue 8, fixNb item 2: a shipment stating only
	// its bizLocation left from "an unstated place", and a second
	// shipment from there while it was at sea was taken). A source
	// party (owning_party, possessing_party) names no place.
	w.from, _ = departure(e)
	w.left = w.from
	if wasInTransit && left != "" {
		w.left = left
	}
	w.trip, w.bol = e, bolOf(e)
	if wasInTransit && trip != nil {
		w.trip = trip
		if bol != "" {
			w.bol = bol
		}
	}
	for _, d := range e.Destinations {
		if isType(d.Type, "location") {
			w.dests = append(w.dests, epcis.Canonical(d.ID))
		}
	}
}

// boxTrip is the trip a container is at sea on (whereabouts.boxes):
// the dispatch that sent it from a site, the bill of lading its steps
// name first ("" none), where it left and its location destinations.
type boxTrip struct {
	trip  *critmin.Event
	bol   string
	left  string
	dests []string
}

// moveBoxes follows the containers boxes (canonical) that e moves lot
// in: a shipping, departing or transporting puts a container not at sea
// on a trip, as a loading does (ledger.Departs; builder fixQw) (a
// further step keeps the trip, and its bill when the first named none);
// a receipt (receiptSteps) ends it. A packing or reading leaves it as
// it was. A receipt naming the lot by a line, not
// its containers, ends the trips it may end: those under its bill of
// lading (or where either states none) bound for where it happens (or
// for no stated place) — the containers are not judged at sea after the
// lot's receipt.
func (t *tracker) moveBoxes(e *critmin.Event, boxes []string) {
	if t.inert[e.EventID] || t.receivesNothing(e) {
		return
	}
	step := stepName(e.BizStep)
	if len(boxes) == 0 {
		if !receiptSteps[step] {
			return
		}
		b, here := bolOf(e), eventSite(e)
		for c, bt := range t.w.boxes {
			bound := len(bt.dests) == 0
			for _, d := range bt.dests {
				bound = bound || d == here
			}
			if bound && (b == "" || bt.bol == "" || b == bt.bol) {
				delete(t.w.boxes, c)
			}
		}
		return
	}
	for _, c := range boxes {
		switch {
		case receiptSteps[step]:
			delete(t.w.boxes, c)
		case ledger.Departs(e) || step == "shipping" || step == "departing" || step == "transporting":
			bt := t.w.boxes[c]
			if bt == nil {
				from, _ := departure(e)
				bt = &boxTrip{trip: e, left: from}
				t.w.boxes[c] = bt
			}
			if bt.bol == "" {
				bt.bol = bolOf(e)
			}
			var dests []string
			for _, d := range e.Destinations {
				if isType(d.Type, "location") {
					dests = append(dests, epcis.Canonical(d.ID))
				}
			}
			if len(dests) > 0 {
				bt.dests = dests
			}
		}
	}
}

// laterStep says whether receipt e (arriving, unloading, accepting,
// receiving) is a later step of the end of a trip whose first step
// received a part of the lot at e's site (CBV 2.0 §7.2: one end, several
// steps): every container e names was brought in there by a part's
// receipt under e's bill of lading (none on both) and not sent off
// since; or, naming none, e's bill is one a part's receipt there came
// under while the body is not at sea under it. The ledger books nothing
// new for it (ledger.broughtIn, ReReceipt), so the lot's body stays
// where it stood (new-user check nuq10 R1: after [C1]'s 6 t arrived and
// were received at B, a shipping of the 4 t standing at A was refused
// "lot L is at B … since receiving").
func (t *tracker) laterStep(e *critmin.Event) bool {
	if !receiptSteps[stepName(e.BizStep)] || e.Type != critmin.ObjectEvent {
		return false
	}
	site, b := eventSite(e), bolOf(e)
	if site == "" {
		return false
	}
	if boxes := listed(e); len(boxes) > 0 {
		for _, c := range boxes {
			if in, ok := t.boxIn[epcis.Canonical(c)]; !ok || in[0] != site || in[1] != b {
				return false
			}
		}
		return true
	}
	if b == "" {
		// Naming neither bill nor container, at a site where a part
		// shipped by a line with no bill was received while the body
		// stands elsewhere, not in transit: the ledger books nothing
		// new for it (ledger.ReReceipt, LineTripEndBy; builder trips:
		// "L 4 t" arriving then receiving with no bill).
		return t.lineIn[site] && !t.w.inTransit && t.w.site != site
	}
	return t.billIn[b] == site && !(t.w.inTransit && t.w.bol == b)
}

// receivesNothing says whether e is a receipt that receives nothing of
// the lot, as the ledger reads it: of a part shipped from nothing
// (inert), or under a bill of lading no dispatch of the lot named so far
// while the lot is placed, not in transit, and its body stands elsewhere
// (ledger.ReceiptOfNothing; a receipt naming containers is judged as
// before: their shipment need not name the lot).
func (t *tracker) receivesNothing(e *critmin.Event) bool {
	if t.inert[e.EventID] {
		return true
	}
	b := bolOf(e)
	if !receiptSteps[stepName(e.BizStep)] || b == "" || t.bols[b] || len(e.EPCs) > 0 || e.ParentID != "" {
		return false
	}
	w := t.w
	return w.by != nil && !w.inTransit && w.site != eventSite(e)
}

// atPart says whether e happens at a site where a received part of the
// lot stands (w.partsAt) and is neither a receipt nor a send: a weighing,
// sampling, inspection or any other reading there concerns that part and
// leaves the rest of the lot where it is (fix15n). A receipt there of the
// rest, or a shipping from there, still moves the lot.
func atPart(e *critmin.Event, w whereabouts) bool {
	if e.BizLocation == "" || !w.partsAt[epcis.Canonical(e.BizLocation)] {
		return false
	}
	step := stepName(e.BizStep)
	return !receiptSteps[step] && !inTransitStep(e.BizStep) && e.Disposition != "in_transit"
}

// checkWhereabouts refuses an event of the document that happens where
// one of its lots is not, by the lot's whereabouts at the event's time
// (its live stored events and the document's earlier events, none
// declared in error):
//
//   - a lot in transit (after a shipping, departing or transporting
//     event) is at no site: an event at a site — a sampling, a weighing,
//     an inspection, a packing, a run feeding it — is refused, except its
//     arrival or receipt (arriving, unloading, receiving, accepting) at a
//     destination of the shipment (anywhere when the shipment states
//     none), a further leg (shipping, departing or transporting, which
//     keeps it in transit: a transshipment) and a loading at the place it
//     left from (CBV 2.0: loading, departing). Material at sea
//     bound for Houston is not observed or fed at Houston before it
//     arrives there;
//   - a lot at a site is packed, loaded, shipped or departs only there
//     (or where a part of it shipped away was received): a lot at
//     Houston is not shipped from Karachi.
//
// A commissioning (an ObjectEvent ADD of a lot no event has placed yet)
// and a run's outputs are not judged (they make the lot where the event
// is); an ADD of a lot already placed at a site is judged like an
// observation (misplacedAdd: refused as a conflict with the record). A
// claim (cm:originClaim) exempts no event from this check. An event with neither a
// bizLocation nor a readPoint is not judged. The error names the lot,
// where it was, the event that put it there, and the member
// ("event ID/bizLocation", or readPoint when the event has no
// bizLocation).
//
// capture says live is a document captured now: its shipments and
// departures are also judged against an open trip of the lot
// (leftWhileAtSea: a lot at sea is received before it is shipped on).
// A declaration's re-judging of the recorded events (judgeAgain) passes
// false, so that declaring a receipt in error stays accepted when an
// onward shipment left from it. The trip rule for receipts (an
// arriving, unloading or accepting moves only a lot on a trip:
// offTripReceipt, partOffTrip) holds for both: a recorded arrival whose
// shipment a declaration takes away would stand on nothing (issue 8 §2,
// new-user check nuq5 W1, fixQk).
//
// conflict is true when the first refusal is of an ObjectEvent ADD of a
// lot already placed elsewhere: that event conflicts with the record of
// where the lot is (409), where the others misstate where an event
// happens (400).
func checkWhereabouts(ctx context.Context, s Store, live []*critmin.Event, declared map[string]bool, lots map[string]*critmin.Lot, cj *contentsJudge, capture bool) (fe []critmin.FieldError, conflict bool, err error) {
	// The document's events by the lots they name (not as outputs: a run
	// makes those where it is), in document order.
	docOf := map[string][]int{}
	inDoc := map[string]bool{}
	var ids []string
	for i, e := range live {
		inDoc[e.EventID] = true
		seen := map[string]bool{}
		lines := e.Quantities
		if e.Type == critmin.ObjectEvent && e.Action == "ADD" {
			// A bag commissioned by instance with its own ILMD is a
			// lot line too (critmin.Event.LotLines): its commissioning
			// places it (nuq10 s14c, fixQx).
			lines = e.LotLines()
			for k := len(e.Quantities); k < len(lines); k++ {
				lines[k].EPCClass = epcis.Canonical(lines[k].EPCClass)
			}
		}
		for _, ql := range lines {
			if !seen[ql.EPCClass] {
				seen[ql.EPCClass] = true
				if docOf[ql.EPCClass] == nil {
					ids = append(ids, ql.EPCClass)
				}
				docOf[ql.EPCClass] = append(docOf[ql.EPCClass], i)
			}
		}
	}
	type step struct {
		ev  *critmin.Event
		doc int // index in live, -1 for a stored event
	}
	bad := map[int][]critmin.FieldError{}
	hard := map[int]bool{} // refusals that conflict with the record (409)
	// The lot's events — its live stored ones (a document's event
	// replaces a stored one of its ID, a re-send) and the document's —
	// walked once in event-time order (equal times: stored first, then
	// the document's order), each judged by where the lot is after the
	// ones before it. The stored events of every lot are read together
	// (storedOfLots), not once for each lot.
	// The stored moves of a container holding the lot then, naming
	// only the container (nu36a-6): the lot moved with it.
	carriers, err := storedCarriers(ctx, s, ids)
	if err != nil {
		return nil, false, err
	}
	judge := func(id string, page *critmin.EventPage) error {
		var walk []step
		have := map[string]bool{}
		if page != nil {
			for _, st := range page.Events {
				have[st.EventID] = true
				if ledger.Live(st) && !declared[st.EventID] && !inDoc[st.EventID] {
					walk = append(walk, step{ev: decodeStored(st), doc: -1})
				}
			}
		}
		for _, st := range carriers[id] {
			if !declared[st.EventID] && !inDoc[st.EventID] {
				walk = append(walk, step{ev: st, doc: -1})
			}
		}
		if (page == nil || len(page.Events) == 0) && lots[id] != nil && !units.IsMass(lots[id].UOM) {
			// A lot of its own by instance (a bag commissioned by
			// SGTIN with its own ILMD, no mass): its commissioning
			// names it in its epcList, not by a quantity line, and
			// places it (nuq10 s14c, fixQx).
			made, err := instanceMade(ctx, s, id)
			if err != nil {
				return err
			}
			for _, st := range made {
				if !have[st.EventID] && !declared[st.EventID] && !inDoc[st.EventID] {
					walk = append(walk, step{ev: st, doc: -1})
				}
			}
		}
		for _, i := range docOf[id] {
			walk = append(walk, step{ev: live[i], doc: i})
		}
		sort.SliceStable(walk, func(a, b int) bool {
			ta, tb := walk[a].ev.EventTime, walk[b].ev.EventTime
			if !ta.Equal(tb) {
				return ta.Before(tb)
			}
			return walk[a].doc < walk[b].doc
		})
		t := newTracker(id, lots[id])
		for _, st := range walk {
			if _, part := t.partRecv[st.ev.EventID]; st.doc >= 0 && part {
				// A part's receipt where its trip is not bound (fixQg).
				if fe, ok := partOffTrip(st.ev, id, t); ok {
					bad[st.doc] = append(bad[st.doc], fe)
				}
			}
			if _, part := t.partRecv[st.ev.EventID]; st.doc >= 0 && !part {
				// A part's receipt is judged at its own destination
				// (receiptAgainst, the ledger's parts), whatever the
				// other parts or the rest did (issue 15, fix15t item 1).
				if fe, ok := misplaced(st.ev, id, t.w, capture, canonicalAll(cj.containersOfLot(st.ev, id))); ok {
					if cs := cj.containersOfLot(st.ev, id); len(cs) > 0 {
						// Moved in a container the event names: say so.
						if st.ev.Type == critmin.TransformationEvent {
							fe.Reason += "; this run is fed container " + andList(cs) + ", which held it then"
						} else {
							fe.Reason += "; this " + stepName(st.ev.BizStep) + " event moves it in container " + andList(cs) + ", which held it then"
						}
					}
					bad[st.doc] = append(bad[st.doc], fe)
					ev := st.ev
					if ev.Mineral != nil && ev.Mineral.OriginClaim != nil || names(ev, id, critmin.RoleOutput) {
						hard[st.doc] = true
					}
				}
			}
			switch {
			case st.doc >= 0:
				t.moveBoxes(st.ev, canonicalAll(cj.containersOfLot(st.ev, id)))
			case carried(st.ev, id):
				t.moveBoxes(st.ev, canonicalAll(listed(st.ev)))
			default:
				t.moveBoxes(st.ev, nil)
			}
			t.add(st.ev)
		}
		return nil
	}
	if err := storedOfLots(ctx, s, ids, judge); err != nil {
		return nil, false, err
	}
	var out []critmin.FieldError
	for i := range live {
		if len(out) == 0 && len(bad[i]) > 0 {
			conflict = live[i].Type == critmin.ObjectEvent && live[i].Action == "ADD" || hard[i]
		}
		out = append(out, bad[i]...)
	}
	return out, conflict, nil
}

// instanceMade is the live stored ObjectEvents ADD naming id, a lot by
// instance, in their epcList: its commissioning (the events read here
// carry no ILMD; the lot's own facts say it was commissioned as
// material, ledger.Holdings.Material). None from a store that cannot
// tell.
func instanceMade(ctx context.Context, s Store, id string) ([]*critmin.Event, error) {
	q, ok := s.(eventQuerier)
	if !ok {
		return nil, nil
	}
	page, err := q.FindEvents(ctx, critmin.EventFilter{EventTypes: []string{critmin.ObjectEvent}, Actions: []string{"ADD"},
		EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{id}, Exact: true}}, OrderBy: "eventTime", Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []*critmin.Event
	for _, st := range page.Events {
		if ledger.Live(st) {
			out = append(out, decodeStored(st))
		}
	}
	return out, nil
}

// canonicalAll is ids, each canonical.
func canonicalAll(ids []string) []string {
	var out []string
	for _, c := range ids {
		out = append(out, epcis.Canonical(c))
	}
	return out
}

// listed is the identifiers e's epcList names.
func listed(e *critmin.Event) []string {
	var out []string
	for _, r := range e.EPCs {
		if r.Role == critmin.RoleEPC {
			out = append(out, r.EPC)
		}
	}
	return out
}

// carried says whether stored event e moved lot id in the containers it
// names (its Carried lines, storedCarriers).
func carried(e *critmin.Event, id string) bool {
	for _, q := range e.Carried {
		if epcis.Canonical(q.EPCClass) == epcis.Canonical(id) {
			return true
		}
	}
	return false
}

// misplaced judges event ev on lot id where the lot is (w, by the events
// before ev): the refusal, and true, when ev happens where the lot is not.
// boxes are the containers (canonical) ev moves the lot in.
func misplaced(ev *critmin.Event, id string, w whereabouts, capture bool, boxes []string) (critmin.FieldError, bool) {
	// A claim (cm:originClaim) exempts nothing: an event carrying one is
	// judged like any other (fix9r). An ADD commissions a lot where it
	// is first seen; an ADD of a lot already placed is judged where the
	// lot is (it would otherwise move the lot without a shipment).
	add := ev.Type == critmin.ObjectEvent && ev.Action == "ADD"
	if add && w.by == nil {
		return critmin.FieldError{}, false // the lot's first sighting
	}
	here := eventSite(ev)
	member := "bizLocation"
	if ev.BizLocation == "" {
		member = "readPoint"
	}
	step := stepName(ev.BizStep)
	when := func(t time.Time) string { return t.Format(time.RFC3339) }
	output, input := false, false
	for _, ql := range ev.Quantities {
		if ql.EPCClass == id {
			output = output || ql.Role == critmin.RoleOutput
			input = input || ql.Role == critmin.RoleInput
		}
	}
	if output {
		// A run makes its output where it is; an output naming a lot
		// already placed elsewhere (or at sea) would move it without a
		// shipment (fix9s item 2).
		switch {
		case w.by == nil || here == "" || w.partsAt[here] || !w.inTransit && w.site == here:
			return critmin.FieldError{}, false
		case w.parted:
			return critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + member, Reason: fmt.Sprintf("nothing of lot %s stands at %s at %s; the lot stands as %s: a run at %s cannot name it as its output — that would move it without a shipment",
				id, here, when(ev.EventTime), standsText(w.lot), here)}, true
		case w.inTransit:
			return critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + member, Reason: fmt.Sprintf("lot %s is in transit at %s (%s, event %s on %s), not at %s: a run at %s cannot name it as its output — that would move it without a receipt",
				id, when(ev.EventTime), stepName(w.by.BizStep), w.by.EventID, when(w.by.EventTime), here, here)}, true
		default:
			return critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + member, Reason: fmt.Sprintf("lot %s is at %s, not at %s: a run at %s cannot name it as its output — that would move it without a shipment",
				id, w.atSite(when(ev.EventTime), fmt.Sprintf("since event %s on %s", w.placedBy().EventID, when(w.placedBy().EventTime))), here, here)}, true
		}
	}
	// A claim is made at the site where the lot stands (fix9s item 4):
	// a claim on a lot at sea, or on one no event places at a site, is
	// refused whatever the event's location — with none it would skip
	// the checks below. Its receipt at its destination may carry one.
	if ev.Mineral != nil && ev.Mineral.OriginClaim != nil && !input {
		bound := here != "" && receiptSteps[step] && len(w.dests) == 0
		for _, d := range w.dests {
			bound = bound || here != "" && receiptSteps[step] && d == here
		}
		switch {
		case w.by == nil:
			return critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + member, Reason: fmt.Sprintf("lot %s stands at no site at %s (no event places it at one): a claim is made at the site where the lot stands — record the lot at its site first",
				id, when(ev.EventTime))}, true
		case w.inTransit && !bound:
			return critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + member, Reason: fmt.Sprintf("lot %s is in transit at %s (%s from %s, event %s on %s): a claim is made at the site where the lot stands, not while it is at sea — record its receipt first",
				id, when(ev.EventTime), stepName(w.by.BizStep), orNone(w.from), w.by.EventID, when(w.by.EventTime))}, true
		}
	}
	if capture {
		if fe, ok := leftWhileAtSea(ev, id, w, boxes); ok {
			return fe, true
		}
	}
	if onBoxTrips(ev, w, boxes) {
		return critmin.FieldError{}, false
	}
	if here == "" || w.by == nil || w.partsAt[here] {
		return critmin.FieldError{}, false
	}
	var reason string
	switch {
	case w.parted:
		// Every tonne left as parts, none received here: nothing of
		// the lot stands here (issue 15, fix15t item 2: the refusal said
		// the lot was in transit on its last part's shipment). A part's
		// receipt is judged by its own trip (partOffTrip); an arriving
		// or unloading here of no part on a trip moves nothing (fixQg).
		offTrip := offTripReceipt(ev) && !boxesBound(ev, w, boxes, here)
		if !offTrip && (receiptSteps[step] || !(actsAt(ev, id, step) || add)) {
			return critmin.FieldError{}, false
		}
		if offTrip {
			reason = fmt.Sprintf("nothing of lot %s stands at %s at %s and no part of it on a trip is bound there; the lot stands as %s — every tonne of it left as parts (the last by event %s on %s): %s event at %s cannot move it there — a lot's place changes only by a receipt of a trip it is on (CBV 2.0: arriving and unloading are a carrier's steps of a trip, receiving and accepting its consignee's)",
				id, here, when(ev.EventTime), standsText(w.lot), w.by.EventID, when(w.by.EventTime), aStep(step), here)
			break
		}
		reason = fmt.Sprintf("nothing of lot %s stands at %s at %s; the lot stands as %s — every tonne of it left as parts (the last by event %s on %s), and none was received at %s. It can be %s only where it stands — record its move there first (shipping and receiving events)",
			id, here, when(ev.EventTime), standsText(w.lot), w.by.EventID, when(w.by.EventTime), here, pastOfEvent(ev, step))
	case w.inTransit:
		to := "no stated destination"
		if len(w.dests) > 0 {
			to = strings.Join(w.dests, ", ")
		}
		bound := len(w.dests) == 0
		for _, d := range w.dests {
			bound = bound || d == here
		}
		// A second shipment from where it left: nothing of it stands
		// there (nu36a-9: shipped whole to S2 under bill 1, it was
		// shipped again to S3 under bill 2, and bill 1's receipt was
		// then refused).
		if shippedAgain(ev, w, here) {
			reason = fmt.Sprintf("lot %s is in transit at %s (%s from %s to %s, event %s on %s, bill of lading %s)%s: nothing of it stands at %s, where it left — it cannot be %s from there again. Receive it at its destination first (a receipt under bill of lading %s), or, if that shipment is wrong, declare event %s in error (errorDeclaration)",
				id, when(ev.EventTime), stepName(w.by.BizStep), orNone(w.from), to, w.by.EventID, when(w.by.EventTime), bolText(w.by), w.partsElsewhere(), here, pastOf(step), bolText(w.by), w.by.EventID)
			break
		}
		// Its arrival or receipt at a destination; a further leg
		// (departing, transporting, a transshipment's shipping: CBV 2.0),
		// which keeps it in transit; a loading where it left from.
		if receiptSteps[step] && bound || inTransitStep(ev.BizStep) || step == "loading" && here == w.from || transshipment(ev, w.bol) {
			return critmin.FieldError{}, false
		}
		reason = fmt.Sprintf("lot %s is in transit at %s (%s from %s to %s, event %s on %s)%s, not at %s: only its arrival or receipt at its destination may be recorded there before it arrives — record the arrival or receipt first",
			id, when(ev.EventTime), stepName(w.by.BizStep), orNone(w.from), to, w.by.EventID, when(w.by.EventTime), w.partsElsewhere(), here)
	case offTripReceipt(ev) && !boxesBound(ev, w, boxes, here):
		// A receipt of a lot on no trip — received already, or never
		// shipped — at a site where it does not stand (issue 8, fixQg).
		// Where it stands, it is an observation.
		if w.site == here {
			return critmin.FieldError{}, false
		}
		reason = fmt.Sprintf("lot %s is at %s, not on a trip: %s event at %s cannot move it there — a lot's place changes only by a receipt of a trip it is on (CBV 2.0: arriving and unloading are a carrier's steps of a trip, receiving and accepting its consignee's). Record its shipment from %s first (a shipping or departing event there, before it or earlier in the same document), or, if the event that put it at %s is wrong, declare event %s in error (errorDeclaration)",
			id, w.atSite(when(ev.EventTime), fmt.Sprintf("since %s, event %s on %s", orNone(stepName(w.placedBy().BizStep)), w.placedBy().EventID, when(w.placedBy().EventTime))), aStep(step), here, w.site, w.site, w.placedBy().EventID)
	case w.site != here && (actsAt(ev, id, step) || add && !receiptSteps[step]):
		reason = fmt.Sprintf("lot %s is at %s, not at %s: it can be %s only where it is — record its move there first (shipping and receiving events)",
			id, w.atSite(when(ev.EventTime), fmt.Sprintf("since %s, event %s on %s", orNone(stepName(w.placedBy().BizStep)), w.placedBy().EventID, when(w.placedBy().EventTime))), here, pastOfEvent(ev, step))
	default:
		return critmin.FieldError{}, false
	}
	// Where the record puts the lot differs: a conflict with it (409).
	return critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + member, Reason: reason}, true
}

// offTripReceipt says whether ev is a receipt (receiptSteps) that the
// whereabouts check judges against a lot that is on no trip: a lot's
// place changes only by a receipt of a trip it is on, so an arriving,
// unloading or accepting of a lot received already, or never shipped,
// at a site where it does not stand moves nothing and is refused
// (misplaced; issue 8, fixQg: a lot shipped under B1 and received at
// hou, "arriving" under B1 at rtm, was put in transit again and fed to
// a run there; a container never shipped "arrived" at khi and put its
// lot in stock there). Where the lot stands it is an observation,
// taken. A receiving naming a bill of lading is left to the receipt
// checks (checkReceipts: "was not shipped on bill of lading", "already
// received", receivedNoBill), which word it by its bill; one naming
// none, of a lot standing at a site elsewhere and on no trip, is
// judged here like an accepting (issue 8, fixQl: a receiving with no
// bill at hou of a lot standing at khi moved it to hou with no
// shipment). A lot's first sighting (no earlier event places it) is
// not judged: it may be first recorded by its receipt (misplaced).
func offTripReceipt(ev *critmin.Event) bool {
	step := stepName(ev.BizStep)
	return receiptSteps[step] && (step != "receiving" || bolOf(ev) == "")
}

// aStep words a receipt step: "an arriving", "a receiving".
func aStep(step string) string {
	if step == "receiving" {
		return "a " + step
	}
	return "an " + step
}

// boxesBound says whether ev moves the lot only in containers boxes
// (canonical) each at sea on a trip not received since (w.boxes) that
// is bound for here (or states no destination): their arrival there
// ends their trip, whatever of the lot stands elsewhere.
func boxesBound(ev *critmin.Event, w whereabouts, boxes []string, here string) bool {
	if len(boxes) == 0 {
		return false
	}
	for _, c := range boxes {
		bt := w.boxes[epcis.Canonical(c)]
		if bt == nil || bt.trip == nil {
			return false
		}
		bound := len(bt.dests) == 0
		for _, d := range bt.dests {
			bound = bound || d == here
		}
		if !bound {
			return false
		}
	}
	return true
}

// partOffTrip refuses ev, a receipt captured now that the ledger reads
// as the receipt of a part of lot id shipped away (tracker.partRecv),
// when ev happens where the part's trip is not bound: the shipping that
// sent the part (walked before ev, w.partTrips) states location
// destinations and ev is at none of them. An arriving or unloading at a
// port on the way is a carrier's step of the trip, not its end — as for
// the whole lot at sea (misplaced), it is not taken there — and an
// accepting, or a receiving with no bill of lading (one with a bill is
// judged by receiptAgainst), is the consignee's receipt at the wrong
// place (issue 8, fixQg: 4 t of a lot shipped by a line mb → hou,
// unloaded at khi, were put in stock at khi and fed to a run there).
func partOffTrip(ev *critmin.Event, id string, t *tracker) (critmin.FieldError, bool) {
	step := stepName(ev.BizStep)
	if !receiptSteps[step] || step == "receiving" && bolOf(ev) != "" || t.w.lot == nil {
		return critmin.FieldError{}, false
	}
	here := eventSite(ev)
	if here == "" {
		return critmin.FieldError{}, false
	}
	for _, p := range t.w.lot.Parts {
		if p.ReceiptEventID != ev.EventID || p.ShipEventID == "" {
			continue
		}
		ship := t.w.partTrips[p.ShipEventID]
		if ship == nil {
			return critmin.FieldError{}, false
		}
		var dests []string
		bound := false
		for _, d := range ship.Destinations {
			if isType(d.Type, "location") {
				dests = append(dests, epcis.Canonical(d.ID))
				bound = bound || epcis.Canonical(d.ID) == here
			}
		}
		if len(dests) == 0 || bound {
			return critmin.FieldError{}, false
		}
		when := func(x time.Time) string { return x.Format(time.RFC3339) }
		from, _ := departure(ship)
		member := "bizLocation"
		if ev.BizLocation == "" {
			member = "readPoint"
		}
		reason := fmt.Sprintf("a part of lot %s (%s t) is in transit at %s under bill of lading %s (%s from %s to %s, event %s on %s) and is bound for %s, not for %s: it cannot be %s at %s — it stays on its trip until its receipt at %s. Record the carrier's steps at a port on the way as loading, departing or transporting under bill of lading %s, and its arrival or receipt at %s; or, if that shipment is wrong, declare event %s in error (errorDeclaration)",
			id, Tonnes(p.Tonnes), when(ev.EventTime), orNoneStated(p.BillOfLading), stepName(ship.BizStep), orNone(from), strings.Join(dests, ", "), ship.EventID, when(ship.EventTime), orDest(dests), here, pastOfReceipt(step), here, orDest(dests), orNoneStated(p.BillOfLading), orDest(dests), ship.EventID)
		return critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + member, Reason: reason}, true
	}
	return critmin.FieldError{}, false
}

// pastOfReceipt words a receipt step as done to a lot.
func pastOfReceipt(step string) string {
	switch step {
	case "arriving":
		return "arrived"
	case "unloading":
		return "unloaded"
	case "accepting":
		return "accepted"
	}
	return "received"
}

// transshipSteps are the CBV 2.0 steps a carrier records at a port on
// the way of a through bill of lading that critmin takes there: the
// goods are loaded onto the next vessel, depart and are transported on.
// A receiving or accepting is the consignee's receipt, not one of them.
// An arriving or unloading there is a carrier's step too, but the
// projection (ledger receiptSteps) reads either as the trip's end, so
// it stays refused until the lot keeps its trip's destination (new-user
// check n8d: an arriving at Karachi under the through bill put the lot
// in stock there and refused its receipt at Houston).
var transshipSteps = map[string]bool{"loading": true, "departing": true, "transporting": true}

// transshipment says whether ev is a carrier's step of a trip under
// bill (the trip's bill of lading, as its first step names it) at a
// port on the way: a transshipSteps step under that same bill (a through
// bill covers the transshipment legs of the same goods, CBV 2.0 §8.5),
// wherever it happens (issue 8, fixPb item 1: [C1, C2] shipped from the
// mine to Houston under B1, loaded at Karachi under B1, was refused as
// standing nowhere there). Under another bill, or none, it is not.
func transshipment(ev *critmin.Event, bill string) bool {
	b := bolOf(ev)
	return transshipSteps[stepName(ev.BizStep)] && b != "" && bill != "" && epcis.Canonical(b) == epcis.Canonical(bill)
}

// onBoxTrips says whether ev moves the lot only in containers boxes
// (canonical) each at sea on a trip not received since (w.boxes), and
// is a carrier's step of each such trip under its bill (transshipment):
// it moves what the trips carry, not what of the lot stands where it is
// recorded (issue 8, fixPb item 2: [C1] alone shipped under B1, its lot's
// other 4 t standing at the mine, a transporting of [C1] read at the
// vessel under B1 was refused as the lot standing at the mine, not at
// the vessel). Under another bill it is judged as before (and refused by
// leftWhileAtSea).
func onBoxTrips(ev *critmin.Event, w whereabouts, boxes []string) bool {
	if len(boxes) == 0 {
		return false
	}
	for _, c := range boxes {
		bt := w.boxes[epcis.Canonical(c)]
		if bt == nil || bt.trip == nil || !transshipment(ev, bt.bol) {
			return false
		}
	}
	return true
}

// departure is where ev leaves from, canonical, as a trip's place is
// read (tracker.add): a source of type location (CBV 2.0 §7.5; the last
// one), else its readPoint, else its bizLocation; "" when it states
// none. member is the member of ev a refusal points at for that place:
// its bizLocation or readPoint when that states the same place (the
// member the whereabouts check names), else the sourceList entry.
func departure(ev *critmin.Event) (place, member string) {
	place = epcis.Canonical(ev.ReadPoint)
	if place == "" {
		place = epcis.Canonical(ev.BizLocation)
	}
	src := -1
	for i, s := range ev.Sources {
		if isType(s.Type, "location") {
			place, src = epcis.Canonical(s.ID), i
		}
	}
	switch {
	case place == "":
		return "", ""
	case epcis.Canonical(ev.BizLocation) == place:
		return place, "bizLocation"
	case epcis.Canonical(ev.ReadPoint) == place:
		return place, "readPoint"
	}
	return place, fmt.Sprintf("sourceList/%d", src)
}

// leftWhileAtSea refuses ev, a dispatch (atSeaSteps: loading, shipping,
// departing, transporting) of lot id captured now, when the lot is at
// sea (w: in transit as a whole on a trip, w.trip
// under bill w.bol, not received since) and ev is no step of that trip
// (issue 8, new-user finding fixOa: [C1, C2] shipped to Karachi under B1
// and not received, [C1] alone shipped Karachi → Houston under BX was
// accepted and showed 10 t in transit under BX):
//
//   - it leaves from a destination of the trip (w.dests), under any bill
//     or none: nothing of the lot stands there before its receipt (a
//     loading, shipping or departing; a transporting seen there is the
//     voyage still, fromDest);
//   - it leaves under another bill of lading than the trip's, from
//     anywhere: a consignment travels under its bill until it is
//     received (CBV 2.0 §8.5, bizTransaction type bol; a transshipment
//     leg under the same bill stays accepted).
//
// The same holds per container ev moves the lot in (boxes, boxAtSea):
// a container on a trip not received since is judged by that trip,
// whatever else of the lot was received where ev leaves from.
//
// Where it leaves from is read as the trip's place is (departure:
// source location, else readPoint, else bizLocation). A shipment from a
// place where a part of the lot was received (w.partsAt) ships that part
// and is judged by the standing check; a second shipment from where the
// trip left is worded by shippedAgain. The refusal (409) points at the
// member stating where ev leaves from (its bizTransactionList when it
// states no place) and names the lot, the trip's bill and shipping event
// and that the lot must be received first.
//
// Only a document's new events are judged so (capture): a later
// declaration in error of the receipt an onward shipment left from is
// accepted and the shipment flagged (ledger: "ships from a receipt
// declared in error"), not re-judged here (judgeAgain).
func leftWhileAtSea(ev *critmin.Event, id string, w whereabouts, boxes []string) (critmin.FieldError, bool) {
	if fe, ok := lotAtSea(ev, id, w); ok {
		return fe, true
	}
	return boxAtSea(ev, id, w, boxes)
}

// atSeaSteps are the CBV 2.0 dispatch steps judged against an open trip
// (leftWhileAtSea): loading, shipping and departing send material off
// from where they happen; a transporting is a further step of a trip
// and is judged only by its bill of lading (fromDest).
var atSeaSteps = map[string]bool{"loading": true, "shipping": true, "departing": true, "transporting": true}

// fromDest says whether step, at a trip's destination before its
// receipt, sends material off from there: a loading, shipping or
// departing, not a transporting (a vessel seen in port is still on its
// voyage).
func fromDest(step string) bool {
	return step != "transporting"
}

// boxAtSea refuses ev, a dispatch (atSeaSteps) captured now that moves
// lot id in containers boxes (as ev spells them), when one of them is at
// sea (w.boxes: on a trip not received since) and ev leaves from a
// destination of that trip (a loading, shipping or departing, under any
// bill or none), or names another bill of lading than the trip's: the
// container was never received there, whatever of the lot stands there
// (issue 8, fixOg: [C1, C2] shipped under B1 and [C1] alone received at
// Karachi; [C2] shipped on from Karachi under BX was taken because C1's
// 6 t stood there).
func boxAtSea(ev *critmin.Event, id string, w whereabouts, boxes []string) (critmin.FieldError, bool) {
	step := stepName(ev.BizStep)
	if !atSeaSteps[step] || len(boxes) == 0 {
		return critmin.FieldError{}, false
	}
	from, member := departure(ev)
	if member == "" {
		member = "bizTransactionList"
	}
	b := bolOf(ev)
	for _, c := range boxes {
		bt := w.boxes[epcis.Canonical(c)]
		if bt == nil || bt.trip == nil {
			continue
		}
		atDest := false
		for _, d := range bt.dests {
			atDest = atDest || from != "" && d == from && fromDest(step)
		}
		otherBill := b != "" && bt.bol != "" && b != bt.bol
		if !atDest && !otherBill {
			continue
		}
		bill := "bill of lading " + orNoneStated(bt.bol)
		trip := fmt.Sprintf("container %s, which holds lot %s, is in transit at %s under %s (%s from %s to %s, event %s on %s)",
			c, id, ev.EventTime.Format(time.RFC3339), bill, stepName(bt.trip.BizStep), orNone(bt.left), orDest(bt.dests), bt.trip.EventID, bt.trip.EventTime.Format(time.RFC3339))
		reason := atSeaReason(trip, "it does not stand there before its receipt, whatever else of the lot was received there", atDest, step, from, b, bill, bt.dests, bt.trip.EventID)
		return critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + member, Reason: reason}, true
	}
	return critmin.FieldError{}, false
}

// lotAtSea is leftWhileAtSea for the lot itself: its body on an open
// trip (w.trip), or a part of it bound where ev leaves from (partAtSea).
func lotAtSea(ev *critmin.Event, id string, w whereabouts) (critmin.FieldError, bool) {
	step := stepName(ev.BizStep)
	if !atSeaSteps[step] {
		return critmin.FieldError{}, false
	}
	from, member := departure(ev)
	if from != "" && w.partsAt[from] {
		return critmin.FieldError{}, false
	}
	if !w.inTransit || w.parted {
		return partAtSea(ev, id, w, from, member)
	}
	if w.trip == nil {
		return critmin.FieldError{}, false
	}
	if member == "" {
		member = "bizTransactionList"
	}
	if here := eventSite(ev); here != "" && shippedAgain(ev, w, here) {
		return critmin.FieldError{}, false
	}
	atDest := false
	for _, d := range w.dests {
		atDest = atDest || from != "" && d == from && fromDest(step)
	}
	b := bolOf(ev)
	otherBill := b != "" && w.bol != "" && b != w.bol
	if !atDest && !otherBill {
		return critmin.FieldError{}, false
	}
	to := "no stated destination"
	if len(w.dests) > 0 {
		to = strings.Join(w.dests, ", ")
	}
	bill := "bill of lading " + orNoneStated(w.bol)
	trip := fmt.Sprintf("lot %s is in transit at %s under %s (%s from %s to %s, event %s on %s)",
		id, ev.EventTime.Format(time.RFC3339), bill, stepName(w.trip.BizStep), orNone(w.left), to, w.trip.EventID, w.trip.EventTime.Format(time.RFC3339))
	reason := atSeaReason(trip, "nothing of it stands there before its receipt", atDest, step, from, b, bill, w.dests, w.trip.EventID)
	return critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + member, Reason: reason}, true
}

// atSeaReason words leftWhileAtSea's refusal of a step (its stepName)
// leaving from from under bill of lading b ("" when none is stated) while
// trip (the lot or container on its open trip, worded) travels under
// bill to dests, sent by event sent: left from the trip's destination
// (atDest; notThere says why it does not stand there), or under another
// bill (CBV 2.0 §8.5: a consignment travels under its bill until it is
// received).
func atSeaReason(trip, notThere string, atDest bool, step, from, b, bill string, dests []string, sent string) string {
	if atDest {
		under := ""
		if b != "" {
			under = " under bill of lading " + b
		}
		return fmt.Sprintf("%s and has not been received at %s: %s, so it cannot be %s from %s%s. It must first be received there — record its receipt at %s under %s — or, if that shipment is wrong, declare event %s in error (errorDeclaration)",
			trip, from, notThere, pastOf(step), from, under, from, bill, sent)
	}
	return fmt.Sprintf("%s and has not been received: it cannot be %s from %s under another bill of lading, %s, while it travels under %s — a consignment travels under its bill of lading until it is received. It must first be received — record its receipt at %s under %s — or, if that shipment is wrong, declare event %s in error (errorDeclaration)",
		trip, pastOf(step), orNone(from), b, bill, orDest(dests), bill, sent)
}

// partAtSea refuses ev, a shipping or departing of lot id captured now
// from from (member: the member stating it), when the lot's body is not
// there (w.site, or no body: w.parted), nothing of it was received there
// (w.partsAt), and a part of it is in transit to there — sent by an
// event walked before ev (w.partTrips) and still in transit as the
// document leaves the lot (critmin.PartInTransit): nothing of the lot
// stands there before that part's receipt. The refusal names the part's
// bill and shipping event, not where the body stands alone, nor a part
// carrying more than remains (issue 8, fixOa item 5).
func partAtSea(ev *critmin.Event, id string, w whereabouts, from, member string) (critmin.FieldError, bool) {
	if from == "" || w.lot == nil || !w.parted && w.site == from {
		return critmin.FieldError{}, false
	}
	for _, p := range w.lot.Parts {
		trip := w.partTrips[p.ShipEventID]
		if p.Status != critmin.PartInTransit || trip == nil || epcis.Canonical(p.To) != from {
			continue
		}
		body := ""
		if !w.parted && w.site != "" {
			body = " (the rest of it stands at " + w.site + ")"
		}
		reason := fmt.Sprintf("a part of lot %s (%s t) is in transit at %s under bill of lading %s (%s from %s to %s, event %s on %s) and has not been received at %s: nothing of the lot stands there before that receipt%s, so it cannot be %s from %s. It must first be received there — record its receipt at %s under bill of lading %s — or, if that shipment is wrong, declare event %s in error (errorDeclaration)",
			id, Tonnes(p.Tonnes), ev.EventTime.Format(time.RFC3339), orNoneStated(p.BillOfLading), stepName(trip.BizStep), orNone(epcis.Canonical(p.From)), from, trip.EventID, trip.EventTime.Format(time.RFC3339), from, body, pastOf(stepName(ev.BizStep)), from, from, orNoneStated(p.BillOfLading), trip.EventID)
		return critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + member, Reason: reason}, true
	}
	return critmin.FieldError{}, false
}

// orNoneStated is s, or "none stated" for "".
func orNoneStated(s string) string {
	if s == "" {
		return "none stated"
	}
	return s
}

// orDest words a trip's destinations, or "its destination" for none.
func orDest(dests []string) string {
	if len(dests) == 0 {
		return "its destination"
	}
	return strings.Join(dests, " or ")
}

// shippedAgain says whether ev, an event at here of a lot in transit (w),
// ships or sends it off again from the place it left (w.from): a shipping
// or departing there that is not a further step of the shipment that put
// it in transit (w.by) — the same step again, or one under another bill
// of lading. Nothing of the lot stands there: the whole of it left with
// that shipment (a part shipped leaves the rest at its site, and the
// standing check judges what the rest allows). A further step of the
// same shipment — its departing after its shipping, under the same bill
// of lading or with none stated on either — is the same voyage.
func shippedAgain(ev *critmin.Event, w whereabouts, here string) bool {
	step := stepName(ev.BizStep)
	if step != "shipping" && step != "departing" || here == "" || here != w.from && here != w.left || w.by == nil {
		return false
	}
	if step == stepName(w.by.BizStep) {
		return true
	}
	a, b := bolOf(ev), bolOf(w.by)
	if a != "" && b != "" {
		return a != b
	}
	// With a bill stated on one side only, or on neither, only a later
	// step of the trip is the same voyage: a shipping after its
	// departing, loading or transporting is a new shipment from where
	// the lot left (new-user finding nu38a item 2).
	return step == "shipping"
}

// atSite words where the lot stands at time at, its body at w.site
// (since: the event that put it there): "SITE at AT (since …)" for a lot
// that stands whole, or every site where something of it stands with
// what stands there (WhereStands), then "at AT", when received parts of
// it stand elsewhere — the lot as the document leaves it, when its body
// stands at w.site (issue 15, fix15x D3: the refusal named only the
// body's site).
func (w whereabouts) atSite(at, since string) string {
	if w.lot != nil && partsStand(w.lot) && bodyAt(w.lot, w.site) {
		return WhereStands(w.lot, nil, since) + " at " + at
	}
	return w.site + " at " + at + " (" + since + ")"
}

// partsElsewhere words, for a lot whose body is in transit, where its
// received parts stand: "; its parts stand at SITE (N t, part …)"; "" when
// none stands (issue 15, fix15x D3).
func (w whereabouts) partsElsewhere() string {
	if w.lot == nil || !partsStand(w.lot) || len(ledger.StandsAt(w.lot)) == 0 || ledger.StandsAt(w.lot)[0].Body {
		return ""
	}
	return "; its parts stand at " + WhereStands(w.lot, nil, "")
}

// actsAt says whether ev acts on lot id where ev happens, so that the lot
// must be there: a run's input (consumed at the run's site), a packing's
// or any aggregation's child, and an object event that observes it there
// (a sampling, weighing, inspection, sensor report, packing, loading,
// shipping, or one of no step). A receipt (arriving, unloading,
// receiving, accepting) is left to the receipt check: it is what brings a
// lot to a site.
func actsAt(ev *critmin.Event, id, step string) bool {
	if sendSteps[step] || readingSteps[step] {
		return true
	}
	if receiptSteps[step] {
		return false
	}
	switch ev.Type {
	case critmin.TransformationEvent:
		for _, ql := range ev.Quantities {
			if ql.EPCClass == id && ql.Role == critmin.RoleInput {
				return true
			}
		}
		return false
	case critmin.AggregationEvent:
		return true
	case critmin.ObjectEvent:
		return ev.Action == "OBSERVE" || len(ev.Sensors) > 0
	}
	return false
}

// pastOfEvent words what ev does to a lot: "fed to a run" for a run's
// input, else pastOf its step.
func pastOfEvent(ev *critmin.Event, step string) string {
	if ev.Type == critmin.TransformationEvent {
		return "fed to a run"
	}
	if ev.Type == critmin.ObjectEvent && ev.Action == "ADD" && !sendSteps[step] && !readingSteps[step] {
		return "added to (an ObjectEvent ADD)"
	}
	if ev.Type == critmin.AggregationEvent && !sendSteps[step] {
		return "packed or unpacked"
	}
	return pastOf(step)
}

// orNone is s, or "an unstated place" for "".
func orNone(s string) string {
	if s == "" {
		return "an unstated place"
	}
	return s
}

// pastOf words a send step as done to a lot ("packed", "shipped").
func pastOf(step string) string {
	switch step {
	case "packing":
		return "packed"
	case "loading":
		return "loaded"
	case "departing":
		return "sent off"
	case "shipping":
		return "shipped"
	case "transporting":
		return "transported"
	}
	return "sampled, weighed or inspected"
}

// WhereStands words every site where something of lot l stands, each by
// name(site) with what stands there (issue 15, fix15x D3: a refusal
// named only the body's site, not the parts standing elsewhere), in the
// order of the lot's per-site standing record (ledger.StandsAt, the body
// first), wet tonnes by StandingMass — the figure a weighing there is
// judged on:
//
//	Karachi (12 t, the body, since receiving, event E on T) and
//	Houston (3 t, part shipped by event S under bill of lading B,
//	received by event R)
//
// body, when not "", follows "the body" in the body's entry (the event
// that put it there, in the caller's words). Two or more parts at one
// site read "parts shipped by events S1 and S2". What is at sea follows
// as "and N t in transit". "" when nothing of l stands at any site and
// nothing is in transit. Callers use it where a lot is refused at a site
// where nothing of it stands: custody's capture check (misplaced) and the
// web forms' and import's check (web lotElsewhere), so the API's
// problem detail, the CLI and the web word it alike.
func WhereStands(l *critmin.Lot, name func(string) string, body string) string {
	if l == nil {
		return ""
	}
	if name == nil {
		name = func(s string) string { return s }
	}
	var out []string
	for _, st := range ledger.StandsAt(l) {
		wet, _ := StandingMass(l, st.Site)
		if wet <= 1e-9 {
			continue
		}
		var what []string
		if st.Body {
			b := "the body"
			if body != "" {
				b += ", " + body
			}
			what = append(what, b)
		}
		var ships, bols, recvs, shares []string
		for _, i := range st.Parts {
			p := l.Parts[i]
			if p.ShipEventID == "" {
				// A container share split off at its receipt
				// (ledger.ShareHolder): no dispatch of its own.
				shares = append(shares, ledger.PartWords(p)[len("the "):])
				continue
			}
			ships = append(ships, p.ShipEventID)
			if p.BillOfLading != "" {
				bols = append(bols, p.BillOfLading)
			}
			if p.ReceiptEventID != "" {
				recvs = append(recvs, p.ReceiptEventID)
			}
		}
		if len(ships) > 0 {
			part := "part shipped by event "
			if len(ships) > 1 {
				part = "parts shipped by events "
			}
			part += andList(ships)
			if len(bols) > 0 {
				part += " under bill of lading " + andList(bols)
			}
			if len(recvs) > 0 {
				part += ", received by event " + andList(recvs)
			}
			what = append(what, part)
		}
		what = append(what, shares...)
		out = append(out, fmt.Sprintf("%s (%s t, %s)", name(st.Site), Tonnes(wet), strings.Join(what, "; ")))
	}
	if t := l.InTransitTonnes(); t > 1e-9 {
		out = append(out, Tonnes(t)+" t in transit")
	}
	return andList(out)
}

// partsStand says whether a received part of lot l stands somewhere
// (ledger.StandsAt lists one), so that a refusal naming only the body's
// site would hide it.
func partsStand(l *critmin.Lot) bool {
	for _, st := range ledger.StandsAt(l) {
		if len(st.Parts) > 0 {
			return true
		}
	}
	return false
}

// bodyAt says whether the body of lot l stands at site (canonical).
func bodyAt(l *critmin.Lot, site string) bool {
	st, ok := ledger.StandingAt(l, site)
	return ok && st.Body
}

// lotRoles are the roles of a quantity line naming a lot.
var lotRoles = []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}

// classPagesFinder is the part of a store that reads the events of many
// lots at once (sqldb.DB.FindEventsOfEachClass).
type classPagesFinder interface {
	FindEventsOfEachClass(ctx context.Context, f critmin.EventFilter, roles []string, ids []string, fn func(id string, page *critmin.EventPage) error) error
}

// storedOfLots calls fn, for each lot of ids in turn, with the first page
// of its stored events, latest first (up to 10,000, as FindEvents gives
// them for an exact ClassMatch of the lot in any quantity role): read
// together for many lots where the store can (classPagesFinder), else
// once for each lot; nil pages when the store cannot be queried.
func storedOfLots(ctx context.Context, s Store, ids []string, fn func(id string, page *critmin.EventPage) error) error {
	f := critmin.EventFilter{OrderBy: "eventTime", Limit: 10000}
	if each, ok := s.(classPagesFinder); ok {
		return each.FindEventsOfEachClass(ctx, f, lotRoles, ids, fn)
	}
	q, canQuery := s.(eventQuerier)
	for _, id := range ids {
		var page *critmin.EventPage
		if canQuery {
			g := f
			g.ClassMatches = []critmin.EPCMatch{{Roles: lotRoles, Patterns: []string{id}, Exact: true}}
			var err error
			if page, err = q.FindEvents(ctx, g); err != nil {
				return err
			}
		}
		if err := fn(id, page); err != nil {
			return err
		}
	}
	return nil
}

// carriersFinder is the part of a store that gives the stored moves of
// containers holding lots (sqldb.DB.LiveCarriersOfLots).
type carriersFinder interface {
	LiveCarriersOfLots(ctx context.Context, ids []string) ([]*critmin.Event, error)
}

// storedCarriers is, per lot of ids (canonical), the live stored events
// that moved it in a container they name by its own identifier without
// naming the lot (their Carried lines), in capture order; none from a
// store that cannot tell.
func storedCarriers(ctx context.Context, s Store, ids []string) (map[string][]*critmin.Event, error) {
	f, ok := s.(carriersFinder)
	if !ok || len(ids) == 0 {
		return nil, nil
	}
	evs, err := f.LiveCarriersOfLots(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := map[string][]*critmin.Event{}
	for _, ev := range evs {
		for _, q := range ev.Carried {
			k := epcis.Canonical(q.EPCClass)
			out[k] = append(out[k], ev)
		}
	}
	return out, nil
}

// BodyConsumed says whether runs consumed lot l's body while parts of it
// are still its own: the lot is not consumed (a part is in transit or
// stands elsewhere), but nothing of the body remains where it stood —
// runs took all of what the parts left (TakenTonnes > 0, remaining
// within ConsumptionTolerance of the lot's mass).
func BodyConsumed(l *critmin.Lot) bool {
	return l != nil && l.Status != critmin.LotConsumed && l.TakenTonnes > 1e-9 && len(l.Parts) > 0 &&
		l.RemainingWetTonnes() <= l.WetTonnes*ConsumptionTolerance+1e-9
}

// Whereabouts words what every bit of lot l is doing, for the lot API
// and page (issue 9, fixQm: a lot whose body runs consumed while a part
// was at sea read status in_stock with no site, where nothing of it
// stood): its consumed body ("the body consumed by runs, 7 t taken"),
// where its parts and body stand (WhereStands), and each part in transit
// — how much, the event and bill of lading that shipped it, from where
// and to where, not yet received. A lot consumed whole reads "consumed
// by runs"; "" for a lot with nothing to say (no mass).
func Whereabouts(l *critmin.Lot, name func(string) string) string {
	if l == nil {
		return ""
	}
	if name == nil {
		name = func(s string) string { return s }
	}
	if l.Status == critmin.LotConsumed {
		return "consumed by runs: nothing of it remains"
	}
	var out []string
	if BodyConsumed(l) {
		out = append(out, fmt.Sprintf("the body consumed by runs (%s t taken; 0 t remain where it stood)", Tonnes(l.TakenTonnes)))
	}
	// WhereStands ends with what is at sea as one figure; each part in
	// transit is worded below.
	w := WhereStands(l, name, "")
	if t := l.InTransitTonnes(); t > 1e-9 {
		sea := Tonnes(t) + " t in transit"
		w = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(w, sea), " and "), ", ")
	}
	if w != "" {
		out = append(out, "standing at "+w)
	}
	for _, p := range l.Parts {
		if p.Status != critmin.PartInTransit || p.FromRetracted {
			continue
		}
		s := fmt.Sprintf("%s t in transit (part shipped by event %s", Tonnes(p.Tonnes), p.ShipEventID)
		if p.BillOfLading != "" {
			s += " under bill of lading " + p.BillOfLading
		}
		if p.From != "" {
			s += " from " + name(p.From)
		}
		if p.To != "" {
			s += " to " + name(p.To)
		}
		out = append(out, s+", not yet received)")
	}
	return strings.Join(out, "; ")
}
