package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
)

// What a container held when an event moved it (issue 8 §2, issue 15 §2;
// migration 0118). A shipping or receiving ObjectEvent naming only a
// container in its epcList (ledger.MovesContents) moves the lots packed
// in it at the event's time (ledger.ContentsAt): capture stores them in
// event_contents, one row per lot, and projects the event as if it named
// them (ledger.WithContents). A lot replayed from its stored events reads
// them back (withStoredContents); verify rebuilds and compares them.

func init() {
	RegisterDerived(DerivedTable{Name: "event_contents", Key: []string{"event_id", "container", "canon", "#quantity", "uom"}})
}

// containerShipments matches a store holding an ObjectEvent that names,
// in its epcList, an identifier some AggregationEvent uses as its
// parentID: the events whose contents migration 0118 stores, and the
// logs whose replay must read records back (replayMode).
const containerShipments = `event_epcs x JOIN event_epcs p ON p.canon = x.canon AND p.role = 'parent' WHERE x.role = 'epc'`

// replayContents is migration 0118's Go step: on a store holding an
// event naming a container in its epcList (containerShipments) it
// replays the log as verify does and rewrites each lot projection table
// that differs, event_contents included; other stores are left alone.
func replayContents(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+containerShipments+` LIMIT 1) AS hit`).Scan(&n); err != nil {
		return fmt.Errorf("count events naming a container: %w", err)
	}
	if n == 0 {
		return nil
	}
	return replaceProjectionOf(ctx, raw, tx, d, append(append([]string(nil), projectionTables...), "event_contents"))
}

// contentsMigration is the migration whose Go step is replayContents.
const contentsMigration = 118

func init() { goStepsWithStore[contentsMigration] = replayContents }

// notePacking keeps an AggregationEvent (not declared in error) that
// this capture projects, by its canonical parent: the packings of a
// container read at a later event of the same capture (packingsOf). A
// replay keeps them in its scratch store for the whole log, whose
// records it does not all write back (replayMode).
func (w *writer) notePacking(ev *critmin.Event) {
	if ev.Type != critmin.AggregationEvent || ev.ParentID == "" {
		return
	}
	parent := canon(ev.ParentID)
	if w.db.writes != replayFull {
		if w.db.replayPacks == nil {
			w.db.replayPacks = map[string][]*critmin.Event{}
		}
		w.db.replayPacks[parent] = append(w.db.replayPacks[parent], ev)
		return
	}
	if w.packs == nil {
		w.packs = map[string][]*critmin.Event{}
	}
	w.packs[parent] = append(w.packs[parent], ev)
}

// forgetPacking drops the packings kept under eventID (declared in error
// by this capture).
func (w *writer) forgetPacking(eventID string) {
	for _, m := range []map[string][]*critmin.Event{w.packs, w.db.replayPacks, w.tripMoves, w.db.replayMoves, w.runFeeds, w.db.replayFeeds, w.lotEvents, w.db.replayLotEvents} {
		for k, evs := range m {
			kept := evs[:0:0]
			for _, e := range evs {
				if e.EventID != eventID {
					kept = append(kept, e)
				}
			}
			m[k] = kept
		}
	}
	delete(w.movedRows, eventID)
	delete(w.db.replayRows, eventID)
	if w.forgotten == nil {
		w.forgotten = map[string]bool{}
	}
	w.forgotten[eventID] = true
}

// packingsOf is container's (canonical) AggregationEvents not declared in
// error — stored, then this capture's — in event-time order (equal
// times in capture order).
func (w *writer) packingsOf(container string) ([]*critmin.Event, error) {
	var out []*critmin.Event
	if w.db.writes != replayFull {
		out = append(out, w.db.replayPacks[container]...)
	} else {
		stored, err := w.readsMemo("packings\x00"+container, func() ([]*critmin.Event, error) { return w.storedPackings(container) })
		if err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, e := range append(stored, w.packs[container]...) {
			if !seen[e.EventID] && !w.declared[e.EventID] && !w.forgotten[e.EventID] {
				seen[e.EventID] = true
				out = append(out, e)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].EventTime.Before(out[j].EventTime) })
	return out, nil
}

// storedPackings reads container's stored AggregationEvents not declared
// in error, in capture order, with their child lines.
func (w *writer) storedPackings(container string) ([]*critmin.Event, error) {
	const from = ` FROM event_epcs p JOIN events e ON e.pk = p.event_pk`
	const cond = ` WHERE p.canon = ? AND p.role = 'parent' AND e.event_type = 'AggregationEvent' AND` + notDeclared
	rows, release, err := rowsOf(w.ctx, w.reader(), w.db.q(`SELECT e.pk, e.event_id, e.event_time, e.action, p.epc, c.canon, c.quantity, COALESCE(c.uom, ''), 1`+from+
		` JOIN event_quantities c ON c.event_pk = e.pk AND c.role = 'child'`+cond+`
		UNION ALL SELECT e.pk, e.event_id, e.event_time, e.action, p.epc, c.canon, NULL, '', 0`+from+` JOIN event_epcs c ON c.event_pk = e.pk AND c.role = 'child'`+cond+`
		UNION ALL SELECT e.pk, e.event_id, e.event_time, e.action, p.epc, '', NULL, '', 2`+from+cond+`
		AND NOT EXISTS (SELECT 1 FROM event_quantities c WHERE c.event_pk = e.pk AND c.role = 'child')
		AND NOT EXISTS (SELECT 1 FROM event_epcs c WHERE c.event_pk = e.pk AND c.role = 'child')`), container, container, container)
	if err != nil {
		return nil, fmt.Errorf("%s: packings of container %s: %w", w.db.Dialect.Name, container, err)
	}
	defer release()
	defer rows.Close()
	byPK := map[int64]*critmin.Event{}
	var out []*critmin.Event
	for rows.Next() {
		var pk, us int64
		var id, action, parent, child, uom string
		var q sql.NullFloat64
		var kind int
		if err := rows.Scan(&pk, &id, &us, &action, &parent, &child, &q, &uom, &kind); err != nil {
			return nil, err
		}
		ev := byPK[pk]
		if ev == nil {
			ev = &critmin.Event{PK: pk, Type: critmin.AggregationEvent, EventID: id, EventTime: time.UnixMicro(us).UTC(), Action: action, ParentID: parent}
			byPK[pk] = ev
			out = append(out, ev)
		}
		switch kind {
		case 1:
			line := critmin.QuantityElement{Role: critmin.RoleChild, EPCClass: child, UOM: uom}
			if q.Valid {
				f := q.Float64
				line.Quantity = &f
			}
			ev.Quantities = append(ev.Quantities, line)
		case 0:
			ev.EPCs = append(ev.EPCs, critmin.EPCRef{Role: critmin.RoleChild, EPC: child})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].PK < out[j].PK })
	return out, nil
}

