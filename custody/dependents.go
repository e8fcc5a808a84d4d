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

// StrandedEvent is a recorded live event of Lot, dated at or after an
// event the document declares in error (Declared: those naming the
// lot), that the capture rules would refuse once the declared events are
// gone and the document's own events stand (Why: the rule's reason): it
// depends on them and would stand on nothing — a shipment of a lot no
// event then commissions, an inspection at a site while the lot is at
// sea, a sampling where no part of it was received, an unpacking of a
// lot no packing put in the container.
type StrandedEvent struct {
	Lot      string
	Event    *critmin.Event
	Kind     string // ledger.EventKind
	Declared []string
	Why      string
	// Refused: the declaration is refused for it. A run that would take
	// nothing of its input lot is accounted for by every job and only
	// listed.
	Refused bool
}

// checkDependents refuses a document whose declarations in error would
// leave a later live event of a lot they touch standing on nothing
// (issue 15, fix15zk; issue 8 §2: retractions honoured everywhere).
// EPCIS 2.0 §7.4.1.2 has every projection ignore a declared event; a
// later event that rested on it (a shipment of the lot it commissioned,
// an onward shipment from the receipt) would then be projected from
// nothing — a lot "in transit" that was never made, a sample moved onto
// the body, false anomalies — while the capture rules refuse the same
// event captured on such a record. So every later live event of each
// lot a declared event names is judged again by the capture rules that
// judge where and whether a lot stands (checkLotRecorded,
// checkLotExists, checkWhereabouts, checkStanding, and checkReceipts:
// a receipt under a bill of lading no shipment then carries), as if it were
// captured now on the record without the declared events and with the
// document's events. An event those rules refuse only without the
// declared events depends on them: the declaration is refused (409),
// naming each such event, its kind and why, unless the document
// declares it in error too, or gives corrective events it can stand on.
// Events the projections already account for honestly
// (ledger.DeclarationDependents: a shipment flagged as shipping from
// nothing, a run that takes nothing; a run whose input would
// stand on nothing, which takes nothing of it) are left to the
// declaration preview, and a run or shipment whose draw would move to
// another holding to checkRetractedDraws. It returns the refusals and
// the message that names them all (StrandedMessage).
func checkDependents(ctx context.Context, s Store, live, declaring []*critmin.Event, declared map[string]bool, sites map[string]string) ([]critmin.FieldError, string, error) {
	st, err := strandedEvents(ctx, s, live, declaring, declared, sites)
	if err != nil {
		return nil, "", err
	}
	var refused []StrandedEvent
	var out []critmin.FieldError
	for _, e := range st {
		if e.Refused {
			refused = append(refused, e)
			out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + e.Declared[0], Reason: StrandedReason(e)})
		}
	}
	if len(refused) == 0 {
		return nil, "", nil
	}
	return out, StrandedMessage(st), nil
}

// StrandedReason words why declaring e.Declared in error is refused for
// the recorded event e.
func StrandedReason(e StrandedEvent) string {
	return fmt.Sprintf("declaring %s in error would leave the recorded %s %s of lot %s, dated %s, standing on nothing (it depends on the declared event): %s — declare %s in error in the same document too (or first, in a document of its own), or give corrective events there that it stands on",
		strings.Join(e.Declared, ", "), e.Kind, e.Event.EventID, e.Lot, e.Event.EventTime.UTC().Format(time.RFC3339), e.Why, e.Event.EventID)
}

// StrandedListed is how many stranded events a refusal's message (and
// the declaration preview) words one by one; the rest are counted ("and
// 12 more") — the problem's fields name every one (issue 8 §2, fixAa: a
// lot of hundreds of events would make a message no one reads).
const StrandedListed = 10

