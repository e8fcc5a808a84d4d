package sqldb

import (
	"context"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"golang.org/x/mod/sumdb/tlog"
)

// logAppender adds leaves to the tlog tree inside a write transaction.
// The tree's stored hashes for leaf n depend only on earlier ones
// (tlog.StoredHashes), so appending reads at most a few stored hashes from
// the database and keeps the new ones in memory until they are written.
type logAppender struct {
	db      *DB
	tx      *sql.Tx
	ctx     context.Context
	size    int64
	pending map[int64]tlog.Hash
	rows    *batch
}

func (db *DB) newLogAppender(ctx context.Context, tx *sql.Tx) (*logAppender, error) {
	a := &logAppender{db: db, tx: tx, ctx: ctx, pending: map[int64]tlog.Hash{},
		rows: &batch{head: "INSERT INTO log_hashes (idx, hash) VALUES ", cols: 2}}
	err := tx.QueryRowContext(ctx, `SELECT size FROM log_tree WHERE id = 1`).Scan(&a.size)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%s: log size: %w", db.Dialect.Name, err)
	}
	return a, nil
}

// ReadHashes implements tlog.HashReader over the pending and stored hashes.
func (a *logAppender) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	var missing []int64
	for i, x := range idx {
		if h, ok := a.pending[x]; ok {
			out[i] = h
		} else {
			missing = append(missing, x)
		}
	}
	if len(missing) > 0 {
		got, err := readHashes(a.ctx, a.tx, a.db, missing)
		if err != nil {
			return nil, err
		}
		for i, x := range idx {
			if h, ok := got[x]; ok {
				out[i] = h
			} else if _, ok := a.pending[x]; !ok {
				return nil, critmin.Errorf(critmin.ENOTFOUND, "log hash %d is not stored", x)
			}
		}
	}
	return out, nil
}

// add appends a record as leaf a.size; its chain position must follow.
func (a *logAppender) add(w *writer, r *critmin.ChainRecord) error {
	if r.Seq != a.size+1 {
		return fmt.Errorf("%s: log: record %d is not the next leaf %d", a.db.Dialect.Name, r.Seq, a.size)
	}
	hs, err := tlog.StoredHashes(a.size, custody.LeafData(r), a)
	if err != nil {
		return fmt.Errorf("%s: log: %w", a.db.Dialect.Name, err)
	}
	base := tlog.StoredHashIndex(0, a.size)
	for i, h := range hs {
		a.pending[base+int64(i)] = h
		if err := w.add(a.rows, base+int64(i), hex.EncodeToString(h[:])); err != nil {
			return err
		}
	}
	a.size++
	return nil
}

// finish writes the new stored hashes and the tree head.
func (a *logAppender) finish(w *writer) error {
	if err := w.flush(a.rows); err != nil {
		return err
	}
	if a.size == 0 {
		// No event yet (a capture of master data only): the log is empty
		// and has no tree head, as its rebuild has none (LogHead reads a
		// missing head as the empty tree).
		return nil
	}
	root, err := tlog.TreeHash(a.size, a)
	if err != nil {
		return fmt.Errorf("%s: log root: %w", a.db.Dialect.Name, err)
	}
	if _, err := a.tx.ExecContext(a.ctx, a.db.q(`INSERT INTO log_tree (id, size, root) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET size = excluded.size, root = excluded.root`),
		a.size, hex.EncodeToString(root[:])); err != nil {
		return fmt.Errorf("%s: log head: %w", a.db.Dialect.Name, err)
	}
	return nil
}

