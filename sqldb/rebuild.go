package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// DerivedTable is a table verify rebuilds from the chained records and
// compares row by row with the stored one. Key lists the columns that
// order and identify rows (a name starting with "#" is numeric, the
// others are text compared byte-wise); Cols the other columns compared,
// each a column name or "SQL expression AS name". A table whose rows have
// no natural key lists every column in Key and compares as a multiset.
type DerivedTable struct {
	Name string
	Key  []string
	Cols []string
}

// derivedTables is every table a certificate can rest on that is not
// itself a chained source. Helpers adding a derived table register it
// here (or with RegisterDerived) and verify covers it.
var derivedTables = []DerivedTable{
	// The indexed columns of events; the chained content (event JSON,
	// identity, times, capture) is the replay's input and is checked by
	// the chain and the log instead.
	{Name: "events", Key: []string{"#chain_seq"}, Cols: []string{"pk", "event_type", "tz", "action", "biz_step", "disposition", "read_point", "biz_location", "transformation_id", "read_point_canon", "biz_location_canon",
		"(SELECT c.hash FROM contexts c WHERE c.id = events.context_id) AS context", "prev_chain", "chain"}},
	{Name: "contexts", Key: []string{"hash"}, Cols: []string{"body"}},
	{Name: "event_epcs", Key: []string{"#event_pk", "role", "epc", "canon"}},
	{Name: "event_quantities", Key: []string{"#event_pk", "role", "epc_class", "#quantity", "uom", "canon"}},
	{Name: "event_attrs", Key: []string{"#event_pk", "kind", "name", "val", "canon"}},
	{Name: "transformation_members", Key: []string{"transformation_id", "role", "epc_class", "#quantity", "uom"}},
	{Name: "lots", Key: []string{"id"}, Cols: []string{"commodity", "quantity", "uom", "wet_t", "dry_t", "moisture", "origin_country", "origin_mine", "supplier", "location", "read_point",
		"status", "disposition", "owner", "custodian", "first_us", "last_us", "event_count", "assays", "claims", "location_canon"}},
	{Name: "lot_links", Key: []string{"parent", "child", "event_id"}, Cols: []string{"kind", "parent_qty", "parent_uom", "child_qty", "child_uom", "event_time", "biz_location"}},
	{Name: "lot_moves", Key: []string{"lot", "event_id", "from_loc", "to_loc", "#tonnes"}},
	{Name: "lot_origin", Key: []string{"lot"}, Cols: []string{"mix", "stale"}},
	{Name: "master_data", Key: []string{"vtype", "id"}, Cols: []string{"attrs"}},
	{Name: "chain_roots", Key: []string{"day"}, Cols: []string{"last_seq", "root", "events"}},
	{Name: "log_hashes", Key: []string{"#idx"}, Cols: []string{"hash"}},
	{Name: "log_tree", Key: []string{"#id"}, Cols: []string{"size", "root"}},
	// Tokens and their roles, expiry and revocation come from the audit
	// chain; last use is not a change of rights and is not compared.
	{Name: "tokens", Key: []string{"name"}, Cols: []string{"role", "hash", "created_us", "expires_us", "revoked_us"}},
}

// RegisterDerived adds a table to those verify rebuilds and compares.
func RegisterDerived(t DerivedTable) { derivedTables = append(derivedTables, t) }

// DerivedTables lists the tables verify compares.
func DerivedTables() []DerivedTable { return append([]DerivedTable(nil), derivedTables...) }

// Difference is the first place a stored derived table differs from its
// rebuild: the table, the row's key, the column ("(row)" when a whole
// row is missing on one side) and both values.
type Difference struct {
	Table   string `json:"table"`
	Key     string `json:"key"`
	Column  string `json:"column"`
	Stored  string `json:"stored"`
	Rebuilt string `json:"rebuilt"`
}

func (d *Difference) Error() string {
	return fmt.Sprintf("table %s, row %s, column %s: stored %s, rebuilt from the log %s", d.Table, d.Key, d.Column, d.Stored, d.Rebuilt)
}

// RebuildStats counts what a rebuild replayed and compared.
type RebuildStats struct {
	Events   int64 `json:"events"`
	Captures int64 `json:"captures"`
	Audit    int64 `json:"auditEntries"`
	Rows     int64 `json:"rowsCompared"`
	Tables   int   `json:"tables"`
}

