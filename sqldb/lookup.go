package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// eventByIDQuery reads every stored record of one eventID (the event and
// its error declarations) through the events_event_id_any index
// (migration 0012): the column is compared bare, never through a function,
// so the index applies.
const eventByIDQuery = "SELECT " + eventColumns + " FROM events e LEFT JOIN contexts c ON c.id = e.context_id WHERE e.event_id = ? ORDER BY e.pk"

// eventsQuery is the SELECT of one FindEvents page: w's conditions, ordered
// by col (then pk) in dir, at most limit rows.
func eventsQuery(w *where, col, dir string, limit int) string {
	query := "SELECT " + eventColumns + " FROM events e LEFT JOIN contexts c ON c.id = e.context_id"
	if len(w.conds) > 0 {
		query += " WHERE " + strings.Join(w.conds, " AND ")
	}
	return query + fmt.Sprintf(" ORDER BY %s %s, e.pk %s LIMIT %d", col, dir, dir, limit)
}

// EventIDLookupPlans returns the database's query plan (SQLite's EXPLAIN
// QUERY PLAN, PostgreSQL's EXPLAIN) of the two event-ID lookups the EPCIS
// interface makes — "byID" for GET /epcis/events/{eventID} and "EQ_eventID"
// for a query on eventIDs — and of the look-ups of their spellings in other
// letter cases ("anyCase", "anyCaseCorrective"), one plan line per element, so that tests and
// operators can check that neither scans the event table. On PostgreSQL
// sequential scans are disabled for the EXPLAIN (on its own connection), so
// that the plan shows whether an index can serve the query at all rather
// than what the planner prefers for a table of a few rows.
func (db *DB) EventIDLookupPlans(ctx context.Context) (map[string][]string, error) {
	w := buildWhere(critmin.EventFilter{EventIDs: []string{"urn:uuid:00000000-0000-4000-8000-000000000000"}})
	queries := map[string]struct {
		sql  string
		args []any
	}{
		"byID":       {eventByIDQuery, []any{"urn:uuid:00000000-0000-4000-8000-000000000000"}},
		"EQ_eventID": {eventsQuery(w, "e.record_time", "ASC", 31), w.args},
		// The look-ups of other letter cases (eventIDSpellings,
		// StoredEventIDSpellings).
		"anyCase":           {eventIDCaseQuery + "(" + lowerList(1) + ")", []any{"URN:UUID:00000000-0000-4000-8000-000000000000"}},
		"anyCaseCorrective": {correctiveIDCaseQuery + "(" + lowerList(1) + ")", []any{"URN:UUID:00000000-0000-4000-8000-000000000000"}},
	}
	conn, err := db.Read.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: explain: %w", db.Dialect.Name, err)
	}
	defer conn.Close()
	prefix := "EXPLAIN QUERY PLAN "
	if db.Dialect.Dollar {
		prefix = "EXPLAIN "
		if _, err := conn.ExecContext(ctx, "SET enable_seqscan = off"); err != nil {
			return nil, fmt.Errorf("%s: explain: %w", db.Dialect.Name, err)
		}
		defer conn.ExecContext(context.Background(), "RESET enable_seqscan") //nolint:errcheck // the connection returns to the pool either way
	}
	out := map[string][]string{}
	for name, q := range queries {
		rows, err := conn.QueryContext(ctx, db.q(prefix+q.sql), q.args...)
		if err != nil {
			return nil, fmt.Errorf("%s: explain %s: %w", db.Dialect.Name, name, err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, fmt.Errorf("%s: explain %s: %w", db.Dialect.Name, name, err)
			}
			// SQLite: id, parent, notused, detail; PostgreSQL: one text column.
			line := vals[len(vals)-1]
			if b, ok := line.([]byte); ok {
				line = string(b)
			}
			out[name] = append(out[name], fmt.Sprint(line))
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return nil, fmt.Errorf("%s: explain %s: %w", db.Dialect.Name, name, err)
		}
		rows.Close()
	}
	return out, nil
}

