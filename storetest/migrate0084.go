package storetest

import (
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateReceivedPartOutturn (fix15x item 4; fix15m item 7: run on
// SQLite and PostgreSQL alike, open reopening the same store): migration 0084 replays
// the lot projection of a store written before a received part's outturn
// weight became its mass. Lot R, 30 000 kg (moisture 0) at Karachi; a
// part of 10 000 kg shipped to Houston under bill of lading 1 and
// received there at 9 600 kg. The old projection (0083's) kept the lot's
// total at the shipped weight: 30 t wet and dry, 30 000 kg. After 0084
// the received part counts at its outturn weight: 30 − 10 + 9.6 = 29.6 t
// (29 600 kg), the part keeping its loading weight (10 t) and its
// received weight (9.6 t); 30 − 10 = 20 t stay at Karachi before and
// after.
func MigrateReceivedPartOutturn(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	checkReplayMigration(t, open, 84, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:r0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:R", "quantity": 30000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0}}`,
			`{"type": "ObjectEvent", "eventID": "urn:t:ev:r1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
		 "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:R", "quantity": 10000, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:houston"}]}`,
			`{"type": "ObjectEvent", "eventID": "urn:t:ev:r2", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		 "bizLocation": {"id": "urn:t:site:houston"}, "quantityList": [{"epcClass": "urn:t:lot:R", "quantity": 9600, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0084 (0083's shape): the lot's total
		// at the shipped weight, 30 t.
		execRebound(t, db, `UPDATE lots SET quantity = 30000, wet_t = 30, dry_t = 30 WHERE id = 'urn:t:lot:R'`)
	}, func(db *sqldb.DB, stage migrationStage) {
		r, err := db.FindLot(t.Context(), "urn:t:lot:R")
		switch stage {
		case asCaptured:
			if err != nil || len(r.Parts) != 1 || !near(r.WetTonnes, 29.6) || !near(r.Quantity, 29600) {
				t.Errorf("as captured: %+v %v; want 29.6 t (the current projection)", r, err)
			}
		case beforeMigration:
			// Read with today's part mass (9.6 t received), the old total leaves
			// 30 − 9.6 = 20.4 t at Karachi: the disagreement 0084 repairs.
			if err != nil || !near(r.WetTonnes, 30) || !near(r.Quantity, 30000) || !near(r.RemainingWetTonnes(), 20.4) {
				t.Errorf("before the migration: %+v %v; want the old projection (30 t, 20.4 t at Karachi)", r, err)
			}
		case afterMigration:
			if err != nil || len(r.Parts) != 1 {
				t.Errorf("after: %+v %v", r, err)
				return
			}
			p := r.Parts[0]
			if !near(r.WetTonnes, 29.6) || !near(r.DryTonnes, 29.6) || !near(r.Quantity, 29600) || !near(r.RemainingWetTonnes(), 20) ||
				!near(p.Tonnes, 10) || !near(p.ReceivedTonnes, 9.6) || !near(p.Mass(), 9.6) {
				t.Errorf("after the migration: %v t wet, %v t dry, %v kg, %v t at Karachi, part %+v; want 29.6 t, 29.6 t, 29600 kg, 20 t, the part shipped at 10 t and received at 9.6 t", r.WetTonnes, r.DryTonnes, r.Quantity, r.RemainingWetTonnes(), p)
			}
		}
	})
}
