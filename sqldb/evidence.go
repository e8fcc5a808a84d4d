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
// the log, the log's head must match its stored hashes, and the lots,
// genealogy links and master data rebuilt from those records (replayed
// through capture into a scratch store, as verify does) must equal the
// stored rows. It returns an ECONFLICT error naming the first failing
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
	if err := db.replay(ctx, scratch, st, scan, captures, nil); err != nil {
		return critmin.Errorf(critmin.ECONFLICT, "the evidence does not replay: %v", err)
	}
	args := make([]any, len(nodes))
	for i, n := range nodes {
		args[i] = n
	}
	checks := []struct {
		table string
		where string
		args  []any
	}{{"lots", inList("id", len(nodes)), args}, {"lot_links", inList("child", len(nodes)), args}, {"master_data", "", nil}}
	for _, c := range checks {
		for _, t := range derivedTables {
			if t.Name != c.table {
				continue
			}
			d, _, err := compareTable(ctx, db, scratch, t, c.where, c.args...)
			if err != nil {
				return err
			}
			if d != nil {
				return critmin.Errorf(critmin.ECONFLICT, "the evidence fails verification: %v", d)
			}
		}
	}
	return nil
}

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
