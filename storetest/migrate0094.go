package storetest

import (
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateRunOutputsAdd (issue 9, fix9f): migration 0094 replays the lot
// projection of a store written before the output lines of one run added
// up, on SQLite and PostgreSQL alike (open reopens the same store). Run
// R8 at site mb: event r8a feeds 100 t of P8 and makes O8, 0.5 t; the
// later output-only event r8b of R8 names O8 with 10 t. Each event
// records what it produced, so O8 is 0.5 + 10 = 10.5 t (dry: no
// moisture). The old projection kept the last line, 10 t. After 0094,
// 10.5 t; and `critmin verify`'s rebuild equals what is stored.
func MigrateRunOutputsAdd(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	run := func(id, day, in, out string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:R8",
		 ` + in + `"outputQuantityList": [{"epcClass": "urn:t:lot:O8", "quantity": ` + out + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0}}`
	}
	checkReplayMigration(t, open, 94, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:p8", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mb"}, "quantityList": [{"epcClass": "urn:t:lot:P8", "quantity": 100, "uom": "TNE"}],
		"ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}`,
			run("r8a", "20", `"inputQuantityList": [{"epcClass": "urn:t:lot:P8", "quantity": 100, "uom": "TNE"}], `, "0.5"),
			run("r8b", "21", "", "10")))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0094: the last line, 10 t.
		execRebound(t, db, `UPDATE lots SET quantity = 10, wet_t = 10, dry_t = 10 WHERE id = 'urn:t:lot:O8'`)
	}, func(db *sqldb.DB, stage migrationStage) {
		o, err := db.FindLot(t.Context(), "urn:t:lot:O8")
		switch stage {
		case asCaptured, afterMigration:
			if err != nil || !near(o.WetTonnes, 10.5) || !near(o.DryTonnes, 10.5) {
				t.Errorf("%s: %+v %v; want 0.5 + 10 = 10.5 t", stage, o, err)
			}
		case beforeMigration:
			if err != nil || !near(o.WetTonnes, 10) {
				t.Errorf("before the migration: %+v %v; want the old projection (10 t)", o, err)
			}
		}
	})
}
