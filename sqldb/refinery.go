package sqldb

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// AppendPeriodRecord stores the next record of the refinery period chain.
func (db *DB) AppendPeriodRecord(ctx context.Context, rec *critmin.PeriodRecord) error {
	if rec.Action != critmin.PeriodClose && rec.Action != critmin.PeriodReopen && rec.Action != critmin.PeriodVoid {
		return critmin.FieldErrorf("action", "must be close, reopen or void, not %q", rec.Action)
	}
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: append period record: %w", db.Dialect.Name, err)
	}
	defer func() { _ = tx.Rollback() }()
	if db.Dialect.Dollar {
		// One writer at a time on PostgreSQL too, so that the chain's head
		// is read and extended atomically.
		if _, err := tx.ExecContext(ctx, `LOCK TABLE refinery_periods IN EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("%s: lock refinery_periods: %w", db.Dialect.Name, err)
		}
	}
	var head string
	err = tx.QueryRowContext(ctx, `SELECT hash FROM refinery_periods ORDER BY seq DESC LIMIT 1`).Scan(&head)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: read period chain head: %w", db.Dialect.Name, err)
	}
	if rec.Prev != head {
		return critmin.Errorf(critmin.ECONFLICT, "the period chain moved on (another close or reopen was recorded first); try again")
	}
	// Every writer's record is signed by the installation's key, which
	// must be known (refinery.CheckSigner): checked here, in the store,
	// so that no caller can skip it.
	if err := refinery.CheckSigner(rec, db.periodKeys); err != nil {
		return err
	}
	if rec.Action == critmin.PeriodVoid {
		var target string
		err = tx.QueryRowContext(ctx, db.q(`SELECT action FROM refinery_periods WHERE hash = ? AND site = ? AND period = ?`), rec.Result, rec.Site, rec.Period).Scan(&target)
		if errors.Is(err, sql.ErrNoRows) || target == critmin.PeriodVoid {
			return critmin.FieldErrorf("result", "a void names the hash of an earlier close or reopen of %s %s", rec.Site, rec.Period)
		}
		if err != nil {
			return fmt.Errorf("%s: read voided record: %w", db.Dialect.Name, err)
		}
	}
	// The period's state is its last record that is neither a void nor
	// voided.
	var last string
	err = tx.QueryRowContext(ctx, db.q(`SELECT action FROM refinery_periods WHERE site = ? AND period = ? AND action <> ?
		AND hash NOT IN (SELECT result FROM refinery_periods WHERE action = ?) ORDER BY seq DESC LIMIT 1`), rec.Site, rec.Period, critmin.PeriodVoid, critmin.PeriodVoid).Scan(&last)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: read period state: %w", db.Dialect.Name, err)
	}
	switch {
	case rec.Action == critmin.PeriodClose && last == critmin.PeriodClose:
		return critmin.Errorf(critmin.ECONFLICT, "period %s of %s is already closed; reopen it first", rec.Period, rec.Site)
	case rec.Action == critmin.PeriodReopen && last != critmin.PeriodClose:
		return critmin.Errorf(critmin.ECONFLICT, "period %s of %s is not closed", rec.Period, rec.Site)
	}
	err = tx.QueryRowContext(ctx, db.q(`INSERT INTO refinery_periods (site, period, action, actor, role, reason, at_us, problem, result, prev, hash, key_id, signature)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq`),
		rec.Site, rec.Period, rec.Action, rec.Actor, rec.Role, rec.Reason, micros(rec.At), rec.Problem, rec.Result, rec.Prev, rec.Hash, rec.KeyID, rec.Signature).Scan(&rec.Seq)
	if err != nil {
		return fmt.Errorf("%s: append period record: %w", db.Dialect.Name, err)
	}
	// The anchor, in the same transaction: the audit chain is what the
	// signed checkpoints cover, so a record deleted from the end of the
	// period chain still has its anchor (docs/verify.md).
	var size int64
	err = tx.QueryRowContext(ctx, `SELECT size FROM log_tree WHERE id = 1`).Scan(&size)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: log size: %w", db.Dialect.Name, err)
	}
	detail, err := json.Marshal(refinery.AnchorOf(rec))
	if err != nil {
		return err
	}
	if err := db.appendAuditTx(ctx, tx, &critmin.AuditEntry{At: rec.At, Action: critmin.AuditRefineryPeriod,
		Subject: rec.Site + " " + rec.Period, Detail: string(detail), LogSize: size}); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: append period record: %w", db.Dialect.Name, err)
	}
	return nil
}

// LastPeriodHash returns the hash of the period chain's last record.
func (db *DB) LastPeriodHash(ctx context.Context) (string, error) {
	var h string
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT hash FROM refinery_periods ORDER BY seq DESC LIMIT 1`).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("%s: read period chain head: %w", db.Dialect.Name, err)
	}
	return h, nil
}

