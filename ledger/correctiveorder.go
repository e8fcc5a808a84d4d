package ledger

import (
	"sort"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// CorrectivesInTimeOrder puts the corrective events of the declarations
// in error among evs (EPCIS 2.0 §7.4.1.4: errorDeclaration
// correctiveEventIDs) in event-time order, in the places they hold
// among evs, and at (each event's index in the document or batch)
// with them, so that what a capture checks and stores does not depend
// on the order a document lists its correctives in (docs/epcis.md
// "Retractions"; new-user check nuq10 R3: a corrective receipt or
// shipping listed before the corrective packing of its container was
// refused "put the packing before the movement", taken the other way
// round). The other events keep their places: a document is still read
// in the order it lists them (fixNb). Equal times keep their listed
// order.
func CorrectivesInTimeOrder(evs []*critmin.Event, at []int) {
	corr := map[string]bool{}
	for _, ev := range evs {
		if d := ev.ErrorDeclaration; d != nil {
			for _, id := range d.CorrectiveEventIDs {
				corr[epcis.Canonical(id)] = true
			}
		}
	}
	if len(corr) == 0 {
		return
	}
	var slots []int
	for i, ev := range evs {
		if ev.ErrorDeclaration == nil && ev.EventID != "" && corr[epcis.Canonical(ev.EventID)] {
			slots = append(slots, i)
		}
	}
	if len(slots) < 2 {
		return
	}
	order := append([]int(nil), slots...)
	sort.SliceStable(order, func(a, b int) bool { return evs[order[a]].EventTime.Before(evs[order[b]].EventTime) })
	se := make([]*critmin.Event, len(order))
	sa := make([]int, len(order))
	for k, i := range order {
		se[k], sa[k] = evs[i], at[i]
	}
	for k, i := range slots {
		evs[i], at[i] = se[k], sa[k]
	}
}
