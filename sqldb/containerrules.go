package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// containerRuleProblem judges every stored live event that read
// containers (a dispatch or other movement of containers by their own
// identifier, or a run fed containers whole) by the container rules
// capture enforces (ledger.StoredContainerRule: a run fed an empty
// container, fixQr; a line below what the containers it names held,
// fixQu), reading what each container gave the event as the projection
// did — its event_contents rows, which verify's rebuild has just shown
// equal to the log's replay (or, without the rebuild, as stored). A
// record stored before the rules, or left breaking them, reads the same
// in the rebuild as it was stored: only this reading finds it. The
// first event, in capture order, is returned; nil when none breaks them.
func (db *DB) containerRuleProblem(ctx context.Context) (*ledger.ContainerRuleProblem, error) {
	q := db.reader(ctx)
	rows, err := q.QueryContext(ctx, db.q("SELECT "+replayColumns+" WHERE e.declaration = 0 AND (e.event_id IN (SELECT event_id FROM event_contents) OR e.pk IN (SELECT event_pk FROM event_epcs WHERE role = ?)) ORDER BY e.pk"), "input")
	if err != nil {
		return nil, fmt.Errorf("%s: container rules: %w", db.Dialect.Name, err)
	}
	type cand struct {
		raw, body string
	}
	var cands []cand
	for rows.Next() {
		var pk int64
		var raw, declaredBy string
		var c sql.NullString
		if err := rows.Scan(&pk, &raw, &c, &declaredBy); err != nil {
			rows.Close()
			return nil, err
		}
		if declaredBy == "" {
			cands = append(cands, cand{raw, c.String})
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	const batch = 500
	for i := 0; i < len(cands); i += batch {
		part := cands[i:min(i+batch, len(cands))]
		var ids, inputs []string
		evs := make([]*critmin.Event, 0, len(part))
		for _, c := range part {
			ev, err := ledger.DecodeStored([]byte(c.raw), []byte(c.body))
			if err != nil {
				return nil, err
			}
			evs = append(evs, ev)
			ids = append(ids, ev.EventID)
			if ledger.FeedsContainers(ev) {
				for _, e := range ev.EPCs {
					if e.Role == critmin.RoleInput {
						inputs = append(inputs, canon(e.EPC))
					}
				}
			}
		}
		held, err := db.eventContentRows(ctx, q, ids)
		if err != nil {
			return nil, err
		}
		lots, named, err := db.containerFacts(ctx, q, inputs)
		if err != nil {
			return nil, err
		}
		for _, ev := range evs {
			var lines []ledger.ContainerLine
			for _, r := range held[ev.EventID] {
				lines = append(lines, ledger.ContainerLine{Container: r.container, Line: r.line})
			}
			// A container is known to the record when an event other
			// than this run names it (packs it, moves it, feeds it).
			p := ledger.StoredContainerRule(ev, lines, func(c string) bool { return lots[c] }, func(c string) bool { return named[c] > 1 })
			if p != nil {
				return p, nil
			}
		}
	}
	return nil, nil
}

// containerFacts says, of the instances ids (canonical), which are lots
// of their own (a lots row) and by how many events each is named
// (event_epcs, any role).
func (db *DB) containerFacts(ctx context.Context, q querier, ids []string) (map[string]bool, map[string]int, error) {
	lots, named := map[string]bool{}, map[string]int{}
	err := inChunks(ids, func(part []any) error {
		in := placeholders(len(part))
		rows, err := q.QueryContext(ctx, db.q("SELECT id FROM lots WHERE id IN ("+in+")"), part...)
		if err != nil {
			return fmt.Errorf("%s: container facts: %w", db.Dialect.Name, err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			lots[id] = true
		}
		if err := rows.Close(); err != nil {
			return err
		}
		rows, err = q.QueryContext(ctx, db.q("SELECT canon, COUNT(DISTINCT event_pk) FROM event_epcs WHERE canon IN ("+in+") GROUP BY canon"), part...)
		if err != nil {
			return fmt.Errorf("%s: container facts: %w", db.Dialect.Name, err)
		}
		defer rows.Close()
		for rows.Next() {
			var c string
			var n int
			if err := rows.Scan(&c, &n); err != nil {
				return err
			}
			named[c] = n
		}
		return rows.Err()
	})
	return lots, named, err
}
