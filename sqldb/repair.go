package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/critmin/critmin"
)

// RepairReport says what RepairDerived rewrote.
type RepairReport struct {
	// Records is the number of chained records replayed.
	Records int64 `json:"records"`
	// Rewritten names each derived table that differed from its rebuild
	// and was rewritten, in the order of DerivedTables.
	Rewritten []string `json:"rewritten"`
	// Checked names every derived table compared with its rebuild.
	Checked []string `json:"checked"`
}

// ErrStoreChanged is RepairDerived's answer when records were captured
// between the chain check and the rebuild: the new records were not
// checked, so nothing is written and the operator runs it again.
var ErrStoreChanged = critmin.Errorf(critmin.ECONFLICT, "rebuild: records were captured while the chain was checked; nothing was rewritten, run critmin rebuild again")

// repairEventCols are the columns of events a rebuild may rewrite: the
// indexed columns capture derives from the record (index.go,
// eventIndexed). The chained content (JSON, identity, times, capture,
// chain hashes, @context) is the rebuild's input, checked by the chain.
var repairEventCols = []string{"event_type", "tz", "action", "biz_step", "disposition", "read_point", "biz_location", "transformation_id", "read_point_canon", "biz_location_canon"}

// masterDataTables are the tables the master data capture writes beside
// master_data (versions, attribute index, hierarchy); they are rewritten
// from the rebuild with it.
var masterDataTables = []string{"master_data_versions", "master_data_attrs", "master_data_children"}

