package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

const eventColumns = `e.pk, e.event_id, e.declaration, e.event_type, e.event_time, e.record_time, COALESCE(e.tz, ''), COALESCE(e.action, ''),
	COALESCE(e.biz_step, ''), COALESCE(e.disposition, ''), COALESCE(e.read_point, ''), COALESCE(e.biz_location, ''), COALESCE(e.transformation_id, ''),
	e.capture_id, e.raw, COALESCE(c.body, ''), ` + declaredColumn

func scanEvent(rows *sql.Rows) (*critmin.Event, error) {
	var ev critmin.Event
	var decl int
	var et, rt int64
	var raw, ctx, declaredBy string
	if err := rows.Scan(&ev.PK, &ev.EventID, &decl, &ev.Type, &et, &rt, &ev.EventTimeZoneOffset, &ev.Action, &ev.BizStep, &ev.Disposition,
		&ev.ReadPoint, &ev.BizLocation, &ev.TransformationID, &ev.CaptureID, &raw, &ctx, &declaredBy); err != nil {
		return nil, err
	}
	ev.EventTime, ev.RecordTime = fromMicros(et), fromMicros(rt)
	ev.Raw = json.RawMessage(raw)
	if ctx != "" {
		ev.Context = json.RawMessage(ctx)
	}
	if err := scanDeclarations(&ev, decl == 1, declaredBy); err != nil {
		return nil, err
	}
	return &ev, nil
}

// where builds the WHERE clause of an event filter. Identifier matches go
// through the index tables with IN sub-selects, which both SQLite and
// PostgreSQL drive from the (value, role) indexes.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) in(col string, vals []string) {
	if len(vals) == 0 {
		return
	}
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	w.add(inList(col, len(vals)), args...)
}

// roles is the role condition of a MATCH_ filter: no roles means any
// role (web pages ask for a lot in whatever role it is named), so it adds
// an always-true condition rather than an empty IN list.
func (w *where) roles(roles []string) string {
	if len(roles) == 0 {
		return "1 = 1"
	}
	for _, r := range roles {
		w.args = append(w.args, r)
	}
	return inList("role", len(roles))
}

func buildWhere(f critmin.EventFilter) *where {
	w := &where{}
	w.in("e.event_type", f.EventTypes)
	if f.GEEventTime != nil {
		w.add("e.event_time >= ?", micros(*f.GEEventTime))
	}
	if f.LTEventTime != nil {
		w.add("e.event_time < ?", micros(*f.LTEventTime))
	}
	if f.GERecordTime != nil {
		w.add("e.record_time >= ?", micros(*f.GERecordTime))
	}
	if f.LTRecordTime != nil {
		w.add("e.record_time < ?", micros(*f.LTRecordTime))
	}
	w.in("e.action", f.Actions)
	w.in("e.biz_step", f.BizSteps)
	w.in("e.disposition", f.Dispositions)
	w.inCanon("e.read_point_canon", f.ReadPoints)
	w.inCanon("e.biz_location_canon", f.BizLocations)
	w.in("e.transformation_id", f.TransformationIDs)
	w.in("e.event_id", f.EventIDs)
	declarationFilter(w, f)
	w.masterConditions(f)
	for _, m := range f.EPCMatches {
		// Arguments are appended in the order the placeholders appear.
		cond := "e.pk IN (SELECT event_pk FROM event_epcs WHERE "
		if m.Suffix {
			cond += w.matchSuffix("epc", m.Patterns) + " AND " + w.roles(m.Roles) + ")"
		} else {
			cond += w.matchIDs("epc", "canon", m.Patterns, m.Exact) + " AND " + w.roles(m.Roles) + ")"
		}
		w.conds = append(w.conds, cond)
	}
	for _, m := range f.ClassMatches {
		cond := "e.pk IN (SELECT event_pk FROM event_quantities WHERE "
		if m.Suffix {
			cond += w.matchSuffix("epc_class", m.Patterns) + " AND " + w.roles(m.Roles) + ")"
		} else {
			cond += w.matchIDs("epc_class", "canon", m.Patterns, m.Exact) + " AND " + w.roles(m.Roles) + ")"
		}
		w.conds = append(w.conds, cond)
	}
	// Bounds in one unit (or in none) hold for one quantity element
	// together: GE_quantity=1&LT_quantity=5 asks for an element between.
	byUOM := map[string][]critmin.QuantityBound{}
	var uoms []string
	for _, b := range f.QuantityBounds {
		if _, seen := byUOM[b.UOM]; !seen {
			uoms = append(uoms, b.UOM)
		}
		byUOM[b.UOM] = append(byUOM[b.UOM], b)
	}
	for _, u := range uoms {
		w.conds = append(w.conds, "e.pk IN (SELECT event_pk FROM event_quantities WHERE "+quantityCond(byUOM[u], &w.args)+")")
	}
	for _, group := range f.QuantityAnyOf {
		var alts []string
		for _, b := range group {
			alts = append(alts, quantityCond([]critmin.QuantityBound{b}, &w.args))
		}
		w.conds = append(w.conds, "e.pk IN (SELECT event_pk FROM event_quantities WHERE "+strings.Join(alts, " OR ")+")")
	}
	if f.AfterSeq > 0 {
		w.add("e.chain_seq > ?", f.AfterSeq)
	}
	if f.UpToSeq > 0 {
		w.add("e.chain_seq <= ?", f.UpToSeq)
	}
	for _, kv := range []struct {
		kind string
		m    map[string][]string
	}{{"source", f.Sources}, {"destination", f.Destinations}, {"bizTransaction", f.BizTxns}} {
		names := make([]string, 0, len(kv.m))
		for n := range kv.m {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			vals := kv.m[name]
			args := []any{kv.kind, name}
			for _, v := range vals {
				args = append(args, canon(v))
			}
			w.add("e.pk IN (SELECT event_pk FROM event_attrs WHERE kind = ? AND name = ? AND "+inList("canon", len(vals))+")", args...)
		}
	}
	return w
}

