package sqldb

import (
	"context"
	"fmt"
	"sort"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"golang.org/x/mod/sumdb/tlog"
)

// CheckEvidence verifies what a certificate or bundle is about to rest
// on, at a cost that grows with the evidence rather than the store: every
// record of the given events and of every event naming one of the given
// lots or containers (nodes) must match its chain hash and its leaf in
// the log, the log's head must match its stored hashes, and the rows a
// certificate reads, rebuilt from those records (replayed through capture
// into a scratch store, as verify does), must equal the stored rows: the
// records' indexed columns of events and their event_epcs,
// event_quantities and event_attrs rows; the nodes' lots, genealogy
// links, moves and kept origin mixes; and all master data. It returns an ECONFLICT error naming the first failing
// record or row, or nil.
func (db *DB) CheckEvidence(ctx context.Context, nodes, eventIDs []string) error {
	if _, p, err := custody.CheckLog(ctx, db, nil); err != nil {
		return err
	} else if p != nil {
		return critmin.Errorf(critmin.ECONFLICT, "the log fails verification: %s", p.Detail)
	}
	if p, err := custody.VerifyAuditOnly(ctx, db); err != nil {
		return err
	} else if p != nil {
		return critmin.Errorf(critmin.ECONFLICT, "the audit chain fails verification at entry %d: %s", p.Seq, p.Detail)
	}
	recs, err := db.evidenceRecords(ctx, nodes, eventIDs)
	if err != nil {
		return err
	}
	idx := make([]int64, len(recs))
	for i, r := range recs {
		idx[i] = tlog.StoredHashIndex(0, r.Seq-1)
	}
	leaves, err := readHashes(ctx, db.reader(ctx), db, idx)
	if err != nil {
		return err
	}
	for i, r := range recs {
		fail := func(format string, args ...any) error {
			return critmin.Errorf(critmin.ECONFLICT, "evidence record %d (event %s) fails verification: %s", r.Seq, r.EventID, fmt.Sprintf(format, args...))
		}
		switch {
		case r.StoredContextHash != r.ContextHash:
			return fail("its @context no longer matches the hash recorded for it")
		case custody.Link(r.PrevChain, r) != r.Chain:
			return fail("its content no longer matches its chain hash")
		}
		leaf, ok := leaves[idx[i]]
		if !ok {
			return fail("it is not in the log")
		}
		if leaf != custody.LeafHash(r) {
			return fail("its content no longer matches its leaf in the log")
		}
	}
	if db.Scratch == nil {
		return nil
	}
	scratch, closeScratch, err := db.Scratch(ctx)
	if err != nil {
		return err
	}
	defer closeScratch()
	st := &RebuildStats{}
	scan := func(ctx context.Context, fn func(*critmin.ChainRecord) error) error {
		for _, r := range recs {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
	captures := map[string]bool{}
	for _, r := range recs {
		captures[r.CaptureID] = true
	}
	if err := db.replay(ctx, scratch, st, withoutRows(scan), captures, nil); err != nil {
		return critmin.Errorf(critmin.ECONFLICT, "the evidence does not replay: %v", err)
	}
	pks := make([]string, len(recs))
	for i, r := range recs {
		pks[i] = fmt.Sprint(r.PK)
	}
	byName := map[string]DerivedTable{}
	for _, t := range derivedTables {
		byName[t.Name] = t
	}
	byName["events"] = evidenceEvents
	byName["lots"] = evidenceLots(byName["lots"])
	// The rows a certificate reads, in the order verify compares them:
	// each evidence event's indexed columns and index rows against its
	// own chained document, then the lot projection of the nodes.
	checks := []struct {
		table, col string
		ids        []string
	}{
		{"events", "pk", pks},
		{"event_epcs", "event_pk", pks},
		{"event_quantities", "event_pk", pks},
		{"event_attrs", "event_pk", pks},
		{"lots", "id", nodes},
		{"lot_links", "child", nodes},
		{"lot_moves", "lot", nodes},
		{"lot_origin", "lot", nodes},
		{"master_data", "", nil},
		{"master_data_attrs", "", nil},
		{"master_data_children", "", nil},
	}
	for _, c := range checks {
		t, ok := byName[c.table]
		if !ok {
			return fmt.Errorf("sqldb: evidence check: no derived table %s", c.table)
		}
		var d *Difference
		if c.col == "" {
			if d, _, err = compareTable(ctx, db, scratch, t, ""); err != nil {
				return err
			}
		} else {
			err = inChunks(c.ids, func(part []any) error {
				if d != nil {
					return nil
				}
				d, _, err = compareTable(ctx, db, scratch, t, inList(c.col, len(part)), part...)
				return err
			})
			if err != nil {
				return err
			}
		}
		if d != nil {
			return critmin.Errorf(critmin.ECONFLICT, "the evidence fails verification: %v", d)
		}
	}
	return nil
}

// evidenceLots is the lots table as the evidence check compares it:
// without out_link_count and the seal that covers it (migration 0076).
// The links out of a lot come from events downstream of it — a later
// event of a run that took it, naming only outputs — which are not its
// evidence, so the scratch replay of the evidence cannot count them;
// every reader counts them against the row instead (scanLotRead), and
// verify, which replays the whole log, compares both columns.
func evidenceLots(t DerivedTable) DerivedTable {
	cols := make([]string, 0, len(t.Cols))
	for _, c := range t.Cols {
		if c != "out_link_count" && c != "seal" {
			cols = append(cols, c)
		}
	}
	t.Cols = cols
	return t
}

// evidenceEvents is the events table as the evidence check compares it:
// the indexed columns capture derives from each event's chained document.
// Rows are keyed by pk, which the replay keeps; the chain columns are
// checked against the chain above, and a partial replay numbers chain
// positions and contexts afresh, so none of them is compared here.
var evidenceEvents = DerivedTable{Name: "events", Key: []string{"#pk"}, Cols: []string{"event_id", "event_type", "tz", "action", "biz_step", "disposition", "read_point", "biz_location", "transformation_id", "read_point_canon", "biz_location_canon"}}

// evidenceRecords returns, in chain order, the records of the given
// events and of every event that names one of the nodes.
func (db *DB) evidenceRecords(ctx context.Context, nodes, eventIDs []string) ([]*critmin.ChainRecord, error) {
	seqs := map[int64]bool{}
	collect := func(query string, ids []string) error {
		return inChunks(ids, func(part []any) error {
			q := query + "(" + placeholders(len(part)) + ")"
			rows, err := db.reader(ctx).QueryContext(ctx, db.qDynamic(q), part...)
			if err != nil {
				return fmt.Errorf("%s: evidence records: %w", db.Dialect.Name, err)
			}
			defer rows.Close()
			for rows.Next() {
				var s int64
				if err := rows.Scan(&s); err != nil {
					return err
				}
				seqs[s] = true
			}
			return rows.Err()
		})
	}
	if err := collect(`SELECT chain_seq FROM events WHERE event_id IN `, eventIDs); err != nil {
		return nil, err
	}
	if err := collect(`SELECT e.chain_seq FROM events e JOIN event_quantities q ON q.event_pk = e.pk WHERE q.epc_class IN `, nodes); err != nil {
		return nil, err
	}
	if err := collect(`SELECT e.chain_seq FROM events e JOIN event_epcs p ON p.event_pk = e.pk WHERE p.epc IN `, nodes); err != nil {
		return nil, err
	}
	// Instances are lots too (Event.LotLines), named by their canonical
	// form: the events that name one by any spelling.
	if err := collect(`SELECT e.chain_seq FROM events e JOIN event_epcs p ON p.event_pk = e.pk WHERE p.canon IN `, nodes); err != nil {
		return nil, err
	}
	// The other outputs of the runs that made a node are evidence too:
	// a run whose outputs hold more of an element than its inputs caps
	// each output at its share of what the inputs held, so a node's kept
	// mix (its capped figure, and whether it is stale) rests on every
	// fact of its sibling outputs — O1's reassay capping O2 (issue 9,
	// fix9ac; coOutputs).
	sibs, err := db.evidenceCoOutputs(ctx, nodes)
	if err != nil {
		return nil, err
	}
	for _, q := range []string{
		`SELECT e.chain_seq FROM events e JOIN event_quantities q ON q.event_pk = e.pk WHERE q.epc_class IN `,
		`SELECT e.chain_seq FROM events e JOIN event_epcs p ON p.event_pk = e.pk WHERE p.epc IN `,
		`SELECT e.chain_seq FROM events e JOIN event_epcs p ON p.event_pk = e.pk WHERE p.canon IN `,
	} {
		if err := collect(q, sibs); err != nil {
			return nil, err
		}
	}
	// A run recorded as several events is one transformation (EPCIS 2.0
	// §7.4.6): the rows of a lot it made or fed derive from all of its
	// events — the replay links an input-only event and another output's
	// event make, the element balance over all its outputs — so every
	// event sharing a transformationID with one collected is evidence too.
	found := make([]string, 0, len(seqs))
	for s := range seqs {
		found = append(found, fmt.Sprint(s))
	}
	var runs []string
	if err := inChunks(found, func(part []any) error {
		rows, err := db.reader(ctx).QueryContext(ctx, db.qDynamic(`SELECT DISTINCT transformation_id FROM events WHERE transformation_id IS NOT NULL AND chain_seq IN (`+placeholders(len(part))+")"), part...)
		if err != nil {
			return fmt.Errorf("%s: evidence runs: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			runs = append(runs, id)
		}
		return rows.Err()
	}); err != nil {
		return nil, err
	}
	if err := collect(`SELECT chain_seq FROM events WHERE transformation_id IN `, runs); err != nil {
		return nil, err
	}
	list := make([]int64, 0, len(seqs))
	for s := range seqs {
		list = append(list, s)
	}
	sort.Slice(list, func(i, j int) bool { return list[i] < list[j] })
	out := make([]*critmin.ChainRecord, 0, len(list))
	for start := 0; start < len(list); start += 500 {
		part := list[start:min(start+500, len(list))]
		args := make([]any, len(part))
		for i, s := range part {
			args[i] = s
		}
		rows, err := db.reader(ctx).QueryContext(ctx, db.qDynamic(chainSelect+" WHERE e.chain_seq IN ("+placeholders(len(part))+") ORDER BY e.chain_seq"), args...)
		if err != nil {
			return nil, fmt.Errorf("%s: evidence records: %w", db.Dialect.Name, err)
		}
		for rows.Next() {
			r, err := scanChain(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out = append(out, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// evidenceCoOutputs are the lots, other than nodes, that a run making
// one of nodes also made: its other outputs, over every event of the run
// (one event, or all sharing its transformationID, EPCIS 2.0 §7.4.6) —
// the lots whose facts the run's element caps read (coOutputs).
func (db *DB) evidenceCoOutputs(ctx context.Context, nodes []string) ([]string, error) {
	strs := func(query string, ids []string) ([]string, error) {
		got := map[string]bool{}
		err := inChunks(ids, func(part []any) error {
			rows, err := db.reader(ctx).QueryContext(ctx, db.qDynamic(query+"("+placeholders(len(part))+")"), part...)
			if err != nil {
				return fmt.Errorf("%s: evidence co-outputs: %w", db.Dialect.Name, err)
			}
			return collectStrings(rows, got)
		})
		out := make([]string, 0, len(got))
		for v := range got {
			out = append(out, v)
		}
		sort.Strings(out)
		return out, err
	}
	evs, err := strs(`SELECT DISTINCT event_id FROM lot_links WHERE kind = 'transformation' AND child IN `, nodes)
	if err != nil || len(evs) == 0 {
		return nil, err
	}
	xids, err := strs(`SELECT DISTINCT transformation_id FROM events WHERE declaration = 0 AND transformation_id IS NOT NULL AND event_id IN `, evs)
	if err != nil {
		return nil, err
	}
	more, err := strs(`SELECT DISTINCT event_id FROM events WHERE declaration = 0 AND transformation_id IN `, xids)
	if err != nil {
		return nil, err
	}
	kids, err := strs(`SELECT DISTINCT child FROM lot_links WHERE kind = 'transformation' AND event_id IN `, append(evs, more...))
	if err != nil {
		return nil, err
	}
	self := map[string]bool{}
	for _, n := range nodes {
		self[n] = true
	}
	out := kids[:0]
	for _, k := range kids {
		if !self[k] {
			out = append(out, k)
		}
	}
	return out, nil
}

// qDynamic rebinds a query built at run time without caching it.
func (db *DB) qDynamic(query string) string {
	if db.Dialect.Dollar {
		return Rebind(query)
	}
	return query
}

func sortRecords(rs []*critmin.ChainRecord) {
	sort.Slice(rs, func(i, j int) bool { return rs[i].Seq < rs[j].Seq })
}
