package custody

import (
	"context"
	"fmt"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// unmade is a stored lot that no standing event makes any more: every
// event that made it — its commissioning, the run that put it out, its
// receipt as first sighting — is declared in error (EPCIS 2.0 §7.4.1.2),
// by a stored declaration or by the document being captured. The lot is
// then not in the record: what remains of it is what the events that
// drew on it before the declaration left (a run left "taking nothing",
// docs/epcis.md), not matter that stands anywhere.
type unmade struct {
	maker *critmin.Event            // a declared event that made it
	decl  *critmin.ErrorDeclaration // its declaration; nil when the document declares it
	// acted is the earliest standing event that acts on the lot without
	// making it (a run's input, a shipment, a packing…), nil when none
	// does; late is the earliest standing event that makes the lot, when
	// it is dated after acted (a corrective commissioning dated after a
	// run that drew on the lot, fixMm). A lot made only after an event
	// acted on it is not in the record either: before its making event
	// there was no lot to act on (lateMaker).
	acted, late *critmin.Event
}

// lateMaker says whether making event mk comes too late for a lot that
// standing event acted acted on: it is dated after acted (EPCIS 2.0
// §7.4.1.2 — a corrective event states what did happen, so the lot it
// makes exists from its eventTime, and acted drew on the lot before
// that), or dated at the same instant but recorded after it (not yet
// recorded: mk is being captured). The projection reads the events of
// one eventTime in the order they were recorded (a stable sort by
// eventTime), so a maker recorded after the event that drew on the lot
// at the same instant is read after it: the lot would stand in stock
// with all its maker states while capture reads it drawn on (nu35-1).
// Only a maker recorded with or before acted at that instant (one
// document, in its order) is in time.
func lateMaker(mk, acted *critmin.Event) bool {
	if mk == nil || acted == nil {
		return false
	}
	if !mk.EventTime.Equal(acted.EventTime) {
		return mk.EventTime.After(acted.EventTime)
	}
	if mk.RecordTime.IsZero() {
		return !acted.RecordTime.IsZero()
	}
	return mk.RecordTime.After(acted.RecordTime)
}

// makesLot says whether event ev made lot id: an ADD (commissioning) of
// it that claims no origin, a run's output line of it, or, with
// receipts, a receipt of it (CBV receiving, arriving…: a first
// sighting, checkLotRecorded).
func makesLot(ev *critmin.Event, id string, receipts bool) bool {
	for _, q := range canonicalLots(ev).Quantities {
		if q.EPCClass != id {
			continue
		}
		switch {
		case ev.Type == critmin.TransformationEvent:
			if q.Role == critmin.RoleOutput {
				return true
			}
		case ev.Action == "ADD" && q.Role != critmin.RoleChild:
			// A claim (cm:originClaim, an ADD at the site) states what
			// a lot's content is, not that it was made.
			return ev.Mineral == nil || ev.Mineral.OriginClaim == nil
		case receipts && receiptSteps[stepName(ev.BizStep)]:
			return true
		}
	}
	return false
}

// unmadeLots finds, among the stored lots ids that the document's live
// events name, those whose every making event is declared in error and
// that no other live stored event makes (issue 8 §2, fixIi: lot L
// commissioned 10 t, fed to run R1, its commissioning declared in
// error; L's lot row stays, R1 naming it, but nothing makes L). The
// declared makers are read from the stored declarations naming the lots
// (few) and from the document's own (declaring); only for lots with one
// are their live events read.
//
// It returns those lots and the eventIDs of their live stored events.
func unmadeLots(ctx context.Context, s Store, ids []string, declaring []*critmin.Event, declared map[string]bool) (map[string]unmade, map[string]bool, error) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	found := map[string]unmade{}
	for _, d := range declaring {
		for _, id := range d.LotIDs() {
			if want[id] && makesLot(d, id, true) {
				if _, ok := found[id]; !ok {
					found[id] = unmade{maker: d}
				}
			}
		}
	}
	if f, ok := s.(eventQuerier); ok {
		filter := critmin.EventFilter{ErrorDeclarationExists: true, ClassMatches: []critmin.EPCMatch{{Patterns: ids, Exact: true}}, Limit: 1000}
		err := eachDeclared(ctx, f, filter, func(body *critmin.Event, decl *critmin.ErrorDeclaration) {
			for _, id := range canonicalLots(body).LotIDs() {
				if want[id] && makesLot(body, id, true) {
					if u, ok := found[id]; !ok || u.decl == nil && u.maker.EventID == body.EventID {
						found[id] = unmade{maker: body, decl: decl}
					}
				}
			}
		})
		if err != nil {
			return nil, nil, err
		}
	}
	if len(found) == 0 {
		return nil, nil, nil
	}
	lf, ok := s.(liveEventsFinder)
	if !ok {
		return nil, nil, nil
	}
	evs, err := lf.LiveEventsOfLots(ctx, sortedKeys(found))
	if err != nil {
		return nil, nil, err
	}
	storedIDs := map[string]bool{}
	makers := map[string][]*critmin.Event{}
	for _, ev := range evs {
		if declared[ev.EventID] {
			continue
		}
		storedIDs[ev.EventID] = true
		for id, u := range found {
			if !namesLot(ev, id) {
				continue
			}
			if makesLot(ev, id, true) {
				makers[id] = append(makers[id], ev)
			} else if u.acted == nil || ev.EventTime.Before(u.acted.EventTime) {
				u.acted = ev
				found[id] = u
			}
		}
	}
	// A standing maker dated before every standing event acting on the
	// lot (or at its instant, recorded with it) makes it; one dated or
	// recorded after comes too late (lateMaker):
	// the lot stays not in the record, naming it.
	for id, u := range found {
		for _, mk := range makers[id] {
			if !lateMaker(mk, u.acted) {
				delete(found, id)
				break
			}
			if u.late == nil || mk.EventTime.Before(u.late.EventTime) {
				u.late = mk
				found[id] = u
			}
		}
	}
	return found, storedIDs, nil
}

