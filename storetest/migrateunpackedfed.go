package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// unpackedFedVersion is migration 0142's number.
const unpackedFedVersion = 142

// MigrateUnpackedFed checks migration 0142 (fixQn leftover, fixQs) with
// testDeclaredUnpackingUnderRun's "whole, then C1 fed whole" form: lot
// QX 10,000 kg packed whole into C1 at mb (Oct 2), unpacked whole
// (Oct 3), run qx-R fed C1 whole (Oct 4; it took nothing, C1 empty), the
// unpacking declared in error. The rows written before the fix kept the
// run taking nothing: QX 10 t in stock (its origin read through C1
// counted it in QO all the same). The migration replays the log: qx-R
// takes the 10 t C1 held on Oct 4, QX 0 t standing, 10 t taken.
func MigrateUnpackedFed(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const lot = "urn:t:lot:QX"
	checkReplayMigration(t, open, unpackedFedVersion, func(db *sqldb.DB) {
		svc := custody.NewService(db)
		unpack := strings.Replace(ctPack("qx-unpack", "DELETE", cbC1, 3, "QX:10000"), `"packing"`, `"unpacking"`, 1)
		MustCapture(t, svc, ctDoc(cfLot("QX", "PAK", 10000, "Nd:10"), ctPack("qx-pack", "ADD", cbC1, 2, "QX:10000")))
		MustCapture(t, svc, ctDoc(unpack))
		// Recorded before a run fed an empty container was refused
		// (fixQr): stored unchecked.
		MustCapture(t, service(db), ctDoc(cfRun("qx-R", 4, []string{cbC1}, nil, "QO", 1000)))
		MustCapture(t, svc, ctDoc(ydDeclared(unpack)))
	}, func(db *sqldb.DB) {
		execRebound(t, db, `DELETE FROM event_contents WHERE event_id = 'urn:t:ev:qx-R'`)
		execRebound(t, db, `UPDATE lots SET taken_t = 0, wet_t = 10, dry_t = 10, quantity = 10000, status = ? WHERE id = ?`, critmin.LotInStock, lot)
	}, func(db *sqldb.DB, stage migrationStage) {
		l := mustLot(t, db, lot)
		if stage == beforeMigration {
			if rep := verifyFull(t, db, nil, true); rep.OK() {
				t.Errorf("%v: verify ok; want the old rows named", stage)
			}
			if l.Status != critmin.LotInStock || !ctNear(l.RemainingWetTonnes(), 10) {
				t.Errorf("%v: QX %s with %v t; want the old rows' 10 t in stock", stage, l.Status, l.RemainingWetTonnes())
			}
			return
		}
		pkStanding(t, db, stage.String(), "QX", 0)
		if !ctNear(l.TakenTonnes, 10) {
			t.Errorf("%v: QX taken %v t; want 10", stage, l.TakenTonnes)
		}
	})
}
