package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/critmin/critmin"
)

// Derived-row seals (migration 0072). The lot projection's rows — lots,
// lot_links, lot_moves and the kept origin mixes of lot_origin — are derived from
// the chained events, and `critmin verify` rebuilds and compares them;
// but the readers that serve a lot, its genealogy, its origin, its rule
// verdicts and its certificate answer from the stored rows, so a row
// edited in the database (an origin country changed by hand) would be
// served, with 200, until someone ran verify. Every writer of those rows
// therefore stores with each row its seal — the hex SHA-256 of
// "critmin.derived", the table name and the row's values in a fixed
// column order (canonical as verify compares them: NULL, numbers in their
// shortest form, text; derivedSeal) — and every reader recomputes it from the row it
// has just read, in the same statement, and refuses (ECONFLICT, 409 on
// HTTP, naming the table and row) a row whose seal is missing or differs.
// A kept origin mix is served only while fresh (stale = 0), and only a
// fresh one must carry its seal: marking mixes stale clears their seals.
//
// The seal is no signature: whoever edits a row and recomputes its seal
// by this rule is not caught by the readers, but is by `critmin verify`
// (which rebuilds every derived row from the chained events, and the
// chain from the signed log) and by the evidence check that precedes
// every certificate (CheckEvidence). It catches every edit made without
// critmin's own code, at no cost but one hash a row read.

