package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// lineDrawLooseFirstMigration is the migration whose Go step is
// replayLineDrawLooseFirst.
const lineDrawLooseFirstMigration = 131

func init() { goStepsWithStore[lineDrawLooseFirstMigration] = replayLineDrawLooseFirst }

// replayLineDrawLooseFirst is migration 0131's Go step (issue 9, fixPk;
// new-user check n8e-1). Stores written before it cut a container a run
// was fed whole, or a dispatch moved, to what stood of each lot at the
// site (ledger.FedHolding) and to what was left of the parts that
// travelled in it (ledger.ContainerShare), so stock of a lot that
// arrived loose after a line draw emptied the container was taken as if
// in it. The lot's line draws now take its loose stock first, then its
// containers, at their own time (custody.DrawnShares). On a store
// holding an event naming a container in its epcList, or a run fed
// whole (inputEPCList) an identifier some AggregationEvent uses as its
// parentID, it replays the log as verify does and rewrites each lot
// projection table that differs, event_contents included; other stores
// are left alone. Running it again changes nothing.
func replayLineDrawLooseFirst(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+containersFed+` LIMIT 1) AS hit`).Scan(&n); err != nil {
		return fmt.Errorf("count runs fed a container whole: %w", err)
	}
	if n == 0 {
		return replayContents(ctx, raw, tx, d)
	}
	return replaceProjectionOf(ctx, raw, tx, d, append(append([]string(nil), projectionTables...), "event_contents"))
}

// containersFed matches a store holding a run fed whole (inputEPCList)
// an identifier some AggregationEvent uses as its parentID.
const containersFed = `event_epcs x JOIN event_epcs p ON p.canon = x.canon AND p.role = 'parent' WHERE x.role = 'input'`
