package sqldb

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// A line draw — a movement of a lot stating a quantity (a run's input
// line, a shipment by line) — takes the lot's loose stock at its site
// first, then its containers there (custody.LineDraws), and a run fed a
// container whole later takes what the draws left in it
// (ledger.Holdings.HeldAt with Drawn). Such a draw declared in error, or
// restated or added by the declaration's corrective events, changes
// what the container held when the run ran: the run is computed again,
// as for a declared packing or receipt (issue 9 with issue 8 §2, a
// WRONG FIGURE found by a new-user check; builder fixQh). P 3 t + M 2 t
// packed into C, a run's line "P 3 t" took all of P out of C, a run fed
// C whole took M 2 t (100 % China): the line's run declared in error,
// the fed run takes P 3 t + M 2 t (60 % Pakistan by mass), and P stands
// at 0 t, not 3 t loose.

// noteDeclaredDraws keeps, for drawBoxes, the events of declared (as
// they stood, with what their containers held: withStoredContents) that
// name a lot by a quantity line outside a packing, and the corrective
// eventIDs of decls, which the capture projects before the runs are
// computed again (receiptCorrectivesIn).
func (w *writer) noteDeclaredDraws(declared, decls []*critmin.Event) {
	n := len(w.drawDeclared)
	for _, ev := range declared {
		if ev.Type == critmin.AggregationEvent || len(ledger.WithoutCarried(ev).LotIDs()) == 0 {
			continue
		}
		// As it stood: its draws are read as a live event's.
		stood := *canonLots(ev)
		stood.DeclaredInError = nil
		w.drawDeclared = append(w.drawDeclared, &stood)
	}
	if len(w.drawDeclared) == n {
		return
	}
	w.noteCorrectives(decls, true)
}

// recontainPending says whether runs fed containers whole are still to
// be computed again for declared receipts or line draws
// (recontainReceipts).
func (w *writer) recontainPending() bool {
	return len(w.receiptBoxes) > 0 || len(w.drawDeclared) > 0
}

