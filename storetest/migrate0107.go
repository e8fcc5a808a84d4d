package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigratePartOwner (issue 15, fix15o): migration 0107 replays the lot
// projection of a store written before a part kept its own owner and
// custodian, on SQLite and PostgreSQL alike (open reopens the same
// store). Lot O, 30 000 kg at mine M owned and held by FWO; 10 000 kg
// shipped to H (bill O1) and received there naming owning_party and
// possessing_party USSM. The old projection kept no party on the part:
// it read FWO's. After it the part is USSM's, the body FWO's, and
// standsAt reads M 20 t FWO, H 10 t USSM.
func MigratePartOwner(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	const fwo, ussm = "urn:t:party:FWO", "urn:t:party:USSM"
	ev := func(id, day, step, loc, kg, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:O", "quantity": ` + kg + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:O1"}]` + extra + `}`
	}
	checkReplayMigration(t, open, 107, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:o0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:O", "quantity": 30000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "`+fwo+`"}, {"type": "possessing_party", "destination": "`+fwo+`"}],
		"ilmd": {"cm:commodity": "antimony_ore"}}`,
			ev("o1", "2", "shipping", "urn:t:site:M", "10000", `, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]`),
			ev("o2", "3", "receiving", "urn:t:site:H", "10000", `, "destinationList": [{"type": "owning_party", "destination": "`+ussm+`"}, {"type": "possessing_party", "destination": "`+ussm+`"}]`)))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0107: no party on the part.
		parts := oldParts(t, db, "urn:t:lot:O", func(old []critmin.LotPart) {
			old[0].Owner, old[0].Custodian = "", ""
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = 'urn:t:lot:O'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		q, err := db.FindLot(t.Context(), "urn:t:lot:O")
		if err != nil || len(q.Parts) != 1 {
			t.Errorf("%v: %+v %v; want one part", stage, q, err)
			return
		}
		want := ussm
		if stage == beforeMigration {
			want = fwo
		}
		if q.Owner != fwo || q.PartOwner(q.Parts[0]) != want || q.PartCustodian(q.Parts[0]) != want {
			t.Errorf("%v: lot owner %s, part %+v; want lot FWO, part %s", stage, q.Owner, q.Parts[0], want)
		}
		if st := ledger.StandsAt(q); len(st) != 2 || st[0].Owner != fwo || !near(st[0].WetTonnes, 20) || st[1].Owner != want || !near(st[1].WetTonnes, 10) {
			t.Errorf("%v: standsAt %+v; want M 20 t FWO, H 10 t %s", stage, st, want)
		}
	})
}
