package sqldb

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime/pprof"
	"slices"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"golang.org/x/mod/sumdb/tlog"
)

// memTables names the derived tables Rebuild rebuilds in memory: each is
// a function of the chained records alone (index.go builds their rows for
// capture and verify alike).
var inMemory = map[string]bool{"events": true, "contexts": true, "event_epcs": true, "event_quantities": true, "event_attrs": true,
	"chain_roots": true, "log_hashes": true, "log_tree": true}

// recordRows is what one record contributes to the in-memory tables,
// built on a decoding core: its events row (chain hash computed from the
// stored predecessor's hash, checked in order by add), its index rows
// sorted by key, and its leaf hash.
type recordRows struct {
	event   []value
	index   [3][][]value // event_epcs, event_quantities, event_attrs
	leaf    tlog.Hash
	chain   string
	context string // hash of the record's @context, "" if none
	day     string
	// xmlNames is what NonXMLNameKeys reports of the record ("" for
	// nothing): verify's warning, found in the same read.
	xmlNames string
}

// memTables rebuilds the per-record tables and compares them with the
// stored ones as the records arrive: the rows of each table go in
// batches to a goroutine that reads the stored table in key order and
// merges. With hold, every row is kept and sorted instead, and compared
// at the end.
type memTables struct {
	db   *DB
	ctx  context.Context
	hold bool
	spec map[string]DerivedTable
	// chainChecked says that every record reaches prepare only after the
	// chain check of the same pass (Verify) was given it.
	chainChecked bool

	seq, lastPK int64
	prev        string // rebuilt chain hash of the last record
	hashes      []tlog.Hash
	hashSlab    []value // the log_hashes rows' values (add)
	contexts    map[string]string
	days        map[string]*critmin.ChainRoot
	// outOfOrder is set when an event key does not rise with the chain:
	// the streamed index rows are then not in the stored order.
	outOfOrder bool
	// names gathers NonXMLNameKeys's report from the records.
	names xmlNameHits
	// resort is set when an index table streamed in insertion order was
	// not found whole (errStoredOrder): the index tables are then compared
	// again, held and sorted.
	resort bool

	streams map[string]*tableStream
	rows    map[string]int64 // rows compared a streamed table, set by finish

	// events is the comparison of the events table, made in add (not
	// with hold) from each record's stored row (scanChainRows): its first
	// difference, the rows compared before it, and the stored contexts'
	// hashes by id.
	events struct {
		diff   *Difference
		rows   int64
		hashes map[int64]string
		// contextCol is the row index of the context column, 0 until
		// the first row is compared.
		contextCol int
	}
}

// tableStream is one table's rebuilt rows on their way to its comparer.
type tableStream struct {
	t     DerivedTable
	batch [][]value
	held  [][]value
	ch    chan [][]value
	done  chan struct{}
	diff  *Difference
	rows  int64
	err   error
}

const streamBatch = 2048

// maxHashHint bounds the records whose log hashes startMemTables
// reserves room for (4,194,304 records: about 8.4 million hashes, 268 MB);
// a longer log grows its slice as it is rebuilt.
const maxHashHint = 1 << 22

// streamedNames are the tables compared as the records arrive, each on
// its own read connection.
var streamedNames = []string{"event_epcs", "event_quantities", "event_attrs", "log_hashes"}

const streamedTables = 4

