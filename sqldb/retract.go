package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// Error declarations (EPCIS 2.0 §7.4.1.2) are stored as event records
// with declaration = 1 beside the event they declare in error, under the
// same eventID. Whether an event is declared in error is read from them
// (declaredColumn), never stored on the event's own row, so that the
// chained records alone decide it.

// declaredColumn selects, for an event record, the JSON of the first
// declaration of it (empty if none, and for declaration records).
const declaredColumn = `CASE WHEN e.declaration = 0 THEN COALESCE((SELECT d.raw FROM events d WHERE d.declaration = 1 AND d.event_id = e.event_id ORDER BY d.pk LIMIT 1), '') ELSE '' END`

// scanDeclarations fills ErrorDeclaration on a declaration record and
// DeclaredInError on a declared event.
func scanDeclarations(ev *critmin.Event, isDecl bool, declaredBy string) error {
	if isDecl {
		ed, err := epcis.StoredDeclaration(ev.Raw)
		if err != nil {
			return err
		}
		if ed == nil {
			ed = &critmin.ErrorDeclaration{}
		}
		ev.ErrorDeclaration = ed
	}
	if declaredBy != "" {
		ed, err := epcis.StoredDeclaration([]byte(declaredBy))
		if err != nil {
			return err
		}
		ev.DeclaredInError = ed
	}
	return nil
}

// declarationFilter adds EXISTS_errorDeclaration, EQ_errorReason and
// EQ_correctiveEventID: each keeps only declaration records.
func declarationFilter(w *where, f critmin.EventFilter) {
	if f.ErrorDeclarationExists || len(f.ErrorReasons) > 0 || len(f.CorrectiveEventIDs) > 0 {
		w.add("e.declaration = 1")
	}
	for kind, vals := range map[string][]string{"errorReason": f.ErrorReasons, "corrective": f.CorrectiveEventIDs} {
		if len(vals) == 0 {
			continue
		}
		args := []any{kind}
		for _, v := range vals {
			args = append(args, v)
		}
		w.add("e.pk IN (SELECT event_pk FROM event_attrs WHERE kind = ? AND "+inList("val", len(vals))+")", args...)
	}
}

// declaredAmong returns which of ids have a stored declaration.
func (w *writer) declaredAmong(ids []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := inChunks(ids, func(part []any) error {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT DISTINCT event_id FROM events WHERE declaration = 1 AND event_id IN ("+placeholders(len(part))+")"), part...)
		if err != nil {
			return fmt.Errorf("%s: look up declarations: %w", w.db.Dialect.Name, err)
		}
		return collectStrings(rows, out)
	})
	return out, err
}

