package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
)

// AttestedTable is an authoritative table no event carries: what a
// verdict or an answer reads from it cannot be rebuilt from the log, so
// every write appends an audit entry (critmin.AuditRecordSet or
// AuditRecordDelete) holding the hash of the row's canonical content, in
// the write's transaction (DB.attest), and `critmin verify` checks that
// the table is what the audit chain says (VerifyAttested).
type AttestedTable struct {
	Name string
	Key  []string // the row's key columns
	Cols []string // every content column hashed, key columns first
}

// attestedTables are the tables verify checks against the audit chain
// (docs/verify.md, "Authoritative records"). A helper adding such a table
// adds it here and calls db.attest after each write.
var attestedTables = []AttestedTable{
	{"certificates", []string{"id"}, []string{"id", "lot", "evidence", "signer", "body", "issued_us", "revoked_us", "revoked_reason"}},
	{"mass_balance_versions", []string{"site", "version"}, []string{"site", "version", "declared_us", "body"}},
	{"trade_docs", []string{"kind", "id"}, []string{"kind", "id", "saved_us", "body"}},
	{"trade_invoices", []string{"id"}, []string{"id", "contract", "lot", "kind", "currency", "total", "issued_us", "due_date", "event_id", "body", "duplicate_of"}},
	{"trade_payments", []string{"id"}, []string{"id", "invoice", "amount", "paid_on"}},
	{"trade_declarations", []string{"contract", "lot", "element"}, []string{"contract", "lot", "element", "month", "party", "declared_us"}},
	{"import_mappings", []string{"source"}, []string{"source", "kind", "columns", "defaults", "updated_us", "updated_by"}},
	{"named_queries", []string{"name"}, []string{"name", "params", "created_us"}},
	{"datasets", []string{"name", "edition"}, []string{"name", "edition", "imported_us", "body"}},
}

// AttestedTables lists the tables verify checks against the audit chain.
func AttestedTables() []AttestedTable { return append([]AttestedTable(nil), attestedTables...) }

func attestedTable(name string) AttestedTable {
	for _, t := range attestedTables {
		if t.Name == name {
			return t
		}
	}
	panic("sqldb: " + name + " is not an attested table")
}

// recordDetail is the detail of an AuditRecordSet entry; the entry's
// subject is the table, a space and the JSON array of the row's key
// (keyOf).
type recordDetail struct {
	Hash string `json:"hash,omitempty"`
}

func recordSubject(table, key string) string { return table + " " + key }

// canonicalValue is a column value as hashed: NULL, a number in its
// shortest form (integers as integers), or a text — the same on SQLite
// and PostgreSQL (normalise).
func canonicalValue(v value) any {
	switch {
	case v.null:
		return nil
	case v.num:
		return json.Number(v.String())
	}
	return v.s
}

// rowHash is the hex SHA-256 of "critmin.record\x00", the table name, a
// NUL and the JSON array of the row's canonical values in t.Cols order.
func rowHash(t AttestedTable, vals []value) string {
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = canonicalValue(v)
	}
	b, _ := json.Marshal(out)
	h := sha256.New()
	h.Write([]byte("critmin.record\x00" + t.Name + "\x00"))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