// Rebuild replays every chained record of db, and the audit chain (tokens
// and master data), into scratch — an empty store of the same schema —
// through the capture code itself (epcis.DecodeStored, ledger's mineral
// decoding, CaptureEvents: one code path for every projection), then
// compares every derived table. It returns the first difference, or nil.
// Records keep their keys (pk) and captures their grouping, so a faithful
// store rebuilds to identical rows.
func (db *DB) Rebuild(ctx context.Context, scratch *DB) (*Difference, *RebuildStats, error) {
	st := &RebuildStats{}
	prog := critmin.Progress(ctx)
	var n int64
	scan := func(ctx context.Context, fn func(*critmin.ChainRecord) error) error {
		return db.ScanChain(ctx, func(r *critmin.ChainRecord) error {
			n++
			prog("rebuild", n, 0)
			return fn(r)
		})
	}
	if err := db.replay(ctx, scratch, st, scan, nil); err != nil {
		return nil, st, err
	}
	for _, t := range derivedTables {
		d, n, err := compareTable(ctx, db, scratch, t, "")
		st.Rows += n
		st.Tables++
		if err != nil || d != nil {
			return d, st, err
		}
	}
	return nil, st, nil
}

// replayed is a decoded record on its way to the scratch store.
type replayed struct {
	rec *critmin.ChainRecord
	ev  *critmin.Event
	err error
}

// partial, when not nil, names the captures scan will yield (a partial
// replay of some records, as CheckEvidence does); master data that came
// with any other capture is then applied on its own at its place in the
// log, so the scratch store's master data is whole.
func (db *DB) replay(ctx context.Context, scratch *DB, st *RebuildStats, scan func(context.Context, func(*critmin.ChainRecord) error) error, partial map[string]bool) error {
	// Audit entries: tokens are re-created, master data is handed to the
	// capture it came with (or replayed on its own at its place in the log).
	var audit []*critmin.AuditEntry
	if err := db.ScanAudit(ctx, func(e *critmin.AuditEntry) error { audit = append(audit, e); return nil }); err != nil {
		return err
	}
	st.Audit = int64(len(audit))
	master := map[string][]critmin.MasterDataElement{}
	var standalone []*critmin.AuditEntry // audit entries replayed by log position
	for _, e := range audit {
		switch e.Action {
		case critmin.AuditMasterData:
			var m []critmin.MasterDataElement
			if err := json.Unmarshal([]byte(e.Detail), &m); err != nil {
				return fmt.Errorf("verify: audit entry %d: master data: %w", e.Seq, err)
			}
			if _, ok := master[e.CaptureID]; ok || e.CaptureID == "" || (partial != nil && !partial[e.CaptureID]) {
				standalone = append(standalone, e)
			} else {
				master[e.CaptureID] = m
			}
		case critmin.AuditTokenCreate, critmin.AuditTokenRevoke:
			standalone = append(standalone, e)
		}
	}
	var queue []int64
	scratch.Dialect.ReservePKs = func(ctx context.Context, tx *sql.Tx, n int) ([]int64, error) {
		if n > len(queue) {
			return nil, fmt.Errorf("verify: replay asked for %d keys, %d known", n, len(queue))
		}
		out := queue[:n:n]
		queue = queue[n:]
		return out, nil
	}
	used := map[string]bool{}
	var groupSeq int64 // chain position of the group's first record
	// flushAudit applies standalone entries written at log size ≤ upto.
	flushAudit := func(upto int64) error {
		for len(standalone) > 0 && standalone[0].LogSize <= upto {
			e := standalone[0]
			standalone = standalone[1:]
			if err := scratch.replayAudit(ctx, e, master, used); err != nil {
				return err
			}
		}
		return nil
	}
	var group []*critmin.Event
	var groupID string
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		if err := flushAudit(groupSeq - 1); err != nil {
			return err
		}
		queue = queue[:0]
		for _, ev := range group {
			queue = append(queue, ev.PK)
		}
		st.Captures++
		job := &critmin.CaptureJob{CaptureID: fmt.Sprintf("replay-%d", st.Captures), CreatedAt: group[0].RecordTime, CaptureErrorBehaviour: critmin.BehaviourRollback,
			EventCount: len(group), Errors: []critmin.CaptureError{}}
		m := master[groupID]
		used[groupID] = true
		if _, err := scratch.CaptureEvents(ctx, job, group, m); err != nil {
			return fmt.Errorf("verify: replay capture %s: %w", groupID, err)
		}
		group = group[:0]
		return nil
	}
	err := decodeRecords(ctx, scan, func(r replayed) error {
		if r.err != nil {
			return r.err
		}
		if r.rec.CaptureID != groupID || len(group) >= 10000 {
			if err := flush(); err != nil {
				return err
			}
			groupID, groupSeq = r.rec.CaptureID, r.rec.Seq
		}
		r.ev.PK, r.ev.CaptureID = r.rec.PK, r.rec.CaptureID
		group = append(group, r.ev)
		st.Events++
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	return flushAudit(math.MaxInt64)
}

// replayAudit applies one audit entry that came with no replayed events.
func (db *DB) replayAudit(ctx context.Context, e *critmin.AuditEntry, master map[string][]critmin.MasterDataElement, used map[string]bool) error {
	switch e.Action {
	case critmin.AuditTokenCreate:
		var d struct {
			Role, Hash string
			ExpiresUs  int64
		}
		if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
			return fmt.Errorf("verify: audit entry %d: %w", e.Seq, err)
		}
		t := &critmin.Token{Name: e.Subject, Role: d.Role, Hash: d.Hash, CreatedAt: e.At}
		if d.ExpiresUs != 0 {
			t.ExpiresAt = fromMicros(d.ExpiresUs)
		}
		return db.CreateToken(ctx, t)
	case critmin.AuditTokenRevoke:
		_, err := db.RevokeToken(ctx, e.Subject, e.At)
		return err
	case critmin.AuditMasterData:
		var m []critmin.MasterDataElement
		if err := json.Unmarshal([]byte(e.Detail), &m); err != nil {
			return fmt.Errorf("verify: audit entry %d: %w", e.Seq, err)
		}
		if mm, ok := master[e.CaptureID]; ok && e.CaptureID != "" && !used[e.CaptureID] {
			used[e.CaptureID] = true
			m = mm
		}
		job := &critmin.CaptureJob{CaptureID: fmt.Sprintf("replay-audit-%d", e.Seq), CreatedAt: e.At, CaptureErrorBehaviour: critmin.BehaviourRollback, Errors: []critmin.CaptureError{}}
		_, err := db.CaptureEvents(ctx, job, nil, m)
		return err
	}
	return nil
}

