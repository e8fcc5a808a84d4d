package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// lineDrawLooseFirstVersion is migration 0131's number.
const lineDrawLooseFirstVersion = 131

// MigrateLineDrawLooseFirst checks migration 0131 (issue 9, fixPk) with
// testLineDrawLooseFirst's case: Pa 8 t received at mb, Pa 6 t + Kb 4 t
// packed into C1; R1 takes "Pa 5,000 kg" (2 t loose, 3 t out of C1); Pa's
// last 2 t arrive loose; R2 fed C1 whole. The rows written before the
// fix had R2 take Pa 5 t (an event_contents row of 5,000 kg, the loose
// part's 2 t taken by R2); the migration replays the log: R2 took Pa
// 3 t, and Pa keeps 8 + 2 − 5 − 3 = 2 t standing at mb.
func MigrateLineDrawLooseFirst(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot = "urn:t:lot:Pa"
	checkReplayMigration(t, open, lineDrawLooseFirstVersion, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		pkSetup(t, db, svc)
		MustCapture(t, svc, ctDoc(peRunAt("pa-R2", "urn:t:site:mb", 8, []string{cbC1}, nil, "Oa2", 500)))
	}, func(db *sqldb.DB) {
		parts := oldParts(t, db, lot, func(old []critmin.LotPart) {
			for i := range old {
				if old[i].BillOfLading == "urn:t:bol:BOL-A2" {
					old[i].TakenTonnes = 2
					old[i].RunTakes = append(old[i].RunTakes, critmin.RunTake{EventID: "urn:t:ev:pa-R2", Tonnes: 2})
				}
			}
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = ?`, parts, lot)
		execRebound(t, db, `UPDATE event_contents SET quantity = 5000 WHERE event_id = 'urn:t:ev:pa-R2' AND canon = ?`, lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		l := mustLot(t, db, lot)
		wet, _ := ledger.PartsStanding(l)
		if stage == beforeMigration {
			if wet > 1e-9 {
				t.Errorf("%v: Pa has %v t standing; want the old rows' 0", stage, wet)
			}
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want the old rows named", stage)
			}
			return
		}
		if !ctNear(wet, 2) {
			t.Errorf("%v: Pa has %v t standing at mb (parts %+v); want 8 + 2 − 5 (R1) − 3 (R2) = 2", stage, wet, l.Parts)
		}
	})
}