// eventIDSpellings returns every spelling under which the eventIDs ids may
// be stored: each one's canonical spelling (epcis.CanonicalEventID, what
// capture stores), the spelling as given, and every spelling stored by an
// older version — an eventID (from "events": events.event_id) or a
// declaration's correctiveEventID (from "corrective": event_attrs) — whose
// canonical spelling is the same (URN:UUID:AB… for urn:uuid:ab…). The
// stored candidates are read by letter case through the lower(…) indexes
// of migration 0065 and kept only when they are canonically equal, so
// urn:critmin:event:e-1 does not find urn:critmin:event:E-1 (a URN's NSS
// keeps its case).
func (db *DB) eventIDSpellings(ctx context.Context, from string, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out := epcis.EventIDSpellings(ids)
	want := map[string]bool{}
	seen := map[string]bool{}
	for _, id := range out {
		want[epcis.CanonicalEventID(id)] = true
		seen[id] = true
	}
	query := eventIDCaseQuery
	if from == "corrective" {
		query = correctiveIDCaseQuery
	}
	err := inChunks(ids, func(part []any) error {
		// One eventID (FindEventsByID, asked by the capture-time checks
		// once for each packing and run of a document) is kept prepared
		// on a capture group's transaction (rowsOf); longer lists, whose
		// text varies with their length, are not, so as not to fill the
		// statements kept (maxReadStmts).
		text := db.qDynamic(query + "(" + lowerList(len(part)) + ")")
		var rows *sql.Rows
		release := func() {}
		var err error
		if len(part) == 1 {
			rows, release, err = rowsOf(ctx, db.reader(ctx), text, part...)
		} else {
			rows, err = db.reader(ctx).QueryContext(ctx, text, part...)
		}
		if err != nil {
			return fmt.Errorf("%s: eventID spellings: %w", db.Dialect.Name, err)
		}
		defer release()
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if !seen[id] && want[epcis.CanonicalEventID(id)] {
				seen[id] = true
				out = append(out, id)
			}
		}
		return rows.Err()
	})
	return out, err
}

// eventIDCaseQuery and correctiveIDCaseQuery read the stored eventIDs and
// correctiveEventIDs equal, ignoring letter case, to those asked for
// (followed by the IN list): through the indexes events_event_id_lower and
// event_attrs_corrective_lower (migration 0065).
const (
	eventIDCaseQuery      = "SELECT DISTINCT event_id FROM events WHERE lower(event_id) IN "
	correctiveIDCaseQuery = "SELECT DISTINCT val FROM event_attrs WHERE kind = 'corrective' AND lower(val) IN "
)

// lowerList is "lower(?), …" for n values.
func lowerList(n int) string {
	return strings.TrimSuffix(strings.Repeat("lower(?),", n), ",")
}