// decodeRecords streams the records scan gives, decoded into events on
// every core, to fn in the same order.
func decodeRecords(ctx context.Context, scan func(context.Context, func(*critmin.ChainRecord) error) error, fn func(replayed) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, runtime.GOMAXPROCS(0))
	type job struct {
		r   *critmin.ChainRecord
		out chan replayed
	}
	jobs := make(chan job, 256*workers)
	order := make(chan chan replayed, 256*workers)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				ev, err := epcis.DecodeStored([]byte(j.r.Raw), []byte(j.r.Context))
				if err == nil && ev.ErrorDeclaration == nil {
					var ferrs []critmin.FieldError
					ev.Mineral, ferrs = ledger.DecodeMineral(ev, "")
					if len(ferrs) > 0 {
						err = fmt.Errorf("verify: record %d: %s: %s", j.r.Seq, ferrs[0].Pointer, ferrs[0].Reason)
					}
				}
				if err != nil {
					err = fmt.Errorf("verify: record %d (%s): %w", j.r.Seq, j.r.EventID, err)
				}
				j.out <- replayed{rec: j.r, ev: ev, err: err}
			}
		}()
	}
	scanErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(jobs)
		scanErr <- scan(ctx, func(r *critmin.ChainRecord) error {
			out := make(chan replayed, 1)
			select {
			case order <- out:
			case <-ctx.Done():
				return ctx.Err()
			}
			jobs <- job{r: r, out: out}
			return nil
		})
	}()
	var err error
	for out := range order {
		r := <-out
		if err == nil {
			err = fn(r)
			if err != nil {
				cancel()
			}
		}
	}
	wg.Wait()
	if e := <-scanErr; err == nil && e != nil {
		err = e
	}
	return err
}

