// Package sqldb implements the critmin store contract on database/sql. It
// holds the SQL both backends share; the sqlite and postgres packages open
// their driver, tune it, carry their own migrations and hand a Dialect to
// this package. Keeping one implementation means the one contract suite
// tests the same code paths on both databases.
package sqldb

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/critmin/critmin"
)

// Dialect captures what differs between SQLite and PostgreSQL.
type Dialect struct {
	Name string
	// Dollar is true for PostgreSQL's $1 placeholders; SQLite uses ?.
	Dollar bool
	// ReservePKs returns n fresh event primary keys, in increasing order,
	// inside a write transaction, so that events can be inserted many rows
	// per statement with their keys known in advance.
	ReservePKs func(ctx context.Context, tx *sql.Tx, n int) ([]int64, error)
	// LockCapture, when set, runs first in every capture transaction to
	// make captures one at a time: the lot projection is read, changed and
	// written back, which concurrent writers would otherwise overwrite.
	LockCapture string
	// LockTrade, when set, runs first in every Trade write transaction
	// (tradeTx) so that a check and the write it guards are not
	// interleaved with another server's; SQLite's one writer connection
	// (BEGIN IMMEDIATE) does this already.
	LockTrade string
	// LockPlanJobs, when set, runs first in StartPlanJob's transaction so
	// that counting running jobs and inserting one is not interleaved
	// with another server's start.
	LockPlanJobs string
	// InsertOrFail, when true, writes the many-row INSERTs of a capture
	// (execRows) as INSERT OR FAIL: SQLite then opens no statement journal
	// for them. Under the default ABORT a statement that could fail part
	// way through (a NOT NULL or UNIQUE constraint, a multi-row VALUES
	// list) copies every page it changes into the statement journal so
	// that its own changes can be undone alone; FAIL leaves them, and a
	// failed INSERT fails its capture, which is rolled back whole (to its
	// savepoint, or the group's transaction when it opened it: group.go),
	// so the journal bought nothing. A foreign key checked at the
	// statement (events.context_id) still journals that table's pages.
	InsertOrFail bool
}