// checkUnmadeLots refuses each live event of the document that acts on
// a lot no standing event makes (unmadeLots) — a run's input, a
// shipment, a packing, a receipt, an inspection, a claim — unless an
// earlier event of the document makes the lot again (a corrective
// commissioning; in document order, as checkLotRecorded reads a lot
// recorded from the first event naming it): the lot is not in the record, so nothing of it can be
// drawn on or observed, and a run taking it would give its outputs the
// origin and mass of a lot the record no longer holds (issue 8 §2,
// fixIi). A receipt does not make it again: it received what was
// declared never to have been made, as a receipt the declaration
// strands does (firstSightings). An event stored already (a re-sent
// duplicate) is not judged again. 409: the event conflicts with the
// record; each refusal names its event, so under proceed only that event
// is refused (CaptureClaimCheck).
func checkUnmadeLots(live []*critmin.Event, gone map[string]unmade, storedIDs map[string]bool) []critmin.FieldError {
	if len(gone) == 0 {
		return nil
	}
	made := map[string]bool{}
	var out []critmin.FieldError
	for _, ev := range live {
		ev = canonicalLots(ev)
		if storedIDs[ev.EventID] {
			continue
		}
		named := map[string]bool{}
		// An event of the document that makes the lot again after a
		// standing event acted on it is refused: the lot would exist
		// only from its date, after it was drawn on (lateMaker, fixMm).
		for _, id := range sortedKeys(gone) {
			if u := gone[id]; !made[id] && makesLot(ev, id, false) && lateMaker(ev, u.acted) {
				named[id] = true
				out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/eventTime", Reason: LotMadeAfterActed(id, ev, u.acted)})
			}
		}
		for i, q := range ev.Quantities {
			u, ok := gone[q.EPCClass]
			if !ok || made[q.EPCClass] || named[q.EPCClass] {
				continue
			}
			if makesLot(ev, q.EPCClass, false) {
				continue
			}
			named[q.EPCClass] = true
			out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + quantityPtr(ev, i) + "/epcClass", Reason: u.reason(q.EPCClass, actsWord(ev))})
		}
		for _, e := range ev.EPCs {
			if u, ok := gone[e.EPC]; ok && !made[e.EPC] && !named[e.EPC] {
				named[e.EPC] = true
				out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID, Reason: u.reason(e.EPC, actsWord(ev))})
			}
		}
		for id, u := range gone {
			if makesLot(ev, id, false) && !lateMaker(ev, u.acted) {
				made[id] = true
			}
		}
	}
	return out
}

// actsWord names what an event does to a lot in a refusal: "a run's
// input", "an event of step shipping", "an AggregationEvent".
func actsWord(ev *critmin.Event) string {
	switch {
	case ev.Type == critmin.TransformationEvent:
		return "a run's input"
	case ev.BizStep != "":
		return "an event of step " + stepName(ev.BizStep)
	}
	return "an " + string(ev.Type)
}

