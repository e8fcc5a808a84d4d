package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/critmin/critmin"
)

// Group commit. Captures queued for the writer share one write
// transaction and one commit (one fsync under synchronous=FULL): the
// capture holding the writer's turn (captureMu) works in a savepoint of
// the group's transaction (the capture that opens the transaction works
// in it directly: it holds nothing else), and when it is done it hands
// the turn — the transaction still open — to the next queued capture, or
// commits the group when none is queued or the group is full. Each
// capture is still all or nothing: a capture that fails or is refused (a
// validation or capture-time check, ledger.Service.ClaimCheck) rolls back
// to its own savepoint (the opening capture: the whole transaction),
// leaving the earlier captures of the group in place; and each capture's
// Commit returns only once the group's commit is durable, with the
// group's error if that commit fails. A capture's reads during its turn
// (CaptureReads) go through the group's transaction, so its checks see
// the captures before it in the group as if they were committed.

// maxGroupMembers bounds the captures one transaction carries, so that a
// steady queue still commits (and acknowledges) at least every so many
// captures.
const maxGroupMembers = 32

// captureGroup is one write transaction shared by queued captures.
type captureGroup struct {
	tx      *sql.Tx
	members int              // captures released into the transaction
	newCtx  map[string]int64 // context ids the members stored, published at commit
	done    chan struct{}    // closed when the group has committed or rolled back
	err     error            // the commit's error, read after done
	// stmts keeps the queries its captures repeat prepared in its
	// transaction (SQLite only; nil on PostgreSQL).
	stmts *txStmts
	// bare is set while the capture that opened the transaction holds
	// the turn: it works without a savepoint, since the transaction holds
	// nothing else, and its rollback is the transaction's (perf11z).
	bare bool
}

// CaptureGroups reports how many capture transactions this handle has
// opened and how many captures joined them (kept or rolled back): their
// ratio is the mean group size.
func (db *DB) CaptureGroups() (transactions, captures int64) {
	return db.groups.Load(), db.joined.Load()
}

// takeTurn waits for the writer's turn (captureMu), counting the waiters
// so that the turn's holder knows whether to hand the group on.
func (db *DB) takeTurn() {
	db.waiting.Add(1)
	db.captureMu.Lock()
	db.waiting.Add(-1)
}

// joinGroup, with the turn held, opens a savepoint for one capture in the
// open group, opening the group's transaction first when there is none.
// On error the turn is released and nothing of the capture exists.
func (db *DB) joinGroup(ctx context.Context) (*captureGroup, error) {
	g := db.group
	if g == nil {
		// Statements are prepared on the writer connection outside any
		// transaction: only when no group holds it.
		db.preparePending(ctx)
		// The transaction outlives the capture that opened it: it is not
		// tied to that request's cancellation (a statement interrupted
		// inside an SQLite transaction can roll the whole transaction
		// back, taking the earlier captures of the group with it).
		tx, err := db.Write.BeginTx(context.WithoutCancel(ctx), nil)
		if err != nil {
			db.captureMu.Unlock()
			return nil, fmt.Errorf("%s: begin capture: %w", db.Dialect.Name, err)
		}
		if db.Dialect.LockCapture != "" {
			if _, err := tx.ExecContext(context.WithoutCancel(ctx), db.Dialect.LockCapture); err != nil {
				_ = tx.Rollback()
				db.captureMu.Unlock()
				return nil, fmt.Errorf("%s: capture lock: %w", db.Dialect.Name, err)
			}
		}
		g = &captureGroup{tx: tx, done: make(chan struct{}), bare: true}
		if !db.Dialect.Dollar {
			g.stmts = &txStmts{tx: tx}
		}
		db.group = g
		db.groups.Add(1)
		db.joined.Add(1)
		// The group's first capture needs no savepoint: rolling it back
		// is rolling back the transaction, which holds nothing else. A
		// savepoint over a whole capture made SQLite copy every page the
		// capture changed into its statement journal, a temporary file
		// (perf11z: about 6 % of a capture's CPU, mostly pwrite).
		return g, nil
	}
	db.joined.Add(1)
	if _, err := g.tx.ExecContext(context.WithoutCancel(ctx), "SAVEPOINT capture"); err != nil {
		err = fmt.Errorf("%s: capture savepoint: %w", db.Dialect.Name, err)
		db.endGroup(err)
		db.captureMu.Unlock()
		return nil, err
	}
	return g, nil
}

