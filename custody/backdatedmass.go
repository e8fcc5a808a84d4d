package custody

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// checkBackdatedMass holds a back-dated weighing (or moisture reading) to
// the weighing tolerance as checkMassChange holds a current one: an event
// dated before a later recorded event of its lot does not set the lot's
// mass now (ledger.Project: "an older weighing captured late does not
// replace a later mass"), so checkMassChange, which compares the lot
// before and after the event, sees no change and would let a ticket of
// 2 000 t dated last week through. Here the lot's live stored events
// (less those the document declares in error or re-sends) and the
// document's are replayed in event time, and:
//
//   - each back-dated document weighing is judged against the lot as it
//     stood at its own eventTime (at its site, StandingMass);
//   - a recorded weighing dated after it, which the tolerance accepted
//     against the lot without the document, must still be within it
//     against the lot with the document (the back-dated weighing may not
//     make the later one a jump).
//
// stored holds the stored lots (LastEventAt their latest event); a store
// that cannot give a lot's events (liveEventsFinder) is not judged for it.
// A later shipment read as a part because of a back-dated weighing is
// the store's refusal (sqldb's replayReordered), which names the shipment.
func checkBackdatedMass(ctx context.Context, s Store, live []*critmin.Event, declared map[string]bool, stored map[string]*critmin.Lot) ([]critmin.FieldError, error) {
	docOf := map[string][]*critmin.Event{}
	back := map[*critmin.Event]bool{}
	latest := map[string]time.Time{}
	var ids []string
	docID := map[string]bool{}
	for _, ev := range live {
		docID[ev.EventID] = true
		for _, id := range ev.LotIDs() {
			l := stored[id]
			if l == nil {
				continue
			}
			if _, ok := latest[id]; !ok {
				latest[id] = l.LastEventAt
			}
			if ev.EventTime.Before(latest[id]) && weighingEvent(ev) {
				back[ev] = true
				if docOf[id] == nil {
					ids = append(ids, id)
				}
			} else if ev.EventTime.After(latest[id]) {
				latest[id] = ev.EventTime
			}
			docOf[id] = append(docOf[id], ev)
		}
	}
	if len(back) == 0 {
		return nil, nil
	}
	var judged []string
	for _, id := range ids {
		for _, ev := range docOf[id] {
			if back[ev] {
				judged = append(judged, id)
				break
			}
		}
	}
	f, ok := s.(liveEventsFinder)
	if !ok || len(judged) == 0 {
		return nil, nil
	}
	evs, err := f.LiveEventsOfLots(ctx, judged)
	if err != nil {
		return nil, err
	}
	storedOf := map[string][]*critmin.Event{}
	want := map[string]bool{}
	for _, id := range judged {
		want[id] = true
	}
	for _, ev := range evs {
		if declared[ev.EventID] || docID[ev.EventID] || !ledger.Live(ev) {
			continue
		}
		cev := canonicalLots(ev)
		for _, id := range cev.LotIDs() {
			if want[id] {
				storedOf[id] = append(storedOf[id], cev)
			}
		}
	}
	var out []critmin.FieldError
	for _, id := range judged {
		// The document's back-dated weighings are judged one at a time,
		// in document order, each on the record plus the document's
		// events not refused before it (fix15n item 2): a refused
		// weighing is not stored, so it does not count for the next.
		var kept []*critmin.Event // the document's events that stand
		for _, ev := range docOf[id] {
			if !back[ev] {
				kept = append(kept, ev)
			}
		}
		replay := func(extra *critmin.Event) (map[*critmin.Event]string, map[*critmin.Event]bool, *critmin.Lot) {
			seq := append(append([]*critmin.Event(nil), storedOf[id]...), kept...)
			judge := map[*critmin.Event]bool{}
			if extra != nil {
				seq = append(seq, extra)
				judge[extra] = true
			}
			seq = ledger.EventTimeOrder(seq)
			sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
			return replayMass(id, seq, judge)
		}
		without, _, lotWithout := replay(nil)
		for _, k := range docOf[id] {
			if !back[k] {
				continue
			}
			with, moistureOnly, lotWith := replay(k)
			if msg := with[k]; msg != "" {
				out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + k.EventID + refusalPointer(k, msg, moistureOnly[k]), Reason: fmt.Sprintf("%s (event %s is dated %s, before the lot's later recorded events: it is judged against the lot as it stood then)", msg, k.EventID, k.EventTime.Format(time.RFC3339))})
				continue
			}
			// A back-dated weighing that turns a later whole-lot shipment
			// into a part changes how every later event reads; the store
			// refuses it naming that shipment (sqldb's replayReordered),
			// which says more than the later weighings it would also upset.
			if shipReadings(lotWith) != shipReadings(lotWithout) {
				continue
			}
			var later []*critmin.Event
			for ev := range with {
				if ev != k && with[ev] != "" && without[ev] == "" && ev.EventTime.After(k.EventTime) {
					later = append(later, ev) // not refused before k: k's doing
				}
			}
			if len(later) == 0 {
				kept = append(kept, k)
				without, lotWithout = with, lotWith
				continue
			}
			sort.SliceStable(later, func(i, j int) bool { return later[i].EventTime.Before(later[j].EventTime) })
			for _, ev := range later {
				out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + k.EventID + "/eventTime", Reason: fmt.Sprintf("event %s, dated %s, is dated before the recorded event %s (%s), which it would contradict: %s — correct the weighing or its date, or declare the later event in error first",
					k.EventID, k.EventTime.Format(time.RFC3339), ev.EventID, ev.EventTime.Format(time.RFC3339), with[ev])})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Reason < out[j].Reason })
	return out, nil
}