// StrandedMessage is the refusal's message: the count of events left
// standing on nothing (es: those Refused), the first StrandedListed named
// with their kind, lot and why (the rest counted), the runs that would
// take nothing of a lot (es: those not Refused), and what to do.
func StrandedMessage(es []StrandedEvent) string {
	declared := map[string]bool{}
	var ds []string
	var refused, runs []StrandedEvent
	for _, e := range es {
		for _, d := range e.Declared {
			if !declared[d] {
				declared[d] = true
				ds = append(ds, d)
			}
		}
		if e.Refused {
			refused = append(refused, e)
		} else {
			runs = append(runs, e)
		}
	}
	var names []string
	for i, e := range refused {
		if i == StrandedListed {
			names = append(names, "and "+units.Int(len(refused)-StrandedListed)+" more (each named in the problem's fields)")
			break
		}
		names = append(names, fmt.Sprintf("the %s %s of lot %s, dated %s (%s)", e.Kind, e.Event.EventID, e.Lot, e.Event.EventTime.UTC().Format(time.RFC3339), e.Why))
	}
	also := ""
	if len(runs) > 0 {
		var rs []string
		for _, e := range runs {
			rs = append(rs, fmt.Sprintf("the %s %s would take nothing of lot %s", e.Kind, e.Event.EventID, e.Lot))
		}
		also = "; besides, " + strings.Join(rs, ", ") + " (its input would stand on nothing)"
	}
	return fmt.Sprintf("declaration refused; nothing was stored: declaring %s in error would leave %s standing on nothing, each depending on a declared event or on another event so left: %s%s — declare them in error in the same document (or first, in a document of their own), or give corrective events there that they stand on",
		strings.Join(ds, ", "), units.Count(len(refused), "later event"), strings.Join(names, "; "), also)
}

// StrandedBy lists the recorded events that declaring ev in error would
// leave standing on nothing (checkDependents): the declaration preview
// names them among the events that depend on ev.
func StrandedBy(ctx context.Context, s Store, ev *critmin.Event) ([]StrandedEvent, error) {
	details, err := s.SiteDetails(ctx)
	if err != nil {
		return nil, err
	}
	sites := map[string]string{}
	for _, st := range details {
		sites[siteKey(st.ID)] = st.CustodyModel
	}
	declaring, err := withCarried(ctx, s, []*critmin.Event{canonicalLots(ev)})
	if err != nil {
		return nil, err
	}
	return strandedEvents(ctx, s, nil, declaring, map[string]bool{ev.EventID: true}, sites)
}

// strandedEvents is checkDependents' finding, one record an event: the
// later events of the lots the declared events name (strandedLotEvents)
// and the runs fed whole a container they pack, unpack or move
// (fedRunsStranded), which are refused though a run by line so left
// is only listed — it consumed the container; the movements of a
// container that a declared run fed whole and emptied before it moved
// (fedRunMovesStranded); the later packings, unpackings and movements
// of a container a declared event packs, unpacks or moves that would no
// longer stand where the container stood (containerEventsStranded). A
// run fed whole a container a declared line
// draw took the lot out of is not refused: the store computes it again
// from what the container held without the draw (sqldb drawBoxes,
// recontainReceipts), refusing only a lot it would leave overdrawn.
func strandedEvents(ctx context.Context, s Store, live, declaring []*critmin.Event, declared map[string]bool, sites map[string]string) ([]StrandedEvent, error) {
	out, err := strandedLotEvents(ctx, s, live, declaring, declared, sites)
	if err != nil {
		return nil, err
	}
	fed, err := fedRunsStranded(ctx, s, live, declaring, declared)
	if err != nil {
		return nil, err
	}
	moved, err := fedRunMovesStranded(ctx, s, declaring, declared)
	if err != nil {
		return nil, err
	}
	fed = append(fed, moved...)
	boxed, err := containerEventsStranded(ctx, s, live, declaring, declared)
	if err != nil {
		return nil, err
	}
	fed = append(fed, boxed...)
	if len(fed) == 0 {
		return out, nil
	}
	byID := map[string]int{}
	for i, e := range out {
		byID[e.Event.EventID] = i
	}
	for _, e := range fed {
		if i, ok := byID[e.Event.EventID]; ok {
			if !out[i].Refused {
				out[i] = e
			}
			continue
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Event.EventTime.Before(out[j].Event.EventTime) })
	return out, nil
}

