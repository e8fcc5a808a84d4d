package custody

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// checkContentsChanged refuses an event that, dated at or before a
// recorded movement of a container by its own identifier
// (ledger.MovesContents), would change what that movement carried
// (nu37-3, -4): the movement's contents are fixed when it is captured
// (event_contents), so a packing or unpacking of the container, or a run
// consuming whole a lot the movement carried in it, captured later but
// dated before it would leave the movement carrying a lot the record no
// longer has in the container (a lot received at the destination though
// packed after the container left; a lot consumed at its site while its
// bill of lading lists it shipped). Against stored movements the refusal
// is a conflict (409); against a movement earlier in the same document a
// 400. The way out is to declare the movement in error and capture it
// again after the packing or run. An event the store already holds (a
// document re-sent) is not judged again. live are the document's live
// events in document order (with contents, contentsJudge); hidden the
// stored events it declares in error.
func checkContentsChanged(ctx context.Context, s Store, live []*critmin.Event, hidden map[string]bool, cj *contentsJudge) ([]critmin.FieldError, error) {
	q, canQuery := s.(eventQuerier)
	if canQuery && len(hidden) > 0 {
		q = withoutEvents{s, hidden}
	}
	ef, _ := s.(EventFinder)
	// The packings and runs of the document the store may hold, read
	// together (eventIDsMaybeStored); only those are asked of
	// FindEventsByID one by one.
	var maybe map[string]bool
	if ms, ok := s.(eventIDsMaybeStored); ok && ef != nil {
		var ids []string
		for _, ev := range live {
			if ev.EventID != "" && ((ev.Type == critmin.AggregationEvent && ev.ParentID != "") || ev.Type == critmin.TransformationEvent) {
				ids = append(ids, ev.EventID)
			}
		}
		var err error
		if maybe, err = ms.EventIDsMaybeStored(ctx, ids); err != nil {
			return nil, err
		}
	}
	stored := func(ev *critmin.Event) (bool, error) {
		if ef == nil || ev.EventID == "" {
			return false, nil
		}
		if maybe != nil && !maybe[ev.EventID] {
			return false, nil
		}
		got, err := ef.FindEventsByID(ctx, ev.EventID)
		if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
			return false, err
		}
		return len(got) > 0, nil
	}
	// The store keys of the events naming, in their epcList, each
	// container the document packs or unpacks, read together
	// (eventKeysNamer): a container none names has no movement to read.
	var named map[string]map[int64]bool
	if namer, ok := s.(eventKeysNamer); ok && canQuery {
		seen := map[string]bool{}
		var containers []string
		for _, ev := range live {
			if ev.Type == critmin.AggregationEvent && ev.ParentID != "" {
				if c := epcis.Canonical(ev.ParentID); !seen[c] {
					seen[c] = true
					containers = append(containers, c)
				}
			}
		}
		named = map[string]map[int64]bool{}
		for start := 0; start < len(containers); start += 500 {
			part := containers[start:min(start+500, len(containers))]
			keys, err := namer.EventKeysNaming(ctx, critmin.RoleEPC, part)
			if err != nil {
				return nil, err
			}
			for _, c := range part {
				named[c] = keys[c]
				if named[c] == nil {
					named[c] = map[int64]bool{}
				}
			}
		}
	}
	// movements is the live stored events moving container at or after at.
	movements := func(container string, at time.Time) ([]*critmin.Event, error) {
		if !canQuery {
			return nil, nil
		}
		if keys, ok := named[container]; ok && len(keys) == 0 {
			return nil, nil
		}
		page, err := q.FindEvents(ctx, critmin.EventFilter{EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{container}, Exact: true}}, Limit: 1000})
		if err != nil {
			return nil, err
		}
		var out []*critmin.Event
		for _, st := range page.Events {
			if d := decodeStored(st); ledger.Live(st) && ledger.MovesContents(d) && !d.EventTime.Before(at) {
				out = append(out, d)
			}
		}
		return out, nil
	}
	// The stored packings of each lot the document's runs take, read
	// together (classPagesFinder; carriedAfter).
	var packedLots map[string]*critmin.EventPage
	if each, ok := s.(classPagesFinder); ok && canQuery {
		seen := map[string]bool{}
		var lots []string
		for _, ev := range live {
			if ev.Type != critmin.TransformationEvent {
				continue
			}
			for _, in := range ev.Quantities {
				if lot := epcis.Canonical(in.EPCClass); in.Role == critmin.RoleInput && !seen[lot] {
					seen[lot] = true
					lots = append(lots, lot)
				}
			}
		}
		packedLots = map[string]*critmin.EventPage{}
		err := each.FindEventsOfEachClass(ctx, lotPackingsFilter(), []string{critmin.RoleChild}, lots, func(lot string, page *critmin.EventPage) error {
			// As q gives it: less the stored events the document
			// declares in error (withoutEvents).
			kept := &critmin.EventPage{Next: page.Next}
			for _, st := range page.Events {
				if !hidden[st.EventID] {
					kept.Events = append(kept.Events, st)
				}
			}
			packedLots[lot] = kept
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	// Where in live the events moving each container (canonical) by its
	// own identifier are, and those that carried each lot (canonical) in
	// a container (contentsJudge), in document order: an event is judged
	// against those before it.
	movers := map[string][]int{}
	carriers := map[string][]int{}
	feeders := map[string][]int{} // runs fed each container whole
	for k, m := range live {
		if m.Type == critmin.TransformationEvent {
			// Its inputEPCList, or, read with contents, the containers
			// it took lots through (contentsJudge.via).
			fed := map[string]bool{}
			for _, e := range m.EPCs {
				if e.Role == critmin.RoleInput {
					fed[epcis.Canonical(e.EPC)] = true
				}
			}
			if cj != nil {
				for _, via := range cj.via[m] {
					for _, c := range via {
						fed[epcis.Canonical(c)] = true
					}
				}
			}
			for c := range fed {
				feeders[c] = append(feeders[c], k)
			}
		}
		if ledger.MovesContents(m) {
			for _, e := range m.EPCs {
				if e.Role != critmin.RoleEPC {
					continue
				}
				c := epcis.Canonical(e.EPC)
				if n := len(movers[c]); n == 0 || movers[c][n-1] != k {
					movers[c] = append(movers[c], k)
				}
			}
		}
		if cj != nil {
			for lot, via := range cj.via[m] {
				if len(via) > 0 {
					carriers[lot] = append(carriers[lot], k)
				}
			}
		}
	}
	var out []critmin.FieldError
	for i, ev := range live {
		switch {
		case ev.Type == critmin.AggregationEvent && ev.ParentID != "":
			c := epcis.Canonical(ev.ParentID)
			if known, err := stored(ev); err != nil || known {
				if err != nil {
					return nil, err
				}
				continue
			}
			for _, k := range movers[c] {
				if m := live[k]; k < i && !m.EventTime.Before(ev.EventTime) {
					out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("event %s/eventTime", ev.EventID), Reason: packingChangesWords(ev, m, "earlier in this document") + "; put the packing before the movement in the document, or correct its date"})
					break
				}
			}
			// A run earlier in the document fed the container whole,
			// dated at or after this event: its contents were read
			// without it (builder packlater).
			for _, k := range feeders[c] {
				if r := live[k]; k < i && !r.EventTime.Before(ev.EventTime) {
					out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("event %s/eventTime", ev.EventID), Reason: fmt.Sprintf("this %s (event %s) of container %s at %s is dated at or before the run %s at %s earlier in this document, which was fed the container whole and consumed what it held when read: it would change what that run consumed (CBV 2.0: a transformation's inputs are what it consumes); put the %s before the run in the document, or correct its date",
						packingVerb(ev), ev.EventID, ev.ParentID, ev.EventTime.Format(time.RFC3339), r.EventID, r.EventTime.Format(time.RFC3339), packingVerb(ev))})
					break
				}
			}
			ms, err := movements(c, ev.EventTime)
			if err != nil {
				return nil, err
			}
			if len(ms) > 0 {
				out = append(out, critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/eventTime", ev.EventID), Reason: packingChangesWords(ev, ms[0], "recorded") + "; declare the movement in error and capture it again after the packing, or correct the packing's date"})
			} else if cj != nil {
				// Dated before a recorded run fed the container whole,
				// it may not leave that run fed it empty.
				fe, err := cj.emptiesStoredRun(ev)
				if err != nil {
					return nil, err
				}
				if fe != nil {
					out = append(out, *fe)
				}
			}
		case ev.Type == critmin.TransformationEvent:
			if known, err := stored(ev); err != nil || known {
				if err != nil {
					return nil, err
				}
				continue
			}
			if fe, err := fedBeforeMove(ctx, s, ev, cj, movements); err != nil {
				return nil, err
			} else if fe != nil {
				out = append(out, *fe)
				continue
			}
			for _, in := range ev.Quantities {
				if in.Role != critmin.RoleInput {
					continue
				}
				lot := epcis.Canonical(in.EPCClass)
				// A movement earlier in the document that carried lot in
				// a container, when the document leaves lot consumed.
				if cj != nil && cj.lots[lot] != nil && cj.lots[lot].Status == critmin.LotConsumed {
					for _, k := range carriers[lot] {
						if m := live[k]; k < i && !m.EventTime.Before(ev.EventTime) {
							out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("event %s/eventTime", ev.EventID), Reason: fmt.Sprintf("lot %s is consumed whole by this run at %s, but the movement %s at %s earlier in this document carries it in container %s afterwards: a consumed lot never moves; put the run before the movement in the document, or correct its date",
								lot, ev.EventTime.Format(time.RFC3339), m.EventID, m.EventTime.Format(time.RFC3339), containersWords(m))})
							break
						}
					}
				}
				m, err := carriedAfter(ctx, s, q, canQuery, packedLots[lot], lot, ev.EventTime, movements)
				if err != nil {
					return nil, err
				}
				if m == nil {
					continue
				}
				whole, err := consumesWhole(ctx, s, lot, in)
				if err != nil {
					return nil, err
				}
				if whole {
					out = append(out, critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/eventTime", ev.EventID), Reason: fmt.Sprintf("lot %s is consumed whole by this run at %s, but the recorded movement %s at %s carried it in container %s afterwards: a consumed lot never moves, and a run dated before a recorded movement cannot change what it carried; declare the movement in error and capture it again, or correct the run's date",
						lot, ev.EventTime.Format(time.RFC3339), m.EventID, m.EventTime.Format(time.RFC3339), containersWords(m))})
				}
			}
		}
	}
	return out, nil
}

