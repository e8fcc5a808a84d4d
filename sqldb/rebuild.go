package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/critmin/critmin/units"
	"math"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

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
	// the chain and the log instead. The context is compared as the hash
	// of the contexts row events.context_id names (NULL if none): verify
	// reads context_id and looks the hash up in memory (contextOf),
	// which costs the stored read far less than a subquery a row.
	{Name: "events", Key: []string{"#chain_seq"}, Cols: []string{"pk", "event_type", "tz", "action", "biz_step", "disposition", "read_point", "biz_location", "transformation_id", "read_point_canon", "biz_location_canon",
		"context_id AS context", "prev_chain", "chain"}},
	{Name: "contexts", Key: []string{"hash"}, Cols: []string{"body"}},
	{Name: "event_epcs", Key: []string{"#event_pk", "role", "epc", "canon"}},
	{Name: "event_quantities", Key: []string{"#event_pk", "role", "epc_class", "#quantity", "uom", "canon"}},
	{Name: "event_attrs", Key: []string{"#event_pk", "kind", "name", "val", "canon"}},
	{Name: "transformation_members", Key: []string{"transformation_id", "role", "epc_class", "#quantity", "uom", "seal"}},
	{Name: "transformation_runs", Key: []string{"transformation_id"}, Cols: []string{"member_count", "seal"}},
	{Name: "lots", Key: []string{"id"}, Cols: []string{"commodity", "quantity", "uom", "wet_t", "dry_t", "moisture", "origin_country", "origin_mine", "supplier", "location", "read_point",
		"status", "disposition", "owner", "custodian", "first_us", "last_us", "event_count", "assays", "claims", "location_canon", "taken_t", "parts",
		// The derived-row seals (migration 0072) and the counts a lots
		// row's seal covers (0073) are derived too: readers refuse a row
		// whose seal or counts were edited, so verify names it as well.
		"link_count", "move_count", "out_link_count", "seal"}},
	{Name: "lot_links", Key: []string{"parent", "child", "event_id"}, Cols: []string{"kind", "parent_qty", "parent_uom", "child_qty", "child_uom", "event_time", "biz_location", "replay", "seal"}},
	{Name: "lot_moves", Key: []string{"lot", "event_id", "from_loc", "to_loc", "#tonnes", "seal"}},
	{Name: "lot_origin", Key: []string{"lot"}, Cols: []string{"mix", "stale", "seal"}},
	{Name: "master_data", Key: []string{"vtype", "id"}, Cols: []string{"attrs", "children", "record_us"}},
	{Name: "chain_roots", Key: []string{"day"}, Cols: []string{"last_seq", "root", "events"}},
	{Name: "log_hashes", Key: []string{"#idx"}, Cols: []string{"hash"}},
	{Name: "log_tree", Key: []string{"#id"}, Cols: []string{"size", "root"}},
	// Tokens and their roles, expiry and revocation come from the audit
	// chain; last use is not a change of rights and is not compared.
	{Name: "tokens", Key: []string{"name"}, Cols: []string{"role", "hash", "created_us", "expires_us", "revoked_us"}},
}

// RegisterDerived adds a table to those verify rebuilds and compares.
func RegisterDerived(t DerivedTable) { derivedTables = append(derivedTables, t) }

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
	// names is NonXMLNameKeys's report, gathered from the records as
	// they were read (nil when the rebuild did not read them all).
	names *xmlNameHits
}

// Rebuild rebuilds every derived table of db from its chained records
// and its audit chain alone, and compares each with the stored one; it
// returns the first difference (in the order of DerivedTables), or nil.
//
// The records are read once, in chain order, and decoded on every core
// by capture's own decoder (epcis.DecodeStored, ledger's mineral
// decoding). The tables that are a function of each record alone — the
// indexed columns of events, contexts, event_epcs, event_quantities,
// event_attrs, chain_roots, log_hashes and log_tree — are rebuilt in
// memory by the functions capture writes them with (index.go), the chain
// and leaf hashes on the decoding cores, and compared with the stored
// tables: the events rows as the chain is read (scanChainRows reads each
// record's stored row with it), the others streamed against the stored
// tables read in key order, one goroutine a table. The lot projection —
// lots, lot_links, lot_moves, lot_origin, transformation_members,
// master_data, tokens — is replayed through CaptureEvents itself, with
// the records' own keys and capture grouping, into scratch (an empty
// store), which is given only what the projection reads back
// (replayMode); those tables are then compared with the stored ones.
func (db *DB) Rebuild(ctx context.Context, scratch *DB) (*Difference, *RebuildStats, error) {
	return db.rebuild(ctx, scratch, db.scanChainRows, false)
}

