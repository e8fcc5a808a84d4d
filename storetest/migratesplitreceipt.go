package storetest

import (
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// MigrateSplitReceipt (fixPe, issue 8, n8c s9): migration 0126 rebuilds,
// on SQLite and PostgreSQL alike, a store written when a receipt of one
// container of a split trip, with the lot's weighed line, received the
// whole trip. Lot MS, 10,000 kg at mb: 6,000 kg packed into C1 and 4,000
// kg into C2, [C1, C2] shipped under BOL-MS, [C1] received at khi with
// "MS 6,000 kg". The rollback writes the lot as the binaries before did:
// its mass 6 t, no part in transit (C2's 4 t gone); verify names it.
// After 0126: 6 t at khi and 10 − 6 = 4 t in transit in C2, verify clean.
func MigrateSplitReceipt(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot = "urn:t:lot:MS"
	checkReplayMigration(t, open, splitReceiptVersion, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		MustCapture(t, svc, ctDoc(csLot("MS"), ctPack("ms-p1", "ADD", cbC1, 2, "MS:6000"), ctPack("ms-p2", "ADD", cbC2, 2, "MS:4000")))
		MustCapture(t, svc, ctDoc(ccShip("ms-ship", "urn:t:bol:BOL-MS", 3, []string{cbC1, cbC2})))
		MustCapture(t, svc, ctDoc(ctRecvAt("ms-r1", "urn:t:bol:BOL-MS", "urn:t:site:khi", 5, []string{cbC1}, "MS:6000")))
	}, func(db *sqldb.DB) {
		execRebound(t, db, `UPDATE lots SET wet_t = 6, parts = '[]' WHERE id = ?`, lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			if l := mustLot(t, db, lot); l.WetTonnes > 6.001 {
				t.Errorf("%v: MS weighs %v t; want the old row's 6 t", stage, l.WetTonnes)
			}
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want the old lot row named", stage)
			}
			return
		}
		tsWant(t, db, stage.String(), lot, 0, 4, 6)
	})
}

// splitReceiptVersion is migration 0126's number.
const splitReceiptVersion = 126
