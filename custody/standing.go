package custody

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// This file holds the capture check that every movement of a lot takes
// at most what stands of it at its site at the event's own time (issue
// 15, fix15k). EPCIS 2.0 §7.3 distinguishes an event's eventTime, when it
// happened, from its recordTime, when it was captured: a shipment entered
// on 2025-11-22 but dated 2025-11-10 took from what stood on 2025-11-10,
// not from what stands when it is entered. So the check replays the
// lot's live events in event time (ledger.Replay's order: equal times in
// capture order, the document's after the stored), the document's
// included, and refuses the document when any movement in that replay —
// the document's own, or one recorded earlier but dated later, which a
// back-dated event may leave short — takes more than stood.

// standingSteps are the CBV 2.0 steps whose stated quantity takes the
// lot from where it stands: it is loaded, shipped or sent on its way.
var standingSteps = dispatchSteps

// takenBy is the wet tonnes movement ev takes of lot id from where it
// stands — a packing's child lines (AggregationEvent or
// AssociationEvent, ADD or OBSERVE), a run's input lines, a dispatch's
// (loading, shipping, departing, transporting) quantity lines — and
// whether it states any in a mass unit. Receipts are not judged here: a
// receipt is checked against its shipment (receiptAgainst), and the
// shipment against what stood.
func takenBy(ev *critmin.Event, id string) (float64, bool) {
	var role string
	switch {
	case (ev.Type == critmin.AggregationEvent || ev.Type == critmin.AssociationEvent) && ev.Action != "DELETE":
		role = critmin.RoleChild
	case ev.Type == critmin.TransformationEvent:
		role = critmin.RoleInput
	case ev.Type == critmin.ObjectEvent && ev.Action != "DELETE" && standingSteps[stepName(ev.BizStep)]:
		role = critmin.RoleEPC
	default:
		return 0, false
	}
	var sum float64
	ok := false
	for _, q := range ev.Quantities {
		r := q.Role
		if r == "" {
			r = critmin.RoleEPC
		}
		if q.EPCClass != id || r != role || q.Quantity == nil || !units.IsMass(q.UOM) {
			continue
		}
		t, err := units.ToTonnes(*q.Quantity, q.UOM)
		if err != nil {
			continue
		}
		sum += t
		ok = true
	}
	return sum, ok
}

// takenStanding is what a movement ev of lot id stating no quantity of
// it takes, wet tonnes, and whether ev is one and it can be told (l is
// the lot as projected just before ev): a dispatch (loading, shipping,
// departing) naming the lot in a line with no quantity ships what stands
// of it where it leaves (ledger.ShippedStanding, the figure ledger.Project,
// the Ship preview and ledger.ShippedBy read), and a run's input line
// with none takes the holding at the run's site (ledger.HoldingOf). A
// line stating a quantity is takenBy's. Issue 15, fix15p: so such a
// movement draws on the lot's containers (sitePackings.drawOut) exactly
// as the same quantity stated would — 2 t standing, all in C, shipped
// with no quantity leave C empty (it read 2 t).
func takenStanding(l *critmin.Lot, ev *critmin.Event, id string) (float64, bool) {
	var role string
	switch {
	case ev.Type == critmin.TransformationEvent:
		role = critmin.RoleInput
	case ev.Type == critmin.ObjectEvent && ev.Action != "DELETE" && standingSteps[stepName(ev.BizStep)]:
		role = critmin.RoleEPC
	default:
		return 0, false
	}
	named := false
	for _, q := range ev.Quantities {
		r := q.Role
		if r == "" {
			r = critmin.RoleEPC
		}
		if epcis.Canonical(q.EPCClass) != epcis.Canonical(id) || r != role {
			continue
		}
		if q.Quantity != nil {
			return 0, false // stated (takenBy), or in no mass unit: not told here
		}
		named = true
	}
	if !named {
		return 0, false
	}
	if role == critmin.RoleInput {
		h, ok := ledger.HoldingOf(l, ev)
		if !ok || h.WetTonnes <= 1e-9 || !units.IsMass(l.UOM) {
			return 0, false
		}
		return h.WetTonnes, true
	}
	return ledger.ShippedStanding(l, ev)
}