// packingChangesWords says that packing p changes what movement m
// (where: "recorded", "earlier in this document") carried.
func packingChangesWords(p, m *critmin.Event, where string) string {
	return fmt.Sprintf("this %s of container %s at %s is dated at or before the %s movement %s of the container at %s: it would change what that movement carried (a movement carries what the container held when it was captured)",
		packingVerb(p), p.ParentID, p.EventTime.Format(time.RFC3339), where, m.EventID, m.EventTime.Format(time.RFC3339))
}

func packingVerb(p *critmin.Event) string {
	if p.Action == "DELETE" {
		return "unpacking"
	}
	return "packing"
}

// containersWords is the containers m names in its epcList.
func containersWords(m *critmin.Event) string {
	var cs string
	for _, e := range m.EPCs {
		if e.Role == critmin.RoleEPC {
			if cs != "" {
				cs += ", "
			}
			cs += e.EPC
		}
	}
	return cs
}

// carriedAfter is a live stored movement, at or after at, of a container
// lot was packed in (stored packings) whose stored contents carry lot;
// nil when none.
//
// packed is lot's stored packings (lotPackingsFilter with an exact
// ClassMatch of lot as child, as q gives them) when read already; nil to
// read them here.
func carriedAfter(ctx context.Context, s Store, q eventQuerier, canQuery bool, packed *critmin.EventPage, lot string, at time.Time, movements func(string, time.Time) ([]*critmin.Event, error)) (*critmin.Event, error) {
	if !canQuery {
		return nil, nil
	}
	page := packed
	if page == nil {
		f := lotPackingsFilter()
		f.ClassMatches = []critmin.EPCMatch{{Roles: []string{critmin.RoleChild}, Patterns: []string{lot}, Exact: true}}
		var err error
		if page, err = q.FindEvents(ctx, f); err != nil {
			return nil, err
		}
	}
	seen := map[string]bool{}
	for _, st := range page.Events {
		p := decodeStored(st)
		if !ledger.Live(st) || p.ParentID == "" || seen[epcis.Canonical(p.ParentID)] {
			continue
		}
		c := epcis.Canonical(p.ParentID)
		seen[c] = true
		ms, err := movements(c, at)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if ok, err := storedCarried(ctx, s, m, lot); err != nil || ok {
				return m, err
			}
		}
	}
	return nil, nil
}