// strandedLotEvents is the later events of the lots the declared events
// name that they leave standing on nothing.
func strandedLotEvents(ctx context.Context, s Store, live, declaring []*critmin.Event, declared map[string]bool, sites map[string]string) ([]StrandedEvent, error) {
	f, ok := s.(liveEventsFinder)
	if !ok || len(declaring) == 0 {
		return nil, nil
	}
	ids, evs, docID, err := lotsLiveEvents(ctx, f, declaring, live)
	if err != nil || docID == nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	// A later event may name other lots too (a shipment, an inspection or
	// a run of two lots, nu30a): it is judged with their records, else it
	// is refused alike before and after the declaration for want of
	// them, and read as not depending on it. The other lots' live events
	// are read, and those at or after the earliest declared event are
	// judged again with the rest.
	evs, ids, err = withOtherLots(ctx, f, evs, ids, want, docID)
	if err != nil {
		return nil, err
	}
	// A declared packing or unpacking changes what the later moves of
	// its container carried: an unpacking declared in error puts the lot
	// back aboard a container that then sailed without it by the record,
	// so those moves are judged with the lot's events (recarry).
	var moved map[string]bool
	if evs, moved, err = withContainerMoves(ctx, s, evs, declaring); err != nil {
		return nil, err
	}
	// The earliest declared event of each lot: events at or after it are
	// judged again.
	cutoff := map[string]time.Time{}
	declaredOf := map[string][]string{}
	for _, ev := range declaring {
		for _, id := range ev.LotIDs() {
			if c, ok := cutoff[id]; !ok || ev.EventTime.Before(c) {
				cutoff[id] = ev.EventTime
			}
			declaredOf[id] = append(declaredOf[id], ev.EventID)
		}
	}
	// The live stored events of the lots, as the store holds them
	// (canonical lots), less those the document re-sends.
	var stored []*critmin.Event
	for _, ev := range evs {
		if ledger.Live(ev) && !docID[ev.EventID] {
			stored = append(stored, canonicalLots(ev))
		}
	}
	// Events the projections account for honestly (flagged shipments,
	// runs that take nothing): listed, never refused here.
	honest := map[string]bool{}
	for _, id := range ids {
		var with []*critmin.Event
		for _, ev := range stored {
			if lotNamed(ev, id) && (!declared[ev.EventID] || containsID(declaredOf[id], ev.EventID)) {
				with = append(with, ev)
			}
		}
		for _, ev := range live {
			if lotNamed(ev, id) {
				with = append(with, ev)
			}
		}
		for _, d := range declaredOf[id] {
			var kept []*critmin.Event
			for _, ev := range with {
				if ev.EventID == d || !declared[ev.EventID] {
					kept = append(kept, ev)
				}
			}
			for _, dep := range ledger.DeclarationDependents(id, kept, d) {
				// A receipt left taking nothing is judged again all
				// the same: one whose shipment goes receives under a
				// bill of lading nothing then carried, which a fresh
				// capture refuses (checkReceipts; nu32 t11d).
				if dep.Kind != ledger.DependentReceipt {
					honest[dep.EventID] = true
				}
			}
		}
	}
	// The later events: at or after the earliest declared event of a lot
	// they name, not declared, not accounted for honestly.
	var later []*critmin.Event
	laterID := map[string]bool{}
	var first time.Time
	for _, c := range cutoff {
		if first.IsZero() || c.Before(first) {
			first = c
		}
	}
	for _, ev := range stored {
		if declared[ev.EventID] || honest[ev.EventID] {
			continue
		}
		if moved[ev.EventID] {
			// dated at or after the declared packing or unpacking
			later = append(later, ev)
			laterID[ev.EventID] = true
			continue
		}
		for _, id := range ev.LotIDs() {
			c, ok := cutoff[id]
			if ok && want[id] && !ev.EventTime.Before(c) || !want[id] && !ev.EventTime.Before(first) {
				later = append(later, ev)
				laterID[ev.EventID] = true
				break
			}
		}
	}
	if len(later) == 0 {
		return nil, nil
	}
	// Judged twice: on the record as it stands (the declared events in,
	// the document's out), and as the declaration leaves it. Only what
	// the declaration breaks is refused: an event the rules refuse on the
	// record as it stands was recorded before the rule (it does not
	// depend on the declaration).
	var before []*critmin.Event // every stored event before the later ones
	for _, ev := range stored {
		if !laterID[ev.EventID] {
			before = append(before, ev)
		}
	}
	var was map[string]critmin.FieldError // read when a first event falls
	// Judged to a fixed point, the document as a whole (issue 8 §2,
	// fixAa): an event found stranded is gone as the declared ones are,
	// and the rest judged again without it, until no more fall. The
	// capture rules name the first shortfall of a lot (checkLotRecorded
	// reads a lot as recorded from the first event that names it), so
	// one pass named only the first event of each lot left standing on
	// nothing (demo 006, not 009…021 behind it); and an event that stood
	// only on a stranded one (the receipt of a stranded shipment, a
	// product's shipment of a stranded run) is stranded too.
	gone := map[string]bool{}
	for id := range declared {
		gone[id] = true
	}
	var out []StrandedEvent
	seen := map[string]bool{}
	remaining := later
	for len(remaining) > 0 {
		now, ruled, err := judgeAgain(ctx, s, ids, before, remaining, live, gone, sites)
		if err != nil {
			return nil, err
		}
		for id, fe := range firstSightings(before, remaining, live, gone, stored) {
			if _, ok := now[id]; !ok {
				now[id] = fe
			}
		}
		if len(now) > 0 && was == nil {
			if was, _, err = judgeAgain(ctx, s, ids, before, later, nil, map[string]bool{}, sites); err != nil {
				return nil, err
			}
		}
		var rest []*critmin.Event
		fell := false
		for _, ev := range ledger.EventTimeOrder(remaining) {
			why, ok := now[ev.EventID]
			if _, already := was[ev.EventID]; !ok || already {
				rest = append(rest, ev)
				continue
			}
			lot := strandedLot(ev, want, why)
			// A run whose input would stand on nothing takes nothing of
			// the lot, and every job reads it so: the genealogy draws it
			// as having taken nothing (LotEdge.TookNothing), the mass
			// balance credits only what stood and a claim resting on it
			// reads not covered naming the declaration (issue 9, fix9r,
			// fix9v, fix9ai). It is listed, not refused, and stays: its
			// other inputs still make its outputs.
			// A run whose line the declaration leaves beside containers
			// holding more, or less, than it breaks a container rule
			// capture enforces (heldBeside; nu12 W4): refused.
			runInput := ev.Type == critmin.TransformationEvent && !names(ev, lot, critmin.RoleOutput) && !ruled[ev.EventID]
			if !seen[ev.EventID] {
				seen[ev.EventID] = true
				out = append(out, StrandedEvent{Lot: lot, Event: ev, Kind: ledger.EventKind(ev), Declared: declaredFor(ev, lot, declaredOf, declaring), Why: why.Reason, Refused: !runInput})
			}
			if runInput {
				rest = append(rest, ev)
				continue
			}
			fell = true
			// An event of several lots stands on nothing for the lot its
			// refusal names, not for the others (demo 012, the arrival
			// at Karachi of REE-2025-001, REE-2025-002 and the antimony
			// lot): it is judged on without that lot's lines, so the
			// others' later events are not read as stranded by it.
			if cp := withoutLot(ev, lot); cp != nil {
				rest = append(rest, cp)
				continue
			}
			gone[ev.EventID] = true
		}
		if !fell {
			break
		}
		remaining = rest
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Event.EventTime.Before(out[j].Event.EventTime) })
	return out, nil
}