// keyOf is the JSON of the row's key values (the first len(t.Key) of
// t.Cols), as stored in the audit entry.
func keyOf(t AttestedTable, vals []value) string {
	out := make([]any, len(t.Key))
	for i := range t.Key {
		out[i] = canonicalValue(vals[i])
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// showKey names a row for a report: id="…", version=3.
func showKey(t AttestedTable, key string) string {
	var vals []any
	_ = json.Unmarshal([]byte(key), &vals)
	parts := make([]string, len(t.Key))
	for i, k := range t.Key {
		var v any
		if i < len(vals) {
			v = vals[i]
		}
		switch x := v.(type) {
		case string:
			parts[i] = k + "=" + quoteShort(x)
		case nil:
			parts[i] = k + "=NULL"
		default:
			parts[i] = fmt.Sprintf("%s=%v", k, x)
		}
	}
	return strings.Join(parts, ", ")
}

func keyArgs(key []any) []any {
	out := make([]any, len(key))
	for i, k := range key {
		switch x := k.(type) {
		case int:
			out[i] = int64(x)
		default:
			out[i] = x
		}
	}
	return out
}

// selectRow reads the attested columns of one row by key, normalised;
// nil if there is none.
func selectRow(ctx context.Context, q querier, d Dialect, t AttestedTable, key []any) ([]value, error) {
	where := make([]string, len(t.Key))
	for i, k := range t.Key {
		where[i] = k + " = ?"
	}
	query := "SELECT " + strings.Join(t.Cols, ", ") + " FROM " + t.Name + " WHERE " + strings.Join(where, " AND ")
	if d.Dollar {
		query = Rebind(query)
	}
	vals := make([]any, len(t.Cols))
	ptrs := make([]any, len(vals))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := q.QueryRowContext(ctx, query, keyArgs(key)...).Scan(ptrs...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		return nil, fmt.Errorf("%s: read %s row: %w", d.Name, t.Name, err)
	}
	out := make([]value, len(vals))
	for i, v := range vals {
		out[i] = normalise(v)
	}
	return out, nil
}

// attestEntry is the audit entry recording a row as it now stands in tx
// (or its removal, when no row has the key).
func attestEntry(ctx context.Context, tx *sql.Tx, d Dialect, table string, at time.Time, key0 ...any) (*critmin.AuditEntry, error) {
	t := attestedTable(table)
	vals, err := selectRow(ctx, tx, d, t, key0)
	if err != nil {
		return nil, err
	}
	det := recordDetail{}
	action := critmin.AuditRecordDelete
	var key string
	if vals == nil {
		kv := make([]value, len(key0))
		for i, k := range keyArgs(key0) {
			kv[i] = normalise(k)
		}
		key = keyOf(t, kv)
	} else {
		action = critmin.AuditRecordSet
		det.Hash = rowHash(t, vals)
		key = keyOf(t, vals)
	}
	b, err := json.Marshal(det)
	if err != nil {
		return nil, err
	}
	return &critmin.AuditEntry{At: at, Action: action, Subject: recordSubject(table, key), Detail: string(b)}, nil
}

// attest appends to the audit chain, in tx, the entry for the row of
// table with the given key as it stands after the write (its content
// hash), or its removal when the row is gone. Call it after every write
// of an attested table, in the write's transaction: one line.
func (db *DB) attest(ctx context.Context, tx *sql.Tx, table string, key ...any) error {
	e, err := attestEntry(ctx, tx, db.Dialect, table, db.Now(), key...)
	if err != nil {
		return err
	}
	return db.appendAuditTx(ctx, tx, e)
}

// guardAttested refuses (ECONFLICT, naming the table and row) a write of
// an attested row whose stored state is not what the audit chain last
// recorded for its key: the chain's latest entry sets the row but the row
// is missing, or its content hash differs; or the row is there but the
// chain has no entry for it, or its latest entry removed it (inserted
// outside critmin). Writing over it would record a
// fresh entry and so launder the tampering (a deleted revoked certificate
// re-issued, a deleted invoice issued anew). Call it in the write's
// transaction before the write; attestWrite does.
func (db *DB) guardAttested(ctx context.Context, tx *sql.Tx, table string, key ...any) error {
	t := attestedTable(table)
	vals, err := selectRow(ctx, tx, db.Dialect, t, key)
	if err != nil {
		return err
	}
	kv := make([]value, len(key))
	for i, k := range keyArgs(key) {
		kv[i] = normalise(k)
	}
	k := keyOf(t, kv)
	if vals != nil {
		k = keyOf(t, vals)
	}
	var seq int64
	var action, detail string
	err = tx.QueryRowContext(ctx, db.q(`SELECT seq, action, detail FROM audit_log WHERE action IN (?, ?) AND subject = ? ORDER BY seq DESC LIMIT 1`),
		critmin.AuditRecordSet, critmin.AuditRecordDelete, recordSubject(table, k)).Scan(&seq, &action, &detail)
	switch {
	case errors.Is(err, sql.ErrNoRows) || err == nil && action != critmin.AuditRecordSet:
		if vals == nil {
			return nil
		}
		// A row the chain never recorded, or recorded as removed, was
		// inserted outside critmin: writing over it would attest it.
		why := "the audit chain has no entry for it"
		if err == nil {
			why = fmt.Sprintf("audit entry %d records it as removed", seq)
		}
		return critmin.Errorf(critmin.ECONFLICT, "%s row %s exists but %s: it was inserted outside critmin; nothing written (critmin verify)", table, showKey(t, k), why)
	case err != nil:
		return fmt.Errorf("%s: read %s attestation: %w", db.Dialect.Name, table, err)
	}
	var det recordDetail
	_ = json.Unmarshal([]byte(detail), &det)
	switch {
	case vals == nil:
		return critmin.Errorf(critmin.ECONFLICT, "%s row %s is missing though audit entry %d records it: it was deleted outside critmin; nothing written (critmin verify)", table, showKey(t, k), seq)
	case det.Hash != rowHash(t, vals):
		return critmin.Errorf(critmin.ECONFLICT, "%s row %s differs from audit entry %d: it was edited outside critmin; nothing written (critmin verify)", table, showKey(t, k), seq)
	}
	return nil
}

// attestWrite runs write in a transaction and attests the row it wrote,
// refusing first a row the chain shows was tampered with (guardAttested).
func (db *DB) attestWrite(ctx context.Context, table string, write func(tx *sql.Tx) error, key ...any) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := db.guardAttested(ctx, tx, table, key...); err != nil {
		return err
	}
	if err := write(tx); err != nil {
		return err
	}
	if err := db.attest(ctx, tx, table, key...); err != nil {
		return err
	}
	return tx.Commit()
}

// RecordProblem is a row of an attested table that is not what the audit
// chain says: edited, inserted or deleted outside critmin.
type RecordProblem struct {
	Table  string `json:"table"`
	Row    string `json:"row"`
	Detail string `json:"detail"`
}

func (p *RecordProblem) Error() string {
	return fmt.Sprintf("authoritative table %s, row %s: %s", p.Table, p.Row, p.Detail)
}

type attestedState struct {
	seq  int64
	hash string // "" once removed
}

// attestations reads the audit chain's record entries: the latest state
// of every attested row, by table and key.
func (db *DB) attestations(ctx context.Context, only string) (map[string]map[string]attestedState, error) {
	out := map[string]map[string]attestedState{}
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(`SELECT seq, action, subject, detail FROM audit_log WHERE action IN (?, ?) ORDER BY seq`), critmin.AuditRecordSet, critmin.AuditRecordDelete)
	if err != nil {
		return nil, fmt.Errorf("%s: read record attestations: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var action, subject, detail string
		if err := rows.Scan(&seq, &action, &subject, &detail); err != nil {
			return nil, err
		}
		table, key, _ := strings.Cut(subject, " ")
		if only != "" && table != only {
			continue
		}
		var det recordDetail
		if err := json.Unmarshal([]byte(detail), &det); err != nil {
			return nil, fmt.Errorf("audit entry %d: record detail: %w", seq, err)
		}
		m := out[table]
		if m == nil {
			m = map[string]attestedState{}
			out[table] = m
		}
		st := attestedState{seq: seq}
		if action == critmin.AuditRecordSet {
			st.hash = det.Hash
		}
		m[key] = st
	}
	return out, rows.Err()
}

// VerifyAttested checks every attested table against the audit chain:
// every row has its entry with a matching hash, and every row the chain
// says stands is there. It returns the number of rows checked and the
// first problem, in the order of AttestedTables and then of the key.
func (db *DB) VerifyAttested(ctx context.Context) (int64, *RecordProblem, error) {
	return db.verifyAttested(ctx, "")
}

func (db *DB) verifyAttested(ctx context.Context, only string) (int64, *RecordProblem, error) {
	att, err := db.attestations(ctx, only)
	if err != nil {
		return 0, nil, err
	}
	var n int64
	for _, t := range attestedTables {
		if only != "" && t.Name != only {
			continue
		}
		want := att[t.Name]
		seen := map[string]bool{}
		var problems []*RecordProblem
		query := "SELECT " + strings.Join(t.Cols, ", ") + " FROM " + t.Name
		rows, err := db.reader(ctx).QueryContext(ctx, query)
		if err != nil {
			return 0, nil, fmt.Errorf("%s: verify: read %s: %w", db.Dialect.Name, t.Name, err)
		}
		vals := make([]any, len(t.Cols))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		nv := make([]value, len(vals))
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return 0, nil, err
			}
			for i, v := range vals {
				nv[i] = normalise(v)
			}
			n++
			key := keyOf(t, nv)
			seen[key] = true
			st, ok := want[key]
			switch {
			case !ok:
				problems = append(problems, &RecordProblem{t.Name, key, "no audit entry records this row: it was written outside critmin"})
			case st.hash == "":
				problems = append(problems, &RecordProblem{t.Name, key, fmt.Sprintf("audit entry %d records this row as removed, yet it is stored: it was written outside critmin", st.seq)})
			case st.hash != rowHash(t, nv):
				problems = append(problems, &RecordProblem{t.Name, key, fmt.Sprintf("content differs from audit entry %d: the row was edited after it was recorded", st.seq)})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, nil, err
		}
		for key, st := range want {
			if !seen[key] && st.hash != "" {
				problems = append(problems, &RecordProblem{t.Name, key, fmt.Sprintf("missing: audit entry %d records it and no later entry removes it: the row was deleted outside critmin", st.seq)})
			}
		}
		if len(problems) > 0 {
			sort.Slice(problems, func(i, j int) bool { return problems[i].Row < problems[j].Row })
			p := problems[0]
			p.Row = showKey(t, p.Row)
			return n, p, nil
		}
	}
	return n, nil, nil
}

