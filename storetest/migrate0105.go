package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigratePartParties (issue 15, fix15c3): migration 0105 replays the
// lot projection of a store written when a part of another party
// rejoined the body, on SQLite and PostgreSQL alike (open reopens the
// same store). Lot L1, 30 000 kg at mine M owned by FWO; 10 000 kg
// shipped to H under bill A, the rest (no quantity) under bill B; A
// received at H at 9 900 kg for BUY1, B at 18 900 kg for BUY2. The old
// projection rejoined A's part into BUY2's body (one 28.8 t holding);
// after it the part is received, BUY1's, and H holds 18.9 t of BUY2's
// and 9.9 t of BUY1's.
func MigratePartParties(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ev := func(id, day, step, loc, qty, bol, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:L1"` + qty + `}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]` + extra + `}`
	}
	const kg = `, "uom": "KGM", "quantity": `
	ship := `, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]`
	owner := func(p string) string {
		return `, "destinationList": [{"type": "owning_party", "destination": "urn:t:party:` + p + `"}]`
	}
	checkReplayMigration(t, open, 105, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:c0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:L1", "quantity": 30000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "urn:t:party:FWO"}], "ilmd": {"cm:commodity": "antimony_ore"}}`,
			ev("sa", "2", "shipping", "urn:t:site:M", kg+"10000", "A", ship),
			ev("sb", "3", "shipping", "urn:t:site:M", "", "B", ship),
			ev("ra", "5", "receiving", "urn:t:site:H", kg+"9900", "A", owner("BUY1")),
			ev("rb", "6", "receiving", "urn:t:site:H", kg+"18900", "B", owner("BUY2"))))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0105: the part rejoined by the
		// body's receipt.
		parts := oldParts(t, db, "urn:t:lot:L1", func(old []critmin.LotPart) {
			old[0].Status, old[0].RejoinEventID = critmin.PartRejoined, "urn:t:ev:rb"
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = 'urn:t:lot:L1'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		q, err := db.FindLot(t.Context(), "urn:t:lot:L1")
		if err != nil || len(q.Parts) != 1 {
			t.Errorf("%v: %+v %v; want one part", stage, q, err)
			return
		}
		want := critmin.PartReceived
		if stage == beforeMigration {
			want = critmin.PartRejoined
		}
		if q.Parts[0].Status != want || q.PartOwner(q.Parts[0]) != "urn:t:party:BUY1" || q.Owner != "urn:t:party:BUY2" || !near(q.WetTonnes, 28.8) {
			t.Errorf("%v: part %s owned by %s, lot owner %s, %v t; want %s, BUY1, BUY2, 28.8 t", stage, q.Parts[0].Status, q.PartOwner(q.Parts[0]), q.Owner, q.WetTonnes, want)
		}
		if stage != beforeMigration {
			st := ledger.StandsAt(q)
			if len(st) != 1 || len(st[0].Holdings) != 2 || !near(st[0].Holdings[0].WetTonnes, 18.9) || !near(st[0].Holdings[1].WetTonnes, 9.9) {
				t.Errorf("%v: standsAt %+v; want H 18.9 t BUY2's, 9.9 t BUY1's", stage, st)
			}
		}
	})
}
