package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// tripNoDispositionVersion is migration 0140's number.
const tripNoDispositionVersion = 140

// MigrateTripNoDisposition checks migration 0140 (new-user check nuq8
// a3g/b9, fixQq) with testShippedNoDisposition's containers: lot NC
// 10,000 kg at mb, 6,000 kg packed into B1 and 4,000 kg into B2 (Oct 2),
// [B1, B2] shipped under bill NC with no disposition and no bizLocation
// (Oct 3), [B1] received at khi under NC (Oct 5). The rows written
// before the fix read the shipping as nothing and [B1]'s receipt as the
// whole lot arriving at B1's weight: 6 t at khi, nothing in transit,
// 6 t in all (4 t gone). The migration replays the log: 6 t (B1) at
// khi, 10 − 6 = 4 t (B2) in transit, 6 + 4 = 10 t in all.
func MigrateTripNoDisposition(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot, khi = "urn:t:lot:NC", "urn:t:site:khi"
	const b1, b2 = "urn:t:box:ND-B1", "urn:t:box:ND-B2"
	checkReplayMigration(t, open, tripNoDispositionVersion, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		MustCapture(t, svc, ctDoc(csLot("NC"), ctPack("nc-pack1", "ADD", b1, 2, "NC:6000"), ctPack("nc-pack2", "ADD", b2, 2, "NC:4000")))
		MustCapture(t, svc, ctDoc(sdShip("nc-ship", "shipping", "urn:t:bol:NC", false, 3, []string{b1, b2})))
		MustCapture(t, svc, ctDoc(ctRecvAt("nc-recv1", "urn:t:bol:NC", khi, 5, []string{b1})))
	}, func(db *sqldb.DB) {
		execRebound(t, db, `UPDATE lots SET quantity = 6000, wet_t = 6, status = ?, location = ?, parts = ? WHERE id = ?`, critmin.LotInStock, khi, "null", lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want the old rows named", stage)
			}
			teWant(t, db, stage.String(), lot, 6, 0, 0, 6)
			return
		}
		teWant(t, db, stage.String(), lot, 6, 0, 4, 10)
	})
}