// leaveGroup ends a capture's part of the group, with the turn held:
// keep releases its savepoint into the group, otherwise it is rolled
// back. The turn then passes to the next queued capture with the group
// open, or the group commits. A kept capture waits for the group's commit
// and returns its error; a capture rolled back returns at once.
func (db *DB) leaveGroup(ctx context.Context, g *captureGroup, keep bool, newCtx map[string]int64) error {
	ctx = context.WithoutCancel(ctx)
	var err error
	if g.bare {
		// The transaction's first capture, without a savepoint (joinGroup).
		g.bare = false
		if !keep {
			db.endGroup(errCaptureRolledBack)
			db.captureMu.Unlock()
			return nil
		}
	} else if keep {
		_, err = g.tx.ExecContext(ctx, "RELEASE SAVEPOINT capture")
	} else if _, err = g.tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT capture"); err == nil {
		_, err = g.tx.ExecContext(ctx, "RELEASE SAVEPOINT capture")
	}
	if err != nil {
		// The transaction's state is unknown: the whole group fails, and
		// every member that was waiting for it is told so.
		err = fmt.Errorf("%s: end capture savepoint: %w", db.Dialect.Name, err)
		db.endGroup(err)
		db.captureMu.Unlock()
		if keep {
			return err
		}
		return nil
	}
	if keep {
		g.members++
		for h, id := range newCtx {
			if g.newCtx == nil {
				g.newCtx = map[string]int64{}
			}
			g.newCtx[h] = id
		}
	}
	if db.waiting.Load() == 0 || g.members >= maxGroupMembers {
		db.endGroup(nil)
	}
	db.captureMu.Unlock()
	if !keep {
		return nil
	}
	<-g.done
	return g.err
}

// errCaptureRolledBack is the error of a group rolled back with its only
// capture, which was refused: no member waits for it.
var errCaptureRolledBack = errors.New("capture rolled back")

// endGroup commits the open group (or rolls it back when cause is not
// nil) and wakes its members; the turn must be held.
func (db *DB) endGroup(cause error) {
	g := db.group
	if g == nil {
		return
	}
	db.group = nil
	if cause != nil {
		_ = g.tx.Rollback()
		g.err = cause
	} else if err := g.tx.Commit(); err != nil {
		g.err = fmt.Errorf("%s: commit capture: %w", db.Dialect.Name, err)
	} else {
		db.ctxMu.Lock()
		for h, id := range g.newCtx {
			db.ctxIDs[h] = id
		}
		db.ctxMu.Unlock()
	}
	close(g.done)
}

// lockWriter takes the writer's turn for a write that is not a capture
// (SaveMassBalanceAfter), committing first any group left open for
// queued captures, so that the write sees, and follows, every capture
// before it. The caller unlocks captureMu.
func (db *DB) lockWriter() {
	db.takeTurn()
	db.endGroup(nil)
}

// groupReads marks a context whose reads of this store go through an
// open capture's transaction (CaptureReads).
type groupReads struct {
	write *sql.DB
	tx    *sql.Tx
	stmts *txStmts // the group's transaction with its prepared queries, or nil
}

type groupReadsKey struct{}

// reader is where a read with ctx goes: the transaction of the capture
// whose turn it is (as txStmts on SQLite), when ctx came from that
// capture's CaptureReads and belongs to this store (or a view of it
// sharing its writer), or else the read pool — on SQLite with its statements kept prepared
// (readStmts).
func (db *DB) reader(ctx context.Context) querier {
	if g, ok := ctx.Value(groupReadsKey{}).(*groupReads); ok && g.write == db.Write {
		if g.stmts != nil {
			return g.stmts
		}
		return g.tx
	}
	if s, ok := ctx.Value(snapshotKey{}).(*snapshotReads); ok && (s.db == db || (s.db.primary != nil && s.db.primary == db)) {
		return s.q
	}
	if db.primary != nil && critmin.PrimaryReadsWanted(ctx) {
		return db.primary.reader(ctx)
	}
	if !db.Dialect.Dollar && db.Read != db.Write {
		return &db.reads
	}
	return db.Read
}

// txStmts is a capture group's transaction with its hot queries kept
// prepared. The capture-time checks and the projection ask the same
// queries, with other arguments, once for each container, lot or packing
// of a document (custody's checkWhereabouts, FindEvents; the writer's
// packingEvents), and SQLite parsed and planned each of them anew — a
// fifth of a capture's CPU in `critmin bench capture`. As a querier it
// runs queries unprepared on the transaction, as before; rowsOf runs them
// on its prepared statements. A statement serves one query at a time: the
// one taken is held until its rows are closed (rowsOf's release), and a
// query whose statement is held runs unprepared. The statements are
// closed with the transaction (database/sql closes a transaction's
// statements when it ends).
type txStmts struct {
	tx    *sql.Tx
	mu    sync.Mutex
	stmts map[string]*txStmt
}