// firstSightings finds the receipts (CBV receiving) in later that a lot
// would start from once the gone events are gone, though on the record
// as it stands a shipment (CBV shipping or departing) of the lot
// preceded them (all: the stored events): the capture rules take a receipt of a lot no event
// recorded as its first sighting, material arriving from outside the
// platform (checkLotRecorded), and stays one when the lot was only made
// before it (a run's output received with no shipment recorded); but a
// receipt after a recorded shipment received a shipment the record no
// longer holds — its lot's whole history before it is
// declared in error or stands on nothing, as demo 016 (the receipt at
// Houston of REE-2025-001) once 001, 005 and everything between are
// gone (issue 8 §2, fixAa).
func firstSightings(before, later, doc []*critmin.Event, gone map[string]bool, all []*critmin.Event) map[string]critmin.FieldError {
	var now []*critmin.Event
	for _, ev := range before {
		if !gone[ev.EventID] {
			now = append(now, ev)
		}
	}
	now = append(append(now, later...), doc...)
	precedes := func(evs []*critmin.Event, r *critmin.Event, id string, shipped bool) bool {
		for _, ev := range evs {
			if ev.EventID != r.EventID && !ev.EventTime.After(r.EventTime) && lotNamed(canonicalLots(ev), id) &&
				(!shipped || stepName(ev.BizStep) == "shipping" || stepName(ev.BizStep) == "departing") {
				return true
			}
		}
		return false
	}
	out := map[string]critmin.FieldError{}
	for _, r := range later {
		if stepName(r.BizStep) != "receiving" {
			continue
		}
		for _, id := range canonicalLots(r).LotIDs() {
			if precedes(now, r, id, false) || !precedes(all, r, id, true) {
				continue
			}
			out[r.EventID] = critmin.FieldError{Conflict: true, Pointer: "event " + r.EventID,
				Reason: fmt.Sprintf("lot %s would start at this receipt: every earlier event of it is declared in error or stands on nothing, so it would receive a shipment the record no longer holds", id)}
			break
		}
	}
	return out
}