// residualBatch is how many candidate rows a query with residual
// conditions reads at a time.
const residualBatch = 500

// FindEvents returns one page of events matching f, in the order asked,
// with a cursor for the next page when more match. Conditions the index
// tables cannot answer (f.Residual) are applied to the candidates the SQL
// conditions select, read in result order in batches, so that the page
// and its cursor are exact. With f.MaxEventCount the first page fails
// with EQUERYTOOLARGE when more events match.
func (db *DB) FindEvents(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error) {
	if len(f.EventIDs) > 0 || len(f.CorrectiveEventIDs) > 0 {
		// EQ_eventID and EQ_correctiveEventID match every stored spelling
		// of the eventIDs asked for (eventIDSpellings).
		var err error
		if f.EventIDs, err = db.eventIDSpellings(ctx, "events", f.EventIDs); err != nil {
			return nil, err
		}
		if f.CorrectiveEventIDs, err = db.eventIDSpellings(ctx, "corrective", f.CorrectiveEventIDs); err != nil {
			return nil, err
		}
	}
	if f.MaxEventCount > 0 && f.After == nil {
		probe := f
		// Counting needs no order.
		probe.MaxEventCount, probe.Limit, probe.OrderKey = 0, f.MaxEventCount+1, nil
		if probe.Limit > residualBatch*20 {
			probe.Limit = residualBatch * 20
		}
		n := 0
		for {
			page, err := db.FindEvents(ctx, probe)
			if err != nil {
				return nil, err
			}
			n += len(page.Events)
			if n > f.MaxEventCount {
				return nil, &critmin.Error{Code: critmin.EQUERYTOOLARGE, Message: fmt.Sprintf("more than %s events match (maxEventCount=%d); narrow the query or raise maxEventCount", units.Int(f.MaxEventCount), f.MaxEventCount),
					Fields: []critmin.FieldError{{Pointer: "maxEventCount", Reason: fmt.Sprintf("more than %s events match", units.Int(f.MaxEventCount))}}}
			}
			if page.Next == nil {
				break
			}
			probe.After = page.Next
		}
	}
	if f.OrderKey != nil {
		return db.findSorted(ctx, f)
	}
	if f.Residual != nil {
		return db.findResidual(ctx, f)
	}
	return db.findSQL(ctx, f)
}

// MaxSortedEvents is how many matching events an orderBy on an extension
// field may sort (DB.MaxSorted overrides it); a query matching more fails
// with EQUERYTOOLARGE naming orderBy (EPCIS 2.0 §8.2.7:
// QueryTooLargeException).
const MaxSortedEvents = 100000

// sortedEntry is one matching event under an extension-field order.
type sortedEntry struct {
	key string
	has bool
	pk  int64
}