// standingAt is what stands of lot l (as projected just before ev) where
// ev happens, wet tonnes, and whether it can be told: where the lot
// stands (its location, or any site when the event or the lot states
// none) what remains of it (Lot.RemainingWetTonnes: its mass less what
// runs took and the parts sent away), plus what remains of the parts
// received at ev's site. A dispatch that moves on a part in transit (its
// bill of lading, or with none its weight, as ledger.Project matches
// it) has that part; a whole lot in transit moving on has all of it. A
// lot of no mass, or at another site, cannot be told (checkWhereabouts
// judges where).
func standingAt(l *critmin.Lot, ev *critmin.Event, t float64) (float64, bool) {
	if !units.IsMass(l.UOM) || l.WetTonnes <= 0 {
		return 0, false
	}
	if ev.Type == critmin.ObjectEvent && standingSteps[stepName(ev.BizStep)] {
		bol := bolOf(ev)
		for _, p := range l.Parts {
			if p.Status != critmin.PartInTransit {
				continue
			}
			// A part flagged as shipped from nothing moves on only under
			// its own bill of lading (ledger's applyPart; fix15q).
			if (bol != "" && p.BillOfLading == bol) || (!p.FromRetracted && (bol == "" || p.BillOfLading == "") && abs(t-p.Tonnes) <= p.Tonnes*ledger.PartTolerance) {
				return p.Tonnes, true
			}
		}
		if l.Status == critmin.LotInTransit && len(l.Parts) == 0 {
			return l.WetTonnes, true
		}
		if ledger.BodyTravelsOn(l, ev, t) {
			return l.RemainingWetTonnes(), true
		}
	}
	if _, absent := ledger.NamedAbsent(l, ev); absent {
		// A dispatch naming as its source a party that holds nothing
		// here, where other parties' holdings stand, takes of none of
		// them (issue 15, fix15q): nothing of its party stood.
		return 0, true
	}
	if h, ok := ledger.HoldingOf(l, ev); ok && h.Named {
		// A movement naming as its source a party that holds some of the
		// lot here takes of that party's holding only (ledger.Holding,
		// Named; issue 15, fix15o: 5 t shipped from USSM's 4 t part where
		// FWO's 6 t body stood were judged against 10 t).
		return h.WetTonnes, true
	}
	site := eventSite(ev)
	known := false
	var s float64
	// The body counts where it stands (ledger.BodyStands): one that left
	// the site, in transit, stands there no more, whatever its Location
	// (issue 15, fix15n: 9 t packed where B's 4 t part stood and the 6 t
	// body had left was judged against 10 t).
	if site == "" || l.Location == "" || ledger.BodyStands(l, site) {
		s, known = l.RemainingWetTonnes(), true
	}
	for _, p := range l.Parts {
		if p.Status != critmin.PartReceived || site == "" || epcis.Canonical(p.To) != site {
			continue
		}
		s += p.LeftTonnes()
		known = true
	}
	return s, known
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// shortfall is a movement of a replay that took more than stood. For a
// packing, packed is what of the lot was already packed at its site and
// not unpacked (packedIn names the containers and events), which it
// adds to (sitePackings).
type shortfall struct {
	ev            *critmin.Event
	doc           bool
	took, stood   float64
	packed        float64
	packedIn      []string
	lotWetTonnes  float64
	eventTimeText string
	// nothing: a dispatch stating no quantity from a site where nothing
	// of the lot stood (ledger.DispatchFromNothing); where words where
	// the lot stood then (WhereStands).
	nothing bool
	where   string
	// consumedBy: a dispatch stating a quantity (took) from a site where
	// nothing of the lot stands (ledger.DispatchFromNothing) since the
	// run consumedBy took what stood there (its eventID; builder decl).
	consumedBy string
	// holder, owners: the source party the movement named, whose
	// holding alone it takes (ledger.Holding.Named), and every owner
	// with a holding at the site then (ledger.OwnersAt). absent: that
	// party held nothing there while others did (ledger.NamedAbsent).
	holder string
	owners []string
	absent bool
	// pairOwner: absent, the movement named holder as its source
	// custodian and pairOwner as its source owner, and pairOwner holds
	// there, but no holding has both (pairs: every holding there, "owner
	// / custodian mass"; issue 15, fix15ze, nu15g item 7).
	pairOwner string
	pairs     []string
	refused   *critmin.FieldError // an unpacking refused as worded (checkUnpackingOf)
	// beside: a line of the lot beside containers holding it
	// (heldBeside) above what they hold plus the loose rest (besideAbove)
	// or below what they hold (besideBelow); held is what the named
	// containers hold of the lot at the site (heldIn: "container t
	// (packing event …)"), loose what stands of it packed in none,
	// otherIn the other containers holding it there.
	beside          int
	held, loose     float64
	heldIn, otherIn []string
}

// The two faults of a line beside containers (shortfall.beside).
const (
	besideAbove = ledger.BesideAbove
	besideBelow = ledger.BesideBelow
)

// besideStep says whether ev is judged by heldBeside: a dispatch that
// starts a container's trip (an ObjectEvent shipping, departing or
// loading, CBV 2.0 §7.2) or a run (its inputs).
func besideStep(ev *critmin.Event) bool {
	return ledger.BesideJudged(ev)
}

// heldBeside judges document event ev (a dispatch or a run: besideStep)
// that names containers boxes (as the event spells them) holding lot id
// and states a line of t wet tonnes of the lot, where stood of it stood
// (l as projected just before ev): the named containers standing at
// ev's site hold held of the lot, and what stands of it packed in no
// container there is loose (stood less every packing there). The line
// moves, or the run takes, what is inside the containers — their
// contents change only through an AggregationEvent or a run consuming
// them (EPCIS 2.0 §7.3.5) — and at most the loose rest besides: a line
// below held, or above held + loose, beyond ConsumptionTolerance, is a
// fault (outside checker nuq9: [K1] (6 t) beside "L 10 t" where K2 held
// the other 4 t moved 10 t and left K2's 4 t to be fed at the site too;
// [K1, K2] (10 t) beside "L 1 t" left 9 t at the site inside containers
// that had gone). Containers on a trip (at no site), or holding the lot
// by no known mass, are not judged.
func (sp *sitePackings) heldBeside(id string, l *critmin.Lot, ev *critmin.Event, t, stood float64, boxes []string, doc bool) (shortfall, bool) {
	site := eventSite(ev)
	if len(boxes) == 0 || site == "" || !besideStep(ev) {
		return shortfall{}, false
	}
	for _, q := range ev.Carried {
		if epcis.Canonical(q.EPCClass) == epcis.Canonical(id) {
			// The line is the containers' contents (ledger.WithContents),
			// not one the event states.
			return shortfall{}, false
		}
	}
	named := map[string]bool{}
	for _, b := range boxes {
		named[epcis.Canonical(b)] = true
	}
	var held, packed float64
	var heldIn, otherIn []string
	for _, p := range sp.agg.Of(id) {
		if sp.site[p.EventID] != site {
			continue
		}
		w, ok := sp.heldWet(p)
		if !ok {
			return shortfall{}, false
		}
		if w <= 1e-9 {
			continue
		}
		packed += w
		what := fmt.Sprintf("%s %s t (packing event %s)", p.Container, Tonnes(w), p.EventID)
		if named[epcis.Canonical(p.Container)] {
			held += w
			heldIn = append(heldIn, what)
		} else {
			otherIn = append(otherIn, what)
		}
	}
	if held <= 1e-9 {
		return shortfall{}, false
	}
	loose := max(stood-min(packed, stood), 0)
	sf := shortfall{ev: ev, doc: doc, took: t, stood: stood, held: held, loose: loose, heldIn: heldIn, otherIn: otherIn, lotWetTonnes: l.WetTonnes, eventTimeText: ev.EventTime.Format(time.RFC3339)}
	// The one reading of the rule, which verify applies to the stored
	// record too (ledger.StoredContainerRule).
	if sf.beside = ledger.BesideFault(t, held, loose); sf.beside == 0 {
		return shortfall{}, false
	}
	return sf, true
}

// sitePackings follows, through a replay, the packings of one lot not
// undone and the site where each container stands (issue 15, fix15c3):
// packings not undone add up (docs/forms.md), so a packing at a site
// takes at most what stands there less what is already packed there.
// A packing's site is where it was made until an event moving its
// container by the container's own identifier moves it (follow): a
// dispatch puts it at sea (at no site), a receipt at the receipt's site
// (issue 8, fixNb: 4 t packed into C2 at the mine, C2 shipped to and
// received at the port, then 4 t more packed into C4 at the port — where
// the 4 t that stood were all in C2 — was taken, and 6 t packed at the
// mine, where 6 t stood loose once C2 had left, refused).
// Aggregations (packing into a container) and associations are kept
// apart: a lot may be both packed and associated.
type sitePackings struct {
	agg, assoc *ledger.Containment
	site       map[string]string   // packing event → where its container stands ("" at sea)
	stood      map[string]float64  // packing event → what stood at its site then
	drawn      map[string][]string // container → "event (t)" of movements that drew out of it (drawOut)
	draws      []ledger.LineDraw   // the same, each with its lot, event and time (LineDraws)
	lost       map[string]float64  // packing event → what weighed receipts found missing of it, a gain negative (weighed)
}

func newSitePackings() *sitePackings {
	return &sitePackings{agg: ledger.NewContainment(nil), assoc: ledger.NewContainment(nil), site: map[string]string{}, stood: map[string]float64{}, drawn: map[string][]string{}, lost: map[string]float64{}}
}

// isPackingEvent says whether ev packs or associates children (ADD or
// OBSERVE of a parent).
func isPackingEvent(ev *critmin.Event) bool {
	return (ev.Type == critmin.AggregationEvent || ev.Type == critmin.AssociationEvent) && ev.Action != "DELETE" && ev.ParentID != ""
}

func (sp *sitePackings) of(ev *critmin.Event) *ledger.Containment {
	if ev.Type == critmin.AssociationEvent {
		return sp.assoc
	}
	return sp.agg
}

// apply records ev (lot id as projected just before it: l).
func (sp *sitePackings) apply(id string, l *critmin.Lot, ev *critmin.Event) {
	sp.follow(id, ev)
	if ev.Type != critmin.AggregationEvent && ev.Type != critmin.AssociationEvent {
		return
	}
	if isPackingEvent(ev) {
		sp.site[ev.EventID] = eventSite(ev)
		if stood, ok := standingAt(l, ev, 0); ok {
			sp.stood[ev.EventID] = stood
		}
	}
	c := *ev
	c.Type = critmin.AggregationEvent // Containment follows aggregations
	sp.of(ev).Apply(&c)
}

// follow moves lot id's packings in the containers ev moves by their own
// identifiers (ledger.MovesContents: an ObjectEvent of a dispatch or
// receipt step naming them in its epcList, CBV 2.0 §7.2) with them: a
// shipping, departing or transporting puts them at sea, as a loading
// does (ledger.Departs: the books put them on the trip; builder fixQw),
// a receipt (arriving, unloading, receiving, accepting) at its site.
func (sp *sitePackings) follow(id string, ev *critmin.Event) {
	if !ledger.MovesContents(ev) {
		return
	}
	var site string
	switch step := stepName(ev.BizStep); {
	case receiptSteps[step]:
		site = eventSite(ev)
	case !inTransitStep(step) && !ledger.Departs(ev):
		return
	}
	moved := map[string]bool{}
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleEPC {
			moved[epcis.Canonical(e.EPC)] = true
		}
	}
	for _, p := range sp.agg.Of(id) {
		if moved[epcis.Canonical(p.Container)] {
			sp.site[p.EventID] = site
		}
	}
	if receiptSteps[stepName(ev.BizStep)] {
		sp.weighed(id, ev, moved)
	}
}

