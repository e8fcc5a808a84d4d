package sqldb

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
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
	// so that no caller can skip it. The installation key is the one
	// pinned in the store by its first record; a key given to the
	// command that is not it is refused, whatever the command trusts.
	pin, err := db.pinnedKey(ctx, tx)
	if err != nil {
		return err
	}
	keys := db.periodKeys
	if pin != nil {
		keys = []ed25519.PublicKey{pin}
	}
	if err := refinery.CheckSigner(rec, keys); err != nil {
		if pin != nil && critmin.ErrorCode(err) == critmin.EINVALID && rec.KeyID != refinery.KeyID(pin) {
			return critmin.FieldErrorf("key", "key %.12s… is not this store's installation signing key %.12s… (pinned by its first period record): sign with the installation's key — if this store was restored from a backup, restore its signing.key too (docs/refinery.md §5 Backing up the signing key)", rec.KeyID, refinery.KeyID(pin))
		}
		return err
	}
	var pinEntry *critmin.AuditEntry
	if pin == nil {
		// The first signer pins the installation key (CheckSigner above:
		// one the binary holds). A store whose records predate pinning
		// pins the key it is now given; records signed by any other stay
		// foreign (refinery.VoidRecord).
		detail, _ := json.Marshal(map[string]string{"keyID": rec.KeyID})
		pinEntry = &critmin.AuditEntry{At: rec.At, Action: critmin.AuditRefineryKey, Subject: "installation signing key", Detail: string(detail)}
	}
	if rec.Action == critmin.PeriodVoid {
		target, err := scanPeriod(tx.QueryRowContext(ctx, db.q(`SELECT `+periodCols+` FROM refinery_periods WHERE hash = ? AND site = ? AND period = ?`), rec.Result, rec.Site, rec.Period))
		if errors.Is(err, sql.ErrNoRows) || (err == nil && target.Action == critmin.PeriodVoid) {
			return critmin.FieldErrorf("result", "a void names the hash of an earlier close or reopen of %s %s", rec.Site, rec.Period)
		}
		if err != nil {
			return fmt.Errorf("%s: read voided record: %w", db.Dialect.Name, err)
		}
		if refinery.CheckRecord(target) == nil && target.KeyID == rec.KeyID {
			// The signer of the void is the installation (checked
			// above): what it signed intact is reopened, never voided.
			return critmin.Errorf(critmin.ECONFLICT, "period record %d (%s %s %s) is signed by this installation's key and intact: it cannot be voided; reopen the period instead", target.Seq, target.Action, target.Site, target.Period)
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
	entries := []*critmin.AuditEntry{{At: rec.At, Action: critmin.AuditRefineryPeriod,
		Subject: rec.Site + " " + rec.Period, Detail: string(detail), LogSize: size}}
	if pinEntry != nil {
		pinEntry.LogSize = size
		entries = append([]*critmin.AuditEntry{pinEntry}, entries...)
	}
	if err := db.appendAuditTx(ctx, tx, entries...); err != nil {
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
	err := db.consistent(ctx).QueryRowContext(ctx, `SELECT hash FROM refinery_periods ORDER BY seq DESC LIMIT 1`).Scan(&h)
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
	rows, err := db.consistent(ctx).QueryContext(ctx, db.q(`SELECT `+periodCols+` FROM refinery_periods
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
	r, err := scanPeriod(db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT `+periodCols+` FROM refinery_periods
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

// PeriodKeys returns the installation key pinned in the store when
// there is one (every record must be signed by it), else the keys
// TrustPeriodKeys set.
func (db *DB) PeriodKeys() []ed25519.PublicKey {
	if pin, err := db.PinnedPeriodKey(context.Background()); err == nil && pin != nil {
		return []ed25519.PublicKey{pin}
	}
	return db.periodKeys
}

// ConfiguredPeriodKeys returns the keys TrustPeriodKeys set (the key
// the binary holds), whatever the store pins.
func (db *DB) ConfiguredPeriodKeys() []ed25519.PublicKey { return db.periodKeys }

// PinnedPeriodKey returns the installation key pinned in the store
// (critmin.AuditRefineryKey), nil when none is.
func (db *DB) PinnedPeriodKey(ctx context.Context) (ed25519.PublicKey, error) {
	return db.pinnedKey(ctx, db.consistent(ctx))
}

func (db *DB) pinnedKey(ctx context.Context, q querier) (ed25519.PublicKey, error) {
	var detail string
	err := q.QueryRowContext(ctx, db.q(`SELECT detail FROM audit_log WHERE action = ? ORDER BY seq LIMIT 1`), critmin.AuditRefineryKey).Scan(&detail)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("%s: pinned signing key: %w", db.Dialect.Name, err)
	}
	var d struct {
		KeyID string `json:"keyID"`
	}
	if err := json.Unmarshal([]byte(detail), &d); err != nil {
		return nil, fmt.Errorf("%s: pinned signing key: %w", db.Dialect.Name, err)
	}
	k, err := base64.StdEncoding.DecodeString(d.KeyID)
	if err != nil || len(k) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%s: pinned signing key %q is not an Ed25519 public key", db.Dialect.Name, d.KeyID)
	}
	return ed25519.PublicKey(k), nil
}