// compareSorted is the order of f.OrderKey: events with the field first,
// by key in f's direction, then by store key in the same direction;
// events lacking the field last, by store key.
func compareSorted(f critmin.EventFilter, a, b sortedEntry) int {
	if a.has != b.has {
		if a.has {
			return -1
		}
		return 1
	}
	c := 0
	if a.has {
		c = strings.Compare(a.key, b.key)
	}
	if c == 0 {
		c = cmpInt(a.pk, b.pk)
	}
	if !f.OrderAscending {
		c = -c
	}
	if !a.has && !f.OrderAscending {
		c = -c // lacking the field: by store key ascending either way
	}
	return c
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// findSorted answers an orderBy on an extension field: the matching
// events (SQL conditions and Residual) are read in batches keeping only
// their sort key and store key, sorted in memory, and the page after
// f.After read back by store key. The cursor holds the last event's sort
// key ("k"+key, or "-" when it lacked the field) and store key, so pages
// stay in order while events are captured.
func (db *DB) findSorted(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error) {
	scan := f
	scan.OrderKey, scan.After, scan.MaxEventCount, scan.EventCountLimit = nil, nil, 0, 0
	scan.OrderBy, scan.OrderAscending, scan.Limit = "recordTime", true, residualBatch
	maxSorted := db.MaxSorted
	if maxSorted <= 0 {
		maxSorted = MaxSortedEvents
	}
	var all []sortedEntry
	for {
		page, err := db.FindEvents(ctx, scan)
		if err != nil {
			return nil, err
		}
		for _, ev := range page.Events {
			k, ok := f.OrderKey.SortKey(ev)
			all = append(all, sortedEntry{key: k, has: ok, pk: ev.PK})
		}
		if len(all) > maxSorted {
			return nil, &critmin.Error{Code: critmin.EQUERYTOOLARGE, Message: fmt.Sprintf("more than %s events match a query ordered by an extension field; narrow the query or order by eventTime or recordTime", units.Int(maxSorted)),
				Fields: []critmin.FieldError{{Pointer: "orderBy", Reason: "ordering by an extension field sorts at most " + units.Int(maxSorted) + " matching events"}}}
		}
		if page.Next == nil {
			break
		}
		scan.After = page.Next
	}
	slices.SortFunc(all, func(a, b sortedEntry) int { return compareSorted(f, a, b) })
	start := 0
	if f.After != nil {
		cur := sortedEntry{pk: f.After.PK}
		switch {
		case f.After.Key == "-":
		case strings.HasPrefix(f.After.Key, "k"):
			cur.key, cur.has = f.After.Key[1:], true
		default:
			return nil, critmin.FieldErrorf("nextPageToken", "not a token of a query ordered by this field")
		}
		start, _ = slices.BinarySearchFunc(all, cur, func(e, t sortedEntry) int { return compareSorted(f, e, t) })
		if start < len(all) && compareSorted(f, all[start], cur) == 0 {
			start++
		}
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 30
	}
	end := min(start+limit, len(all))
	page := &critmin.EventPage{}
	if start >= end {
		return page, nil
	}
	want := all[start:end]
	w := &where{}
	args := make([]any, len(want))
	for i, e := range want {
		args[i] = e.pk
	}
	w.add("e.pk IN ("+placeholders(len(args))+")", args...)
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(eventsQuery(w, "e.pk", "ASC", len(args))), w.args...)
	if err != nil {
		return nil, fmt.Errorf("%s: find events: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	byPK := make(map[int64]*critmin.Event, len(want))
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: scan event: %w", db.Dialect.Name, err)
		}
		byPK[ev.PK] = ev
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: find events: %w", db.Dialect.Name, err)
	}
	for _, e := range want {
		if ev := byPK[e.pk]; ev != nil {
			page.Events = append(page.Events, ev)
		}
	}
	if end < len(all) {
		last := all[end-1]
		key := "-"
		if last.has {
			key = "k" + last.key
		}
		page.Next = &critmin.PageCursor{Key: key, PK: last.pk}
	}
	return page, nil
}

// findResidual pages through the SQL candidates until a page of events
// that also pass f.Residual is full, or the candidates run out.
func (db *DB) findResidual(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 30
	}
	scan := f
	scan.Residual, scan.Limit = nil, residualBatch
	out := &critmin.EventPage{}
	size := 0
	for {
		page, err := db.findSQL(ctx, scan)
		if err != nil {
			return nil, err
		}
		for _, ev := range page.Events {
			if !f.Residual.MatchEvent(ev) {
				continue
			}
			if len(out.Events) == limit || size >= db.pageBytes() {
				// One more match: the page is full (by count or by
				// MaxPageBytes) and another follows.
				out.Next = cursorOf(f, out.Events[len(out.Events)-1])
				return out, nil
			}
			out.Events = append(out.Events, ev)
			size += len(ev.Raw)
		}
		if page.Next == nil {
			return out, nil
		}
		scan.After = page.Next
	}
}

