// Package postgres opens critmin's shared-deployment store on PostgreSQL
// through pgx's database/sql driver. The SQL itself lives in sqldb.
package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is PostgreSQL's.
var Dialect = sqldb.Dialect{Name: "postgres", Dollar: true, ReservePKs: reservePKs, LockCapture: `SELECT pg_advisory_xact_lock(7302)`, LockTrade: `SELECT pg_advisory_xact_lock(7313)`,
	LockPlanJobs: `SELECT pg_advisory_xact_lock(7360)`}

// reservePKs draws n values from the events' key sequence in one round
// trip. Concurrent writers may interleave, so the values are read back
// rather than assumed contiguous.
func reservePKs(ctx context.Context, tx *sql.Tx, n int) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence('events', 'pk')) FROM generate_series(1, $1) ORDER BY 1`, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	pks := make([]int64, 0, n)
	for rows.Next() {
		var pk int64
		if err := rows.Scan(&pk); err != nil {
			return nil, err
		}
		pks = append(pks, pk)
	}
	return pks, rows.Err()
}

// Open connects to dsn and migrates the database.
func Open(ctx context.Context, dsn string) (*sqldb.DB, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	db.SetMaxOpenConns(16)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	sub, _ := fs.Sub(migrations, "migrations")
	// Concurrent starters serialise on an advisory lock so that one
	// migrates and the others see the result.
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7301)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: migration lock: %w", err)
	}
	err = sqldb.Migrate(ctx, db, Dialect, sub)
	_, _ = conn.ExecContext(ctx, `SELECT pg_advisory_unlock(7301)`)
	if err != nil {
		db.Close()
		return nil, err
	}
	store := sqldb.New(db, db, Dialect)
	store.Scratch = sqlite.OpenScratch
	store.Migrations = sub
	useSnapshots(store, dsn)
	if err := store.SyncLog(ctx); err != nil {
		store.Close()
		return nil, err
	}
	if err := store.ApplyStoredDeclarations(ctx); err != nil {
		store.Close()
		return nil, err
	}
	return store, nil
}

// CreateDatabase creates a uniquely named empty database on the server of
// adminDSN (tests and benchmarks use it) and returns its DSN and a function
// that drops it.
func CreateDatabase(ctx context.Context, adminDSN, prefix string) (dsn string, drop func() error, err error) {
	admin, err := sql.Open("pgx", adminDSN)
	if err != nil {
		return "", nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := admin.PingContext(pctx); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("postgres at %s does not answer: %w", redact(adminDSN), err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := prefix + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("postgres: create database: %w", err)
	}
	drop = func() error {
		defer admin.Close()
		_, err := admin.ExecContext(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		return err
	}
	u, err := url.Parse(adminDSN)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// readOnlyDSN is dsn (a URL or a key=value DSN) with
// default_transaction_read_only=on, which pgx sends as a run-time
// parameter so that every transaction on the connection is read-only.
func readOnlyDSN(dsn string) (string, error) {
	if _, err := ParseDB(dsn); err != nil {
		return "", err
	}
	if !strings.Contains(dsn, "://") {
		return strings.TrimSpace(dsn) + " default_transaction_read_only=on", nil
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", errors.New("--db: the postgres:// URL does not parse")
	}
	q := u.Query()
	q.Set("default_transaction_read_only", "on")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// redact is RedactDSN, the one way a DSN is printed or wrapped in an error.
func redact(dsn string) string { return RedactDSN(dsn) }

// secretParams are the DSN parameters whose values are secrets: libpq's
// and pgx's password and the TLS client key's passphrase.
var secretParams = map[string]bool{"password": true, "sslpassword": true}

// kvSecret matches a secret in a key=value DSN ("host=… password=s3cret"):
// a single-quoted value (with \' escapes) or a run of non-spaces.
var kvSecret = regexp.MustCompile(`(?i)\b(password|sslpassword)(\s*=\s*)('(?:[^'\\]|\\.)*'?|\S*)`)

// RedactDSN returns dsn fit to print in a message, error or log: a URL's
// userinfo password and its password and sslpassword query parameters,
// and the same keys of a key=value DSN, become xxxxx. A SQLite path is
// returned unchanged; a URL that does not parse is not printed at all.
func RedactDSN(dsn string) string {
	if !strings.Contains(dsn, "://") {
		if strings.Contains(dsn, "=") {
			return kvSecret.ReplaceAllString(dsn, "${1}${2}xxxxx")
		}
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable DSN)"
	}
	if u.RawQuery != "" {
		parts := strings.Split(u.RawQuery, "&")
		for i, part := range parts {
			k, _, _ := strings.Cut(part, "=")
			if uk, err := url.QueryUnescape(k); err == nil {
				k = uk
			}
			if secretParams[strings.ToLower(k)] {
				parts[i] = k + "=xxxxx"
			}
		}
		u.RawQuery = strings.Join(parts, "&")
	}
	return u.Redacted()
}

