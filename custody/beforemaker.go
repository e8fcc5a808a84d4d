package custody

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// checkBeforeMaker refuses an event dated before the stored event that
// makes a lot it names — the mirror of a making event dated after an
// event that acted on the lot (lateMaker, fixMm). A lot is made once, by
// its making event (its commissioning, the run that put it out, or its
// receipt as first sighting: makesLot), and exists from that event's
// eventTime (EPCIS 2.0 §7.4.1.2): an event recording or acting on it
// earlier — a receipt at another site, an observation, a shipment, a
// packing, a run drawing on it or putting it out, a second commissioning
// — records a lot that did not yet exist. Before, such an event was
// accepted across documents: a receipt at a Chinese mine dated before
// the lot's commissioning at a Pakistani mine stating PAK left the lot
// read 100 % Pakistan, passing dfars-covered-countries, because the
// origin function read the commissioning first (issue 9, fixVv); within
// one document the ledger already refused the pair.
//
// Only the lots whose first stored event (Lot.FirstEventAt) is dated
// after a document event naming them have their events read: in a record
// this check has kept, a lot's first event is its maker. An event dated
// at the maker's instant is not before it, nor an event of the run that
// makes the lot (one transformationID, sameRun). The maker is the earliest
// live stored one the document does not declare in error; the refusal
// is 409 (Conflict), pointing at the event's eventTime. A maker staged by
// an earlier batch of the same streamed capture (ledger.StagedOf) is the
// document's own: the pair is left to the checks of one document's
// events (checkLotExists, checkFirstRecordOrigin), which answer it as
// they answer the pair within one batch (issue 9, nu36b-4; before, the
// capture ID this check compared was never read back, so it said 409).
func checkBeforeMaker(ctx context.Context, s Store, live []*critmin.Event, declared map[string]bool) ([]critmin.FieldError, error) {
	f, ok := s.(LiveEventsFinder)
	if !ok || len(live) == 0 {
		return nil, nil
	}
	var ids []string
	for _, ev := range live {
		ids = append(ids, canonicalLots(ev).LotIDs()...)
	}
	lots, err := s.FindLotsByID(ctx, ids)
	if err != nil {
		return nil, err
	}
	first := map[string]time.Time{}
	byID := map[string]*critmin.Lot{}
	for _, l := range lots {
		first[l.ID] = l.FirstEventAt
		byID[l.ID] = l
	}
	// What checkLotExists refuses it refuses in its own words (an event
	// that makes no lot, dated before the lot's first record).
	judged := map[string]bool{}
	for _, fe := range checkLotExists(live, byID, nil) {
		judged[fe.Pointer] = true
	}
	var asked []string
	seen := map[string]bool{}
	for _, ev := range live {
		for _, id := range canonicalLots(ev).LotIDs() {
			if t, ok := first[id]; ok && ev.EventTime.Before(t) && !seen[id] {
				seen[id] = true
				asked = append(asked, id)
			}
		}
	}
	if len(asked) == 0 {
		return nil, nil
	}
	stored, err := f.LiveEventsOfLots(ctx, asked)
	if err != nil {
		return nil, err
	}
	staged := ledger.StagedOf(ctx)
	var out []critmin.FieldError
	refused := map[*critmin.Event]bool{}
	for _, id := range asked {
		mk := storedMaker(stored, id, declared)
		if mk == nil {
			continue // nothing standing makes it: unmadeLots judges it
		}
		if staged.Has(mk.EventID) {
			// The maker is the document's own, staged by an earlier
			// batch: the pair is judged as within one document
			// (checkLotExists, checkFirstRecordOrigin), as it is when
			// both fall in one batch (issue 9, nu36b-4).
			continue
		}
		for _, ev := range live {
			if refused[ev] || !ev.EventTime.Before(mk.EventTime) || !namesLot(ev, id) || judged["event "+ev.EventID+"/eventTime"] ||
				claims(ev) || runsOutput(ev, mk, id) {
				continue
			}
			refused[ev] = true
			out = append(out, critmin.FieldError{
				Conflict: true,
				Pointer:  "event " + ev.EventID + "/eventTime",
				Reason:   LotRecordedBeforeMade(id, mk, ev),
			})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Pointer < out[j].Pointer })
	return out, nil
}

// storedMaker is the earliest of evs (live stored events) that makes lot
// id (makesLot, receipts counted as first sighting) and is not declared
// in error by the document; a tie of eventTime goes to the first
// recorded. nil when none.
func storedMaker(evs []*critmin.Event, id string, declared map[string]bool) *critmin.Event {
	var mk *critmin.Event
	for _, ev := range evs {
		if declared[ev.EventID] || ev.ErrorDeclaration != nil || !makesLot(ev, id, true) {
			continue
		}
		if mk == nil || ev.EventTime.Before(mk.EventTime) || ev.EventTime.Equal(mk.EventTime) && ev.PK < mk.PK {
			mk = ev
		}
	}
	return mk
}

// claims reports whether ev states a mass-balance claim (cm:originClaim):
// a claim dated before its lot is refused by the claim check, naming the
// run and the period (earlyclaim).
func claims(ev *critmin.Event) bool {
	return ev.Mineral != nil && ev.Mineral.OriginClaim != nil
}

// runsOutput reports whether ev is a run putting out lot id that run
// event mk also puts out: one product of a run recorded by several
// events (sameRun, or output-first events of a run), which the ledger's
// made-once check judges (lotmade.go).
func runsOutput(ev, mk *critmin.Event, id string) bool {
	return sameRun(ev, mk) || ev.Type == critmin.TransformationEvent && mk.Type == critmin.TransformationEvent && makesLot(ev, id, false)
}

// LotRecordedBeforeMade is the reason event ev, dated before the event mk
// that makes lot (checkBeforeMaker), is refused: "lot L is made by its
// commissioning, event c, at 2025-03-01T00:00:00Z; the receipt r, dated
// 2025-02-01T00:00:00Z, records it before it was made …". The remedy:
// date the event after the maker, or declare the maker in error first.
func LotRecordedBeforeMade(lot string, mk, ev *critmin.Event) string {
	at := mk.EventTime.UTC().Format(time.RFC3339)
	return fmt.Sprintf("lot %s is made by %s, event %s, at %s; the %s %s, dated %s, records the lot before it was made — a lot is made once and exists from the event that makes it (EPCIS 2.0 §7.4.1.2: an event is dated when what it records happened), so nothing recorded before then can be this lot; date the event after %s, or declare the maker %s in error first",
		lot, makingWord(mk), mk.EventID, at, ledger.EventKind(ev), ev.EventID, ev.EventTime.UTC().Format(time.RFC3339), at, mk.EventID)
}