// consumesWhole says whether run input line in takes all of lot there is
// (what stands at its site, its parts and what is in transit): a line
// stating no quantity, or a mass not below the lot's.
func consumesWhole(ctx context.Context, s Store, lot string, in critmin.QuantityElement) (bool, error) {
	if in.Quantity == nil {
		return true, nil
	}
	t, err := units.ToTonnes(*in.Quantity, in.UOM)
	if err != nil {
		return false, nil
	}
	got, err := s.FindLotsByID(ctx, []string{lot})
	if err != nil || len(got) == 0 {
		return false, err
	}
	l := got[0]
	all := l.RemainingWetTonnes() + l.PartsTonnes() + l.InTransitTonnes()
	return t >= all-1e-9, nil
}

// lotPackingsFilter is the filter that reads the stored packings of a lot (with an exact
// ClassMatch of it as child): the first 1,000.
func lotPackingsFilter() critmin.EventFilter {
	return critmin.EventFilter{EventTypes: []string{critmin.AggregationEvent}, Limit: 1000}
}

// eventIDsMaybeStored is the part of a store that says which of many
// eventIDs it may hold, at least every one FindEventsByID finds
// (sqldb.DB.EventIDsMaybeStored).
type eventIDsMaybeStored interface {
	EventIDsMaybeStored(ctx context.Context, ids []string) (map[string]bool, error)
}

