package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// declaredDrawsMigration is the migration whose Go step is
// replayDeclaredDraws.
const declaredDrawsMigration = 135

func init() { goStepsWithStore[declaredDrawsMigration] = replayDeclaredDraws }

// replayDeclaredDraws is migration 0135's Go step (issues 8 §2/9,
// builder fixQh). Stores written before it kept a run fed a container
// whole as it was captured when a line draw out of that container — a
// run's input line, a shipment by line — was later declared in error
// (or restated by a corrective): P 3 t + M 2 t packed into C, "P 3 t"
// drawn out of it by a run's line, a run fed C whole took M 2 t; with
// the line's run declared in error the fed run still took M alone and P
// read 3 t back loose, where C held P 3 t + M 2 t. Capture now computes
// the fed runs again (drawBoxes, recontainReceipts). On a store holding
// a declaration and a run fed whole (inputEPCList) an identifier some
// AggregationEvent uses as its parentID, it replays the log as verify
// does and rewrites each lot projection table that differs,
// event_contents included; other stores are left alone. Running it
// again changes nothing.
func replayDeclaredDraws(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	return replayWhenDeclared(ctx, raw, tx, d, "runs fed a container whole", `SELECT 1 FROM `+containersFed)
}

// replayWhenDeclared replays the log as verify does and rewrites each lot
// projection table that differs, event_contents included, on a store
// holding a declaration in error and a row of probe (a SELECT, what
// naming its rows in an error); other stores are left alone.
func replayWhenDeclared(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect, what, probe string) error {
	for _, q := range []struct{ what, sql string }{
		{"declarations", `SELECT 1 FROM events WHERE declaration = 1`},
		{what, probe},
	} {
		var hit int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+q.sql+` LIMIT 1) AS hit`).Scan(&hit); err != nil {
			return fmt.Errorf("count %s: %w", q.what, err)
		}
		if hit == 0 {
			return nil
		}
	}
	return replaceProjectionOf(ctx, raw, tx, d, append(append([]string(nil), projectionTables...), "event_contents"))
}
