package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

const certColumns = `id, lot, evidence, signer, body, issued_us, revoked_us, revoked_reason`

func scanCert(row interface{ Scan(...any) error }) (*custody.StoredCertificate, error) {
	var c custody.StoredCertificate
	var issued int64
	var revoked sql.NullInt64
	if err := row.Scan(&c.ID, &c.Lot, &c.Evidence, &c.Signer, &c.Body, &issued, &revoked, &c.RevokedReason); err != nil {
		return nil, err
	}
	c.IssuedAt = fromMicros(issued)
	if revoked.Valid {
		t := fromMicros(revoked.Int64)
		c.RevokedAt = &t
	}
	return &c, nil
}

// SaveCertificate stores an issued certificate.
func (db *DB) SaveCertificate(ctx context.Context, c *custody.StoredCertificate) error {
	err := db.attestWrite(ctx, "certificates", func(tx *sql.Tx) error {
		// Revocation is permanent per id: an id the audit chain records
		// as revoked is never issued again (a reissue takes a new id).
		var revoked int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM audit_log WHERE action = ? AND subject = ?`), critmin.AuditCertRevoke, c.ID).Scan(&revoked); err != nil {
			return err
		}
		if revoked > 0 {
			var n int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM certificates WHERE id = ?`), c.ID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return critmin.Errorf(critmin.ECONFLICT, "certificate %s was revoked (audit chain) and its row is gone: a revoked id is never issued again (critmin verify)", c.ID)
			}
		}
		_, err := tx.ExecContext(ctx, db.q(`INSERT INTO certificates (`+certColumns+`) VALUES (?, ?, ?, ?, ?, ?, NULL, '') ON CONFLICT (id) DO NOTHING`),
			c.ID, c.Lot, c.Evidence, c.Signer, c.Body, micros(c.IssuedAt))
		return err
	}, c.ID)
	if err != nil {
		return fmt.Errorf("%s: save certificate: %w", db.Dialect.Name, err)
	}
	return nil
}

// FindCertificate returns a stored certificate by id; ENOTFOUND if none.
func (db *DB) FindCertificate(ctx context.Context, id string) (*custody.StoredCertificate, error) {
	c, err := scanCert(db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT `+certColumns+` FROM certificates WHERE id = ?`), id))
	if errors.Is(err, sql.ErrNoRows) {
		// A row the audit chain records (issued, perhaps revoked) and
		// no entry removes was deleted outside critmin: ECONFLICT, not
		// "unknown" — else a revoked certificate would stand again.
		if err := db.checkAttestedMissing(ctx, "certificates", id); err != nil {
			return nil, err
		}
	}
	if err != nil {
		return nil, notFound(err, "no certificate %q", id)
	}
	// A row edited outside critmin (a revocation undone, a body changed)
	// is refused, not answered from.
	if err := db.checkAttestedRow(ctx, "certificates", id); err != nil {
		return nil, err
	}
	return c, nil
}

// FindCertificateByEvidence returns the unrevoked certificate issued for
// a lot on the same evidence by the same signer; ENOTFOUND if none.
func (db *DB) FindCertificateByEvidence(ctx context.Context, lot, evidence, signer string) (*custody.StoredCertificate, error) {
	c, err := scanCert(db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT `+certColumns+` FROM certificates WHERE lot = ? AND evidence = ? AND signer = ? AND revoked_us IS NULL ORDER BY issued_us LIMIT 1`), lot, evidence, signer))
	if err != nil {
		return nil, notFound(err, "no certificate for %q on this evidence", lot)
	}
	if err := db.checkAttestedRow(ctx, "certificates", c.ID); err != nil {
		return nil, err
	}
	return c, nil
}

