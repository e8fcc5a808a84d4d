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

// A run fed a container whole consumed what the container held where it
// stood (issues 8 §2 and 9, new-user check n8b item 7, fixPa): the
// packing that put a lot in the container, and the shipment and receipt
// that brought the container to the run's site, are what the run rests
// on. Declared in error, the run would have consumed a container that
// held nothing of the lot, or one that stood elsewhere — it took from
// nothing, and a metal accountant's account of it would not close. Such
// a declaration is refused (409) naming the run, as every other event
// left standing on nothing (checkDependents); declared with the run it
// is taken.

// fedRunsStranded lists the recorded live runs that fed, whole, a
// container that an event of declaring packs, unpacks or moves by its
// own identifier (parentID, epcList), dated at or after that event, and
// that the declaration would leave standing on nothing: the container
// stood at the run's site when it ran and would not (ledger.Holdings
// PlaceAt without the declared events, with the document's live
// events), or it would hold less of a lot than it held then
// (ledger.ContentsAt), or more of a lot than it held then when the lot
// no longer holds the difference (lotLacks: later events took it — an
// unpacking declared in error after a run took the loose rest, n8c s7
// b). The runs the document declares are not listed.
func fedRunsStranded(ctx context.Context, s Store, live, declaring []*critmin.Event, declared map[string]bool) ([]StrandedEvent, error) {
	q, ok := s.(eventQuerier)
	if !ok || len(declaring) == 0 {
		return nil, nil
	}
	boxes, first, declOf := declaredContainers(declaring)
	find := func(typ, role, c string) ([]*critmin.Event, error) {
		return liveStored(ctx, q, containerEventsFilter(typ, role, c), nil)
	}
	mat := declMaterial(ctx, s)
	var out []StrandedEvent
	seen := map[string]bool{}
	for _, c := range boxes {
		runs, err := find(critmin.TransformationEvent, critmin.RoleInput, c)
		if err != nil {
			return nil, err
		}
		var fed []*critmin.Event
		for _, r := range runs {
			if !declared[r.EventID] && !seen[r.EventID] && !r.EventTime.Before(first[c]) {
				fed = append(fed, r)
			}
		}
		if len(fed) == 0 {
			continue
		}
		packs, err := find(critmin.AggregationEvent, critmin.RoleParent, c)
		if err != nil {
			return nil, err
		}
		moves, err := find(critmin.ObjectEvent, critmin.RoleEPC, c)
		if err != nil {
			return nil, err
		}
		// The record without the declared events, with the document's.
		var packsAfter, movesAfter []*critmin.Event
		for _, ev := range packs {
			if !declared[ev.EventID] {
				packsAfter = append(packsAfter, ev)
			}
		}
		for _, ev := range moves {
			if !declared[ev.EventID] {
				movesAfter = append(movesAfter, ev)
			}
		}
		for _, ev := range live {
			switch {
			case ev.Type == critmin.AggregationEvent && epcis.Canonical(ev.ParentID) == c:
				packsAfter = append(packsAfter, ev)
			case ev.Type == critmin.ObjectEvent && namesContainerEPC(ev, c):
				movesAfter = append(movesAfter, ev)
			}
		}
		before, after := declHoldings(mat, packs, moves), declHoldings(mat, packsAfter, movesAfter)
		sort.SliceStable(packsAfter, func(a, b int) bool { return packsAfter[a].EventTime.Before(packsAfter[b].EventTime) })
		for _, r := range fed {
			site := epcis.Canonical(eventSite(r))
			was, wasOK, err := before.PlaceAt(c, r.EventTime, r)
			if err != nil {
				return nil, err
			}
			now, nowOK, err := after.PlaceAt(c, r.EventTime, r)
			if err != nil {
				return nil, err
			}
			held := ledger.ContentsAt(c, packs, r.EventTime)
			// The commissioned instances (a bag by SGTIN) it held: each
			// a line of no quantity, consumed whole (fixQx).
			inst, err := before.InstancesAt(c, r.EventTime)
			if err != nil {
				return nil, err
			}
			instNow, err := after.InstancesAt(c, r.EventTime)
			if err != nil {
				return nil, err
			}
			held = append(held, inst...)
			left := map[string]float64{}
			for _, l := range ledger.ContentsAt(c, packsAfter, r.EventTime) {
				if l.Quantity != nil {
					left[epcis.Canonical(l.EPCClass)] += *l.Quantity
				}
			}
			stood := wasOK && !was.AtSea && was.Site == site
			why, lot := "", ""
			for _, l := range held {
				instance := l.Role == critmin.RoleEPC && l.Quantity == nil
				if !instance && (l.Quantity == nil || *l.Quantity <= 0) {
					continue
				}
				k := epcis.Canonical(l.EPCClass)
				if lot == "" {
					lot = k
				}
				if stood && !(nowOK && !now.AtSea && now.Site == site) {
					why = fmt.Sprintf("the container %s it was fed whole would not stand at %s when it ran (%s), so it would have consumed what stood elsewhere", c, eventSite(r), placeWords(now, nowOK))
					break
				}
				if instance {
					if !containsLine(instNow, k) {
						lot = k
						why = fmt.Sprintf("the container %s it was fed whole would not hold %s when it ran, which it consumed (a commissioned instance, material of its own), so it would have taken from nothing", c, k)
						break
					}
					continue
				}
				if got := left[k]; got < *l.Quantity*(1-ledger.PartTolerance)-1e-9 && !restates(live, c, k, r.EventTime) {
					lot = k
					why = fmt.Sprintf("the container %s it was fed whole would hold %s of lot %s when it ran, not the %s it consumed, so it would have taken from nothing", c, kgWords(got, l.UOM), k, kgWords(*l.Quantity, l.UOM))
					break
				} else if got > *l.Quantity*(1+ledger.PartTolerance)+1e-9 {
					// More in the container (an unpacking declared in
					// error, n8c s7 b): the run would consume the
					// difference too, which later events of the lot
					// drew on unless the lot still holds it.
					short, err := lotLacks(ctx, s, k, got-*l.Quantity, l.UOM)
					if err != nil {
						return nil, err
					}
					if short {
						lot = k
						why = fmt.Sprintf("the container %s it was fed whole would hold %s of lot %s when it ran, not the %s it consumed, so it would consume %s more, which the lot no longer holds: the later events that took it would have taken from nothing", c, kgWords(got, l.UOM), k, kgWords(*l.Quantity, l.UOM), kgWords(got-*l.Quantity, l.UOM))
						break
					}
				}
			}
			if why == "" {
				continue
			}
			seen[r.EventID] = true
			out = append(out, StrandedEvent{Lot: lot, Event: r, Kind: ledger.EventKind(r), Declared: declOf[c], Why: why, Refused: true})
		}
	}
	return out, nil
}