// checkAttestedRow refuses (ECONFLICT, naming the row) a row of an
// attested table that differs from its audit entry, for readers that
// answer from it.
func (db *DB) checkAttestedRow(ctx context.Context, table string, key ...any) error {
	return db.checkAttestedIn(ctx, db.reader(ctx), table, key...)
}

// checkAttestedKeys checks, through q, every row named by keys
// (checkAttestedIn): the readers of attested tables call it after closing
// their rows, so nothing is computed from a row edited or inserted
// outside critmin. One read of the row and one indexed audit_log lookup
// (audit_log_subject, migration 0056) per row.
func (db *DB) checkAttestedKeys(ctx context.Context, q querier, table string, keys [][]any) error {
	for _, k := range keys {
		if err := db.checkAttestedIn(ctx, q, table, k...); err != nil {
			return err
		}
	}
	return nil
}

// checkAttestedIn is checkAttestedRow reading through q (a transaction
// when the reader runs in one): the row, when there is one, must be what
// the audit chain's latest entry for its key records. The row and its
// entry are read in one statement, so one snapshot: a write committed
// between two reads cannot make a sound row look tampered with.
func (db *DB) checkAttestedIn(ctx context.Context, q querier, table string, key ...any) error {
	t := attestedTable(table)
	kv := make([]value, len(key))
	for i, k := range keyArgs(key) {
		kv[i] = normalise(k)
	}
	k := keyOf(t, kv)
	where := make([]string, len(t.Key))
	for i, c := range t.Key {
		where[i] = "r." + c + " = ?"
	}
	cols := make([]string, len(t.Cols))
	for i, c := range t.Cols {
		cols[i] = "r." + c
	}
	query := "SELECT " + strings.Join(cols, ", ") + ", a.seq, a.action, a.detail FROM " + t.Name + " r LEFT JOIN (SELECT seq, action, detail FROM audit_log WHERE action IN (?, ?) AND subject = ? ORDER BY seq DESC LIMIT 1) a ON 1 = 1 WHERE " + strings.Join(where, " AND ")
	args := append([]any{critmin.AuditRecordSet, critmin.AuditRecordDelete, recordSubject(table, k)}, keyArgs(key)...)
	raw := make([]any, len(t.Cols))
	ptrs := make([]any, len(raw)+3)
	for i := range raw {
		ptrs[i] = &raw[i]
	}
	var seq sql.NullInt64
	var action, detail sql.NullString
	ptrs[len(raw)], ptrs[len(raw)+1], ptrs[len(raw)+2] = &seq, &action, &detail
	err := q.QueryRowContext(ctx, db.q(query), args...).Scan(ptrs...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	} else if err != nil {
		return fmt.Errorf("%s: read %s attestation: %w", db.Dialect.Name, table, err)
	}
	vals := make([]value, len(raw))
	for i, v := range raw {
		vals[i] = normalise(v)
	}
	var det recordDetail
	_ = json.Unmarshal([]byte(detail.String), &det)
	switch {
	case !seq.Valid:
		return critmin.Errorf(critmin.ECONFLICT, "%s row %s has no audit entry: it was written outside critmin (critmin verify)", table, showKey(t, k))
	case action.String != critmin.AuditRecordSet:
		return critmin.Errorf(critmin.ECONFLICT, "%s row %s is stored though audit entry %d records it as removed: it was written outside critmin (critmin verify)", table, showKey(t, k), seq.Int64)
	case det.Hash != rowHash(t, vals):
		return critmin.Errorf(critmin.ECONFLICT, "%s row %s differs from its audit entry %d: it was edited after it was recorded (critmin verify)", table, showKey(t, k), seq.Int64)
	}
	return nil
}

