package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// lotTripMigration is the migration whose Go step is replayLotTrip.
const lotTripMigration = 134

func init() { goStepsWithStore[lotTripMigration] = replayLotTrip }

// replayLotTrip is migration 0134's Go step (issue 8, fixQb). The lots
// row now keeps the trip its body is on (lots.trip_bill, trip_to,
// trip_event; ledger.Project): rows written before it have none. On a
// store holding a lot in transit it replays the log as verify does and
// rewrites each lot projection table that differs (event_contents
// included, as replayContents does); other stores are left alone.
// Running it again changes nothing.
func replayLotTrip(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM lots WHERE status = 'in_transit' LIMIT 1) AS hit`).Scan(&n); err != nil {
		return fmt.Errorf("count lots in transit: %w", err)
	}
	if n == 0 {
		return nil
	}
	return replaceProjectionOf(ctx, raw, tx, d, append(append([]string(nil), projectionTables...), "event_contents"))
}