// withoutLot is a copy of ev without its lines of lot id, or nil when
// it names no other lot.
func withoutLot(ev *critmin.Event, id string) *critmin.Event {
	c := canonicalLots(ev)
	cp := *c
	cp.Quantities = nil
	for _, q := range c.Quantities {
		if q.EPCClass != id {
			cp.Quantities = append(cp.Quantities, q)
		}
	}
	cp.EPCs = nil
	for _, e := range c.EPCs {
		if e.EPC != id {
			cp.EPCs = append(cp.EPCs, e)
		}
	}
	if len(cp.LotIDs()) == 0 {
		return nil
	}
	return &cp
}

// strandedLot is the lot a stranded event is named under: a lot of the
// declaration its refusal names, else another lot its refusal names,
// else the first lot of the declaration it names, else
// its first lot (an event of another lot, stranded through one that
// was: a product's shipment).
func strandedLot(ev *critmin.Event, want map[string]bool, why critmin.FieldError) string {
	lots := canonicalLots(ev).LotIDs()
	for _, id := range lots {
		if want[id] && strings.Contains(why.Reason, id) {
			return id
		}
	}
	for _, id := range lots {
		if strings.Contains(why.Reason, id) {
			return id
		}
	}
	for _, id := range lots {
		if want[id] {
			return id
		}
	}
	if len(lots) > 0 {
		return lots[0]
	}
	return ""
}

// declaredFor is what the stranded event rests on: the declared events
// of its lot, else every declared event of the document (it stands on
// them through another stranded event).
func declaredFor(ev *critmin.Event, lot string, declaredOf map[string][]string, declaring []*critmin.Event) []string {
	if d := declaredOf[lot]; len(d) > 0 {
		return d
	}
	var out []string
	for _, d := range declaring {
		out = append(out, d.EventID)
	}
	return out
}