// contentRow is one event_contents row.
type contentRow struct {
	container string
	line      critmin.QuantityElement
}

// contentsOf is what the containers ev names in its epcList held at its
// time (ledger.ContentsAt), for an event that moves them
// (ledger.MovesContents); nil for any other.
func (w *writer) contentsOf(ev *critmin.Event) ([]contentRow, error) {
	rows, err := w.contentsOfBut(ev, nil)
	if err != nil || len(rows) == 0 || !ledger.MovesContents(ev) || ledger.ReadsTrip(ev) {
		return rows, err
	}
	// A dispatch moves what its containers hold once the lots' own line
	// draws are counted: what stands of each lot at its site
	// (ledger.FedHolding, the run feed's rule; n8b wrong refusal 1).
	// Only as captured (and replayed in capture order): recontain reads
	// the lots after the dispatch took its share. A container on a trip
	// (a further leg) is not cut: it carries what its trip carries.
	var standing, away []contentRow
	for _, r := range rows {
		on, err := w.holdings().OnTrip(r.container, ev)
		if err != nil {
			return nil, err
		}
		if on {
			away = append(away, r)
		} else {
			standing = append(standing, r)
		}
	}
	if len(standing) == 0 {
		return rows, nil
	}
	cut, err := w.withinStanding(standing, ev, nil)
	if err != nil {
		return nil, err
	}
	return append(cut, away...), nil
}

// contentsOfBut is contentsOf for an event whose contents are computed
// again (recontain), own being what that event itself took of each lot
// through its containers when it was last computed (canonical lot → wet
// tonnes; a line without a quantity counts as unknown, -1). A run fed a
// container consumed what it held: read again, the lots' projection
// already counts that consumption, so each lot counts as holding what
// it holds now plus what this run took of it — a run whose container
// held Ap and Ac after an unpacking of Ac is declared in error consumes
// both, not Ac alone with Ap given back as if never fed.
func (w *writer) contentsOfBut(ev *critmin.Event, own map[string]float64) ([]contentRow, error) {
	if !ledger.ReadsContents(ev) {
		return nil, nil
	}
	role := critmin.RoleEPC
	if ledger.FeedsContainers(ev) {
		// A run fed containers whole consumes what they hold
		// (ledger.WithContents).
		role = critmin.RoleInput
	}
	var out []contentRow
	seen := map[string]bool{}
	for _, e := range ev.EPCs {
		c := canon(e.EPC)
		if e.Role != role || seen[c] {
			continue
		}
		seen[c] = true
		lines, err := w.readHeld(c, ev)
		if err != nil {
			return nil, err
		}
		if ledger.ReadsTrip(ev) {
			// A receipt receives what the trip's dispatch carried in
			// the container (ledger.Carried), not what was packed.
			moves, err := w.movesOf(c)
			if err != nil {
				return nil, err
			}
			if ship := ledger.TripOf(c, moves, ev); ship != nil {
				if lines, err = w.holdings().CarriedBy(ship, c); err != nil {
					return nil, err
				}
			}
		}
		for _, q := range lines {
			out = append(out, contentRow{container: c, line: q})
		}
	}
	// What the lots' line draws took out of the containers is out of
	// what they hold (heldAt: ledger.Holdings.HeldAt with Drawn).
	return w.withoutConsumed(out, ev, own)
}

// emptiesKey keys, among the events kept by lot (noteLotEvent), the
// DELETEs emptying a container: they name no lot.
const emptiesKey = "\x00empties"

// noteLotEvent keeps ev, as projected (ids: its lots), by lot: what a
// later event of the same capture, or of a replay, reads of the lots'
// line draws (drawnEvents). A DELETE emptying a container is kept under
// emptiesKey.
func (w *writer) noteLotEvent(ev *critmin.Event, ids []string) {
	m := &w.lotEvents
	if w.db.writes != replayFull {
		m = &w.db.replayLotEvents
	}
	if *m == nil {
		*m = map[string][]*critmin.Event{}
	}
	if ev.Type == critmin.AggregationEvent && ev.Action == "DELETE" && ev.ParentID != "" && len(ledger.Children(ev)) == 0 {
		(*m)[emptiesKey] = append((*m)[emptiesKey], ev)
	}
	for _, id := range ids {
		(*m)[id] = append((*m)[id], ev)
	}
}