// rebuild is Rebuild reading the chain with scan, which gives every
// record with its stored events row (scanChainRows); checked says that
// scan gives every record to the chain check (custody.ChainCheck) before
// it is rebuilt, and that a broken chain is reported before the rebuild.
func (db *DB) rebuild(ctx context.Context, scratch *DB, scan recordScan, checked bool) (*Difference, *RebuildStats, error) {
	st := &RebuildStats{}
	mode, err := db.verifyReplayMode(ctx, db.reader(ctx))
	if err != nil {
		return nil, st, fmt.Errorf("verify: %w", err)
	}
	// The chain is read while the streamed tables are read beside it, one
	// connection each: a bounded read pool grows for the rebuild.
	if max := db.Read.Stats().MaxOpenConnections; max > 0 {
		db.Read.SetMaxOpenConns(max + 1 + streamedTables)
		defer db.Read.SetMaxOpenConns(max)
	}
	scratch.writes = mode
	scratch.replayingLog = true
	// The captures settle where they settled when captured.
	scratch.ProjectUnit = db.ProjectUnit
	mem, err := db.startMemTables(ctx, false)
	if err != nil {
		return nil, st, err
	}
	mem.chainChecked = checked
	err = db.replay(ctx, scratch, st, scan, nil, mem)
	diffs, n, cerr := mem.finish(err != nil)
	st.Rows += n
	if err == nil {
		err = cerr
	}
	if err != nil {
		return nil, st, err
	}
	st.names = &mem.names
	if mem.outOfOrder || mem.resort || db.SortedRebuild {
		// Event keys do not rise with chain positions (a store copied or
		// merged by other means), or the stored index rows were not found
		// whole in insertion order (compareInserted): the index rows are
		// rebuilt again, held and sorted, and compared in key order.
		sorted, n, err := db.rebuildSorted(ctx)
		if err != nil {
			return nil, st, err
		}
		for name, d := range sorted {
			diffs[name] = d
			st.Rows -= mem.rows[name] // compared again: counted once
		}
		st.Rows += n
	}
	// The replayed tables: the stored rows are read ahead on their own
	// goroutine, a table after another in this order, while the scratch
	// rows are read and merged here (two connections, two cores).
	var replayedTables []DerivedTable
	for _, t := range derivedTables {
		if !inMemory[t.Name] {
			replayedTables = append(replayedTables, t)
		}
	}
	ahead := db.readAhead(ctx, replayedTables)
	defer ahead.stop()
	for _, t := range derivedTables {
		st.Tables++
		if inMemory[t.Name] {
			if d := diffs[t.Name]; d != nil {
				return d, st, nil
			}
			continue
		}
		var d *Difference
		var n int64
		pprof.Do(ctx, pprof.Labels("verify", "compare "+t.Name), func(ctx context.Context) {
			d, n, err = ahead.compare(ctx, scratch, t)
		})
		st.Rows += n
		if err != nil || d != nil {
			return d, st, err
		}
	}
	return nil, st, nil
}

// readAhead reads the stored rows of tables, one table after another in
// that order, on a goroutine of its own, in batches a few ahead of their
// comparison (compare, called for the same tables in the same order).
// One stored connection is in use at a time.
func (db *DB) readAhead(ctx context.Context, tables []DerivedTable) *aheadReader {
	ctx, cancel := context.WithCancel(ctx)
	a := &aheadReader{cancel: cancel, done: make(chan struct{}), chans: map[string]chan [][]value{}, errs: map[string]*error{}}
	for _, t := range tables {
		a.chans[t.Name] = make(chan [][]value, 4)
		a.errs[t.Name] = new(error)
	}
	go pprof.Do(ctx, pprof.Labels("verify", "stored replayed tables"), func(ctx context.Context) {
		defer close(a.done)
		for _, t := range tables {
			ch := a.chans[t.Name]
			*a.errs[t.Name] = db.readBatches(ctx, t, ch)
			close(ch)
			if ctx.Err() != nil {
				return
			}
		}
	})
	return a
}

