package custody

import (
	"context"
	"fmt"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
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
	for _, ev := range evs {
		if declared[ev.EventID] {
			continue
		}
		storedIDs[ev.EventID] = true
		for id := range found {
			if makesLot(ev, id, true) {
				delete(found, id)
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
		for i, q := range ev.Quantities {
			u, ok := gone[q.EPCClass]
			if !ok || made[q.EPCClass] || named[q.EPCClass] {
				continue
			}
			if makesLot(ev, q.EPCClass, false) {
				continue
			}
			named[q.EPCClass] = true
			out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + quantityPtr(ev, i) + "/epcClass", Reason: LotDeclaredUnmade(q.EPCClass, actsWord(ev), u.maker, u.decl)})
		}
		for _, e := range ev.EPCs {
			if u, ok := gone[e.EPC]; ok && !made[e.EPC] && !named[e.EPC] {
				named[e.EPC] = true
				out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID, Reason: LotDeclaredUnmade(e.EPC, actsWord(ev), u.maker, u.decl)})
			}
		}
		for id := range gone {
			if makesLot(ev, id, false) {
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

// UnmadeLot reports, from the records of lot id (its events as the store
// gives them, each declared one with its DeclaredInError), the declared
// event that made the lot when no standing event makes it any more
// (unmadeLots): the lot's commissioning declared in error while a run
// that fed on it stands. The lot is then not in the record, and reads so
// (GET /api/v1/lots/{id} answers 410 naming the declaration), not as
// "consumed" by the run that took nothing of it (issue 8 §2, fixIi).
// nil when a standing event makes the lot, or none was declared.
func UnmadeLot(id string, records []*critmin.Event) *critmin.Event {
	id = epcis.Canonical(id)
	var maker *critmin.Event
	for _, rec := range records {
		if rec.ErrorDeclaration != nil {
			continue
		}
		ev := rec
		if len(ev.Quantities) == 0 && len(ev.Raw) > 0 {
			ev = decodeStored(rec) // a store's page gives the indexed columns
			ev.DeclaredInError = rec.DeclaredInError
		}
		if !makesLot(ev, id, true) {
			continue
		}
		if ev.DeclaredInError == nil {
			return nil
		}
		if maker == nil {
			maker = ev
		}
	}
	return maker
}

// UnmadeLotError is EGONE (410) for lot id when UnmadeLot finds, in its
// records, the declared event that made it and no standing event making
// it (issue 8 §2): the lot is not in the record, so no view, verdict or
// certificate of it may read as if it were. The message names the lot,
// the declared event, its declaration time and reason. nil otherwise.
func UnmadeLotError(id string, records []*critmin.Event) error {
	maker := UnmadeLot(id, records)
	if maker == nil {
		return nil
	}
	d := maker.DeclaredInError
	how, _ := makerWords(maker)
	why := fmt.Sprintf("%s was declared in error at %s", how, d.DeclarationTime.UTC().Format(time.RFC3339))
	if d.Reason != "" {
		why += " (reason " + d.Reason + ")"
	}
	return critmin.Errorf(critmin.EGONE, "lot %q is not in the record: %s and no standing event makes it; the events that drew on it before the declaration took nothing of it", id, why)
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