// drawnEvents is lot's live events — stored, then this capture's (a
// replay's: those replayed so far) — and the DELETEs emptying
// containers, in capture order (custody.DrawnShares).
func (w *writer) drawnEvents(lot string) ([]*critmin.Event, error) {
	var evs []*critmin.Event
	mine := w.lotEvents
	if w.db.writes != replayFull {
		mine = w.db.replayLotEvents
	} else if w.tx != nil {
		_, packs, err := w.db.packingEvents(w.ctx, w.reader(), []string{lot})
		if err != nil {
			return nil, err
		}
		if evs, err = w.db.liveEventsOfLots(w.ctx, w.reader(), []string{lot}); err != nil {
			return nil, err
		}
		for _, p := range packs {
			if p.Action == "DELETE" && len(ledger.Children(p)) == 0 {
				evs = append(evs, p)
			}
		}
		sort.SliceStable(evs, func(i, j int) bool { return evs[i].PK < evs[j].PK })
	}
	seen := map[string]bool{}
	out := evs[:0:0]
	for _, e := range append(append(evs, mine[lot]...), mine[emptiesKey]...) {
		if !seen[e.EventID] {
			seen[e.EventID] = true
			out = append(out, e)
		}
	}
	return out, nil
}

// checkEmptied refuses run ev, being captured, fed whole a container
// that gave it nothing (held: its contents rows) because an earlier run
// was fed it whole and nothing was packed into it since
// (ledger.Holdings.EmptiedBy): the lots it held are in that run's
// products; feeding it again would feed nothing, or the lots' loose
// rest in its place. Only a capture is refused: a run whose contents are
// recomputed when a packing is declared in error (recontain) takes
// nothing, as a run fed an empty container does.
func (w *writer) checkEmptied(ev *critmin.Event, held []contentRow) error {
	if !ledger.FeedsContainers(ev) {
		return nil
	}
	gave := map[string]bool{}
	for _, c := range containersOf(held) {
		gave[c] = true
	}
	for _, e := range ev.EPCs {
		c := canon(e.EPC)
		if e.Role != critmin.RoleInput || gave[c] {
			continue
		}
		gave[c] = true
		by, err := w.holdings().EmptiedBy(c, ev.EventTime, ev)
		if err != nil {
			return err
		}
		if by == nil {
			continue
		}
		return ledger.EmptiedError(ev, e.EPC, by)
	}
	return nil
}

// noteFeed keeps run ev (not declared in error) by each container it was
// fed whole that gave it lots (held, its contents rows): the runs that
// emptied a container (feedsOf). A replay keeps them for the whole log,
// as notePacking does.
func (w *writer) noteFeed(ev *critmin.Event, held []contentRow) {
	if !ledger.FeedsContainers(ev) || len(held) == 0 {
		return
	}
	for _, c := range containersOf(held) {
		if w.db.writes != replayFull {
			if w.db.replayFeeds == nil {
				w.db.replayFeeds = map[string][]*critmin.Event{}
			}
			w.db.replayFeeds[c] = append(w.db.replayFeeds[c], ev)
			continue
		}
		if w.runFeeds == nil {
			w.runFeeds = map[string][]*critmin.Event{}
		}
		w.runFeeds[c] = append(w.runFeeds[c], ev)
	}
}