// declMaterial is ledger.Holdings.Material for the declaration checks
// of containers, read as capture reads it (contentsJudge.commissioned):
// an instance commissioned as a lot of its own (a bag by SGTIN) is
// material, not an empty container (fixQx).
func declMaterial(ctx context.Context, s Store) func(string) (bool, error) {
	return newContentsJudge(ctx, s, nil).commissioned
}

// declHoldings is the one holdings reading of the declaration checks of
// containers (fedRunsStranded, containerEventsStranded): a container's
// packings p and movements m (the record with or without the declared
// events), its commissioned instances read by mat (declMaterial).
func declHoldings(mat func(string) (bool, error), p, m []*critmin.Event) ledger.Holdings {
	return ledger.Holdings{
		Packings: func(string) ([]*critmin.Event, error) { return p, nil },
		Moves:    func(string) ([]*critmin.Event, error) { return m, nil },
		Material: mat,
	}
}

// containsLine says whether lines name k (canonical).
func containsLine(lines []critmin.QuantityElement, k string) bool {
	for _, l := range lines {
		if epcis.Canonical(l.EPCClass) == k {
			return true
		}
	}
	return false
}

// restates says whether the document's live events give a packing of
// lot k (canonical) into container c (canonical) dated at or before
// at: a corrective packing (n8e-5, fixQa). A run fed c whole then rests
// on it and consumes what it put in — its contents are recomputed when
// the document is stored (sqldb recontain) — rather than standing on
// nothing: a packing of 4 t declared in error with a corrective of 3 t
// under a run fed the container whole leaves the run taking 3 t.
func restates(live []*critmin.Event, c, k string, at time.Time) bool {
	for _, ev := range live {
		if ev.Type != critmin.AggregationEvent || ev.Action != "ADD" || ev.ErrorDeclaration != nil ||
			epcis.Canonical(ev.ParentID) != c || ev.EventTime.After(at) {
			continue
		}
		for _, ch := range ledger.Children(ev) {
			if ch.Class && ch.Child == k {
				return true
			}
		}
	}
	return false
}