func readHashes(ctx context.Context, q querier, db *DB, idx []int64) (map[int64]tlog.Hash, error) {
	out := make(map[int64]tlog.Hash, len(idx))
	args := make([]any, len(idx))
	for i, x := range idx {
		args[i] = x
	}
	for start := 0; start < len(args); start += 500 {
		part := args[start:min(start+500, len(args))]
		rows, err := q.QueryContext(ctx, db.q(`SELECT idx, hash FROM log_hashes WHERE idx IN (`+placeholders(len(part))+`)`), part...)
		if err != nil {
			return nil, fmt.Errorf("%s: read log hashes: %w", db.Dialect.Name, err)
		}
		for rows.Next() {
			var x int64
			var s string
			if err := rows.Scan(&x, &s); err != nil {
				rows.Close()
				return nil, err
			}
			h, err := parseHex(s)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("%s: log hash %d: %w", db.Dialect.Name, x, err)
			}
			out[x] = h
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func parseHex(s string) (tlog.Hash, error) {
	var h tlog.Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != tlog.HashSize {
		return h, fmt.Errorf("%q is not a hex SHA-256", s)
	}
	copy(h[:], b)
	return h, nil
}

// LogHashes returns stored hashes of the log by index.
func (db *DB) LogHashes(ctx context.Context, idx []int64) ([]tlog.Hash, error) {
	got, err := readHashes(ctx, db.reader(ctx), db, idx)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		h, ok := got[x]
		if !ok {
			return nil, critmin.Errorf(critmin.ENOTFOUND, "log hash %d is not stored", x)
		}
		out[i] = h
	}
	return out, nil
}

// LogHead returns the tree's size and root and the audit chain's head.
func (db *DB) LogHead(ctx context.Context) (critmin.LogHead, error) {
	var h critmin.LogHead
	var root string
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT size, root FROM log_tree WHERE id = 1`).Scan(&h.Size, &root)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		h.Root = tlog.Hash{}
		if r, err := tlog.TreeHash(0, nil); err == nil {
			h.Root = r
		}
	case err != nil:
		return h, fmt.Errorf("%s: log head: %w", db.Dialect.Name, err)
	default:
		if h.Root, err = parseHex(root); err != nil {
			return h, fmt.Errorf("%s: log root: %w", db.Dialect.Name, err)
		}
	}
	err = db.reader(ctx).QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&h.AuditSize, &h.AuditHead)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("%s: audit head: %w", db.Dialect.Name, err)
	}
	return h, nil
}

// SyncLog builds the log for records stored before it existed (stores
// made before migration 0005): it appends, in chain order, every record
// past the log's size. Opening a store calls it; on an up-to-date store
// it reads one row.
func (db *DB) SyncLog(ctx context.Context) error {
	var last int64
	if err := db.Write.QueryRowContext(ctx, `SELECT COALESCE(MAX(chain_seq), 0) FROM events`).Scan(&last); err != nil {
		return fmt.Errorf("%s: sync log: %w", db.Dialect.Name, err)
	}
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if db.Dialect.LockCapture != "" {
		if _, err := tx.ExecContext(ctx, db.Dialect.LockCapture); err != nil {
			return err
		}
	}
	a, err := db.newLogAppender(ctx, tx)
	if err != nil {
		return err
	}
	if a.size >= last {
		return nil
	}
	w := &writer{db: db, tx: tx, ctx: ctx}
	rows, err := tx.QueryContext(ctx, db.q(chainSelect+" WHERE e.chain_seq > ? ORDER BY e.chain_seq"), a.size)
	if err != nil {
		return fmt.Errorf("%s: sync log: %w", db.Dialect.Name, err)
	}
	var recs []*critmin.ChainRecord
	for rows.Next() {
		r, err := scanChain(rows)
		if err != nil {
			rows.Close()
			return err
		}
		recs = append(recs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, r := range recs {
		if err := a.add(w, r); err != nil {
			return err
		}
	}
	if err := a.finish(w); err != nil {
		return err
	}
	if err := db.backfillAudit(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// backfillAudit records, for a store made before the audit chain, the
// tokens and master data it already holds, once.
func (db *DB) backfillAudit(ctx context.Context, tx *sql.Tx) error {
	var n int64
	// Record attestations (migration 0053's backfill among them) are not
	// what this backfill records.
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action <> 'record.set' AND action <> 'record.delete'`).Scan(&n); err != nil || n > 0 {
		return err
	}
	var entries []*critmin.AuditEntry
	rows, err := tx.QueryContext(ctx, `SELECT `+tokenColumns+` FROM tokens ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			rows.Close()
			return err
		}
		entries = append(entries, tokenAudit(t))
		if !t.RevokedAt.IsZero() {
			entries = append(entries, &critmin.AuditEntry{At: t.RevokedAt, Action: critmin.AuditTokenRevoke, Subject: t.Name, Detail: "{}"})
		}
	}
	rows.Close()
	var master []critmin.MasterDataElement
	rows, err = tx.QueryContext(ctx, `SELECT vtype, id, attrs, children FROM master_data ORDER BY vtype, id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var m critmin.MasterDataElement
		var attrs, children string
		if err := rows.Scan(&m.Type, &m.ID, &attrs, &children); err != nil {
			rows.Close()
			return err
		}
		_ = json.Unmarshal([]byte(attrs), &m.Attributes)
		_ = json.Unmarshal([]byte(children), &m.Children)
		if len(m.Children) == 0 {
			m.Children = nil
		}
		master = append(master, m)
	}
	rows.Close()
	var masterAt time.Time
	if len(master) > 0 {
		// When each element arrived is not known any more; placing them
		// before the first record replays them before every projection
		// that reads them (site custody models in origin mixes).
		masterAt = db.Now()
		e, err := masterAudit(masterAt, "", 0, master)
		if err != nil {
			return err
		}
		entries = append(entries, e)
	}
	if err := db.appendAuditTx(ctx, tx, entries...); err != nil || len(master) == 0 {
		return err
	}
	// The master data is now known from this entry only: its versions
	// start at the entry's time, as a replay of the log makes them.
	for _, t := range []string{"master_data", "master_data_versions", "master_data_attrs", "master_data_children"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t); err != nil {
			return err
		}
	}
	return ApplyMasterData(ctx, tx, db.Dialect, masterAt, master)
}

