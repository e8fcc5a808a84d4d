package sqldb

import (
	"context"
	"database/sql"
)

// unpackedFedMigration is the migration whose Go step is
// replayUnpackedFed.
const unpackedFedMigration = 142

func init() { goStepsWithStore[unpackedFedMigration] = replayUnpackedFed }

// unpackedFed holds a row for each unpacking (AggregationEvent DELETE)
// declared in error of a container some run was fed whole: the stores
// whose log migration 0142 replays.
const unpackedFed = `events d JOIN events u ON u.event_id = d.event_id AND u.declaration = 0 AND u.event_type = 'AggregationEvent' AND u.action = 'DELETE'
	JOIN event_epcs p ON p.event_pk = u.pk AND p.role = 'parent'
	JOIN event_epcs x ON x.canon = p.canon AND x.role = 'input'
	WHERE d.declaration = 1`

// replayUnpackedFed is migration 0142's Go step (new-user check fixQn
// leftover, builder fixQs). Stores written before it kept a run fed a
// container whole as it was captured when an unpacking of that
// container dated before the run was later declared in error: X 10 t
// packed into C, C unpacked (X loose), a run fed C whole (it took
// nothing); with the unpacking declared, the origin read X inside C
// when the run ran and counted it, while X stayed 10 t in stock —
// counted twice. Capture now computes those runs again from what the
// container held at their time (recontain, with the runs fed it whole).
// On a store holding such a declaration it replays the log as verify
// does and rewrites each lot projection table that differs,
// event_contents included; other stores are left alone. Running it
// again changes nothing.
func replayUnpackedFed(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	return replayWhenDeclared(ctx, raw, tx, d, "declared unpackings of containers fed whole", `SELECT 1 FROM `+unpackedFed)
}