// replayMass replays lot id through seq in order and returns, for each
// weighing of it (weighingEvent), its refusal against the lot before it
// ("" when within the tolerance), whether each was a moisture reading
// alone, and the lot as seq leaves it. A refused event of judge (the
// document's back-dated weighings) leaves the lot as it was, as the
// capture would; any other refused event (a stored one) is replayed as
// recorded.
func replayMass(id string, seq []*critmin.Event, judge map[*critmin.Event]bool) (map[*critmin.Event]string, map[*critmin.Event]bool, *critmin.Lot) {
	out := map[*critmin.Event]string{}
	moisture := map[*critmin.Event]bool{} // a moisture reading alone
	lot := &critmin.Lot{ID: id}
	for _, ev := range seq {
		was := cloneLot(lot)
		view := map[string]*critmin.Lot{}
		for _, other := range ev.LotIDs() {
			view[other] = &critmin.Lot{ID: other}
		}
		view[id] = lot
		ledger.Project(view, ev)
		if !weighingEvent(ev) {
			continue
		}
		receipt := stepName(ev.BizStep) == "receiving" || stepName(ev.BizStep) == "arriving"
		msg := massChangeOf(ev, id, was, lot, receipt)
		out[ev] = msg
		moisture[ev] = lot.WetTonnes == was.WetTonnes
		if msg != "" && judge[ev] {
			*lot = *was
		}
	}
	return out, moisture, lot
}

// shipReadings is how lot l's parts read the dispatches that sent them
// (each shipping event and the tonnes it sent), in order.
func shipReadings(l *critmin.Lot) string {
	var b strings.Builder
	for _, p := range l.Parts {
		fmt.Fprintf(&b, "%s %v;", p.ShipEventID, p.Tonnes)
	}
	return b.String()
}

// LiveEventsFinder is the part of a store that gives the live stored
// events of lots (sqldb.DB.LiveEventsOfLots), which LotAt replays.
type LiveEventsFinder = liveEventsFinder

// LotAt is lot id as it stood at time at: its live stored events dated
// at or before at (events declared in error left out), replayed in event
// time through the ledger's projection (ledger.Project) — the lot a
// back-dated weighing is judged against (checkBackdatedMass). The web
// import's preview words a back-dated row's mass line with it, so that
// the line and the row's error name the same recorded mass. It is nil
// when no event of the lot is dated by then.
func LotAt(ctx context.Context, s LiveEventsFinder, id string, at time.Time) (*critmin.Lot, error) {
	evs, err := s.LiveEventsOfLots(ctx, []string{id})
	if err != nil {
		return nil, err
	}
	var seq []*critmin.Event
	for _, ev := range evs {
		if !ledger.Live(ev) || ev.EventTime.After(at) {
			continue
		}
		cev := canonicalLots(ev)
		for _, lid := range cev.LotIDs() {
			if lid == id {
				seq = append(seq, cev)
				break
			}
		}
	}
	if len(seq) == 0 {
		return nil, nil
	}
	seq = ledger.EventTimeOrder(seq)
	sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
	_, _, l := replayMass(id, seq, nil)
	return l, nil
}

// checkRetractedMass refuses a document whose declarations in error of
// movements (declaring: receipts and dispatches, EPCIS 2.0 §7.4.1.2;
// CBV 2.0 §7.2) make a recorded weighing (an observation: inspecting,
// sensor_reporting, a count — not a movement's weight) of a lot
// beyond the weighing tolerance when the lot is replayed without the
// declared events, although it was within it with them: the weighing
// weighed what the declared event put there (a part's return receipt at
// the body's site: the ticket of 30 t weighed the body with the returned
// 5 t), and without it the lot would read the weighing on top of the
// part put back in transit (30 + 5 = 35 t for a 30 t lot) with no
// anomaly (issue 15, fix15r item 3). The weighing is held to the
// tolerance as a back-dated one is (checkBackdatedMass): the refusal
// names it; declare it in error in the same document too, or state why
// in cm:massChangeReason on a new weighing. Each lot's live stored events
// (less those the document re-sends) and the document's are replayed in
// event time, with and without the declared events (replayMass).
func checkRetractedMass(ctx context.Context, s Store, live, declaring []*critmin.Event, declared map[string]bool) ([]critmin.FieldError, error) {
	ws, err := upsetWeighings(ctx, s, live, declaring, declared)
	if err != nil {
		return nil, err
	}
	var out []critmin.FieldError
	for _, w := range ws {
		out = append(out, critmin.FieldError{Conflict: true, Pointer: "event " + w.Declared[0],
			Reason: fmt.Sprintf("declaring %s in error would leave the recorded weighing %s, dated %s, beyond the tolerance against the lot without it: %s — declare %s in error in the same document too, or record what really happened",
				strings.Join(w.Declared, ", "), w.Event.EventID, w.Event.EventTime.Format(time.RFC3339), w.Why, w.Event.EventID)})
	}
	return out, nil
}

