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
)

// reuseSteps are the CBV 2.0 steps that send a consignment off under its
// bill of lading from where it stands: loading it, shipping it, or its
// departing.
var reuseSteps = map[string]bool{"loading": true, "shipping": true, "departing": true}

// billBatch is how many bills of lading one read of checkBillReused
// names (an SQL IN list well within SQLite's and PostgreSQL's limits on
// bound parameters).
const billBatch = 500

// checkBillReused refuses a dispatch (loading, shipping or departing)
// under a bill of lading that already names another consignment. A bill
// of lading is one carrier's contract of carriage for one consignment on
// one voyage (CBV 2.0 §8.5, bizTransaction type bol; a through bill
// covers the transshipment legs of the same goods), so under a stored
// bill — its live events, stored and not declared in error here or
// before, and the document's — a dispatch is refused (409 at its
// bizTransactionList entry, naming the earlier voyage):
//
//   - when the bill's consignment was received (a receiving event under
//     it dated at or before the dispatch): nothing of it is left to send
//     (new-user finding nu39c item 1: 0.1 t shipped from Missouri under
//     the bill of a 20 t voyage from Loe Shilman received at Houston the
//     day before was accepted, and the bill's page lost that voyage);
//   - when it is neither at the bill's origin (where its first dispatch
//     sent the consignment off: one event per container, or a departing
//     after a loading, are events of one consignment) nor a further leg
//     of the bill's goods — every lot and container it sends was sent
//     under the bill before it (a transshipment).
//
// A voyage declared in error is no voyage: its bill may be used again.
func checkBillReused(ctx context.Context, s Store, live []*critmin.Event, declared map[string]bool) ([]critmin.FieldError, error) {
	q, canQuery := s.(eventQuerier)
	inDoc := map[string]bool{}
	bills := map[string][]*critmin.Event{}
	var names []string
	for _, ev := range live {
		inDoc[ev.EventID] = true
		if b := bolOf(ev); b != "" && reuseSteps[stepName(ev.BizStep)] && bills[b] == nil {
			bills[b] = []*critmin.Event{}
			names = append(names, b)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	for _, b := range names {
		for _, ev := range live {
			if bolOf(ev) == b {
				bills[b] = append(bills[b], ev)
			}
		}
	}
	// The stored events of every bill of the document, read together
	// (billBatch bills a query, every page of it: no cap on the events of
	// a bill) and split by the bill each names first (bolOf).
	stored := map[*critmin.Event]bool{}
	read := map[string]bool{}
	for start := 0; canQuery && start < len(names); start += billBatch {
		f := critmin.EventFilter{BizTxns: map[string][]string{"bol": names[start:min(start+billBatch, len(names))]}, OrderBy: "eventTime", OrderAscending: true, Limit: 1000}
		for {
			page, err := q.FindEvents(ctx, f)
			if err != nil {
				return nil, err
			}
			for _, st := range page.Events {
				if !ledger.Live(st) || declared[st.EventID] || inDoc[st.EventID] || read[st.EventID] {
					continue
				}
				read[st.EventID] = true
				d := decodeStored(st)
				if b := bolOf(d); bills[b] != nil {
					stored[d] = true
					bills[b] = append(bills[b], d)
				}
			}
			if page.Next == nil {
				break
			}
			f.After = page.Next
		}
	}
	for _, b := range names {
		sort.SliceStable(bills[b], func(i, j int) bool { return bills[b][i].EventTime.Before(bills[b][j].EventTime) })
	}
	var out []critmin.FieldError
	for _, ev := range live {
		b := bolOf(ev)
		if b == "" || !reuseSteps[stepName(ev.BizStep)] {
			continue
		}
		var first, receipt *critmin.Event
		for _, e := range bills[b] {
			if e == ev || e.EventID == ev.EventID {
				continue
			}
			switch {
			case dispatchSteps[stepName(e.BizStep)] && first == nil:
				first = e
			case stepName(e.BizStep) == "receiving" && receipt == nil && !e.EventTime.After(ev.EventTime):
				receipt = e
			}
		}
		ptr := fmt.Sprintf("event %s/bizTransactionList/%d", ev.EventID, bolIndex(ev))
		if receipt != nil {
			out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf("bill of lading %s names a consignment already received: %s, and it was received at %s on %s (event %s). A bill of lading names one consignment on one voyage, and nothing of that one is left to send; ship under a new bill of lading, or, if that voyage is wrong, declare its events in error (errorDeclaration)",
				b, voyageWords(first), orNone(eventSite(receipt)), receipt.EventTime.Format(time.RFC3339), receipt.EventID)})
			continue
		}
		if first == nil || ev.EventTime.Before(first.EventTime) {
			continue // the bill's first dispatch
		}
		here := eventSite(ev)
		if here == "" || origins(first)[here] {
			continue
		}
		var foreign []string
		for _, ql := range ev.Quantities {
			if ql.Role == critmin.RoleOutput || ql.Role == critmin.RoleParent {
				continue
			}
			carried, err := sentUnder(bills[b], ev, func(d *critmin.Event) (bool, error) {
				if stored[d] {
					return storedCarried(ctx, s, d, ql.EPCClass)
				}
				return namesLot(d, ql.EPCClass), nil
			})
			if err != nil {
				return nil, err
			}
			if !carried {
				foreign = append(foreign, "lot "+ql.EPCClass)
			}
		}
		for _, c := range ev.EPCs {
			k := epcis.Canonical(c.EPC)
			carried, _ := sentUnder(bills[b], ev, func(d *critmin.Event) (bool, error) {
				for _, x := range d.EPCs {
					if epcis.Canonical(x.EPC) == k {
						return true, nil
					}
				}
				return false, nil
			})
			if !carried {
				foreign = append(foreign, "container "+c.EPC)
			}
		}
		if len(foreign) == 0 {
			continue // a further leg of the bill's goods: a transshipment
		}
		out = append(out, critmin.FieldError{Conflict: true, Pointer: ptr, Reason: fmt.Sprintf("bill of lading %s names another consignment: %s, not yet received. This %s is at %s, which is not where that consignment left, and %s did not travel under it; a bill of lading names one consignment on one voyage — ship under a new bill of lading, or, if that voyage is wrong, declare its events in error (errorDeclaration)",
			b, voyageWords(first), stepName(ev.BizStep), here, andList(foreign))})
	}
	return out, nil
}

