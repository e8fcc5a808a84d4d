package storetest

import (
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateStandingSites (issue 15, fix15t): migration 0096 replays the lot
// projection of a store written before a weighing weighed what runs left,
// on SQLite and PostgreSQL alike (open reopens the same store). Lot RT,
// 10 000 kg at mine M (no moisture: dry = wet); run R at M takes
// 4 000 kg of it; a 6 000 kg ticket at M weighs the 10 − 4 = 6 t left.
// The old projection read the ticket as the total: 6 t, 6 − 4 = 2 t
// remaining. After 0096 the total is 6 + 4 = 10 t wet and dry, 6 t
// remaining.
func MigrateStandingSites(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	checkReplayMigration(t, open, 96, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:t0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:RT", "quantity": 10000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore"}}`,
			`{"type": "TransformationEvent", "eventID": "urn:t:ev:t1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
		"transformationID": "urn:t:run:R", "bizLocation": {"id": "urn:t:site:M"},
		"inputQuantityList": [{"epcClass": "urn:t:lot:RT", "quantity": 4000, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:RO", "quantity": 1000, "uom": "KGM"}]}`,
			`{"type": "ObjectEvent", "eventID": "urn:t:ev:t2", "eventTime": "2025-11-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
		"bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:RT", "quantity": 6000, "uom": "KGM"}]}`))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0096: the ticket read as the total.
		execRebound(t, db, `UPDATE lots SET quantity = 6000, wet_t = 6, dry_t = 6 WHERE id = 'urn:t:lot:RT'`)
	}, func(db *sqldb.DB, stage migrationStage) {
		q, err := db.FindLot(t.Context(), "urn:t:lot:RT")
		switch stage {
		case asCaptured:
			if err != nil || !near(q.WetTonnes, 10) || !near(q.TakenTonnes, 4) || !near(q.RemainingWetTonnes(), 6) {
				t.Errorf("as captured: %+v %v; want 10 t, 4 t taken, 6 t remaining (the current projection)", q, err)
			}
		case beforeMigration:
			if err != nil || !near(q.WetTonnes, 6) || !near(q.RemainingWetTonnes(), 2) {
				t.Errorf("before the migration: %+v %v; want the old projection (6 t, 2 t remaining)", q, err)
			}
		case afterMigration:
			if err != nil || !near(q.WetTonnes, 10) || !near(q.DryTonnes, 10) || !near(q.RemainingWetTonnes(), 6) {
				t.Errorf("after the migration: %+v %v; want 10 t wet and dry, 6 t remaining", q, err)
			}
		}
	})
}