type aheadReader struct {
	cancel context.CancelFunc
	done   chan struct{}
	chans  map[string]chan [][]value
	errs   map[string]*error // each set before its channel is closed
}

// readBatches sends t's stored rows in key order in batches of copied
// rows; it returns when they are all sent, or at the first error, or
// when ctx ends.
func (db *DB) readBatches(ctx context.Context, t DerivedTable, ch chan [][]value) error {
	rows, err := db.tableRows(ctx, t, "")
	if err != nil {
		return err
	}
	defer rows.Close()
	width := len(t.Key) + len(t.Cols)
	var batch [][]value
	var slab []value
	send := func() bool {
		if len(batch) == 0 {
			return true
		}
		select {
		case ch <- batch:
			batch, slab = nil, nil
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		row, err := rows.next()
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		if len(slab) < width {
			slab = make([]value, width*streamBatch)
		}
		cp := slab[:width:width]
		slab = slab[width:]
		copy(cp, row)
		batch = append(batch, cp)
		if len(batch) >= streamBatch && !send() {
			return ctx.Err()
		}
	}
	if !send() {
		return ctx.Err()
	}
	return nil
}

// compare merges t's stored rows read ahead with the rows of rebuilt.
func (a *aheadReader) compare(ctx context.Context, rebuilt *DB, t DerivedTable) (*Difference, int64, error) {
	ch := a.chans[t.Name]
	b, err := rebuilt.tableRows(ctx, t, "")
	if err != nil {
		return nil, 0, err
	}
	defer b.Close()
	return compareRows(t, &aheadIter{chanIter: chanIter{ch: ch}, err: a.errs[t.Name]}, b)
}

// stop ends the reading ahead and waits for it (its sends give up when
// ctx ends).
func (a *aheadReader) stop() {
	a.cancel()
	<-a.done
}

// aheadIter yields the rows read ahead, then the reader's error, if any:
// the reader sets it before it closes the channel.
type aheadIter struct {
	chanIter
	err *error
}

func (a *aheadIter) next() ([]value, error) {
	r, _ := a.chanIter.next()
	if r == nil && *a.err != nil {
		return nil, *a.err
	}
	return r, nil
}

// rebuildSorted rebuilds the in-memory tables holding every row, sorted
// by key, for a store whose event keys do not follow the chain.
func (db *DB) rebuildSorted(ctx context.Context) (map[string]*Difference, int64, error) {
	mem, err := db.startMemTables(ctx, true)
	if err != nil {
		return nil, 0, err
	}
	err = decodeRecords(ctx, withoutRows(db.ScanChain), mem.prepare, func(r replayed) error {
		if r.err != nil {
			return r.err
		}
		return mem.add(r)
	})
	diffs, n, cerr := mem.finish(err != nil)
	if err == nil {
		err = cerr
	}
	return diffs, n, err
}

// replayed is a decoded record on its way to the scratch store.
type replayed struct {
	rec  *critmin.ChainRecord
	ev   *critmin.Event
	err  error
	rows *recordRows // verify's in-memory rows of the record, if asked for
	// stored is the record's stored events row, when the scan read it
	// (scanChainRows).
	stored []value
}

// partial, when not nil, names the captures scan will yield (a partial
// replay of some records, as CheckEvidence does); master data that came
// with any other capture is then applied on its own at its place in the
// log, so the scratch store's master data is whole.
//
// mem, when not nil, is given every record too (Rebuild's in-memory
// tables), and the captures into scratch then run on their own goroutine,
// beside the decoding and the in-memory rebuild.
func (db *DB) replay(ctx context.Context, scratch *DB, st *RebuildStats, scan recordScan, partial map[string]bool, mem *memTables) error {
	// Audit entries: tokens are re-created, master data is handed to the
	// capture it came with (or replayed on its own at its place in the log).
	var audit []*critmin.AuditEntry
	if err := db.ScanAudit(ctx, func(e *critmin.AuditEntry) error { audit = append(audit, e); return nil }); err != nil {
		return err
	}
	st.Audit = int64(len(audit))
	master := map[string][]critmin.MasterDataElement{}
	masterEntry := map[string]*critmin.AuditEntry{} // the entry of each capture's master data
	var standalone []*critmin.AuditEntry            // audit entries replayed by log position
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
				masterEntry[e.CaptureID] = e
			}
		case critmin.AuditTokenCreate, critmin.AuditTokenRevoke:
			standalone = append(standalone, e)
		}
	}
	// Every write to scratch goes through do, in order: on its own
	// goroutine when mem is given, else at once.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	do := func(op func() error) error { return op() }
	var ops chan func() error
	var opErr error
	opsDone := make(chan struct{})
	if mem != nil {
		ops = make(chan func() error, 2)
		go func(ops chan func() error) {
			defer close(opsDone)
			for op := range ops {
				if opErr == nil {
					if opErr = op(); opErr != nil {
						cancel()
					}
				}
			}
		}(ops)
		do = func(op func() error) error {
			select {
			case ops <- op:
				return nil
			case <-opsDone:
				return opErr
			}
		}
	} else {
		close(opsDone)
	}
	// wait ends the writes and returns their first error.
	wait := func() error {
		if ops != nil {
			close(ops)
			ops = nil
		}
		<-opsDone
		return opErr
	}
	defer func() { _ = wait() }()
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
	// The master data of each capture, in log order. A capture that
	// stored no event (a master-data document, or all duplicates) has no
	// group to carry it: it is applied at its place in the log, before the
	// first later group, as capture applied it before the later documents
	// were projected (a site's cm:elementTolerance or custody model read
	// by a later run must be the same in the rebuild).
	var masterOrder []*critmin.AuditEntry
	for _, e := range audit {
		if e.Action == critmin.AuditMasterData && masterEntry[e.CaptureID] == e {
			masterOrder = append(masterOrder, e)
		}
	}
	started := map[string]bool{} // captures whose group has begun (this goroutine's)
	// flushAudit applies standalone entries, and the master data of
	// captures without events, written at log size ≤ upto, in log order.
	// Skip names the capture about to be replayed, which carries its own.
	flushAudit := func(upto int64, skip string) error {
		for {
			var e *critmin.AuditEntry
			for len(masterOrder) > 0 && masterOrder[0].LogSize <= upto && (masterOrder[0].CaptureID == skip || started[masterOrder[0].CaptureID]) {
				masterOrder = masterOrder[1:]
			}
			sa := len(standalone) > 0 && standalone[0].LogSize <= upto
			mo := len(masterOrder) > 0 && masterOrder[0].LogSize <= upto
			switch {
			case sa && (!mo || standalone[0].Seq < masterOrder[0].Seq):
				e, standalone = standalone[0], standalone[1:]
			case mo:
				e, masterOrder = masterOrder[0], masterOrder[1:]
				started[e.CaptureID] = true
			default:
				return nil
			}
			if err := do(func() error { return scratch.replayAudit(ctx, e, master, used) }); err != nil {
				return err
			}
		}
	}
	var group []*critmin.Event
	var groupID string
	flush := func() error {
		if len(group) == 0 {
			return nil
		}
		if err := flushAudit(groupSeq-1, groupID); err != nil {
			return err
		}
		started[groupID] = true
		pks := make([]int64, len(group))
		for i, ev := range group {
			pks[i] = ev.PK
		}
		st.Captures++
		job := &critmin.CaptureJob{CaptureID: fmt.Sprintf("replay-%d", st.Captures), CreatedAt: group[0].RecordTime, CaptureErrorBehaviour: critmin.BehaviourRollback,
			EventCount: len(group), Errors: []critmin.CaptureError{}}
		m := master[groupID]
		if e := masterEntry[groupID]; e != nil && len(m) > 0 {
			// Master data is versioned at its capture's time, which its
			// audit entry records (sqldb.ApplyMasterData).
			job.CreatedAt = e.At
		}
		evs, id := group, groupID
		group = nil // the captured slice belongs to the writer now
		return do(func() error {
			used[id] = true // (used is the writer's: replayAudit reads it)
			queue = pks
			if _, err := scratch.CaptureEvents(ctx, job, evs, m); err != nil {
				return fmt.Errorf("verify: replay capture %s: %w", id, err)
			}
			return nil
		})
	}
	var prepare func(*replayed)
	if mem != nil {
		prepare = mem.prepare
	}
	err := decodeRecords(ctx, scan, prepare, func(r replayed) error {
		if r.err != nil {
			return r.err
		}
		if mem != nil {
			if err := mem.add(r); err != nil {
				return err
			}
		}
		// A group is a multiple of ProjectEvery, so that the capture's
		// projection settles at the same events as when it was captured.
		if r.rec.CaptureID != groupID || len(group) >= 10*db.projectEvery() {
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
	if err := flushAudit(math.MaxInt64, ""); err != nil {
		return err
	}
	if err := wait(); err != nil {
		return err
	}
	// Master data of captures that stored no event (all duplicates, or a
	// master-data document): ApplyMasterData orders versions by their
	// time, so applying them last gives the same tables. The writer has
	// finished, so used is safe to read here.
	for _, e := range audit {
		if e.Action == critmin.AuditMasterData && masterEntry[e.CaptureID] == e && !used[e.CaptureID] {
			if err := scratch.replayAudit(ctx, e, master, used); err != nil {
				return err
			}
		}
	}
	return nil
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
// prepare, if not nil, runs on the decoding cores too, on each decoded
// record.
func decodeRecords(ctx context.Context, scan recordScan, prepare func(*replayed), fn func(replayed) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(1, runtime.GOMAXPROCS(0))
	// Records travel in batches (decodeBatch records a hand-over between
	// goroutines, not one each), decoded by any worker and given to fn in
	// scan order.
	type job struct {
		recs   []*critmin.ChainRecord
		stored [][]value // each record's stored events row, or nil
		out    chan []replayed
	}
	jobs := make(chan job, 8*workers)
	order := make(chan chan []replayed, 8*workers)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				out := make([]replayed, len(j.recs))
				for k, rec := range j.recs {
					out[k] = decodeRecord(rec, j.stored[k], prepare)
				}
				j.out <- out
			}
		}()
	}
	scanErr := make(chan error, 1)
	go func() {
		defer close(order)
		defer close(jobs)
		var batch []*critmin.ChainRecord
		var stored [][]value
		send := func() error {
			out := make(chan []replayed, 1)
			select {
			case order <- out:
			case <-ctx.Done():
				return ctx.Err()
			}
			jobs <- job{recs: batch, stored: stored, out: out}
			batch, stored = nil, nil
			return nil
		}
		err := scan(ctx, func(r *critmin.ChainRecord, row []value) error {
			batch, stored = append(batch, r), append(stored, row)
			if len(batch) >= decodeBatch {
				return send()
			}
			return nil
		})
		if err == nil && len(batch) > 0 {
			err = send()
		}
		scanErr <- err
	}()
	var err error
	for out := range order {
		rs := <-out
		for _, r := range rs {
			if err == nil {
				err = fn(r)
				if err != nil {
					cancel()
				}
			}
		}
	}
	wg.Wait()
	if e := <-scanErr; err == nil && e != nil {
		err = e
	}
	return err
}

