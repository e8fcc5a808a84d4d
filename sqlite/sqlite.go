// Package sqlite opens critmin's embedded default store: a pure-Go SQLite
// database file (modernc.org/sqlite) in WAL mode, with one writer
// connection and a pool of readers. The SQL itself lives in sqldb.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/critmin/critmin/sqldb"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is SQLite's.
var Dialect = sqldb.Dialect{Name: "sqlite", ReservePKs: reservePKs, InsertOrFail: true}

// reservePKs hands out the keys after the largest stored one. It is safe
// because every write transaction begins IMMEDIATE on the one writer
// connection, and the ledger never deletes events, so keys only grow.
func reservePKs(ctx context.Context, tx *sql.Tx, n int) ([]int64, error) {
	var last int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(pk), 0) FROM events`).Scan(&last); err != nil {
		return nil, err
	}
	pks := make([]int64, n)
	for i := range pks {
		pks[i] = last + int64(i) + 1
	}
	return pks, nil
}

// WALCheckpointPages is the WAL size, in pages, at which the writer
// checkpoints it into the database file (PRAGMA wal_autocheckpoint): 64
// MiB of 4 KiB pages.
const WALCheckpointPages = 16384

// Open opens (creating if needed) the database file at path and migrates
// it. synchronous=FULL makes a committed capture survive a crash of the
// process or the machine; WAL lets readers run beside the one writer.
func Open(ctx context.Context, path string) (*sqldb.DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, fmt.Errorf("sqlite: create data directory: %w", err)
		}
	}
	// A new database file is created 0600 before SQLite opens it (SQLite
	// would create it 0644 and gives its -wal and -shm files the database
	// file's mode): it holds every company's records and the token hashes.
	// An empty file is an empty SQLite database.
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600); err == nil {
		err = seedNew(ctx, f)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
			return nil, fmt.Errorf("sqlite: create %s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrExist) {
		return nil, fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "foreign_keys(1)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	base := "file:" + path + "?" + q.Encode()
	// The one writer gets a 64 MiB page cache (SQLite's default is 2 MiB):
	// a capture updates some twenty B-tree indexes at scattered keys, and
	// on a large store the default cache re-reads their pages from the OS
	// on every statement.
	//
	// It checkpoints the WAL into the database file once the WAL holds
	// WALCheckpointPages pages rather than SQLite's default 1,000: a group
	// of captures rewrites more than 1,000 pages, so the default
	// checkpointed after nearly every commit, in the committing
	// connection while it holds the writer's turn, copying again the
	// index pages every commit rewrites. Commits are as durable as before
	// (synchronous=FULL syncs the WAL at each); the WAL only grows larger
	// (about 64 MiB) before it is copied back.
	write, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma="+url.QueryEscape("cache_size(-65536)")+
		"&_pragma="+url.QueryEscape(fmt.Sprintf("wal_autocheckpoint(%d)", WALCheckpointPages)))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	sub, _ := fs.Sub(migrations, "migrations")
	if err := sqldb.Migrate(ctx, write, Dialect, sub); err != nil {
		write.Close()
		return nil, err
	}
	read, err := sql.Open("sqlite", base+"&mode=ro")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open readers: %w", err)
	}
	// Readers: twice the CPUs (at least 4). Queries are CPU-bound in
	// SQLite's page cache, so more connections than that only add
	// contention; 200 clients queue for these in the pool. All stay open
	// (database/sql keeps 2 idle by default, so under load the others were
	// closed and reopened — schema read again, statements prepared again —
	// on every burst).
	nread := max(4, runtime.NumCPU()*2)
	read.SetMaxOpenConns(nread)
	read.SetMaxIdleConns(nread)
	db := sqldb.New(write, read, Dialect)
	db.Scratch = OpenScratch
	db.Migrations = sub
	if err := db.SyncLog(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.ApplyStoredDeclarations(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// reuse is ReuseMigratedSchema's switch; template is the migrated empty
// database it seeds new files with, built once per process.
var (
	reuse    atomic.Bool
	template struct {
		once sync.Once
		b    []byte
		err  error
	}
)

// ReuseMigratedSchema, on, makes Open write into each database file it
// creates a copy of one empty database migrated once in this process,
// instead of running every migration on it again; Open then finds every
// migration applied and goes on as always (log sync, declarations). It is
// a seam for test binaries, whose TestMain turns it on: they open
// hundreds of stores, and under the race detector the pure-Go SQLite
// parsing some sixty migrations was a quarter of their time. The copy is
// the same schema the migrations make (TestReuseMigratedSchemaSameSchema);
// only schema_migrations.applied_at is the template's. critmin itself
// never turns it on. It returns the setting it replaced.
func ReuseMigratedSchema(on bool) (was bool) { return reuse.Swap(on) }

// seedNew writes the migrated template into f, a file Open has just
// created empty, when ReuseMigratedSchema is on.
func seedNew(ctx context.Context, f *os.File) error {
	if !reuse.Load() {
		return nil
	}
	template.once.Do(func() { template.b, template.err = migratedTemplate(ctx) })
	if template.err != nil {
		return template.err
	}
	_, err := f.Write(template.b)
	return err
}

// migratedTemplate is the bytes of an empty database file in WAL mode
// with every migration applied, checkpointed so the file holds it all.
func migratedTemplate(ctx context.Context) ([]byte, error) {
	dir, err := os.MkdirTemp("", "critmin-template-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "template.db")
	conn, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)")
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	sub, _ := fs.Sub(migrations, "migrations")
	err = sqldb.Migrate(ctx, conn, Dialect, sub)
	if err == nil {
		_, err = conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	if cerr := conn.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrated template: %w", err)
	}
	return os.ReadFile(path)
}

// OpenScratch opens an empty store in a temporary file for verify to
// rebuild into: one connection, no journal and no fsync, since it is
// thrown away. close closes and removes it. Its pages are 64 KiB
// (SQLite's largest) instead of 4 KiB: the replay appends rows and
// reads each table once in key order, and with sixteen times fewer
// pages its inserts split and allocate fewer pages and its reads step
// through fewer (docs/benchmarks.md, 5 December: the replay's CPU
// −25 %, the read-back −50 %). The page cache keeps its size in bytes.
func OpenScratch(ctx context.Context) (db *sqldb.DB, close func() error, err error) {
	dir, err := os.MkdirTemp("", "critmin-verify-")
	if err != nil {
		return nil, nil, fmt.Errorf("sqlite: scratch: %w", err)
	}
	path := filepath.Join(dir, "rebuild.db")
	q := url.Values{}
	for _, p := range []string{"page_size(65536)", "journal_mode(OFF)", "synchronous(OFF)", "temp_store(MEMORY)", "cache_size(-262144)", "locking_mode(EXCLUSIVE)"} {
		q.Add("_pragma", p)
	}
	conn, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		os.RemoveAll(dir)
		return nil, nil, fmt.Errorf("sqlite: scratch: %w", err)
	}
	conn.SetMaxOpenConns(1)
	sub, _ := fs.Sub(migrations, "migrations")
	if err := sqldb.Migrate(ctx, conn, Dialect, sub); err != nil {
		conn.Close()
		os.RemoveAll(dir)
		return nil, nil, err
	}
	// Indexes that serve only queries are dropped: a rebuild writes every
	// row and reads each table once in key order, and capture's own look-
	// ups (event ids, lots, transformations, links) keep theirs.
	for _, ix := range []string{"events_event_time", "events_record_time", "events_biz_location", "events_read_point", "events_biz_step", "events_disposition",
		"events_event_type", "event_epcs_epc", "event_quantities_class", "event_attrs_value", "lots_last", "lots_commodity",
		"events_read_point_canon", "events_biz_location_canon", "lots_location_canon",
		// Capture looks event ids up with their declaration flag, through the
		// partial indexes events_event_id and events_declared; the plain
		// one serves only FindEventsByID, which a rebuild never calls.
		"events_event_id_any"} {
		if _, err := conn.ExecContext(ctx, "DROP INDEX IF EXISTS "+ix); err != nil {
			conn.Close()
			os.RemoveAll(dir)
			return nil, nil, fmt.Errorf("sqlite: scratch: %w", err)
		}
	}
	// The replayed projection looks up the edges of transformation runs
	// through the indexes of migration 0020 (events_transformation_id,
	// lot_links_event_id), which the scratch store keeps.
	db = sqldb.New(conn, conn, Dialect)
	return db, func() error {
		err := db.Close()
		if e := os.RemoveAll(dir); err == nil {
			err = e
		}
		return err
	}, nil
}

// OpenExisting opens the critmin database at path, which must exist and
// hold critmin's schema at this binary's migrations (sqldb.CheckSchema,
// read on a read-only connection, so a wrong file is refused untouched).
// readOnly opens only read-only connections (mode=ro) and skips the log
// sync and declaration backfill that Open runs, so the command cannot
// write at all; otherwise it is Open, on a database known to be current.
func OpenExisting(ctx context.Context, path string, readOnly bool) (*sqldb.DB, error) {
	sub, _ := fs.Sub(migrations, "migrations")
	check, err := openReadOnly(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	err = sqldb.CheckSchema(ctx, check, Dialect, sub, path)
	check.Close()
	if err != nil {
		return nil, err
	}
	if !readOnly {
		return Open(ctx, path)
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Add("mode", "ro")
	ro, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, runtime.NumCPU()*2)
	ro.SetMaxOpenConns(n)
	ro.SetMaxIdleConns(n)
	db := sqldb.New(ro, ro, Dialect)
	db.Scratch = OpenScratch
	db.Migrations = sub
	return db, nil
}

// A migration step that replays the log (migration 0052) replays it into
// the scratch store verify uses, on either backend.
func init() { sqldb.MigrationScratch = OpenScratch }
