package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigratePartRejoin (issue 15, fix15p): migration 0093 replays the lot
// projection of a store written before a part received where the lot's
// body stands rejoined it, on SQLite and PostgreSQL alike (open reopens
// the same store). Lot K3, 30 000 kg at 8 % at mine M; 5 000 kg shipped
// to port P (bill 1) and received; the same 5 000 kg shipped back to M
// (bill 2) and received. Then a 25 000 kg weighing at M. The old
// projection (0092's) kept the returned part received apart: the
// weighing read 25 t + Σ parts (P's part 5 − 5 shipped back = 0, the
// returned part 5) = 30 t wet, 30 × 0.92 = 27.6 t dry, for 25 t that
// exist. After 0093 the returned part rejoined the body, Σ parts 0 t:
// 25 t wet, 25 × 0.92 = 23 t dry.
func MigratePartRejoin(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ev := func(id, day, step, loc, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:K3", "quantity": ` + extra
	}
	checkReplayMigration(t, open, 93, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:k0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:K3", "quantity": 30000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}}`,
			ev("k1", "02", "shipping", "urn:t:site:M", `5000, "uom": "KGM"}], "disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:P"}]}`),
			ev("k2", "03", "receiving", "urn:t:site:P", `5000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`),
			ev("k3", "04", "shipping", "urn:t:site:P", `5000, "uom": "KGM"}], "disposition": "in_transit", "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:2"}], "destinationList": [{"type": "location", "destination": "urn:t:site:M"}]}`),
			ev("k4", "05", "receiving", "urn:t:site:M", `5000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:2"}]}`),
			ev("k5", "06", "inspecting", "urn:t:site:M", `25000, "uom": "KGM"}]}`)))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0093 (0092's shape).
		parts := oldParts(t, db, "urn:t:lot:K3", func(old []critmin.LotPart) { old[1].Status = critmin.PartReceived })
		execRebound(t, db, `UPDATE lots SET quantity = 30000, wet_t = 30, dry_t = 27.6, parts = ? WHERE id = 'urn:t:lot:K3'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		q, err := db.FindLot(t.Context(), "urn:t:lot:K3")
		switch stage {
		case asCaptured:
			if err != nil || len(q.Parts) != 2 || q.Parts[1].Status != critmin.PartRejoined || !near(q.WetTonnes, 25) || !near(q.DryTonnes, 23) {
				t.Errorf("as captured: %+v %v; want the returned part rejoined, 25 t wet, 23 t dry (the current projection)", q, err)
			}
		case beforeMigration:
			if err != nil || !near(q.WetTonnes, 30) || q.Parts[1].Status != critmin.PartReceived {
				t.Errorf("before the migration: %+v %v; want the old projection (30 t wet)", q, err)
			}
		case afterMigration:
			if err != nil || len(q.Parts) != 2 {
				t.Errorf("after: %+v %v", q, err)
				return
			}
			if q.Parts[1].Status != critmin.PartRejoined || q.Parts[1].ReceiptEventID != "urn:t:ev:k4" || !near(q.WetTonnes, 25) || !near(q.DryTonnes, 23) || !near(q.PartsTonnes(), 0) {
				t.Errorf("after the migration: %v t wet, %v t dry, parts %+v; want 25 t, 25 × 0.92 = 23 t, the returned part rejoined by urn:t:ev:k4", q.WetTonnes, q.DryTonnes, q.Parts)
			}
		}
	})
}
