package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/sqldb"
)

// MigrateNoBodyLeg (issue 15, fix15zd; nu15g item 4): migration 0114
// replays the lot projection of a store written before a receipt naming
// no bill of lading, on a lot every tonne of which left as parts, was
// matched to the body's leg on a tie. Lot NU-Z1, 20 t at M; 5 t shipped
// under ZA, the rest, 15,000 kg, under ZB (no body: the lot follows ZB);
// 10,000 kg received at K naming no B/L: |10 − 5| = |10 − 15| = 5, a tie,
// so ZB is received at 10 t, ZA still at sea — the lot 5 + 10 = 15 t. The
// old projection closed ZA at 10 t (the lot 10 + 15 = 25 t).
func MigrateNoBodyLeg(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ev := func(id, day, step, loc, to, kg, bol string) string {
		s := `{"type": "ObjectEvent", "eventID": "urn:t:nuz:` + id + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "urn:t:site:` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:NU-Z1", "quantity": ` + kg + `, "uom": "KGM"}]`
		if to != "" {
			s += `, "destinationList": [{"type": "location", "destination": "urn:t:site:` + to + `"}]`
		}
		if bol != "" {
			s += `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]`
		}
		return s + `}`
	}
	checkReplayMigration(t, open, 114, func(db *sqldb.DB) {
		MustCapture(t, service(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:nuz:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:m"}, "quantityList": [{"epcClass": "urn:t:lot:NU-Z1", "quantity": 20000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}}`,
			ev("sa", "2", "shipping", "m", "q", "5000", "ZA"),
			ev("sb", "3", "shipping", "m", "k", "15000", "ZB"),
			ev("r", "5", "receiving", "k", "", "10000", "")))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0114: ZA closed at 10 t.
		parts := oldParts(t, db, "urn:t:lot:NU-Z1", func(old []critmin.LotPart) {
			old[0].Status, old[0].ReceivedTonnes, old[0].ReceiptEventID, old[0].To = critmin.PartReceived, 10, "urn:t:nuz:r", "urn:t:site:k"
			old[1].Status, old[1].ReceivedTonnes, old[1].ReceiptEventID = critmin.PartInTransit, 0, ""
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = 'urn:t:lot:NU-Z1'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		l, err := db.FindLot(t.Context(), "urn:t:lot:NU-Z1")
		if err != nil || len(l.Parts) != 2 {
			t.Errorf("%v: %+v %v; want two parts", stage, l, err)
			return
		}
		a, b := l.Parts[0], l.Parts[1]
		if stage == beforeMigration {
			if a.Status != critmin.PartReceived || b.Status != critmin.PartInTransit {
				t.Errorf("%v: ZA %s, ZB %s; want the old projection (ZA received)", stage, a.Status, b.Status)
			}
			return
		}
		if a.Status != critmin.PartInTransit || b.Status != critmin.PartReceived || !near(b.ReceivedTonnes, 10) || !near(l.WetTonnes, 15) {
			t.Errorf("%v: ZA %s, ZB %s at %v t, lot %v t; want ZA at sea, ZB received at 10 t, the lot 5 + 10 = 15 t", stage, a.Status, b.Status, b.ReceivedTonnes, l.WetTonnes)
		}
	})
}