// weighed books a receipt ev of the containers moved weighing lot id by
// a quantity line of its own: they hold the weighed figure from then on
// (lost: the packings' own figures, which PackedIn gives, stay), each
// its share of the loss (what it held × (1 − line ÷ what they all
// held)), as ledger.Holdings.HeldAt reads a weighed receipt — so a line
// draw at the destination splits the lot's stock there between loose
// and containers by the weighed figure (6 t of A packed into C1, [C1]
// received weighing "A 5.7 t" beside A's loose 4 t: "A 6 t" by line
// takes 4 t loose and 2 t out of C1, not 2.3 t). A gain is booked
// alike, as a negative loss: the containers hold the heavier weighed
// figure, and none of the gain stands loose at the site (issue 9,
// fixQm: PK's 3 t in C1 received weighing "PK 3.015 t", then "PK 1 t"
// drawn by a run's line where nothing of PK stood loose: 1 t came out of
// C1, which holds 2.015 t — the gain left out, 0.015 t read as loose
// stock and only 0.985 t drawn, and a run fed C1 whole after a 1 t
// unpacking took 1.03 t instead of 1.015 t).
func (sp *sitePackings) weighed(id string, ev *critmin.Event, moved map[string]bool) {
	var line float64
	named := false
	for _, q := range ledger.WithoutCarried(ev).Quantities {
		if (q.Role != "" && q.Role != critmin.RoleEPC) || epcis.Canonical(q.EPCClass) != id {
			continue
		}
		if q.Quantity == nil || !units.IsMass(q.UOM) {
			return
		}
		t, err := units.ToTonnes(*q.Quantity, q.UOM)
		if err != nil {
			return
		}
		line += t
		named = true
	}
	if !named {
		return
	}
	var all float64
	for _, p := range sp.agg.Of(id) {
		if !moved[epcis.Canonical(p.Container)] {
			continue
		}
		w, ok := sp.heldWet(p)
		if !ok {
			return
		}
		all += w
	}
	if all <= 1e-9 || math.Abs(line-all) <= 1e-12 {
		return
	}
	for _, p := range sp.agg.Of(id) {
		if !moved[epcis.Canonical(p.Container)] {
			continue
		}
		if w, ok := sp.heldWet(p); ok {
			sp.lost[p.EventID] += w * (1 - line/all)
		}
	}
}

// heldWet is what packing p still holds, wet tonnes: PackedWet less
// what a weighed receipt found missing of it (weighed); ok as PackedWet.
func (sp *sitePackings) heldWet(p critmin.Packing) (float64, bool) {
	w, ok := ledger.PackedWet(p, sp.stood[p.EventID])
	return max(w-sp.lost[p.EventID], 0), ok
}

// packedAt is what of lot id is packed (or associated, by ev's kind) at
// ev's site and not undone, by packings other than ev, wet tonnes, and
// where: "container (event …)".
func (sp *sitePackings) packedAt(id string, ev *critmin.Event) (float64, []string) {
	site := eventSite(ev)
	var t float64
	var where []string
	for _, p := range sp.of(ev).Of(id) {
		if p.EventID == ev.EventID || sp.site[p.EventID] != site {
			continue
		}
		w, ok := sp.heldWet(p)
		if !ok || w <= 1e-9 {
			continue
		}
		t += w
		where = append(where, p.Container+" (event "+p.EventID+")")
	}
	return t, where
}

// drawOut books a movement ev (a dispatch or a run's input: not a
// packing) that took t wet tonnes of lot id where stood stood, of which
// packed were packed there and not unpacked: it takes the loose rest
// (stood − packed) first, and what it took beyond that came out of the
// lot's containers at ev's site, oldest packing first, each up to what
// it holds (ledger.Containment.Unpack) — EPCIS 2.0 §7.3.5: a packing is
// an AggregationEvent ADD, and a quantity of the lot itself moved by an
// ObjectEvent or consumed by a TransformationEvent is no longer in its
// parent (issue 15, fix15g item 2). 10 t, 3 t packed into C, 8 t
// shipped: 7 t loose and 1 t out of C, which holds 2 t.
//
// A container the movement names itself (its epcList, parentID or
// childEPCs: the demo's departure of MSKU1234565 with 25 t of
// REE-2025-001 in it) travels with the lot in it: what it holds of the
// lot moves in it first, is not drawn out of it, and only the rest of t
// takes the loose rest and then the other containers.
//
// A run fed containers whole consumes what they held (EPCIS 2.0 §7.3.6:
// its inputs go into its outputs): they hold none of the lot after it,
// whether the run names them in its inputEPCList (the document's) or,
// read back from the store, only its stored contents do (fed: the
// containers it fed the lot in, contentsJudge.via / withStoredVia —
// the stored run's inputEPCList leaves out the containers whose
// contents gave it its lines, ledger.WithContents). 10 t lot, 6 t
// packed into C1, a run fed C1 whole: C1 holds 0 t, 4 t stand loose,
// and 4 t packed into C1 afterwards is taken.
func (sp *sitePackings) drawOut(id string, ev *critmin.Event, t, stood float64, fed []string) {
	named := map[string]bool{}
	for _, x := range ev.EPCs {
		named[epcis.Canonical(x.EPC)] = true
	}
	for _, c := range fed {
		named[epcis.Canonical(c)] = true
	}
	if ev.ParentID != "" {
		named[epcis.Canonical(ev.ParentID)] = true
	}
	site := eventSite(ev)
	packed, _ := sp.packedAt(id, ev)
	var inNamed float64
	for _, p := range sp.agg.Of(id) {
		if sp.site[p.EventID] == site && named[epcis.Canonical(p.Container)] {
			if w, ok := sp.heldWet(p); ok {
				inNamed += w
			}
		}
	}
	over := t - min(inNamed, t) - max(stood-min(packed, stood), 0)
	if ev.Type == critmin.TransformationEvent {
		consumed := min(inNamed, t)
		for _, p := range sp.agg.Of(id) {
			if consumed <= 1e-9 {
				break
			}
			if sp.site[p.EventID] != site || !named[epcis.Canonical(p.Container)] {
				continue
			}
			w, ok := sp.heldWet(p)
			if !ok || w <= 1e-9 {
				continue
			}
			take := min(consumed, w)
			sp.agg.Unpack(id, p.Container, take)
			consumed -= take
		}
	}
	if over <= 1e-9 {
		return
	}
	for _, p := range sp.agg.Of(id) {
		if over <= 1e-9 {
			break
		}
		if sp.site[p.EventID] != site || named[epcis.Canonical(p.Container)] {
			continue
		}
		w, ok := sp.heldWet(p)
		if !ok || w <= 1e-9 {
			continue
		}
		take := min(over, w)
		sp.agg.Unpack(id, p.Container, take)
		box := epcis.Canonical(p.Container)
		sp.drawn[box] = append(sp.drawn[box], fmt.Sprintf("%s t by event %s", Tonnes(take), ev.EventID))
		sp.draws = append(sp.draws, ledger.LineDraw{Lot: id, Container: box, EventID: ev.EventID, PK: ev.PK, At: ev.EventTime, Tonnes: take})
		over -= take
	}
}

// checkUnpackingOf judges an AggregationEvent DELETE of the document
// (ev) against what its parent holds of lot id at its time, packings
// less unpackings less what movements of the lot itself drew out of it
// (drawOut) — the one rule (ledger.Containment, ledger.CheckRepacking's
// unpacking check; EPCIS 2.0 §7.3.5.3): 3 t packed into C, then 8 t of
// the 10 t lot shipped (7 t loose, 1 t out of C): C holds 2 t, and a
// DELETE of 3 t from C is refused. Only ev's lines of lot id are judged;
// pointers are ev's own. lot is id as projected just before ev.
func (sp *sitePackings) checkUnpackingOf(id string, lot *critmin.Lot, ev *critmin.Event) []critmin.FieldError {
	if ev.Type != critmin.AggregationEvent || ev.Action != "DELETE" || ev.ParentID == "" || ev.ErrorDeclaration != nil {
		return nil
	}
	box := epcis.Canonical(ev.ParentID)
	if len(sp.drawn[box]) == 0 {
		return nil // nothing drawn out: the store's check (ledger.CheckRepackingAt) judges it alike
	}
	one := *ev
	one.EPCs = nil
	one.Quantities = nil
	var at []int // index of each kept line in ev's childQuantityList
	n := 0
	for _, q := range ev.Quantities {
		if q.Role != critmin.RoleChild {
			continue
		}
		if epcis.Canonical(q.EPCClass) == id {
			one.Quantities = append(one.Quantities, q)
			at = append(at, n)
		}
		n++
	}
	if len(at) == 0 {
		return nil
	}
	errs := ledger.CheckRepacking(&one, sp.agg, func(string) *critmin.Lot { return lot })
	for i := range errs {
		var j int
		if _, err := fmt.Sscanf(errs[i].Pointer, "/childQuantityList/%d/quantity", &j); err == nil && j < len(at) {
			errs[i].Pointer = fmt.Sprintf("event %s/childQuantityList/%d/quantity", ev.EventID, at[j])
		} else {
			errs[i].Pointer = "event " + ev.EventID + errs[i].Pointer
		}
		errs[i].Reason += fmt.Sprintf("; movements of the lot itself beyond its loose rest drew out of %s: %s (docs/forms.md: a shipment or run input of a packed lot takes its loose rest first, then its containers at the site, oldest packing first)",
			ev.ParentID, strings.Join(sp.drawn[box], ", "))
	}
	return errs
}