// sentUnder says whether carried holds for a dispatch of evs (a bill's
// events) dated at or before ev, other than ev.
func sentUnder(evs []*critmin.Event, ev *critmin.Event, carried func(*critmin.Event) (bool, error)) (bool, error) {
	for _, d := range evs {
		if d == ev || d.EventID == ev.EventID || !dispatchSteps[stepName(d.BizStep)] || d.EventTime.After(ev.EventTime) {
			continue
		}
		if ok, err := carried(d); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// origins are the places dispatch ev sent its consignment off from: its
// site and its source locations.
func origins(ev *critmin.Event) map[string]bool {
	out := map[string]bool{}
	if s := eventSite(ev); s != "" {
		out[s] = true
	}
	for _, s := range ev.Sources {
		if isType(s.Type, "location") {
			out[epcis.Canonical(s.ID)] = true
		}
	}
	return out
}

// voyageWords words the voyage dispatch ev began: "its shipping event E
// sent it from O to D on T"; "" parts read "an unstated place".
func voyageWords(ev *critmin.Event) string {
	if ev == nil {
		return "no dispatch under it is recorded"
	}
	var dests []string
	for _, d := range ev.Destinations {
		if isType(d.Type, "location") {
			dests = append(dests, d.ID)
		}
	}
	to := "no stated destination"
	if len(dests) > 0 {
		to = strings.Join(dests, ", ")
	}
	return fmt.Sprintf("its %s event %s sent it from %s to %s on %s", stepName(ev.BizStep), ev.EventID, orNone(eventSite(ev)), to, ev.EventTime.Format(time.RFC3339))
}

// bolIndex is the index of ev's bill of lading in its
// bizTransactionList (bolOf).
func bolIndex(ev *critmin.Event) int {
	for i, b := range ev.BizTransactions {
		if isType(b.Type, "bol") {
			return i
		}
	}
	return 0
}
