package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigratePartSitePacking (issue 15, fix15z F1): migration 0106 replays
// the lot projection of a store written before a packing at a site where
// a part of a lot was received concerned that part, on SQLite and
// PostgreSQL alike (open reopens the same store). Lot C, 20 000 kg at
// mine M; 5 000 kg shipped to port K (bill C1) and received there at
// 5 000 kg; 2 000 kg of C packed into a container at K. The old
// projection moved the body to K and rejoined the part there (20 t at
// K); after it, 20 − 5 = 15 t stand at M (the body) and 5 t at K, the
// part received.
func MigratePartSitePacking(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ev := func(id, day, step, loc, kg, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": ` + kg + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:C1"}]` + extra + `}`
	}
	checkReplayMigration(t, open, 106, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:c0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 20000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore"}}`,
			ev("c1", "2", "shipping", "urn:t:site:M", "5000", `, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "urn:t:site:K"}]`),
			ev("c2", "3", "receiving", "urn:t:site:K", "5000", ""),
			`{"type": "AggregationEvent", "eventID": "urn:t:ev:c3", "eventTime": "2025-11-04T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
			 "bizLocation": {"id": "urn:t:site:K"}, "parentID": "urn:t:container:C3", "childQuantityList": [{"epcClass": "urn:t:lot:C", "quantity": 2000, "uom": "KGM"}]}`))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0106: the body at K, the part
		// rejoined by the packing.
		parts := oldParts(t, db, "urn:t:lot:C", func(old []critmin.LotPart) {
			old[0].Status, old[0].ReceiptEventID = critmin.PartRejoined, "urn:t:ev:c3"
		})
		execRebound(t, db, `UPDATE lots SET parts = ?, location = 'urn:t:site:K', location_canon = 'urn:t:site:K' WHERE id = 'urn:t:lot:C'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		q, err := db.FindLot(t.Context(), "urn:t:lot:C")
		if err != nil || len(q.Parts) != 1 {
			t.Errorf("%v: %+v %v; want one part", stage, q, err)
			return
		}
		want, loc := critmin.PartReceived, "urn:t:site:M"
		if stage == beforeMigration {
			want, loc = critmin.PartRejoined, "urn:t:site:K"
		}
		if q.Parts[0].Status != want || q.Location != loc || !near(q.WetTonnes, 20) {
			t.Errorf("%v: part %s, lot at %s, %v t; want %s, at %s, 20 t", stage, q.Parts[0].Status, q.Location, q.WetTonnes, want, loc)
		}
		if stage != beforeMigration {
			st := ledger.StandsAt(q)
			if len(st) != 2 || !near(st[0].WetTonnes, 15) || !near(st[1].WetTonnes, 5) {
				t.Errorf("%v: standsAt %+v; want M 15 t (body), K 5 t", stage, st)
			}
		}
	})
}