// replayStanding replays lot id from start (the lot before seq; nil for
// none) through seq, in order, and returns the movements
// that took more than stood at their site, beyond ConsumptionTolerance
// of what stood there — not of the lot's whole mass: 1 t packed where
// 0.95 t of a 17.96 t lot stand is refused (0.95 × 1.005 = 0.95475 t),
// where 0.5 % of the lot let it pass (0.95 + 0.0898 t; issue 15, fix15z
// F6). inDoc names the document's events.
func replayStanding(id string, start *critmin.Lot, seq []*critmin.Event, inDoc map[*critmin.Event]bool, via map[*critmin.Event]map[string][]string) []shortfall {
	out, _ := replayLot(id, start, seq, inDoc, via)
	return out
}

// replayLot is replayStanding's replay, returning as well the lot's
// packings as they stand after seq (sitePackings: packings less
// unpackings less what movements of the lot drew out of its containers).
// A DELETE emptying one of its containers (it names no child: every
// child out, EPCIS 2.0 §7.3.5.3) is applied to the packings only.
//
// A document's dispatch or run naming containers beside a line of the
// lot is judged against what they hold of it (heldBeside); via gives,
// per event and lot, the containers it moved the lot in as the
// document's contents were read (contentsJudge.via; nil: none).
func replayLot(id string, start *critmin.Lot, seq []*critmin.Event, inDoc map[*critmin.Event]bool, via map[*critmin.Event]map[string][]string) ([]shortfall, *sitePackings) {
	lot := &critmin.Lot{ID: id}
	if start != nil {
		lot = start
	}
	var out []shortfall
	packs := newSitePackings()
	ranAt := map[string]*critmin.Event{} // the last run taking the lot, by site
	for _, ev := range seq {
		if emptying(ev) {
			packs.apply(id, lot, ev)
			continue
		}
		t, stated := takenBy(ev, id)
		if ev.Type == critmin.TransformationEvent && (stated || namesInputWhole(ev, id)) {
			ranAt[epcis.Canonical(eventSite(ev))] = ev
		}
		if noQuantityDispatch(ev, id) && ledger.DispatchFromNothing(lot, ev) {
			// Stating no quantity, it ships what stands of the lot at its
			// site, and nothing does (issue 15, fix15o).
			out = append(out, shortfall{ev: ev, doc: inDoc[ev], nothing: true, where: WhereStands(lot, nil, ""), lotWetTonnes: lot.WetTonnes, eventTimeText: ev.EventTime.Format(time.RFC3339)})
		} else if party, absent := ledger.NamedAbsent(lot, ev); absent {
			// It names as its source a party holding nothing there, with
			// or without a quantity: it would ship nobody's holding, or
			// another party's (issue 15, fix15q).
			sf := shortfall{ev: ev, doc: inDoc[ev], absent: true, holder: party, owners: ledger.OwnersAt(lot, eventSite(ev)), lotWetTonnes: lot.WetTonnes, eventTimeText: ev.EventTime.Format(time.RFC3339)}
			sf.pairOwner, sf.pairs = pairFault(lot, ev, sf.owners)
			out = append(out, sf)
		} else if run := ranAt[epcis.Canonical(eventSite(ev))]; stated && inDoc[ev] && run != nil && (ev.Type == critmin.ObjectEvent && standingSteps[stepName(ev.BizStep)] || isPackingEvent(ev)) && ledger.DispatchFromNothing(lot, ev) {
			// A dispatch, or a packing (builder packlater), stating a
			// quantity at the site where a run
			// consumed what stood of the lot, nothing of it standing
			// there since: material that no longer exists cannot move
			// (CBV 2.0: a transformation's inputs go into its outputs).
			// Refused naming the run, not booked as shipped from nothing.
			out = append(out, shortfall{ev: ev, doc: true, took: t, consumedBy: run.EventID, where: WhereStands(lot, nil, ""), lotWetTonnes: lot.WetTonnes, eventTimeText: ev.EventTime.Format(time.RFC3339)})
		} else if stated {
			stood, ok := standingAt(lot, ev, t)
			if !ok && !inDoc[ev] && leftBeforeRun(lot, ev) {
				stood, ok = 0, true
			}
			if ok {
				// A packing adds to what is already packed there and not
				// unpacked, at most what stands there (issue 15, fix15c3:
				// 3 t then 1 t packed where 3.02 t stand were both taken).
				var packed float64
				var where []string
				// Where the whole lot stands, ledger.CheckRepacking judges
				// the packings against its mass, and words it.
				if isPackingEvent(ev) && stood < lot.WetTonnes*(1-1e-9) {
					packed, where = packs.packedAt(id, ev)
					packed = min(packed, stood)
				}
				if t+packed > stood*(1+ConsumptionTolerance)+1e-9 {
					sf := shortfall{ev: ev, doc: inDoc[ev], took: t, stood: stood, packed: packed, packedIn: where, lotWetTonnes: lot.WetTonnes, eventTimeText: ev.EventTime.Format(time.RFC3339)}
					if h, ok := ledger.HoldingOf(lot, ev); ok && h.Named {
						sf.holder, sf.owners = h.Party, ledger.OwnersAt(lot, h.Site)
					}
					out = append(out, sf)
				} else if inDoc[ev] || len(via[ev][id]) > 0 {
					// The document's, and a recorded one whose stored
					// contents name its containers (a back-dated event
					// may leave it breaking the rule; verify reads the
					// stored record so: BesideFaults).
					if sf, bad := packs.heldBeside(id, lot, ev, t, stood, via[ev][id], inDoc[ev]); bad {
						out = append(out, sf)
					}
				}
				if !isPackingEvent(ev) && ev.Type != critmin.AssociationEvent && ev.Type != critmin.AggregationEvent {
					packs.drawOut(id, ev, t, stood, via[ev][id])
				}
			}
		} else if t, ok := takenStanding(lot, ev, id); ok {
			// Stating no quantity, it takes what stands there: never
			// more than stood, so only its drawing on the containers.
			if stood, ok := standingAt(lot, ev, t); ok {
				packs.drawOut(id, ev, t, stood, via[ev][id])
			}
		} else if !inDoc[ev] && namesInputWhole(ev, id) && leftBeforeRun(lot, ev) {
			// A recorded run that named the lot with no quantity took
			// all of it at its site, which a move dated before it sent
			// away: nothing stood there then.
			out = append(out, shortfall{ev: ev, took: lot.RemainingWetTonnes(), lotWetTonnes: lot.WetTonnes, eventTimeText: ev.EventTime.Format(time.RFC3339)})
		}
		if inDoc[ev] {
			for _, fe := range packs.checkUnpackingOf(id, lot, ev) {
				out = append(out, shortfall{ev: ev, doc: true, refused: &fe})
			}
		}
		packs.apply(id, lot, ev)
		view := map[string]*critmin.Lot{}
		for _, other := range ev.LotIDs() {
			view[other] = &critmin.Lot{ID: other}
		}
		view[id] = lot
		ledger.Project(view, ev)
	}
	return out, packs
}

// leftBeforeRun says whether recorded run ev takes of lot l (as
// replayed just before it) at a site its body left, in transit, where
// no part of it was received: a shipping, departing or loading entered
// late but dated before the run sent away what the run took there, so
// nothing of it stood there then (new-user check nuq8 item 6: lot L
// 10 t at R, a run at R on 09-10 took all 10 t, then a shipping of L
// from R dated 09-05 was accepted; shipped first, the run is refused
// "in transit" — the same record whichever came in first). A run of
// the document itself is judged where the lot stands by the
// whereabouts check (checkFedAtSite), which words it so.
func leftBeforeRun(l *critmin.Lot, ev *critmin.Event) bool {
	site := eventSite(ev)
	if ev.Type != critmin.TransformationEvent || site == "" || l.Status != critmin.LotInTransit ||
		l.Location == "" || epcis.Canonical(l.Location) != site || !units.IsMass(l.UOM) || l.WetTonnes <= 0 {
		return false
	}
	for _, p := range l.Parts {
		if p.Status == critmin.PartReceived && epcis.Canonical(p.To) == site {
			return false
		}
	}
	return true
}