// judgeAgain runs the capture rules on the later events, with the
// document's events (doc), as a document captured on the record of the
// earlier events less declared: the first refusal of each later event,
// by its eventID.
func judgeAgain(ctx context.Context, s Store, ids []string, before, later, doc []*critmin.Event, declared map[string]bool, sites map[string]string) (map[string]critmin.FieldError, map[string]bool, error) {
	// A container move carries what its container holds once the
	// declared packings are gone (nu36a-6).
	var err error
	if before, later, err = recarry(ctx, s, ids, before, later, declared); err != nil {
		return nil, nil, err
	}
	var base []*critmin.Event
	for _, ev := range before {
		if !declared[ev.EventID] {
			base = append(base, ev)
		}
	}
	baseLots, _ := ledger.Replay(ids, base)
	storedLots := map[string]*critmin.Lot{}
	for id, l := range baseLots {
		if l.EventCount > 0 {
			storedLots[id] = l
		}
	}
	seq := append(append([]*critmin.Event(nil), later...), doc...)
	inLater := map[*critmin.Event]bool{}
	for _, ev := range later {
		inLater[ev] = true
	}
	// Event time; equal times: the recorded events first.
	sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
	afterLots, _ := ledger.Replay(ids, append(append([]*critmin.Event(nil), base...), seq...))
	storedCopy := map[string]*critmin.Lot{}
	for id, l := range storedLots {
		storedCopy[id] = cloneLot(l)
	}
	var fes []critmin.FieldError
	// A lot whose making event the document declares in error is
	// refused for that (LotDeclaredUnmade), not as never recorded.
	unmadeBy := func(lot string) *critmin.Event {
		for _, ev := range before {
			if declared[ev.EventID] && makesLot(ev, lot, true) {
				return ev
			}
		}
		return nil
	}
	fes = append(fes, checkLotRecorded(seq, storedLots, sites, unmadeBy)...)
	fes = append(fes, checkLotExists(seq, storedLots, nil)...)
	// Not as captured now (capture false): an onward shipment that left
	// from a receipt declared here is accepted and flagged "ships from a
	// receipt declared in error" (ledger), not made to strand the
	// declaration by the rule that a lot at sea is received before it is
	// shipped on (leftWhileAtSea), which judges new shipments only.
	wfe, _, err := checkWhereabouts(ctx, s, seq, declared, afterLots, nil, false)
	if err != nil {
		return nil, nil, err
	}
	fes = append(fes, wfe...)
	// A recorded dispatch or run among the later events states its line
	// beside the containers its stored contents name: judged by the line
	// rule (heldBeside) on what they hold once the declared events are
	// gone, as a back-dated event is (nu12 W4: an unpacking declared
	// under a shipment's 1 t line beside the container it left holding
	// 6 t).
	via, err := withStoredVia(ctx, s, map[string][]*critmin.Event{"": later}, nil)
	if err != nil {
		return nil, nil, err
	}
	sfe, rules, err := checkStandingRules(ctx, s, seq, declared, storedCopy, via)
	if err != nil {
		return nil, nil, err
	}
	fes = append(fes, sfe...)
	ruled := map[string]bool{}
	for i, fe := range sfe {
		if rules[i] {
			ruled[fe.Pointer+"\x00"+fe.Reason] = true
		}
	}
	// A receipt is judged against the shipments of its bill of lading
	// (checkReceipts), on a view of the store without the gone events
	// and the events judged here (they stand in seq): a receipt whose
	// shipment is declared in error receives what nothing carried (nu32
	// t11d), which captured fresh is refused "was not shipped on bill of
	// lading".
	hidden := map[string]bool{}
	for id := range declared {
		hidden[id] = true
	}
	for _, ev := range seq {
		hidden[ev.EventID] = true
	}
	firstAt := map[string]int{}
	for i, ev := range seq {
		for _, id := range canonicalLots(ev).LotIDs() {
			if _, ok := firstAt[id]; !ok {
				firstAt[id] = i
			}
		}
	}
	known := func(id string, before int) bool {
		i, ok := firstAt[id]
		return storedLots[id] != nil || ok && i < before
	}
	// A receipt with no bill of lading is judged against the lot just
	// before it on that record (the earlier events and the document's
	// before it): declaring the 3 t shipping under a 7 t receipt of
	// trips of 4 t and 3 t leaves it taking 3 t beyond what was in
	// transit (beyondInTransit), and a receipt after a corrective that
	// received its containers receives what is no longer in transit
	// (receivedNoBill; new-user check r2 W7, W8).
	lotAt := func(lot string, i int) (*critmin.Lot, error) {
		ls, _ := ledger.Replay(ids, append(append([]*critmin.Event(nil), base...), seq[:i]...))
		if l := ls[lot]; l != nil && l.EventCount > 0 {
			return l, nil
		}
		return nil, nil
	}
	rfe, err := checkReceipts(ctx, withoutEvents{s, hidden}, seq, known, nil, nil, lotAt)
	if err != nil {
		return nil, nil, err
	}
	fes = append(fes, rfe...)
	// A later event is held to the weighing tolerance capture holds a
	// new one to (massChangeOf, replayed as checkBackdatedMass judges a
	// back-dated one): tonnes are conserved — a receipt with no bill of
	// lading of a container's 4 t, left by a corrective receipt of
	// [C1, C2] to receive what already stood there, would read the 10 t
	// lot weighed at 4 t (new-user check r2 W8: L read 4 t, the other
	// 6 t lost).
	all := append(append([]*critmin.Event(nil), base...), seq...)
	for _, id := range ids {
		var lotSeq []*critmin.Event
		for _, ev := range all {
			if lotNamed(canonicalLots(ev), id) {
				lotSeq = append(lotSeq, canonicalLots(ev))
			}
		}
		// Event time; equal times: the earlier events, then the later
		// ones and the document's as seq orders them. canonicalLots
		// may copy: judged by eventID.
		sort.SliceStable(lotSeq, func(i, j int) bool { return lotSeq[i].EventTime.Before(lotSeq[j].EventTime) })
		msgs, _, _ := replayMass(id, lotSeq, nil)
		for ev, msg := range msgs {
			if msg == "" {
				continue
			}
			for _, l := range later {
				if l.EventID == ev.EventID {
					fes = append(fes, critmin.FieldError{Conflict: true, Pointer: "event " + l.EventID, Reason: msg})
				}
			}
		}
	}
	// A packing or unpacking is judged by the store at its own time
	// against the packings of its children (ledger.CheckRepackingAt): an
	// unpacking from a container no live packing put the lot in.
	var hist []*critmin.Event
	for _, ev := range append(append([]*critmin.Event(nil), base...), seq...) {
		if ev.Type == critmin.AggregationEvent {
			hist = append(hist, ev)
		}
	}
	for _, ev := range later {
		if ev.Type != critmin.AggregationEvent {
			continue
		}
		for _, fe := range ledger.CheckRepackingAt(ev, hist, func(id string) *critmin.Lot { return afterLots[epcis.Canonical(id)] }) {
			fe.Pointer = "event " + ev.EventID + fe.Pointer
			fes = append(fes, fe)
		}
	}
	out := map[string]critmin.FieldError{}
	byRule := map[string]bool{}
	for _, ev := range later {
		for _, fe := range fes {
			if _, ok := out[ev.EventID]; !ok && (fe.Pointer == "event "+ev.EventID || strings.HasPrefix(fe.Pointer, "event "+ev.EventID+"/")) {
				out[ev.EventID] = fe
				byRule[ev.EventID] = ruled[fe.Pointer+"\x00"+fe.Reason]
			}
		}
	}
	return out, byRule, nil
}

