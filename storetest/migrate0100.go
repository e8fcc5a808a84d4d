package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateLastPartNoBody (issue 15, fix15w): migration 0100 replays the
// lot projection of a store written before the last part of a lot with
// no body, received short where another of its parts stood, stayed a
// part, on SQLite and PostgreSQL alike (open reopens the same store).
// Lot L3, 20 000 kg at mine M; 10 000 kg shipped to port K (bill A),
// then the last 10 000 kg to K (bill B): no body. A is received at K at
// 10 000 kg, B at 9 900 kg. The old projection had B rejoin a stale
// 20 − 19.9 = 0.1 t body at K (status rejoined); B is a received part:
// 10 + 9.9 = 19.9 t stand at K as two parts, no body.
func MigrateLastPartNoBody(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ev := func(id, hour, step, loc, kg, bol, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-02T` + hour + `:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:L3", "quantity": ` + kg + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]` + extra + `}`
	}
	ship := `, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "urn:t:site:K"}]`
	checkReplayMigration(t, open, 100, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:l0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:L3", "quantity": 20000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore"}}`,
			ev("l1", "08", "shipping", "urn:t:site:M", "10000", "A", ship),
			ev("l2", "09", "shipping", "urn:t:site:M", "10000", "B", ship),
			ev("l3", "10", "receiving", "urn:t:site:K", "10000", "A", ""),
			ev("l4", "11", "receiving", "urn:t:site:K", "9900", "B", "")))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0100: B rejoined at K.
		parts := oldParts(t, db, "urn:t:lot:L3", func(old []critmin.LotPart) {
			old[1].Status = critmin.PartRejoined
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = 'urn:t:lot:L3'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		q, err := db.FindLot(t.Context(), "urn:t:lot:L3")
		if err != nil || len(q.Parts) != 2 {
			t.Errorf("%v: %+v %v; want two parts", stage, q, err)
			return
		}
		want := critmin.PartReceived
		if stage == beforeMigration {
			want = critmin.PartRejoined
		}
		if q.Parts[1].Status != want || !near(q.WetTonnes, 19.9) {
			t.Errorf("%v: part B %s, %v t; want %s, 19.9 t", stage, q.Parts[1].Status, q.WetTonnes, want)
		}
		if stage != beforeMigration && !ledger.NoBody(q) {
			t.Errorf("%v: lot L3 has a body; want none (every tonne left as parts)", stage)
		}
	})
}
