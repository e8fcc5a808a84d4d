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
// produced it and a claim on it is refused, at capture as when read. The
// members are read whole and checked (sealedRunMembers): a member deleted
// by hand would make a fed run look input-less, with 200.
func (db *DB) RunsWithInputs(ctx context.Context, xids []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := inChunks(xids, func(part []any) error {
		members, err := sealedRunMembers(ctx, db.reader(ctx), db, part)
		if err != nil {
			return err
		}
		for xid, qs := range members {
			for _, q := range qs {
				if q.Role == critmin.RoleInput {
					out[xid] = true
				}
			}
		}
		return nil
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
// joins a run with only inputs or only outputs included. The rows are
// checked as capture checks them (sealedRunMembers).
func (db *DB) RunMembers(ctx context.Context, xids []string) (map[string][]critmin.QuantityElement, error) {
	out := map[string][]critmin.QuantityElement{}
	err := inChunks(xids, func(part []any) error {
		m, err := sealedRunMembers(ctx, db.reader(ctx), db, part)
		for xid, qs := range m {
			out[xid] = qs
		}
		return err
	})
	return out, err
}

// runMembersSQL reads, in one statement (one snapshot, so a capture
// committing meanwhile cannot make the two disagree), each run's row of
// transformation_runs and every member row of the runs. The first column
// tells them apart: 1 a run, 0 a member.
const runMembersSQL = `SELECT 1, r.transformation_id, '', '', NULL, '', r.seal, r.member_count FROM transformation_runs r WHERE r.transformation_id IN (%[1]s)
	UNION ALL
	SELECT 0, m.transformation_id, m.role, m.epc_class, m.quantity, m.uom, m.seal, 0 FROM transformation_members m WHERE m.transformation_id IN (%[1]s)`

// sealedRunMembers returns the member rows of the runs xids (at most one
// chunk), refusing (ECONFLICT naming the table and the run) what the
// capture refuses when it continues a run (writer.loadTransformations): a
// member row whose seal is missing or differs (migration 0075), and a run
// whose member rows number otherwise than its sealed count
// (transformation_runs, migration 0077) — a row deleted or inserted by
// hand, which no row's own seal can show. A run with no row of either
// table has no members — unless the log holds a live event of it: every
// such event states at least one input or output (EPCIS 2.0 §7.4.5,
// epcis.checkEventRules), so critmin wrote the run a count, and a run
// whose count row was deleted together with all its members (nothing
// left to count) is refused too, naming the run and its event. The log
// is asked in a second statement, which checks again that the run has
// no count row, so a capture committing the run's first event between
// the two is not taken for a deletion.
func sealedRunMembers(ctx context.Context, q querier, db *DB, xids []any) (map[string][]critmin.QuantityElement, error) {
	marks := placeholders(len(xids))
	rows, err := q.QueryContext(ctx, db.q(fmt.Sprintf(runMembersSQL, marks)), append(append([]any(nil), xids...), xids...)...)
	if err != nil {
		return nil, fmt.Errorf("%s: run members: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	out := map[string][]critmin.QuantityElement{}
	sealed := map[string]int64{}
	for rows.Next() {
		var kind int
		var xid, role, class, uom string
		var v sql.NullFloat64
		var seal sql.NullString
		var count int64
		if err := rows.Scan(&kind, &xid, &role, &class, &v, &uom, &seal, &count); err != nil {
			return nil, err
		}
		if kind == 1 {
			if err := checkSeal("transformation_runs", rowKey("transformation_id", xid), xid, seal, xid, count); err != nil {
				return nil, err
			}
			sealed[xid] = count
			continue
		}
		if err := checkSeal("transformation_members", memberKey(xid, role, class), class, seal, xid, role, class, floatOrNil(v), uom); err != nil {
			return nil, err
		}
		m := critmin.QuantityElement{Role: role, EPCClass: class, UOM: uom}
		if v.Valid {
			f := v.Float64
			m.Quantity = &f
		}
		out[xid] = append(out[xid], m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, x := range xids {
		xid := x.(string)
		if err := checkCount("transformation_members", rowKey("transformation_id", xid), xid, sealed[xid], int64(len(out[xid]))); err != nil {
			return nil, err
		}
	}
	// Only a run with no count row is looked up in the log, so a store
	// whose runs all have theirs pays nothing more.
	var unsealed []any
	for _, x := range xids {
		if _, ok := sealed[x.(string)]; !ok {
			unsealed = append(unsealed, x)
		}
	}
	if len(unsealed) == 0 {
		return out, nil
	}
	logged, err := oneLiveRunEvent(ctx, q, db, unsealed)
	if err != nil {
		return nil, err
	}
	for _, x := range unsealed {
		if ev := logged[x.(string)]; ev != "" {
			return nil, missingRun(x.(string), ev)
		}
	}
	return out, nil
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
//
// The runs are found by their members and by the events' own input lines
// (event_quantities), then read whole and checked (sealedRunMembers): a
// member deleted, inserted or edited by hand — an output row deleted
// opens a run, an input row deleted frees its tonnes — is refused, not
// counted.
func (db *DB) OpenRunInputs(ctx context.Context, lots []string) (map[string][]critmin.QuantityElement, map[string][]string, error) {
	want := map[string]bool{}
	for _, l := range lots {
		want[l] = true
	}
	runs := map[string]bool{}
	err := inChunks(lots, func(part []any) error {
		marks := placeholders(len(part))
		args := append([]any{critmin.RoleInput}, part...)
		args = append(append(args, critmin.RoleInput), part...)
		rows, err := db.reader(ctx).QueryContext(ctx, db.q("SELECT transformation_id FROM transformation_members WHERE role = ? AND epc_class IN ("+marks+")"+
			" UNION SELECT e.transformation_id FROM event_quantities q JOIN events e ON e.pk = q.event_pk WHERE q.role = ? AND q.canon IN ("+marks+") AND e.transformation_id IS NOT NULL AND e.declaration = 0"), args...)
		if err != nil {
			return fmt.Errorf("%s: open run inputs: %w", db.Dialect.Name, err)
		}
		return collectStrings(rows, runs)
	})
	if err != nil {
		return nil, nil, err
	}
	xids := make([]string, 0, len(runs))
	for x := range runs {
		xids = append(xids, x)
	}
	sort.Strings(xids)
	out := map[string][]critmin.QuantityElement{}
	err = inChunks(xids, func(part []any) error {
		members, err := sealedRunMembers(ctx, db.reader(ctx), db, part)
		if err != nil {
			return err
		}
	run:
		for xid, qs := range members {
			for _, q := range qs {
				if q.Role == critmin.RoleOutput {
					continue run
				}
			}
			for _, q := range qs {
				if q.Role == critmin.RoleInput && want[q.EPCClass] {
					out[xid] = append(out[xid], q)
				}
			}
		}
		return nil
	})
	if err != nil || len(out) == 0 {
		return out, nil, err
	}
	open := make([]string, 0, len(out))
	for x := range out {
		open = append(open, x)
	}
	sort.Strings(open)
	evs, err := db.RunEvents(ctx, open)
	return out, evs, err
}

// missingRun refuses (ECONFLICT, a *sealError) run xid, which event ev
// of the log makes, when its transformation_runs row is gone: deleted
// together with every member row, it leaves no count to compare with.
func missingRun(xid, ev string) error {
	return &sealError{node: xid, err: critmin.Errorf(critmin.ECONFLICT, "the evidence fails verification: table transformation_runs, row %s: missing, though event %s of the log makes the run and critmin wrote its member count; the row (and its transformation_members rows) was deleted outside critmin, and no figure is served from the run (`critmin verify` names the row and the values the events give)", rowKey("transformation_id", xid), ev)}
}