// recarry gives the stored events of before and later that moved a
// container by its own identifier (their Carried lines: what it held
// then, as stored) what the container held once the gone events are
// gone, when a gone event packed or unpacked that container: a packing
// declared in error leaves the container's later moves carrying nothing
// of the lot it packed (ledger.ContentsAt over the container's live
// packings less the gone ones), so a later event of the lot that rested
// on those moves — a loose shipment from where the container took it,
// an inspection there, an unpacking there — is judged on a record where
// the lot never left (issue 8 §2, new-user finding nu36a-6); an
// unpacking declared in error puts the lot (of ids, those judged) back
// aboard. Another lot the stored lines left out (consumed by then) stays
// out.
func recarry(ctx context.Context, s Store, ids []string, before, later []*critmin.Event, gone map[string]bool) ([]*critmin.Event, []*critmin.Event, error) {
	judged := map[string]bool{}
	for _, id := range ids {
		judged[id] = true
	}
	touched := map[string]bool{} // containers (canonical) a gone event packed or unpacked
	for _, evs := range [][]*critmin.Event{before, later} {
		for _, ev := range evs {
			if gone[ev.EventID] && ev.Type == critmin.AggregationEvent && ev.ParentID != "" {
				touched[epcis.Canonical(ev.ParentID)] = true
			}
		}
	}
	if len(touched) == 0 {
		return before, later, nil
	}
	q, ok := s.(eventQuerier)
	if !ok {
		return before, later, nil
	}
	packs := map[string][]*critmin.Event{}
	packingsOf := func(c string) ([]*critmin.Event, error) {
		if p, ok := packs[c]; ok {
			return p, nil
		}
		out, err := liveStored(ctx, q, containerEventsFilter(critmin.AggregationEvent, critmin.RoleParent, c), gone)
		if err != nil {
			return nil, err
		}
		sort.SliceStable(out, func(a, b int) bool { return out[a].EventTime.Before(out[b].EventTime) })
		packs[c] = out
		return out, nil
	}
	redo := func(evs []*critmin.Event) ([]*critmin.Event, error) {
		out := make([]*critmin.Event, len(evs))
		for i, ev := range evs {
			out[i] = ev
			if !ledger.MovesContents(ev) {
				continue
			}
			affected := false
			for _, e := range ev.EPCs {
				affected = affected || e.Role == critmin.RoleEPC && touched[epcis.Canonical(e.EPC)]
			}
			if !affected {
				continue
			}
			had := map[string]bool{}
			for _, l := range ev.Carried {
				had[epcis.Canonical(l.EPCClass)] = true
			}
			var lines []critmin.QuantityElement
			seen := map[string]bool{}
			for _, e := range ev.EPCs {
				c := epcis.Canonical(e.EPC)
				if e.Role != critmin.RoleEPC || seen[c] {
					continue
				}
				seen[c] = true
				p, err := packingsOf(c)
				if err != nil {
					return nil, err
				}
				for _, l := range ledger.ContentsAt(c, p, ev.EventTime) {
					// A lot judged here that a gone unpacking had
					// taken out is aboard again.
					if k := epcis.Canonical(l.EPCClass); had[k] || judged[k] && !namesLot(ev, k) {
						lines = append(lines, l)
					}
				}
			}
			out[i] = ledger.WithContents(ledger.WithoutCarried(ev), lines)
		}
		return out, nil
	}
	b, err := redo(before)
	if err != nil {
		return nil, nil, err
	}
	l, err := redo(later)
	if err != nil {
		return nil, nil, err
	}
	return b, l, nil
}