const periodCols = `seq, site, period, action, actor, role, reason, at_us, problem, result, prev, hash, key_id, signature`

func scanPeriod(row interface{ Scan(...any) error }) (*critmin.PeriodRecord, error) {
	var r critmin.PeriodRecord
	var at int64
	if err := row.Scan(&r.Seq, &r.Site, &r.Period, &r.Action, &r.Actor, &r.Role, &r.Reason, &at, &r.Problem, &r.Result, &r.Prev, &r.Hash, &r.KeyID, &r.Signature); err != nil {
		return nil, err
	}
	r.At = fromMicros(at)
	return &r, nil
}

// PeriodRecords returns the audit trail of a site and period, oldest first.
func (db *DB) PeriodRecords(ctx context.Context, site, period string) ([]*critmin.PeriodRecord, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(`SELECT `+periodCols+` FROM refinery_periods
		WHERE (? = '' OR site = ?) AND (? = '' OR period = ?) ORDER BY seq`), site, site, period, period)
	if err != nil {
		return nil, fmt.Errorf("%s: period records: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.PeriodRecord
	for rows.Next() {
		r, err := scanPeriod(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: period records: %w", db.Dialect.Name, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ClosedPeriod returns the close record of a period closed now.
func (db *DB) ClosedPeriod(ctx context.Context, site, period string) (*critmin.PeriodRecord, error) {
	r, err := scanPeriod(db.reader(ctx).QueryRowContext(ctx, db.q(`SELECT `+periodCols+` FROM refinery_periods
		WHERE site = ? AND period = ? AND action <> ? AND hash NOT IN (SELECT result FROM refinery_periods WHERE action = ?)
		ORDER BY seq DESC LIMIT 1`), site, period, critmin.PeriodVoid, critmin.PeriodVoid))
	if err != nil {
		return nil, notFound(err, "period %s of %s was never closed", period, site)
	}
	if r.Action != critmin.PeriodClose {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "period %s of %s is open (reopened at %s)", period, site, r.At.Format("2006-01-02 15:04"))
	}
	return r, nil
}

// PeriodAnchors returns the audit entries that anchor the period
// records (critmin.AuditRefineryPeriod), in audit order.
func (db *DB) PeriodAnchors(ctx context.Context) ([]*critmin.AuditEntry, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(`SELECT seq, at_us, action, subject, detail, capture_id, log_size, prev, hash FROM audit_log WHERE action = ? ORDER BY seq`), critmin.AuditRefineryPeriod)
	if err != nil {
		return nil, fmt.Errorf("%s: period anchors: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.AuditEntry
	for rows.Next() {
		var e critmin.AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Action, &e.Subject, &e.Detail, &e.CaptureID, &e.LogSize, &e.Prev, &e.Hash); err != nil {
			return nil, fmt.Errorf("%s: period anchors: %w", db.Dialect.Name, err)
		}
		e.At = fromMicros(at)
		out = append(out, &e)
	}
	return out, rows.Err()
}

// TrustPeriodKeys sets the installation's public keys that may sign
// period records (PeriodKeys): the binary sets them from the signing key
// it holds, never from the database, which an intruder could write.
func (db *DB) TrustPeriodKeys(keys ...ed25519.PublicKey) {
	db.periodKeys = append([]ed25519.PublicKey(nil), keys...)
}

// PeriodKeys returns the keys TrustPeriodKeys set.
func (db *DB) PeriodKeys() []ed25519.PublicKey { return db.periodKeys }
