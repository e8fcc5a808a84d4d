package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigratePartMoisture (issue 15, fix15m): migration 0092 replays the lot
// projection of a store written before a part of a lot held a moisture
// of its own, on SQLite and PostgreSQL alike (open reopens the same
// store). Lot Q, 30 000 kg at 8 % moisture at Karachi; a part of
// 10 000 kg shipped to Houston under bill of lading 1, received there at
// 10 000 kg and read there at 10.5 % moisture. The old projection
// (0091's) gave the reading to the whole lot: moisture 10.5 %, dry
// 30 × 0.895 = 26.85 t, the part without a moisture. After 0092 the rest
// keeps 8 % and the part holds 10.5 %: dry 20 × 0.92 + 10 × 0.895 =
// 18.4 + 8.95 = 27.35 t.
func MigratePartMoisture(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	checkReplayMigration(t, open, 92, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:q0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 30000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}}`,
			`{"type": "ObjectEvent", "eventID": "urn:t:ev:q1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
		 "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 10000, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:houston"}]}`,
			`{"type": "ObjectEvent", "eventID": "urn:t:ev:q2", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		 "bizLocation": {"id": "urn:t:site:houston"}, "quantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 10000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`,
			`{"type": "ObjectEvent", "eventID": "urn:t:ev:q3", "eventTime": "2025-11-21T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "sampling",
		 "bizLocation": {"id": "urn:t:site:houston"}, "quantityList": [{"epcClass": "urn:t:lot:Q"}],
		 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 10.5, "uom": "P1"}]}]}`))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0092 (0091's shape): the part without
		// a moisture, the lot at the part's 10.5 %.
		parts := oldParts(t, db, "urn:t:lot:Q", func(old []critmin.LotPart) {
			old[0].Moisture, old[0].MoistureEventID = nil, ""
		})
		execRebound(t, db, `UPDATE lots SET moisture = 0.105, dry_t = 26.85, parts = ? WHERE id = 'urn:t:lot:Q'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		q, err := db.FindLot(t.Context(), "urn:t:lot:Q")
		switch stage {
		case asCaptured:
			if err != nil || len(q.Parts) != 1 || q.Parts[0].Moisture == nil || !near(q.DryTonnes, 27.35) {
				t.Errorf("as captured: %+v %v; want the part at 10.5 %%, 27.35 t dry (the current projection)", q, err)
			}
		case beforeMigration:
			if err != nil || q.Moisture == nil || !near(*q.Moisture, 0.105) || !near(q.DryTonnes, 26.85) || q.Parts[0].Moisture != nil {
				t.Errorf("before the migration: %+v %v; want the old projection (10.5 %% on the lot, 26.85 t dry)", q, err)
			}
		case afterMigration:
			if err != nil || len(q.Parts) != 1 {
				t.Errorf("after: %+v %v", q, err)
				return
			}
			p := q.Parts[0]
			if q.Moisture == nil || !near(*q.Moisture, 0.08) || p.Moisture == nil || !near(*p.Moisture, 0.105) || p.MoistureEventID != "urn:t:ev:q3" ||
				!near(q.WetTonnes, 30) || !near(q.DryTonnes, 27.35) {
				t.Errorf("after the migration: lot at %v, part %+v, %v t wet, %v t dry; want the lot at 8 %%, the part at 10.5 %% (urn:t:ev:q3), 30 t wet, 18.4 + 8.95 = 27.35 t dry", q.Moisture, p, q.WetTonnes, q.DryTonnes)
			}
		}
	})
}
