package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateNoBodySites (issue 15, fix15r): migration 0097 replays the lot
// projection of a store written before a lot with no body stood by site,
// on SQLite and PostgreSQL alike (open reopens the same store). Lot NB,
// 30 000 kg at mine M (no moisture: dry = wet); 15 000 kg shipped to
// port P under bill 1 and 15 000 kg under bill 2 (nothing left at M),
// both received at P; then a 29 800 kg weighing at P. The old projection
// read the weighing as a body's mass added to the parts: 29.8 + 15 + 15
// = 59.8 t. After 0097 it weighs the two parts at P (14.9 t each, shared
// by their masses 15/30): 29.8 t wet and dry.
func MigrateNoBodySites(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ev := func(id, day, step, loc, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:NB", "quantity": ` + extra
	}
	checkReplayMigration(t, open, 97, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:n0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:NB", "quantity": 30000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore"}}`,
			ev("n1", "02", "shipping", "urn:t:site:M", `15000, "uom": "KGM"}], "disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:P"}]}`),
			ev("n2", "03", "shipping", "urn:t:site:M", `15000, "uom": "KGM"}], "disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:2"}], "destinationList": [{"type": "location", "destination": "urn:t:site:P"}]}`),
			ev("n3", "04", "receiving", "urn:t:site:P", `15000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`),
			ev("n4", "05", "receiving", "urn:t:site:P", `15000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:2"}]}`),
			ev("n5", "06", "inspecting", "urn:t:site:P", `29800, "uom": "KGM"}]}`)))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0097: the parts unweighed, the
		// weighing a body's mass: 29.8 + 30 = 59.8 t.
		parts := oldParts(t, db, "urn:t:lot:NB", func(old []critmin.LotPart) {
			for i := range old {
				old[i].WeighedTonnes, old[i].WeighEventID = nil, ""
			}
		})
		execRebound(t, db, `UPDATE lots SET quantity = 59800, wet_t = 59.8, dry_t = 59.8, parts = ? WHERE id = 'urn:t:lot:NB'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		q, err := db.FindLot(t.Context(), "urn:t:lot:NB")
		switch stage {
		case asCaptured:
			if err != nil || len(q.Parts) != 2 || q.Parts[0].WeighedTonnes == nil || !near(*q.Parts[0].WeighedTonnes, 14.9) || !near(q.WetTonnes, 29.8) || !near(q.DryTonnes, 29.8) {
				t.Errorf("as captured: %+v %v; want both parts weighed 14.9 t, 29.8 t wet and dry (the current projection)", q, err)
			}
		case beforeMigration:
			if err != nil || !near(q.WetTonnes, 59.8) {
				t.Errorf("before the migration: %+v %v; want the old projection (59.8 t wet)", q, err)
			}
		case afterMigration:
			if err != nil || len(q.Parts) != 2 {
				t.Errorf("after: %+v %v", q, err)
				return
			}
			if !near(q.WetTonnes, 29.8) || !near(q.DryTonnes, 29.8) || q.Parts[1].WeighEventID != "urn:t:ev:n5" {
				t.Errorf("after the migration: %v t wet, %v t dry, parts %+v; want 29.8 t wet and dry, both parts weighed by urn:t:ev:n5", q.WetTonnes, q.DryTonnes, q.Parts)
			}
		}
	})
}
