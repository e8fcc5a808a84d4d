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

// departSteps are the CBV 2.0 steps after which a container is no longer
// where it was packed (shipping: "the vessel sailed"; departing: it left
// the site); arriveSteps those that bring it to a site again. Loading
// onto a vessel leaves it at the port.
var (
	departSteps = map[string]bool{"shipping": true, "departing": true}
	arriveSteps = map[string]bool{"receiving": true, "arriving": true, "unloading": true, "accepting": true}
)

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
	// stored reads the live stored events matching f (not declared in
	// error, here or before) that keep.
	stored := func(f critmin.EventFilter, keep func(*critmin.Event) bool) ([]*critmin.Event, error) {
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
					out = append(out, decodeStored(st))
				}
			}
			if page.Next == nil {
				return out, nil
			}
			f.After = page.Next
		}
	}
	isMove := func(e *critmin.Event) bool {
		return departSteps[stepName(e.BizStep)] || arriveSteps[stepName(e.BizStep)]
	}
	moves := map[string][]*critmin.Event{} // container (canonical) → its movements, stored and the document's
	movesOf := func(container string) ([]*critmin.Event, error) {
		c := epcis.Canonical(container)
		if m, ok := moves[c]; ok {
			return m, nil
		}
		m, err := stored(critmin.EventFilter{EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{container}, Exact: true}}}, isMove)
		if err != nil {
			return nil, err
		}
		// The document's, whatever their order in it: their dates
		// count, not where they are listed.
		for _, e := range live {
			if e.ErrorDeclaration == nil && isMove(e) && namesEPC(e, c) {
				m = append(m, e)
			}
		}
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
	isPacking := func(e *critmin.Event) bool {
		return e.Type == critmin.AggregationEvent && e.ParentID != "" && (e.Action == "ADD" || e.Action == "OBSERVE") && e.ErrorDeclaration == nil
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
		if last == nil || !departSteps[stepName(last.BizStep)] {
			continue
		}
		out = append(out, critmin.FieldError{Pointer: "event " + ev.EventID + "/parentID", Reason: fmt.Sprintf(
			"container %s cannot be packed on %s: it left on %s (%s event %s, bill of lading %s) and no arrival, receipt or unloading of it is recorded since; what a container holds when it sails is what its shipping carries (CBV 2.0 shipping, EPCIS 2.0 §7.3.5) — pack it before its shipping event (correct the dates), or record its arrival first",
			ev.ParentID, ev.EventTime.Format(time.RFC3339), last.EventTime.Format(time.RFC3339), stepName(last.BizStep), last.EventID, bolText(last))})
	}
	// A departure entered late may not leave a recorded packing packing
	// a container at sea: the stored packings into each container it
	// sends away, dated after it, each judged as above with it.
	for _, d := range live {
		if d.ErrorDeclaration != nil || !departSteps[stepName(d.BizStep)] {
			continue
		}
		for _, x := range d.EPCs {
			if x.Role != critmin.RoleEPC {
				continue
			}
			packs, err := stored(critmin.EventFilter{EventTypes: []string{string(critmin.AggregationEvent)}, EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleParent}, Patterns: []string{x.EPC}, Exact: true}}},
				func(e *critmin.Event) bool { return e.EventTime.After(d.EventTime) })
			if err != nil {
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
				out = append(out, critmin.FieldError{Pointer: "event " + d.EventID + "/eventTime", Reason: fmt.Sprintf(
					"the %s event %s, dated %s, sends container %s away before its recorded packing %s of %s, which would then pack a container at sea: what a container holds when it sails is what its shipping carries (CBV 2.0 shipping, EPCIS 2.0 §7.3.5) — correct the dates, or declare the packing in error first",
					stepName(d.BizStep), d.EventID, d.EventTime.Format(time.RFC3339), x.EPC, p.EventID, p.EventTime.Format(time.RFC3339))})
				break
			}
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

// namesEPC says whether ev's epcList names the instance c (canonical).
func namesEPC(ev *critmin.Event, c string) bool {
	for _, x := range ev.EPCs {
		if x.Role == critmin.RoleEPC && epcis.Canonical(x.EPC) == c {
			return true
		}
	}
	return false
}
