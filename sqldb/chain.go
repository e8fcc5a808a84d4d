package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

const chainSelect = `SELECT ` + chainColumns + chainFrom

// chainColumns are the columns of a chain record (contextMemo.scan reads
// them in this order), chainFrom the tables they come from.
const (
	chainColumns = `e.chain_seq, e.pk, e.event_id, e.declaration, e.event_time, e.record_time, e.capture_id, COALESCE(c.body, ''), COALESCE(c.hash, ''),
	e.raw, e.prev_chain, e.chain`
	chainFrom = ` FROM events e LEFT JOIN contexts c ON c.id = e.context_id`
)

func scanChain(rows *sql.Rows) (*critmin.ChainRecord, error) {
	return (&contextMemo{}).scan(rows)
}

// contextMemo keeps the @context of the last record scanned and its
// hash: a chain read in order meets the same context record after
// record, which is then neither copied nor hashed again.
type contextMemo struct {
	raw        sql.RawBytes
	body, hash string
	set        bool
	dest       []any // Scan's destinations, kept from row to row
}

// scan reads a record from rows whose first columns are chainColumns;
// extra are the destinations of any columns after them.
func (m *contextMemo) scan(rows *sql.Rows, extra ...any) (*critmin.ChainRecord, error) {
	var r critmin.ChainRecord
	var decl int
	dest := append(m.dest[:0], &r.Seq, &r.PK, &r.EventID, &decl, &r.EventTime, &r.RecordTime, &r.CaptureID, &m.raw, &r.StoredContextHash, &r.Raw, &r.PrevChain, &r.Chain)
	m.dest = append(dest, extra...)
	if err := rows.Scan(m.dest...); err != nil {
		return nil, err
	}
	r.Declaration = decl == 1
	if !m.set || string(m.raw) != m.body {
		// The digest uses the hash of the context as it is now; an edited
		// context row then fails against the hash kept beside it.
		m.body, m.set = string(m.raw), true
		m.hash = custody.ContextHash(m.raw)
	}
	r.Context, r.ContextHash = m.body, m.hash
	return &r, nil
}

// ScanChain streams every record in chain order.
func (db *DB) ScanChain(ctx context.Context, fn func(*critmin.ChainRecord) error) error {
	rows, err := db.reader(ctx).QueryContext(ctx, chainSelect+" ORDER BY e.chain_seq")
	if err != nil {
		return fmt.Errorf("%s: scan chain: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var memo contextMemo
	for rows.Next() {
		r, err := memo.scan(rows)
		if err != nil {
			return err
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ChainRange returns the records from one position to another.
func (db *DB) ChainRange(ctx context.Context, from, to int64) ([]*critmin.ChainRecord, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(chainSelect+" WHERE e.chain_seq >= ? AND e.chain_seq <= ? ORDER BY e.chain_seq"), from, to)
	if err != nil {
		return nil, fmt.Errorf("%s: chain range: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.ChainRecord
	for rows.Next() {
		r, err := scanChain(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ChainRoots returns the day roots, oldest first.
func (db *DB) ChainRoots(ctx context.Context) ([]critmin.ChainRoot, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT day, last_seq, root, events FROM chain_roots ORDER BY day`)
	if err != nil {
		return nil, fmt.Errorf("%s: chain roots: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []critmin.ChainRoot
	for rows.Next() {
		var r critmin.ChainRoot
		if err := rows.Scan(&r.Day, &r.LastSeq, &r.Root, &r.Events); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
