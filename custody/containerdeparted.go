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
// declared in error, or earlier in the document) is a shipping or
// departing with no arrival, receipt or unloading of it since. The
// packing is judged at its own eventTime (EPCIS 2.0 §7.3): what was in
// the container when it sailed is what the bill of lading carried (CBV
// 2.0 shipping), so a container packed two days after it sailed would
// hold more on its page than on its bill of lading. The reason names the
// container, its shipping event and bill of lading.
func checkPackedAtSea(ctx context.Context, s Store, live []*critmin.Event, declared map[string]bool) ([]critmin.FieldError, error) {
	q, canQuery := s.(eventQuerier)
	moves := map[string][]*critmin.Event{} // container (canonical) → its movements
	var out []critmin.FieldError
	for i, ev := range live {
		if ev.Type != critmin.AggregationEvent || ev.ParentID == "" || (ev.Action != "ADD" && ev.Action != "OBSERVE") || ev.ErrorDeclaration != nil {
			continue
		}
		c := epcis.Canonical(ev.ParentID)
		if _, ok := moves[c]; !ok {
			moves[c] = []*critmin.Event{}
			if canQuery {
				f := critmin.EventFilter{EPCMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{ev.ParentID}, Exact: true}}, OrderBy: "eventTime", OrderAscending: true, Limit: 1000}
				for {
					page, err := q.FindEvents(ctx, f)
					if err != nil {
						return nil, err
					}
					for _, st := range page.Events {
						if ledger.Live(st) && !declared[st.EventID] && (departSteps[stepName(st.BizStep)] || arriveSteps[stepName(st.BizStep)]) {
							moves[c] = append(moves[c], decodeStored(st))
						}
					}
					if page.Next == nil {
						break
					}
					f.After = page.Next
				}
			}
		}
		seq := append([]*critmin.Event(nil), moves[c]...)
		for _, e := range live[:i] {
			if e.ErrorDeclaration == nil && (departSteps[stepName(e.BizStep)] || arriveSteps[stepName(e.BizStep)]) && namesEPC(e, c) {
				seq = append(seq, e)
			}
		}
		sort.SliceStable(seq, func(a, b int) bool { return seq[a].EventTime.Before(seq[b].EventTime) })
		var last *critmin.Event
		for _, e := range seq {
			if e.EventTime.Before(ev.EventTime) {
				last = e
			}
		}
		if last == nil || !departSteps[stepName(last.BizStep)] {
			continue
		}
		bol := bolOf(last)
		if bol == "" {
			bol = "none stated"
		}
		out = append(out, critmin.FieldError{Pointer: "event " + ev.EventID + "/parentID", Reason: fmt.Sprintf(
			"container %s cannot be packed on %s: it left on %s (%s event %s, bill of lading %s) and no arrival, receipt or unloading of it is recorded since; what a container holds when it sails is what its shipping carries (CBV 2.0 shipping, EPCIS 2.0 §7.3.5) — pack it before its shipping event (correct the dates), or record its arrival first",
			ev.ParentID, ev.EventTime.Format(time.RFC3339), last.EventTime.Format(time.RFC3339), stepName(last.BizStep), last.EventID, bol)})
	}
	return out, nil
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