func cursorOf(f critmin.EventFilter, last *critmin.Event) *critmin.PageCursor {
	key := last.RecordTime.UnixMicro()
	if f.OrderBy == "eventTime" {
		key = last.EventTime.UnixMicro()
	}
	return &critmin.PageCursor{Key: strconv.FormatInt(key, 10), PK: last.PK}
}

// MaxPageBytes bounds the stored event text one page of a query reads
// (fix14 item 2): a page ends at perPage events or as soon as its events
// hold this much text, whichever comes first, and nextPageToken goes on
// from there. A page of 1,000 events of up to 2 MiB each
// (epcis.MaxEventBytes) would otherwise hold 2 GB before it was encoded;
// at this bound it holds at most 16 MiB plus one event.
const MaxPageBytes = 16 << 20

func (db *DB) pageBytes() int {
	if db.PageBytes > 0 {
		return db.PageBytes
	}
	return MaxPageBytes
}

func (db *DB) findSQL(ctx context.Context, f critmin.EventFilter) (*critmin.EventPage, error) {
	done, err := db.readTurn(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	w := buildWhere(f)
	col := "e.record_time"
	if f.OrderBy == "eventTime" {
		col = "e.event_time"
	}
	dir, cmp := "ASC", ">"
	if !f.OrderAscending {
		dir, cmp = "DESC", "<"
	}
	if f.After != nil {
		k, err := strconv.ParseInt(f.After.Key, 10, 64)
		if err != nil {
			return nil, critmin.FieldErrorf("nextPageToken", "not a token this server issued")
		}
		w.add(fmt.Sprintf("(%s %s ? OR (%s = ? AND e.pk %s ?))", col, cmp, col, cmp), k, k, f.After.PK)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 30
	}
	query := eventsQuery(w, col, dir, limit+1)
	rows, release, err := rowsOf(ctx, db.reader(ctx), db.q(query), w.args...)
	if err != nil {
		return nil, fmt.Errorf("%s: find events: %w", db.Dialect.Name, err)
	}
	defer release()
	defer rows.Close()
	page := &critmin.EventPage{}
	size := 0
	for rows.Next() {
		if n := len(page.Events); n == limit || (n > 0 && size >= db.pageBytes()) {
			// Another event follows a full page: full by count, or by
			// the events' text (MaxPageBytes) — it is not read.
			page.Next = cursorOf(f, page.Events[n-1])
			break
		}
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: scan event: %w", db.Dialect.Name, err)
		}
		page.Events = append(page.Events, ev)
		size += len(ev.Raw)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: find events: %w", db.Dialect.Name, err)
	}
	return page, nil
}

