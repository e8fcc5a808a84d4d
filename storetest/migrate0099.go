package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateOnwardMoisture (issue 15, fix15u): migration 0099 replays the
// lot projection of a store written before an onward part carried the
// mass-weighted moisture of what it took, on SQLite and PostgreSQL alike
// (open reopens the same store). Lot OM, 30 000 kg at mine M (no
// moisture: its body is taken as dry); 10 000 kg shipped to port P at
// 8 % (bill 1) and 10 000 kg at 4 % (bill 2), both received at P; then
// 15 000 kg shipped on from P to hub H (bill 3): 10 t of bill 1 and 5 t
// of bill 2, at (10 × 0.08 + 5 × 0.04) / 15 = 1/15. Dry: body 10 t + P
// 5 × 0.96 = 4.8 t + H 15 − 1.0 = 14.0 t = 28.8 t. The old projection
// gave the onward part bill 1's 8 %: 15 × 0.92 = 13.8 t, 28.6 t in all.
func MigrateOnwardMoisture(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ev := func(id, day, step, loc, kg, bol, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:OM", "quantity": ` + kg + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]` + extra + `}`
	}
	ship := func(to, pct string) string {
		s := `, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "` + to + `"}]`
		if pct != "" {
			s += `, "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": ` + pct + `, "uom": "P1"}]}]`
		}
		return s
	}
	checkReplayMigration(t, open, 99, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:o0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:OM", "quantity": 30000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore"}}`,
			ev("o1", "02", "shipping", "urn:t:site:M", "10000", "1", ship("urn:t:site:P", "8")),
			ev("o2", "03", "shipping", "urn:t:site:M", "10000", "2", ship("urn:t:site:P", "4")),
			ev("o3", "04", "receiving", "urn:t:site:P", "10000", "1", ""),
			ev("o4", "05", "receiving", "urn:t:site:P", "10000", "2", ""),
			ev("o5", "06", "shipping", "urn:t:site:P", "15000", "3", ship("urn:t:site:H", ""))))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0099: the onward part at bill 1's
		// 8 %, 28.6 t dry.
		parts := oldParts(t, db, "urn:t:lot:OM", func(old []critmin.LotPart) {
			m := 0.08
			old[2].Moisture = &m
		})
		execRebound(t, db, `UPDATE lots SET dry_t = 28.6, parts = ? WHERE id = 'urn:t:lot:OM'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		q, err := db.FindLot(t.Context(), "urn:t:lot:OM")
		switch stage {
		case asCaptured:
			if err != nil || len(q.Parts) != 3 || q.Parts[2].Moisture == nil || !near(*q.Parts[2].Moisture, 1.0/15) || !near(q.WetTonnes, 30) || !near(q.DryTonnes, 28.8) {
				t.Errorf("as captured: %+v %v; want the onward part at 1/15, 30 t wet, 28.8 t dry (the current projection)", q, err)
			}
		case beforeMigration:
			if err != nil || !near(q.DryTonnes, 28.6) {
				t.Errorf("before the migration: %+v %v; want the old projection (28.6 t dry)", q, err)
			}
		case afterMigration:
			if err != nil || len(q.Parts) != 3 {
				t.Errorf("after: %+v %v", q, err)
				return
			}
			if !near(q.WetTonnes, 30) || !near(q.DryTonnes, 28.8) || q.Parts[2].Moisture == nil || !near(*q.Parts[2].Moisture, 1.0/15) {
				t.Errorf("after the migration: %v t wet, %v t dry, parts %+v; want 30 t wet, 28.8 t dry, the onward part at 1/15", q.WetTonnes, q.DryTonnes, q.Parts)
			}
		}
	})
}
