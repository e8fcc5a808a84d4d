package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// lineDrawContainerVersion is migration 0130's number.
const lineDrawContainerVersion = 130

// MigrateLineDrawContainer checks migration 0130 (issue 9, fixPi) with
// testLineDrawThenLooseArrives's case: Pm 10 t and Km 5 t, 5 t of each
// in C1, C1 shipped to khi; R1 there takes "Pm 5,000 kg" (out of C1);
// Pm's loose 5 t arrive; R2 fed C1 whole. The rows written before the
// fix had R2 take Pm's loose 5 t as if in C1 (an event_contents row of
// Pm under R2, the loose part's 5 t taken by R2); the migration replays
// the log: Pm keeps 5 t standing at khi, and R2's contents are Km's
// 5 t alone.
func MigrateLineDrawContainer(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot = "urn:t:lot:Pm"
	checkReplayMigration(t, open, lineDrawContainerVersion, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		MustCapture(t, svc, ctDoc(cfLot("Pm", "PAK", 10000, "Nd:10"), cfLot("Km", "CHN", 5000, "Nd:10"), ctPack("pm-pack", "ADD", cbC1, 2, "Pm:5000", "Km:5000")))
		MustCapture(t, svc, ctDoc(ccShip("pm-ship", "urn:t:bol:BOL-PM1", 3, []string{cbC1}), ctRecvAt("pm-recv", "urn:t:bol:BOL-PM1", "urn:t:site:khi", 5, []string{cbC1})))
		MustCapture(t, svc, ctDoc(peRunAt("pm-R1", "urn:t:site:khi", 6, nil, []string{"Pm:5000"}, "Om1", 500)))
		MustCapture(t, svc, ctDoc(ccShip("pm-ship2", "urn:t:bol:BOL-PM2", 7, nil, "Pm:5000"), ctRecvAt("pm-recv2", "urn:t:bol:BOL-PM2", "urn:t:site:khi", 8, nil, "Pm:5000")))
		MustCapture(t, svc, ctDoc(peRunAt("pm-R2", "urn:t:site:khi", 9, []string{cbC1}, nil, "Om2", 500)))
	}, func(db *sqldb.DB) {
		parts := oldParts(t, db, lot, func(old []critmin.LotPart) {
			for i := range old {
				if old[i].BillOfLading == "urn:t:bol:BOL-PM2" {
					old[i].TakenTonnes = 5
					old[i].RunTakes = append(old[i].RunTakes, critmin.RunTake{EventID: "urn:t:ev:pm-R2", Tonnes: 5})
				}
			}
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = ?`, parts, lot)
		execRebound(t, db, `INSERT INTO event_contents (event_id, container, canon, quantity, uom) SELECT event_id, container, ?, 5000, 'KGM' FROM event_contents WHERE event_id = 'urn:t:ev:pm-R2'`, lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		l := mustLot(t, db, lot)
		wet, _ := ledger.PartsStanding(l)
		if stage == beforeMigration {
			if wet > 1e-9 {
				t.Errorf("%v: Pm has %v t standing; want the old rows' 0", stage, wet)
			}
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want the old rows named", stage)
			}
			return
		}
		if !ctNear(wet, 5) {
			t.Errorf("%v: Pm has %v t standing at khi (parts %+v); want 10 − 5 (R1) = 5", stage, wet, l.Parts)
		}
	})
}
