package custody

import (
	"context"
	"fmt"
	"sort"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// containerEventsStranded lists the recorded live events of a container
// that the document's declarations move — a packing or unpacking of it
// (its parentID) or a movement naming it in its epcList — dated at or
// after the earliest such declaration, that stood where the container
// stood and would not once the declared events are gone (new-user check
// nuq8 b5, builder fixQs; EPCIS 2.0 §7.4.1.2): lot L packed into C at
// Karachi, [C] shipped to Houston and arrived there, lot M packed into C
// at Houston; declaring the arriving (or the shipping) in error leaves C
// at sea (or at Karachi) when M was packed into it at Houston. The
// lots' own events are judged again by strandedLotEvents, but M's
// packing names no lot a declared event names, and was taken. A
// container's later event is judged as placeCheck judges a capture
// (a container used only where it stands, CBV 2.0 packing, unpacking,
// shipping): a packing into it (even empty), an unpacking, a sampling
// or a movement of it while it holds something, at the site where it
// stood before the declaration (a movement from where it left) but
// where it would not stand after, is refused (409) naming it. A dispatch
// that would leave while the container is at sea on the trip a declared
// receipt ended is left to the ledger, which flags it as shipping from
// a receipt declared in error (as for lots: ContainerReceiptDeclaredOnward).
// A receipt that stood on a stranded dispatch (the arriving at the end
// of an onward trip whose shipping would leave from where C was not) is
// stranded too, and the container's events after it judged without it.
// A container no remaining event places is not judged (an empty
// container travels unrecorded, ContainerPackingDeclaredMoved). Runs fed
// the container whole are fedRunsStranded's.
func containerEventsStranded(ctx context.Context, s Store, live, declaring []*critmin.Event, declared map[string]bool) ([]StrandedEvent, error) {
	q, ok := s.(eventQuerier)
	if !ok || len(declaring) == 0 {
		return nil, nil
	}
	boxes, first, declOf := declaredContainers(declaring)
	mat := declMaterial(ctx, s)
	var out []StrandedEvent
	for _, c := range boxes {
		packs, err := liveStored(ctx, q, containerEventsFilter(critmin.AggregationEvent, critmin.RoleParent, c), nil)
		if err != nil {
			return nil, err
		}
		moves, err := liveStored(ctx, q, containerEventsFilter(critmin.ObjectEvent, critmin.RoleEPC, c), nil)
		if err != nil {
			return nil, err
		}
		var cands []*critmin.Event
		for _, ev := range append(append([]*critmin.Event(nil), packs...), moves...) {
			if !declared[ev.EventID] && !ev.EventTime.Before(first[c]) {
				cands = append(cands, ev)
			}
		}
		if len(cands) == 0 {
			continue
		}
		sort.SliceStable(cands, func(a, b int) bool { return cands[a].EventTime.Before(cands[b].EventTime) })
		// The record without the declared events (and those found
		// stranded so far), with the document's.
		gone := map[string]bool{}
		after := func() ledger.Holdings {
			var p, m []*critmin.Event
			for _, ev := range packs {
				if !declared[ev.EventID] && !gone[ev.EventID] {
					p = append(p, ev)
				}
			}
			for _, ev := range moves {
				if !declared[ev.EventID] && !gone[ev.EventID] {
					m = append(m, ev)
				}
			}
			for _, ev := range live {
				switch {
				case ev.Type == critmin.AggregationEvent && epcis.Canonical(ev.ParentID) == c:
					p = append(p, ev)
				case ev.Type == critmin.ObjectEvent && namesContainerEPC(ev, c):
					m = append(m, ev)
				}
			}
			sort.SliceStable(p, func(a, b int) bool { return p[a].EventTime.Before(p[b].EventTime) })
			return declHoldings(mat, p, m)
		}
		before := declHoldings(mat, packs, moves)
		for _, ev := range cands {
			step := stepName(ev.BizStep)
			dispatch := ev.Type == critmin.ObjectEvent && atSeaSteps[step]
			receipt := ev.Type == critmin.ObjectEvent && receiptSteps[step]
			site := eventSite(ev)
			if dispatch {
				site, _ = departure(ev)
			}
			if site == "" {
				continue
			}
			was, wasOK, err := before.PlaceAt(c, ev.EventTime, ev)
			if err != nil {
				return nil, err
			}
			h := after()
			now, nowOK, err := h.PlaceAt(c, ev.EventTime, ev)
			if err != nil {
				return nil, err
			}
			if !wasOK || !nowOK {
				continue
			}
			var why string
			switch {
			case receipt:
				// It ended a trip that the declaration leaves: judged
				// by the trip rules (offTripReceipt, checkReceipts);
				// here only when the trip's dispatch was found
				// stranded, so the container stands elsewhere.
				if !was.AtSea || now.AtSea || was.By == nil || !gone[was.By.EventID] {
					continue
				}
				why = fmt.Sprintf("container %s would not be on the trip it ends (the %s %s it rests on would stand on nothing, %s)", c, ledger.EventKind(was.By), was.By.EventID, placeWords(now, nowOK))
			case was.AtSea || epcis.Canonical(was.Site) != site:
				continue // it did not stand on the record as it is: not the declaration's doing
			case !now.AtSea && epcis.Canonical(now.Site) == site:
				continue
			case dispatch && now.AtSea:
				continue // a dispatch from a declared receipt: flagged by the ledger
			default:
				held := ledger.ContentsAt(c, func() []*critmin.Event { p, _ := h.Packings(c); return p }(), ev.EventTime)
				inst, err := h.InstancesAt(c, ev.EventTime)
				if err != nil {
					return nil, err
				}
				if held = append(held, inst...); len(held) == 0 && ev.Type != critmin.AggregationEvent {
					continue // an empty container moves nothing
				}
				why = fmt.Sprintf("container %s would not stand at %s when it was %s there: %s", c, site, pastOfContainer(ev, step), placeWords(now, nowOK))
			}
			gone[ev.EventID] = true
			lot := containerEventLot(ev)
			if lot == "" {
				lot = c
				if held := ledger.ContentsAt(c, packs, ev.EventTime); len(held) > 0 {
					lot = epcis.Canonical(held[0].EPCClass)
				}
			}
			out = append(out, StrandedEvent{Lot: lot, Event: ev, Kind: ledger.EventKind(ev), Declared: declOf[c], Why: why, Refused: true})
		}
	}
	return out, nil
}

// containerEventLot is the first lot ev names (canonical), else "".
func containerEventLot(ev *critmin.Event) string {
	if ids := canonicalLots(ev).LotIDs(); len(ids) > 0 {
		return ids[0]
	}
	return ""
}
