package storetest

import (
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// lotTripVersion is migration 0134's number.
const lotTripVersion = 134

// MigrateLotTrip checks migration 0134 (issue 8, fixQb): lot PB, 10 t at
// mb, 6 t packed into C1 and 4 t into C2, [C1, C2] shipped mb → hou
// under B1 on Oct 3 by event pb-ship. A store written before 0134 has no
// trip columns (rolled back by dropping them); the migration adds them
// and replays the log: PB's trip is bill B1, bound for hou, dispatched by
// pb-ship. An arriving of [C1, C2] at khi under B1 is then a step on the
// way: 0 t at mb, 10 t in transit, 0 t at khi.
func MigrateLotTrip(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot, mb, khi, hou, b1 = "urn:t:lot:PB", "urn:t:site:mb", "urn:t:site:khi", "urn:t:site:hou", "urn:t:bol:B1"
	boxes := []string{cbC1, cbC2}
	checkReplayMigration(t, open, lotTripVersion, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		MustCapture(t, svc, ctDoc(csLot("PB"), ctPack("pb-pack1", "ADD", cbC1, 2, "PB:6000"), ctPack("pb-pack2", "ADD", cbC2, 2, "PB:4000")))
		MustCapture(t, svc, ctDoc(saLeave("pb-ship", "shipping", b1, mb, "all", hou, 3, boxes)))
	}, func(db *sqldb.DB) {
		for _, c := range []string{"trip_bill", "trip_to", "trip_event"} {
			execRebound(t, db, `ALTER TABLE lots DROP COLUMN `+c)
		}
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			return // no trip columns to read: the lots row cannot be read by this code
		}
		l := mustLot(t, db, lot)
		if l.TripBill != b1 || l.TripTo != hou || l.TripEventID != "urn:t:ev:pb-ship" {
			t.Errorf("%v: PB's trip %q → %q by %q; want %q → %q by urn:t:ev:pb-ship", stage, l.TripBill, l.TripTo, l.TripEventID, b1, hou)
		}
		if stage == afterMigration {
			MustCapture(t, custody.NewService(db), ctDoc(tbArrive("pb-arr", "arriving", b1, khi, hou, 5, false, boxes)))
			tsWant(t, db, "arriving at khi under B1 after the migration", lot, 0, 10, 0)
		}
	})
}