// namesInputWhole says whether TransformationEvent ev names lot id as
// an input with no quantity (all of it).
func namesInputWhole(ev *critmin.Event, id string) bool {
	if ev.Type != critmin.TransformationEvent {
		return false
	}
	for _, q := range ev.Quantities {
		if q.Role == critmin.RoleInput && q.Quantity == nil && epcis.Canonical(q.EPCClass) == epcis.Canonical(id) {
			return true
		}
	}
	return false
}

// emptying says whether ev is an AggregationEvent DELETE naming no
// child: everything out of its parent.
func emptying(ev *critmin.Event) bool {
	return ev.Type == critmin.AggregationEvent && ev.Action == "DELETE" && ev.ParentID != "" && len(ledger.Children(ev)) == 0
}

// ContainedAt is what lot id (canonical) is packed in at time at — now
// when at is zero — replaying evs, the lot's live events (not declared
// in error) and the AggregationEvent DELETEs emptying its containers
// (they name no child), in event time (equal times in the order given:
// capture order), up to at. It is the one rule the unpacking check
// (checkUnpackingOf) and the standing check use (issue 15, fix15k):
// packings (AggregationEvent ADD or OBSERVE) less unpackings (DELETE;
// a childQuantityList quantity takes out that part, EPCIS 2.0 §7.3.5.3)
// less what movements of the lot itself — a shipment, a departure or a
// run's input, stating a quantity or, stating none, taking what stood
// there (takenStanding; fix15p) — took beyond its loose rest at the
// container's site, oldest packing first (sitePackings.drawOut,
// Packing.Unpacked).
// 10 t lot, 3 t packed into C, 8 t shipped from the site: 7 t loose and
// 1 t out of C, which holds 2 t (Unpacked 1). Events declared in error
// (ledger.Live) are left out. Stores read it into PackedIn
// (critmin.GenealogyStore), and so origin, genealogy and the container
// page.
func ContainedAt(id string, evs []*critmin.Event, at time.Time) []critmin.Packing {
	return ContainedAtFed(id, evs, at, nil)
}

// ContainedAtFed is ContainedAt reading, for each stored run among evs,
// the containers it was fed whole from its stored contents (contents:
// eventID → container → lines, as EventContentsByContainer gives them):
// a stored run's inputEPCList leaves those containers out
// (ledger.WithContents), so without them its draw would be read from
// the loose rest and the containers would still hold what it consumed
// (sitePackings.drawOut: they hold none of the lot after it).
func ContainedAtFed(id string, evs []*critmin.Event, at time.Time, contents map[string]map[string][]critmin.QuantityElement) []critmin.Packing {
	var live []*critmin.Event
	for _, ev := range evs {
		if ev != nil && ledger.Live(ev) {
			live = append(live, ev)
		}
	}
	return containedAtVia(id, live, at, storedRunsFed(live, contents))
}

// storedRunsFed is, for each run among evs with stored contents, the
// containers it fed each lot in (storedContainersOf); nil for none.
func storedRunsFed(evs []*critmin.Event, contents map[string]map[string][]critmin.QuantityElement) map[*critmin.Event]map[string][]string {
	if len(contents) == 0 {
		return nil
	}
	via := map[*critmin.Event]map[string][]string{}
	for _, ev := range evs {
		if byC := contents[ev.EventID]; len(byC) > 0 && ev.Type == critmin.TransformationEvent {
			via[ev] = storedContainersOf(byC)
		}
	}
	return via
}

// containedAt is ContainedAt over evs as given, declared in error or
// not: origin's replay of retractions puts declared packings back
// (originCalc.packedIn).
func containedAt(id string, evs []*critmin.Event, at time.Time) []critmin.Packing {
	return containedAtVia(id, evs, at, nil)
}

// containedAtVia is containedAt with via: per stored run, the
// containers it fed each lot in (runsFed).
func containedAtVia(id string, evs []*critmin.Event, at time.Time, via map[*critmin.Event]map[string][]string) []critmin.Packing {
	id = epcis.Canonical(id)
	var seq []*critmin.Event
	for _, ev := range evs {
		if ev == nil || (!at.IsZero() && ev.EventTime.After(at)) {
			continue
		}
		seq = append(seq, ev)
	}
	sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
	_, packs := replayLot(id, nil, seq, nil, via)
	return append([]critmin.Packing(nil), packs.agg.Of(id)...)
}

// cloneLot is a copy of l that projecting events on does not change l.
func cloneLot(l *critmin.Lot) *critmin.Lot {
	c := *l
	c.Parts = append([]critmin.LotPart(nil), l.Parts...)
	c.Assays = append([]critmin.Assay(nil), l.Assays...)
	c.Parents = append([]string(nil), l.Parents...)
	c.Children = append([]string(nil), l.Children...)
	if l.Moisture != nil {
		m := *l.Moisture
		c.Moisture = &m
	}
	if l.OriginClaim != nil {
		c.OriginClaim = make(map[string]float64, len(l.OriginClaim))
		for k, v := range l.OriginClaim {
			c.OriginClaim[k] = v
		}
	}
	return &c
}

// checkStanding refuses a document when a movement of one of its lots —
// a packing, a loading, a shipping, a run's input (takenBy) — takes more
// of the lot than stands at its site at the event's time (standingAt),
// by the lot's live events replayed in event time with the document's:
//
//   - the document's movement is judged at its own eventTime (EPCIS 2.0
//     §7.3), taking into account stored events dated before it however
//     late they were recorded: 25 t shipped from Karachi on 2025-11-10,
//     when 10 t of the lot's 30 t were at sea, is refused although it is
//     entered after the 10 t were received at Houston;
//   - a document event dated before a stored one (entered late) may not
//     leave a stored movement dated after it taking more than then stood:
//     15 t shipped on 2025-11-10 of the 20 t there is refused when a
//     recorded shipment of 2025-11-15 took 10 t of them.
//
// A lot is judged when the document moves it (takenBy) or dates an
// event of it at or before its last stored one. stored holds copies of
// the stored lots as the store gives them (its projection of their live
// events in event time, Lot.LastEventAt their latest): a lot whose
// document events are all dated after that is replayed from its copy
// with the document's events alone (none of them can be a re-send of a
// stored one); any other from its live stored events (the store's
// LiveEventsOfLots; a store that cannot give them is not judged for it),
// less those the document declares in error or re-sends (an event of
// the same ID: a duplicate is one event). A stored movement already
// short before the document (a record made before this check) does not
// refuse it.
//
// via is, per document event and lot (canonical), the containers the
// event moved or fed the lot in (contentsJudge.via; nil for none): a
// lot an event names by a line beside containers holding it is replayed
// from its stored events, its packings read (heldBeside).
func checkStanding(ctx context.Context, s Store, live []*critmin.Event, declared map[string]bool, stored map[string]*critmin.Lot, via map[*critmin.Event]map[string][]string) ([]critmin.FieldError, error) {
	out, _, err := checkStandingRules(ctx, s, live, declared, stored, via)
	return out, err
}

