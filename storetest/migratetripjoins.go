package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// MigrateTripJoins (fixNa, issue 8): migration 0121 rebuilds the lot
// projection of a store written before one trip's dispatches could be
// spread over several events, on SQLite and PostgreSQL alike. Lot MJ,
// 10,000 kg at mb, packed 6,000 kg into C1 and 4,000 kg into C2 on Oct
// 2; [C1] shipped under BOL-M to khi on Oct 3 and [C2] under BOL-M on
// Oct 4, an event each.
//
//	today: one part of 6 + 4 = 10 t in transit under BOL-M, [C2]'s
//	  dispatch joined to it (4 t), nothing at mb;
//	before: [C2]'s dispatch a further step of C1's trip: the 6 t part
//	  in transit, 10 − 6 = 4 t in stock at mb.
func MigrateTripJoins(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot = "urn:t:lot:MJ"
	checkReplayMigration(t, open, 121, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		MustCapture(t, svc, ctDoc(csLot("MJ"), ctPack("mj-pack1", "ADD", cbC1, 2, "MJ:6000"), ctPack("mj-pack2", "ADD", cbC2, 2, "MJ:4000")))
		MustCapture(t, svc, ctDoc(ccShip("mj-ship1", "urn:t:bol:BOL-M", 3, []string{cbC1})))
		MustCapture(t, svc, ctDoc(ccShip("mj-ship2", "urn:t:bol:BOL-M", 4, []string{cbC2})))
	}, func(db *sqldb.DB) {
		// Back to the projection the binaries before fixNa kept: the
		// part at C1's 6 t with no join, the lot in stock at mb.
		parts := oldParts(t, db, lot, func(old []critmin.LotPart) {
			old[0].Tonnes, old[0].Joins, old[0].Containers = 6, nil, nil
		})
		execRebound(t, db, `UPDATE lots SET status = 'in_stock', location = 'urn:t:site:mb', parts = ? WHERE id = ?`, parts, lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		l := mustLot(t, db, lot)
		if stage == beforeMigration {
			if l.Status != critmin.LotInStock || !ctNear(l.RemainingWetTonnes(), 4) || !ctNear(l.InTransitTonnes(), 6) {
				t.Errorf("%v: MJ %s, %v t at mb, %v t in transit; want the old projection (in_stock, 4 t at mb, 6 t in transit)", stage, l.Status, l.RemainingWetTonnes(), l.InTransitTonnes())
			}
			if rep := verifyFull(t, db, nil, true); rep.Difference == nil || rep.Difference.Table != "lots" {
				t.Errorf("%v: verify %v %v; want lots named (the old row)", stage, rep.Problem, rep.Difference)
			}
			return
		}
		if l.Status != critmin.LotInTransit || !ctNear(l.RemainingWetTonnes(), 0) || !ctNear(lsInTransit(l), 10) || !ctNear(l.WetTonnes, 10) {
			t.Errorf("%v: MJ %s at %s, %v t standing, %v t in transit, total %v t (parts %+v); want in_transit, 0 t standing, 6 + 4 = 10 t in transit, 10 t", stage, l.Status, l.Location, l.RemainingWetTonnes(), lsInTransit(l), l.WetTonnes, l.Parts)
		}
		if len(l.Parts) != 1 || len(l.Parts[0].Joins) != 1 || l.Parts[0].Joins[0].ShipEventID != "urn:t:ev:mj-ship2" || !ctNear(l.Parts[0].Joins[0].Tonnes, 4) {
			t.Errorf("%v: MJ's parts %+v; want one part, [C2]'s dispatch joined with 4 t", stage, l.Parts)
		}
	})
}