// txStmt is one statement of txStmts and whether a query holds it.
type txStmt struct {
	st   *sql.Stmt
	busy bool
}

// QueryContext runs query on the transaction, unprepared.
func (t *txStmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.tx.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query on the transaction, unprepared.
func (t *txStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.tx.QueryRowContext(ctx, query, args...)
}

// query runs query with args on its prepared statement in the
// transaction, preparing it on first use; release must be called once
// the rows are closed.
func (t *txStmts) query(ctx context.Context, query string, args ...any) (rows *sql.Rows, release func(), err error) {
	t.mu.Lock()
	e, ok := t.stmts[query]
	if !ok && len(t.stmts) < maxReadStmts {
		if st, perr := t.tx.PrepareContext(ctx, query); perr == nil {
			if t.stmts == nil {
				t.stmts = map[string]*txStmt{}
			}
			e = &txStmt{st: st}
			t.stmts[query] = e
		}
	}
	if e == nil || e.busy {
		t.mu.Unlock()
		rows, err = t.tx.QueryContext(ctx, query, args...) // (reports a preparation's error)
		return rows, func() {}, err
	}
	e.busy = true
	t.mu.Unlock()
	release = func() {
		t.mu.Lock()
		e.busy = false
		t.mu.Unlock()
	}
	rows, err = e.st.QueryContext(ctx, args...)
	if err != nil {
		release()
		return nil, func() {}, err
	}
	return rows, release, nil
}

// rowsOf runs query through q — on a prepared statement when q is a
// capture group's transaction that keeps them (txStmts); release is to
// be called after rows.Close, and the rows must be closed before the
// caller asks anything else of q.
func rowsOf(ctx context.Context, q querier, query string, args ...any) (rows *sql.Rows, release func(), err error) {
	if t, ok := q.(*txStmts); ok {
		return t.query(ctx, query, args...)
	}
	rows, err = q.QueryContext(ctx, query, args...)
	return rows, func() {}, err
}

// maxReadStmts bounds the read statements kept prepared (texts that vary
// with a count of arguments, as IN (…) lists, could otherwise add one per
// count).
const maxReadStmts = 512

// readStmts is the read pool with its statements kept prepared: a query
// text seen before runs as the statement prepared for it (database/sql
// prepares it once on each pool connection it runs on, and keeps it), so
// SQLite does not parse and plan the same SQL for every request. Only for
// SQLite: PostgreSQL's driver (pgx) keeps its own statement cache.
type readStmts struct {
	db    *DB
	mu    sync.RWMutex
	stmts map[string]*sql.Stmt
	// gate queues event queries first in, first out (readTurn).
	gateOnce sync.Once
	gate     chan struct{}
}

func (r *readStmts) stmt(ctx context.Context, query string) *sql.Stmt {
	r.mu.RLock()
	st, ok := r.stmts[query]
	r.mu.RUnlock()
	if ok {
		return st
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if st, ok := r.stmts[query]; ok {
		return st
	}
	if len(r.stmts) >= maxReadStmts {
		return nil
	}
	st, err := r.db.Read.PrepareContext(ctx, query)
	if err != nil {
		return nil // (the plain query reports the error)
	}
	if r.stmts == nil {
		r.stmts = map[string]*sql.Stmt{}
	}
	r.stmts[query] = st
	return st
}

func (r *readStmts) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return r.db.Read.QueryContext(ctx, query, args...)
}

func (r *readStmts) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := r.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return r.db.Read.QueryRowContext(ctx, query, args...)
}

func (r *readStmts) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for q, st := range r.stmts {
		st.Close()
		delete(r.stmts, q)
	}
}

// PreparedReads reports how many read statements are kept prepared.
func (db *DB) PreparedReads() int {
	db.reads.mu.RLock()
	defer db.reads.mu.RUnlock()
	return len(db.reads.stmts)
}

// readTurn queues an event query for the read pool in arrival order and
// returns the function that ends its turn. database/sql hands a freed
// connection to a random waiter, so under 200 clients on 4 reader
// connections some queries waited many times the mean (query p99 ≈ 5 ×
// p50 in `bench load`); a channel's blocked senders are served first in,
// first out. Only on SQLite's read pool (readStmts), at most as many
// turns at once as the pool has connections; reads in a capture's
// transaction are not queued.
func (db *DB) readTurn(ctx context.Context) (func(), error) {
	if _, ok := db.reader(ctx).(*readStmts); !ok {
		return func() {}, nil
	}
	db.reads.gateOnce.Do(func() {
		db.reads.gate = make(chan struct{}, max(1, db.Read.Stats().MaxOpenConnections))
	})
	select {
	case db.reads.gate <- struct{}{}:
		return func() { <-db.reads.gate }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
