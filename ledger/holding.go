package ledger

import (
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// One site may hold several parties' holdings of one lot: the lot's body
// (its owner and custodian, Lot.Owner, Lot.Custodian) and received parts
// another party owns or holds, which do not rejoin it (issue 15,
// fix15c3), or several such parts. An event there — a weighing, a
// moisture reading, a refinery run's input, a shipment — concerns one
// holding (issue 15, fix15g; docs/identity.md, "Parts moved"):
//   - the holding of the party the event names as its source
//     owning_party and/or possessing_party (CBV 2.0 §7.5: a source names
//     the party the objects leave, i.e. whose they are at the event):
//     the body when the body is that party's, else that party's parts
//     received there;
//   - when it names no party, or one that holds nothing there: the body
//     where the body stands (the lot's own parties), else every part
//     received there, as before.
//
// So a weighing of 3.9 t at S naming B, where A's 6 t body and B's 4 t
// part stand, weighs B's part (the lot 6 + 3.9 = 9.9 t), and one naming
// nobody weighs A's body. fix15e gave onward shipments this rule.

// Holding is what of lot an event at Site concerns (HoldingOf): the
// lot's body (Body) and/or the received parts Parts (indexes in
// Lot.Parts), WetTonnes and DryTonnes standing of them there, and
// Moisture, the mass-weighted moisture of what stands (Σ tᵢ·mᵢ / Σ tᵢ;
// nil when one of them has none known).
//
// Named is true when the holding is the one of the party ev names as its
// source (eventParties) — Party, its owner, else its custodian —, not the
// fallback of an event naming no party or one holding nothing there: such
// an event takes of that holding only, never topping it up from another
// party's holding at the site (issue 15, fix15o: 5 t shipped from USSM's
// 4 t part where FWO's 6 t body stood took 1 t of FWO's under USSM's
// name). custody judges its movements against WetTonnes.
type Holding struct {
	Site      string
	Body      bool
	Parts     []int
	WetTonnes float64
	DryTonnes float64
	Moisture  *float64
	Named     bool
	Party     string
}

// eventParties is the owning_party and possessing_party ev names as its
// sources ("" for one it does not name).
func eventParties(ev *critmin.Event) (owner, custodian string) {
	for _, s := range ev.Sources {
		switch s.Type {
		case "owning_party":
			if owner == "" {
				owner = s.ID
			}
		case "possessing_party":
			if custodian == "" {
				custodian = s.ID
			}
		}
	}
	return owner, custodian
}

// holds says whether a holding owned by o and held by c is the named
// parties' (an unnamed party matches any; canonical comparison; a holding
// whose party is not known is not the named one's).
func holds(o, c, owner, custodian string) bool {
	return (owner == "" || epcis.Canonical(o) == epcis.Canonical(owner)) && (custodian == "" || epcis.Canonical(c) == epcis.Canonical(custodian))
}

// selectHolding is which of the body (when bodyHere: it stands at ev's
// site) and the received parts idx (there) event ev concerns: the body
// when it is the named parties' (eventParties), else the named parties'
// parts; when ev names none, or none of these is theirs, the body where
// it stands, else every part idx.
func selectHolding(l *critmin.Lot, ev *critmin.Event, bodyHere bool, idx []int) (body bool, parts []int) {
	body, parts, _ = namedHolding(l, ev, bodyHere, idx)
	return body, parts
}

// namedHolding is selectHolding, and named true when the holding chosen
// is the named parties' own (not the fallback).
func namedHolding(l *critmin.Lot, ev *critmin.Event, bodyHere bool, idx []int) (body bool, parts []int, named bool) {
	if owner, custodian := eventParties(ev); owner != "" || custodian != "" {
		if bodyHere && holds(l.Owner, l.Custodian, owner, custodian) {
			return true, nil, true
		}
		for _, i := range idx {
			if p := l.Parts[i]; holds(l.PartOwner(p), l.PartCustodian(p), owner, custodian) {
				parts = append(parts, i)
			}
		}
		if len(parts) > 0 {
			return false, parts, true
		}
	}
	if bodyHere {
		return true, nil, false
	}
	return false, idx, false
}

// partyParts is idx (received parts at one site with no body there)
// narrowed to the parts of the parties ev names (selectHolding), idx
// when it names none or none of them is theirs.
func partyParts(l *critmin.Lot, ev *critmin.Event, idx []int) []int {
	_, parts := selectHolding(l, ev, false, idx)
	return parts
}

// eventSite is where ev happens: its bizLocation, else its readPoint.
func eventSite(ev *critmin.Event) string {
	if ev.BizLocation != "" {
		return ev.BizLocation
	}
	return ev.ReadPoint
}

// HoldingOf is the holding of lot l that event ev concerns at its site
// (bizLocation, else readPoint; selectHolding among what stands there,
// StandingAt), and false when nothing of l stands there. A weighing
// there weighs it, a run takes of it and a shipment stating no quantity
// ships it (ShippedStanding); custody judges a weighing against it.
func HoldingOf(l *critmin.Lot, ev *critmin.Event) (Holding, bool) {
	return holdingAt(l, ev, eventSite(ev))
}

func holdingAt(l *critmin.Lot, ev *critmin.Event, site string) (Holding, bool) {
	st, ok := StandingAt(l, site)
	if !ok {
		return Holding{}, false
	}
	body, parts, named := namedHolding(l, ev, st.Body, st.Parts)
	h := Holding{Site: st.Site, Body: body, Parts: parts, Named: named}
	if named {
		owner, custodian := eventParties(ev)
		h.Party = owner
		if h.Party == "" {
			h.Party = custodian
		}
	}
	water, known := 0.0, true
	if body {
		rest := l.RemainingWetTonnes()
		h.WetTonnes, h.DryTonnes = rest, rest*bodyDryRatio(l)
		if l.Moisture == nil {
			known = false
		} else {
			water += rest * *l.Moisture
		}
	}
	for _, i := range parts {
		p := l.Parts[i]
		left := p.LeftTonnes()
		h.WetTonnes += left
		m := l.PartMoisture(p)
		if m == nil {
			h.DryTonnes += left
			known = false
			continue
		}
		h.DryTonnes += left * (1 - *m)
		water += left * *m
	}
	if known && h.WetTonnes > 0 {
		m := water / h.WetTonnes
		h.Moisture = &m
	}
	return h, true
}

// bodyAt says whether lot l's body stands at site (StandingAt).
func bodyAt(l *critmin.Lot, site string) (SiteStanding, bool) {
	st, ok := StandingAt(l, site)
	if !ok || !st.Body || !BodyStands(l, site) {
		return SiteStanding{}, false
	}
	return st, true
}

// BodyHolder is the name AssayHolders gives a lot's body; a part is named
// PartHolder of its ShipEventID.
const BodyHolder = "body"

// PartHolder is the name AssayHolders gives the part of a lot shipped
// away by event shipEventID (critmin.LotPart.ShipEventID).
func PartHolder(shipEventID string) string { return "part " + shipEventID }

// ShareHolder is the name AssayHolders gives a container share of a trip
// split off at its receipt (receivedShare): a part with no dispatch of
// its own, named by the receipt that received it (n8c s17, s27: such
// parts read "the part shipped by event " with no event, and two of
// them were one holding).
func ShareHolder(receiptEventID string) string { return "share " + receiptEventID }

// PartName is the holding name of part p: PartHolder of its dispatch,
// else (a container share split off at its receipt) ShareHolder of its
// receipt, else ShareHolder of its bill of lading.
func PartName(p critmin.LotPart) string {
	switch {
	case p.ShipEventID != "":
		return PartHolder(p.ShipEventID)
	case p.ReceiptEventID != "":
		return ShareHolder(p.ReceiptEventID)
	}
	return ShareHolder(p.BillOfLading)
}

// HolderWords words a holding name (BodyHolder, PartHolder,
// ShareHolder): "the lot's body", "the part shipped by event s1", "the
// container share received by event r1".
func HolderWords(h string) string {
	switch {
	case h == "" || h == BodyHolder:
		return "the lot's body"
	case strings.HasPrefix(h, "part "):
		return "the part shipped by event " + strings.TrimPrefix(h, "part ")
	case strings.HasPrefix(h, "share "):
		return "the container share received by event " + strings.TrimPrefix(h, "share ")
	}
	return h
}

// PartWords words part p as HolderWords does its PartName.
func PartWords(p critmin.LotPart) string { return HolderWords(PartName(p)) }

// AssayHolders names the holdings of lot l whose readings event eventID
// stated — its assays, its moisture, its weighing — with l as Project
// left it just after that event (a replay in event time stops there):
// PartHolder of each part the event measured (it shipped, received,
// weighed or gave a moisture or an assay to that part: parts.go,
// measurePart, observeParts, reweighParts), and BodyHolder when the
// event's assay is the body's (Lot.Assays) or it measured no part. A
// part the event received back into the body (PartRejoined) is the body.
// An assay is of what stood where it was taken (docs/origin.md; issue 15,
// fix15a), so two readings at one instant are one quantity's only when
// they name the same holding: the body's assay at the mine and the
// assay of another party's part at Karachi, at one time, are two facts
// (issue 9, fix9z). Sorted; never empty.
func AssayHolders(l *critmin.Lot, eventID string) []string {
	var out []string
	body := false
	for _, a := range l.Assays {
		body = body || a.EventID == eventID
	}
	for _, p := range l.Parts {
		marked := p.ShipEventID == eventID || p.ReceiptEventID == eventID || p.WeighEventID == eventID || p.MoistureEventID == eventID
		for _, a := range p.Assays {
			marked = marked || a.EventID == eventID && p.ShipEventID != "" && !bodyAssayCopied(l, a)
		}
		switch {
		case !marked:
		case p.Status == critmin.PartRejoined:
			body = true
		default:
			out = append(out, PartName(p))
		}
	}
	if body || len(out) == 0 {
		out = append(out, BodyHolder)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// bodyAssayCopied says whether a part's assay a is the body's, copied
// when the part left (the lot's assays go with a part shipped after
// them): the body holds the same assay.
func bodyAssayCopied(l *critmin.Lot, a critmin.Assay) bool {
	for _, b := range l.Assays {
		if b == a {
			return true
		}
	}
	return false
}

// NamedAbsent says whether event ev of lot l — a dispatch (a loading,
// departing, shipping or transporting ObjectEvent) or a refinery run
// naming l as an input (a TransformationEvent's input line); l as it
// stood just before ev — names as its source a party (owning_party
// and/or possessing_party; eventParties) whose holding does not stand
// at ev's site (bizLocation, else readPoint) while other parties'
// holdings do, and names that party (the owner when the owner holds
// nothing there, else the possessor). It is so when ev is not a
// dispatch moving on a part in transit under its bill of lading or the
// body's own trip continuing from there (as DispatchFromNothing),
// something of l stands there (StandingAt), and no holding there with
// tonnes left is the named parties' — a holding is theirs when its
// owner is the named owner (or none is named) and its custodian the
// named possessor (or none is named), the rule HoldingOf reads
// (namedHolding, holds; canonical comparison). A holding whose owner or
// custodian is not known may be anyone's, and the event concerns what
// stands there as before (HoldingOf's fallback).
//
// A possessing_party named alone is judged as an owning_party is (issue
// 15, fix15t2 item 3): the custody model reads a named possessor as
// naming the holdings it holds (namedHolding), so one holding nothing
// there took every other party's holding (HoldingOf's fallback) —
// custodian C named alone shipped A's body where A and B held.
//
// A named source party takes of its own holding only (CBV 2.0 §7.5: a
// source names the party the objects leave), never of another party's
// there (issue 15, fix15o). Capture refuses such a dispatch or run
// (custody's standing check: the named party held nothing there, 409);
// one stored before its holding went — its receipt declared in error
// (EPCIS 2.0 §7.4.1.2) — is an anomaly the replay keeps inert: a
// dispatch is flagged (critmin.LotPart.FromRetracted) and counted
// nowhere (issue 15, fix15q: lot NU-B1's 6 t shipped from Karachi
// naming USSM, whose 12 t receipt there was declared in error, took 6 t
// of the smelter's 5 t part and left it at −1 t, −0.92 dmt), and a run
// takes nothing of the lot (applyPart; issue 15, fix15t2 item 1: a run
// at S naming X, who held nothing there, took 3 t of A's body).
func NamedAbsent(l *critmin.Lot, ev *critmin.Event) (string, bool) {
	if l == nil || ev == nil {
		return "", false
	}
	dispatch := ev.Type == critmin.ObjectEvent && ev.Action != "DELETE" && dispatchSteps[stepOf(ev.BizStep)]
	run := ev.Type == critmin.TransformationEvent && inputLine(ev, epcis.Canonical(l.ID))
	if !dispatch && !run {
		return "", false
	}
	owner, custodian := eventParties(ev)
	if owner == "" && custodian == "" {
		return "", false // none named
	}
	site := eventSite(ev)
	if dispatch {
		if inTransitUnder(l, billOfLading(ev)) {
			return "", false // a part at sea moving on under its bill of lading
		}
		if l.Status == critmin.LotInTransit && !NoBody(l) && epcis.Canonical(site) == epcis.Canonical(l.Location) {
			return "", false // the body's own trip continuing (DispatchFromNothing)
		}
	}
	st, ok := StandingAt(l, site)
	if !ok || st.WetTonnes <= 1e-9 {
		return "", false
	}
	ownerHolds := false
	for _, h := range st.Holdings {
		if h.WetTonnes <= 1e-9 {
			continue
		}
		ownerOK := owner == "" || h.Owner == "" || epcis.Canonical(h.Owner) == epcis.Canonical(owner)
		custodianOK := custodian == "" || h.Custodian == "" || epcis.Canonical(h.Custodian) == epcis.Canonical(custodian)
		if ownerOK && custodianOK {
			return "", false
		}
		ownerHolds = ownerHolds || (owner != "" && ownerOK)
	}
	if owner != "" && !ownerHolds {
		return owner, true
	}
	return custodian, true
}

// OwnersAt is every owner with a holding of lot l at site (StandingAt's
// Holdings with tonnes left; each once, canonical comparison, in the
// order they reached the site; a holding whose owner is not known is
// not listed), nil when nothing of l stands there. The Ship form's
// "from owner" must be one of them: its event names that owner as its
// source owning_party and ships that owner's holding (HoldingOf; issue
// 15, fix15l item 1).
func OwnersAt(l *critmin.Lot, site string) []string {
	st, ok := StandingAt(l, site)
	if !ok {
		return nil
	}
	var out []string
	for _, h := range st.Holdings {
		if h.WetTonnes > 1e-9 {
			out = addDistinct(out, h.Owner)
		}
	}
	return out
}

// BodyStands says whether lot l's body — what remains of it where it
// stands (Lot.RemainingWetTonnes), apart from received parts — stands at
// site (canonical comparison): the lot's Location is site, the lot is
// neither in transit nor consumed, and some of it did not leave as
// parts (NoBody). A body that left site (a shipment, even one stating no
// quantity) keeps site as its Location while in transit but no longer
// stands there: an event there concerns only the received parts that
// stand there (issue 15, fix15n). The one answer to "does the body stand
// at this site?" for packing, unpacking, run inputs, dispatches,
// weighings, moisture readings and the capture checks (custody).
func BodyStands(l *critmin.Lot, site string) bool {
	return l != nil && site != "" && l.Location != "" && epcis.Canonical(site) == epcis.Canonical(l.Location) &&
		l.Status != critmin.LotInTransit && l.Status != critmin.LotConsumed && !NoBody(l)
}

// BodyTravelsOn says whether dispatch ev of t wet tonnes (a loading,
// departing, shipping or transporting) continues the trip of lot l's
// body: the body is in transit (not NoBody), it left from ev's site
// (bizLocation, else readPoint; its Location), ev names none or is a
// transporting (seen on the way), and t is
// what remains of the body within PartTolerance. Such a dispatch moves
// the body on (EPCIS 2.0 §7.3: one consignment loaded, departing,
// shipped), though the body no longer stands there (BodyStands); any
// other dispatch there takes of the received parts standing there
// (issue 15, fix15n).
func BodyTravelsOn(l *critmin.Lot, ev *critmin.Event, t float64) bool {
	if l == nil || l.Status != critmin.LotInTransit || NoBody(l) {
		return false
	}
	if site := eventSite(ev); site != "" && l.Location != "" && epcis.Canonical(site) != epcis.Canonical(l.Location) && stepOf(ev.BizStep) != "transporting" {
		// A transporting is seen on the way (the vessel, a port passed):
		// its place is not where the body left (new-user check n8d s46:
		// [C1] of a [C1, C2] trip received, a transporting of [C2] read
		// at the vessel became a part shipped from nothing, 4 t counted
		// in transit twice).
		return false
	}
	rest := l.RemainingWetTonnes()
	return rest > 1e-9 && math.Abs(t-rest) <= rest*PartTolerance
}

// DispatchFromNothing says whether dispatch ev of lot l (a loading,
// departing, shipping or transporting; l as it stood just before ev)
// leaves from a site where nothing of l stands (issue 15, fix15o): l
// has parts (a whole lot is never split: one dispatched from a site it
// never reached is custody's whereabouts refusal, and a record that
// skipped its move there still moves it), ev names a site (bizLocation,
// else readPoint), l is placed (its Location) and not consumed, its body
// does not stand there (BodyStands), no received part has anything left
// there (StandingAt), and ev is neither the body's own trip continuing —
// the body in transit (not NoBody) from that site (BodyTravelsOn) — nor
// the move on of a part in transit under ev's bill of lading. Such a dispatch ships nothing, with or without a
// quantity: the ledger books nothing of it (applyPart: it never moves
// the lot's body from where the body stands) and custody refuses it at
// capture. Lot H1, 10 t at Karachi; 4 t shipped to Houston and received
// for USSM, then shipped on from Houston: nothing of H1 stands at
// Houston, and a further shipment from there, stating no quantity,
// moved the 6 t body at Karachi in transit Houston→Karachi.
func DispatchFromNothing(l *critmin.Lot, ev *critmin.Event) bool {
	site := eventSite(ev)
	if l == nil || len(l.Parts) == 0 || site == "" || l.Location == "" || l.Status == critmin.LotConsumed || BodyStands(l, site) {
		return false
	}
	if l.Status == critmin.LotInTransit && !NoBody(l) && epcis.Canonical(site) == epcis.Canonical(l.Location) {
		return false // the body's own trip continuing
	}
	if bol := billOfLading(ev); bol != "" {
		for _, p := range l.Parts {
			if p.Status == critmin.PartInTransit && p.BillOfLading == bol {
				return false // that part moving on
			}
		}
	}
	if st, ok := StandingAt(l, site); ok && st.WetTonnes > 1e-9 {
		return false
	}
	return true
}