// storedEvents decodes the event records a query selects (pk, raw,
// context, declaration JSON), in the query's order. In a capture group
// the query runs on its prepared statement (rowsOf): the container reads
// (movesOf, feedsOf) ask the same text once or more for each container a
// document moves, and SQLite parsed it anew each time.
func (w *writer) storedEvents(query string, args ...any) ([]*critmin.Event, error) {
	rows, release, err := rowsOf(w.ctx, w.reader(), w.db.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: read events to replay: %w", w.db.Dialect.Name, err)
	}
	defer release()
	defer rows.Close()
	var out []*critmin.Event
	for rows.Next() {
		var pk int64
		var raw, declaredBy string
		var ctx sql.NullString
		if err := rows.Scan(&pk, &raw, &ctx, &declaredBy); err != nil {
			return nil, err
		}
		ev, err := ledger.DecodeStored([]byte(raw), []byte(ctx.String))
		if err != nil {
			return nil, err
		}
		ev = canonLots(ev) // lots are keyed by canonical class identifier (docs/identity.md)
		ev.PK = pk
		if err := scanDeclarations(ev, false, declaredBy); err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

const replayColumns = `e.pk, e.raw, c.body, ` + declaredColumn + ` FROM events e LEFT JOIN contexts c ON c.id = e.context_id`

// applyDeclarations makes the declarations of this capture take effect
// once its records are written: the genealogy links, transformation
// members and moves of each declared event go, the lots it named are
// rebuilt from their live events (ledger.Replay), a lot left with no
// event is removed, and the origin mixes downstream are marked stale, to
// be recomputed on demand. A declaration of an event not (yet) stored
// changes nothing now; that event is skipped when it arrives (project).
func (w *writer) applyDeclarations(events []*critmin.Event) error {
	var targets []string
	seen := map[string]bool{}
	for _, ev := range events {
		if ev.ErrorDeclaration != nil && !seen[ev.EventID] {
			seen[ev.EventID] = true
			targets = append(targets, ev.EventID)
		}
	}
	if len(targets) == 0 {
		return nil
	}
	var declared []*critmin.Event
	err := inChunks(targets, func(part []any) error {
		evs, err := w.storedEvents("SELECT "+replayColumns+" WHERE e.declaration = 0 AND e.event_id IN ("+placeholders(len(part))+") ORDER BY e.pk", part...)
		declared = append(declared, evs...)
		return err
	})
	if err != nil || len(declared) == 0 {
		return err
	}
	// A declared event that moved containers by their own identifiers
	// moved what they held then (event_contents): those lots are
	// replayed without it too (nu36a-5).
	carried, err := w.withStoredContents(append([]*critmin.Event(nil), declared...))
	if err != nil {
		return err
	}
	var lotIDs, xids, declIDs []string
	lotSeen, xSeen := map[string]bool{}, map[string]bool{}
	for i, ev := range declared {
		declIDs = append(declIDs, ev.EventID)
		for _, id := range canonLots(carried[i]).LotIDs() {
			if !lotSeen[id] {
				lotSeen[id] = true
				lotIDs = append(lotIDs, id)
			}
		}
		if ev.TransformationID != "" && !xSeen[ev.TransformationID] {
			xSeen[ev.TransformationID] = true
			xids = append(xids, ev.TransformationID)
		}
	}
	// The lots whose origin the declarations can change: every lot the
	// declared events or their runs name, and everything made from them,
	// read before the declared events' links go (the output of a split
	// run is linked to an input-only event's lot by another event's
	// link, which the run's rebuild drops).
	seeds := append([]string(nil), lotIDs...)
	for _, x := range xids {
		members, err := w.runLots(x)
		if err != nil {
			return err
		}
		seeds = append(seeds, members...)
	}
	if err := w.flush(w.links); err != nil {
		return err
	}
	downstream, err := w.downstreamOf(seeds)
	if err != nil {
		return err
	}
	if err := inChunks(declIDs, func(part []any) error {
		return w.dropDerived("lot_links", "event_id IN ("+placeholders(len(part))+")", part...)
	}); err != nil {
		return fmt.Errorf("%s: drop links of declared events: %w", w.db.Dialect.Name, err)
	}
	for _, x := range xids {
		if err := w.rebuildTransformation(x); err != nil {
			return err
		}
	}
	// A packing declared in error no longer holds its lots in the
	// container: the events that moved the container since move them no
	// more (contents.go).
	held, runs, err := w.recontain(declared, unpacks(declared))
	if err != nil {
		return err
	}
	// A corrective packing stored already into a container recomputed
	// here is counted now (recontainCorrectives runs once a container).
	var rest []*critmin.Event
	for _, p := range w.correctivePacks {
		if !packsInto(declared, canon(p.ParentID)) {
			rest = append(rest, p)
		}
	}
	w.correctivePacks = rest
	if err := w.refeedRuns(runs, xSeen, downstream); err != nil {
		return err
	}
	for _, id := range held {
		if !lotSeen[id] {
			lotSeen[id] = true
			lotIDs = append(lotIDs, id)
		}
	}
	// A declared receipt of a container: the runs fed it are computed
	// again once the document's corrective receipts are projected
	// (recontainReceipts).
	w.noteDeclaredReceipts(declared, events)
	// A declared line draw under a run fed its container whole: the run
	// is computed again too (noteDeclaredDraws, drawBoxes).
	w.noteDeclaredDraws(carried, events)
	if err := w.replayLots(lotIDs); err != nil {
		return err
	}
	return w.rematerialize(downstream)
}

// packsInto says whether one of evs is an AggregationEvent on container
// c (canonical).
func packsInto(evs []*critmin.Event, c string) bool {
	for _, ev := range evs {
		if ev.Type == critmin.AggregationEvent && ev.ParentID != "" && canon(ev.ParentID) == c {
			return true
		}
	}
	return false
}

// noteCorrectivePacks keeps, of events just stored, the packings that a
// declaration of this capture names as its corrective events
// (recontainCorrectives).
func (w *writer) noteCorrectivePacks(events []*critmin.Event) {
	for _, ev := range events {
		if ev.ErrorDeclaration == nil && ev.Type == critmin.AggregationEvent && ev.ParentID != "" && w.docCorrective[ev.EventID] {
			w.correctivePacks = append(w.correctivePacks, ev)
		}
	}
}

// recontainCorrectives recomputes, as a declared packing does
// (applyDeclarations, recontain), the contents of the events that moved
// or fed whole the containers of the corrective packings stored since
// the last settle, rebuilds the links of the runs among them and
// replays the lots they name (issue 8 §2, new-user check n8e-5, fixQa):
// a packing of 4 t declared in error with a corrective of 3 t under a
// run fed the container whole leaves the run taking the 3 t the
// corrective put in, whichever of the two comes first in the document —
// declaration first, the declaration's own recompute ran before the
// corrective was stored.
func (w *writer) recontainCorrectives() error {
	packs := w.correctivePacks
	w.correctivePacks = nil
	if len(packs) == 0 {
		return nil
	}
	held, runs, err := w.recontain(packs, true)
	if err != nil || len(held) == 0 && len(runs) == 0 {
		return err
	}
	downstream := map[string]bool{}
	if err := w.refeedRuns(runs, map[string]bool{}, downstream); err != nil {
		return err
	}
	if err := w.replayLots(held); err != nil {
		return err
	}
	return w.rematerialize(downstream)
}

// refeedRuns rebuilds the links of runs, fed whole containers whose
// contents recontain recomputed, from those contents (transformations
// in xSeen are rebuilt already), and adds what was made from them to
// downstream.
func (w *writer) refeedRuns(runs []*critmin.Event, xSeen, downstream map[string]bool) error {
	// A run fed such a container consumes what it holds now: its links
	// are rebuilt from the contents recomputed.
	for _, run := range runs {
		x := run.TransformationID
		var members []string
		var err error
		if x == "" {
			// A run without a transformationID: its own links only.
			if members, err = w.rebuildRunEvent(run); err != nil {
				return err
			}
		} else {
			if xSeen[x] {
				continue
			}
			xSeen[x] = true
			if err := w.rebuildTransformation(x); err != nil {
				return err
			}
			if members, err = w.runLots(x); err != nil {
				return err
			}
		}
		// Its products' origin now reads the lots it consumed.
		more, err := w.downstreamOf(members)
		if err != nil {
			return err
		}
		for id := range more {
			downstream[id] = true
		}
	}
	return nil
}

// rebuildRunEvent rebuilds the links of ev, a stored run without a
// transformationID fed containers whole, from the contents kept with it
// now (event_contents; ledger.WithContents, ledger.RunLinks), and returns
// the lots it names.
func (w *writer) rebuildRunEvent(ev *critmin.Event) ([]string, error) {
	if err := w.flush(w.contents); err != nil {
		return nil, err
	}
	if err := w.flush(w.links); err != nil {
		return nil, err
	}
	if err := w.dropDerived("lot_links", "event_id = ? AND kind = ?", ev.EventID, ledger.LinkTransformation); err != nil {
		return nil, fmt.Errorf("%s: drop run links: %w", w.db.Dialect.Name, err)
	}
	w.forgetLinks(ev.EventID)
	evs, err := w.withStoredContents([]*critmin.Event{ev})
	if err != nil {
		return nil, err
	}
	ev = canonLots(evs[0])
	var in, out []critmin.QuantityElement
	for _, q := range ev.LotLines() {
		switch q.Role {
		case critmin.RoleInput:
			in = append(in, q)
		case critmin.RoleOutput:
			out = append(out, q)
		}
	}
	for _, l := range ledger.RunLinks(nil, nil, in, out, ev.EventID) {
		if err := w.addLink(l, ev); err != nil {
			return nil, err
		}
	}
	if err := w.flush(w.links); err != nil {
		return nil, err
	}
	return ev.LotIDs(), nil
}

// forgetLinks forgets that this capture wrote the links of eventID
// (addLink writes each once): they were dropped, to be written again
// from the run's contents computed again (a run fed a container whole,
// captured in the same document as the declaration that recomputes it;
// fixQh).
func (w *writer) forgetLinks(eventID string) {
	for k := range w.linked {
		if k[2] == eventID {
			delete(w.linked, k)
		}
	}
}

// runLots lists the lots a transformationID's stored members name.
func (w *writer) runLots(xid string) ([]string, error) {
	out := map[string]bool{}
	rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT DISTINCT epc_class FROM transformation_members WHERE transformation_id = ?"), xid)
	if err != nil {
		return nil, fmt.Errorf("%s: lots of run %s: %w", w.db.Dialect.Name, xid, err)
	}
	if err := collectStrings(rows, out); err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(out))
	for id := range out {
		ids = append(ids, canon(id))
	}
	sort.Strings(ids)
	return ids, nil
}

// downstreamOf returns ids and every lot made from them by
// transformations, as the stored links say now.
func (w *writer) downstreamOf(ids []string) (map[string]bool, error) {
	seen := map[string]bool{}
	frontier := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			frontier = append(frontier, id)
		}
	}
	for len(frontier) > 0 {
		next := map[string]bool{}
		err := inChunks(frontier, func(part []any) error {
			rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT DISTINCT child FROM lot_links WHERE kind = 'transformation' AND parent IN ("+placeholders(len(part))+")"), part...)
			if err != nil {
				return fmt.Errorf("%s: lots downstream: %w", w.db.Dialect.Name, err)
			}
			return collectStrings(rows, next)
		})
		if err != nil {
			return nil, err
		}
		frontier = frontier[:0]
		for id := range next {
			if !seen[id] {
				seen[id] = true
				frontier = append(frontier, id)
			}
		}
		sort.Strings(frontier)
	}
	return seen, nil
}

