package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// gainedOriginMigration is the migration whose Go step is
// replayGainedOrigin.
const gainedOriginMigration = 119

func init() { goStepsWithStore[gainedOriginMigration] = replayGainedOrigin }

// gainedOriginStores matches a store holding an event whose projection
// today's code computes otherwise than the binaries before migration
// 0119: a TransformationEvent (fixYf: metal a run's product holds beyond
// what its recorded inputs supplied is of unknown origin, kept in the
// product's mix and the mixes of lots made from it, custody.Mix.Unrec,
// "n"); an event naming a container in its epcList (containerShipments;
// fixYb: a container-only receipt receives what its trip's dispatch
// carried, ledger.TripOf / Carried, not what was packed); or a
// declaration in error of an AggregationEvent (fixYa: declaring a
// packing or unpacking recomputes the container's moves).
var gainedOriginStores = []struct{ what, from string }{
	{"runs", `events WHERE event_type = 'TransformationEvent'`},
	{"events naming a container", containerShipments},
	{"declared packings", `events d JOIN events e ON e.event_id = d.event_id AND e.declaration = 0
		WHERE d.declaration = 1 AND e.event_type = 'AggregationEvent'`},
}

// replayGainedOrigin is migration 0119's Go step (issue 9 nu37a, issue 8,
// issue 15). Stores written before fixYf kept the origin mix of a run's
// product without the part of unknown origin (metal beyond what its
// recorded inputs supplied), and so the mix of every lot made from it:
// a lot downstream read Pakistan 100 % and passed the covered-country
// (DFARS) rule on the kept mix, and verify reported lot_origin. Stores
// written before fixYb kept a container-only receipt's contents
// (event_contents) and the lots' masses as packed, not as its trip's
// dispatch carried; before fixYa a declared packing or unpacking left
// the container's moves as they were. On a store holding any such event
// (gainedOriginStores) the step replays the log as verify does and
// rewrites each lot projection table that differs, event_contents
// included, in this migration's transaction; other stores are left
// alone. Running it again changes nothing.
func replayGainedOrigin(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	for _, s := range gainedOriginStores {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+s.from+` LIMIT 1) AS hit`).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", s.what, err)
		}
		if n > 0 {
			return replaceProjectionOf(ctx, raw, tx, d, append(append([]string(nil), projectionTables...), "event_contents"))
		}
	}
	return nil
}