// startMemTables starts the rebuild of the in-memory tables. Without
// hold every record given to add must carry its stored events row
// (scanChainRows).
func (db *DB) startMemTables(ctx context.Context, hold bool) (*memTables, error) {
	m := &memTables{db: db, ctx: ctx, hold: hold, prev: custody.Genesis, contexts: map[string]string{}, days: map[string]*critmin.ChainRoot{},
		spec: map[string]DerivedTable{}, streams: map[string]*tableStream{}, rows: map[string]int64{}}
	for _, t := range derivedTables {
		if inMemory[t.Name] {
			m.spec[t.Name] = t
		}
	}
	for name := range inMemory {
		if _, ok := m.spec[name]; !ok {
			return nil, fmt.Errorf("verify: derived table %s is not registered", name)
		}
	}
	// The rebuilt log holds tlog.StoredHashCount(n) hashes for n records:
	// reserved at once rather than grown by doubling and copying (the
	// chain's last position, from its index, is only a size hint, bounded
	// so that an edited chain_seq cannot reserve more than maxHashHint).
	var last sql.NullInt64
	if err := db.reader(ctx).QueryRowContext(ctx, `SELECT MAX(chain_seq) FROM events`).Scan(&last); err != nil {
		return nil, fmt.Errorf("%s: verify: read chain length: %w", db.Dialect.Name, err)
	}
	if n := min(max(last.Int64, 0), maxHashHint); n > 0 {
		m.hashes = make([]tlog.Hash, 0, tlog.StoredHashCount(n))
	}
	streamed := streamedNames
	if hold {
		streamed = []string{"event_epcs", "event_quantities", "event_attrs"}
	} else {
		var err error
		if m.events.hashes, err = db.contextHashes(ctx); err != nil {
			return nil, err
		}
	}
	for _, name := range streamed {
		s := &tableStream{t: m.spec[name]}
		m.streams[name] = s
		if hold {
			continue
		}
		s.ch, s.done = make(chan [][]value, 8), make(chan struct{})
		go pprof.Do(ctx, pprof.Labels("verify", "stored "+name), func(context.Context) {
			defer close(s.done)
			s.diff, s.rows, s.err = m.compareStored(s.t, &chanIter{ch: s.ch})
			for range s.ch { // the producer never waits on a finished comparer
			}
		})
	}
	return m, nil
}

// compareStored compares rebuilt rows with the stored table.
func (m *memTables) compareStored(t DerivedTable, rebuilt rowIter) (*Difference, int64, error) {
	if !m.hold && m.db.Dialect.Name == "sqlite" && slices.Contains(indexTables[:], t.Name) {
		return m.compareInserted(t, rebuilt)
	}
	stored, err := m.db.tableRows(m.ctx, t, "")
	if err != nil {
		return nil, 0, err
	}
	defer stored.Close()
	return compareRows(t, stored, rebuilt)
}

// errStoredOrder says that a streamed index table was not compared to
// the end in insertion order (compareInserted): its stored rows do not
// follow the event keys, or it differs from the rebuild. Verify then
// compares the index tables again, held and sorted (rebuildSorted), and
// reports what that finds.
var errStoredOrder = errors.New("verify: stored index rows not in event order")

// compareInserted compares a SQLite index table (event_epcs,
// event_quantities, event_attrs) read in insertion order — rowid order,
// which needs neither an index on event_pk nor a sort of the whole table
// in a temporary B-tree — with the rebuilt rows. Capture inserts each
// event's rows together and the events in key order, so the table read
// so is in event_pk order, and the few rows of each event are sorted here
// (eventGroups). A row whose event_pk does not rise (added later by hand
// or by an old migration), like any difference, ends the comparison with
// errStoredOrder: the sorted comparison names it, or finds the rows the
// same as a multiset. An edit is never missed: a table read to its end
// with rising keys and no difference is, row for row, the table in key
// order.
func (m *memTables) compareInserted(t DerivedTable, rebuilt rowIter) (*Difference, int64, error) {
	stored, err := m.db.selectRows(m.ctx, t, "", "rowid")
	if err != nil {
		return nil, 0, err
	}
	defer stored.Close()
	g := &eventGroups{rows: stored, keys: len(t.Key), pend: make([]value, len(t.Key)+len(t.Cols))}
	d, n, err := compareRows(t, g, rebuilt)
	if g.unordered || (err == nil && d != nil) {
		return nil, n, errStoredOrder
	}
	return d, n, err
}

// eventGroups yields an index table read in insertion order with the
// rows of each event_pk (the first key column) sorted by key; a key lower
// than or equal to an earlier group's sets unordered and ends the rows
// with errStoredOrder.
type eventGroups struct {
	rows      rowIter
	keys      int
	group     [][]value
	i         int
	slab      []value
	pend      []value // the first row of the next group
	hasPend   bool
	unordered bool
}