// checkAttestedMissing refuses (ECONFLICT, naming the row) a key whose
// row is missing while the audit chain's latest entry for it records the
// row as standing: it was deleted outside critmin. For readers that would
// otherwise answer "not found" (or "not revoked").
func (db *DB) checkAttestedMissing(ctx context.Context, table string, key ...any) error {
	t := attestedTable(table)
	kv := make([]value, len(key))
	for i, k := range keyArgs(key) {
		kv[i] = normalise(k)
	}
	k := keyOf(t, kv)
	var seq int64
	var action string
	err := db.reader(ctx).QueryRowContext(ctx, db.q(`SELECT seq, action FROM audit_log WHERE action IN (?, ?) AND subject = ? ORDER BY seq DESC LIMIT 1`),
		critmin.AuditRecordSet, critmin.AuditRecordDelete, recordSubject(table, k)).Scan(&seq, &action)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return fmt.Errorf("%s: read %s attestation: %w", db.Dialect.Name, table, err)
	case action == critmin.AuditRecordSet:
		return critmin.Errorf(critmin.ECONFLICT, "%s row %s is missing though audit entry %d records it: it was deleted outside critmin (critmin verify)", table, showKey(t, k), seq)
	}
	return nil
}

// backfillAttested is migration 0053's Go step: rows of the attested
// tables written before this migration have no audit entry, so it
// records one for each, attesting the state at upgrade time.
func backfillAttested(ctx context.Context, _ *sql.DB, tx *sql.Tx, d Dialect) error {
	at := time.Now().UTC()
	var entries []*critmin.AuditEntry
	for _, t := range attestedTables {
		rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(t.Key, ", ")+" FROM "+t.Name+" ORDER BY "+strings.Join(t.Key, ", "))
		if err != nil {
			return fmt.Errorf("backfill %s: %w", t.Name, err)
		}
		var keys [][]any
		for rows.Next() {
			k := make([]any, len(t.Key))
			ptrs := make([]any, len(k))
			for i := range k {
				ptrs[i] = &k[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return err
			}
			for i, v := range k {
				if b, ok := v.([]byte); ok {
					k[i] = string(b)
				}
			}
			keys = append(keys, k)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, k := range keys {
			e, err := attestEntry(ctx, tx, d, t.Name, at, k...)
			if err != nil {
				return err
			}
			entries = append(entries, e)
		}
	}
	return appendAudit(ctx, tx, d, entries...)
}

// AttestExisting records an audit entry for every row of the attested
// tables as it stands — migration 0053's step, for a store written before
// the attestation; exported for tests that seed rows in SQL.
func (db *DB) AttestExisting(ctx context.Context) error {
	tx, err := db.Write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := backfillAttested(ctx, nil, tx, db.Dialect); err != nil {
		return err
	}
	return tx.Commit()
}