// feedsOf is the runs not declared in error fed container (canonical)
// whole that took what it held: the stored ones with contents of it
// (event_contents), then this capture's.
func (w *writer) feedsOf(container string) ([]*critmin.Event, error) {
	if w.db.writes != replayFull {
		return w.db.replayFeeds[container], nil
	}
	stored, err := w.readsMemo("feeds\x00"+container, func() ([]*critmin.Event, error) {
		stored, err := w.storedEvents(feedsQuery, container)
		return ofType(stored, critmin.TransformationEvent), err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: runs fed container %s: %w", w.db.Dialect.Name, container, err)
	}
	return w.live(stored, w.runFeeds[container]), nil
}

// feedsQuery and movesQuery read a container's stored events not
// declared in error that have contents of it (feedsOf keeps the runs) and
// that name it in their epcList (movesOf keeps the ObjectEvents), each
// with the argument the canonical container. The event type is kept in
// Go (ofType), not asked in SQL: with it, SQLite searched events by
// events_event_type and walked every stored event of that type for each
// container (TestContainerReadsSearchByContainer).
const (
	feedsQuery = "SELECT " + replayColumns + " WHERE e.event_id IN (SELECT x.event_id FROM event_contents x WHERE x.container = ?) AND" + notDeclared + " ORDER BY e.pk"
	movesQuery = "SELECT " + replayColumns + " WHERE e.pk IN (SELECT x.event_pk FROM event_epcs x WHERE x.canon = ? AND x.role = 'epc') AND" + notDeclared + " ORDER BY e.pk"
)

// readsMemo is read(), a container's stored events, read once while
// insertEvents projects a batch (w.containerReads, keyed by what is read
// and the container) and again after any write (flush clears it): the
// events of a container are asked for at each event naming it, and
// several times for one (its holdings, its trip, its feeds). The events
// returned are shared by the readers, as this capture's own are
// (tripMoves, packs): none changes them. Outside insertEvents it reads.
func (w *writer) readsMemo(key string, read func() ([]*critmin.Event, error)) ([]*critmin.Event, error) {
	if w.containerReads == nil {
		return read()
	}
	if evs, ok := w.containerReads[key]; ok {
		return evs, nil
	}
	evs, err := read()
	if err != nil {
		return nil, err
	}
	evs = slices.Clip(evs)
	w.containerReads[key] = evs
	return evs, nil
}

// ofType is evs of type typ, in their order.
func ofType(evs []*critmin.Event, typ string) []*critmin.Event {
	out := evs[:0]
	for _, e := range evs {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// ContainerReads returns, in this store's dialect, the queries a capture
// asks once per container it moves, packs or feeds (feedsOf, movesOf),
// each taking the canonical container as its one argument: for tests of
// their query plans.
func (db *DB) ContainerReads() []string {
	return []string{db.q(feedsQuery), db.q(movesQuery)}
}

// live is stored then mine, once each, less the events this capture
// declared in error or forgot and the declarations themselves: the
// events of a container that still stand (movesOf, feedsOf).
func (w *writer) live(stored, mine []*critmin.Event) []*critmin.Event {
	var out []*critmin.Event
	seen := map[string]bool{}
	for _, e := range append(stored, mine...) {
		if !seen[e.EventID] && !w.declared[e.EventID] && !w.forgotten[e.EventID] && e.ErrorDeclaration == nil {
			seen[e.EventID] = true
			out = append(out, e)
		}
	}
	return out
}

// heldAt is what container (canonical) held at at, for event self: its
// packings less what its earlier trips left behind
// (ledger.Holdings.HeldAt).
func (w *writer) heldAt(container string, at time.Time, self *critmin.Event) ([]critmin.QuantityElement, error) {
	return w.holdings().HeldAt(container, at, self)
}

// readHeld is what container (canonical) holds for event ev reading its
// contents (heldAt): for a receipt (ledger.ReadsTrip) without the lots'
// line draws — a lot shipped by a line out of the container it stood in
// travelled in it, and the container's receipt receives it (custody
// readHeld alike).
func (w *writer) readHeld(container string, ev *critmin.Event) ([]critmin.QuantityElement, error) {
	h := w.holdings()
	if ledger.ReadsTrip(ev) {
		h.Drawn = nil
	}
	return h.HeldAt(container, ev.EventTime, ev)
}

// holdings reads containers' packings and dispatches as this capture
// sees them.
func (w *writer) holdings() ledger.Holdings {
	return ledger.Holdings{Packings: w.packingsOf, Moves: w.movesOf, Feeds: w.feedsOf, Recorded: w.recordedOf, Drawn: w.drawnOf, Material: w.commissioned}
}

// drawnOf is the line draws out of container (canonical) of the lots
// packed into it (custody.LineDraws over drawnEvents, less the events
// this capture declared in error or forgot): what ledger.Holdings.HeldAt
// subtracts with the unpackings, trips and feeds.
func (w *writer) drawnOf(container string) ([]ledger.LineDraw, error) {
	packs, err := w.packingsOf(container)
	if err != nil {
		return nil, err
	}
	return custody.LineDrawsOut(container, custody.PackedLots(packs), func(lot string) ([]*critmin.Event, error) {
		evs, err := w.drawnEvents(lot)
		if err != nil {
			return nil, err
		}
		live := evs[:0:0]
		for _, e := range evs {
			if !w.declared[e.EventID] && !w.forgotten[e.EventID] {
				live = append(live, e)
			}
		}
		return live, nil
	})
}

// noteMoved keeps the contents rows of dispatch ev (not declared in
// error) that this capture, or a replay, computed: what a later receipt
// of its trip receives (recordedOf).
func (w *writer) noteMoved(ev *critmin.Event, rows []contentRow) {
	if !ledger.MovesContents(ev) || ledger.ReadsTrip(ev) {
		return
	}
	if w.db.writes != replayFull {
		if w.db.replayRows == nil {
			w.db.replayRows = map[string][]contentRow{}
		}
		w.db.replayRows[ev.EventID] = rows
		return
	}
	if w.movedRows == nil {
		w.movedRows = map[string][]contentRow{}
	}
	w.movedRows[ev.EventID] = rows
}

// recordedOf is what dispatch ev moved in each container (canonical), as
// recorded: this capture's or the replay's rows (noteMoved), else its
// stored event_contents rows; ok false when none are recorded.
func (w *writer) recordedOf(ev *critmin.Event) (map[string][]critmin.QuantityElement, bool, error) {
	var rows []contentRow
	known := false
	if w.db.writes != replayFull {
		rows, known = w.db.replayRows[ev.EventID]
	} else if rows, known = w.movedRows[ev.EventID]; !known && w.tx != nil && ev.EventID != "" {
		got, err := w.storedContents([]string{ev.EventID})
		if err != nil {
			return nil, false, err
		}
		rows, known = got[ev.EventID]
	}
	if !known || len(rows) == 0 {
		return nil, false, nil
	}
	out := map[string][]critmin.QuantityElement{}
	for _, r := range rows {
		out[r.container] = append(out[r.container], r.line)
	}
	return out, true, nil
}

// EventContentsByContainer returns, for each of eventIDs that moved
// containers by their own identifiers, what each container (canonical)
// held then as the projection counted it (event_contents).
func (db *DB) EventContentsByContainer(ctx context.Context, eventIDs []string) (map[string]map[string][]critmin.QuantityElement, error) {
	rows, err := db.eventContentRows(ctx, db.reader(ctx), eventIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string]map[string][]critmin.QuantityElement, len(rows))
	for id, rs := range rows {
		m := map[string][]critmin.QuantityElement{}
		for _, r := range rs {
			m[r.container] = append(m[r.container], r.line)
		}
		out[id] = m
	}
	return out, nil
}

// noteMove keeps an ObjectEvent this capture projects that dispatches the
// containers it names (ledger.MovesContents, not ledger.ReadsTrip), by
// each canonical container: the trips a later receipt ends (movesOf).
// A replay keeps them for the whole log, as notePacking does.
func (w *writer) noteMove(ev *critmin.Event) {
	// Receipts too: a container received is no longer on its trip
	// (ledger.Holdings.OnTrip); TripOf and HeldAt read dispatches only.
	if !ledger.MovesContents(ev) {
		return
	}
	for _, e := range ev.EPCs {
		if e.Role != critmin.RoleEPC {
			continue
		}
		c := canon(e.EPC)
		if w.db.writes != replayFull {
			if w.db.replayMoves == nil {
				w.db.replayMoves = map[string][]*critmin.Event{}
			}
			w.db.replayMoves[c] = append(w.db.replayMoves[c], ev)
			continue
		}
		if w.tripMoves == nil {
			w.tripMoves = map[string][]*critmin.Event{}
		}
		w.tripMoves[c] = append(w.tripMoves[c], ev)
	}
}

// movesOf is the dispatches of container (canonical) not declared in
// error: the stored ObjectEvents naming it in their epcList, then this
// capture's (ledger.TripOf picks the one a receipt ends).
func (w *writer) movesOf(container string) ([]*critmin.Event, error) {
	if w.db.writes != replayFull {
		return w.db.replayMoves[container], nil
	}
	stored, err := w.readsMemo("moves\x00"+container, func() ([]*critmin.Event, error) {
		stored, err := w.storedEvents(movesQuery, container)
		return ofType(stored, critmin.ObjectEvent), err
	})
	if err != nil {
		return nil, fmt.Errorf("%s: movements of container %s: %w", w.db.Dialect.Name, container, err)
	}
	return w.live(stored, w.tripMoves[container]), nil
}

// withoutConsumed is rows less the lots consumed by then (nu36-3): a lot
// a run consumed is gone from the container it was packed in — it is in
// the run's outputs — and a consumed lot never moves. A lot is taken as
// consumed at ev's time when its projection (this capture's, else its
// stored row) is consumed and its latest event is not after it: a
// shipment dated before the run still carried it.
//
// For a run fed the containers (ledger.FeedsContainers), each lot's
// lines are cut to what stands of it at the run's site
// (ledger.FedHolding): its movements took its loose rest there first and
// then drew on its containers, so they hold no more than stands there.
//
// own (recontain; nil otherwise) is what the run itself took of each lot
// when its contents were last computed: that consumption is the run's
// own, so the lot counts as not consumed by then and as holding what
// stands of it plus that.
func (w *writer) withoutConsumed(rows []contentRow, ev *critmin.Event, own map[string]float64) ([]contentRow, error) {
	if len(rows) == 0 {
		return rows, nil
	}
	at := ev.EventTime
	lotOf, err := w.lotsOfRows(rows)
	if err != nil {
		return nil, err
	}
	kept := rows[:0:0]
	for _, r := range rows {
		l := lotOf(r.line.EPCClass)
		if _, mine := own[r.line.EPCClass]; l != nil && l.Status == critmin.LotConsumed && !l.LastEventAt.After(at) && !mine {
			continue
		}
		kept = append(kept, r)
	}
	if ledger.FeedsContainers(ev) {
		return w.withinStanding(kept, ev, own)
	}
	return kept, nil
}

// commissioned says whether id (canonical) is a lot commissioned with
// facts of its own (commodity or origin): projected by this capture (a
// replay: so far), else stored (ledger.Holdings.Material).
func (w *writer) commissioned(id string) (bool, error) {
	lotOf, err := w.lotsOfRows([]contentRow{{line: critmin.QuantityElement{EPCClass: id}}})
	if err != nil {
		return false, err
	}
	l := lotOf(id)
	return l != nil && (l.Commodity != "" || l.OriginCountry != "" || l.OriginMine != ""), nil
}

// lotsOfRows reads the lots rows name: those the capture group holds
// (w.lots), else the stored ones (nil for a lot neither knows).
func (w *writer) lotsOfRows(rows []contentRow) (func(id string) *critmin.Lot, error) {
	var ask []string
	for _, r := range rows {
		if _, ok := w.lots[r.line.EPCClass]; !ok {
			ask = append(ask, r.line.EPCClass)
		}
	}
	stored := map[string]*critmin.Lot{}
	if len(ask) > 0 && w.tx != nil {
		rs, err := w.storedLots(ask)
		if err != nil {
			return nil, err
		}
		for id, sr := range rs {
			l, err := sr.lot()
			if err != nil {
				return nil, err
			}
			stored[id] = l
		}
	}
	return func(id string) *critmin.Lot {
		if l := w.lots[id]; l != nil {
			return l
		}
		return stored[id]
	}, nil
}

// withinStanding is rows (contents of containers ev moves or is fed)
// with each lot's lines cut to what stands of it at ev's site
// (ledger.FedHolding), own as withoutConsumed reads it.
func (w *writer) withinStanding(kept []contentRow, ev *critmin.Event, own map[string]float64) ([]contentRow, error) {
	if len(kept) == 0 {
		return kept, nil
	}
	lotOf, err := w.lotsOfRows(kept)
	if err != nil {
		return nil, err
	}
	{
		lines := ledger.WithinRemaining(contentLines(kept), func(lot string) (float64, bool) {
			t, ok := ledger.FedHolding(lotOf(lot), ev)
			if took, mine := own[lot]; mine && ok {
				if took < 0 {
					return 0, false
				}
				t += took
			}
			return t, ok
		})
		for i := range kept {
			kept[i].line = lines[i]
		}
	}
	return kept, nil
}

// tookThrough is, per canonical lot, the wet tonnes rows (a run's stored
// contents) gave it: what the run took of the lot through its
// containers; -1 where a line states no mass.
func tookThrough(rows []contentRow) map[string]float64 {
	out := map[string]float64{}
	for _, r := range rows {
		k := r.line.EPCClass
		if out[k] < 0 {
			continue
		}
		if r.line.Quantity == nil || !units.IsMass(r.line.UOM) {
			out[k] = -1
			continue
		}
		t, err := units.ToTonnes(*r.line.Quantity, r.line.UOM)
		if err != nil {
			out[k] = -1
			continue
		}
		out[k] += t
	}
	return out
}

// containersOf is the containers of rows, once each.
func containersOf(rows []contentRow) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.container] {
			seen[r.container] = true
			out = append(out, r.container)
		}
	}
	return out
}

