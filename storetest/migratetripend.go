package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// tripEndVersion is migration 0139's number.
const tripEndVersion = 139

// MigrateTripEndOnce checks migration 0139 (new-user check nuq8 item 1,
// fixQo) with testTripEndOnce's several-containers form: lot TS
// 10,000 kg at mb, 6,000 kg packed into B2 and 4,000 kg into B3 (Oct 2),
// [B2, B3] shipped mb → khi under bill TS (Oct 3), [B2] arriving at khi
// (Oct 5), [B2] receiving at khi under TS (Oct 6). The rows written
// before the fix booked [B2] twice: its arriving split off a 6 t part
// received at khi (keeping no containers), and its receiving took the
// body still in transit under TS (B3's 4 t) in at B2's 6 t: 6 + 6 =
// 12 t at khi, nothing in transit, 12 t in all. The migration replays
// the log: the receiving books nothing new, 6 t (B2) at khi, 10 − 6 =
// 4 t (B3) in transit, 6 + 4 = 10 t in all.
func MigrateTripEndOnce(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot, khi = "urn:t:lot:TS", "urn:t:site:khi"
	const b2, b3 = "urn:t:box:TE-B2", "urn:t:box:TE-B3"
	checkReplayMigration(t, open, tripEndVersion, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		MustCapture(t, svc, ctDoc(csLot("TS"), ctPack("ts-pack2", "ADD", b2, 2, "TS:6000"), ctPack("ts-pack3", "ADD", b3, 2, "TS:4000")))
		MustCapture(t, svc, ctDoc(ccShip("ts-ship", "urn:t:bol:TS", 3, []string{b2, b3})))
		MustCapture(t, svc, ctDoc(aqStep(ctRecvAt("ts-first", "urn:t:bol:TS", khi, 5, []string{b2}), "arriving")))
		MustCapture(t, svc, ctDoc(ctRecvAt("ts-recv2", "urn:t:bol:TS", khi, 6, []string{b2})))
	}, func(db *sqldb.DB) {
		parts := oldParts(t, db, lot, func(parts []critmin.LotPart) {
			for i := range parts {
				parts[i].Containers = nil
			}
		})
		execRebound(t, db, `UPDATE lots SET wet_t = 12, status = ?, location = ?, parts = ? WHERE id = ?`, critmin.LotInStock, khi, parts, lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want the old rows named", stage)
			}
			teWant(t, db, stage.String(), lot, 12, 0, 0, 12)
			return
		}
		teWant(t, db, stage.String(), lot, 6, 0, 4, 10)
	})
}