// UpsetWeighing is a recorded weighing of Lot that declaring the events
// Declared in error would leave beyond the tolerance against the lot
// without them (Why: the reading and its difference): it depends on
// them, and the declaration is refused unless it is declared too.
type UpsetWeighing struct {
	Lot      string
	Event    *critmin.Event
	Declared []string
	Why      string
}

// WeighingsUpsetBy lists the recorded weighings that declaring ev (a
// movement) in error would upset (checkRetractedMass): the declaration
// preview names them among the events that depend on ev (issue 15,
// fix15u; nu15f finding 6: the page refused for a later weighing yet
// said no recorded event depended on the shipment).
func WeighingsUpsetBy(ctx context.Context, s Store, ev *critmin.Event) ([]UpsetWeighing, error) {
	declaring, err := withCarried(ctx, s, []*critmin.Event{ev})
	if err != nil {
		return nil, err
	}
	return upsetWeighings(ctx, s, nil, declaring, map[string]bool{ev.EventID: true})
}

// upsetWeighings is checkRetractedMass's finding, one record a weighing.
func upsetWeighings(ctx context.Context, s Store, live, declaring []*critmin.Event, declared map[string]bool) ([]UpsetWeighing, error) {
	f, ok := s.(liveEventsFinder)
	if !ok {
		return nil, nil
	}
	var moves []*critmin.Event
	for _, ev := range declaring {
		if step := stepName(ev.BizStep); !receiptSteps[step] && !sendSteps[step] && !inTransitStep(ev.BizStep) {
			// Only a movement declared in error (a receipt or dispatch
			// of the lot or a part) is judged here: a commissioning or
			// weighing declared in error with its correction restates
			// the lot's mass, and later movements' weights follow it
			// (storetest RetractInOneDocumentChecks).
			continue
		}
		moves = append(moves, ev)
	}
	ids, evs, docID, err := lotsLiveEvents(ctx, f, moves, live)
	if err != nil || docID == nil {
		return nil, err
	}
	var out []UpsetWeighing
	for _, id := range ids {
		var with, without []*critmin.Event
		add := func(ev *critmin.Event) {
			for _, lid := range ev.LotIDs() {
				if lid == id {
					with = append(with, ev)
					if !declared[ev.EventID] {
						without = append(without, ev)
					}
					return
				}
			}
		}
		for _, ev := range evs {
			if ledger.Live(ev) && !docID[ev.EventID] {
				add(canonicalLots(ev))
			}
		}
		for _, ev := range live {
			add(ev)
		}
		order := func(seq []*critmin.Event) []*critmin.Event {
			seq = ledger.EventTimeOrder(seq)
			sort.SliceStable(seq, func(i, j int) bool { return seq[i].EventTime.Before(seq[j].EventTime) })
			return seq
		}
		judgedWith, _, _ := replayMass(id, order(with), nil)
		judgedWithout, _, _ := replayMass(id, order(without), nil)
		var later []*critmin.Event
		for ev, msg := range judgedWithout {
			step := stepName(ev.BizStep)
			observation := !receiptSteps[step] && !sendSteps[step] && !inTransitStep(ev.BizStep) && ev.Disposition != "in_transit"
			if msg != "" && judgedWith[ev] == "" && !docID[ev.EventID] && observation {
				later = append(later, ev)
			}
		}
		sort.SliceStable(later, func(i, j int) bool { return later[i].EventTime.Before(later[j].EventTime) })
		var names []string
		for _, ev := range declaring {
			for _, lid := range ev.LotIDs() {
				if lid == id {
					names = append(names, ev.EventID)
					break
				}
			}
		}
		for _, ev := range later {
			out = append(out, UpsetWeighing{Lot: id, Event: ev, Declared: names, Why: judgedWithout[ev]})
		}
	}
	return out, nil
}

// lotsLiveEvents gives the lots the events declaring name (each once, in
// order), their live stored events and the set of event IDs of live, the
// document being captured: what WeighingsUpsetBy and the redrawn-draws
// check replay each lot from, with and without the events the document
// declares in error. The set is nil (and nothing is read) when declaring
// names no lot.
func lotsLiveEvents(ctx context.Context, f liveEventsFinder, declaring, live []*critmin.Event) ([]string, []*critmin.Event, map[string]bool, error) {
	var ids []string
	seen := map[string]bool{}
	for _, ev := range declaring {
		for _, id := range ev.LotIDs() {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil, nil, nil
	}
	evs, err := f.LiveEventsOfLots(ctx, ids)
	if err != nil {
		return nil, nil, nil, err
	}
	docID := map[string]bool{}
	for _, ev := range live {
		docID[ev.EventID] = true
	}
	return ids, evs, docID, nil
}