// DB is a critmin store on database/sql. Writes go through Write (one
// connection on SQLite: a single writer), reads through Read (a pool).
type DB struct {
	Write   *sql.DB
	Read    *sql.DB
	Dialect Dialect
	// BeforeLotCheck, when set, is called with each lot a capture
	// projected, before the lot's tonnes are checked
	// (ledger.CheckLotBalance) and written: a test seam that stands for a
	// projection defect. nil in use.
	BeforeLotCheck func(*critmin.Lot)
	// Now is the clock used for records the store stamps itself.
	Now func() time.Time
	// Scratch opens an empty store to rebuild evidence into (verify,
	// certificates); the backends set it to a temporary SQLite store.
	Scratch func(ctx context.Context) (*DB, func() error, error)
	// Migrations are the backend's embedded migrations (NNNN_name.sql),
	// as Migrate reads them; tests use them to migrate an old store again.
	Migrations fs.FS
	// SortedRebuild makes verify hold and sort the rebuilt index rows
	// instead of streaming them, as it does by itself for a store whose
	// event keys do not rise with the chain; tests set it to check that
	// path.
	SortedRebuild bool
	// MaxSorted caps the matching events an orderBy on an extension
	// field sorts (0: MaxSortedEvents); tests lower it.
	MaxSorted int
	// PageBytes, when above 0, replaces MaxPageBytes (the stored event
	// text one page of a query reads).
	PageBytes int
	// ProjectUnit, when above 0, replaces ProjectEvery (the stored events
	// of a capture settled at a time); tests lower it with the ledger's
	// batch (ledger.Service.BatchEvents), so that a capture's batches end
	// where its units do, as a thousand-event batch ends a thousand-event
	// unit. Rebuild replays with the store's unit.
	ProjectUnit int
	// SnapshotPool, set on PostgreSQL, opens a pool on the read database
	// whose every connection reads in the exported snapshot id (a
	// REPEATABLE READ transaction left open: ReadSnapshot).
	SnapshotPool func(ctx context.Context, id string) (*sql.DB, error)
	// VerifyStep, when set, runs between verify's reads (after each
	// step, named): a test seam where tests commit writes to check that
	// verify reads one snapshot.
	VerifyStep func(step string)
	// periodKeys are the installation's keys for refinery period records
	// (TrustPeriodKeys).
	periodKeys []ed25519.PublicKey
	// replay is what captures into this store write: everything, except
	// in verify's scratch store (replayMode).
	writes replayMode
	// replayIDs holds, in verify's scratch store, the eventIDs of the
	// events (not declarations) of every committed replayed capture:
	// capture's duplicate check reads it instead of events, whose rows a
	// projection-only replay writes only where the projection reads them
	// back (insertEvents). replayDecls is set once a replayed capture held
	// a declaration. Both are touched only by the replay's one writer.
	replayIDs   *idSet
	replayDecls bool
	// replayPacks holds, in a replay's scratch store, the AggregationEvents
	// replayed so far and not declared in error, by canonical parent: what
	// each container held at a later event (writer.packingsOf), read from
	// the store by a live capture.
	replayPacks map[string][]*critmin.Event
	// replayMoves holds likewise the dispatches (ledger.TripOf) of each
	// container replayed so far (writer.movesOf).
	replayMoves map[string][]*critmin.Event
	// replayFeeds holds likewise the runs fed each container whole that
	// took what it held (writer.feedsOf).
	replayFeeds map[string][]*critmin.Event
	// replayRows holds likewise the contents rows of each dispatch of
	// containers replayed so far, by eventID (writer.recordedOf).
	replayRows map[string][]contentRow
	// replayLotEvents holds likewise the events replayed so far of each
	// canonical lot, as projected (with the lines their containers gave
	// them), and under emptiesKey the DELETEs emptying a container
	// (writer.drawnEvents).
	replayLotEvents map[string][]*critmin.Event
	// replayingLog: this store is the scratch of a replay of a stored log
	// (verify, rebuild, repair, projection migration). What the log holds
	// was accepted when captured, so rules added since that refuse at
	// capture (a second error declaration, fix9h) are not applied to it.
	replayingLog bool

	ctxMu sync.Mutex
	// captureMu queues this process's captures in arrival order: the
	// store serialises them anyway (SQLite's one writer connection,
	// PostgreSQL's capture lock), but database/sql hands a freed
	// connection to a random waiter, which under load left some captures
	// waiting tens of seconds (sync.Mutex turns FIFO once waiters starve).
	captureMu sync.Mutex
	// waiting counts the captures queued for captureMu; group is the
	// write transaction captures share (group commit, group.go), open
	// while a capture holds the turn or hands it on. Both are touched
	// only with captureMu held, waiting also by takeTurn.
	waiting atomic.Int64
	group   *captureGroup
	// groups and joined count capture transactions and the captures that
	// joined them (CaptureGroups).
	groups, joined atomic.Int64
	ctxIDs         map[string]int64

	// remoteMu guards remoteUsed, the undeclared prefixes events captured
	// with a remote context used as keys, found in events up to key
	// remoteAfter (remotePrefixesUsed).
	remoteMu    sync.Mutex
	remoteUsed  map[string]bool
	remoteAfter int64
	// masterMu guards masterDeclared, the prefixes master-data captures
	// declared (MasterDataElement.Prefixes), read from the audit log up to
	// entry masterAfter (auditPrefixes).
	masterMu       sync.Mutex
	masterDeclared map[string]map[string]bool
	masterAfter    int64

	rebindMu sync.RWMutex
	rebinds  map[string]string

	// stmts are the writer's multi-row INSERTs kept prepared across
	// transactions (execRows).
	stmtMu  sync.Mutex
	stmts   map[stmtKey]*sql.Stmt
	pending map[stmtKey]string

	// reads keeps the read pool's statements prepared (SQLite; reader).
	reads readStmts

	// auth keeps recent token and session look-ups (authcache.go).
	auth authCache

	// primary, when Read is a replica's pool, is a view of this store
	// that reads the primary (UseReadPool, ConsistentReads).
	primary *DB
}

// New wraps open pools. read may equal write.
func New(write, read *sql.DB, d Dialect) *DB {
	db := &DB{Write: write, Read: read, Dialect: d, Now: time.Now, ctxIDs: map[string]int64{}, rebinds: map[string]string{}, stmts: map[stmtKey]*sql.Stmt{}, pending: map[stmtKey]string{}}
	db.reads.db = db
	return db
}

var _ critmin.Store = (*DB)(nil)

// Close closes both pools.
func (db *DB) Close() error {
	db.stmtMu.Lock()
	for k, st := range db.stmts {
		st.Close()
		delete(db.stmts, k)
	}
	db.stmtMu.Unlock()
	db.reads.close()
	err := db.Write.Close()
	if db.Read != db.Write {
		if e := db.Read.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Ping reports whether the database answers: the read pool and, when it
// is a replica's (UseReadPool), the primary too — either one down fails
// requests (http.Server.Unavailable answers them 503).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.Read.PingContext(ctx); err != nil {
		what := "ping"
		if db.Read != db.Write {
			what = "ping the read pool"
		}
		return fmt.Errorf("%s: %s: %w", db.Dialect.Name, what, err)
	}
	if db.Read != db.Write {
		if err := db.Write.PingContext(ctx); err != nil {
			return fmt.Errorf("%s: ping the primary: %w", db.Dialect.Name, err)
		}
	}
	return nil
}