// derivedSeal is the seal of a row of table with the given values: the
// hex SHA-256 of "critmin.derived", NUL, the table, NUL, then each value
// as a tag and its text — "n" for NULL; "f", the number in its shortest
// form (integers as integers: value.String) and NUL; "s", the text's
// length in decimal, ":" and the text — so that no two rows encode alike.
// Written by hand, not through encoding/json: every lot read pays it.
func derivedSeal(table string, vals ...any) string {
	buf := make([]byte, 0, 512)
	buf = append(buf, "critmin.derived\x00"...)
	buf = append(buf, table...)
	buf = append(buf, 0)
	for _, v := range vals {
		switch n := normalise(v); {
		case n.null:
			buf = append(buf, 'n')
		case n.num:
			buf = append(buf, 'f')
			if n.f == math.Trunc(n.f) && math.Abs(n.f) < 1<<53 {
				buf = strconv.AppendInt(buf, int64(n.f), 10)
			} else {
				buf = strconv.AppendFloat(buf, n.f, 'g', -1, 64)
			}
			buf = append(buf, 0)
		default:
			buf = append(buf, 's')
			buf = strconv.AppendInt(buf, int64(len(n.s)), 10)
			buf = append(buf, ':')
			buf = append(buf, n.s...)
		}
	}
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// checkSeal refuses (ECONFLICT, a *sealError) a row of table, named by
// key, whose stored seal is missing or is not the seal of vals; node is
// the lot whose evidence holds the row (the lot of a lots or lot_origin
// row, the child of a link), which explain rebuilds to name the column.
func checkSeal(table, key, node string, seal sql.NullString, vals ...any) error {
	if seal.Valid && seal.String == derivedSeal(table, vals...) {
		return nil
	}
	why := "its values differ from those critmin wrote (its seal no longer matches)"
	if !seal.Valid {
		why = "it carries no seal, so critmin did not write it"
	}
	return &sealError{node: node, err: critmin.Errorf(critmin.ECONFLICT, "the evidence fails verification: table %s, row %s: %s; it was edited outside critmin, and no figure is served from it (`critmin verify` names the column and the value the events give)", table, key, why)}
}

// checkCount refuses (ECONFLICT, a *sealError) a lot whose rows of table
// (lot_links into it, its lot_moves), named by key, number stored where
// its sealed row says sealed: a row deleted or inserted by hand, which no
// row's own seal can show (migration 0073). node is the lot.
func checkCount(table, key, node string, sealed, stored int64) error {
	if sealed == stored {
		return nil
	}
	what := "deleted"
	if stored > sealed {
		what = "inserted"
	}
	return &sealError{node: node, err: critmin.Errorf(critmin.ECONFLICT, "the evidence fails verification: table %s, rows %s: critmin wrote %d, %d are stored; a row was %s outside critmin, and no figure is served from them (`critmin verify` names the row and the values the events give)", table, key, sealed, stored, what)}
}

// sealError is checkSeal's refusal: an ECONFLICT (Unwrap) with the lot
// whose evidence holds the row.
type sealError struct {
	node string
	err  error
}

func (e *sealError) Error() string { return e.err.Error() }
func (e *sealError) Unwrap() error { return e.err }

// explain turns a reader's seal refusal into the evidence check's own,
// when that check names more: the lot the row belongs to is rebuilt from
// its records (CheckEvidence) and the first difference is named with its
// column, the stored value and the one the events give ("table lots, row
// id=…, column origin_country: stored "CHN", rebuilt from the log
// "PAK""). It runs only on a refusal, so a sound read pays nothing; any
// other error, or a store without a scratch area, is returned as it is.
func (db *DB) explain(ctx context.Context, err error) error {
	var se *sealError
	if !errors.As(err, &se) || se.node == "" || db.Scratch == nil {
		return err
	}
	// The lot and everything upstream of it, as a certificate's evidence
	// is: a lot made from others is rebuilt only with their records. The
	// links are read as stored, unchecked: this only chooses what to
	// rebuild, and the rebuild compares them.
	rows, qerr := db.reader(ctx).QueryContext(ctx, db.q(`WITH RECURSIVE up(lot) AS (SELECT ? UNION SELECT l.parent FROM lot_links l JOIN up ON l.child = up.lot) SELECT lot FROM up`), se.node)
	if qerr != nil {
		return err
	}
	var nodes []string
	for rows.Next() {
		var n string
		if rows.Scan(&n) == nil {
			nodes = append(nodes, n)
		}
	}
	rows.Close()
	if cerr := db.CheckEvidence(ctx, nodes, nil); critmin.ErrorCode(cerr) == critmin.ECONFLICT {
		return cerr
	}
	return err
}

// lotSealValues are the values of a lots row its seal covers, in order:
// the lot's columns of lotColumns (uom read as ” when NULL), then
// location_canon, then the number of lot_links rows into the lot (child =
// id) and of its lot_moves rows (migration 0073) and of the lot_links
// rows out of it (parent = id, migration 0076), so that a reader that
// counts them in the statement that reads the row (lotReadColumns) sees
// a derived row deleted by hand.
func lotSealValues(id, commodity string, quantity float64, uom string, wet, dry float64, moisture any, originCountry, originMine, supplier, location, readPoint,
	status, disposition, owner, custodian string, first, last int64, eventCount int, assays, claims string, taken float64, parts, locationCanon string, linkCount, moveCount, outLinkCount int64) []any {
	return []any{id, commodity, quantity, uom, wet, dry, moisture, originCountry, originMine, supplier, location, readPoint,
		status, disposition, owner, custodian, first, last, eventCount, assays, claims, taken, parts, locationCanon, linkCount, moveCount, outLinkCount}
}

// linkSealValues are the values of a lot_links row its seal covers, in
// column order: parent, child, event_id, kind, parent_qty, parent_uom,
// child_qty, child_uom, event_time, biz_location, replay.
func linkSealValues(parent, child, eventID, kind string, parentQty any, parentUOM string, childQty any, childUOM string, eventTime int64, bizLocation string, replay int) []any {
	return []any{parent, child, eventID, kind, parentQty, parentUOM, childQty, childUOM, eventTime, bizLocation, replay}
}

// floatOrNil is a nullable float column's value as sealed.
func floatOrNil(f sql.NullFloat64) any {
	if f.Valid {
		return f.Float64
	}
	return nil
}

// sealDerivedRows is migration 0072's Go step: it seals every row —
// every row of lots and lot_links, and every fresh mix of lot_origin —
// from the row's own values, attesting the projection as it stands at
// upgrade time (verify still compares it with the events), and writes
// only the seals that differ: running it again changes nothing. Migrate
// runs it again after a Go step of an earlier migration that rewrites
// derived rows runs on a store that already has the seal column (a
// migration re-run: resealAfterStep), and ResealDerived runs it for a
// store that models an older one.
func sealDerivedRows(ctx context.Context, tx *sql.Tx, d Dialect) error {
	q := func(s string) string {
		if d.Dollar {
			return Rebind(s)
		}
		return s
	}
	apply := func(what, stmt string, ups []update) error {
		for _, u := range ups {
			if _, err := tx.ExecContext(ctx, q(stmt), append([]any{u.seal}, u.key...)...); err != nil {
				return fmt.Errorf("seal %s: %w", what, err)
			}
		}
		return nil
	}
	// lots: with their counts (migrations 0073, 0076) set to the
	// lot_links into and out of each and its lot_moves as stored. A store
	// at 0072–0075 lacks a count column yet: its lots are sealed by 0076,
	// which follows at once.
	counted, err := hasColumn(ctx, tx, d, "lots", "out_link_count")
	if err != nil {
		return err
	}
	var ups []update
	if counted {
		if err := countDerivedRows(ctx, tx); err != nil {
			return err
		}
		if ups, err = lotSeals(ctx, tx); err != nil {
			return err
		}
		if err := apply("lots", `UPDATE lots SET seal = ? WHERE id = ?`, ups); err != nil {
			return err
		}
	}
	// lot_links
	rows, err := tx.QueryContext(ctx, "SELECT parent, child, event_id, kind, parent_qty, parent_uom, child_qty, child_uom, event_time, biz_location, replay, seal FROM lot_links")
	if err != nil {
		return fmt.Errorf("seal lot_links: %w", err)
	}
	ups = ups[:0]
	for rows.Next() {
		var p, c, e, k, pu, cu, bl string
		var pq, cq sql.NullFloat64
		var at, replay int64
		var old sql.NullString
		if err := rows.Scan(&p, &c, &e, &k, &pq, &pu, &cq, &cu, &at, &bl, &replay, &old); err != nil {
			rows.Close()
			return fmt.Errorf("seal lot_links: %w", err)
		}
		if seal := derivedSeal("lot_links", linkSealValues(p, c, e, k, floatOrNil(pq), pu, floatOrNil(cq), cu, at, bl, int(replay))...); seal != old.String {
			ups = append(ups, update{seal, []any{p, c, e}})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := apply("lot_links", `UPDATE lot_links SET seal = ? WHERE parent = ? AND child = ? AND event_id = ?`, ups); err != nil {
		return err
	}
	// lot_origin: fresh mixes only
	rows, err = tx.QueryContext(ctx, "SELECT lot, mix, seal FROM lot_origin WHERE stale = 0")
	if err != nil {
		return fmt.Errorf("seal lot_origin: %w", err)
	}
	ups = ups[:0]
	for rows.Next() {
		var lot, mix string
		var old sql.NullString
		if err := rows.Scan(&lot, &mix, &old); err != nil {
			rows.Close()
			return fmt.Errorf("seal lot_origin: %w", err)
		}
		if seal := derivedSeal("lot_origin", lot, mix, 0); seal != old.String {
			ups = append(ups, update{seal, []any{lot}})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := apply("lot_origin", `UPDATE lot_origin SET seal = ? WHERE lot = ?`, ups); err != nil {
		return err
	}
	// lot_moves: no key (rows alike are alike in seal too)
	rows, err = tx.QueryContext(ctx, "SELECT lot, from_loc, to_loc, tonnes, event_id, seal FROM lot_moves")
	if err != nil {
		return fmt.Errorf("seal lot_moves: %w", err)
	}
	ups = ups[:0]
	for rows.Next() {
		var lot, from, to, ev string
		var tonnes float64
		var old sql.NullString
		if err := rows.Scan(&lot, &from, &to, &tonnes, &ev, &old); err != nil {
			rows.Close()
			return fmt.Errorf("seal lot_moves: %w", err)
		}
		if seal := derivedSeal("lot_moves", lot, from, to, tonnes, ev); seal != old.String {
			ups = append(ups, update{seal, []any{lot, from, to, tonnes, ev}})
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := apply("lot_moves", `UPDATE lot_moves SET seal = ? WHERE lot = ? AND from_loc = ? AND to_loc = ? AND tonnes = ? AND event_id = ?`, ups); err != nil {
		return err
	}
	if err := sealMembers(ctx, tx, d); err != nil {
		return err
	}
	return sealRuns(ctx, tx, d)
}

// sealRuns writes every run's member count (transformation_runs,
// migration 0077) as the transformation_members rows stand, with its
// seal: one row a transformationID that has members (a run without any
// has none, as capture leaves it). A store before 0077 has no table yet,
// and 0077 counts it.
func sealRuns(ctx context.Context, tx *sql.Tx, d Dialect) error {
	if ok, err := hasColumn(ctx, tx, d, "transformation_runs", "member_count"); err != nil || !ok {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SELECT transformation_id, COUNT(*) FROM transformation_members GROUP BY transformation_id ORDER BY transformation_id")
	if err != nil {
		return fmt.Errorf("count run members: %w", err)
	}
	type run struct {
		xid string
		n   int64
	}
	var runs []run
	for rows.Next() {
		var r run
		if err := rows.Scan(&r.xid, &r.n); err != nil {
			rows.Close()
			return fmt.Errorf("count run members: %w", err)
		}
		runs = append(runs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM transformation_runs`); err != nil {
		return fmt.Errorf("seal transformation_runs: %w", err)
	}
	stmt := `INSERT INTO transformation_runs (transformation_id, member_count, seal) VALUES (?, ?, ?)`
	if d.Dollar {
		stmt = Rebind(stmt)
	}
	for _, r := range runs {
		if _, err := tx.ExecContext(ctx, stmt, r.xid, r.n, derivedSeal("transformation_runs", r.xid, r.n)); err != nil {
			return fmt.Errorf("seal transformation_runs: %w", err)
		}
	}
	return nil
}

// memberKey names a transformation_members row (it has no key of its
// own: rows alike are alike in seal too).
func memberKey(xid, role, class string) string {
	return rowKey("transformation_id", xid) + ", " + rowKey("role", role) + ", " + rowKey("epc_class", class)
}

// sealMembers seals every transformation_members row as it stands
// (migration 0075; part of sealDerivedRows once the store has the column:
// a store at 0072–0074 has none yet, and 0075 seals it).
func sealMembers(ctx context.Context, tx *sql.Tx, d Dialect) error {
	if ok, err := hasColumn(ctx, tx, d, "transformation_members", "seal"); err != nil || !ok {
		return err
	}
	rows, err := tx.QueryContext(ctx, "SELECT transformation_id, role, epc_class, quantity, uom, seal FROM transformation_members")
	if err != nil {
		return fmt.Errorf("seal transformation_members: %w", err)
	}
	// Rows alike in every column may be many and have no key: the rows
	// are written again, each with its seal, when any seal differs.
	var all [][]any
	stale := false
	for rows.Next() {
		var xid, role, class, uom string
		var q sql.NullFloat64
		var old sql.NullString
		if err := rows.Scan(&xid, &role, &class, &q, &uom, &old); err != nil {
			rows.Close()
			return fmt.Errorf("seal transformation_members: %w", err)
		}
		seal := derivedSeal("transformation_members", xid, role, class, floatOrNil(q), uom)
		stale = stale || seal != old.String
		all = append(all, []any{xid, role, class, floatOrNil(q), uom, seal})
	}
	rows.Close()
	if err := rows.Err(); err != nil || !stale {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM transformation_members`); err != nil {
		return fmt.Errorf("seal transformation_members: %w", err)
	}
	stmt := `INSERT INTO transformation_members (transformation_id, role, epc_class, quantity, uom, seal) VALUES (?, ?, ?, ?, ?, ?)`
	if d.Dollar {
		stmt = Rebind(stmt)
	}
	for _, r := range all {
		if _, err := tx.ExecContext(ctx, stmt, r...); err != nil {
			return fmt.Errorf("seal transformation_members: %w", err)
		}
	}
	return nil
}

// update is a row's new seal and the row's key.
type update struct {
	seal string
	key  []any
}

// lotSeals are the seals of the lots rows as they stand that differ from
// the ones stored, each with its row's key (sealDerivedRows).
func lotSeals(ctx context.Context, tx *sql.Tx) ([]update, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+lotColumns+" FROM lots")
	if err != nil {
		return nil, fmt.Errorf("seal lots: %w", err)
	}
	defer rows.Close()
	var ups []update
	for rows.Next() {
		var r lotRow
		if err := rows.Scan(r.ptrs()...); err != nil {
			return nil, fmt.Errorf("seal lots: %w", err)
		}
		if seal := derivedSeal("lots", r.sealValues()...); seal != r.seal.String {
			ups = append(ups, update{seal, []any{r.l.ID}})
		}
	}
	return ups, rows.Err()
}

// sealMigration is the migration that added the seal columns;
// countMigration the one that added the counts a lots row's seal covers.
const (
	sealMigration    = 72
	countMigration   = 73
	memberMigration  = 75
	outLinkMigration = 76
	runMigration     = 77
)

func init() {
	goSteps[sealMigration] = sealDerivedRows
	goSteps[countMigration] = sealDerivedRows
	goSteps[memberMigration] = sealDerivedRows
	goSteps[outLinkMigration] = sealDerivedRows
	goSteps[runMigration] = sealDerivedRows
}

// countDerivedRows sets every lot's link_count, move_count and
// out_link_count to the lot_links rows into it, its lot_moves rows and
// the lot_links rows out of it as stored, where they differ (migrations
// 0073's and 0076's step, and every reseal of the rows as they
// stand: sealDerivedRows).
func countDerivedRows(ctx context.Context, tx *sql.Tx) error {
	const links = `(SELECT COUNT(*) FROM lot_links ll WHERE ll.child = lots.id)`
	const moves = `(SELECT COUNT(*) FROM lot_moves lm WHERE lm.lot = lots.id)`
	const outLinks = `(SELECT COUNT(*) FROM lot_links lo WHERE lo.parent = lots.id)`
	if _, err := tx.ExecContext(ctx, `UPDATE lots SET link_count = `+links+`, move_count = `+moves+`, out_link_count = `+outLinks+
		` WHERE link_count <> `+links+` OR move_count <> `+moves+` OR out_link_count <> `+outLinks); err != nil {
		return fmt.Errorf("count the derived rows of each lot: %w", err)
	}
	return nil
}

// hasColumn says whether table has column col.
func hasColumn(ctx context.Context, tx *sql.Tx, d Dialect, table, col string) (bool, error) {
	q := `SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ?`
	if d.Dollar {
		q = `SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`
	}
	var n int
	if err := tx.QueryRowContext(ctx, q, table, col).Scan(&n); err != nil {
		return false, fmt.Errorf("look for column %s.%s: %w", table, col, err)
	}
	return n > 0, nil
}

// resealAfterStep reseals the derived rows after the Go step of migration
// v ran, when the store has the seal columns (the step of 0072 itself
// seals): a Go step rewrites derived rows in ways no writer seals — lots,
// lot_links and lot_origin replaced by a replay's rows (replaceTable),
// canonical locations refreshed (BackfillIdentity) — whether it is an
// earlier migration run again (its row removed from schema_migrations) or
// a later one; without this every reader would refuse the rewritten rows.
// The rows are sealed as the step left them, as 0072 seals an older
// store's (verify still compares them with the events).
func resealAfterStep(ctx context.Context, tx *sql.Tx, d Dialect, v int) error {
	if v == sealMigration || v == countMigration || v == memberMigration || v == outLinkMigration || v == runMigration || goSteps[v] == nil && goStepsWithStore[v] == nil {
		return nil
	}
	q := `SELECT COUNT(*) FROM pragma_table_info('lots') WHERE name = 'seal'`
	if d.Dollar {
		q = `SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'lots' AND column_name = 'seal'`
	}
	var n int
	if err := tx.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return fmt.Errorf("look for the seal column: %w", err)
	}
	if n == 0 {
		return nil
	}
	return sealDerivedRows(ctx, tx, d)
}

// ResealDerived seals every derived row as it stands (sealDerivedRows),
// in one transaction: the state of a store an older critmin wrote and
// migration 0072 sealed on upgrade. Tests that model such a store call it
// after writing its rows; nothing else does (a reader refuses a row
// critmin did not write, and that is the point).
func (db *DB) ResealDerived(ctx context.Context) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := sealDerivedRows(ctx, tx, db.Dialect); err != nil {
		return err
	}
	return tx.Commit()
}
