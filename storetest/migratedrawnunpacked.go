package storetest

import (
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// drawnUnpackedVersion is migration 0133's number.
const drawnUnpackedVersion = 133

// MigrateDrawnUnpacked checks migration 0133 (issue 9, fixQe) with
// testWeighedDrawnUnpackedFed's case: PK 3 t and K 4 t packed into C1 at
// khi, [C1] received at mb weighing "PK 2,800 kg", R1 takes "PK
// 1,000 kg" by line out of C1, 1 t of PK unpacked, R2 fed C1 whole. The
// rows written before the fix had R2 take 1 t of PK (min(2.8 − 1,
// 3 − 1 − 1): an event_contents row of 1,000 kg, the lot's taken figure
// 0.2 t more: 7.8 t standing); the migration replays the log: R2 took
// 2.8 − 1 − 1 = 0.8 t, and PK keeps 7 t at khi + 1 t unpacked at mb.
func MigrateDrawnUnpacked(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot, bol, mb = "urn:t:lot:PK", "urn:t:bol:BOL-QE", "urn:t:site:mb"
	checkReplayMigration(t, open, drawnUnpackedVersion, func(db *sqldb.DB) {
		captureDrawnUnpacked(t, db, "qe", bol, mb, "2800", "1000")
	}, func(db *sqldb.DB) {
		execRebound(t, db, `UPDATE lots SET taken_t = taken_t + 0.2 WHERE id = ?`, lot)
		execRebound(t, db, `UPDATE event_contents SET quantity = 1000 WHERE event_id = 'urn:t:ev:qe-R2' AND canon = ?`, lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want the old rows named", stage)
			}
			return
		}
		pkStanding(t, db, stage.String(), "PK", 8)
		qeOrigin(t, db, stage.String(), "P2", 0.8/4.8, 0.08/0.28)
	})
}

// captureDrawnUnpacked records the drawn-then-unpacked case the
// migrations 0133 and 0137 are checked with, its event IDs prefixed p:
// PK 10 t (Nd 10 %) and K 4 t (Nd 5 %) at khi, PK 3 t and K 4 t packed
// into C1, [C1] shipped on bol and received at mb weighing "PK recvKg
// kg", R1 takes "PK 1,000 kg" by line out of C1, unpackKg kg of PK
// unpacked, R2 fed C1 whole (products P1 and P2).
func captureDrawnUnpacked(t *testing.T, db *sqldb.DB, p, bol, mb, recvKg, unpackKg string) {
	t.Helper()
	svc := custody.NewService(db)
	MustCapture(t, svc, ctDoc(piAtKhi(cfLot("PK", "PAK", 10000, "Nd:10")), piAtKhi(cfLot("K", "CHN", 4000, "Nd:5")), piAtKhi(ctPack(p+"-pack", "ADD", cbC1, 2, "PK:3000", "K:4000"))))
	MustCapture(t, svc, ctDoc(piAtKhi(ccShip(p+"-ship", bol, 3, []string{cbC1}))))
	MustCapture(t, svc, ctDoc(ctRecvAt(p+"-recv", bol, mb, 4, []string{cbC1}, "PK:"+recvKg)))
	MustCapture(t, svc, ctDoc(cfRun(p+"-R1", 5, nil, []string{"PK:1000"}, "P1", 100)))
	MustCapture(t, svc, ctDoc(qeUnpack(p+"-un1", 6, "PK", unpackKg)))
	MustCapture(t, svc, ctDoc(cfRun(p+"-R2", 7, []string{cbC1}, nil, "P2", 200)))
}
