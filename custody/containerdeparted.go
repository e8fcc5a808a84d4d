package custody

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// arriveSteps are the CBV 2.0 steps that bring a container to a site
// again. What sends it away is read as the books read a lot leaving on a
// trip (ledger.Departs: loading, departing, shipping or transporting,
// CBV 2.0 §7.2, the disposition optional, EPCIS 2.0 §7.3.6), so that a
// container loaded onto a vessel is not packed again at the port while
// the books show what it holds at sea (builder trips; it counted only
// shipping and departing).
var arriveSteps = map[string]bool{"receiving": true, "arriving": true, "unloading": true, "accepting": true}

// departs says whether e sends the containers it names away
// (ledger.Departs), not declared in error.
func departs(e *critmin.Event) bool {
	return e.ErrorDeclaration == nil && ledger.Departs(e)
}

// checkPackedAtSea refuses packing into a container that has left: an
// AggregationEvent ADD or OBSERVE whose parent's latest movement dated
// before the packing (its epcList naming the container, stored and not
// declared in error, or anywhere in the document: dates count, not the
// order of the list) is a shipping or departing with no arrival, receipt
// or unloading of it since; and a shipping or departing entered late
// that would leave a recorded packing packing a container at sea. The
// packing is judged at its own eventTime (EPCIS 2.0 §7.3): what was in
// the container when it sailed is what the bill of lading carried (CBV
// 2.0 shipping), so a container packed two days after it sailed would
// hold more on its page than on its bill of lading. The reason names the
// container, its shipping event and bill of lading.
func checkPackedAtSea(ctx context.Context, s Store, live []*critmin.Event, declared map[string]bool) ([]critmin.FieldError, error) {
	q, canQuery := s.(eventQuerier)
	// storedAsRead reads the live stored events matching f (not declared
	// in error, here or before) that keep, as FindEvents gives them.
	storedAsRead := func(f critmin.EventFilter, keep func(*critmin.Event) bool) ([]*critmin.Event, error) {
		var out []*critmin.Event
		if !canQuery {
			return nil, nil
		}
		f.OrderBy, f.OrderAscending, f.Limit = "eventTime", true, 1000
		for {
			page, err := q.FindEvents(ctx, f)
			if err != nil {
				return nil, err
			}
			for _, st := range page.Events {
				if ledger.Live(st) && !declared[st.EventID] && keep(st) {
					out = append(out, st)
				}
			}
			if page.Next == nil {
				return out, nil
			}
			f.After = page.Next
		}
	}
	// stored is storedAsRead with each event decoded whole.
	stored := func(f critmin.EventFilter, keep func(*critmin.Event) bool) ([]*critmin.Event, error) {
		out, err := storedAsRead(f, keep)
		for i, st := range out {
			out[i] = decodeStored(st)
		}
		return out, err
	}
	isMove := func(e *critmin.Event) bool {
		return departs(e) || arriveSteps[stepName(e.BizStep)]
	}
	isPacking := func(e *critmin.Event) bool {
		return e.Type == critmin.AggregationEvent && e.ParentID != "" && (e.Action == "ADD" || e.Action == "OBSERVE") && e.ErrorDeclaration == nil
	}
	isDeparture := departs
	// The document's movements of each container (canonical), in the
	// document's order.
	docMoves := map[string][]*critmin.Event{}
	for _, e := range live {
		if e.ErrorDeclaration != nil || !isMove(e) {
			continue
		}
		named := map[string]bool{}
		for _, x := range e.EPCs {
			if x.Role != critmin.RoleEPC {
				continue
			}
			if c := epcis.Canonical(x.EPC); !named[c] {
				named[c] = true
				docMoves[c] = append(docMoves[c], e)
			}
		}
	}
	// The stored events of every container the checks below ask about,
	// read at once: the movements naming each in an epcList, and the
	// aggregations naming each as parent (the packings a departure
	// entered late may leave at sea). One FindEvents for all of them
	// (per 500), split by the event_epcs keys of each container
	// (sqldb.DB.EventKeysNaming), gives each container what its own
	// query would, in the same order; a store that cannot split them is
	// asked once for each container.
	var movers, parents []string
	for _, ev := range live {
		if isPacking(ev) {
			movers = append(movers, ev.ParentID)
		}
		if isDeparture(ev) {
			for _, x := range ev.EPCs {
				if x.Role == critmin.RoleEPC {
					movers = append(movers, x.EPC)
					parents = append(parents, x.EPC)
				}
			}
		}
	}
	storedMoves, err := storedOfEach(ctx, s, storedAsRead, critmin.EventFilter{}, critmin.RoleEPC, movers, isMove)
	if err != nil {
		return nil, err
	}
	storedPacks, err := storedOfEach(ctx, s, storedAsRead, critmin.EventFilter{EventTypes: []string{string(critmin.AggregationEvent)}}, critmin.RoleParent, parents, func(*critmin.Event) bool { return true })
	if err != nil {
		return nil, err
	}
	moves := map[string][]*critmin.Event{} // container (canonical) → its movements, stored and the document's
	movesOf := func(container string) ([]*critmin.Event, error) {
		c := epcis.Canonical(container)
		if m, ok := moves[c]; ok {
			return m, nil
		}
		var m []*critmin.Event
		if read, ok := storedMoves[c]; ok {
			for _, r := range read {
				m = append(m, r.decoded)
			}
		} else if m, err = stored(critmin.EventFilter{EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{container}, Exact: true}}}, isMove); err != nil {
			return nil, err
		}
		// The document's, whatever their order in it: their dates
		// count, not where they are listed.
		m = append(m, docMoves[c]...)
		sort.SliceStable(m, func(a, b int) bool { return m[a].EventTime.Before(m[b].EventTime) })
		moves[c] = m
		return m, nil
	}
	// lastBefore is the latest of seq dated before at.
	lastBefore := func(seq []*critmin.Event, at time.Time) *critmin.Event {
		var last *critmin.Event
		for _, e := range seq {
			if e.EventTime.Before(at) {
				last = e
			}
		}
		return last
	}
	var out []critmin.FieldError
	for _, ev := range live {
		if !isPacking(ev) {
			continue
		}
		seq, err := movesOf(ev.ParentID)
		if err != nil {
			return nil, err
		}
		last := lastBefore(seq, ev.EventTime)
		if last == nil || !departs(last) {
			continue
		}
		out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/parentID", Reason: fmt.Sprintf(
			"container %s cannot be packed on %s: it left on %s (%s event %s, bill of lading %s) and no arrival, receipt or unloading of it is recorded since; what a container holds when it sails is what its shipping carries (CBV 2.0 shipping, EPCIS 2.0 §7.3.5) — pack it before its shipping event (correct the dates), or record its arrival first",
			ev.ParentID, ev.EventTime.Format(time.RFC3339), last.EventTime.Format(time.RFC3339), stepName(last.BizStep), last.EventID, bolText(last))})
	}
	// A departure entered late may not leave a recorded packing packing
	// a container at sea: the stored packings into each container it
	// sends away, dated after it, each judged as above with it.
	for _, d := range live {
		if !isDeparture(d) {
			continue
		}
		for _, x := range d.EPCs {
			if x.Role != critmin.RoleEPC {
				continue
			}
			after := func(e *critmin.Event) bool { return e.EventTime.After(d.EventTime) }
			var packs []*critmin.Event
			if read, ok := storedPacks[epcis.Canonical(x.EPC)]; ok {
				for _, r := range read {
					if after(r.asRead) {
						packs = append(packs, r.decoded)
					}
				}
			} else if packs, err = stored(critmin.EventFilter{EventTypes: []string{string(critmin.AggregationEvent)}, EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleParent}, Patterns: []string{x.EPC}, Exact: true}}}, after); err != nil {
				return nil, err
			}
			seq, err := movesOf(x.EPC)
			if err != nil {
				return nil, err
			}
			for _, p := range packs {
				if !isPacking(p) || lastBefore(seq, p.EventTime) != d {
					continue
				}
				out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + d.EventID + "/eventTime", Reason: fmt.Sprintf(
					"the %s event %s, dated %s, sends container %s away before its recorded packing %s of %s, which would then pack a container at sea: what a container holds when it sails is what its shipping carries (CBV 2.0 shipping, EPCIS 2.0 §7.3.5) — correct the dates, or declare the packing in error first",
					stepName(d.BizStep), d.EventID, d.EventTime.Format(time.RFC3339), x.EPC, p.EventID, p.EventTime.Format(time.RFC3339))})
				break
			}
		}
	}
	return out, nil
}