// LotDeclaredUnmade is the reason an event acting on a lot whose making
// event is declared in error is refused (checkUnmadeLots): "lot L is not
// in the record: its commissioning, event E (2025-10-01), was declared
// in error on T (reason R) and no standing event makes it, so a run's
// input cannot draw on it…". decl is nil when the document itself
// declares the event.
func LotDeclaredUnmade(lot, what string, maker *critmin.Event, decl *critmin.ErrorDeclaration) string {
	when := "by this document"
	if decl != nil {
		at := decl.DeclarationTime
		if at.IsZero() {
			at = decl.RecordTime
		}
		reason := decl.Reason
		if reason == "" {
			reason = "no reason given"
		}
		when = fmt.Sprintf("on %s (reason %s)", at.UTC().Format(time.RFC3339), reason)
	}
	how, fix := makerWords(maker)
	return fmt.Sprintf("lot %s is not in the record: %s was declared in error %s and no standing event makes the lot, so %s cannot act on it (it would draw on a lot the record no longer holds); %s first (EPCIS 2.0 §7.4.1.2 correctiveEventIDs), or correct the lot ID",
		lot, how, when, what, fix)
}

// makerWords names the declared event that made a lot, by its kind, with
// its eventID and date set off by one comma each side — "its
// commissioning, event E (2025-10-01),", "the run that made it, event E
// (…),", "its receipt (its first sighting), event E (…)," (nu34-9: the
// receipt's read "its first sighting,, event") — and what makes the lot
// again: a corrective commissioning, or the run's corrective event
// putting it out (a receipt never makes a lot again, checkUnmadeLots).
func makerWords(maker *critmin.Event) (how, fix string) {
	how, fix = "its commissioning", "record its corrective commissioning"
	switch {
	case maker.Type == critmin.TransformationEvent:
		how, fix = "the run that made it", "record the run's corrective event (its output of the lot) or a corrective commissioning"
	case receiptSteps[stepName(maker.BizStep)]:
		how, fix = "its receipt (its first sighting)", "record its corrective commissioning (a receipt does not make a lot again)"
	}
	return fmt.Sprintf("%s, event %s (%s),", how, maker.EventID, maker.EventTime.UTC().Format(time.DateOnly)), fix
}

// reason is the refusal of an event (what: actsWord) acting on lot id,
// not in the record: LotDeclaredUnmade, or, when a standing event makes
// the lot only after another acted on it, LotMadeAfterActed.
func (u unmade) reason(id, what string) string {
	if u.late != nil {
		return LotMadeAfterActed(id, u.late, u.acted) + "; so " + what + " cannot act on it"
	}
	return LotDeclaredUnmade(id, what, u.maker, u.decl)
}

// LotMadeAfterActed is the reason a lot made by event mk is refused, or
// not in the record, when standing event acted acted on it earlier
// (lateMaker, fixMm): "lot L is made by event cc on 2025-10-10, after
// event r1 (a run's input, 2025-10-05) acted on it…". A lot exists from
// the event that makes it; an event that drew on it before then drew on
// nothing (EPCIS 2.0 §7.4.1.2: a corrective event is dated when what it
// records happened). The remedy: date the making event at or before the
// earliest event acting on the lot.
func LotMadeAfterActed(lot string, mk, acted *critmin.Event) string {
	return fmt.Sprintf("lot %s is not in the record before %s: %s, event %s (%s), %s the %s %s (%s), which acted on the lot when nothing standing had made it — the lot cannot be drawn on before it exists (EPCIS 2.0 §7.4.1.2: a corrective event is dated when what it records happened); date the event that makes the lot before %s, or declare %s in error",
		lot, mk.EventTime.UTC().Format(time.DateOnly), makingWord(mk), mk.EventID, mk.EventTime.UTC().Format(time.RFC3339), lateWords(mk, acted), ledger.EventKind(acted), acted.EventID, acted.EventTime.UTC().Format(time.RFC3339),
		acted.EventTime.UTC().Format(time.RFC3339), acted.EventID)
}

// lateWords says how making event mk is late for acted (lateMaker): "is
// dated after", or, at the same instant, "is dated at the same instant
// as, and recorded after,".
func lateWords(mk, acted *critmin.Event) string {
	if mk.EventTime.Equal(acted.EventTime) {
		return "is dated at the same instant as, and recorded after,"
	}
	return "is dated after"
}