// withContainerMoves adds to evs the live stored events that moved, by
// its own identifier, a container that an AggregationEvent of declaring
// packs or unpacks, dated at or after it, with what they carried as
// stored (withCarried): once the declared packing or unpacking is gone
// they may carry another lot, and are judged with its events (the added
// eventIDs: later events, judged again).
func withContainerMoves(ctx context.Context, s Store, evs, declaring []*critmin.Event) ([]*critmin.Event, map[string]bool, error) {
	q, ok := s.(eventQuerier)
	if !ok {
		return evs, nil, nil
	}
	have := map[string]bool{}
	for _, ev := range evs {
		have[ev.EventID] = true
	}
	var more []*critmin.Event
	asked := map[string]bool{}
	for _, d := range declaring {
		if d.Type != critmin.AggregationEvent || d.ParentID == "" {
			continue
		}
		c := epcis.Canonical(d.ParentID)
		if asked[c] {
			continue
		}
		asked[c] = true
		moves, err := liveStored(ctx, q, containerEventsFilter(critmin.ObjectEvent, critmin.RoleEPC, c), have)
		if err != nil {
			return nil, nil, err
		}
		for _, m := range moves {
			if m.EventTime.Before(d.EventTime) {
				continue
			}
			ev := canonicalLots(m)
			if !ledger.MovesContents(ev) {
				continue
			}
			have[ev.EventID] = true
			more = append(more, ev)
		}
	}
	if len(more) == 0 {
		return evs, nil, nil
	}
	more, err := withCarried(ctx, s, more)
	if err != nil {
		return nil, nil, err
	}
	added := map[string]bool{}
	for _, ev := range more {
		added[ev.EventID] = true
	}
	return append(append([]*critmin.Event(nil), evs...), more...), added, nil
}

// withOtherLots adds to evs (the live events of lots ids) the live events
// of every other lot that one of them names, and those lots to ids (once
// each; events by eventID once; the document's own events, docID, are
// left to the caller as before).
func withOtherLots(ctx context.Context, f liveEventsFinder, evs []*critmin.Event, ids []string, want, docID map[string]bool) ([]*critmin.Event, []string, error) {
	var other []string
	seen := map[string]bool{}
	for _, ev := range evs {
		if !ledger.Live(ev) || docID[ev.EventID] {
			continue
		}
		for _, id := range canonicalLots(ev).LotIDs() {
			if !want[id] && !seen[id] {
				seen[id] = true
				other = append(other, id)
			}
		}
	}
	if len(other) == 0 {
		return evs, ids, nil
	}
	more, err := f.LiveEventsOfLots(ctx, other)
	if err != nil {
		return nil, nil, err
	}
	have := map[string]bool{}
	for _, ev := range evs {
		have[ev.EventID] = true
	}
	out := append([]*critmin.Event(nil), evs...)
	for _, ev := range more {
		if !have[ev.EventID] {
			have[ev.EventID] = true
			out = append(out, ev)
		}
	}
	return out, append(append([]string(nil), ids...), other...), nil
}

func containsID(ids []string, id string) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// lotNamed says whether ev names lot id (critmin.Event.LotIDs).
func lotNamed(ev *critmin.Event, id string) bool {
	for _, l := range ev.LotIDs() {
		if l == id {
			return true
		}
	}
	return false
}

// withoutEvents is a view of Store s whose event queries (eventQuerier)
// leave out the events hidden (by eventID): the record as a declaration
// would leave it, for judging events again (judgeAgain).
type withoutEvents struct {
	Store
	hidden map[string]bool
}

// FindEvents is s's FindEvents less the hidden events; a store that
// cannot query events finds none.
func (w withoutEvents) FindEvents(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error) {
	q, ok := w.Store.(eventQuerier)
	if !ok {
		return &critmin.EventPage{}, nil
	}
	page, err := q.FindEvents(ctx, f)
	if err != nil || page == nil {
		return page, err
	}
	out := &critmin.EventPage{Next: page.Next}
	for _, ev := range page.Events {
		if !w.hidden[ev.EventID] {
			out.Events = append(out.Events, ev)
		}
	}
	return out, nil
}

// EventContents is s's (critmin.ContentsStore): what the containers a
// stored event moved held then — a shipment judged without the hidden
// events still carried what it carried (storedCarried); none from a
// store that keeps no contents.
func (w withoutEvents) EventContents(ctx context.Context, eventIDs []string) (map[string][]critmin.QuantityElement, error) {
	cs, ok := w.Store.(critmin.ContentsStore)
	if !ok {
		return map[string][]critmin.QuantityElement{}, nil
	}
	return cs.EventContents(ctx, eventIDs)
}
