package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// tripNoDispositionMigration is the migration whose Go step is
// replayTripNoDisposition.
const tripNoDispositionMigration = 140

func init() { goStepsWithStore[tripNoDispositionMigration] = replayTripNoDisposition }

// tripsNoDisposition holds a row for each ObjectEvent (not a DELETE) of a
// dispatch step (shipping, departing, loading, transporting; any CBV
// spelling) stating neither a disposition nor a bizLocation: the stores
// whose log migration 0140 replays.
var tripsNoDisposition = `events e WHERE e.event_type = 'ObjectEvent' AND (e.action IS NULL OR e.action <> 'DELETE')
	AND (e.disposition IS NULL OR e.disposition = '') AND (e.biz_location IS NULL OR e.biz_location = '')
	AND (` + stepCond("e", "shipping", "departing", "loading", "transporting") + `)`

// replayTripNoDisposition is migration 0140's Go step (new-user check
// nuq8 a3g/b9, builder fixQq). Stores written before it read a shipping,
// departing, loading or transporting ObjectEvent stating no disposition
// and no bizLocation as nothing having happened: the lot stayed in
// stock where it stood, and a receipt of one of its containers under
// the bill then read as the whole lot arriving at that container's
// weight (10 t shipped as [B1, B2], [B1]'s receipt left 6 t in all).
// Capture now reads such an event as one of disposition in_transit
// (ledger.TripStep; CBV 2.0 §7.2, EPCIS 2.0 §7.3.6). On a store holding
// one (tripsNoDisposition) it replays the log as verify does and
// rewrites each lot projection table that differs, event_contents
// included; other stores are left alone. Running it again changes
// nothing.
func replayTripNoDisposition(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	var hit int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+tripsNoDisposition+` LIMIT 1) AS hit`).Scan(&hit); err != nil {
		return fmt.Errorf("count dispatches without a disposition: %w", err)
	}
	if hit == 0 {
		return nil
	}
	return replaceProjectionOf(ctx, raw, tx, d, append(append([]string(nil), projectionTables...), "event_contents"))
}
