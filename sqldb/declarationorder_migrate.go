package sqldb

import (
	"context"
	"database/sql"
)

// declarationOrderMigration is the migration whose Go step is
// replayDeclarationOrder.
const declarationOrderMigration = 138

func init() { goStepsWithStore[declarationOrderMigration] = replayDeclarationOrder }

// replayDeclarationOrder is migration 0138's Go step (issue 8 §2,
// builder fixQn, new-user check nuq7). Stores written before it could
// hold a record that depended on where a declaration stood: a packing
// declared in error before its corrective packing in one document left
// the run fed the container whole taking nothing (the run, left with no
// event_contents row, was not found again when the corrective was
// stored), and an event moving a container whose declaration arrived
// before it kept no event_contents, so the lot's timeline left it out.
// Capture now applies a document's declarations first and finds the
// runs fed a container whole by their inputEPCList. On a store holding
// a declaration and an event naming in its epcList or inputEPCList an
// identifier some AggregationEvent uses as its parentID, it replays the
// log as verify does and rewrites each lot projection table that
// differs, event_contents included; other stores are left alone.
// Running it again changes nothing.
func replayDeclarationOrder(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	return replayWhenDeclared(ctx, raw, tx, d, "events moving or fed a container",
		`SELECT 1 FROM event_epcs x JOIN event_epcs p ON p.canon = x.canon AND p.role = 'parent' WHERE x.role IN ('epc', 'input')`)
}