// namesContainerEPC says whether ObjectEvent ev names container c
// (canonical) in its epcList.
func namesContainerEPC(ev *critmin.Event, c string) bool {
	for _, e := range ev.EPCs {
		if e.Role == critmin.RoleEPC && epcis.Canonical(e.EPC) == c {
			return true
		}
	}
	return false
}

// placeWords words where a container would stand (ledger.Place).
func placeWords(p ledger.Place, ok bool) string {
	switch {
	case !ok:
		return "no standing event would place it anywhere"
	case p.AtSea && p.Bill != "":
		return "it would be at sea under bill of lading " + p.Bill
	case p.AtSea:
		return "it would be at sea"
	default:
		return "it would stand at " + p.Site
	}
}

// kgWords words a quantity of uom in tonnes ("4.000 t"), else as stated.
func kgWords(q float64, uom string) string {
	if t, err := units.ToTonnes(q, uom); err == nil {
		return Tonnes(t) + " t"
	}
	return strings.TrimSpace(units.Plain(q) + " " + uom)
}

// fedRunMovesStranded lists, for each run the document declares in error
// that fed a container whole, the first recorded live movement of that
// container by its own identifier (ledger.MovesContents) dated at or
// after the run and before the next live run fed it whole, when the
// container held a lot at the run (ledger.ContentsAt) — n8c s16. The run
// emptied the container; the movement's contents were fixed when it was
// captured (event_contents), so it carried the container empty. Declared
// alone, the run would put the lot back in the container before it moved:
// the movement would have carried what its contents say it did not (the
// lot read whole at the run's site, the shipment page held it at sea, and
// the container's receipt under the onward bill was refused). Refused
// (409) naming the movement, as a run captured dated before a recorded
// movement is (checkContentsChanged, fedBeforeMove); declared with the
// movement, the run is taken. The movements the document declares are
// not listed.
func fedRunMovesStranded(ctx context.Context, s Store, declaring []*critmin.Event, declared map[string]bool) ([]StrandedEvent, error) {
	q, ok := s.(eventQuerier)
	if !ok {
		return nil, nil
	}
	find := func(typ, role, c string) ([]*critmin.Event, error) {
		return liveStored(ctx, q, containerEventsFilter(typ, role, c), declared)
	}
	var out []StrandedEvent
	seen := map[string]bool{}
	for _, r := range declaring {
		if r.Type != critmin.TransformationEvent {
			continue
		}
		var boxes []string
		for _, e := range r.EPCs {
			if k := epcis.Canonical(e.EPC); e.Role == critmin.RoleInput && k != "" && !containsID(boxes, k) {
				boxes = append(boxes, k)
			}
		}
		sort.Strings(boxes)
		for _, c := range boxes {
			packs, err := find(critmin.AggregationEvent, critmin.RoleParent, c)
			if err != nil {
				return nil, err
			}
			lot, held := "", 0.0
			uom := ""
			for _, l := range ledger.ContentsAt(c, packs, r.EventTime) {
				if l.Quantity != nil && *l.Quantity > 0 {
					lot, held, uom = epcis.Canonical(l.EPCClass), *l.Quantity, l.UOM
					break
				}
			}
			if lot == "" {
				continue
			}
			// Up to the next live run fed the container whole: it would
			// empty the container again.
			runs, err := find(critmin.TransformationEvent, critmin.RoleInput, c)
			if err != nil {
				return nil, err
			}
			var until time.Time
			for _, o := range runs {
				if o.EventID != r.EventID && o.EventTime.After(r.EventTime) && (until.IsZero() || o.EventTime.Before(until)) {
					until = o.EventTime
				}
			}
			moves, err := find(critmin.ObjectEvent, critmin.RoleEPC, c)
			if err != nil {
				return nil, err
			}
			for _, m := range moves {
				if !ledger.MovesContents(m) || m.EventTime.Before(r.EventTime) || !until.IsZero() && !m.EventTime.Before(until) {
					continue
				}
				if !seen[m.EventID] {
					seen[m.EventID] = true
					why := fmt.Sprintf("the run fed container %s whole at %s and emptied it, so this movement carried it empty; without the run the container would hold %s of lot %s when it moved, which the movement's recorded contents do not carry (a movement carries what the container held when it was captured)",
						c, r.EventTime.UTC().Format(time.RFC3339), kgWords(held, uom), lot)
					out = append(out, StrandedEvent{Lot: lot, Event: m, Kind: ledger.EventKind(m), Declared: []string{r.EventID}, Why: why, Refused: true})
				}
				break
			}
		}
	}
	return out, nil
}