// decodeBatch is the number of records handed to a decoding core at once.
const decodeBatch = 64

// decodeRecord decodes one record as capture would, and runs prepare on
// it when it decodes.
func decodeRecord(rec *critmin.ChainRecord, stored []value, prepare func(*replayed)) replayed {
	ev, err := epcis.DecodeStored([]byte(rec.Raw), []byte(rec.Context))
	if err == nil && ev.ErrorDeclaration == nil {
		var ferrs []critmin.FieldError
		ev.Mineral, ferrs = ledger.DecodeMineral(ev, "")
		if len(ferrs) > 0 {
			err = fmt.Errorf("verify: record %d: %s: %s", rec.Seq, ferrs[0].Pointer, ferrs[0].Reason)
		}
	}
	if err != nil {
		err = fmt.Errorf("verify: record %d (%s): %w", rec.Seq, rec.EventID, err)
	}
	r := replayed{rec: rec, ev: ev, err: err, stored: stored}
	if err == nil && prepare != nil {
		prepare(&r)
	}
	return r
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
	return compareRows(t, a, b)
}

// rowIter yields a table's rows in key order, nil at the end. A row
// may be overwritten by the next call.
type rowIter interface{ next() ([]value, error) }

// compareRows merges two row streams in key order and returns the first
// difference and the rows compared.
func compareRows(t DerivedTable, a, b rowIter) (*Difference, int64, error) {
	keys := len(t.Key)
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
			return &Difference{Table: t.Name, Key: keyText(t, ra), Column: "(row)", Stored: "present", Rebuilt: "absent"}, n, nil
		case c > 0:
			return &Difference{Table: t.Name, Key: keyText(t, rb), Column: "(row)", Stored: "absent", Rebuilt: "present"}, n, nil
		}
		if d := rowDifference(t, ra, rb); d != nil {
			return d, n, nil
		}
		n++
		ra, errA = a.next()
		rb, errB = b.next()
	}
}

