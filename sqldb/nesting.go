package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// nestingProblem judges every stored live packing that names in its
// childEPCs a container something was packed into (a parent of a
// packing) by the nesting rule capture enforces (custody.StoredNesting:
// a container holding material inside another is read wrongly, as the
// ledger follows one level of containers): a store holding one from
// before capture refused it replays it alike, so the rebuild alone
// cannot find it. The first, in capture order; nil when none.
func (db *DB) nestingProblem(ctx context.Context) (*custody.NestingProblem, error) {
	q := db.reader(ctx)
	rows, err := q.QueryContext(ctx, db.q("SELECT "+replayColumns+" WHERE e.declaration = 0 AND e.pk IN (SELECT c.event_pk FROM event_epcs c WHERE c.role = ? AND c.canon IN (SELECT p.canon FROM event_epcs p WHERE p.role = ?)) ORDER BY e.pk"),
		critmin.RoleChild, critmin.RoleParent)
	if err != nil {
		return nil, fmt.Errorf("%s: nesting: %w", db.Dialect.Name, err)
	}
	var evs []*critmin.Event
	for rows.Next() {
		var pk int64
		var raw, declaredBy string
		var c sql.NullString
		if err := rows.Scan(&pk, &raw, &c, &declaredBy); err != nil {
			rows.Close()
			return nil, err
		}
		if declaredBy != "" {
			continue
		}
		ev, err := ledger.DecodeStored([]byte(raw), []byte(c.String))
		if err != nil {
			rows.Close()
			return nil, err
		}
		evs = append(evs, ev)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(evs) == 0 {
		return nil, nil
	}
	return custody.StoredNesting(ctx, db, evs)
}