// q rewrites ? placeholders to $n for PostgreSQL, caching the result.
func (db *DB) q(query string) string {
	if !db.Dialect.Dollar {
		return query
	}
	db.rebindMu.RLock()
	out, ok := db.rebinds[query]
	db.rebindMu.RUnlock()
	if ok {
		return out
	}
	out = Rebind(query)
	db.rebindMu.Lock()
	db.rebinds[query] = out
	db.rebindMu.Unlock()
	return out
}

// Rebind rewrites ? placeholders to $1, $2, … (none of critmin's SQL has a
// literal question mark).
func Rebind(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Migrate applies the embedded migrations in files (named NNNN_name.sql)
// that the database has not recorded, in number order, each in its own transaction, and refuses
// to run against a database whose schema is newer than the binary.
func Migrate(ctx context.Context, db *sql.DB, d Dialect, files fs.FS) error {
	if err := refuseForeign(ctx, db, d); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("%s: create schema_migrations: %w", d.Name, err)
	}
	names, err := fs.Glob(files, "*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	// Every migration not yet recorded is applied, in order — not only
	// those above the highest applied: migrations written on parallel
	// branches may land with numbers below one a database already has.
	applied := map[int]bool{}
	current := 0
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("%s: read schema version: %w", d.Name, err)
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("%s: read schema version: %w", d.Name, err)
		}
		applied[v], current = true, max(current, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: read schema version: %w", d.Name, err)
	}
	latest := 0
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("%s: migration %s: name must start with a number", d.Name, name)
		}
		latest = max(latest, v)
		if applied[v] {
			continue
		}
		body, err := fs.ReadFile(files, name)
		if err != nil {
			return err
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("%s: migration %s: %w", d.Name, name, err)
		}
		if step := goSteps[v]; step != nil {
			if err := step(ctx, tx, d); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("%s: migration %s: %w", d.Name, name, err)
			}
		}
		if step := goStepsWithStore[v]; step != nil {
			if err := step(ctx, db, tx, d); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("%s: migration %s: %w", d.Name, name, err)
			}
		}
		if err := resealAfterStep(ctx, tx, d, v); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("%s: migration %s: %w", d.Name, name, err)
		}
		ins := `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
		if d.Dollar {
			ins = Rebind(ins)
		}
		if _, err := tx.ExecContext(ctx, ins, v, name, time.Now().UTC().Format(time.RFC3339)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("%s: record migration %s: %w", d.Name, name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("%s: commit migration %s: %w", d.Name, name, err)
		}
	}
	if current > latest {
		return fmt.Errorf("%s: database schema version %d is newer than this binary's %d; upgrade critmin", d.Name, current, latest)
	}
	return nil
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return critmin.Errorf(critmin.ENOTFOUND, format, args...)
	}
	return err
}

// allowForeignKey marks a context under which Migrate adds critmin's
// tables to a database that holds another program's (AllowForeign).
type allowForeignKey struct{}

// AllowForeign returns a context under which Migrate migrates a database
// that holds tables but no schema_migrations (init and serve --force).
func AllowForeign(ctx context.Context) context.Context {
	return context.WithValue(ctx, allowForeignKey{}, true)
}

// refuseForeign refuses, before anything is written, a database that
// holds tables but no schema_migrations: another program's (a SQLite file,
// or a PostgreSQL database such as the cluster's maintenance database
// "postgres"), which migrating would fill with critmin's tables (fix14p:
// init migrated the maintenance database and another program's SQLite
// file). An empty database, or a critmin one, is migrated.
func refuseForeign(ctx context.Context, db *sql.DB, d Dialect) error {
	if ctx.Value(allowForeignKey{}) != nil {
		return nil
	}
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`
	if d.Dollar {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`
	}
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: list tables: %w", d.Name, err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return fmt.Errorf("%s: list tables: %w", d.Name, err)
		}
		if n == "schema_migrations" {
			return nil
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: list tables: %w", d.Name, err)
	}
	if len(names) == 0 {
		return nil
	}
	shown := names
	if len(shown) > 5 {
		shown = append(append([]string(nil), shown[:5]...), "…")
	}
	return critmin.Errorf(critmin.EINVALID, "not a critmin database: it holds %s of another program (%s) and no schema_migrations; nothing was changed: choose an empty database (or a new file), or pass --force to add critmin's tables to it", tableCount(len(names)), strings.Join(shown, ", "))
}

// tableCount is "1 table" or "N tables".
func tableCount(n int) string {
	if n == 1 {
		return "1 table"
	}
	return fmt.Sprintf("%d tables", n)
}