// RevokedOnEvidence counts the revoked certificates issued for a lot on
// the same evidence by the same signer.
func (db *DB) RevokedOnEvidence(ctx context.Context, lot, evidence, signer string) (int, error) {
	var n int
	if err := db.consistent(ctx).QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM certificates WHERE lot = ? AND evidence = ? AND signer = ? AND revoked_us IS NOT NULL`), lot, evidence, signer).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: count revoked certificates: %w", db.Dialect.Name, err)
	}
	return n, nil
}

// RevokeCertificate marks a certificate revoked and records it in the
// audit chain, in one transaction. ENOTFOUND for an unknown id; ECONFLICT
// if it is already revoked.
func (db *DB) RevokeCertificate(ctx context.Context, id, reason, by string, at time.Time) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	var revoked sql.NullInt64
	if err := tx.QueryRowContext(ctx, db.q(`SELECT revoked_us FROM certificates WHERE id = ?`), id).Scan(&revoked); err != nil {
		return notFound(err, "no certificate %q", id)
	}
	if revoked.Valid {
		return critmin.Errorf(critmin.ECONFLICT, "certificate %q is already revoked", id)
	}
	if err := db.guardAttested(ctx, tx, "certificates", id); err != nil {
		return err
	}
	at = fromMicros(micros(at))
	if _, err := tx.ExecContext(ctx, db.q(`UPDATE certificates SET revoked_us = ?, revoked_reason = ? WHERE id = ?`), micros(at), reason, id); err != nil {
		return fmt.Errorf("%s: revoke certificate: %w", db.Dialect.Name, err)
	}
	if err := db.appendAuditTx(ctx, tx, &critmin.AuditEntry{At: at, Action: critmin.AuditCertRevoke, Subject: id, Detail: by + ": " + reason}); err != nil {
		return err
	}
	if err := db.attest(ctx, tx, "certificates", id); err != nil {
		return err
	}
	return tx.Commit()
}

// Revocations lists revoked certificates, oldest revocation first. The
// list must be the revocations the audit chain records
// (critmin.AuditCertRevoke): a revocation undone or made in the table
// outside critmin is ECONFLICT, naming the certificate, not a list
// without it.
func (db *DB) Revocations(ctx context.Context) ([]custody.Revocation, error) {
	out, err := db.revocations(ctx)
	if err != nil {
		return nil, err
	}
	type rev struct {
		at     int64
		detail string
	}
	chained := map[string]rev{}
	rows, err := db.consistent(ctx).QueryContext(ctx, db.q(`SELECT subject, at_us, detail FROM audit_log WHERE action = ?`), critmin.AuditCertRevoke)
	if err != nil {
		return nil, fmt.Errorf("%s: revocations in the audit chain: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r rev
		if err := rows.Scan(&id, &r.at, &r.detail); err != nil {
			return nil, err
		}
		chained[id] = r
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, r := range out {
		c, ok := chained[r.ID]
		switch {
		case !ok:
			return nil, critmin.Errorf(critmin.ECONFLICT, "certificate %s is revoked in the certificates table but no audit entry records its revocation: the table was edited outside critmin (critmin verify)", r.ID)
		case c.at != micros(r.At) || !strings.HasSuffix(c.detail, ": "+r.Reason):
			return nil, critmin.Errorf(critmin.ECONFLICT, "the revocation of certificate %s differs from its audit entry: the table was edited outside critmin (critmin verify)", r.ID)
		}
		delete(chained, r.ID)
	}
	if len(chained) > 0 {
		ids := make([]string, 0, len(chained))
		for id := range chained {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		return nil, critmin.Errorf(critmin.ECONFLICT, "certificate %s was revoked (audit chain) but the certificates table no longer says so: the table was edited outside critmin (critmin verify)", ids[0])
	}
	return out, nil
}

// StandingCertificates returns every stored certificate not revoked,
// oldest first, each checked against its audit entry as FindCertificate
// checks it (a row edited outside critmin is ECONFLICT).
func (db *DB) StandingCertificates(ctx context.Context) ([]*custody.StoredCertificate, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT `+certColumns+` FROM certificates WHERE revoked_us IS NULL ORDER BY issued_us, id`)
	if err != nil {
		return nil, fmt.Errorf("%s: certificates: %w", db.Dialect.Name, err)
	}
	var out []*custody.StoredCertificate
	for rows.Next() {
		c, err := scanCert(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, c := range out {
		if err := db.checkAttestedRow(ctx, "certificates", c.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (db *DB) revocations(ctx context.Context) ([]custody.Revocation, error) {
	rows, err := db.consistent(ctx).QueryContext(ctx, `SELECT id, revoked_us, revoked_reason FROM certificates WHERE revoked_us IS NOT NULL ORDER BY revoked_us, id`)
	if err != nil {
		return nil, fmt.Errorf("%s: revocations: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	out := []custody.Revocation{}
	for rows.Next() {
		var r custody.Revocation
		var at int64
		if err := rows.Scan(&r.ID, &at, &r.Reason); err != nil {
			return nil, err
		}
		r.At = fromMicros(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ChainRecordsByEventID returns the chained records of the given events
// (declarations included), in chain order.
func (db *DB) ChainRecordsByEventID(ctx context.Context, ids []string) ([]*critmin.ChainRecord, error) {
	var out []*critmin.ChainRecord
	err := inChunks(ids, func(part []any) error {
		rows, err := db.reader(ctx).QueryContext(ctx, db.qDynamic(chainSelect+" WHERE e.event_id IN ("+placeholders(len(part))+")"), part...)
		if err != nil {
			return fmt.Errorf("%s: records by event id: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			r, err := scanChain(rows)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return rows.Err()
	})
	sortRecords(out)
	return out, err
}
