package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// dispatchStepMigration is the migration whose Go step is
// replayDispatchStep.
const dispatchStepMigration = 154

func init() { goStepsWithStore[dispatchStepMigration] = replayDispatchStep }

// dispatchStepEvents holds a row for each ObjectEvent of a dispatch step
// other than shipping (departing, loading, staging_outbound,
// transporting; any CBV spelling) or of a shipping: the stores whose
// log migration 0154 replays.
var dispatchStepEvents = `events e WHERE e.event_type = 'ObjectEvent'
	AND (` + stepCond("e", "shipping", "departing", "loading", "staging_outbound", "transporting") + `)`

// replayDispatchStep is migration 0154's Go step (new-user check W4,
// builder r2c). Stores written before it read a second shipping of a
// lot by a line under the bill of lading of a part still in transit
// from the same site, of the part's weight, as a further step of the
// part (two "L 4 t" shippings under B left 6 t at the mine and 4 t in
// transit, while the receipt check read 8 t shipped), and kept no
// dispatch step on a part a departing or a loading sent
// (critmin.LotPart.DispatchStep). The projection now reads the second
// shipping as another part of the trip (ledger.joinsTrip). On a store
// holding a dispatch it replays the log as verify does and rewrites
// each lot projection table that differs; other stores are left alone.
// Running it again changes nothing.
func replayDispatchStep(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	var hit int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+dispatchStepEvents+` LIMIT 1) AS hit`).Scan(&hit); err != nil {
		return fmt.Errorf("count dispatch steps: %w", err)
	}
	if hit == 0 {
		return nil
	}
	return replaceProjectionOf(ctx, raw, tx, d, append(append([]string(nil), projectionTables...), "event_contents"))
}
