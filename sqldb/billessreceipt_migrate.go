package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// billessReceiptMigration is the migration whose Go step is
// replayBillessReceipt.
const billessReceiptMigration = 149

func init() { goStepsWithStore[billessReceiptMigration] = replayBillessReceipt }

// receiptStepEvents holds a row for each ObjectEvent of a step of a trip's end
// (receiving, arriving, unloading, accepting; any CBV spelling): the
// stores whose log migration 0149 replays.
var receiptStepEvents = `events e WHERE e.event_type = 'ObjectEvent'
	AND (` + stepCond("e", "receiving", "arriving", "unloading", "accepting") + `)`

// replayBillessReceipt is migration 0149's Go step (new-user check nu12
// W3, builder w3billless). Stores written before it booked a receipt of
// several trips (two parts shipped with no bill of lading, or two
// shippings under one bill, received as one) on one part, leaving the
// others in transit as well (13 t of a 10 t lot), read a second part's
// receipt at a site where an earlier part stood as receiving nothing,
// and read a second shipping under a bill as a further step of the
// first. The projection now ends every trip a receipt covers
// (ledger.InTransitTo, tripsEnded, joinsTrip). On a store holding a
// receipt step it replays the log as verify does and rewrites each lot
// projection table that differs; other stores are left alone. Running
// it again changes nothing.
func replayBillessReceipt(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	var hit int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+receiptStepEvents+` LIMIT 1) AS hit`).Scan(&hit); err != nil {
		return fmt.Errorf("count receipt steps: %w", err)
	}
	if hit == 0 {
		return nil
	}
	return replaceProjectionOf(ctx, raw, tx, d, append(append([]string(nil), projectionTables...), "event_contents"))
}