// makingWord names how an event makes a lot: "its commissioning", "the
// run that makes it", "its receipt".
func makingWord(ev *critmin.Event) string {
	switch {
	case ev.Type == critmin.TransformationEvent:
		return "the run that makes it"
	case receiptSteps[stepName(ev.BizStep)]:
		return "its receipt, its first sighting"
	}
	return "its commissioning"
}

// remade says whether an event of live makes lot id again (a corrective
// commissioning, checkUnmadeLots).
func remade(live []*critmin.Event, id string) bool {
	for _, ev := range live {
		if makesLot(ev, id, false) {
			return true
		}
	}
	return false
}

// Unmade is how a lot is not in the record (UnmadeLotOf): Maker is the
// declared event that made it; Late, when not nil, the earliest standing
// event that makes it, dated after Acted, the earliest standing event
// acting on it (fixMm).
type Unmade struct {
	Maker, Late, Acted *critmin.Event
}

// UnmadeLotOf reads, from the records of lot id (its events as the
// store gives them, each declared one with its DeclaredInError), whether
// the lot is not in the record: an event that made it is declared in
// error (EPCIS 2.0 §7.4.1.2) and no standing event makes it at or before
// the earliest standing event that acts on it — none makes it at all
// (its commissioning declared while a run that fed on it stands), or the
// one that does is dated after an event drew on it (a corrective
// commissioning dated after that run, which capture refuses since fixMm:
// LotMadeAfterActed). Such a lot reads so everywhere (GET
// /api/v1/lots/{id} answers 410, the lot list marks it, no stock,
// supply, credit or certificate counts it), not as "consumed" by a run
// that took nothing of it, nor as in stock with what its late maker
// states (issue 8 §2, fixIi, fixMm). nil when the lot is in the record.
func UnmadeLotOf(id string, records []*critmin.Event) *Unmade {
	id = epcis.Canonical(id)
	var u Unmade
	var makers []*critmin.Event
	for _, rec := range records {
		if rec.ErrorDeclaration != nil {
			continue
		}
		ev := rec
		if len(ev.Quantities) == 0 && len(ev.Raw) > 0 {
			ev = decodeStored(rec) // a store's page gives the indexed columns
			ev.DeclaredInError = rec.DeclaredInError
		}
		if !namesLot(ev, id) {
			continue
		}
		switch {
		case !makesLot(ev, id, true):
			if ev.DeclaredInError == nil && (u.Acted == nil || ev.EventTime.Before(u.Acted.EventTime)) {
				u.Acted = ev
			}
		case ev.DeclaredInError != nil:
			if u.Maker == nil {
				u.Maker = ev
			}
		default:
			makers = append(makers, ev)
		}
	}
	if u.Maker == nil {
		return nil
	}
	for _, mk := range makers {
		if !lateMaker(mk, u.Acted) {
			return nil
		}
		if u.Late == nil || mk.EventTime.Before(u.Late.EventTime) {
			u.Late = mk
		}
	}
	return &u
}

// UnmadeLot is the declared event that made lot id when the lot is not
// in the record (UnmadeLotOf), nil when it is.
func UnmadeLot(id string, records []*critmin.Event) *critmin.Event {
	if u := UnmadeLotOf(id, records); u != nil {
		return u.Maker
	}
	return nil
}

// UnmadeLotError is EGONE (410) for lot id when UnmadeLotOf finds, in its
// records, that the lot is not in the record (issue 8 §2): no view,
// verdict or certificate of it may read as if it were. The message
// names the lot, the declared event, its declaration time and reason,
// and, when a standing event makes the lot too late, that event and the
// earlier one that acted on it. nil otherwise.
func UnmadeLotError(id string, records []*critmin.Event) error {
	u := UnmadeLotOf(id, records)
	if u == nil {
		return nil
	}
	return critmin.Errorf(critmin.EGONE, "%s", u.Words(id))
}

