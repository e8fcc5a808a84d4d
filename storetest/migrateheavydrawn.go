package storetest

import (
	"testing"

	"github.com/critmin/critmin/sqldb"
)

// heavyDrawnVersion is migration 0137's number.
const heavyDrawnVersion = 137

// MigrateHeavyDrawn checks migration 0137 (issue 9, fixQm) with
// testHeavyDrawnUnpackedFed's case: PK 3 t and K 4 t packed into C1 at
// khi, [C1] received at mb weighing "PK 3,015 kg", R1 takes "PK
// 1,000 kg" by line out of C1, 1.015 t of PK unpacked, R2 fed C1 whole.
// The rows written before the fix had R2 take 1.015 t of PK (R1 drew
// only 0.985 t out of C1, the 0.015 t gain read as loose at mb: an
// event_contents row of 1,015 kg, the lot's taken figure 0.015 t more:
// 8 t standing); the migration replays the log: R2 took 3.015 − 1 −
// 1.015 = 1 t, PK stands 7 t at khi + 1.015 t unpacked at mb = 8.015 t,
// and P2 is 1 / 5 Pakistani by dry mass, 0.1 / 0.3 by Nd.
func MigrateHeavyDrawn(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot, bol, mb = "urn:t:lot:PK", "urn:t:bol:BOL-QM", "urn:t:site:mb"
	checkReplayMigration(t, open, heavyDrawnVersion, func(db *sqldb.DB) {
		captureDrawnUnpacked(t, db, "qm", bol, mb, "3015", "1015")
	}, func(db *sqldb.DB) {
		execRebound(t, db, `UPDATE lots SET taken_t = taken_t + 0.015 WHERE id = ?`, lot)
		execRebound(t, db, `UPDATE event_contents SET quantity = 1015 WHERE event_id = 'urn:t:ev:qm-R2' AND canon = ?`, lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want the old rows named", stage)
			}
			return
		}
		pkStanding(t, db, stage.String(), "PK", 8.015)
		qeOrigin(t, db, stage.String(), "P2", 1.0/5, 0.1/0.3)
	})
}
