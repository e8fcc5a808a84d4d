package storetest

import (
	"testing"
	"time"

	"github.com/critmin/critmin/epcis"

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

// MigrateContainerEmptied (fixOb, issues 8/9, the new-user check after
// fixNe): migration 0123 rebuilds, on SQLite and PostgreSQL alike, a
// store written when a run fed a container whole did not empty it. L
// (10,000 kg) at mb, 6,000 kg packed into E1 on Oct 2; run RA fed E1
// whole on Oct 5 takes 6 t (4 t left, loose). pX packs 4,000 kg of L
// into E1 on Oct 6; run RB fed E1 whole on Oct 7 takes them; pX is then
// declared in error. Today RB's contents are recomputed: E1 was emptied
// by RA and nothing stood packed in it since, so RB takes nothing and L
// keeps 10 − 6 = 4 t, in stock. The binary before fixOb read E1 as still
// holding pe1's 6 t, cut to the 4 t that remained: RB took 4 t, L
// consumed (taken 6 + 4 = 10 t), RB's contents L 4,000 kg in E1 — the
// rollback puts those rows back. After 0123: L in stock, 4 t, not a
// parent of XB.
func MigrateContainerEmptied(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const e1 = "urn:epc:id:sscc:0614141.3300000001"
	checkReplayMigration(t, open, 123, func(db *sqldb.DB) {
		svc := ledger.NewService(db)
		svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) }
		MustCapture(t, svc, ctDoc(cfLot("L", "PAK", 10000, "Nd:4"), ctPack("pe1", "ADD", e1, 2, "L:6000")))
		MustCapture(t, svc, ctDoc(cfRun("RA", 5, []string{e1}, nil, "XA", 200)))
		MustCapture(t, svc, ctDoc(ctPack("pX", "ADD", e1, 6, "L:4000")))
		MustCapture(t, svc, ctDoc(cfRun("RB", 7, []string{e1}, nil, "XB", 100)))
		cfLotState(t, db, "RB before pX is declared in error", "L", "consumed", 0, "XB", true)
		MustCapture(t, svc, ctDoc(ydDeclared(ctPack("pX", "ADD", e1, 6, "L:4000"))))
	}, func(db *sqldb.DB) {
		execRebound(t, db, `UPDATE lots SET status = 'consumed', taken_t = 10 WHERE id = 'urn:t:lot:L'`)
		execRebound(t, db, `INSERT INTO event_contents (event_id, container, canon, quantity, uom) VALUES ('urn:t:ev:RB', ?, 'urn:t:lot:L', 4000, 'KGM')`, epcis.Canonical(e1))
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			cfLotState(t, db, stage.String(), "L", "consumed", 0, "", false)
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want a difference (the old projection)", stage)
			}
			return
		}
		cfLotState(t, db, stage.String(), "L", "in_stock", 4, "XB", false)
	})
}