// drawBoxes is the containers (canonical) whose line draws
// (custody.LineDraws) the declared events drawDeclared and the
// corrective events drawCorrectives change: for each lot they name, the
// draws read from its live events now (correctives in, declared events
// out) against those read with the declared events and without the
// correctives. A draw declared in error can move a later draw of the
// lot too (loose first: the later one now finds loose stock), so every
// container whose draws differ is listed, not only those the declared
// events drew from.
func (w *writer) drawBoxes() (map[string]bool, error) {
	declared := w.drawDeclared
	correctives := w.drawCorrectives
	w.drawDeclared, w.drawCorrectives = nil, nil
	if len(declared) == 0 {
		return nil, nil
	}
	lots := map[string]bool{}
	gone := map[string]bool{}
	for _, ev := range declared {
		gone[ev.EventID] = true
		for _, id := range ledger.WithoutCarried(ev).LotIDs() {
			lots[canon(id)] = true
		}
	}
	if len(correctives) > 0 {
		ids := sortedKeys(correctives)
		err := inChunks(ids, func(part []any) error {
			evs, err := w.storedEvents("SELECT "+replayColumns+" WHERE e.declaration = 0 AND e.event_id IN ("+placeholders(len(part))+") ORDER BY e.pk", part...)
			for _, ev := range evs {
				for _, id := range ledger.WithoutCarried(ev).LotIDs() {
					lots[canon(id)] = true
				}
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	out := map[string]bool{}
	for _, lot := range sortedKeys(lots) {
		evs, err := w.drawnEvents(lot)
		if err != nil {
			return nil, err
		}
		var now, was []*critmin.Event
		for _, e := range evs {
			if w.declared[e.EventID] || w.forgotten[e.EventID] || gone[e.EventID] {
				continue
			}
			now = append(now, e)
			if !correctives[e.EventID] {
				was = append(was, e)
			}
		}
		for _, ev := range declared {
			for _, id := range ledger.WithoutCarried(ev).LotIDs() {
				if canon(id) == lot {
					was = append(was, ev)
					break
				}
			}
		}
		sort.SliceStable(was, func(i, j int) bool { return was[i].PK < was[j].PK })
		a, b := drawsByBox(custody.LineDraws(lot, was)), drawsByBox(custody.LineDraws(lot, now))
		for c := range a {
			if a[c] != b[c] {
				out[c] = true
			}
		}
		for c := range b {
			if a[c] != b[c] {
				out[c] = true
			}
		}
	}
	return out, nil
}

// drawsByBox words the line draws out of each container, in order
// ("event tonnes; …"), to compare two readings.
func drawsByBox(ds []ledger.LineDraw) map[string]string {
	out := map[string]string{}
	for _, d := range ds {
		out[d.Container] += fmt.Sprintf("%s %.9f; ", d.EventID, d.Tonnes)
	}
	return out
}

// drawRefusal is recontainReceipts' refusal when the runs computed again
// for declared line draws leave lot id overdrawn (err: the balance
// check): the declaration would make a later event take from nothing.
func drawRefusal(boxes map[string]bool, id string, runs []string, err error) error {
	who := "a later event of it"
	if len(runs) > 0 {
		who = "the recorded run " + strings.Join(runs, ", ")
	}
	return &critmin.Error{Code: critmin.ECONFLICT, Message: fmt.Sprintf("declaration refused; nothing was stored: with the line draws of lot %s out of container %s computed again without the events declared in error and with their corrective events, the runs fed the container whole take what it then held, and %s would have taken from nothing (%v) — declare that event in error in the same document too, or give corrective events it stands on",
		id, strings.Join(sortedKeys(boxes), ", "), who, err)}
}

// checkTakenAfterFed refuses (409) a movement of a lot dated after a run
// fed whole one of boxes, computed again here (runs), that takes more of
// the lot than the run left (builder fixQi; new-user check nuq5 b13,
// b14, a WRONG FIGURE and a WRONG PASS): P 3 t packed into C, a run's
// line "P 3 t" (Oct 3) took it all out of C, so R2 fed C whole (Oct 4)
// took M only; the line's run declared in error with a corrective "P
// 1 t" dated Oct 5 leaves R2 taking all 3 t of P (nothing had drawn on C
// by Oct 4), and the corrective takes from nothing — as the two sent as
// separate documents are refused at capture (custody's consumption and
// standing checks, which read R2 as recorded, before this recompute).
// A movement is a run's input line or a dispatch's line (disposition
// in_transit or a transit step) stating a mass; what stood of the lot
// just before it is its replay without the events dated from then on.
func (w *writer) checkTakenAfterFed(boxes map[string]bool, runs []*critmin.Event) error {
	if len(runs) == 0 {
		return nil
	}
	ids := make([]string, 0, len(runs))
	for _, r := range runs {
		ids = append(ids, r.EventID)
	}
	took, err := w.storedContents(ids)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range runs {
		for _, row := range took[r.EventID] {
			lot := row.line.EPCClass
			if seen[lot] {
				continue
			}
			seen[lot] = true
			evs, err := w.drawnEvents(lot)
			if err != nil {
				return err
			}
			for _, e := range evs {
				if e.ErrorDeclaration != nil || w.declared[e.EventID] || w.forgotten[e.EventID] || !e.EventTime.After(r.EventTime) {
					continue
				}
				want := drawnBy(e, lot)
				if want <= 0 {
					continue
				}
				stood, _, err := w.replayedLotsBut([]string{lot}, nil, &replayCut{At: e})
				if err != nil {
					return err
				}
				l := stood[lot]
				if l == nil || !units.IsMass(l.UOM) || l.WetTonnes <= 0 {
					continue
				}
				have := l.RemainingWetTonnes()
				if want <= have*(1+ledger.ConsumedTolerance)+1e-9 {
					continue
				}
				return &critmin.Error{Code: critmin.ECONFLICT, Message: fmt.Sprintf("declaration refused; nothing was stored: with the line draws of lot %s out of container %s computed again without the events declared in error and with their corrective events, the recorded run %s fed the container whole on %s takes what it then held, and event %s dated %s takes %s t of lot %s, but only %s t of its %s t remain then (tolerance %s %%): it would take from nothing — an event dated after the run cannot shift what the container held when the run ran; date the corrective before the run, declare the run in error in the same document too, or leave the event out",
					lot, strings.Join(sortedKeys(boxes), ", "), r.EventID, r.EventTime.UTC().Format(time.RFC3339), e.EventID, e.EventTime.UTC().Format(time.RFC3339), units.Fixed(want, 3), lot, units.Fixed(have, 3), units.Fixed(l.WetTonnes, 3), units.Fixed(ledger.ConsumedTolerance*100, 1))}
			}
		}
	}
	return nil
}

// drawnBy is the wet tonnes event ev takes of lot (canonical) by its own
// quantity lines: a run's input lines, or a dispatch's lines
// (disposition in_transit, or a shipping or departing step); 0 for any
// other event.
func drawnBy(ev *critmin.Event, lot string) float64 {
	ev = ledger.WithoutCarried(ev)
	step := ev.BizStep
	if i := strings.LastIndexAny(step, ":/"); i >= 0 {
		step = step[i+1:]
	}
	dispatch := ev.Type != critmin.TransformationEvent && (ev.Disposition == "in_transit" || strings.HasSuffix(ev.Disposition, ":in_transit") || strings.HasSuffix(ev.Disposition, "/in_transit") || step == "shipping" || step == "departing")
	var t float64
	for _, q := range ev.Quantities {
		if q.Quantity == nil || canon(q.EPCClass) != lot {
			continue
		}
		if ev.Type == critmin.TransformationEvent && q.Role != critmin.RoleInput || ev.Type != critmin.TransformationEvent && !dispatch {
			continue
		}
		if w, err := units.ToTonnes(*q.Quantity, q.UOM); err == nil {
			t += w
		}
	}
	return t
}