// OpenWithReplica opens the primary at dsn (migrating it) for writes and
// a read pool on readDSN, a streaming replica (PostgreSQL "hot standby"),
// for queries. Reads then see the primary's commits after the replica's
// replay lag; a replica that does not answer is an error at start-up, not
// a silent fallback to the primary. readDSN must be a standby of dsn's
// cluster — pg_is_in_recovery() true, the same system identifier
// (pg_control_system(), PostgreSQL manual §9.27.10) and the same database
// name — or it is refused: reads from an unrelated database would answer
// with other data and never see the writes.
func OpenWithReplica(ctx context.Context, dsn, readDSN string) (*sqldb.DB, error) {
	return OpenWithReadPool(ctx, dsn, readDSN, true)
}

// OpenWithReadPool is OpenWithReplica with the standby check optional:
// requireStandby false accepts any database with the schema as the read
// pool (tests standing a second database in for a replica).
func OpenWithReadPool(ctx context.Context, dsn, readDSN string, requireStandby bool) (*sqldb.DB, error) {
	store, err := Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if readDSN == "" || (readDSN == dsn && !requireStandby) {
		return store, nil
	}
	read, err := sql.Open("pgx", readDSN)
	if err != nil {
		store.Close()
		return nil, fmt.Errorf("postgres: open read replica: %w", err)
	}
	read.SetMaxOpenConns(16)
	if err := read.PingContext(ctx); err != nil {
		read.Close()
		store.Close()
		return nil, fmt.Errorf("postgres: connect to read replica %s: %w", redact(readDSN), err)
	}
	if requireStandby {
		if err := checkStandby(ctx, store.Write, read, readDSN); err != nil {
			read.Close()
			store.Close()
			return nil, err
		}
	}
	store.UseReadPool(read)
	useSnapshots(store, readDSN)
	return store, nil
}

// checkStandby refuses a read pool that is not a hot standby of the
// primary's cluster, on the primary's database.
func checkStandby(ctx context.Context, primary, read *sql.DB, readDSN string) error {
	const q = `SELECT pg_is_in_recovery(), (SELECT system_identifier FROM pg_control_system()), current_database()`
	var pRec, rRec bool
	var pID, rID int64
	var pDB, rDB string
	if err := primary.QueryRowContext(ctx, q).Scan(&pRec, &pID, &pDB); err != nil {
		return fmt.Errorf("postgres: --db-read check on the primary: %w", err)
	}
	if err := read.QueryRowContext(ctx, q).Scan(&rRec, &rID, &rDB); err != nil {
		return fmt.Errorf("postgres: --db-read check on %s: %w", redact(readDSN), err)
	}
	switch {
	case !rRec:
		return fmt.Errorf("postgres: --db-read %s is not a standby (pg_is_in_recovery() is false): give a streaming replica of --db", redact(readDSN))
	case rID != pID:
		return fmt.Errorf("postgres: --db-read %s is a standby of another cluster (system identifier %d, --db's is %d)", redact(readDSN), rID, pID)
	case rDB != pDB:
		return fmt.Errorf("postgres: --db-read %s names database %q, --db names %q", redact(readDSN), rDB, pDB)
	}
	return nil
}

// IsMissingDatabase reports whether err is PostgreSQL's "database does not
// exist" (SQLSTATE 3D000), at connection or in a statement.
func IsMissingDatabase(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "3D000"
}

// OpenExisting connects to dsn, whose database must hold critmin's schema
// at this binary's migrations (sqldb.CheckSchema; nothing is created or
// migrated). readOnly makes every session read-only
// (default_transaction_read_only) and skips the log sync and declaration
// backfill that Open runs; otherwise it is Open on a current database.
func OpenExisting(ctx context.Context, dsn string, readOnly bool) (*sqldb.DB, error) {
	roDSN, err := readOnlyDSN(dsn)
	if err != nil {
		return nil, err
	}
	ro, err := sql.Open("pgx", roDSN)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	ro.SetMaxOpenConns(16)
	if err := ro.PingContext(ctx); err != nil {
		ro.Close()
		return nil, fmt.Errorf("postgres: connect to %s: %w", redact(dsn), err)
	}
	sub, _ := fs.Sub(migrations, "migrations")
	if err := sqldb.CheckSchema(ctx, ro, Dialect, sub, redact(dsn)); err != nil {
		ro.Close()
		return nil, err
	}
	if !readOnly {
		ro.Close()
		return Open(ctx, dsn)
	}
	store := sqldb.New(ro, ro, Dialect)
	store.Scratch = sqlite.OpenScratch
	store.Migrations = sub
	useSnapshots(store, roDSN)
	return store, nil
}
