package storetest

import (
	"context"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// declarationOrderVersion is migration 0138's number.
const declarationOrderVersion = 138

// MigrateDeclarationOrder checks migration 0138 (issue 8 §2, fixQn,
// new-user check nuq7) with testDeclarationOrderIrrelevant's cases.
// L (PAK, 10,000 kg) packed whole into K (pk, Oct 2), run R1 fed K whole
// makes O (Oct 5); pk declared in error, listed before its corrective
// pk2 packing 4,000 kg of L into K (Oct 2, 01:00), in one document. The
// rows written before the fix kept R1 taking nothing (no event_contents
// row, no link L → O, L 10 t left); the migration replays the log: R1
// took L 4 t, L has 10 − 4 = 6 t left, child O. M (5,000 kg) packed
// into K2, the shipment of [K2] declared in error before it arrived:
// the old rows kept no event_contents of it (left out of M's timeline);
// after the migration it carried M 5,000 kg.
func MigrateDeclarationOrder(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const k, k2 = "urn:epc:id:sscc:0614141.3800000002", "urn:epc:id:sscc:0614141.3800000003"
	pk := ctPack("qn-pk", "ADD", k, 2, "L:10000")
	sh := ccShip("qn-sh", "urn:t:bol:QN1", 3, []string{k2})
	moves := func(db *sqldb.DB) int {
		ms, err := db.ContainerMovesOfLot(context.Background(), "urn:t:lot:M")
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	checkReplayMigration(t, open, declarationOrderVersion, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		MustCapture(t, svc, ctDoc(cfLot("L", "PAK", 10000, "Nd:5"), cfLot("M", "PAK", 5000, "Nd:5"), pk, ctPack("qn-pm", "ADD", k2, 2, "M:5000"),
			cfRun("qn-R1", 5, []string{k}, nil, "O", 200)))
		MustCapture(t, svc, ctDoc(declaredWith(t, pk, "urn:t:ev:qn-pk2"), ctPack("qn-pk2", "ADD", k, 2, "L:4000")))
		MustCapture(t, svc, ctDoc(strandedDeclared(t, sh)))
		MustCapture(t, svc, ctDoc(sh))
	}, func(db *sqldb.DB) {
		execRebound(t, db, `DELETE FROM event_contents WHERE event_id IN ('urn:t:ev:qn-R1', 'urn:t:ev:qn-sh')`)
		execRebound(t, db, `DELETE FROM lot_links WHERE event_id = 'urn:t:ev:qn-R1' AND parent = 'urn:t:lot:L'`)
		execRebound(t, db, `UPDATE lots SET taken_t = taken_t - 4 WHERE id = 'urn:t:lot:L'`)
	}, func(db *sqldb.DB, stage migrationStage) {
		if stage == beforeMigration {
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want the old rows named", stage)
			}
			if n := moves(db); n != 0 {
				t.Errorf("%v: %d container moves of M; want the old rows' 0", stage, n)
			}
			return
		}
		cfLotState(t, db, stage.String(), "L", critmin.LotInStock, 6, "O", true)
		if n := moves(db); n != 1 {
			t.Errorf("%v: %d container moves of M; want 1 (qn-sh carried M 5,000 kg)", stage, n)
		}
	})
}