func tokenAudit(t *critmin.Token) *critmin.AuditEntry {
	m := map[string]any{"role": t.Role, "hash": t.Hash}
	if !t.ExpiresAt.IsZero() {
		m["expiresUs"] = micros(t.ExpiresAt)
	}
	d, _ := json.Marshal(m)
	return &critmin.AuditEntry{At: t.CreatedAt, Action: critmin.AuditTokenCreate, Subject: t.Name, Detail: string(d)}
}

func masterAudit(at time.Time, captureID string, size int64, master []critmin.MasterDataElement) (*critmin.AuditEntry, error) {
	d, err := json.Marshal(master)
	if err != nil {
		return nil, err
	}
	return &critmin.AuditEntry{At: at, Action: critmin.AuditMasterData, Subject: captureID, Detail: string(d), CaptureID: captureID, LogSize: size}, nil
}

// AppendAudit appends entries to the audit chain in one transaction.
func (db *DB) AppendAudit(ctx context.Context, entries ...*critmin.AuditEntry) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := db.appendAuditTx(ctx, tx, entries...); err != nil {
		return err
	}
	return tx.Commit()
}

func (db *DB) appendAuditTx(ctx context.Context, tx *sql.Tx, entries ...*critmin.AuditEntry) error {
	return appendAudit(ctx, tx, db.Dialect, entries...)
}

// appendAudit appends entries to the audit chain in tx (a migration step
// has no DB, only its transaction).
func appendAudit(ctx context.Context, tx *sql.Tx, d Dialect, entries ...*critmin.AuditEntry) error {
	if len(entries) == 0 {
		return nil
	}
	if d.LockCapture != "" {
		if _, err := tx.ExecContext(ctx, d.LockCapture); err != nil {
			return err
		}
	}
	var seq int64
	prev := custody.Genesis
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`).Scan(&seq, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: audit head: %w", d.Name, err)
	}
	for _, e := range entries {
		seq++
		e.Seq, e.Prev = seq, prev
		e.At = fromMicros(e.At.UnixMicro())
		e.Hash = custody.AuditHash(prev, e)
		prev = e.Hash
		ins := `INSERT INTO audit_log (seq, at_us, action, subject, detail, capture_id, log_size, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
		if d.Dollar {
			ins = Rebind(ins)
		}
		if _, err := tx.ExecContext(ctx, ins,
			e.Seq, micros(e.At), e.Action, e.Subject, e.Detail, e.CaptureID, e.LogSize, e.Prev, e.Hash); err != nil {
			return fmt.Errorf("%s: append audit: %w", d.Name, err)
		}
	}
	return nil
}

// ScanAudit streams the audit chain in order.
func (db *DB) ScanAudit(ctx context.Context, fn func(*critmin.AuditEntry) error) error {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT seq, at_us, action, subject, detail, capture_id, log_size, prev, hash FROM audit_log ORDER BY seq`)
	if err != nil {
		return fmt.Errorf("%s: scan audit: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e critmin.AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Action, &e.Subject, &e.Detail, &e.CaptureID, &e.LogSize, &e.Prev, &e.Hash); err != nil {
			return err
		}
		e.At = fromMicros(at)
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// auditMaster chains a capture's master data: no event carries it, yet
// the projection reads it (site custody models), so a replay needs it.
func (w *writer) auditMaster(job *critmin.CaptureJob, master []critmin.MasterDataElement) error {
	if len(master) == 0 {
		return nil
	}
	var size int64
	err := w.tx.QueryRowContext(w.ctx, `SELECT size FROM log_tree WHERE id = 1`).Scan(&size)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: log size: %w", w.db.Dialect.Name, err)
	}
	e, err := masterAudit(job.CreatedAt, job.CaptureID, size, master)
	if err != nil {
		return err
	}
	return w.db.appendAuditTx(w.ctx, w.tx, e)
}