// checkStandingRules is checkStanding, also saying of each refusal
// whether it is the line-beside-containers rule (heldBeside: a line
// above what its containers hold plus the loose rest, or below what they
// hold): a run so at fault is refused, not listed as taking nothing
// (strandedLotEvents).
func checkStandingRules(ctx context.Context, s Store, live []*critmin.Event, declared map[string]bool, stored map[string]*critmin.Lot, via map[*critmin.Event]map[string][]string) ([]critmin.FieldError, []bool, error) {
	docOf := map[string][]*critmin.Event{}
	judge := map[string]bool{}
	var ids []string
	inDoc := map[*critmin.Event]bool{}
	docID := map[string]bool{}
	replay := map[string]bool{} // stored lots to replay from their events
	for _, ev := range live {
		inDoc[ev] = true
		docID[ev.EventID] = true
		for _, id := range ev.LotIDs() {
			if docOf[id] == nil {
				ids = append(ids, id)
			}
			docOf[id] = append(docOf[id], ev)
			if _, ok := takenBy(ev, id); ok || noQuantityDispatch(ev, id) {
				judge[id] = true
				if stored[id] != nil && len(via[ev][id]) > 0 && besideStep(ev) {
					// A line beside containers holding the lot: its
					// packings are read from its events (heldBeside).
					replay[id] = true
				}
				if l := stored[id]; ok && l != nil && ev.Type == critmin.ObjectEvent && standingSteps[stepName(ev.BizStep)] && ledger.DispatchFromNothing(l, ev) {
					// A stated quantity from where nothing of the lot
					// stands: the run that consumed what stood there is
					// read from the lot's events (replayLot, ranAt).
					replay[id] = true
				}
				if stored[id] != nil && isPackingEvent(ev) {
					// Packings not undone add up: the stored ones are
					// read from the lot's events (sitePackings).
					replay[id] = true
				}
			}
			if stored[id] != nil && isUnpackingOf(ev, id) {
				// What its parent holds is read from the lot's events:
				// movements of the lot draw on its containers (drawOut).
				judge[id] = true
				replay[id] = true
			}
			if l := stored[id]; l != nil && !ev.EventTime.After(l.LastEventAt) {
				judge[id] = true
				replay[id] = true
			}
		}
	}
	var storedIDs []string
	for _, id := range ids {
		if replay[id] {
			storedIDs = append(storedIDs, id)
		}
	}
	storedOf := map[string][]*critmin.Event{}
	if len(storedIDs) > 0 {
		f, ok := s.(liveEventsFinder)
		if !ok {
			for _, id := range storedIDs {
				judge[id] = false
			}
		} else {
			evs, err := f.LiveEventsOfLots(ctx, storedIDs)
			if err != nil {
				return nil, nil, err
			}
			want := map[string]bool{}
			for _, id := range storedIDs {
				want[id] = true
			}
			for _, ev := range evs {
				if declared[ev.EventID] || !ledger.Live(ev) {
					continue
				}
				for _, id := range canonicalLots(ev).LotIDs() {
					if want[id] {
						storedOf[id] = append(storedOf[id], ev)
					}
				}
			}
		}
	}
	// The containers each recorded dispatch or run replayed moved or fed
	// a lot in, as its stored contents read: a back-dated event may leave
	// one breaking the line rule (heldBeside).
	via, err := withStoredVia(ctx, s, storedOf, via)
	if err != nil {
		return nil, nil, err
	}
	var out []critmin.FieldError
	var rules []bool
	for _, id := range ids {
		if !judge[id] {
			continue
		}
		all := ledger.EventTimeOrder(storedOf[id])
		var seq []*critmin.Event
		for _, ev := range all {
			if !docID[ev.EventID] { // the document re-sends it
				seq = append(seq, ev)
			}
		}
		seq = append(seq, docOf[id]...)
		// Event time; equal times in capture order, the document's after
		// the stored (ledger.EventTimeOrder).
		sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
		var start *critmin.Lot
		if l := stored[id]; l != nil && !replay[id] {
			start = cloneLot(l) // every document event after its last
		}
		short := replayStanding(id, start, seq, inDoc, via)
		if len(short) == 0 {
			continue
		}
		var before map[*critmin.Event]bool // stored movements short without the document
		for _, sf := range short {
			if !sf.doc && before == nil {
				before = map[*critmin.Event]bool{}
				for _, b := range replayStanding(id, nil, all, nil, via) {
					before[b.ev] = true
				}
			}
			if before[sf.ev] {
				continue
			}
			// Each shortfall, not only the lot's first (issue 8 §2,
			// fixAa item 5): a document, or a declaration judged again,
			// short at two sites names both.
			out = append(out, standingError(id, sf, docOf[id]))
			rules = append(rules, sf.beside != 0)
		}
	}
	return out, rules, nil
}

// withStoredVia is via with, for each recorded dispatch or run among
// storedOf's events judged by the line rule (besideStep; not a receipt
// reading its trip), the containers it moved or fed each lot in as its
// stored contents read them (EventContentsByContainer): heldBeside
// judges it as it judges the document's. via unchanged when the store
// keeps no contents.
func withStoredVia(ctx context.Context, s Store, storedOf map[string][]*critmin.Event, via map[*critmin.Event]map[string][]string) (map[*critmin.Event]map[string][]string, error) {
	cs, ok := s.(containerContentsStore)
	if !ok {
		return via, nil
	}
	byID := map[string][]*critmin.Event{}
	var ids []string
	for _, evs := range storedOf {
		for _, ev := range evs {
			if !besideStep(ev) || ledger.ReadsTrip(ev) {
				continue
			}
			if len(byID[ev.EventID]) == 0 {
				ids = append(ids, ev.EventID)
			}
			byID[ev.EventID] = append(byID[ev.EventID], ev)
		}
	}
	if len(ids) == 0 {
		return via, nil
	}
	got, err := cs.EventContentsByContainer(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[*critmin.Event]map[string][]string, len(via)+len(got))
	for k, v := range via {
		out[k] = v
	}
	for id, byC := range got {
		m := storedContainersOf(byC)
		for _, ev := range byID[id] {
			out[ev] = m
		}
	}
	return out, nil
}

// storedContainersOf is, per lot (canonical), the containers
// (canonical, sorted) holding it in byC, an event's stored contents by
// container.
func storedContainersOf(byC map[string][]critmin.QuantityElement) map[string][]string {
	cs := make([]string, 0, len(byC))
	for c := range byC {
		cs = append(cs, c)
	}
	sort.Strings(cs)
	m := map[string][]string{}
	for _, c := range cs {
		seen := map[string]bool{}
		for _, q := range byC[c] {
			if lot := epcis.Canonical(q.EPCClass); !seen[lot] {
				seen[lot] = true
				m[lot] = append(m[lot], c)
			}
		}
	}
	return m
}

// BesideFault is a recorded event whose line of Lot beside the containers
// it names breaks the line rule (ledger.BesideFault: Fault is
// ledger.BesideAbove or BesideBelow) as capture reads it (heldBeside):
// the line states Took wet tonnes, the named containers held Held at its
// site (HeldIn: "container t (packing event …)") and Loose stood packed
// in no container there.
type BesideFault struct {
	Event                    *critmin.Event
	Lot                      string
	Fault                    int
	Took, Held, Loose, Stood float64
	HeldIn                   []string
}

// BesideFaults replays lot id (canonical) through evs, its live recorded
// events, in event time (ledger.EventTimeOrder) as capture's standing
// check does, and returns each dispatch or run whose line of the lot
// beside the containers its stored contents name (contents: eventID →
// container → lines, as EventContentsByContainer gives them) breaks the
// line rule: the capture reading (heldBeside) applied to the stored
// record, which verify reports (issue 8, fix depth2: a line above what
// its containers held plus the loose rest, stored before the rule, read
// ok).
func BesideFaults(id string, evs []*critmin.Event, contents map[string]map[string][]critmin.QuantityElement) []BesideFault {
	var seq []*critmin.Event
	via := map[*critmin.Event]map[string][]string{}
	for _, ev := range ledger.EventTimeOrder(evs) {
		ev = canonicalLots(ev)
		seq = append(seq, ev)
		if byC := contents[ev.EventID]; len(byC) > 0 && besideStep(ev) && !ledger.ReadsTrip(ev) {
			via[ev] = storedContainersOf(byC)
		}
	}
	var out []BesideFault
	for _, sf := range replayStanding(id, nil, seq, nil, via) {
		if sf.beside != 0 {
			out = append(out, BesideFault{Event: sf.ev, Lot: id, Fault: sf.beside, Took: sf.took, Held: sf.held, Loose: sf.loose, Stood: sf.stood, HeldIn: sf.heldIn})
		}
	}
	return out
}

// childLineOf is the index in packing ev's childQuantityList of its
// first line of lot id stating a quantity, and whether there is one.
func childLineOf(ev *critmin.Event, id string) (int, bool) {
	if ev.Type != critmin.AggregationEvent && ev.Type != critmin.AssociationEvent {
		return 0, false
	}
	n := 0
	for _, q := range ev.Quantities {
		if q.Role != critmin.RoleChild {
			continue
		}
		if q.Quantity != nil && epcis.Canonical(q.EPCClass) == epcis.Canonical(id) {
			return n, true
		}
		n++
	}
	return 0, false
}

// isUnpackingOf says whether ev is an AggregationEvent DELETE with a
// childQuantityList line of lot id.
func isUnpackingOf(ev *critmin.Event, id string) bool {
	if ev.Type != critmin.AggregationEvent || ev.Action != "DELETE" || ev.ParentID == "" {
		return false
	}
	for _, q := range ev.Quantities {
		if q.Role == critmin.RoleChild && epcis.Canonical(q.EPCClass) == id {
			return true
		}
	}
	return false
}