// FindEventsByID returns an event and its error declarations, oldest first.
func (db *DB) FindEventsByID(ctx context.Context, eventID string) ([]*critmin.Event, error) {
	if !storable(eventID) {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no event with eventID %q", eventID)
	}
	done, err := db.readTurn(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	// The canonical spelling first (epcis.CanonicalEventID: what capture
	// stores), then the spelling asked for, which an event captured before
	// canonicalisation may still carry.
	spellings, err := db.eventIDSpellings(ctx, "events", []string{eventID})
	if err != nil {
		return nil, err
	}
	var out []*critmin.Event
	for _, id := range spellings {
		evs, err := db.eventsByID(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, evs...)
	}
	if len(out) == 0 {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no event with eventID %q", eventID)
	}
	// One eventID's records in the order stored, whatever their spelling
	// (an event stored by an older version as URN:UUID:AB…, its
	// declaration as urn:uuid:ab…).
	sort.SliceStable(out, func(i, j int) bool { return out[i].PK < out[j].PK })
	return out, nil
}

// eventsByID returns the stored events whose eventID is spelled id.
func (db *DB) eventsByID(ctx context.Context, eventID string) ([]*critmin.Event, error) {
	// On a capture group's transaction the statement is kept prepared
	// (rowsOf): the capture-time checks ask it once for each packing and
	// run of a document.
	rows, release, err := rowsOf(ctx, db.consistent(ctx), db.q(eventByIDQuery), eventID)
	if err != nil {
		return nil, fmt.Errorf("%s: find event %q: %w", db.Dialect.Name, eventID, err)
	}
	defer release()
	defer rows.Close()
	var out []*critmin.Event
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// vocabColumns maps a vocabulary kind to where its values live.
var vocabColumns = map[string]string{
	critmin.VocabEventType:   "SELECT DISTINCT event_type FROM events WHERE event_type > ? ORDER BY 1 LIMIT ?",
	critmin.VocabBizStep:     "SELECT DISTINCT biz_step FROM events WHERE biz_step > ? ORDER BY 1 LIMIT ?",
	critmin.VocabDisposition: "SELECT DISTINCT disposition FROM events WHERE disposition > ? ORDER BY 1 LIMIT ?",
	// Identifiers: one member per canonical form (epcis.Canonical), in
	// canonical order, given by one captured spelling — an EPC URN when any
	// event spelled it so (MAX: "urn:" sorts after "https:"), so that
	// GS1-EPC-Format Always_EPC_URN can answer it without a GCP length.
	critmin.VocabReadPoint:   "SELECT read_point_canon, MAX(read_point) FROM events WHERE read_point_canon > ? GROUP BY read_point_canon ORDER BY 1 LIMIT ?",
	critmin.VocabBizLocation: "SELECT biz_location_canon, MAX(biz_location) FROM events WHERE biz_location_canon > ? GROUP BY biz_location_canon ORDER BY 1 LIMIT ?",
	critmin.VocabEPC:         "SELECT canon, MAX(epc) FROM event_epcs WHERE canon > ? GROUP BY canon ORDER BY 1 LIMIT ?",
}

// vocabByCanon are the kinds whose values are identifiers, listed once per
// canonical form; after is then read as any spelling of the last one.
var vocabByCanon = map[string]bool{critmin.VocabReadPoint: true, critmin.VocabBizLocation: true, critmin.VocabEPC: true}

// Vocabulary lists distinct values of one kind after a given value. An
// identifier kind (EPCs, read points, business locations) lists each GS1
// key once, however many spellings events gave it, preferring a captured
// EPC URN spelling (docs/identity.md, "GS1-EPC-Format").
func (db *DB) Vocabulary(ctx context.Context, kind, after string, limit int) ([]string, error) {
	q, ok := vocabColumns[kind]
	if !ok {
		return nil, critmin.Errorf(critmin.EINVALID, "unknown vocabulary %q", kind)
	}
	byCanon := vocabByCanon[kind]
	if byCanon && after != "" {
		after = canon(after)
	}
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(q), after, limit)
	if err != nil {
		return nil, fmt.Errorf("%s: vocabulary %s: %w", db.Dialect.Name, kind, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s, key string
		dest := []any{&s}
		if byCanon {
			dest = []any{&key, &s}
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CountEvents returns the number of stored event records.
func (db *DB) CountEvents(ctx context.Context) (int64, error) {
	var n int64
	err := db.reader(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&n)
	return n, err
}

// FindCaptureJob returns a capture job by id.
func (db *DB) FindCaptureJob(ctx context.Context, id string) (*critmin.CaptureJob, error) {
	rows, err := db.consistent(ctx).QueryContext(ctx, db.q(jobSelect+" WHERE capture_id = ?"), id)
	if err != nil {
		return nil, fmt.Errorf("%s: find capture job: %w", db.Dialect.Name, err)
	}
	jobs, err := scanJobs(rows)
	if err != nil {
		return nil, err
	}
	if len(jobs) == 0 {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no capture job %q", id)
	}
	return jobs[0], nil
}

// ListCaptureJobs returns up to limit capture jobs, the newest first
// (ties by captureID), after the cursor when one is given: the cursor's
// PK is the last job's creation time in microseconds and its Key that
// job's captureID, so a page boundary falls between two jobs even when
// several were created in the same microsecond. Jobs are summaries: their
// error and duplicate lists are counted in their own columns (migration
// 0069) and never read, so a page costs the same however many errors its
// jobs hold.
func (db *DB) ListCaptureJobs(ctx context.Context, after *critmin.PageCursor, limit int) ([]*critmin.CaptureJobSummary, error) {
	const sel = `SELECT capture_id, created_us, finished_us, running, success, behaviour, event_count, stored, error_count, errors_omitted, duplicate_count FROM capture_jobs`
	var rows *sql.Rows
	var err error
	if after == nil {
		rows, err = db.reader(ctx).QueryContext(ctx, db.q(sel+" ORDER BY created_us DESC, capture_id LIMIT ?"), limit)
	} else {
		rows, err = db.reader(ctx).QueryContext(ctx, db.q(sel+" WHERE created_us < ? OR (created_us = ? AND capture_id > ?) ORDER BY created_us DESC, capture_id LIMIT ?"), after.PK, after.PK, after.Key, limit)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: list capture jobs: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	var out []*critmin.CaptureJobSummary
	for rows.Next() {
		var j critmin.CaptureJobSummary
		var created int64
		var fin sql.NullInt64
		var running, success int
		if err := rows.Scan(&j.CaptureID, &created, &fin, &running, &success, &j.CaptureErrorBehaviour, &j.EventCount, &j.Stored, &j.ErrorCount, &j.ErrorsOmitted, &j.DuplicateCount); err != nil {
			return nil, err
		}
		j.CreatedAt = fromMicros(created)
		if fin.Valid {
			t := fromMicros(fin.Int64)
			j.FinishedAt = &t
		}
		j.Running, j.Success = running == 1, success == 1
		out = append(out, &j)
	}
	return out, rows.Err()
}

const jobSelect = `SELECT capture_id, created_us, finished_us, running, success, behaviour, event_count, stored, errors, duplicates, errors_omitted, import_rows, import_refused FROM capture_jobs`

func scanJobs(rows *sql.Rows) ([]*critmin.CaptureJob, error) {
	defer rows.Close()
	var out []*critmin.CaptureJob
	for rows.Next() {
		var j critmin.CaptureJob
		var created int64
		var fin sql.NullInt64
		var running, success int
		var errs, dups string
		var imp critmin.ImportRows
		if err := rows.Scan(&j.CaptureID, &created, &fin, &running, &success, &j.CaptureErrorBehaviour, &j.EventCount, &j.Stored, &errs, &dups, &j.ErrorsOmitted, &imp.Rows, &imp.Refused); err != nil {
			return nil, err
		}
		if imp.Rows > 0 {
			j.Import = &imp
		}
		j.CreatedAt = fromMicros(created)
		if fin.Valid {
			t := fromMicros(fin.Int64)
			j.FinishedAt = &t
		}
		j.Running, j.Success = running == 1, success == 1
		if err := json.Unmarshal([]byte(errs), &j.Errors); err != nil {
			return nil, fmt.Errorf("decode capture job errors: %w", err)
		}
		if j.Errors == nil {
			j.Errors = []critmin.CaptureError{}
		}
		j.ErrorCount = len(j.Errors) + j.ErrorsOmitted
		_ = json.Unmarshal([]byte(dups), &j.Duplicates)
		out = append(out, &j)
	}
	return out, rows.Err()
}

// DeclaredPrefixes returns the namespace prefixes the @context of captured
// documents declared, each with every IRI it was bound to, for resolving
// the CURIEs of query parameter names (epcis.PrefixSource). Under
// epcis.RemotePrefixKey it lists the prefixes that events captured with a
// remote context used as keys without declaring them locally
// (epcis.RemotePrefixesUsed): those, and only those, are known besides
// the declared ones.
func (db *DB) DeclaredPrefixes(ctx context.Context) (map[string][]string, error) {
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT id, body FROM contexts`)
	if err != nil {
		return nil, fmt.Errorf("%s: declared prefixes: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	seen := map[string]map[string]bool{}
	var remoteIDs []any
	for rows.Next() {
		var id int64
		var body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		for p, ns := range epcis.ContextPrefixes([]byte(body)) {
			if seen[p] == nil {
				seen[p] = map[string]bool{}
			}
			seen[p][ns] = true
		}
		if len(epcis.ContextRemotes([]byte(body))) > 0 {
			remoteIDs = append(remoteIDs, id)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := db.masterPrefixes(ctx, seen); err != nil {
		return nil, err
	}
	if err := db.auditPrefixes(ctx, seen); err != nil {
		return nil, err
	}
	used, err := db.remotePrefixesUsed(ctx, remoteIDs)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]string, len(seen)+1)
	for p, set := range seen {
		for ns := range set {
			out[p] = append(out[p], ns)
		}
		sort.Strings(out[p])
	}
	if len(used) > 0 {
		out[epcis.RemotePrefixKey] = used
	}
	return out, nil
}

// masterPrefixes adds to seen the prefixes the @context of master-data
// documents bound their attribute names with, events or none: the
// attribute names as written (master_data.attrs, "mdx:bay") beside the
// IRIs they expanded to (master_data_attrs.name,
// "https://md.example.org/attr/bay") give the prefix's namespace
// ("https://md.example.org/attr/"). A name whose local part two IRIs of
// the element end with is left out, as ambiguous.
func (db *DB) masterPrefixes(ctx context.Context, seen map[string]map[string]bool) error {
	type key struct{ vtype, id string }
	iris := map[key][]string{}
	rows, err := db.reader(ctx).QueryContext(ctx, `SELECT DISTINCT vtype, id, name FROM master_data_attrs`)
	if err != nil {
		return fmt.Errorf("%s: master-data prefixes: %w", db.Dialect.Name, err)
	}
	for rows.Next() {
		var k key
		var name string
		if err := rows.Scan(&k.vtype, &k.id, &name); err != nil {
			rows.Close()
			return err
		}
		iris[k] = append(iris[k], name)
	}
	if err := rows.Err(); err != nil {
		rows.Close()
		return err
	}
	rows.Close()
	if len(iris) == 0 {
		return nil
	}
	rows, err = db.reader(ctx).QueryContext(ctx, `SELECT vtype, id, attrs FROM master_data`)
	if err != nil {
		return fmt.Errorf("%s: master-data prefixes: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	for rows.Next() {
		var k key
		var attrs string
		if err := rows.Scan(&k.vtype, &k.id, &attrs); err != nil {
			return err
		}
		var names map[string]json.RawMessage
		if json.Unmarshal([]byte(attrs), &names) != nil {
			continue
		}
		for name := range names {
			prefix, local, ok := strings.Cut(name, ":")
			if !ok || local == "" || strings.Contains(prefix, "/") || prefix == "http" || prefix == "https" || prefix == "urn" {
				continue
			}
			ns, n := "", 0
			for _, iri := range iris[k] {
				if len(iri) > len(local) && strings.HasSuffix(iri, local) {
					ns, n = strings.TrimSuffix(iri, local), n+1
				}
			}
			if n != 1 || ns == prefix+":" { // ambiguous, or stored unexpanded
				continue
			}
			if seen[prefix] == nil {
				seen[prefix] = map[string]bool{}
			}
			seen[prefix][ns] = true
		}
	}
	return rows.Err()
}

// auditPrefixes adds to seen every prefix the @context of a master-data
// capture declared, used or not (MasterDataElement.Prefixes, in the audit
// log's master-data entries: a document without events stores no
// context of its own). The scan is incremental, as remotePrefixesUsed's:
// this process remembers the prefixes found and the last entry read.
func (db *DB) auditPrefixes(ctx context.Context, seen map[string]map[string]bool) error {
	db.masterMu.Lock()
	defer db.masterMu.Unlock()
	if db.masterDeclared == nil {
		db.masterDeclared = map[string]map[string]bool{}
	}
	rows, err := db.reader(ctx).QueryContext(ctx, db.q(`SELECT seq, detail FROM audit_log WHERE action = ? AND seq > ? ORDER BY seq`), critmin.AuditMasterData, db.masterAfter)
	if err != nil {
		return fmt.Errorf("%s: master-data prefixes: %w", db.Dialect.Name, err)
	}
	defer rows.Close()
	last := db.masterAfter
	found := map[string]map[string]bool{}
	for rows.Next() {
		var seq int64
		var detail string
		if err := rows.Scan(&seq, &detail); err != nil {
			return err
		}
		last = seq
		// Only the first element carries the capture's prefixes. Entries
		// written before they were saved have none: the prefixes their
		// attribute names were written with are read from each element's
		// attribute IRIs instead, whatever version is current now.
		var master []struct{ Prefixes, AttributeIRIs map[string]string }
		if json.Unmarshal([]byte(detail), &master) != nil || len(master) == 0 {
			continue
		}
		add := func(p, ns string) {
			if found[p] == nil {
				found[p] = map[string]bool{}
			}
			found[p][ns] = true
		}
		for p, ns := range master[0].Prefixes {
			add(p, ns)
		}
		if master[0].Prefixes != nil {
			continue
		}
		for _, el := range master {
			for name, iri := range el.AttributeIRIs {
				if p, ns, ok := attrPrefix(name, iri); ok {
					add(p, ns)
				}
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for p, set := range found {
		if db.masterDeclared[p] == nil {
			db.masterDeclared[p] = map[string]bool{}
		}
		for ns := range set {
			db.masterDeclared[p][ns] = true
		}
	}
	db.masterAfter = last
	for p, set := range db.masterDeclared {
		if seen[p] == nil {
			seen[p] = map[string]bool{}
		}
		for ns := range set {
			seen[p][ns] = true
		}
	}
	return nil
}

// attrPrefix is the prefix an attribute name was written with and the
// namespace its @context bound it to, read from the name as written
// ("mdx:bay") and the IRI it expanded to ("https://md.example.org/attr/bay"):
// ok is false for a name that is no CURIE, a full IRI, or one that did
// not expand (its IRI does not end with the local part, or is the name).
func attrPrefix(name, iri string) (prefix, ns string, ok bool) {
	prefix, local, found := strings.Cut(name, ":")
	if !found || local == "" || strings.Contains(prefix, "/") || prefix == "http" || prefix == "https" || prefix == "urn" || iri == name {
		return "", "", false
	}
	if len(iri) <= len(local) || !strings.HasSuffix(iri, local) {
		return "", "", false
	}
	return prefix, strings.TrimSuffix(iri, local), true
}

// remotePrefixesUsed scans the events captured with a remote context
// (contexts ids) for the undeclared prefixes their keys use. The scan is
// incremental: this process remembers the prefixes found and the last
// event key read (keys rise with captures), so a query reads only the
// events captured since; another server's captures are found the same
// way, since the store is shared.
func (db *DB) remotePrefixesUsed(ctx context.Context, ids []any) ([]string, error) {
	db.remoteMu.Lock()
	defer db.remoteMu.Unlock()
	if db.remoteUsed == nil {
		db.remoteUsed = map[string]bool{}
	}
	if len(ids) > 0 {
		args := append([]any{db.remoteAfter}, ids...)
		rows, err := db.reader(ctx).QueryContext(ctx, db.q(`SELECT e.pk, e.raw, c.body FROM events e JOIN contexts c ON c.id = e.context_id
			WHERE e.pk > ? AND e.context_id IN (`+placeholders(len(ids))+`) ORDER BY e.pk`), args...)
		if err != nil {
			return nil, fmt.Errorf("%s: remote prefixes: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		last := db.remoteAfter
		found := map[string]bool{}
		for rows.Next() {
			var pk int64
			var raw, body []byte
			if err := rows.Scan(&pk, &raw, &body); err != nil {
				return nil, err
			}
			for _, p := range epcis.RemotePrefixesUsed(raw, body) {
				found[p] = true
			}
			last = pk
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for p := range found {
			db.remoteUsed[p] = true
		}
		db.remoteAfter = last
	}
	out := make([]string, 0, len(db.remoteUsed))
	for p := range db.remoteUsed {
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

// MaxSeq returns the ledger position of the last stored record (0 when
// empty): subscriptions remember it to find later events.
func (db *DB) MaxSeq(ctx context.Context) (int64, error) {
	var n sql.NullInt64
	if err := db.reader(ctx).QueryRowContext(ctx, `SELECT MAX(chain_seq) FROM events`).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: max seq: %w", db.Dialect.Name, err)
	}
	return n.Int64, nil
}

// quantityCond is the condition on one quantity element of bounds that
// share a unit. A bound in a unit of mass (or another proportional
// dimension, epcis.UnitFactors) also holds for elements in the other
// units of that dimension, converted: GT_quantity_TNE=0.1 keeps 200 KGM
// (0.1 t × 1000 = 100 kg < 200 kg). An equality across units holds within
// epcis.UnitTolerance, as converted figures are rarely exact in binary.
func quantityCond(bs []critmin.QuantityBound, args *[]any) string {
	uom := bs[0].UOM
	factors := epcis.UnitFactors(uom)
	if len(factors) == 0 {
		var qc []string
		for _, b := range bs {
			qc = append(qc, "quantity "+b.Op+" ?")
			*args = append(*args, b.Value)
		}
		if uom != "" {
			qc = append(qc, "uom = ?")
			*args = append(*args, uom)
		}
		return "(" + strings.Join(qc, " AND ") + ")"
	}
	units := make([]string, 0, len(factors))
	for u := range factors {
		units = append(units, u)
	}
	sort.Strings(units)
	alts := make([]string, 0, len(units))
	for _, u := range units {
		qc := []string{"uom = ?"}
		*args = append(*args, u)
		for _, b := range bs {
			v := b.Value * factors[u]
			if b.Op == "=" && u != uom {
				tol := epcis.UnitTolerance * math.Max(1, math.Abs(v))
				qc = append(qc, "quantity >= ? AND quantity <= ?")
				*args = append(*args, v-tol, v+tol)
				continue
			}
			qc = append(qc, "quantity "+b.Op+" ?")
			*args = append(*args, v)
		}
		alts = append(alts, "("+strings.Join(qc, " AND ")+")")
	}
	return "(" + strings.Join(alts, " OR ") + ")"
}