func (g *eventGroups) next() ([]value, error) {
	if g.i < len(g.group) {
		g.i++
		return g.group[g.i-1], nil
	}
	if g.unordered {
		return nil, errStoredOrder
	}
	// The previous group has been read: its rows' slab is reused.
	g.group, g.i, g.slab = g.group[:0], 0, g.slab[:0]
	keep := func(row []value) {
		g.slab = append(g.slab, row...)
		g.group = append(g.group, g.slab[len(g.slab)-len(row):len(g.slab):len(g.slab)])
	}
	if g.hasPend {
		keep(g.pend)
		g.hasPend = false
	} else {
		row, err := g.rows.next()
		if row == nil || err != nil {
			return nil, err
		}
		keep(row)
	}
	for {
		row, err := g.rows.next()
		if err != nil {
			return nil, err
		}
		if row == nil {
			break
		}
		c := row[0].compare(g.group[0][0])
		if c == 0 {
			keep(row)
			continue
		}
		if c < 0 {
			g.unordered = true
			return nil, errStoredOrder
		}
		copy(g.pend, row)
		g.hasPend = true
		break
	}
	slices.SortFunc(g.group, func(a, b []value) int { return compareKey(a, b, g.keys) })
	g.i = 1
	return g.group[0], nil
}

// contextOf turns a stored events row's context_id v into the hash of
// the contexts row it names, NULL when it names none (as a join would).
func contextOf(v value, hashes map[int64]string) value {
	if v.null {
		return v
	}
	h, ok := hashes[int64(v.f)]
	if !v.num || float64(int64(v.f)) != v.f || !ok {
		return value{null: true}
	}
	return value{s: h}
}