// noQuantityDispatch says whether ev is a dispatch (an ObjectEvent of
// step loading, shipping, departing or transporting, not a DELETE) with
// a quantity line of lot id stating no mass: it ships what stands of the
// lot at its site (ledger.ShippedStanding).
func noQuantityDispatch(ev *critmin.Event, id string) bool {
	if ev.Type != critmin.ObjectEvent || ev.Action == "DELETE" || !standingSteps[stepName(ev.BizStep)] {
		return false
	}
	if _, ok := takenBy(ev, id); ok {
		return false
	}
	for _, q := range ev.Quantities {
		if epcis.Canonical(q.EPCClass) == epcis.Canonical(id) && (q.Role == "" || q.Role == critmin.RoleEPC) {
			return true
		}
	}
	return false
}

// pairFault is, when movement ev names both a source owning_party and a
// source possessing_party and the owner holds some of lot l at ev's site
// (owners: ledger.OwnersAt there) — so ledger.NamedAbsent found no
// holding with both — that owner, and every holding there as "owner /
// custodian mass" (ledger.StandingAt; a party not known reads "not
// stated"); "" and nil otherwise (issue 15, fix15ze, nu15g item 7: such
// a run read "the smelter held nothing of the lot there" while the
// smelter held some).
func pairFault(l *critmin.Lot, ev *critmin.Event, owners []string) (string, []string) {
	var owner, custodian string
	for _, s := range ev.Sources {
		switch {
		case s.Type == "owning_party" && owner == "":
			owner = s.ID
		case s.Type == "possessing_party" && custodian == "":
			custodian = s.ID
		}
	}
	if owner == "" || custodian == "" || !slices.ContainsFunc(owners, func(o string) bool { return epcis.Canonical(o) == epcis.Canonical(owner) }) {
		return "", nil
	}
	st, ok := ledger.StandingAt(l, eventSite(ev))
	if !ok {
		return "", nil
	}
	stated := func(p string) string {
		if p == "" {
			return "not stated"
		}
		return p
	}
	var pairs []string
	for _, h := range st.Holdings {
		if h.WetTonnes > 1e-9 {
			pairs = append(pairs, stated(h.Owner)+" / "+stated(h.Custodian)+" "+Tonnes(h.WetTonnes)+" t")
		}
	}
	return owner, pairs
}