// StoredEventIDSpellings returns, for those of the canonical eventIDs ids
// (epcis.CanonicalEventID) that the ledger holds only under another
// spelling — stored by a version before eventIDs were canonicalised, as
// URN:UUID:AB… — that spelling, keyed by the canonical one: the event's
// own record first (a declaration's otherwise), the oldest first. An
// eventID stored in its canonical spelling, or not stored, is absent.
// One indexed look-up per 500 ids (events_event_id_lower, migration 0065).
func (db *DB) StoredEventIDSpellings(ctx context.Context, ids []string) (map[string]string, error) {
	want := make(map[string]bool, len(ids))
	for _, id := range ids {
		want[epcis.CanonicalEventID(id)] = true
	}
	out := map[string]string{}
	canonical := map[string]bool{}
	err := inChunks(ids, func(part []any) error {
		rows, err := db.reader(ctx).QueryContext(ctx, db.qDynamic("SELECT event_id FROM events WHERE lower(event_id) IN ("+lowerList(len(part))+") ORDER BY declaration, pk"), part...)
		if err != nil {
			return fmt.Errorf("%s: stored eventID spellings: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			c := epcis.CanonicalEventID(id)
			switch {
			case !want[c]:
			case id == c:
				canonical[c] = true
			case out[c] == "":
				out[c] = id
			}
		}
		return rows.Err()
	})
	for c := range canonical {
		delete(out, c)
	}
	return out, err
}

// EventKeysNaming returns, for identifiers named in one role, the store
// keys of the events naming each, keyed by the identifier's canonical
// form (epcis.Canonical): the events FindEvents selects for an exact
// EPCMatch of that identifier and role (the same event_epcs rows, read
// where FindEvents reads). Capture-time checks that read the events of
// many identifiers (custody's containers packed at sea) ask FindEvents
// once for all of them and split the answer by these keys, rather than
// querying once for each identifier.
func (db *DB) EventKeysNaming(ctx context.Context, role string, ids []string) (map[string]map[int64]bool, error) {
	seen := map[string]bool{}
	var canons []string
	for _, id := range ids {
		if c := canon(id); !seen[c] {
			seen[c] = true
			canons = append(canons, c)
		}
	}
	out := map[string]map[int64]bool{}
	err := inChunks(canons, func(part []any) error {
		rows, err := db.reader(ctx).QueryContext(ctx, db.q("SELECT canon, event_pk FROM event_epcs WHERE "+inList("canon", len(part))+" AND role = ?"), append(part, role)...)
		if err != nil {
			return fmt.Errorf("%s: events naming identifiers: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			var pk int64
			if err := rows.Scan(&c, &pk); err != nil {
				return fmt.Errorf("%s: events naming identifiers: %w", db.Dialect.Name, err)
			}
			if out[c] == nil {
				out[c] = map[int64]bool{}
			}
			out[c][pk] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// FindEventsOfEachClass calls fn, for each identifier of ids in turn, with
// the page FindEvents gives for f with one more condition: an exact
// ClassMatch of that identifier in roles (the same events, in the same
// order, with the same cursor). It reads the events of many identifiers
// at once — the event_quantities keys naming each of up to 500, then the
// events naming any of them, split by those keys — instead of once for
// each identifier (perf11y: custody's whereabouts and made-once checks
// read every lot of a captured document). An identifier named by more
// events than the page holds (f.Limit), or a filter FindEvents does not
// answer in plain SQL, is read on its own; one read holds the events of
// about classBatchEvents at most, so that the memory stays that of a few
// pages.
func (db *DB) FindEventsOfEachClass(ctx context.Context, f critmin.EventFilter, roles []string, ids []string, fn func(id string, page *critmin.EventPage) error) error {
	alone := func(id string) (*critmin.EventPage, error) {
		g := f
		g.ClassMatches = append(slices.Clip(f.ClassMatches), critmin.EPCMatch{Roles: roles, Patterns: []string{id}, Exact: true})
		return db.FindEvents(ctx, g)
	}
	if f.OrderKey != nil || f.Residual != nil || f.MaxEventCount > 0 || f.After != nil || len(f.EventIDs) > 0 || len(f.CorrectiveEventIDs) > 0 {
		for _, id := range ids {
			page, err := alone(id)
			if err != nil {
				return err
			}
			if err := fn(id, page); err != nil {
				return err
			}
		}
		return nil
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 30
	}
	const chunk = 500
	for start := 0; start < len(ids); {
		// Up to 500 identifiers (distinct canonical forms) at a time,
		// cut where the events they name pass classBatchEvents.
		firstAt := map[string]int{}
		var canons []string
		end := start
		for ; end < len(ids); end++ {
			c := canon(ids[end])
			if _, ok := firstAt[c]; !ok {
				if len(canons) == chunk {
					break
				}
				firstAt[c] = end
				canons = append(canons, c)
			}
		}
		keys, err := db.classKeys(ctx, roles, canons)
		if err != nil {
			return err
		}
		pages := map[string]*critmin.EventPage{}
		var batch []string
		held := 0
		for k, c := range canons {
			n := len(keys[c])
			if n > limit {
				continue // read on its own, at its turn
			}
			if held+n > classBatchEvents && k > 0 {
				end = firstAt[c]
				break
			}
			batch = append(batch, c)
			held += n
		}
		if len(batch) > 0 {
			g := f
			g.ClassMatches = append(slices.Clip(f.ClassMatches), critmin.EPCMatch{Roles: roles, Patterns: batch, Exact: true})
			g.Limit = 1000
			var evs []*critmin.Event
			for {
				page, err := db.FindEvents(ctx, g)
				if err != nil {
					return err
				}
				evs = append(evs, page.Events...)
				if page.Next == nil {
					break
				}
				g.After = page.Next
			}
			for _, c := range batch {
				page := &critmin.EventPage{}
				size := 0
				for _, ev := range evs {
					if !keys[c][ev.PK] {
						continue
					}
					// findSQL's page: full by count or by the events'
					// text, with another event after it.
					if n := len(page.Events); n == limit || (n > 0 && size >= db.pageBytes()) {
						page.Next = cursorOf(f, page.Events[n-1])
						break
					}
					page.Events = append(page.Events, ev)
					size += len(ev.Raw)
				}
				pages[c] = page
			}
		}
		for _, id := range ids[start:end] {
			page, ok := pages[canon(id)]
			if !ok {
				if page, err = alone(id); err != nil {
					return err
				}
			}
			if err := fn(id, page); err != nil {
				return err
			}
		}
		start = end
	}
	return nil
}

// classBatchEvents is about how many events FindEventsOfEachClass reads
// at once for many identifiers.
const classBatchEvents = 10000

// classKeys returns, for canonical identifiers, the store keys of the
// events whose quantity lists name each in one of roles (any role when
// none): the event_quantities rows an exact ClassMatch reads.
func (db *DB) classKeys(ctx context.Context, roles []string, canons []string) (map[string]map[int64]bool, error) {
	out := map[string]map[int64]bool{}
	if len(canons) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(canons)+len(roles))
	for _, c := range canons {
		args = append(args, c)
	}
	cond := "1 = 1"
	if len(roles) > 0 {
		cond = inList("role", len(roles))
		for _, r := range roles {
			args = append(args, r)
		}
	}
	rows, err := db.reader(ctx).QueryContext(ctx, db.q("SELECT canon, event_pk FROM event_quantities WHERE "+inList("canon", len(canons))+" AND "+cond), args...)
	if err != nil {
		return nil, fmt.Errorf("%s: events naming lots: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var c string
		var pk int64
		if err := rows.Scan(&c, &pk); err != nil {
			return nil, fmt.Errorf("%s: events naming lots: %w", db.Dialect.Name, err)
		}
		if out[c] == nil {
			out[c] = map[int64]bool{}
		}
		out[c][pk] = true
	}
	return out, rows.Err()
}

// EventIDsMaybeStored says, for each of ids, whether the store may hold a
// record of that eventID (the event or a declaration of it): true for
// every id FindEventsByID finds, and false only when FindEventsByID finds
// nothing for it. It is true when a stored record's eventID is one
// FindEventsByID reads for any of ids (eventIDSpellings) and canonically
// equal to the id (epcis.CanonicalEventID) — which FindEventsByID may
// still not read for this id (a stored spelling differing otherwise than
// in letter case), so a caller needing FindEventsByID's answer asks it of
// the ids found true. It reads all of ids in a few queries instead of two
// for each: the capture-time checks ask it for the packings and runs of a
// document, which they do not judge again when the store holds them
// (custody's checkContentsChanged), and a new document's events are
// mostly not stored.
func (db *DB) EventIDsMaybeStored(ctx context.Context, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	var asked []string
	for _, id := range ids {
		if storable(id) {
			asked = append(asked, id)
		}
	}
	if len(asked) == 0 {
		return out, nil
	}
	done, err := db.readTurn(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	spellings, err := db.eventIDSpellings(ctx, "events", asked)
	if err != nil {
		return nil, err
	}
	canons := map[string]bool{}
	err = inChunks(spellings, func(part []any) error {
		rows, err := db.consistent(ctx).QueryContext(ctx, db.qDynamic("SELECT DISTINCT event_id FROM events WHERE event_id IN ("+placeholders(len(part))+")"), part...)
		if err != nil {
			return fmt.Errorf("%s: stored eventIDs: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return fmt.Errorf("%s: stored eventIDs: %w", db.Dialect.Name, err)
			}
			canons[epcis.CanonicalEventID(id)] = true
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	for _, id := range asked {
		if canons[epcis.CanonicalEventID(id)] {
			out[id] = true
		}
	}
	return out, nil
}