// contextHashes maps every stored context's id to its hash.
func (db *DB) contextHashes(ctx context.Context) (map[int64]string, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, hash FROM contexts`)
	if err != nil {
		return nil, fmt.Errorf("%s: verify: read contexts: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var h string
		if err := rows.Scan(&id, &h); err != nil {
			return nil, fmt.Errorf("%s: verify: read contexts: %w", db.Dialect.Name, err)
		}
		out[id] = h
	}
	return out, rows.Err()
}

// prepare builds a record's rows; it runs on the decoding cores.
func (m *memTables) prepare(r *replayed) {
	ev, rec := r.ev, r.rec
	ev.PK, ev.CaptureID = rec.PK, rec.CaptureID
	rr := &recordRows{}
	// The chain hash from the stored predecessor's hash; add checks, in
	// order, that the predecessor is the rebuilt one.
	var cr *critmin.ChainRecord
	if string(ev.Raw) == rec.Raw && string(ev.Context) == rec.Context {
		// Decoded from the record's own JSON and @context (always, but for
		// a decoder that rewrote them): their text and hash are the
		// record's, not copied and hashed again.
		cr = &critmin.ChainRecord{Seq: rec.Seq, PK: ev.PK, EventID: ev.EventID, Declaration: ev.ErrorDeclaration != nil, EventTime: micros(ev.EventTime), RecordTime: micros(ev.RecordTime),
			CaptureID: ev.CaptureID, ContextHash: rec.ContextHash, Raw: rec.Raw, PrevChain: rec.PrevChain}
		if m.chainChecked && sameRecord(cr, rec) {
			// The chain check of the same pass recomputes Link(PrevChain,
			// rec) for this record and compares it with rec.Chain; should
			// it differ, verify reports that first and the rebuild is not
			// looked at. The rebuilt record being the same, its hash is.
			cr.Chain = rec.Chain
		} else {
			cr.Chain = custody.Link(cr.PrevChain, cr)
		}
	} else {
		cr = eventRecord(ev, rec.Seq, rec.PrevChain)
	}
	rr.chain = cr.Chain
	rr.leaf = tlog.RecordHash(custody.LeafData(cr))
	rr.context = cr.ContextHash
	rr.day = ev.RecordTime.UTC().Format(time.DateOnly)
	rr.xmlNames = xmlNameText(rec.EventID, rec.Raw, rec.Context)
	var ctxHash any
	if rr.context != "" {
		ctxHash = rr.context
	}
	row := make([]value, 0, 15)
	row = append(row, normalise(rec.Seq), normalise(ev.PK), normalise(ev.Type))
	for _, v := range eventIndexed(ev) {
		row = append(row, normalise(v))
	}
	rr.event = append(row, normalise(ctxHash), normalise(nil), normalise(cr.Chain)) // prev_chain is set in order by add
	// The record's index rows share one slab of values.
	n := len(ev.EPCs)*indexWidths[indexEPCs] + len(ev.Quantities)*indexWidths[indexQuantities] +
		(len(ev.Sources)+len(ev.Destinations)+len(ev.BizTransactions)+len(ev.ILMD)+2)*indexWidths[indexAttrs]
	if ev.ErrorDeclaration != nil {
		n += len(ev.ErrorDeclaration.CorrectiveEventIDs) * indexWidths[indexAttrs]
	}
	slab := make([]value, 0, n)
	_ = eachIndexRow(ev, func(r *indexRow) error {
		w := indexWidths[r.table]
		if cap(slab)-len(slab) < w {
			slab = make([]value, 0, 16*w)
		}
		slab = r.appendValues(slab, ev.PK)
		rr.index[r.table] = append(rr.index[r.table], slab[len(slab)-w:len(slab):len(slab)])
		return nil
	})
	for i := range rr.index {
		keys := len(m.spec[indexTables[i]].Key)
		slices.SortFunc(rr.index[i], func(a, b []value) int { return compareKey(a, b, keys) })
	}
	r.rows = rr
}

// sameRecord reports whether two records hold the same chained content
// and predecessor (every field custody.Link reads).
func sameRecord(a, b *critmin.ChainRecord) bool {
	return a.Seq == b.Seq && a.PK == b.PK && a.EventID == b.EventID && a.Declaration == b.Declaration && a.EventTime == b.EventTime && a.RecordTime == b.RecordTime &&
		a.CaptureID == b.CaptureID && a.ContextHash == b.ContextHash && a.Raw == b.Raw && a.PrevChain == b.PrevChain
}

var indexTables = [3]string{"event_epcs", "event_quantities", "event_attrs"}

func compareKey(a, b []value, keys int) int {
	for i := 0; i < keys; i++ {
		if c := a[i].compare(b[i]); c != 0 {
			return c
		}
	}
	return 0
}

// add takes the next record in chain order.
func (m *memTables) add(r replayed) error {
	rr, rec := r.rows, r.rec
	m.seq++
	if rec.Seq != m.seq {
		return fmt.Errorf("verify: record %d where %d was expected", rec.Seq, m.seq)
	}
	if rec.PK <= m.lastPK {
		m.outOfOrder = true
	}
	m.lastPK = rec.PK
	m.names.addText(rec.PK, rr.xmlNames)
	chain := rr.chain
	if rec.PrevChain != m.prev {
		// The chain check (custody.VerifyStore) names such a record first;
		// here the rebuilt link is recomputed from the rebuilt predecessor.
		cr := eventRecord(r.ev, rec.Seq, m.prev)
		chain, rr.leaf = cr.Chain, tlog.RecordHash(custody.LeafData(cr))
	}
	rr.event[len(rr.event)-2] = normalise(m.prev)
	rr.event[len(rr.event)-1] = normalise(chain)
	m.prev = chain
	if rr.context != "" {
		if _, ok := m.contexts[rr.context]; !ok {
			m.contexts[rr.context] = string(r.ev.Context)
		}
	}
	if d := m.days[rr.day]; d != nil {
		d.LastSeq, d.Root, d.Events = rec.Seq, chain, d.Events+1
	} else {
		m.days[rr.day] = &critmin.ChainRoot{Day: rr.day, LastSeq: rec.Seq, Root: chain, Events: 1}
	}
	// The log: the stored hashes leaf n adds (tlog.StoredHashes).
	hs, err := tlog.StoredHashesForRecordHash(rec.Seq-1, rr.leaf, m)
	if err != nil {
		return fmt.Errorf("verify: log: %w", err)
	}
	base := int64(len(m.hashes))
	m.hashes = append(m.hashes, hs...)
	if s := m.streams["log_hashes"]; s != nil {
		for i, h := range hs {
			// (the rows share one slab: a record adds about two)
			if cap(m.hashSlab)-len(m.hashSlab) < 2 {
				m.hashSlab = make([]value, 0, 2*streamBatch)
			}
			m.hashSlab = append(m.hashSlab, value{num: true, f: float64(base + int64(i))}, value{s: hex.EncodeToString(h[:])})
			m.put(s, m.hashSlab[len(m.hashSlab)-2:len(m.hashSlab):len(m.hashSlab)])
		}
	}
	if !m.hold {
		if err := m.compareEvent(r.stored, rr.event); err != nil {
			return err
		}
	}
	for i, name := range indexTables {
		s := m.streams[name]
		for _, row := range rr.index[i] {
			m.put(s, row)
		}
	}
	return nil
}

// compareEvent compares a record's stored events row with its rebuilt
// one, as compareRows would in the stream (the same row of both sides:
// the scan reads one events row a record); it keeps the first difference.
func (m *memTables) compareEvent(stored, rebuilt []value) error {
	if m.events.diff != nil {
		return nil
	}
	t := m.spec["events"]
	if len(stored) != len(rebuilt) || len(stored) != len(t.Key)+len(t.Cols) {
		return fmt.Errorf("verify: events: a record without its stored row (%d columns, %d rebuilt)", len(stored), len(rebuilt))
	}
	if m.events.contextCol == 0 { // (found once: the column of the context's hash)
		m.events.contextCol = len(t.Key) + slices.Index(colNames(t.Cols), "context")
	}
	col := m.events.contextCol
	stored[col] = contextOf(stored[col], m.events.hashes)
	if d := rowDifference(t, stored, rebuilt); d != nil {
		m.events.diff = d
		return nil
	}
	m.events.rows++
	return nil
}

// ReadHashes implements tlog.HashReader over the rebuilt log.
func (m *memTables) ReadHashes(idx []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(idx))
	for i, x := range idx {
		if x < 0 || x >= int64(len(m.hashes)) {
			return nil, fmt.Errorf("log hash %d not rebuilt", x)
		}
		out[i] = m.hashes[x]
	}
	return out, nil
}

func (m *memTables) put(s *tableStream, row []value) {
	if m.hold {
		s.held = append(s.held, row)
		return
	}
	s.batch = append(s.batch, row)
	if len(s.batch) >= streamBatch {
		m.send(s)
	}
}

func (m *memTables) send(s *tableStream) {
	if len(s.batch) > 0 {
		s.ch <- s.batch
		s.batch = make([][]value, 0, streamBatch)
	}
}

// finish ends the streams, compares the small tables, and returns the
// first difference of each table and the rows compared. aborted ends
// the streams without waiting for a result.
func (m *memTables) finish(aborted bool) (map[string]*Difference, int64, error) {
	diffs := map[string]*Difference{}
	var rows int64
	var firstErr error
	for _, s := range m.streams {
		if m.hold {
			continue
		}
		if !aborted {
			m.send(s)
		}
		close(s.ch)
	}
	for name, s := range m.streams {
		if m.hold {
			keys := len(s.t.Key)
			slices.SortStableFunc(s.held, func(a, b []value) int { return compareKey(a, b, keys) })
			s.diff, s.rows, s.err = m.compareStored(s.t, &sliceIter{rows: s.held})
		} else {
			<-s.done
			if errors.Is(s.err, errStoredOrder) {
				m.resort, s.err, s.diff = true, nil, nil
			}
		}
		if s.err != nil && firstErr == nil {
			firstErr = s.err
		}
		diffs[name], rows = s.diff, rows+s.rows
		m.rows[name] = s.rows
	}
	if !m.hold {
		diffs["events"], rows = m.events.diff, rows+m.events.rows
		m.rows["events"] = m.events.rows
	}
	if aborted || firstErr != nil || m.hold {
		return diffs, rows, firstErr
	}
	// The small tables: contexts, day roots, the tree head.
	var ctxRows, dayRows [][]value
	for h, body := range m.contexts {
		ctxRows = append(ctxRows, []value{normalise(h), normalise(body)})
	}
	for _, d := range m.days {
		dayRows = append(dayRows, []value{normalise(d.Day), normalise(d.LastSeq), normalise(d.Root), normalise(int64(d.Events))})
	}
	var tree [][]value
	if size := m.seq; size > 0 {
		root, err := tlog.TreeHash(size, m)
		if err != nil {
			return nil, rows, fmt.Errorf("verify: log root: %w", err)
		}
		tree = append(tree, []value{normalise(int64(1)), normalise(size), normalise(hex.EncodeToString(root[:]))})
	}
	for _, x := range []struct {
		name string
		rows [][]value
	}{{"contexts", ctxRows}, {"chain_roots", dayRows}, {"log_tree", tree}} {
		t := m.spec[x.name]
		slices.SortFunc(x.rows, func(a, b []value) int { return compareKey(a, b, len(t.Key)) })
		d, n, err := m.compareStored(t, &sliceIter{rows: x.rows})
		if err != nil {
			return nil, rows, err
		}
		diffs[x.name], rows = d, rows+n
	}
	return diffs, rows, nil
}

// chanIter yields rows sent in batches on a channel.
type chanIter struct {
	ch  chan [][]value
	cur [][]value
}

func (c *chanIter) next() ([]value, error) {
	for len(c.cur) == 0 {
		b, ok := <-c.ch
		if !ok {
			return nil, nil
		}
		c.cur = b
	}
	r := c.cur[0]
	c.cur = c.cur[1:]
	return r, nil
}

// sliceIter yields rows held in a slice.
type sliceIter struct{ rows [][]value }

func (s *sliceIter) next() ([]value, error) {
	if len(s.rows) == 0 {
		return nil, nil
	}
	r := s.rows[0]
	s.rows = s.rows[1:]
	return r, nil
}

// recordScan streams the chained records in chain order, each with its
// stored events row (the events table's key and compared columns, as
// scanChainRows reads them), or nil when the scan reads none.
type recordScan func(ctx context.Context, fn func(*critmin.ChainRecord, []value) error) error

// withoutRows is scan as a recordScan that gives no stored events rows.
func withoutRows(scan func(context.Context, func(*critmin.ChainRecord) error) error) recordScan {
	return func(ctx context.Context, fn func(*critmin.ChainRecord, []value) error) error {
		return scan(ctx, func(r *critmin.ChainRecord) error { return fn(r, nil) })
	}
}

// scanChainRows is ScanChain giving with each record its stored events
// row, read by the same statement: the rebuild compares the events table
// as it reads the chain, in one pass over the table instead of two (the
// events table's rows are the chain's records, one each, in chain_seq
// order on both sides). The row is the events DerivedTable's key and
// columns, context_id still an id (memTables.add turns it into the hash).
// The columns the record holds already (chain_seq, pk, prev_chain,
// chain) are not selected twice: the row takes the record's values, read
// from the same columns of the same row.
func (db *DB) scanChainRows(ctx context.Context, fn func(*critmin.ChainRecord, []value) error) error {
	t, ok := derivedTable("events")
	if !ok {
		return fmt.Errorf("verify: derived table events is not registered")
	}
	cols := append(keyNames(t.Key), t.Cols...)
	fromRecord := map[string]func(*critmin.ChainRecord) value{
		"chain_seq":  func(r *critmin.ChainRecord) value { return normalise(r.Seq) },
		"pk":         func(r *critmin.ChainRecord) value { return normalise(r.PK) },
		"prev_chain": func(r *critmin.ChainRecord) value { return normalise(r.PrevChain) },
		"chain":      func(r *critmin.ChainRecord) value { return normalise(r.Chain) },
	}
	var selected []string
	var at []int                                               // the row's index of each selected column
	own := make([]func(*critmin.ChainRecord) value, len(cols)) // the others'
	for i, c := range cols {
		if own[i] = fromRecord[c]; own[i] == nil {
			selected = append(selected, "e."+c) // (plain column names, or "column AS name")
			at = append(at, i)
		}
	}
	rows, err := db.reader(ctx).QueryContext(ctx, "SELECT "+chainColumns+", "+strings.Join(selected, ", ")+chainFrom+" ORDER BY e.chain_seq")
	if err != nil {
		return fmt.Errorf("%s: scan chain: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var memo contextMemo
	vals := make([]any, len(selected))
	ptrs := make([]any, len(selected))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var slab []value
	for rows.Next() {
		r, err := memo.scan(rows, ptrs...)
		if err != nil {
			return err
		}
		if len(slab) < len(cols) {
			slab = make([]value, len(cols)*streamBatch)
		}
		row := slab[:len(cols):len(cols)]
		slab = slab[len(cols):]
		for i, f := range own {
			if f != nil {
				row[i] = f(r)
			}
		}
		for k, v := range vals {
			row[at[k]] = normalise(v)
		}
		if err := fn(r, row); err != nil {
			return err
		}
	}
	return rows.Err()
}