// rowDifference returns the first column other than the key in which
// two rows of t with the same key differ, nil when none does.
func rowDifference(t DerivedTable, ra, rb []value) *Difference {
	keys := len(t.Key)
	for i := keys; i < keys+len(t.Cols); i++ {
		if ra[i].compare(rb[i]) != 0 {
			d := &Difference{Table: t.Name, Key: keyText(t, ra), Column: colNames(t.Cols[i-keys : i-keys+1])[0], Stored: ra[i].String(), Rebuilt: rb[i].String()}
			if d.Stored == d.Rebuilt { // long values cut alike: say where they part
				x, y := ra[i].s, rb[i].s
				j := 0
				for j < len(x) && j < len(y) && x[j] == y[j] {
					j++
				}
				d.Rebuilt += " (they differ from byte " + units.Int(j) + ")"
			}
			return d
		}
	}
	return nil
}

// keyText names a row of t by its key: "chain_seq=5".
func keyText(t DerivedTable, row []value) string {
	names := keyNames(t.Key)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = name + "=" + row[i].String()
	}
	return strings.Join(parts, ", ")
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
	out  []value
}

func (s *rowStream) Close() { s.rows.Close() }

func (s *rowStream) next() ([]value, error) {
	if !s.rows.Next() {
		return nil, s.rows.Err()
	}
	if err := s.rows.Scan(s.ptrs...); err != nil {
		return nil, err
	}
	// One row buffer a stream: compareRows reads a row only until it
	// asks for the next one (rowIter).
	if s.out == nil {
		s.out = make([]value, len(s.vals))
	}
	for i, v := range s.vals {
		s.out[i] = normalise(v)
	}
	return s.out, nil
}

