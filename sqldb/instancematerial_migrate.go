package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// instanceMaterialMigration is the migration whose Go step is
// replayInstanceMaterial.
const instanceMaterialMigration = 147

func init() { goStepsWithStore[instanceMaterialMigration] = replayInstanceMaterial }

// instanceNamedAgain holds a row for each instance an ObjectEvent ADD
// names in its epcList (a bag commissioned by SGTIN) that another event
// names again in its epcList (a shipping, a receipt) or packs by
// childEPCs: the stores whose log migration 0147 replays.
const instanceNamedAgain = `events a JOIN event_epcs x ON x.event_pk = a.pk AND x.role = 'epc'
	JOIN event_epcs y ON y.canon = x.canon AND y.role IN ('epc', 'child') AND y.event_pk <> x.event_pk
	WHERE a.event_type = 'ObjectEvent' AND a.action = 'ADD'`

// replayInstanceMaterial is migration 0147's Go step (new-user check
// nuq10 s14, builder fixQx). Stores written before it read a bag
// commissioned by its own instance identifier (an SGTIN with its own
// ILMD) as an empty container wherever another event named it: its
// shipping and receipt by epcList did not move the bag's lot, and a
// container it was packed into by childEPCs, fed whole to a run, gave
// the run the lots packed by childQuantityList and not the bag — the
// bag stayed in stock and the product's origin left it out. The
// projection now reads such a commissioned instance as material
// (ledger.Holdings.Material). On a store holding an instance
// commissioned by an ADD and named again (instanceNamedAgain) it
// replays the log as verify does and rewrites each lot projection table
// that differs, event_contents included; other stores are left alone.
// Running it again changes nothing.
func replayInstanceMaterial(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	var hit int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+instanceNamedAgain+` LIMIT 1) AS hit`).Scan(&hit); err != nil {
		return fmt.Errorf("count instances commissioned and named again: %w", err)
	}
	if hit == 0 {
		return nil
	}
	return replaceProjectionOf(ctx, raw, tx, d, append(append([]string(nil), projectionTables...), "event_contents"))
}