// rematerialize makes the kept origin mixes of the lots a declaration
// touched what a replay of the log without the declared events keeps
// (ledger.RunLinks through the run's rebuild, then the one mix
// computation, materialize): a lot no transformation link makes any more
// keeps no mix; every other produced lot among them is recomputed, its
// parents first, when this unit's projection settles.
func (w *writer) rematerialize(lots map[string]bool) error {
	if len(lots) == 0 {
		return nil
	}
	ids := make([]string, 0, len(lots))
	for id := range lots {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if err := w.flush(w.links); err != nil {
		return err
	}
	// The transformation edges among the lots, after the rebuild.
	parents := map[string][]string{}
	made := map[string]bool{}
	err := inChunks(ids, func(part []any) error {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT DISTINCT parent, child FROM lot_links WHERE kind = 'transformation' AND child IN ("+placeholders(len(part))+")"), part...)
		if err != nil {
			return fmt.Errorf("%s: links into touched lots: %w", w.db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var p, c string
			if err := rows.Scan(&p, &c); err != nil {
				return err
			}
			made[c] = true
			if lots[p] {
				parents[c] = append(parents[c], p)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	// Parents first (a cycle, which capture never makes, ends the walk).
	var order []string
	state := map[string]int{}
	var visit func(id string)
	visit = func(id string) {
		if state[id] != 0 {
			return
		}
		state[id] = 1
		ps := parents[id]
		sort.Strings(ps)
		for _, p := range ps {
			visit(p)
		}
		state[id] = 2
		order = append(order, id)
	}
	for _, id := range ids {
		visit(id)
	}
	var missing []string
	for _, id := range order {
		if !made[id] {
			if err := w.exec("DELETE FROM lot_origin WHERE lot = ?", id); err != nil {
				return fmt.Errorf("%s: drop origin mix of a lot no run makes: %w", w.db.Dialect.Name, err)
			}
			continue
		}
		if _, ok := w.lots[id]; !ok {
			missing = append(missing, id)
		}
	}
	if err := w.loadLots(missing); err != nil {
		return err
	}
	// The lots are recomputed after the unit's own outputs that are not
	// among them, in parents-first order.
	produced := w.produced[:0:0]
	for _, id := range w.produced {
		if !lots[id] {
			produced = append(produced, id)
		}
	}
	for _, id := range order {
		if made[id] && w.lots[id] != nil {
			produced = append(produced, id)
			w.producedSeen[id] = true
			w.existed[id] = true
		}
	}
	w.produced = produced
	return nil
}

// rebuildTransformation recomputes the members and the cross-event
// genealogy links of one transformationID from its live events, in
// capture order, as capture made them (transformationLinks).
func (w *writer) rebuildTransformation(xid string) error {
	evs, err := w.storedEvents("SELECT "+replayColumns+" WHERE e.declaration = 0 AND e.transformation_id = ? ORDER BY e.pk", xid)
	if err != nil {
		return err
	}
	// A run fed containers whole consumed what they held, as capture
	// projected it (event_contents; ledger.WithContents).
	if err := w.flush(w.contents); err != nil {
		return err
	}
	if evs, err = w.withStoredContents(evs); err != nil {
		return err
	}
	if err := w.flush(w.members); err != nil {
		return err
	}
	if err := w.exec("DELETE FROM transformation_members WHERE transformation_id = ?", xid); err != nil {
		return fmt.Errorf("%s: drop transformation members: %w", w.db.Dialect.Name, err)
	}
	w.countMember(xid, -w.runCount[xid]) // every member dropped: written again below
	// (the links this capture wrote are flushed first, then dropped and
	// written again: forgetLinks)
	if err := w.flush(w.links); err != nil {
		return err
	}
	for _, ev := range evs {
		if err := w.dropDerived("lot_links", "event_id = ? AND kind = ?", ev.EventID, ledger.LinkTransformation); err != nil {
			return fmt.Errorf("%s: drop transformation links: %w", w.db.Dialect.Name, err)
		}
		w.forgetLinks(ev.EventID)
	}
	w.xforms[xid] = &xform{}
	for _, ev := range evs {
		if !ledger.Live(ev) {
			continue
		}
		links, err := w.transformationLinks(ev)
		if err != nil {
			return err
		}
		for _, l := range links {
			if err := w.addLink(l, ev); err != nil {
				return err
			}
		}
	}
	for _, b := range []*batch{w.members, w.links} {
		if err := w.flush(b); err != nil {
			return err
		}
	}
	return nil
}

// replayedLots computes lots from their live stored events in event-time
// order (ledger.Replay), with their moves, writing nothing: replayLots
// writes them, flushLots only the lots rows.
func (w *writer) replayedLots(ids []string) (map[string]*critmin.Lot, []ledger.Move, error) {
	return w.replayedLotsBut(ids, nil, nil)
}

// replayCut, when set, ends a replay (replayedLotsBut) at event At: the
// events dated before it are replayed, and those of its time captured
// before it (PK); with Self, At itself too.
type replayCut struct {
	At   *critmin.Event
	Self bool
}

// keeps says whether ev is replayed under cut c (nil: every event).
func (c *replayCut) keeps(ev *critmin.Event) bool {
	if c == nil || c.At == nil {
		return true
	}
	switch {
	case ev.EventID == c.At.EventID:
		return c.Self
	case ev.EventTime.Before(c.At.EventTime):
		return true
	case ev.EventTime.After(c.At.EventTime):
		return false
	}
	return c.At.PK > 0 && ev.PK > 0 && ev.PK < c.At.PK
}

// replayedLotsBut is replayedLots without the events skip names
// (eventIDs; recontainIn) and, under cut, without the events after it:
// the lots as they stood when a run fed containers whole ran, for what
// it may take of them (recontainIn; fixQi: a corrective dated after the
// run takes nothing the run could have taken), or just before a later
// movement (checkTakenAfterFed).
func (w *writer) replayedLotsBut(ids []string, skip map[string]bool, cut *replayCut) (map[string]*critmin.Lot, []ledger.Move, error) {
	var evs []*critmin.Event
	err := inChunks(ids, func(part []any) error {
		in := placeholders(len(part))
		got, err := w.storedEvents("SELECT "+replayColumns+" WHERE e.declaration = 0 AND (e.pk IN (SELECT event_pk FROM event_quantities WHERE canon IN ("+in+
			")) OR e.event_id IN (SELECT event_id FROM event_contents WHERE canon IN ("+in+")) OR e.pk IN (SELECT event_pk FROM event_epcs WHERE canon IN ("+in+"))) ORDER BY e.pk", append(append(part, part...), part...)...)
		evs = append(evs, got...)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	// An event that moved a container holding one of the lots moves it
	// as capture projected it (contents.go).
	if evs, err = w.withStoredContents(uniqueByPK(evs)); err != nil {
		return nil, nil, err
	}
	// Chunks may overlap in events; replay each once, in capture order,
	// with lots named canonically as the projection names them.
	evs = uniqueByPK(evs)
	kept := evs[:0]
	for _, ev := range evs {
		if !skip[ev.EventID] && cut.keeps(ev) {
			kept = append(kept, canonLots(ev))
		}
	}
	lots, moves := ledger.Replay(ids, kept)
	return lots, moves, nil
}

// replayLots rebuilds lots from their live stored events in event-time
// order (ledger.Replay), their moves and the staleness of the origin
// mixes downstream of them.
func (w *writer) replayLots(ids []string) error {
	lots, moves, err := w.replayedLots(ids)
	if err != nil {
		return err
	}
	if err := inChunks(ids, func(part []any) error {
		return w.dropDerived("lot_moves", "lot IN ("+placeholders(len(part))+")", part...)
	}); err != nil {
		return fmt.Errorf("%s: drop moves: %w", w.db.Dialect.Name, err)
	}
	for _, m := range moves {
		if err := w.addMove(m); err != nil {
			return err
		}
	}
	if err := w.flush(w.moves); err != nil {
		return err
	}
	// The mixes downstream of the lots replayed, and of the other
	// outputs of the runs that made them (coOutputs: a run's caps share
	// its inputs among all its outputs), are stale.
	sibs, err := w.coOutputs(ids)
	if err != nil {
		return err
	}
	if err := w.markStale(append(append([]string(nil), ids...), sibs...)); err != nil {
		return err
	}
	for _, id := range ids {
		l := lots[id]
		if l.EventCount > 0 && l.Material {
			w.lots[id], w.touched[id] = l, true
			continue
		}
		delete(w.lots, id)
		delete(w.touched, id)
		for _, q := range []string{"DELETE FROM lots WHERE id = ?", "DELETE FROM lot_origin WHERE lot = ?"} {
			if err := w.exec(q, id); err != nil {
				return fmt.Errorf("%s: remove lot with no live event: %w", w.db.Dialect.Name, err)
			}
		}
	}
	return nil
}

// replayReordered rebuilds, in event-time order (replayLots), the lots an
// event of this unit reached out of order, so that a lot's state does not
// depend on the order its events were captured in.
func (w *writer) replayReordered() error {
	if len(w.reorder) == 0 {
		return nil
	}
	if w.db.writes == replayProjection {
		// Rebuild and replayInto choose replayRaw for a log holding an
		// out-of-order event, as the stored event_quantities and
		// event_contents show it (replayMode, verifyReplayMode): reaching
		// here, the stored rows do not show what the log holds.
		ids := make([]string, 0, len(w.reorder))
		for id := range w.reorder {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		return fmt.Errorf("%s: lot %s is reached out of event-time order in the log, which the stored event_quantities and event_contents do not show: a stored row differs from the log", w.db.Dialect.Name, strings.Join(ids, ", "))
	}
	ids := make([]string, 0, len(w.reorder))
	for id := range w.reorder {
		if w.lots[id] != nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	w.reorder = nil
	live := w.db.writes == replayFull && len(w.observedBack) > 0
	before := map[string]map[string]string{}
	if live {
		for _, id := range ids {
			before[id] = partReadings(w.lots[id], w.backdated)
		}
	}
	if err := w.replayLots(ids); err != nil {
		return err
	}
	if !live {
		return nil
	}
	// A backdated event must leave the lot as if it had come in event-time
	// order, and must not change how the lot's stored events read: a
	// weighing above a later whole-lot shipment by more than the part
	// tolerance would turn that shipment into a part (ledger, parts.go),
	// and the lot's receipt, runs and parties after it with it (issue 15:
	// the demo lot came out at twice its mass, in stock where it was
	// consumed). Such an event contradicts the later ones: refused, 409.
	// (Only observations are held to this: w.observedBack.)
	for _, id := range ids {
		if w.docDeclaredLots[id] {
			// The capture declares an event of the lot in error: how
			// its stored events read changes by the declaration, and a
			// corrective receipt or weighing dated before them restores
			// what they drew on. Whether they still stand on it is the
			// capture check's (custody: checkStanding and
			// checkRetractedDraws judge the lot with the declarations and
			// the correctives; a corrective holding less than a later
			// event took is refused there, naming the shortfall).
			continue
		}
		after := partReadings(w.lots[id], w.backdated)
		if c := changedReading(before[id], after); c != "" {
			mine := append([]string(nil), w.observedBack...)
			sort.Strings(mine)
			reason := fmt.Sprintf("event %s, dated before lot %s's later events, contradicts them: with it, %s; a backdated event must agree with what was recorded after it (a weighing within %.1f %% of a later shipped weight)",
				strings.Join(mine, ", "), id, c, ledger.PartTolerance*100)
			fields := make([]critmin.FieldError, 0, len(mine))
			for _, e := range mine {
				fields = append(fields, critmin.FieldError{Pointer: "event " + e + "/eventTime", Reason: reason, Conflict: true})
			}
			return &critmin.Error{Code: critmin.ECONFLICT, Message: reason + "; nothing was stored", Fields: fields}
		}
	}
	return nil
}

// partReadings is how a lot's parts read its stored events (those not in
// mine): each dispatch that shipped a part, and each receipt that closed
// one, keyed by eventID.
func partReadings(l *critmin.Lot, mine map[string]bool) map[string]string {
	out := map[string]string{}
	if l == nil {
		return out
	}
	for _, p := range l.Parts {
		if p.ShipEventID != "" && !mine[p.ShipEventID] {
			out[p.ShipEventID] = fmt.Sprintf("a part of %v t shipped", p.Tonnes)
		}
		if p.ReceiptEventID != "" && !mine[p.ReceiptEventID] {
			out[p.ReceiptEventID] = fmt.Sprintf("a part of %v t received", p.ReceivedTonnes)
		}
	}
	return out
}

// changedReading names the first stored event whose reading differs
// between before and after ("" if none).
func changedReading(before, after map[string]string) string {
	var keys []string
	for k := range after {
		if before[k] != after[k] {
			keys = append(keys, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return ""
	}
	sort.Strings(keys)
	k := keys[0]
	if a, ok := after[k]; ok {
		return "event " + k + " would read as " + a
	}
	return "event " + k + " would no longer read as " + before[k]
}

func uniqueByPK(evs []*critmin.Event) []*critmin.Event {
	seen := map[int64]bool{}
	out := evs[:0]
	for _, ev := range evs {
		if !seen[ev.PK] {
			seen[ev.PK] = true
			out = append(out, ev)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].PK < out[j].PK })
	return out
}

// ApplyStoredDeclarations corrects, once, the projections of a store whose
// declarations were captured before retractions were honoured: migration
// 0004 leaves a row in retraction_backfill when the store holds any, and
// this applies every stored declaration as capture now does, in one
// transaction, then clears the row. It does nothing on other stores.
func (db *DB) ApplyStoredDeclarations(ctx context.Context) error {
	var pending int
	if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM retraction_backfill`).Scan(&pending); err != nil {
		return fmt.Errorf("%s: retraction backfill: %w", db.Dialect.Name, err)
	}
	if pending == 0 {
		return nil
	}
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: retraction backfill: %w", db.Dialect.Name, err)
	}
	defer func() { _ = tx.Rollback() }()
	if db.Dialect.LockCapture != "" {
		if _, err := tx.ExecContext(ctx, db.Dialect.LockCapture); err != nil {
			return fmt.Errorf("%s: capture lock: %w", db.Dialect.Name, err)
		}
	}
	w := &writer{db: db, tx: tx, ctx: ctx, lots: map[string]*critmin.Lot{}, touched: map[string]bool{}, xforms: map[string]*xform{},
		existed: map[string]bool{}, factsChanged: map[string]bool{}, producedSeen: map[string]bool{}, declared: map[string]bool{}}
	w.links = &batch{head: "INSERT INTO lot_links (parent, child, event_id, kind, parent_qty, parent_uom, child_qty, child_uom, event_time, biz_location, replay, seal) VALUES ", cols: 12, tail: " ON CONFLICT (parent, child, event_id) DO NOTHING"}
	w.moves = &batch{head: "INSERT INTO lot_moves (lot, from_loc, to_loc, tonnes, event_id, seal) VALUES ", cols: 6}
	w.members = &batch{head: "INSERT INTO transformation_members (transformation_id, role, epc_class, quantity, uom, seal) VALUES ", cols: 6}
	w.contents = &batch{head: "INSERT INTO event_contents (event_id, container, canon, quantity, uom) VALUES ", cols: 5}
	rows, err := tx.QueryContext(ctx, `SELECT DISTINCT event_id FROM events WHERE declaration = 1`)
	if err != nil {
		return fmt.Errorf("%s: retraction backfill: %w", db.Dialect.Name, err)
	}
	var decls []*critmin.Event
	for rows.Next() {
		ev := &critmin.Event{ErrorDeclaration: &critmin.ErrorDeclaration{}}
		if err := rows.Scan(&ev.EventID); err != nil {
			rows.Close()
			return err
		}
		decls = append(decls, ev)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := w.applyDeclarations(decls); err != nil {
		return err
	}
	if err := w.recontainReceipts(); err != nil {
		return err
	}
	if err := w.materialize(); err != nil {
		return err
	}
	if err := w.saveLots(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM retraction_backfill`); err != nil {
		return fmt.Errorf("%s: retraction backfill: %w", db.Dialect.Name, err)
	}
	return tx.Commit()
}

// outOfOrderQuery counts (0 or 1) whether some lot has an event recorded
// after a later one by event time: a lot whose projection capture
// replayed in event-time order (replayReordered), which a replay must
// then be able to read back.
const outOfOrderQuery = `SELECT COUNT(*) FROM (SELECT 1 FROM (
	SELECT e.event_time, MAX(e.event_time) OVER (PARTITION BY q.canon ORDER BY e.pk ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_max
	FROM event_quantities q JOIN events e ON e.pk = q.event_pk WHERE e.declaration = 0) AS s
	WHERE s.prev_max > s.event_time LIMIT 1) AS t`

// replayMode is the scratch store's write mode for a replay of db's log:
// projection only, unless the projection reads records back — for the
// declarations (applyDeclarations) or a lot reached out of event-time
// order (replayReordered).
func (db *DB) replayMode(ctx context.Context, q querier) (replayMode, error) {
	var decls, late int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE declaration = 1`).Scan(&decls); err != nil {
		return 0, fmt.Errorf("%s: count declarations: %w", db.Dialect.Name, err)
	}
	if decls > 0 {
		return replayRaw, nil
	}
	if err := q.QueryRowContext(ctx, outOfOrderQuery).Scan(&late); err != nil {
		return 0, fmt.Errorf("%s: look for events out of event-time order: %w", db.Dialect.Name, err)
	}
	if late > 0 {
		return replayRaw, nil
	}
	// A lot moved in a container is replayed from its records when a
	// movement of the container reaches it out of event-time order.
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+containerShipments+` LIMIT 1) AS hit`).Scan(&late); err != nil {
		return 0, fmt.Errorf("%s: look for events naming a container: %w", db.Dialect.Name, err)
	}
	if late > 0 {
		return replayRaw, nil
	}
	return replayProjection, nil
}

// outOfOrderContentsQuery is outOfOrderQuery with a lot's events
// including those that moved a container holding it (event_contents: the
// projection reads those lines as the event's own, so a container's
// movement dated before the lot's latest event reorders the lot as a
// line naming it would).
const outOfOrderContentsQuery = `SELECT COUNT(*) FROM (SELECT 1 FROM (
	SELECT l.event_time, MAX(l.event_time) OVER (PARTITION BY l.canon ORDER BY l.pk ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_max
	FROM (SELECT e.pk, e.event_time, q.canon FROM event_quantities q JOIN events e ON e.pk = q.event_pk WHERE e.declaration = 0
		UNION ALL SELECT e.pk, e.event_time, c.canon FROM event_contents c JOIN events e ON e.event_id = c.event_id AND e.declaration = 0) AS l) AS s
	WHERE s.prev_max > s.event_time LIMIT 1) AS t`

// verifyReplayMode is replayMode for verify's rebuild of a migrated
// store, whose event_contents says which lots containers moved: a log
// naming containers is replayed from its records only if a container's
// movement reaches a lot out of event-time order (outOfOrderContentsQuery),
// not whenever a container is named. (replayMode stays for the
// migrations' replays: before migration 0118 has filled event_contents,
// it cannot tell.) Before 2026-12-06 verify wrote every record, its
// @context and quantity lines into the scratch store of any log shipping
// a container — every lot of the verify benchmark's store. The stored
// rows this reads are themselves compared: a row removed so that a lot
// reached out of order is not seen makes the replay stop
// (replayReordered), and verify fail.
func (db *DB) verifyReplayMode(ctx context.Context, q querier) (replayMode, error) {
	var decls, late int64
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE declaration = 1`).Scan(&decls); err != nil {
		return 0, fmt.Errorf("%s: count declarations: %w", db.Dialect.Name, err)
	}
	if decls > 0 {
		return replayRaw, nil
	}
	if err := q.QueryRowContext(ctx, outOfOrderContentsQuery).Scan(&late); err != nil {
		return 0, fmt.Errorf("%s: look for events out of event-time order: %w", db.Dialect.Name, err)
	}
	if late > 0 {
		return replayRaw, nil
	}
	return replayProjection, nil
}

// LiveEventsOfLots returns the stored events not declared in error that
// name any of the lots (canonical identifiers), or moved a container
// holding one of them then (event_contents: the event is given the lines
// of what its containers held, ledger.WithContents, as the projection
// moved them — a container-only shipment is an event of each lot it
// carried; issue 8 §2, nu36a-5/6), decoded with their mineral facts and
// lots named canonically, in capture order: what ledger.Replay needs to
// rebuild those lots — as a capture-time check does for a lot whose
// event the same document declares in error.
func (db *DB) LiveEventsOfLots(ctx context.Context, ids []string) ([]*critmin.Event, error) {
	return db.liveEventsOfLots(ctx, db.reader(ctx), ids)
}

// LiveCarriersOfLots returns the stored events not declared in error that
// moved a container holding one of the lots (canonical identifiers) at
// their time, by the container's own identifier (event_contents), each
// given the lines of what its containers held (ledger.WithContents;
// Carried), in capture order: the moves of a lot that do not name it.
func (db *DB) LiveCarriersOfLots(ctx context.Context, ids []string) ([]*critmin.Event, error) {
	return db.liveEvents(ctx, db.reader(ctx), ids, true)
}

// liveEventsOfLots is LiveEventsOfLots read through q.
func (db *DB) liveEventsOfLots(ctx context.Context, q querier, ids []string) ([]*critmin.Event, error) {
	return db.liveEvents(ctx, q, ids, false)
}

// liveEvents is LiveEventsOfLots (carriersOnly false) or
// LiveCarriersOfLots read through q.
func (db *DB) liveEvents(ctx context.Context, q querier, ids []string, carriersOnly bool) ([]*critmin.Event, error) {
	var out []*critmin.Event
	err := inChunks(ids, func(part []any) error {
		in := placeholders(len(part))
		query, args := "SELECT "+replayColumns+" WHERE e.declaration = 0 AND (e.pk IN (SELECT event_pk FROM event_quantities WHERE canon IN ("+in+
			")) OR e.event_id IN (SELECT event_id FROM event_contents WHERE canon IN ("+in+")) OR e.pk IN (SELECT event_pk FROM event_epcs WHERE canon IN ("+in+"))) ORDER BY e.pk", append(append(part, part...), part...)
		if carriersOnly {
			query, args = "SELECT "+replayColumns+" WHERE e.declaration = 0 AND e.event_id IN (SELECT event_id FROM event_contents WHERE canon IN ("+in+")) ORDER BY e.pk", part
		}
		rows, err := q.QueryContext(ctx, db.q(query), args...)
		if err != nil {
			return fmt.Errorf("%s: events of lots: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var pk int64
			var raw, declaredBy string
			var c sql.NullString
			if err := rows.Scan(&pk, &raw, &c, &declaredBy); err != nil {
				return err
			}
			if declaredBy != "" {
				continue
			}
			ev, err := ledger.DecodeStored([]byte(raw), []byte(c.String))
			if err != nil {
				return err
			}
			ev = canonLots(ev)
			ev.PK = pk
			out = append(out, ev)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out = uniqueByPK(out)
	// What the containers each event moved held then, as capture
	// projected it.
	var moved []string
	for _, ev := range out {
		if ledger.ReadsContents(ev) {
			moved = append(moved, ev.EventID)
		}
	}
	if len(moved) == 0 {
		return out, nil
	}
	held, err := db.eventContentRows(ctx, q, moved)
	if err != nil {
		return nil, err
	}
	for i, ev := range out {
		if rows := held[ev.EventID]; len(rows) > 0 {
			out[i] = ledger.WithContents(ev, contentLines(rows), containersOf(rows)...)
		}
	}
	return out, nil
}

// unpacks says whether one of evs is an unpacking (an AggregationEvent
// DELETE) of a container.
func unpacks(evs []*critmin.Event) bool {
	for _, ev := range evs {
		if ev.Type == critmin.AggregationEvent && ev.ParentID != "" && ev.Action == "DELETE" {
			return true
		}
	}
	return false
}