// standingError words a shortfall of lot id; docEvs are the document's
// events naming it.
func standingError(id string, sf shortfall, docEvs []*critmin.Event) critmin.FieldError {
	if sf.refused != nil {
		return *sf.refused
	}
	what := string(sf.ev.Type)
	if sf.ev.BizStep != "" {
		what += " (" + stepName(sf.ev.BizStep) + ")"
	}
	if sf.ev.TransformationID != "" {
		what += " of run " + sf.ev.TransformationID
	}
	where := sf.ev.BizLocation
	if where == "" {
		where = sf.ev.ReadPoint
	}
	if where == "" {
		where = "where it stands"
	} else {
		where = "at " + where
	}
	stoodThere := "nothing of the lot stood anywhere"
	if sf.where != "" {
		stoodThere = "the lot stood as " + sf.where
	}
	if sf.absent && sf.pairOwner != "" && sf.doc {
		return critmin.FieldError{Conflict: true, Pointer: "event " + sf.ev.EventID + "/sourceList", Reason: fmt.Sprintf("lot %s refused: the %s event of %s names %s as its source owner and %s as its source custodian %s, but no holding of the lot there then had owner %s and custodian %s together (holdings there, owner / custodian: %s): an event naming a source owning_party and possessing_party takes of the holding they own and hold together only (CBV 2.0 §7.5) — name the owner and custodian of one holding there",
			id, what, sf.eventTimeText, sf.pairOwner, sf.holder, where, sf.pairOwner, sf.holder, strings.Join(sf.pairs, "; "))}
	}
	if sf.absent && sf.pairOwner != "" {
		by := docEvs[0]
		for _, ev := range docEvs {
			if !ev.EventTime.After(sf.ev.EventTime) {
				by = ev
				break
			}
		}
		return critmin.FieldError{Conflict: true, Pointer: "event " + by.EventID + "/eventTime", Reason: fmt.Sprintf("lot %s refused: event %s, dated %s, is dated before the recorded event %s (%s of %s %s, naming %s as its source owner and %s as its source custodian), and with it no holding of the lot there then would have owner %s and custodian %s together (holdings there, owner / custodian: %s): an event entered late may not leave a later one taking of another holding — correct the dates, or declare the later event in error first",
			id, by.EventID, by.EventTime.Format(time.RFC3339), sf.ev.EventID, what, sf.eventTimeText, where, sf.pairOwner, sf.holder, sf.pairOwner, sf.holder, strings.Join(sf.pairs, "; "))}
	}
	if sf.absent && sf.doc {
		return critmin.FieldError{Conflict: true, Pointer: "event " + sf.ev.EventID + "/sourceList", Reason: fmt.Sprintf("lot %s refused: the %s event of %s names %s as its source party %s, but %s held nothing of the lot there then (owners with holdings there: %s): an event naming a source owning_party or possessing_party takes of that party's holding only (CBV 2.0 §7.5), never of another's there — name the party whose holding it ships or feeds",
			id, what, sf.eventTimeText, sf.holder, where, sf.holder, strings.Join(sf.owners, ", "))}
	}
	if sf.absent {
		by := docEvs[0]
		for _, ev := range docEvs {
			if !ev.EventTime.After(sf.ev.EventTime) {
				by = ev
				break
			}
		}
		return critmin.FieldError{Conflict: true, Pointer: "event " + by.EventID + "/eventTime", Reason: fmt.Sprintf("lot %s refused: event %s, dated %s, is dated before the recorded event %s (%s of %s %s, naming %s as its source party), and with it %s would hold nothing of the lot there then (owners with holdings there: %s): an event entered late may not leave a later one shipping another party's holding — correct the dates, or declare the later event in error first",
			id, by.EventID, by.EventTime.Format(time.RFC3339), sf.ev.EventID, what, sf.eventTimeText, where, sf.holder, sf.holder, strings.Join(sf.owners, ", "))}
	}
	if sf.consumedBy != "" {
		list, verb := "/quantityList", "takes"
		if n, ok := childLineOf(sf.ev, id); ok && isPackingEvent(sf.ev) {
			list, verb = fmt.Sprintf("/childQuantityList/%d/quantity", n), "packs"
		}
		return critmin.FieldError{Conflict: true, Pointer: "event " + sf.ev.EventID + list, Reason: fmt.Sprintf("lot %s refused: the %s event of %s %s %s t of it %s, but run %s consumed what stood of it there, and nothing of it has stood there since (%s): material consumed by a run went into its outputs and no longer exists to move or pack (CBV 2.0: a transformation's inputs are what it consumes). %s from where the lot stands, or, if the run is wrong, declare event %s in error (errorDeclaration)",
			id, what, sf.eventTimeText, verb, Tonnes(sf.took), where, sf.consumedBy, stoodThere, map[bool]string{true: "Pack", false: "Ship"}[isPackingEvent(sf.ev)], sf.consumedBy)}
	}
	if sf.nothing && sf.doc {
		return critmin.FieldError{Conflict: true, Pointer: "event " + sf.ev.EventID + "/quantityList", Reason: fmt.Sprintf("lot %s refused: nothing of it stands %s at %s; %s. The %s event states no quantity: it ships what stands of the lot at its site, and nothing does — it would move the lot's body from where it stands elsewhere. Ship from where the lot stands, or record its move to %s first (shipping and receiving events)",
			id, where, sf.eventTimeText, stoodThere, what, strings.TrimPrefix(where, "at "))}
	}
	if sf.holder != "" && sf.doc {
		return critmin.FieldError{Conflict: true, Pointer: "event " + sf.ev.EventID + "/quantityList", Reason: fmt.Sprintf("lot %s refused: the %s event of %s takes %s t of it %s from the holding of %s, its source party, but %s held only %s t there then (owners with holdings there: %s; tolerance %s %% of what stood): an event naming a source owning_party or possessing_party takes of that party's holding only (CBV 2.0 §7.5), never of another's there — state at most %s t, or name the owner whose holding ships",
			id, what, sf.eventTimeText, Tonnes(sf.took), where, sf.holder, sf.holder, Tonnes(sf.stood), strings.Join(sf.owners, ", "), units.Fixed(ConsumptionTolerance*100, 1), Tonnes(sf.stood))}
	}
	if sf.beside != 0 && sf.doc {
		return besideError(id, sf, what, where)
	}
	if sf.beside != 0 {
		// A recorded line the document's earlier-dated events leave
		// beside containers holding more, or less, than it.
		by := docEvs[0]
		for _, ev := range docEvs {
			if !ev.EventTime.After(sf.ev.EventTime) {
				by = ev
				break
			}
		}
		fe := besideError(id, sf, what, where)
		return critmin.FieldError{Conflict: true, Pointer: "event " + by.EventID + "/eventTime", Reason: fmt.Sprintf("lot %s refused: event %s, dated %s, is dated before the recorded event %s, and with it %s; an event entered late may not leave a later one breaking a rule capture enforces (EPCIS 2.0 §7.4.3: eventTime is when it happened) — correct the dates, or declare event %s in error first (errorDeclaration)",
			id, by.EventID, by.EventTime.Format(time.RFC3339), sf.ev.EventID, strings.TrimPrefix(fe.Reason, "lot "+id+" refused: "), sf.ev.EventID)}
	}
	if sf.doc {
		list := "/quantityList"
		switch sf.ev.Type {
		case critmin.AggregationEvent, critmin.AssociationEvent:
			list = "/childQuantityList"
		case critmin.TransformationEvent:
			list = "/inputQuantityList"
		}
		if n, ok := childLineOf(sf.ev, id); ok {
			// A packing's quantity of the lot: the member at fault.
			list = fmt.Sprintf("/childQuantityList/%d/quantity", n)
		}
		if sf.packed > 0 {
			return critmin.FieldError{Conflict: true, Pointer: "event " + sf.ev.EventID + list, Reason: fmt.Sprintf("lot %s refused: the %s event of %s packs %s t of it %s, but only %s t of its %s t stood there then, and %s t of that is already packed there and not unpacked (%s): %s t is left to pack there (tolerance %s %% of what stood) — packings not undone add up (EPCIS 2.0 §7.3.5, CBV packing); unpack with an AggregationEvent DELETE, or record a weighing (a Mass sensor report) if the lot weighs more",
				id, what, sf.eventTimeText, Tonnes(sf.took), where, Tonnes(sf.stood), Tonnes(sf.lotWetTonnes), Tonnes(sf.packed), strings.Join(sf.packedIn, ", "), Tonnes(max(sf.stood-sf.packed, 0)), units.Fixed(ConsumptionTolerance*100, 1))}
		}
		return critmin.FieldError{Conflict: true, Pointer: "event " + sf.ev.EventID + list, Reason: fmt.Sprintf("lot %s refused: the %s event of %s takes %s t of it %s, but only %s t of its %s t stood there then, %s t short (tolerance %s %% of what stood): a movement takes at most what stands of the lot at its site at the event's time (eventTime, EPCIS 2.0 §7.3), whenever it is recorded — packing or shipping is not a weighing; record a weighing (a Mass sensor report) if the lot weighs more",
			id, what, sf.eventTimeText, Tonnes(sf.took), where, Tonnes(sf.stood), Tonnes(sf.lotWetTonnes), Tonnes(max(sf.took-sf.stood, 0)), units.Fixed(ConsumptionTolerance*100, 1))}
	}
	// A stored movement left short: the document's events dated before
	// it took what it had taken.
	by := docEvs[0]
	for _, ev := range docEvs {
		if !ev.EventTime.After(sf.ev.EventTime) {
			by = ev
			break
		}
	}
	if sf.nothing {
		return critmin.FieldError{Conflict: true, Pointer: "event " + by.EventID + "/eventTime", Reason: fmt.Sprintf("lot %s refused: event %s, dated %s, is dated before the recorded event %s (%s of %s, stating no quantity %s), and with it nothing of the lot would stand there then (%s): an event entered late may not leave a later one shipping nothing — correct the dates, or declare the later event in error first",
			id, by.EventID, by.EventTime.Format(time.RFC3339), sf.ev.EventID, what, sf.eventTimeText, where, stoodThere)}
	}
	// Said as what the late event leaves against what the recorded one
	// took (nu39c item 6: "only 15 t of the lot's 15 t would stand there
	// then" read as a contradiction when a weighing set the lot to 15 t).
	if sf.packed > 0 {
		return critmin.FieldError{Conflict: true, Pointer: "event " + by.EventID + "/eventTime", Reason: fmt.Sprintf("lot %s refused: event %s, dated %s, is dated before the recorded event %s (%s of %s %s); event %s leaves %s t of the lot standing there then, %s t of it already packed (%s), but event %s packed %s t, %s t more than is left to pack (tolerance %s %% of what stood): an event entered late may not leave a later one taking more than stood — correct the dates, or declare the later event in error first",
			id, by.EventID, by.EventTime.Format(time.RFC3339), sf.ev.EventID, what, sf.eventTimeText, where, by.EventID, Tonnes(sf.stood), Tonnes(sf.packed), strings.Join(sf.packedIn, ", "), sf.ev.EventID, Tonnes(sf.took), Tonnes(max(sf.took-max(sf.stood-sf.packed, 0), 0)), units.Fixed(ConsumptionTolerance*100, 1))}
	}
	return critmin.FieldError{Conflict: true, Pointer: "event " + by.EventID + "/eventTime", Reason: fmt.Sprintf("lot %s refused: event %s, dated %s, is dated before the recorded event %s (%s of %s %s); event %s leaves %s t of the lot standing there then, but event %s took %s t, %s t more (tolerance %s %% of what stood): an event entered late may not leave a later one taking more than stood — correct the dates, or declare the later event in error first",
		id, by.EventID, by.EventTime.Format(time.RFC3339), sf.ev.EventID, what, sf.eventTimeText, where, by.EventID, Tonnes(sf.stood), sf.ev.EventID, Tonnes(sf.took), Tonnes(max(sf.took-sf.stood, 0)), units.Fixed(ConsumptionTolerance*100, 1))}
}

// besideError words a line beside containers refused by heldBeside;
// what and where are as standingError words them.
func besideError(id string, sf shortfall, what, where string) critmin.FieldError {
	list := "/quantityList"
	if sf.ev.Type == critmin.TransformationEvent {
		list = "/inputQuantityList"
	}
	others := "no other container holds it there"
	if len(sf.otherIn) > 0 {
		others = "other containers there hold " + strings.Join(sf.otherIn, ", ")
	}
	moves := "moves"
	if sf.ev.Type == critmin.TransformationEvent {
		moves = "takes"
	}
	if sf.beside == besideAbove {
		return critmin.FieldError{Conflict: true, Pointer: "event " + sf.ev.EventID + list, Reason: fmt.Sprintf("lot %s refused: the %s event of %s states %s t of it %s beside the containers it names, which hold %s t of it there (%s), and only %s t of it stands loose there, packed in no container (of %s t standing; %s): a line of a lot beside containers holding it %s what they hold and at most the lot's loose rest besides, %s t (tolerance %s %%) — what other containers hold stays in them until they are unpacked (AggregationEvent DELETE, EPCIS 2.0 §7.3.5.3) or named by the event too",
			id, what, sf.eventTimeText, Tonnes(sf.took), where, Tonnes(sf.held), strings.Join(sf.heldIn, ", "), Tonnes(sf.loose), Tonnes(sf.stood), others, moves, Tonnes(sf.held+sf.loose), units.Fixed(ConsumptionTolerance*100, 1))}
	}
	return critmin.FieldError{Conflict: true, Pointer: "event " + sf.ev.EventID + list, Reason: fmt.Sprintf("lot %s refused: the %s event of %s names containers holding %s t of it %s (%s), but its line states only %s t of it: what is inside a container goes with it, and a container's contents change only through an AggregationEvent or a run consuming it (EPCIS 2.0 §7.3.5, CBV 2.0 packing and unpacking) — state at least %s t (tolerance %s %%), or first unpack the %s t that stays (an AggregationEvent DELETE naming the lot's quantity in its childQuantityList)",
		id, what, sf.eventTimeText, Tonnes(sf.held), where, strings.Join(sf.heldIn, ", "), Tonnes(sf.took), Tonnes(sf.held), units.Fixed(ConsumptionTolerance*100, 1), Tonnes(max(sf.held-sf.took, 0)))}
}
