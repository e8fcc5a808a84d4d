package ledger

import (
	"fmt"
	"sort"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// Retractions (EPCIS 2.0 §7.4.1.2). An error declaration says that an
// event, named by its eventID, did not happen as recorded; its corrective
// events, captured like any other, say what did. Every projection treats a
// declared event as if it had never been captured: when a declaration
// arrives after the fact, the lots the declared event named are rebuilt
// from their remaining events (Replay), and the corrective events apply as
// ordinary events.

// Live reports whether an event counts in projections and jobs: it is not
// a declaration record and no declaration names it.
func Live(ev *critmin.Event) bool {
	return ev.ErrorDeclaration == nil && ev.DeclaredInError == nil
}

// DecodeStored decodes a stored event record as capture decoded it, with
// its mineral facts, so that projections can be replayed from the store.
func DecodeStored(raw, context []byte) (*critmin.Event, error) {
	ev, err := epcis.DecodeStored(raw, context)
	if err != nil {
		return nil, err
	}
	mf, ferrs := DecodeMineral(ev, "")
	if len(ferrs) > 0 {
		return nil, fmt.Errorf("ledger: stored event %s: %s: %s", ev.EventID, ferrs[0].Pointer, ferrs[0].Reason)
	}
	ev.Mineral = mf
	return ev, nil
}

// EventTimeOrder returns events sorted by event time, equal times by PK
// (the order they were recorded in): the order in which a lot's events
// define its state. events is not changed.
func EventTimeOrder(events []*critmin.Event) []*critmin.Event {
	out := append([]*critmin.Event(nil), events...)
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].EventTime.Equal(out[j].EventTime) {
			return out[i].EventTime.Before(out[j].EventTime)
		}
		return out[i].PK < out[j].PK
	})
	return out
}

// Replay rebuilds the projection of the lots named by ids from events, in
// event-time order (equal times: capture order, by PK), skipping events
// that are not Live, so the lots hold the state their live events give
// whatever order they were captured in (docs/identity.md); it returns the lots
// (a lot no live event names has EventCount 0) and the moves of those
// lots. events must hold every live event that names any of the lots;
// other lots those events name are projected into scratch copies that are
// discarded, so their stored state is not touched.
func Replay(ids []string, events []*critmin.Event) (map[string]*critmin.Lot, []Move) {
	lots := make(map[string]*critmin.Lot, len(ids))
	for _, id := range ids {
		lots[id] = &critmin.Lot{ID: id}
	}
	var moves []Move
	for _, ev := range EventTimeOrder(events) {
		if !Live(ev) {
			continue
		}
		view := make(map[string]*critmin.Lot, len(ev.Quantities))
		for _, id := range ev.LotIDs() {
			if l, ok := lots[id]; ok {
				view[id] = l
			} else {
				view[id] = &critmin.Lot{ID: id}
			}
		}
		fx := Project(view, ev)
		for _, m := range fx.Moves {
			if _, ok := lots[m.Lot]; ok {
				moves = append(moves, m)
			}
		}
	}
	return lots, moves
}
