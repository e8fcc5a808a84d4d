package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/critmin/critmin"
)

// SaveMassBalanceAfter runs check and then stores d as its site's next
// version, in one critical section with captures: the write transaction
// and capture lock are taken first (this process's capture queue, then
// SQLite's single writer — BEGIN IMMEDIATE — or PostgreSQL's advisory
// capture lock), so no capture can commit a claim between what check
// reads (through the read pool) and the save. check may change d (its
// site spelling, its effective date); an error from it stores nothing.
func (db *DB) SaveMassBalanceAfter(ctx context.Context, d *critmin.MassBalanceDeclaration, check func(context.Context) error) error {
	db.lockWriter()
	defer db.captureMu.Unlock()
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s: begin declaration: %w", db.Dialect.Name, err)
	}
	defer func() { _ = tx.Rollback() }()
	if db.Dialect.LockCapture != "" {
		if _, err := tx.ExecContext(ctx, db.Dialect.LockCapture); err != nil {
			return fmt.Errorf("%s: capture lock: %w", db.Dialect.Name, err)
		}
	}
	if err := check(ctx); err != nil {
		return err
	}
	var last sql.NullInt64
	if err := tx.QueryRowContext(ctx, db.q(`SELECT MAX(version) FROM mass_balance_versions WHERE site = ?`), canon(d.Site)).Scan(&last); err != nil {
		return fmt.Errorf("%s: mass-balance declaration version: %w", db.Dialect.Name, err)
	}
	v := *d
	v.Version = int(last.Int64) + 1
	body, err := json.Marshal(&v)
	if err != nil {
		return fmt.Errorf("%s: encode mass-balance declaration: %w", db.Dialect.Name, err)
	}
	if err := db.guardAttested(ctx, tx, "mass_balance_versions", canon(d.Site), v.Version); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO mass_balance_versions (site, version, declared_us, body) VALUES (?, ?, ?, ?)`),
		canon(d.Site), v.Version, micros(d.DeclaredAt), string(body)); err != nil {
		return fmt.Errorf("%s: save mass-balance declaration: %w", db.Dialect.Name, err)
	}
	if err := db.attest(ctx, tx, "mass_balance_versions", canon(d.Site), v.Version); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit declaration: %w", db.Dialect.Name, err)
	}
	d.Version = v.Version
	return nil
}

// UseReadPool sends the store's queries to read, a pool on a streaming
// replica (postgres.OpenWithReadPool), keeping a view that reads the
// primary for ConsistentReads.
func (db *DB) UseReadPool(read *sql.DB) {
	p := New(db.Write, db.Write, db.Dialect)
	p.Now, p.Scratch, p.Migrations = db.Now, db.Scratch, db.Migrations
	db.primary = p
	db.Read = read
}

// ConsistentReads is the store that checks deciding a write read through:
// itself, or — when its read pool is a replica, which shows the primary's
// commits only after its replay lag — a view of the same store that reads
// the primary. The capture-time claim and consumption checks and the
// mass-balance declaration checks run after the capture lock is taken and
// must see every capture committed before it (custody.CaptureClaimCheck).
func (db *DB) ConsistentReads() critmin.Store {
	if db.primary != nil {
		return db.primary
	}
	return db
}

// consistent is where a read goes whose answer must reflect every write
// acknowledged before it, by any server of the store: the primary when
// the read pool is a replica (UseReadPool), which shows a commit only
// after its replay lag, else reader. It serves
//
//   - security: token and session look-ups (a token revoked or a
//     session ended must be refused at once, and a token just created
//     accepted), the token list, server and signing keys, certificate
//     revocations (the signed revocation list is dated now);
//   - read-your-writes: the look-up by ID of what a write just returned
//     (a Location header or a redirect) — capture and plan jobs, named
//     queries and subscriptions, certificates, invoices and trade
//     documents with their payments and declarations, import mappings,
//     events by eventID, a lot, a refinery period — so that it never
//     answers 404 for what the same client was just told exists;
//   - reads that decide a write: the period chain's head, due
//     subscriptions and notifications, lapsed plan jobs.
//
// Everything else — event queries, lists, lot graphs, statistics, the
// log and verify's scans — reads the replica (docs/security.md).
func (db *DB) consistent(ctx context.Context) querier {
	if db.primary != nil {
		return db.primary.reader(ctx)
	}
	return db.reader(ctx)
}
