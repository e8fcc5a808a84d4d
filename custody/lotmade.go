package custody

import (
	"context"
	"fmt"
	"sort"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// This file holds two capture checks of runs (issue 9, fix9s items 1 and
// 2): a lot is made once, and a run happens at one site.

// sameRun says whether events a and b belong to one run: the same event
// (a re-send) or TransformationEvents of one non-empty transformationID.
func sameRun(a, b *critmin.Event) bool {
	if a.EventID == b.EventID {
		return true
	}
	return a.Type == critmin.TransformationEvent && b.Type == critmin.TransformationEvent &&
		a.TransformationID != "" && a.TransformationID == b.TransformationID
}

// makerWord words what event e did to lot id: "commissioned by",
// "made by run …", "first recorded on its receipt", or, for an event
// that does not make the lot (a lot first seen outside the corridor,
// makesLot), "first recorded by event … (as a run's input)".
func makerWord(e *critmin.Event, id string) string {
	makes := makesLot(e, id, true)
	switch {
	case makes && e.Type == critmin.TransformationEvent && e.TransformationID != "":
		return "made by run " + e.TransformationID + " (event " + e.EventID + ")"
	case makes && e.Type == critmin.TransformationEvent:
		return "made by run event " + e.EventID
	case makes && receiptSteps[stepName(e.BizStep)]:
		return "first recorded on its receipt, event " + e.EventID
	case makes:
		return "commissioned by event " + e.EventID
	case e.Type == critmin.TransformationEvent:
		return "first recorded by event " + e.EventID + ", as a run's input"
	}
	return "first recorded by event " + e.EventID
}

// checkMadeOnce refuses a run output naming a lot that already exists —
// commissioned, received as its first sighting, or made by another run
// (ISO 22095:2020 §5: every quantity is accounted for once). A run that
// names lot K3 (10 t of Chinese feed, commissioned) as the output of
// 10 t of Pakistani feed would rewrite K3's origin as Pakistan 100 % and
// make the Chinese 10 t vanish. An output of the same run (the same
// transformationID: a later output-only event adding to its own
// product) is allowed. The refusal names the lot and the event that
// made it (409: it conflicts with the record): the first live event
// making it (makesLot) — earlier in the document, else stored (none
// declared in error) — never an event that only acted on it, such as a
// run that took it as input (fixNn: "E1 already exists (made by run
// E-R1)" named a run that only consumed E1). A lot whose every making
// event is declared in error is not in the record (unmadelot.go): a run
// naming it as output makes it again (a corrective run, EPCIS 2.0
// §7.4.1.2 correctiveEventIDs). A lot no event ever made — first seen by
// another event, outside the corridor — exists from that event, which
// the refusal names as its first record.
func checkMadeOnce(ctx context.Context, s Store, live []*critmin.Event, declared map[string]bool) ([]critmin.FieldError, error) {
	inDoc := map[string]bool{}
	// The first live event of the document naming each lot (namesLot)
	// and the first making it (makesLot), found in one pass instead of a
	// scan of the earlier events for every output line (perf11x): the
	// first event before event i naming (making) a lot is the document's
	// first, when that comes before i.
	firstNaming := map[string]int{}
	firstMaking := map[string]int{}
	firstReceipt := map[string]int{} // a receipt makes a lot as its first sighting only: after any other maker
	for i, e := range live {
		inDoc[e.EventID] = true
		for _, q := range canonicalLots(e).Quantities {
			if _, ok := firstNaming[q.EPCClass]; !ok {
				firstNaming[q.EPCClass] = i
			}
			if _, ok := firstMaking[q.EPCClass]; !ok && makesLot(e, q.EPCClass, false) {
				firstMaking[q.EPCClass] = i
			}
			if _, ok := firstReceipt[q.EPCClass]; !ok && makesLot(e, q.EPCClass, true) {
				firstReceipt[q.EPCClass] = i
			}
		}
	}
	// The stored events of each output lot no earlier event of the
	// document makes, the stored events of all those lots read together
	// (storedOfLots): the first live one making it (none declared in
	// error, none re-sent by the document), the first live one naming
	// it, and whether a declared one made it.
	var ask []string
	asked := map[string]bool{}
	for i, ev := range live {
		if ev.Type != critmin.TransformationEvent {
			continue
		}
		for _, ql := range ev.Quantities {
			if k, ok := firstMaking[ql.EPCClass]; ql.Role == critmin.RoleOutput && !(ok && k < i) && !asked[ql.EPCClass] {
				asked[ql.EPCClass] = true
				ask = append(ask, ql.EPCClass)
			}
		}
	}
	storedMaker := map[string]*critmin.Event{}
	storedFirst := map[string]*critmin.Event{}
	unmade := map[string]bool{} // a stored event that made the lot is declared in error
	if _, canQuery := s.(eventQuerier); canQuery {
		err := storedOfLots(ctx, s, ask, func(id string, page *critmin.EventPage) error {
			var evs []*critmin.Event
			for _, st := range page.Events {
				if st.ErrorDeclaration != nil {
					continue
				}
				if ledger.Live(st) && !declared[st.EventID] && !inDoc[st.EventID] {
					evs = append(evs, decodeStored(st))
				} else if !ledger.Live(st) || declared[st.EventID] {
					if makesLot(decodeStored(st), id, true) {
						unmade[id] = true
					}
				}
			}
			sort.SliceStable(evs, func(a, b int) bool { return evs[a].EventTime.Before(evs[b].EventTime) })
			if len(evs) > 0 {
				storedFirst[id] = evs[0]
			}
			for _, e := range evs {
				if makesLot(e, id, true) {
					storedMaker[id] = e
					break
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	var out []critmin.FieldError
	for i, ev := range live {
		if ev.Type != critmin.TransformationEvent {
			continue
		}
		for n, ql := range ev.Quantities {
			if ql.Role != critmin.RoleOutput {
				continue
			}
			id := ql.EPCClass
			var maker *critmin.Event
			if k, ok := firstMaking[id]; ok && k < i {
				maker = live[k]
			}
			if maker == nil {
				maker = storedMaker[id]
			}
			if k, ok := firstReceipt[id]; maker == nil && ok && k < i {
				maker = live[k]
			}
			if maker == nil && !unmade[id] {
				// Never made: the lot exists from its first record.
				if k, ok := firstNaming[id]; ok && k < i {
					maker = live[k]
				} else {
					maker = storedFirst[id]
				}
			}
			if maker == nil || sameRun(maker, ev) {
				continue
			}
			out = append(out, critmin.FieldError{Conflict: true, Pointer: fmt.Sprintf("event %s/outputQuantityList/%d", ev.EventID, outputIndex(ev, n)), Reason: fmt.Sprintf("lot %s already exists (%s on %s): a lot is made once, and a run may not name an existing lot as its output — it would rewrite that lot's origin and mass. Name a new lot as the run's output (an output-only event of the same run, the same transformationID, may add to its own product)",
				id, makerWord(maker, id), maker.EventTime.Format("2006-01-02T15:04:05Z07:00"))})
		}
	}
	return out, nil
}

// outputIndex is the index, among ev's output lines, of its quantity
// line n.
func outputIndex(ev *critmin.Event, n int) int {
	k := 0
	for i := 0; i < n; i++ {
		if ev.Quantities[i].Role == critmin.RoleOutput {
			k++
		}
	}
	return k
}

// checkRunSite refuses an event of a run (a TransformationEvent with a
// transformationID) at another site than the run's other events: a run
// happens at one site, so an output-only event at a warehouse would move
// the run's product there without a shipment, and book it outside the
// site's account. The run's site is that of its earliest other live
// event (stored, none declared in error, or earlier in the document)
// that states one; 409 naming the run's site.
func checkRunSite(ctx context.Context, s Store, live []*critmin.Event, declared map[string]bool) ([]critmin.FieldError, error) {
	q, canQuery := s.(eventQuerier)
	inDoc := map[string]bool{}
	var tids []string
	seen := map[string]bool{}
	for _, e := range live {
		inDoc[e.EventID] = true
		if e.Type == critmin.TransformationEvent && e.TransformationID != "" && !seen[e.TransformationID] {
			seen[e.TransformationID] = true
			tids = append(tids, e.TransformationID)
		}
	}
	if len(tids) == 0 {
		return nil, nil
	}
	runEvents := map[string][]*critmin.Event{}
	if canQuery {
		page, err := q.FindEvents(ctx, critmin.EventFilter{TransformationIDs: tids, Limit: 10000})
		if err != nil {
			return nil, err
		}
		for _, st := range page.Events {
			if ledger.Live(st) && !declared[st.EventID] && !inDoc[st.EventID] && st.TransformationID != "" {
				runEvents[st.TransformationID] = append(runEvents[st.TransformationID], decodeStored(st))
			}
		}
	}
	var out []critmin.FieldError
	for i, ev := range live {
		if ev.Type != critmin.TransformationEvent || ev.TransformationID == "" || eventSite(ev) == "" {
			continue
		}
		others := append([]*critmin.Event(nil), runEvents[ev.TransformationID]...)
		for _, e := range live[:i] {
			if e.Type == critmin.TransformationEvent && e.TransformationID == ev.TransformationID {
				others = append(others, e)
			}
		}
		var first *critmin.Event
		for _, e := range others {
			if eventSite(e) != "" && (first == nil || e.EventTime.Before(first.EventTime)) {
				first = e
			}
		}
		if first == nil || eventSite(first) == eventSite(ev) {
			continue
		}
		member := "bizLocation"
		if ev.BizLocation == "" {
			member = "readPoint"
		}
		out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + ev.EventID + "/" + member, Reason: fmt.Sprintf("run %s happens at %s (event %s on %s), not at %s: a run happens at one site — record this event of the run there, or ship its product (shipping and receiving events)",
			ev.TransformationID, eventSite(first), first.EventID, first.EventTime.Format("2006-01-02T15:04:05Z07:00"), eventSite(ev))})
	}
	return out, nil
}
