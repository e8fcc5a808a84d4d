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
	var decls, fed int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE declaration = 1 LIMIT 1) AS hit`).Scan(&decls); err != nil {
		return fmt.Errorf("count declarations: %w", err)
	}
	if decls == 0 {
		return nil
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+containersFed+` LIMIT 1) AS hit`).Scan(&fed); err != nil {
		return fmt.Errorf("count runs fed a container whole: %w", err)
	}
	if fed == 0 {
		return nil
	}
	return replaceProjectionOf(ctx, raw, tx, d, append(append([]string(nil), projectionTables...), "event_contents"))
}
