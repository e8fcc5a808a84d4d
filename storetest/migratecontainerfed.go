package storetest

import (
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateContainerFed (fixNe, issues 8/9, n9-c): migration 0122
// rebuilds, on SQLite and PostgreSQL alike, a store written when a run
// fed a container whole left the lots in it in stock. Cp (Pakistan,
// 5,000 kg) packed into S1; run RC fed S1 whole → Xc. The rollback puts
// Cp back as the binary before kept it: in stock, nothing taken, no edge
// to Xc, no contents kept with RC. After 0122: Cp consumed, 0 t remain,
// a parent of Xc.
func MigrateContainerFed(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const s1 = "urn:epc:id:sscc:0614141.3100000001"
	checkReplayMigration(t, open, 122, func(db *sqldb.DB) {
		svc := ledger.NewService(db)
		MustCapture(t, svc, ctDoc(cfLot("Cp", "PAK", 5000, "Nd:4"), ctPack("p1", "ADD", s1, 2, "Cp:5000")))
		MustCapture(t, svc, ctDoc(cfRun("RC", 5, []string{s1}, nil, "Xc", 500)))
	}, func(db *sqldb.DB) {
		execRebound(t, db, `UPDATE lots SET status = 'in_stock', taken_t = 0 WHERE id = 'urn:t:lot:Cp'`)
		execRebound(t, db, `DELETE FROM lot_links WHERE parent = 'urn:t:lot:Cp' AND kind = 'transformation'`)
		execRebound(t, db, `DELETE FROM event_contents WHERE event_id = 'urn:t:ev:RC'`)
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			cfLotState(t, db, stage.String(), "Cp", "in_stock", 5, "Xc", false)
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want a difference (the old projection)", stage)
			}
			return
		}
		cfLotState(t, db, stage.String(), "Cp", "consumed", 0, "Xc", true)
	})
}