// contentLines is the quantity lines of rows.
func contentLines(rows []contentRow) []critmin.QuantityElement {
	out := make([]critmin.QuantityElement, len(rows))
	for i, r := range rows {
		out[i] = r.line
	}
	return out
}

// addContents queues ev's event_contents rows.
func (w *writer) addContents(eventID string, rows []contentRow) error {
	for _, r := range rows {
		if err := w.add(w.contents, eventID, r.container, r.line.EPCClass, qty(r.line.Quantity), r.line.UOM); err != nil {
			return err
		}
	}
	return nil
}

// storedContents reads the event_contents rows of eventIDs.
func (w *writer) storedContents(eventIDs []string) (map[string][]contentRow, error) {
	out := map[string][]contentRow{}
	err := inChunks(eventIDs, func(part []any) error {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT event_id, container, canon, quantity, uom FROM event_contents WHERE event_id IN ("+placeholders(len(part))+") ORDER BY event_id, container, canon"), part...)
		if err != nil {
			return fmt.Errorf("%s: contents of events: %w", w.db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var r contentRow
			var q sql.NullFloat64
			if err := rows.Scan(&id, &r.container, &r.line.EPCClass, &q, &r.line.UOM); err != nil {
				return err
			}
			r.line.Role = critmin.RoleEPC
			if q.Valid {
				f := q.Float64
				r.line.Quantity = &f
			}
			out[id] = append(out[id], r)
		}
		return rows.Err()
	})
	return out, err
}

// withStoredContents gives each of evs the lines of what the containers
// it moved held (event_contents), as capture projected it.
func (w *writer) withStoredContents(evs []*critmin.Event) ([]*critmin.Event, error) {
	var ids []string
	for _, ev := range evs {
		if ledger.ReadsContents(ev) {
			ids = append(ids, ev.EventID)
		}
	}
	if len(ids) == 0 {
		return evs, nil
	}
	stored, err := w.storedContents(ids)
	if err != nil {
		return nil, err
	}
	for i, ev := range evs {
		if rows := stored[ev.EventID]; len(rows) > 0 {
			evs[i] = ledger.WithContents(ev, contentLines(rows), containersOf(rows)...)
		}
	}
	return evs, nil
}

// recontain recomputes the contents stored with the events that moved
// the containers of declared, AggregationEvents just declared in error
// (applyDeclarations), and returns the lots named before or after: those
// to replay, and the runs among those events (fed the containers whole):
// their links to rebuild.
func (w *writer) recontain(declared []*critmin.Event, fed bool) ([]string, []*critmin.Event, error) {
	containers := map[string]bool{}
	for _, ev := range declared {
		if ev.Type == critmin.AggregationEvent && ev.ParentID != "" {
			containers[canon(ev.ParentID)] = true
		}
	}
	return w.recontainIn(containers, false, fed)
}

// noteDeclaredReceipts keeps, for recontainReceipts, the containers that
// receipts among declared (ledger.ReadsTrip: receiving, arriving,
// unloading, accepting, transporting), just declared in error, name in
// their epcList. A run fed such a container whole took of each lot what
// stood of it at the run (heldAt, withinStanding), and a
// receipt's weighed line sets what stood: with the receipt declared in
// error and corrected by another receipt (new-user check nuq1 s8: "A
// 5.7 t" corrected to "A 5.9 t"), the run is computed again from the
// receipt that stands — once the corrective receipts of the document
// are projected, which may follow the declaration.
func (w *writer) noteDeclaredReceipts(declared, decls []*critmin.Event) {
	n := len(w.receiptBoxes)
	for _, ev := range declared {
		if !ledger.ReadsTrip(ev) {
			continue
		}
		for _, e := range ev.EPCs {
			if e.Role != critmin.RoleEPC {
				continue
			}
			if w.receiptBoxes == nil {
				w.receiptBoxes = map[string]bool{}
			}
			w.receiptBoxes[canon(e.EPC)] = true
		}
	}
	if len(w.receiptBoxes) == n {
		return
	}
	w.noteCorrectives(decls, false)
}

// noteCorrectives marks the corrective events the declarations decls
// name as correcting a declared receipt (receiptCorrectives) and, with
// draws, a declared line draw too (drawCorrectives).
func (w *writer) noteCorrectives(decls []*critmin.Event, draws bool) {
	for _, d := range decls {
		if d.ErrorDeclaration == nil {
			continue
		}
		for _, id := range d.ErrorDeclaration.CorrectiveEventIDs {
			if w.receiptCorrectives == nil {
				w.receiptCorrectives = map[string]bool{}
			}
			w.receiptCorrectives[id] = true
			if !draws {
				continue
			}
			if w.drawCorrectives == nil {
				w.drawCorrectives = map[string]bool{}
			}
			w.drawCorrectives[id] = true
		}
	}
}

// receiptCorrectivesIn is the index after the last event of evs that
// corrects a receipt noted by noteDeclaredReceipts (0: none): the
// capture projects up to there, then computes the runs again
// (recontainReceipts), before the events after it — at the same point
// of the log whether captured or replayed.
func (w *writer) receiptCorrectivesIn(evs []*critmin.Event) int {
	if len(w.receiptCorrectives) == 0 {
		return 0
	}
	end := 0
	for i, ev := range evs {
		if ev.ErrorDeclaration == nil && w.receiptCorrectives[ev.EventID] {
			end = i + 1
		}
	}
	return end
}

// recontainReceipts recomputes the contents of the events that moved or
// were fed the containers noteDeclaredReceipts kept (recontainIn), then
// rebuilds the links of the runs among them (refeedRuns), replays
// the lots they name and marks the origin mixes downstream stale. It
// waits while corrective events of the document are still to come
// (deferBalance).
func (w *writer) recontainReceipts() error {
	if !w.recontainPending() || w.deferBalance {
		return nil
	}
	boxes := w.receiptBoxes
	fromReceipts := len(boxes) > 0
	w.receiptBoxes, w.receiptCorrectives = nil, nil
	// The containers whose line draws the declared events or their
	// correctives changed (drawBoxes).
	drawn, err := w.drawBoxes()
	if err != nil {
		return err
	}
	if len(drawn) > 0 && boxes == nil {
		boxes = map[string]bool{}
	}
	for c := range drawn {
		boxes[c] = true
	}
	if len(boxes) == 0 {
		return nil
	}
	held, runs, err := w.recontainIn(boxes, true, false)
	if err != nil {
		return err
	}
	downstream := map[string]bool{}
	if err := w.refeedRuns(runs, map[string]bool{}, downstream); err != nil {
		return err
	}
	if err := w.replayLots(held); err != nil {
		return err
	}
	// A receipt corrected below what a run then drew out of its
	// container leaves that run taking from nothing: refused (409)
	// naming the runs that took of the receipt's part, as a line draw's
	// declaration under a fed run is (custody fedruns.go).
	for _, id := range held {
		l := w.lots[id]
		if l == nil || !l.Material {
			continue
		}
		if err := ledger.CheckLotBalance(l); err != nil {
			var runs []string
			seen := map[string]bool{}
			for _, p := range l.Parts {
				if len(p.Containers) == 0 || p.ReceivedTonnes <= 0 || p.TakenTonnes <= p.ReceivedTonnes*(1+ledger.PartTolerance)+1e-9 {
					continue
				}
				for _, r := range p.RunTakes {
					if !seen[r.EventID] {
						seen[r.EventID] = true
						runs = append(runs, r.EventID)
					}
				}
			}
			if !fromReceipts {
				return drawRefusal(boxes, id, runs, err)
			}
			if len(runs) == 0 {
				return lotBalanceRefusal(l, err)
			}
			return &critmin.Error{Code: critmin.ECONFLICT, Message: fmt.Sprintf("declaration refused; nothing was stored: the corrective receipt of container %s finds less of lot %s than the recorded run %s took out of it, so that run would have taken from nothing (%v) — declare the run in error in the same document too, or correct the receipt to what the run took", strings.Join(sortedKeys(boxes), ", "), id, strings.Join(runs, ", "), err)}
		}
	}
	if err := w.checkTakenAfterFed(boxes, runs); err != nil {
		return err
	}
	return w.rematerialize(downstream)
}

// sortedKeys is the keys of m, sorted.
func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// recontainIn is recontain for the (canonical) containers. fresh
// (recontainReceipts) computes each run fed them whole from its lots
// replayed without it and the runs after it still to compute
// (replayedLotsBut), rather than as what the lots hold now plus what
// the run took (contentsOfBut's own): a receipt corrected lower leaves
// the lot overdrawn by the run's old share until the run is computed
// again ("A 5.7 t" corrected to "A 5.5 t" with the run's 3.7 t still
// counted: −0.2 t), which own cannot read.
func (w *writer) recontainIn(containers map[string]bool, fresh, fed bool) ([]string, []*critmin.Event, error) {
	if len(containers) == 0 {
		return nil, nil, nil
	}
	if err := w.flush(w.contents); err != nil {
		return nil, nil, err
	}
	// The events that moved each container: those whose contents are
	// stored, and every other event naming it in an epcList — one that
	// carried nothing (it moved after an unpacking) carries the lot
	// again once that unpacking is declared in error. With fed (a
	// corrective packing, recontainCorrectives), every run naming it
	// in its inputEPCList too: a run left taking nothing by the packing
	// declared earlier in the document takes what the corrective puts
	// in (nuq7-1: the run had no contents row left to be found by).
	input := ""
	if fed {
		input = " OR x.role = 'input' AND e.event_type = 'TransformationEvent'"
	}
	var moved []string
	got := map[string]bool{}
	for c := range containers {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT event_id FROM event_contents WHERE container = ? UNION SELECT e.event_id FROM event_epcs x JOIN events e ON e.pk = x.event_pk WHERE x.canon = ? AND (x.role = 'epc' AND e.event_type = 'ObjectEvent'"+input+") AND e.declaration = 0"), c, c)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: events moving container %s: %w", w.db.Dialect.Name, c, err)
		}
		if err := collectStrings(rows, got); err != nil {
			return nil, nil, err
		}
	}
	for id := range got {
		moved = append(moved, id)
	}
	if len(moved) == 0 {
		return nil, nil, nil
	}
	sort.Strings(moved)
	before, err := w.storedContents(moved)
	if err != nil {
		return nil, nil, err
	}
	var evs []*critmin.Event
	err = inChunks(moved, func(part []any) error {
		got, err := w.storedEvents("SELECT "+replayColumns+" WHERE"+notDeclared+" AND e.event_id IN ("+placeholders(len(part))+") ORDER BY e.pk", part...)
		for _, ev := range got {
			// A move declared in error keeps what it carried when it
			// stood: the lot's timeline lists it, marked declared
			// (nu38a-c).
			if !w.declared[ev.EventID] && !w.forgotten[ev.EventID] {
				evs = append(evs, ev)
			}
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	lots := map[string]bool{}
	for _, rs := range before {
		for _, r := range rs {
			lots[r.line.EPCClass] = true
		}
	}
	pending := map[string]bool{}
	if fresh {
		// Every lot packed into the containers, not only those the runs
		// took before: a run that took nothing of a lot (its line draw,
		// declared in error now, had emptied the container of it) takes
		// it now, as it stood when the run ran (fixQi).
		for c := range containers {
			packs, err := w.packingsOf(c)
			if err != nil {
				return nil, nil, err
			}
			for _, id := range custody.PackedLots(packs) {
				lots[id] = true
			}
		}
		for _, ev := range evs {
			if ledger.FeedsContainers(ev) {
				pending[ev.EventID] = true
			}
		}
	}
	for _, ev := range evs {
		if err := w.exec("DELETE FROM event_contents WHERE event_id = ?", ev.EventID); err != nil {
			return nil, nil, fmt.Errorf("%s: drop contents of %s: %w", w.db.Dialect.Name, ev.EventID, err)
		}
		var own map[string]float64
		if ledger.FeedsContainers(ev) && fresh {
			ids := make([]string, 0, len(lots))
			for id := range lots {
				ids = append(ids, id)
			}
			sort.Strings(ids)
			// As they stood when the run ran: an event dated after it —
			// a corrective of this document among them — takes nothing
			// the run could have taken (fixQi: R1 "P 3 t" declared with
			// a corrective "P 1 t" dated after a run fed the container
			// whole, which then takes all 3 t of P; the corrective is
			// judged against what that leaves).
			replayed, _, err := w.replayedLotsBut(ids, pending, &replayCut{At: ev})
			if err != nil {
				return nil, nil, err
			}
			for id, l := range replayed {
				if l.EventCount > 0 && l.Material {
					w.lots[id] = l
				}
			}
			delete(pending, ev.EventID)
		} else if ledger.FeedsContainers(ev) {
			own = tookThrough(before[ev.EventID])
		}
		rows, err := w.contentsOfBut(ev, own)
		if err != nil {
			return nil, nil, err
		}
		// A later receipt of its trip, recomputed below, reads these.
		w.noteMoved(ev, rows)
		for _, r := range rows {
			lots[r.line.EPCClass] = true
			if err := w.exec("INSERT INTO event_contents (event_id, container, canon, quantity, uom) VALUES (?, ?, ?, ?, ?)", ev.EventID, r.container, r.line.EPCClass, qty(r.line.Quantity), r.line.UOM); err != nil {
				return nil, nil, fmt.Errorf("%s: contents of %s: %w", w.db.Dialect.Name, ev.EventID, err)
			}
		}
	}
	out := make([]string, 0, len(lots))
	for id := range lots {
		out = append(out, id)
	}
	sort.Strings(out)
	var runs []*critmin.Event
	for _, ev := range evs {
		if ledger.FeedsContainers(ev) {
			runs = append(runs, ev)
		}
	}
	return out, runs, nil
}

// loadProjected loads the stored rows of ids into the writer's projection (a
// fresh lot for one not stored).
func (w *writer) loadProjected(ids []string) error {
	for _, id := range ids {
		w.lots[id] = &critmin.Lot{ID: id}
	}
	return inChunks(ids, func(part []any) error {
		rows, err := w.tx.QueryContext(w.ctx, w.db.q("SELECT "+lotColumns+" FROM lots WHERE id IN ("+placeholders(len(part))+")"), part...)
		if err != nil {
			return fmt.Errorf("%s: load lots: %w", w.db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			l, err := scanLot(rows)
			if err != nil {
				return err
			}
			w.lots[l.ID] = l
			w.existed[l.ID] = true
			w.noteFigures(l)
		}
		return rows.Err()
	})
}

// EventContents returns, for each of eventIDs that moved a container by
// its own identifier, the lots the containers held then (event_contents,
// canonical identifiers), as the lot projection counted them.
func (db *DB) EventContents(ctx context.Context, eventIDs []string) (map[string][]critmin.QuantityElement, error) {
	return db.eventContents(ctx, db.reader(ctx), eventIDs)
}

// eventContents is EventContents read through q.
func (db *DB) eventContents(ctx context.Context, q querier, eventIDs []string) (map[string][]critmin.QuantityElement, error) {
	rows, err := db.eventContentRows(ctx, q, eventIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]critmin.QuantityElement, len(rows))
	for id, rs := range rows {
		out[id] = contentLines(rs)
	}
	return out, nil
}

// eventContentRows is the event_contents rows of eventIDs, with their
// containers, read through q.
func (db *DB) eventContentRows(ctx context.Context, q querier, eventIDs []string) (map[string][]contentRow, error) {
	out := map[string][]contentRow{}
	err := inChunks(eventIDs, func(part []any) error {
		rows, err := q.QueryContext(ctx, db.q("SELECT event_id, container, canon, quantity, uom FROM event_contents WHERE event_id IN ("+placeholders(len(part))+") ORDER BY event_id, container, canon"), part...)
		if err != nil {
			return fmt.Errorf("%s: contents of events: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var r contentRow
			var q sql.NullFloat64
			if err := rows.Scan(&id, &r.container, &r.line.EPCClass, &q, &r.line.UOM); err != nil {
				return err
			}
			r.line.Role = critmin.RoleEPC
			if q.Valid {
				f := q.Float64
				r.line.Quantity = &f
			}
			out[id] = append(out[id], r)
		}
		return rows.Err()
	})
	return out, err
}

// ContainerMovesOfLot lists the events that moved lot (any spelling)
// inside a container named by its own identifier (event_contents), in
// eventID and container order; the caller orders them by time.
func (db *DB) ContainerMovesOfLot(ctx context.Context, lot string) ([]critmin.ContainerMove, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, db.q("SELECT event_id, container, canon, quantity, uom FROM event_contents WHERE canon = ? ORDER BY event_id, container"), canon(lot))
	if err != nil {
		return nil, fmt.Errorf("%s: container moves of %s: %w", db.Dialect.Name, lot, err)
	}
	defer rows.Close()
	var out []critmin.ContainerMove
	for rows.Next() {
		var m critmin.ContainerMove
		var q sql.NullFloat64
		if err := rows.Scan(&m.EventID, &m.Container, &m.Line.EPCClass, &q, &m.Line.UOM); err != nil {
			return nil, err
		}
		m.Line.Role = critmin.RoleEPC
		if q.Valid {
			f := q.Float64
			m.Line.Quantity = &f
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