// tableRows selects a derived table in key order: NULLs first and text
// byte-wise on both backends, the order compareTable merges in.
func (db *DB) tableRows(ctx context.Context, t DerivedTable, where string, args ...any) (*rowStream, error) {
	return db.selectRows(ctx, t, where, "", args...)
}

// selectRows is tableRows in the order orderBy gives instead, when not "".
func (db *DB) selectRows(ctx context.Context, t DerivedTable, where, orderBy string, args ...any) (*rowStream, error) {
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
	if orderBy == "" {
		orderBy = strings.Join(order, ", ")
	}
	query := "SELECT " + strings.Join(cols, ", ") + " FROM " + t.Name + where + " ORDER BY " + orderBy
	if db.Dialect.Dollar {
		query = Rebind(query)
	}
	rows, err := db.reader(ctx).QueryContext(ctx, query, args...)
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
	case int: // a count as a writer holds it (derivedSeal)
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
		// cmp.Compare orders NaN before every number and equal only to
		// NaN: with < and > alone a stored NaN (PostgreSQL keeps one in
		// a double precision column) compared equal to any rebuilt
		// figure, and an edit to NaN went unnoticed.
		return cmp.Compare(v.f, o.f)
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
		// Integers (microsecond times, counts) as integers, not
		// 1.796016567154451e+15.
		if v.f == math.Trunc(v.f) && math.Abs(v.f) < 1<<53 {
			return strconv.FormatInt(int64(v.f), 10)
		}
		return strconv.FormatFloat(v.f, 'g', -1, 64)
	}
	return quoteShort(v.s)
}

// maxShownBytes bounds a text value shown in a verify report.
const maxShownBytes = 200

// quoteShort quotes s, cut to its first maxShownBytes bytes (at a rune
// boundary) with its full length named when longer: a value of several KB
// is not printed whole.
func quoteShort(s string) string {
	if len(s) <= maxShownBytes {
		return strconv.Quote(s)
	}
	cut := maxShownBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%s bytes)", strconv.Quote(s[:cut]), units.Int(len(s)))
}