// eventKeysNamer is the part of a store that says which stored events
// name an identifier in a role (sqldb.DB.EventKeysNaming).
type eventKeysNamer interface {
	EventKeysNaming(ctx context.Context, role string, ids []string) (map[string]map[int64]bool, error)
}

// readEvent is a stored event as FindEvents gave it and decoded whole
// (decodeStored).
type readEvent struct {
	asRead, decoded *critmin.Event
}

// storedOfEach reads, for each identifier of ids, the stored events that
// read (a FindEvents loop applying keep to each event as read) selects
// with f and an exact EPCMatch of the identifier in role, keyed by its
// canonical form: one read for up to 500 identifiers, the answer split by
// the event_epcs keys naming each (eventKeysNamer), so each identifier
// gets the events, in the order, that its own read would give. Nil when
// the store cannot split an answer (the caller then reads each alone).
func storedOfEach(ctx context.Context, s Store, read func(critmin.EventFilter, func(*critmin.Event) bool) ([]*critmin.Event, error), f critmin.EventFilter, role string, ids []string, keep func(*critmin.Event) bool) (map[string][]readEvent, error) {
	namer, ok := s.(eventKeysNamer)
	if _, canQuery := s.(eventQuerier); !ok || !canQuery {
		return nil, nil
	}
	seen := map[string]bool{}
	var distinct []string // one spelling of each canonical form
	for _, id := range ids {
		if c := epcis.Canonical(id); !seen[c] {
			seen[c] = true
			distinct = append(distinct, id)
		}
	}
	out := map[string][]readEvent{}
	decoded := map[*critmin.Event]*critmin.Event{}
	const chunk = 500
	for start := 0; start < len(distinct); start += chunk {
		part := distinct[start:min(start+chunk, len(distinct))]
		keys, err := namer.EventKeysNaming(ctx, role, part)
		if err != nil {
			return nil, err
		}
		pf := f
		pf.EPCMatches = []critmin.EPCMatch{{Roles: []string{role}, Patterns: part, Exact: true}}
		evs, err := read(pf, keep)
		if err != nil {
			return nil, err
		}
		for _, id := range part {
			c := epcis.Canonical(id)
			list := []readEvent{}
			for _, st := range evs {
				if !keys[c][st.PK] {
					continue
				}
				d, ok := decoded[st]
				if !ok {
					d = decodeStored(st)
					decoded[st] = d
				}
				list = append(list, readEvent{asRead: st, decoded: d})
			}
			out[c] = list
		}
	}
	return out, nil
}

// bolText is ev's bill of lading, or "none stated".
func bolText(ev *critmin.Event) string {
	if b := bolOf(ev); b != "" {
		return b
	}
	return "none stated"
}