// lotLacks says whether lot holds less than extra (of uom) where it
// stands — left at its site and in the parts received elsewhere, not
// what is in transit: a run consuming extra more of it would leave the
// later events that took the rest on nothing.
func lotLacks(ctx context.Context, s Store, lot string, extra float64, uom string) (bool, error) {
	t, err := units.ToTonnes(extra, uom)
	if err != nil {
		return false, nil
	}
	got, err := s.FindLotsByID(ctx, []string{lot})
	if err != nil || len(got) == 0 {
		return false, err
	}
	l := got[0]
	standing := l.RemainingWetTonnes() + l.PartsTonnes() - l.InTransitTonnes()
	return standing < t*(1-ledger.PartTolerance)-1e-9, nil
}

// liveStored pages through the stored events filter f finds (a page of
// f.Limit at a time) and returns the live ones (ledger.Live), decoded,
// but for those whose eventID skip holds (nil: none), in the order the
// store gives them.
func liveStored(ctx context.Context, q eventQuerier, f critmin.EventFilter, skip map[string]bool) ([]*critmin.Event, error) {
	var out []*critmin.Event
	for {
		page, err := q.FindEvents(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, st := range page.Events {
			if ledger.Live(st) && !skip[st.EventID] {
				out = append(out, decodeStored(st))
			}
		}
		if page.Next == nil {
			return out, nil
		}
		f.After = page.Next
	}
}

// containerEventsFilter finds the events of type typ naming container c
// (canonical) exactly in role (critmin.RoleParent, RoleEPC, RoleInput),
// oldest first, 1,000 a page.
func containerEventsFilter(typ, role, c string) critmin.EventFilter {
	return critmin.EventFilter{EventTypes: []string{typ}, OrderBy: "eventTime", OrderAscending: true, Limit: 1000,
		EPCMatches: []critmin.EPCMatch{{Roles: []string{role}, Patterns: []string{c}, Exact: true}}}
}

// declaredContainers lists, sorted, the canonical identifiers of the
// containers the events of declaring pack or unpack (parentID) or move
// by their own identifier (epcList), each with the earliest time such an
// event is dated (first) and the IDs of those events (declOf).
func declaredContainers(declaring []*critmin.Event) (boxes []string, first map[string]time.Time, declOf map[string][]string) {
	first = map[string]time.Time{}
	declOf = map[string][]string{}
	touch := func(c string, d *critmin.Event) {
		k := epcis.Canonical(c)
		if k == "" {
			return
		}
		if f, ok := first[k]; !ok || d.EventTime.Before(f) {
			if !ok {
				boxes = append(boxes, k)
			}
			first[k] = d.EventTime
		}
		if !containsID(declOf[k], d.EventID) {
			declOf[k] = append(declOf[k], d.EventID)
		}
	}
	for _, d := range declaring {
		switch d.Type {
		case critmin.AggregationEvent:
			if d.ParentID != "" {
				touch(d.ParentID, d)
			}
		case critmin.ObjectEvent:
			for _, e := range d.EPCs {
				if e.Role == critmin.RoleEPC {
					touch(e.EPC, d)
				}
			}
		}
	}
	sort.Strings(boxes)
	return boxes, first, declOf
}
