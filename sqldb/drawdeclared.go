package sqldb

import (
	"fmt"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
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
	for _, d := range decls {
		if d.ErrorDeclaration == nil {
			continue
		}
		for _, id := range d.ErrorDeclaration.CorrectiveEventIDs {
			if w.receiptCorrectives == nil {
				w.receiptCorrectives = map[string]bool{}
			}
			if w.drawCorrectives == nil {
				w.drawCorrectives = map[string]bool{}
			}
			w.receiptCorrectives[id] = true
			w.drawCorrectives[id] = true
		}
	}
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
