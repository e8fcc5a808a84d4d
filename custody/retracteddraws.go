package custody

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// RedrawnDraw is a recorded run or dispatch of Lot (Draw: as
// ledger.DrawsRedrawn finds it; Event: its stored event) that declaring
// the events Declared in error would leave drawing on another holding
// than the one it drew on: it depends on them, and the declaration is
// refused unless it is declared in error too.
type RedrawnDraw struct {
	Lot      string
	Event    *critmin.Event
	Draw     ledger.RedrawnDraw
	Declared []string
}

// checkRetractedDraws refuses a document whose declarations in error
// would leave a recorded run — or a shipment — drawing on a holding it
// did not draw on
// (ledger.DrawsRedrawn; issue 15, fix15zc, nu15g items 1 and 2): a
// receipt at a refinery declared in error while a run there took of the
// part it received. Replayed without the receipt, the run's draw would
// fall on the lot's body at another site — moving the body to the
// refinery (lot M1: "2.500 wmt at the refinery" of a 6 t body that never
// left the mine) — or on another party's part there, beyond what it
// holds (lot M2: 3 − 3.5 = −0.5 t, which the store refused with a 500);
// a shipment from there naming no party would ship the other party's
// part. (One left shipping from nothing is flagged and counted nowhere,
// ledger.DeclarationDependents; it is not refused.)
// As a weighing such a declaration upsets (checkRetractedMass), the run
// depends on the declared event: the refusal (409) names it; declare it
// in error in the same document too (or first), then record it again as
// it happened. An event of the document itself is judged by the
// standing check.
func checkRetractedDraws(ctx context.Context, s Store, live, declaring []*critmin.Event, declared map[string]bool) ([]critmin.FieldError, error) {
	rs, err := redrawnDraws(ctx, s, live, declaring, declared)
	if err != nil {
		return nil, err
	}
	var out []critmin.FieldError
	for _, r := range rs {
		out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + r.Declared[0], Reason: RedrawnReason(r)})
	}
	return out, nil
}

// RedrawnReason words why declaring r.Declared in error is refused
// for the run or dispatch r.
func RedrawnReason(r RedrawnDraw) string {
	took := "what stood of the lot there (it stated no mass)"
	if r.Draw.Stated {
		took = Tonnes(r.Draw.Tonnes) + " t"
	}
	what, never := "run", "a run's draw"
	if r.Draw.Kind == ledger.DrawDispatch {
		what, never = "shipment", "a shipment's draw"
	}
	now := "drawing on " + holdersText(r.Draw.Now) + " instead: what it drew on would no longer stand there"
	if len(r.Draw.Now) == 0 {
		// It drew on several holdings, one the declaration removes: it
		// would take of none, its tonnes counted nowhere, and what it
		// took of the holdings that stay would silently go back to them
		// (issue 15, fix15zg).
		now = "taking nothing instead: part of what it drew on would no longer stand there, so it would be counted nowhere and what it took of the holdings that still stand would go back to them"
	}
	return fmt.Sprintf("declaring %s in error would leave the recorded %s %s of lot %s, dated %s at %s, which took %s of %s, %s, and %s never moves to another holding — declare the %s %s in error first or in the same document, then record what really happened",
		strings.Join(r.Declared, ", "), what, r.Event.EventID, r.Lot, r.Event.EventTime.UTC().Format(time.RFC3339), r.Draw.Site, took,
		holdersText(r.Draw.Was), now, never, what, r.Event.EventID)
}

// holdersText words ledger holding names (BodyHolder, PartHolder).
func holdersText(hs []string) string {
	var out []string
	for _, h := range hs {
		out = append(out, ledger.HolderWords(h))
	}
	if len(out) == 0 {
		return "nothing"
	}
	return strings.Join(out, " and ")
}

// DrawsRedrawnBy lists the recorded runs and shipments that declaring ev
// in error would leave drawing on another holding (checkRetractedDraws): the declaration
// preview names them among the events that depend on ev, and the
// declaration is refused for them.
func DrawsRedrawnBy(ctx context.Context, s Store, ev *critmin.Event) ([]RedrawnDraw, error) {
	declaring, err := withCarried(ctx, s, []*critmin.Event{canonicalLots(ev)})
	if err != nil {
		return nil, err
	}
	return redrawnDraws(ctx, s, nil, declaring, map[string]bool{ev.EventID: true})
}

// redrawnDraws is checkRetractedDraws' finding, one record an event: each lot
// a declared event names is replayed from its live stored events (less
// those the document re-sends) and the document's, with and without the
// declared events (ledger.DrawsRedrawn).
// fedInContainer says whether run ev took lot id only through a
// container it was fed whole (ledger.WithContents: a Carried line): its
// draw follows the container's contents, which a declared packing or
// unpacking recomputes (sqldb recontain), never another holding.
func fedInContainer(ev *critmin.Event, id string) bool {
	if ev.Type != critmin.TransformationEvent {
		return false
	}
	for _, q := range ev.Carried {
		if q.EPCClass == id {
			return true
		}
	}
	return false
}

func redrawnDraws(ctx context.Context, s Store, live, declaring []*critmin.Event, declared map[string]bool) ([]RedrawnDraw, error) {
	f, ok := s.(liveEventsFinder)
	if !ok || len(declaring) == 0 {
		return nil, nil
	}
	ids, evs, docID, err := lotsLiveEvents(ctx, f, declaring, live)
	if err != nil || docID == nil {
		return nil, err
	}
	// Each corrective event the declarations name, to the declared
	// event it stands in for (ledger.DrawsRedrawn).
	corrects := map[string]string{}
	for _, ev := range declaring {
		if ev.ErrorDeclaration == nil {
			continue
		}
		for _, c := range ev.ErrorDeclaration.CorrectiveEventIDs {
			if c != ev.EventID {
				corrects[c] = ev.EventID
			}
		}
	}
	var out []RedrawnDraw
	for _, id := range ids {
		var with []*critmin.Event
		names := func(ev *critmin.Event) bool {
			for _, lid := range ev.LotIDs() {
				if lid == id {
					return true
				}
			}
			return false
		}
		for _, ev := range evs {
			if c := canonicalLots(ev); ledger.Live(ev) && !docID[ev.EventID] && names(c) && !fedInContainer(c, id) {
				with = append(with, c)
			}
		}
		for _, ev := range live {
			if names(ev) {
				with = append(with, ev)
			}
		}
		sort.SliceStable(with, func(i, j int) bool { return with[i].EventTime.Before(with[j].EventTime) })
		byID := map[string]*critmin.Event{}
		for _, ev := range with {
			byID[ev.EventID] = ev
		}
		var dnames []string
		for _, ev := range declaring {
			if names(ev) {
				dnames = append(dnames, ev.EventID)
			}
		}
		for _, r := range ledger.DrawsRedrawn(id, with, declared, corrects) {
			if docID[r.EventID] {
				continue // the document's own event: the standing check judges it
			}
			out = append(out, RedrawnDraw{Lot: id, Event: byID[r.EventID], Draw: r, Declared: dnames})
		}
	}
	return out, nil
}