// RepairDerived rebuilds every derived table of db from its chained
// records and its audit chain, as `critmin verify` rebuilds them
// (docs/verify.md step 5), and rewrites each stored table that differs
// from its rebuild, in one transaction. It is `critmin rebuild`: the
// repair of derived rows that verify found edited.
//
// The caller checks the chain first (Verify without a rebuild) and
// passes the number of records it found: the chain, the audit chain, the
// day roots and the log are the rebuild's input and its commitments, so
// a store whose chain fails is not rebuilt (a rewritten record is
// restored from a backup, not laundered into new derived rows). Should
// a capture have added records since that check, nothing is written
// (ErrStoreChanged).
//
// The records are replayed into scratch (an empty store, as verify's)
// through CaptureEvents with every row written (replayFull): the same
// code capture writes every derived row with. Each derived table is then
// compared with its replay (compareTable) and, where it differs,
// replaced: the lot projection (lots, lot_links, lot_moves, lot_origin,
// transformation_members, transformation_runs), the index rows
// (event_epcs, event_quantities, event_attrs), chain_roots, log_hashes
// and log_tree by the replayed rows; master_data with the master data
// tables written beside it; the indexed columns of events updated in
// place; contexts no event names deleted; tokens set to the rights the
// audit chain records (a token no entry creates is deleted; the last use
// is kept).
func (db *DB) RepairDerived(ctx context.Context, scratch *DB, checkedRecords int64) (*RepairReport, error) {
	prog := critmin.Progress(ctx)
	rep := &RepairReport{}
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	if db.Dialect.LockCapture != "" {
		if _, err := tx.ExecContext(ctx, db.Dialect.LockCapture); err != nil {
			return nil, err
		}
	}
	// Every read of the store goes through the transaction: what is
	// replayed is what is rewritten.
	ctx = context.WithValue(ctx, groupReadsKey{}, &groupReads{write: db.Write, tx: tx})
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&n); err != nil {
		return nil, fmt.Errorf("%s: rebuild: count records: %w", db.Dialect.Name, err)
	}
	if n != checkedRecords {
		return nil, ErrStoreChanged
	}
	rep.Records = n
	prog("replay", 0, n)
	scratch.writes = replayFull
	scratch.replayingLog = true
	var seen int64
	scan := func(ctx context.Context, fn func(*critmin.ChainRecord) error) error {
		return db.ScanChain(ctx, func(r *critmin.ChainRecord) error {
			seen++
			prog("replay", seen, n)
			return fn(r)
		})
	}
	if err := db.replay(ctx, scratch, &RebuildStats{}, withoutRows(scan), nil, nil); err != nil {
		return nil, fmt.Errorf("rebuild: %w", err)
	}
	for i, t := range derivedTables {
		prog("compare and rewrite", int64(i+1), int64(len(derivedTables)))
		rep.Checked = append(rep.Checked, t.Name)
		var changed bool
		switch t.Name {
		case "events":
			changed, err = repairEvents(ctx, db, tx, scratch)
		case "contexts":
			changed, err = repairContexts(ctx, db, tx, scratch, t)
		case "tokens":
			changed, err = repairTokens(ctx, db, tx, scratch, t)
		default:
			var d *Difference
			if d, _, err = compareTable(ctx, db, scratch, t, ""); err != nil || d == nil {
				break
			}
			changed = true
			err = replaceTable(ctx, tx, db.Dialect, scratch, t)
		}
		if err == nil && t.Name == "master_data" {
			// The tables master data capture writes beside master_data,
			// compared whole (every column) and rewritten where they differ.
			for _, name := range masterDataTables {
				var c bool
				if c, err = repairWholeTable(ctx, db, tx, scratch, name); err != nil {
					break
				}
				if c {
					rep.Rewritten = append(rep.Rewritten, name)
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("rebuild %s: %w", t.Name, err)
		}
		if changed {
			rep.Rewritten = append(rep.Rewritten, t.Name)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	return rep, nil
}

// repairEvents updates the indexed columns of every event whose stored
// columns differ from the replayed ones (the replay keeps each record's
// key and chain position).
func repairEvents(ctx context.Context, db *DB, tx *sql.Tx, scratch *DB) (bool, error) {
	t := DerivedTable{Name: "events", Key: []string{"#chain_seq"}, Cols: append([]string{"pk"}, repairEventCols...)}
	d, _, err := compareTable(ctx, db, scratch, t, "")
	if err != nil || d == nil {
		return false, err
	}
	rows, err := scratch.Read.QueryContext(ctx, "SELECT chain_seq, "+strings.Join(repairEventCols, ", ")+" FROM events ORDER BY chain_seq")
	if err != nil {
		return false, err
	}
	defer rows.Close()
	set := make([]string, len(repairEventCols))
	for i, c := range repairEventCols {
		set[i] = c + " = ?"
	}
	upd := db.q("UPDATE events SET " + strings.Join(set, ", ") + " WHERE chain_seq = ?")
	vals := make([]any, len(repairEventCols)+1)
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return false, err
		}
		args := make([]any, 0, len(vals))
		for _, v := range vals[1:] {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			args = append(args, v)
		}
		args = append(args, vals[0])
		if _, err := tx.ExecContext(ctx, upd, args...); err != nil {
			return false, err
		}
	}
	return true, rows.Err()
}

// repairContexts deletes the stored @contexts no event names. (A context
// an event names is part of its chained record: an edited one fails the
// chain check, which comes first.)
func repairContexts(ctx context.Context, db *DB, tx *sql.Tx, scratch *DB, t DerivedTable) (bool, error) {
	d, _, err := compareTable(ctx, db, scratch, t, "")
	if err != nil || d == nil {
		return false, err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM contexts WHERE id NOT IN (SELECT context_id FROM events WHERE context_id IS NOT NULL)`)
	return true, err
}

// repairTokens sets the stored tokens to those the audit chain's replay
// made: the rights of each (role, hash, times) set, a token the chain
// does not create deleted, one it creates and the table lacks inserted.
// The last use is not a right and is kept.
func repairTokens(ctx context.Context, db *DB, tx *sql.Tx, scratch *DB, t DerivedTable) (bool, error) {
	d, _, err := compareTable(ctx, db, scratch, t, "")
	if err != nil || d == nil {
		return false, err
	}
	type tok struct {
		name, role, hash string
		created          int64
		expires, revoked sql.NullInt64
	}
	rows, err := scratch.Read.QueryContext(ctx, `SELECT name, role, hash, created_us, expires_us, revoked_us FROM tokens`)
	if err != nil {
		return false, err
	}
	var want []tok
	for rows.Next() {
		var k tok
		if err := rows.Scan(&k.name, &k.role, &k.hash, &k.created, &k.expires, &k.revoked); err != nil {
			rows.Close()
			return false, err
		}
		want = append(want, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return false, err
	}
	names := make([]any, len(want))
	for i, k := range want {
		names[i] = k.name
	}
	del := "DELETE FROM tokens"
	if len(names) > 0 {
		del += " WHERE name NOT IN (" + placeholders(len(names)) + ")"
	}
	if _, err := tx.ExecContext(ctx, db.q(del), names...); err != nil {
		return false, err
	}
	for _, k := range want {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE tokens SET role = ?, hash = ?, created_us = ?, expires_us = ?, revoked_us = ? WHERE name = ?`),
			k.role, k.hash, k.created, k.expires, k.revoked, k.name)
		if err != nil {
			return false, err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			continue
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO tokens (name, name_key, role, hash, created_us, expires_us, revoked_us) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			k.name, critmin.TokenNameKey(k.name), k.role, k.hash, k.created, k.expires, k.revoked); err != nil {
			return false, err
		}
	}
	return true, nil
}

// repairWholeTable compares table name, every column, with the same
// table in from as a multiset and, where they differ, replaces its rows
// by from's.
func repairWholeTable(ctx context.Context, db *DB, tx *sql.Tx, from *DB, name string) (bool, error) {
	rows, err := from.Read.QueryContext(ctx, "SELECT * FROM "+name+" LIMIT 0")
	if err != nil {
		return false, err
	}
	types, err := rows.ColumnTypes()
	rows.Close()
	if err != nil {
		return false, err
	}
	// Numeric columns are marked so (tableRows orders text byte-wise,
	// which PostgreSQL refuses for a number).
	t := DerivedTable{Name: name}
	for _, c := range types {
		switch k := strings.ToUpper(c.DatabaseTypeName()); {
		case strings.Contains(k, "INT") || k == "REAL" || strings.Contains(k, "DOUBLE") || k == "NUMERIC":
			t.Key = append(t.Key, "#"+c.Name())
		default:
			t.Key = append(t.Key, c.Name())
		}
	}
	d, _, err := compareTable(ctx, db, from, t, "")
	if err != nil || d == nil {
		return false, err
	}
	return true, replaceTable(ctx, tx, db.Dialect, from, t)
}
