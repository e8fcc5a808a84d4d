package sqldb

import (
	"context"
	"fmt"
	"strings"

	"github.com/critmin/critmin"
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
// for a query on eventIDs — one plan line per element, so that tests and
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
