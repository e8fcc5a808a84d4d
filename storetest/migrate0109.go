package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateReceiptOwnBOL (issue 15, fix15n N1): migration 0109 replays the
// lot projection of a store written before a receipt closed only a part
// under its own bill of lading, on SQLite and PostgreSQL alike (open
// reopens the same store). Lot N, 20 000 kg at mine M; 5 000 kg shipped
// to Q under B/L A (at sea); the rest shipped to K under B/L B with no
// quantity (20 − 5 = 15 t); 14 950 kg received at K under B. The old
// projection closed part A with it ("received 14.95 t at K"); after it,
// part A is in transit and the lot reads 5 + 14.95 = 19.95 t.
func MigrateReceiptOwnBOL(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ev := func(id, day, step, loc, qty, bol, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:N"` + qty + `}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]` + extra + `}`
	}
	checkReplayMigration(t, open, 109, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:n0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:N", "quantity": 20000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore"}}`,
			ev("n1", "2", "shipping", "urn:t:site:M", `, "quantity": 5000, "uom": "KGM"`, "A", `, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "urn:t:site:Q"}]`),
			ev("n2", "4", "shipping", "urn:t:site:M", "", "B", `, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "urn:t:site:K"}]`),
			ev("n3", "5", "receiving", "urn:t:site:K", `, "quantity": 14950, "uom": "KGM"`, "B", "")))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0109: part A closed by B's
		// receipt.
		parts := oldParts(t, db, "urn:t:lot:N", func(old []critmin.LotPart) {
			old[0].Status, old[0].To, old[0].ReceiptEventID = critmin.PartReceived, "urn:t:site:K", "urn:t:ev:n3"
			old[0].ReceivedTonnes = 14.95
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = 'urn:t:lot:N'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		q, err := db.FindLot(t.Context(), "urn:t:lot:N")
		if err != nil || len(q.Parts) != 1 {
			t.Errorf("%v: %+v %v; want one part", stage, q, err)
			return
		}
		want := critmin.PartInTransit
		if stage == beforeMigration {
			want = critmin.PartReceived
		}
		if q.Parts[0].Status != want {
			t.Errorf("%v: part A %s; want %s", stage, q.Parts[0].Status, want)
		}
		if stage != beforeMigration && !near(q.WetTonnes, 19.95) {
			t.Errorf("%v: lot %v t; want 5 (at sea) + 14.95 (at K) = 19.95 t", stage, q.WetTonnes)
		}
	})
}
