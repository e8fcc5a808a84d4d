package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// tripEndMigration is the migration whose Go step is replayTripEnd.
const tripEndMigration = 139

func init() { goStepsWithStore[tripEndMigration] = replayTripEnd }

// tripEnds holds a row for each arriving, unloading or accepting event
// (any CBV spelling) and a receiving under the same business
// transaction (its bill of lading): the stores whose log migration
// 0139 replays.
var tripEnds = `events a JOIN event_attrs ab ON ab.event_pk = a.pk AND ab.kind = 'bizTransaction'
	JOIN event_attrs rb ON rb.kind = 'bizTransaction' AND rb.canon = ab.canon AND rb.event_pk <> ab.event_pk
	JOIN events r ON r.pk = rb.event_pk
	WHERE (` + stepCond("a", "arriving", "unloading", "accepting") + `) AND (` + stepCond("r", "receiving") + `)`

// stepCond matches alias.biz_step for steps in any CBV spelling (bare,
// urn:epcglobal:cbv:bizstep:…, the GS1 web URI).
func stepCond(alias string, steps ...string) string {
	var or []string
	for _, s := range steps {
		or = append(or, alias+".biz_step = '"+s+"'", alias+".biz_step LIKE '%:"+s+"'", alias+".biz_step LIKE '%/"+s+"'")
	}
	return strings.Join(or, " OR ")
}

// replayTripEnd is migration 0139's Go step (new-user check nuq8 item
// 1, builder fixQo). Stores written before it booked one end of a trip
// twice: after [C1, C2] (6 t and 4 t of a 10 t lot) were shipped under
// bill B, [C1] arriving and then [C1] receiving under B read 6 + 6 =
// 12 t at the destination, and the parts a receipt split off kept no
// containers (ledger receivedShare), so `critmin verify` names them.
// Capture now books the first of arriving, unloading, accepting and
// receiving of a part or container under one bill and nothing at the
// later ones (CBV 2.0 §7.2). On a store holding an arriving, unloading
// or accepting event and a receiving under the same business
// transaction (tripEnds) it replays the log as verify does and rewrites
// each lot projection table that differs, event_contents included;
// other stores are left alone. Running it again changes nothing.
func replayTripEnd(ctx context.Context, raw *sql.DB, tx *sql.Tx, d Dialect) error {
	var hit int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM `+tripEnds+` LIMIT 1) AS hit`).Scan(&hit); err != nil {
		return fmt.Errorf("count trip ends received after an arrival: %w", err)
	}
	if hit == 0 {
		return nil
	}
	return replaceProjectionOf(ctx, raw, tx, d, append(append([]string(nil), projectionTables...), "event_contents"))
}
