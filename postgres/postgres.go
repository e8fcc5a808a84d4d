// Package postgres opens critmin's shared-deployment store on PostgreSQL
// through pgx's database/sql driver. The SQL itself lives in sqldb.
package postgres

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is PostgreSQL's.
var Dialect = sqldb.Dialect{Name: "postgres", Dollar: true, ReservePKs: reservePKs, LockCapture: `SELECT pg_advisory_xact_lock(7302)`}

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

// IsDSN reports whether a --db value names a PostgreSQL database.
func IsDSN(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
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

// redact hides a password in a DSN before it is printed.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "(unparseable DSN)"
	}
	return u.Redacted()
}

// OpenWithReplica opens the primary at dsn (migrating it) for writes and
// a read pool on readDSN, typically a streaming replica (PostgreSQL
// "hot standby"), for queries. Reads then see the primary's commits after
// the replica's replay lag; a replica that does not answer is an error at
// start-up, not a silent fallback to the primary.
func OpenWithReplica(ctx context.Context, dsn, readDSN string) (*sqldb.DB, error) {
	store, err := Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if readDSN == "" || readDSN == dsn {
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
	store.Read = read
	return store, nil
}