// Words says, for people, why lot id is not in the record: "lot "L" is
// not in the record: its commissioning, event c (2025-10-01), was
// declared in error at T (reason R) and no standing event makes it…"
// (makerWords names the maker by its kind).
func (u *Unmade) Words(id string) string {
	d := u.Maker.DeclaredInError
	how, _ := makerWords(u.Maker)
	why := fmt.Sprintf("%s was declared in error at %s", how, d.DeclarationTime.UTC().Format(time.RFC3339))
	if d.Reason != "" {
		why += " (reason " + d.Reason + ")"
	}
	if u.Late != nil {
		return fmt.Sprintf("lot %q is not in the record: %s, and the standing event that makes it again, event %s (%s), %s the %s %s (%s), which acted on it, so the lot did not exist when it was drawn on; date the making event before %s (EPCIS 2.0 §7.4.1.2)",
			id, why, u.Late.EventID, u.Late.EventTime.UTC().Format(time.RFC3339), lateWords(u.Late, u.Acted), ledger.EventKind(u.Acted), u.Acted.EventID, u.Acted.EventTime.UTC().Format(time.RFC3339), u.Acted.EventTime.UTC().Format(time.RFC3339))
	}
	return fmt.Sprintf("lot %q is not in the record: %s and no standing event makes it; the events that drew on it before the declaration took nothing of it", id, why)
}

// LotEventFinder reads events by filter (critmin.Store's FindEvents).
type LotEventFinder interface {
	FindEvents(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error)
}

// CheckLotMade reads the records of lot id (every event naming it as
// epc, child, input or output, declared ones with their declarations)
// and returns UnmadeLotError of them: EGONE when the lot is not in the
// record, nil when a standing event makes it.
func CheckLotMade(ctx context.Context, s LotEventFinder, id string) error {
	page, err := s.FindEvents(ctx, critmin.EventFilter{
		ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}, Patterns: []string{id}, Exact: true}},
		OrderBy:      "eventTime", OrderAscending: true, Limit: 100000,
	})
	if err != nil {
		return err
	}
	return UnmadeLotError(id, page.Events)
}

// UnmadeLots finds the lots not in the record (UnmadeLotOf), by their
// canonical IDs: among the lots a declared-in-error event makes (few,
// read from the declarations) — only those of among, when given (a page
// of a lot list) — each judged from its records. The lot list, its CSV
// and page mark them; the planner's and the risk view's ledger supplies
// and mass-balance credits leave them out (issue 8 §2, fixMm).
func UnmadeLots(ctx context.Context, s LotEventFinder, among ...string) (map[string]*Unmade, error) {
	var asked map[string]bool
	if among != nil {
		asked = map[string]bool{}
		for _, id := range among {
			asked[epcis.Canonical(id)] = true
		}
	}
	ids := map[string]bool{}
	err := eachDeclared(ctx, s, critmin.EventFilter{ErrorDeclarationExists: true, Limit: 1000}, func(body *critmin.Event, _ *critmin.ErrorDeclaration) {
		for _, id := range body.LotIDs() {
			if (asked == nil || asked[id]) && makesLot(body, id, true) {
				ids[id] = true
			}
		}
	})
	if err != nil {
		return nil, err
	}
	out := map[string]*Unmade{}
	for _, id := range sortedKeys(ids) {
		page, err := s.FindEvents(ctx, critmin.EventFilter{
			ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC, critmin.RoleChild, critmin.RoleInput, critmin.RoleOutput}, Patterns: []string{id}, Exact: true}},
			OrderBy:      "eventTime", OrderAscending: true, Limit: 100000,
		})
		if err != nil {
			return nil, err
		}
		if u := UnmadeLotOf(id, page.Events); u != nil {
			out[id] = u
		}
	}
	return out, nil
}

// UnmadeIn is the entry of lot id (any spelling) in gone (UnmadeLots),
// nil when the lot is in the record.
func UnmadeIn(gone map[string]*Unmade, id string) *Unmade {
	if len(gone) == 0 {
		return nil
	}
	return gone[epcis.Canonical(id)]
}

// WithoutUnmade is lots without those not in the record (UnmadeLots),
// for the views that count lots as stock or supply: the planner's ledger
// supplies and the risk view's ledger sourcing (issue 8 §2, fixMm). A
// store that cannot read events (no FindEvents) keeps every lot.
func WithoutUnmade(ctx context.Context, s any, lots []*critmin.Lot) ([]*critmin.Lot, error) {
	f, ok := s.(LotEventFinder)
	if !ok || len(lots) == 0 {
		return lots, nil
	}
	ids := make([]string, len(lots))
	for i, l := range lots {
		ids[i] = l.ID
	}
	gone, err := UnmadeLots(ctx, f, ids...)
	if err != nil || len(gone) == 0 {
		return lots, err
	}
	kept := make([]*critmin.Lot, 0, len(lots))
	for _, l := range lots {
		if UnmadeIn(gone, l.ID) == nil {
			kept = append(kept, l)
		}
	}
	return kept, nil
}
