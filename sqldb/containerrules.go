package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// containerRuleProblem judges every stored live event that read
// containers (a dispatch or other movement of containers by their own
// identifier, or a run fed containers whole) by the container rules
// capture enforces (ledger.StoredContainerRule: a run fed an empty
// container, fixQr; a line below what the containers it names held,
// fixQu), reading what each container gave the event as the projection
// did — its event_contents rows, which verify's rebuild has just shown
// equal to the log's replay (or, without the rebuild, as stored). A
// record stored before the rules, or left breaking them, reads the same
// in the rebuild as it was stored: only this reading finds it.
//
// Then, as capture reads them over the stored events (fix depth2): a
// dispatch of a container from a site where, by its events, it does not
// stand (custody.DispatchedElsewhere, placeCheck's rule), and a line of
// a lot above what the containers its stored contents name held plus
// the lot's loose rest at the site, or below what they held, as the
// lot's events replayed in event time give them (custody.BesideFaults,
// the replay capture's heldBeside judges; ledger.BesideFault): a
// back-dated packing stored after the line read its contents as
// captured, and the rebuild, in capture order, gives the same.
//
// The first event in capture order breaking the first two rules is
// returned, else the first dispatch from elsewhere, else the first line
// above or below in the replay (by lot, in the order their events were
// captured); nil when none breaks them.
func (db *DB) containerRuleProblem(ctx context.Context) (*ledger.ContainerRuleProblem, error) {
	q := db.reader(ctx)
	rows, err := q.QueryContext(ctx, db.q("SELECT "+replayColumns+" WHERE e.declaration = 0 AND (e.event_id IN (SELECT event_id FROM event_contents) OR e.pk IN (SELECT event_pk FROM event_epcs WHERE role IN (?, ?))) ORDER BY e.pk"), "input", "epc")
	if err != nil {
		return nil, fmt.Errorf("%s: container rules: %w", db.Dialect.Name, err)
	}
	type cand struct {
		raw, body string
	}
	var cands []cand
	for rows.Next() {
		var pk int64
		var raw, declaredBy string
		var c sql.NullString
		if err := rows.Scan(&pk, &raw, &c, &declaredBy); err != nil {
			rows.Close()
			return nil, err
		}
		if declaredBy == "" {
			cands = append(cands, cand{raw, c.String})
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	// Dispatches naming instances in their epcList (judged where they
	// stand), and, per lot a judged line beside containers states, the
	// stored contents of the events that name containers holding it.
	var dispatches []*critmin.Event
	var lotOrder []string
	besideLots := map[string]bool{}
	contents := map[string]map[string][]critmin.QuantityElement{}
	const batch = 500
	for i := 0; i < len(cands); i += batch {
		part := cands[i:min(i+batch, len(cands))]
		var ids, inputs []string
		evs := make([]*critmin.Event, 0, len(part))
		for _, c := range part {
			ev, err := ledger.DecodeStored([]byte(c.raw), []byte(c.body))
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
			ids = append(ids, ev.EventID)
			if ledger.FeedsContainers(ev) {
				for _, e := range ev.EPCs {
					if e.Role == critmin.RoleInput {
						inputs = append(inputs, canon(e.EPC))
					}
				}
			}
		}
		held, err := db.eventContentRows(ctx, q, ids)
		if err != nil {
			return nil, err
		}
		lots, named, err := db.containerFacts(ctx, q, inputs)
		if err != nil {
			return nil, err
		}
		for _, ev := range evs {
			var lines []ledger.ContainerLine
			for _, r := range held[ev.EventID] {
				lines = append(lines, ledger.ContainerLine{Container: r.container, Line: r.line})
			}
			if ev.Type == critmin.ObjectEvent {
				for _, e := range ev.EPCs {
					if e.Role == critmin.RoleEPC {
						dispatches = append(dispatches, ev)
						break
					}
				}
			}
			if rs := held[ev.EventID]; len(rs) > 0 && ledger.BesideJudged(ev) && !ledger.ReadsTrip(ev) {
				byC := map[string][]critmin.QuantityElement{}
				for _, r := range rs {
					byC[r.container] = append(byC[r.container], r.line)
					lot := canon(r.line.EPCClass)
					if !besideLots[lot] && statesLine(ev, lot) {
						besideLots[lot] = true
						lotOrder = append(lotOrder, lot)
					}
				}
				contents[ev.EventID] = byC
			}
			// A container is known to the record when an event other
			// than this run names it (packs it, moves it, feeds it).
			p := ledger.StoredContainerRule(ev, lines, func(c string) bool { return lots[c] }, func(c string) bool { return named[c] > 1 })
			if p != nil {
				return p, nil
			}
		}
	}
	if len(dispatches) > 0 {
		p, err := db.dispatchedElsewhere(ctx, dispatches)
		if err != nil || p != nil {
			return p, err
		}
	}
	// The judged lots' events, read a chunk of lots at a time (one
	// query per lot made verify four times slower at 100,000 events,
	// stop 61), each lot given the events that name it.
	const lotChunk = 200
	for start := 0; start < len(lotOrder); start += lotChunk {
		chunk := lotOrder[start:min(start+lotChunk, len(lotOrder))]
		evs, err := db.liveEventsOfLots(ctx, q, chunk)
		if err != nil {
			return nil, err
		}
		of, err := db.eventsNamingLots(ctx, q, chunk)
		if err != nil {
			return nil, err
		}
		for _, lot := range chunk {
			live := make([]*critmin.Event, 0, len(of[lot]))
			for _, ev := range evs {
				if of[lot][ev.PK] && ledger.Live(ev) {
					live = append(live, ev)
				}
			}
			if p := db.besideProblem(lot, live, contents); p != nil {
				return p, nil
			}
		}
	}
	return nil, nil
}

// besideProblem is the first line of lot, among its live events in
// capture order, above or below what the containers its stored contents
// name held in event time (custody.BesideFaults); nil when none.
func (db *DB) besideProblem(lot string, live []*critmin.Event, contents map[string]map[string][]critmin.QuantityElement) *ledger.ContainerRuleProblem {
	for _, f := range custody.BesideFaults(lot, live, contents) {
		boxes := storedContainers(contents[f.Event.EventID], lot)
		if f.Fault == ledger.BesideAbove {
			return ledger.BesideAboveProblem(f.Event, lot, boxes, f.Took, f.Held, f.Loose)
		}
		// Below what the containers held in event time, though
		// not by the contents as captured: an event dated before it
		// and stored after (a back-dated packing) that capture now
		// refuses (BackDatedContainerRule).
		return ledger.BesideBelowProblem(f.Event, lot, boxes, f.Took, f.Held)
	}
	return nil
}

// eventsNamingLots gives each lot (canonical) of lots the pks of the
// events that name it — in a quantity line, in an EPC list or in their
// stored contents — as liveEventsOfLots selects them for one lot.
func (db *DB) eventsNamingLots(ctx context.Context, q querier, lots []string) (map[string]map[int64]bool, error) {
	out := map[string]map[int64]bool{}
	add := func(lot string, pk int64) {
		if out[lot] == nil {
			out[lot] = map[int64]bool{}
		}
		out[lot][pk] = true
	}
	err := inChunks(lots, func(part []any) error {
		in := placeholders(len(part))
		for _, query := range []string{
			"SELECT canon, event_pk FROM event_quantities WHERE canon IN (" + in + ")",
			"SELECT canon, event_pk FROM event_epcs WHERE canon IN (" + in + ")",
			"SELECT c.canon, e.pk FROM event_contents c JOIN events e ON e.event_id = c.event_id WHERE c.canon IN (" + in + ")",
		} {
			rows, err := q.QueryContext(ctx, db.q(query), part...)
			if err != nil {
				return fmt.Errorf("%s: events of lots: %w", db.Dialect.Name, err)
			}
			for rows.Next() {
				var lot string
				var pk int64
				if err := rows.Scan(&lot, &pk); err != nil {
					rows.Close()
					return err
				}
				add(lot, pk)
			}
			if err := rows.Close(); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// statesLine says whether ev states a quantity line of lot (canonical).
func statesLine(ev *critmin.Event, lot string) bool {
	for _, q := range ev.Quantities {
		if canon(q.EPCClass) == lot && q.Quantity != nil {
			return true
		}
	}
	return false
}

// storedContainers is the containers (canonical, sorted) holding lot in
// byC, an event's stored contents by container.
func storedContainers(byC map[string][]critmin.QuantityElement, lot string) []string {
	var out []string
	for c, lines := range byC {
		for _, l := range lines {
			if canon(l.EPCClass) == lot {
				out = append(out, c)
				break
			}
		}
	}
	sort.Strings(out)
	return out
}

// dispatchedElsewhere judges the stored dispatches evs (ObjectEvents
// naming instances in their epcList, capture order) where their
// containers stand (custody.DispatchedElsewhere), reading the
// containers' stored packings (whole, with their sites), moves and feeds
// in one read transaction, as ContainerHolds places a container.
func (db *DB) dispatchedElsewhere(ctx context.Context, evs []*critmin.Event) (*ledger.ContainerRuleProblem, error) {
	tx, release, err := db.readTx(ctx, "container rules")
	if err != nil {
		return nil, err
	}
	defer release()
	// A container's stored events are read once (readsMemo: the read
	// transaction sees no write).
	w := &writer{db: db, tx: tx, ctx: ctx, lots: map[string]*critmin.Lot{}, containerReads: map[string][]*critmin.Event{}}
	h := w.holdings()
	h.Packings = func(c string) ([]*critmin.Event, error) {
		return w.readsMemo("whole packings\x00"+c, func() ([]*critmin.Event, error) {
			evs, err := w.storedEvents(packingsQuery, c)
			return ofType(evs, critmin.AggregationEvent), err
		})
	}
	for _, ev := range evs {
		c, from, p, bad, err := custody.DispatchedElsewhere(ev, h)
		if err != nil {
			return nil, err
		}
		if bad {
			return ledger.PlaceProblem(ev, c, from, p), nil
		}
	}
	return nil, nil
}

// containerFacts says, of the instances ids (canonical), which are lots
// of their own (a lots row) and by how many events each is named
// (event_epcs, any role).
func (db *DB) containerFacts(ctx context.Context, q querier, ids []string) (map[string]bool, map[string]int, error) {
	lots, named := map[string]bool{}, map[string]int{}
	err := inChunks(ids, func(part []any) error {
		in := placeholders(len(part))
		rows, err := q.QueryContext(ctx, db.q("SELECT id FROM lots WHERE id IN ("+in+")"), part...)
		if err != nil {
			return fmt.Errorf("%s: container facts: %w", db.Dialect.Name, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			lots[id] = true
		}
		if err := rows.Close(); err != nil {
			return err
		}
		rows, err = q.QueryContext(ctx, db.q("SELECT canon, COUNT(DISTINCT event_pk) FROM event_epcs WHERE canon IN ("+in+") GROUP BY canon"), part...)
		if err != nil {
			return fmt.Errorf("%s: container facts: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			var n int
			if err := rows.Scan(&c, &n); err != nil {
				return err
			}
			named[c] = n
		}
		return rows.Err()
	})
	return lots, named, err
}
