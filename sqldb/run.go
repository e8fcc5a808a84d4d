package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/critmin/critmin"
)

// RunsWithInputs says which of the given transformationIDs have an input
// stored (in any event sharing the ID: EPCIS 2.0 §7.4.6, one
// transformation). custody's capture-time claim check reads it: an output
// of a run without inputs gets no genealogy edge, so no transformation
// produced it and a claim on it is refused, at capture as when read.
func (db *DB) RunsWithInputs(ctx context.Context, xids []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := inChunks(xids, func(part []any) error {
		rows, err := db.reader(ctx).QueryContext(ctx, db.q("SELECT DISTINCT transformation_id FROM transformation_members WHERE role = ? AND transformation_id IN ("+placeholders(len(part))+")"), append([]any{critmin.RoleInput}, part...)...)
		if err != nil {
			return fmt.Errorf("%s: runs with inputs: %w", db.Dialect.Name, err)
		}
		return collectStrings(rows, out)
	})
	return out, err
}

// collectStrings adds the first column of every row to out and closes
// rows.
func collectStrings(rows *sql.Rows, out map[string]bool) error {
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		out[id] = true
	}
	return rows.Err()
}

// RunMembers returns the stored inputs and outputs of each given
// transformationID (every event sharing it: EPCIS 2.0 §7.4.6), as the
// capture keeps them to link a later event of the run to its earlier ones
// (writer.transformationLinks). custody's capture-time claim check reads
// them so that it replays the edges the store will keep — an event that
// joins a run with only inputs or only outputs included.
func (db *DB) RunMembers(ctx context.Context, xids []string) (map[string][]critmin.QuantityElement, error) {
	out := map[string][]critmin.QuantityElement{}
	err := inChunks(xids, func(part []any) error {
		rows, err := db.reader(ctx).QueryContext(ctx, db.q("SELECT transformation_id, role, epc_class, quantity, uom FROM transformation_members WHERE transformation_id IN ("+placeholders(len(part))+")"), part...)
		if err != nil {
			return fmt.Errorf("%s: run members: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var q critmin.QuantityElement
			var v sql.NullFloat64
			if err := rows.Scan(&id, &q.Role, &q.EPCClass, &v, &q.UOM); err != nil {
				return err
			}
			if v.Valid {
				f := v.Float64
				q.Quantity = &f
			}
			out[id] = append(out[id], q)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		// A member deleted (or inserted) by hand: the run's sealed count
		// (migration 0077) differs from the rows read.
		sealed, err := runCounts(ctx, db.reader(ctx), db, part)
		if err != nil {
			return err
		}
		for _, x := range part {
			xid := x.(string)
			if err := checkCount("transformation_members", rowKey("transformation_id", xid), xid, sealed[xid], int64(len(out[xid]))); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// liveRunEvents selects, for transformationIDs, the eventIDs of their
// events that no declaration names (EPCIS 2.0 §7.4.6: the events sharing
// a transformationID are one transformation; §7.4.1.2: a declared event
// never counts).
const liveRunEvents = `SELECT DISTINCT e.transformation_id, e.event_id FROM events e WHERE e.declaration = 0 AND e.transformation_id IN (%s)
	AND NOT EXISTS (SELECT 1 FROM events d WHERE d.declaration = 1 AND d.event_id = e.event_id)`

// RunEvents returns the live eventIDs of each given transformationID,
// sorted: every event of the run, including one that states only inputs
// and so carries no genealogy edge of its own (ledger.RunLinks). custody
// names them all in a run's anomalies.
func (db *DB) RunEvents(ctx context.Context, xids []string) (map[string][]string, error) {
	return runEvents(ctx, db.reader(ctx), db, xids)
}

func runEvents(ctx context.Context, q querier, db *DB, xids []string) (map[string][]string, error) {
	out := map[string][]string{}
	err := inChunks(xids, func(part []any) error {
		rows, err := q.QueryContext(ctx, db.q(fmt.Sprintf(liveRunEvents, placeholders(len(part)))), part...)
		if err != nil {
			return fmt.Errorf("%s: events of runs: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var x, ev string
			if err := rows.Scan(&x, &ev); err != nil {
				return err
			}
			out[x] = append(out[x], ev)
		}
		return rows.Err()
	})
	for _, evs := range out {
		sort.Strings(evs)
	}
	return out, err
}

// OpenRunInputs returns the stored input lines naming any of lots of the
// runs (transformationIDs) that have no output yet, with the live events
// of each such run. An input-only event of a split run (EPCIS 2.0 §7.4.6)
// carries no genealogy edge until the run states an output
// (ledger.RunLinks), yet it has taken its lines of the lot (ledger.Project
// books them): custody's consumption check counts them from here, so that
// a lot taken by such a run cannot be taken again. A retraction rebuilds a
// run's members from its live events, so only live lines are returned.
func (db *DB) OpenRunInputs(ctx context.Context, lots []string) (map[string][]critmin.QuantityElement, map[string][]string, error) {
	out := map[string][]critmin.QuantityElement{}
	err := inChunks(lots, func(part []any) error {
		args := append([]any{critmin.RoleInput}, part...)
		args = append(args, critmin.RoleOutput)
		rows, err := db.reader(ctx).QueryContext(ctx, db.q("SELECT m.transformation_id, m.epc_class, m.quantity, m.uom FROM transformation_members m WHERE m.role = ? AND m.epc_class IN ("+placeholders(len(part))+
			") AND NOT EXISTS (SELECT 1 FROM transformation_members o WHERE o.transformation_id = m.transformation_id AND o.role = ?)"), args...)
		if err != nil {
			return fmt.Errorf("%s: open run inputs: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			q := critmin.QuantityElement{Role: critmin.RoleInput}
			var v sql.NullFloat64
			if err := rows.Scan(&id, &q.EPCClass, &v, &q.UOM); err != nil {
				return err
			}
			if v.Valid {
				f := v.Float64
				q.Quantity = &f
			}
			out[id] = append(out[id], q)
		}
		return rows.Err()
	})
	if err != nil || len(out) == 0 {
		return out, nil, err
	}
	xids := make([]string, 0, len(out))
	for x := range out {
		xids = append(xids, x)
	}
	sort.Strings(xids)
	evs, err := db.RunEvents(ctx, xids)
	return out, evs, err
}
