package storetest

import (
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// declaredDrawsVersion is migration 0135's number.
const declaredDrawsVersion = 135

// MigrateDeclaredDraws checks migration 0135 (issues 8 §2/9, fixQh) with
// testDrawDeclaredRefeeds' case: P 3 t and M 2 t packed whole into C1,
// R1 takes "P 3,000 kg" by line (all out of C1), R2 fed C1 whole takes
// M 2 t, then R1 declared in error. The rows written before the fix kept
// R2 taking M 2 t alone (no event_contents row of P, no link P → O2, P's
// taken figure 3 t less: 3 t standing); the migration replays the log:
// R2 took P 3 t + M 2 t, O2 is 3 / 5 = 0.6 Pakistani by dry mass, 0.3 /
// 0.4 = 0.75 by Nd, and P stands at 0 t.
func MigrateDeclaredDraws(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot = "urn:t:lot:P"
	r1 := cfRun("qh-R1", 3, nil, []string{"P:3000"}, "O1", 100)
	checkReplayMigration(t, open, declaredDrawsVersion, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		MustCapture(t, svc, ctDoc(cfLot("P", "PAK", 3000, "Nd:10"), cfLot("M", "CHN", 2000, "Nd:5"), ctPack("qh-pack", "ADD", cbC1, 2, "P:3000", "M:2000")))
		MustCapture(t, svc, ctDoc(r1))
		MustCapture(t, svc, ctDoc(cfRun("qh-R2", 4, []string{cbC1}, nil, "O2", 200)))
		MustCapture(t, svc, ctDoc(qhDeclared(r1)))
	}, func(db *sqldb.DB) {
		execRebound(t, db, `DELETE FROM event_contents WHERE event_id = 'urn:t:ev:qh-R2' AND canon = ?`, lot)
		execRebound(t, db, `UPDATE lots SET taken_t = taken_t - 3 WHERE id = ?`, lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want the old rows named", stage)
			}
			return
		}
		pkStanding(t, db, stage.String(), "P", 0)
		qeOrigin(t, db, stage.String(), "O2", 0.6, 0.75)
	})
}
