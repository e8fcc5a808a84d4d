package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/critmin/critmin"
)

// RunsWithInputs says which of the given transformationIDs have an input
// stored (in any event sharing the ID: EPCIS 2.0 §7.4.6, one
// transformation). custody's capture-time claim check reads it: an output
// of a run without inputs gets no genealogy edge, so no transformation
// produced it and a claim on it is refused, at capture as when read.
func (db *DB) RunsWithInputs(ctx context.Context, xids []string) (map[string]bool, error) {
	out := map[string]bool{}
	err := inChunks(xids, func(part []any) error {
		rows, err := db.reader(ctx).QueryContext(ctx, db.q("SELECT DISTINCT transformation_id FROM transformation_members WHERE role = ? AND transformation_id IN ("+placeholders(len(part))+")"), append([]any{critmin.RoleInput}, part...)...)
		if err != nil {
			return fmt.Errorf("%s: runs with inputs: %w", db.Dialect.Name, err)
		}
		return collectStrings(rows, out)
	})
	return out, err
}

// collectStrings adds the first column of every row to out and closes
// rows.
func collectStrings(rows *sql.Rows, out map[string]bool) error {
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		out[id] = true
	}
	return rows.Err()
}
