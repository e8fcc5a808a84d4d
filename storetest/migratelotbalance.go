package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// MigrateLotBalance (fixOh, issue 8, n8b item 1): migration 0125
// rebuilds, on SQLite and PostgreSQL alike, a store written when a part
// rejoining the body brought back what runs took of it. Lot RA, 10 t at
// mb: C1 6 t and C2 4 t shipped under BOL-RA, [C1] received at khi, run
// X1 fed C1 whole (6 t consumed), [C2] received. The rollback writes the
// lot as the binaries before did — the body's TakenTonnes 0, the 6 t
// taken left on the rejoined part: 10 t standing beside 6 t consumed —
// and verify names it (the stored lot breaks the lot balance); after
// 0125 the lot has 10 − 6 = 4 t at khi, 6 t consumed, and verify is
// clean.
func MigrateLotBalance(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot = "urn:t:lot:RA"
	checkReplayMigration(t, open, lotBalanceVersion, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		MustCapture(t, svc, ctDoc(csLot("RA"), ctPack("ra-p1", "ADD", cbC1, 2, "RA:6000"), ctPack("ra-p2", "ADD", cbC2, 2, "RA:4000")))
		MustCapture(t, svc, ctDoc(ccShip("ra-ship", "urn:t:bol:BOL-RA", 3, []string{cbC1, cbC2})))
		MustCapture(t, svc, ctDoc(ctRecvAt("ra-r1", "urn:t:bol:BOL-RA", "urn:t:site:khi", 5, []string{cbC1})))
		MustCapture(t, svc, ctDoc(lbRunAt("X1", 6, []string{cbC1}, nil, "PX1", 200)))
		MustCapture(t, svc, ctDoc(ctRecvAt("ra-r2", "urn:t:bol:BOL-RA", "urn:t:site:khi", 7, []string{cbC2})))
	}, func(db *sqldb.DB) {
		execRebound(t, db, `UPDATE lots SET taken_t = 0 WHERE id = ?`, lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			if l := mustLot(t, db, lot); l.RemainingWetTonnes() < 9.999 {
				t.Errorf("%v: %v t stand; want the old row's 10 t", stage, l.RemainingWetTonnes())
			}
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want the old lot row named", stage)
			}
			return
		}
		lbWant(t, db, stage.String(), "RA", 4, 0, 0, 6)
		if l := mustLot(t, db, lot); l.Status != critmin.LotInStock {
			t.Errorf("%v: RA %s; want in_stock", stage, l.Status)
		}
	})
}

// lotBalanceVersion is migration 0125's number.
const lotBalanceVersion = 125