// compareTable streams a table from both stores in key order and returns
// the first difference and the rows compared.
// A where clause, if given, limits both sides to the same rows.
func compareTable(ctx context.Context, stored, rebuilt *DB, t DerivedTable, where string, args ...any) (*Difference, int64, error) {
	a, err := stored.tableRows(ctx, t, where, args...)
	if err != nil {
		return nil, 0, err
	}
	defer a.Close()
	b, err := rebuilt.tableRows(ctx, t, where, args...)
	if err != nil {
		return nil, 0, err
	}
	defer b.Close()
	keys := len(t.Key)
	names := append(keyNames(t.Key), colNames(t.Cols)...)
	keyText := func(row []value) string {
		parts := make([]string, keys)
		for i := 0; i < keys; i++ {
			parts[i] = names[i] + "=" + row[i].String()
		}
		return strings.Join(parts, ", ")
	}
	var n int64
	ra, errA := a.next()
	rb, errB := b.next()
	for {
		if errA != nil || errB != nil {
			return nil, n, fmt.Errorf("verify: read %s: %v %v", t.Name, errA, errB)
		}
		if ra == nil && rb == nil {
			return nil, n, nil
		}
		c := 0
		switch {
		case ra == nil:
			c = 1
		case rb == nil:
			c = -1
		default:
			for i := 0; i < keys && c == 0; i++ {
				c = ra[i].compare(rb[i])
			}
		}
		switch {
		case c < 0:
			return &Difference{Table: t.Name, Key: keyText(ra), Column: "(row)", Stored: "present", Rebuilt: "absent"}, n, nil
		case c > 0:
			return &Difference{Table: t.Name, Key: keyText(rb), Column: "(row)", Stored: "absent", Rebuilt: "present"}, n, nil
		}
		for i := keys; i < len(names); i++ {
			if ra[i].compare(rb[i]) != 0 {
				return &Difference{Table: t.Name, Key: keyText(ra), Column: names[i], Stored: ra[i].String(), Rebuilt: rb[i].String()}, n, nil
			}
		}
		n++
		ra, errA = a.next()
		rb, errB = b.next()
	}
}

func keyNames(key []string) []string {
	out := make([]string, len(key))
	for i, k := range key {
		out[i] = strings.TrimPrefix(k, "#")
	}
	return out
}

func colNames(cols []string) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		if j := strings.LastIndex(c, " AS "); j >= 0 {
			c = c[j+4:]
		}
		out[i] = c
	}
	return out
}

type rowStream struct {
	rows *sql.Rows
	vals []any
	ptrs []any
}

func (s *rowStream) Close() { s.rows.Close() }

func (s *rowStream) next() ([]value, error) {
	if !s.rows.Next() {
		return nil, s.rows.Err()
	}
	if err := s.rows.Scan(s.ptrs...); err != nil {
		return nil, err
	}
	out := make([]value, len(s.vals))
	for i, v := range s.vals {
		out[i] = normalise(v)
	}
	return out, nil
}

// tableRows selects a derived table in key order: NULLs first and text
// byte-wise on both backends, the order compareTable merges in.
func (db *DB) tableRows(ctx context.Context, t DerivedTable, where string, args ...any) (*rowStream, error) {
	var order []string
	for _, k := range t.Key {
		if name, ok := strings.CutPrefix(k, "#"); ok {
			order = append(order, name+" NULLS FIRST")
		} else if db.Dialect.Dollar {
			order = append(order, k+` COLLATE "C" NULLS FIRST`)
		} else {
			order = append(order, k+" NULLS FIRST")
		}
	}
	cols := append(keyNames(t.Key), t.Cols...)
	if where != "" {
		where = " WHERE " + where
	}
	query := "SELECT " + strings.Join(cols, ", ") + " FROM " + t.Name + where + " ORDER BY " + strings.Join(order, ", ")
	if db.Dialect.Dollar {
		query = Rebind(query)
	}
	rows, err := db.Read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: verify: read %s: %w", db.Dialect.Name, t.Name, err)
	}
	s := &rowStream{rows: rows, vals: make([]any, len(cols)), ptrs: make([]any, len(cols))}
	for i := range s.vals {
		s.ptrs[i] = &s.vals[i]
	}
	return s, nil
}

// value is a column value in a form both backends agree on.
type value struct {
	null bool
	num  bool
	f    float64
	s    string
}

func normalise(v any) value {
	switch x := v.(type) {
	case nil:
		return value{null: true}
	case int64:
		return value{num: true, f: float64(x)}
	case int32:
		return value{num: true, f: float64(x)}
	case float64:
		return value{num: true, f: x}
	case float32:
		return value{num: true, f: float64(x)}
	case bool:
		if x {
			return value{num: true, f: 1}
		}
		return value{num: true}
	case []byte:
		return value{s: string(x)}
	case string:
		return value{s: x}
	default:
		return value{s: fmt.Sprint(x)}
	}
}

func (v value) compare(o value) int {
	switch {
	case v.null || o.null:
		switch {
		case v.null && o.null:
			return 0
		case v.null:
			return -1
		}
		return 1
	case v.num && o.num:
		switch {
		case v.f < o.f:
			return -1
		case v.f > o.f:
			return 1
		}
		return 0
	case v.num != o.num:
		if v.num {
			return -1
		}
		return 1
	}
	return strings.Compare(v.s, o.s)
}

func (v value) String() string {
	switch {
	case v.null:
		return "NULL"
	case v.num:
		return strconv.FormatFloat(v.f, 'g', -1, 64)
	}
	return strconv.Quote(v.s)
}