// fedBeforeMove refuses run ev fed a container whole (its contents,
// contentsJudge: cj.via) when a recorded movement of that container
// (movements: live stored events moving it at or after ev's time)
// carried a lot the run takes through it: dated before that movement,
// the run would change what the movement carried — the container
// emptied before it left, while its bill of lading lists what it held
// (n8c s11 a: A 6 t in C1 and 4 t in C2 at Karachi, [C1] shipped on to
// Houston on Feb 10; a run fed C1 dated Feb 8, captured after, took 4 t
// and left 6 t in transit and nothing at Karachi). A conflict (409)
// naming the movement; nil when none.
func fedBeforeMove(ctx context.Context, s Store, ev *critmin.Event, cj *contentsJudge, movements func(string, time.Time) ([]*critmin.Event, error)) (*critmin.FieldError, error) {
	if cj == nil {
		return nil, nil
	}
	byBox := map[string][]string{} // container → lots taken through it
	var boxes []string
	for lot, via := range cj.via[ev] {
		for _, c := range via {
			k := epcis.Canonical(c)
			if byBox[k] == nil {
				boxes = append(boxes, k)
			}
			byBox[k] = append(byBox[k], lot)
		}
	}
	sort.Strings(boxes)
	for _, c := range boxes {
		sort.Strings(byBox[c])
		ms, err := movements(c, ev.EventTime)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			for _, lot := range byBox[c] {
				carried, err := storedCarried(ctx, s, m, lot)
				if err != nil {
					return nil, err
				}
				if carried {
					return &critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/eventTime", ev.EventID), Reason: fmt.Sprintf("this run feeds container %s whole at %s, but the recorded movement %s at %s carried lot %s in it afterwards: a run dated before a recorded movement cannot change what it carried (a movement carries what the container held when it was captured); declare the movement in error and capture it again after the run, or correct the run's date",
						c, ev.EventTime.Format(time.RFC3339), m.EventID, m.EventTime.Format(time.RFC3339), lot)}, nil
				}
			}
		}
	}
	return nil, nil
}
