package storetest

import (
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// weighedShareVersion is migration 0132's number.
const weighedShareVersion = 132

// MigrateWeighedShare checks migration 0132 (issue 9, fixPl) with
// testWeighedShareFed's case: Lm 10 t, 6 t in C1 and 4 t in C2, [C1, C2]
// shipped to khi; [C1] received with "Lm 5,400 kg", [C2] with "Lm 4,000
// kg" (9.4 t at khi); R1 fed C1 whole. The rows written before the fix
// had R1 take C1's packed 6 t (an event_contents row of 6,000 kg, the
// lot's taken figure 0.6 t more: 3.4 t left); the migration replays the
// log: R1 took 5.4 t, and 9.4 − 5.4 = 4 t stand at khi.
func MigrateWeighedShare(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot, khi = "urn:t:lot:Lm", "urn:t:site:khi"
	checkReplayMigration(t, open, weighedShareVersion, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		plSetup(t, svc, "Lm", "urn:t:bol:BOL-LM")
		MustCapture(t, svc, ctDoc(ctRecvAt("Lm-recv1", "urn:t:bol:BOL-LM", khi, 5, []string{cbC1}, "Lm:5400")))
		MustCapture(t, svc, ctDoc(ctRecvAt("Lm-recv2", "urn:t:bol:BOL-LM", khi, 6, []string{cbC2}, "Lm:4000")))
		MustCapture(t, svc, ctDoc(peRunAt("Lm-R1", khi, 7, []string{cbC1}, nil, "Om1", 500)))
	}, func(db *sqldb.DB) {
		execRebound(t, db, `UPDATE lots SET taken_t = taken_t + 0.6 WHERE id = ?`, lot)
		execRebound(t, db, `UPDATE event_contents SET quantity = 6000 WHERE event_id = 'urn:t:ev:Lm-R1' AND canon = ?`, lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			plStanding(t, db, stage.String()+" (the old rows)", "Lm", khi, 3.4)
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want the old rows named", stage)
			}
			return
		}
		plStanding(t, db, stage.String(), "Lm", khi, 4)
	})
}
