package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigratePartiesRuns (issue 15, fix15v; nu15f 7): migration 0112
// replays the lot projection of a store written before a part shipped
// from a receipt declared in error kept only the parties its dispatch
// named, on SQLite and PostgreSQL alike (open reopens the same store).
// Lot NU-B1, 30 t at Loe Shilman, owner the miner, custodian FWO; 12 t
// shipped to Karachi and received there for USSM (NUB-1); 6 t shipped on
// from Karachi naming USSM its source owner, no custodian (NUB-3);
// NUB-1's receipt declared in error. NUB-3 ships from nothing of the lot
// (flagged fromRetracted). The old projection copied the lot's custodian,
// FWO — which held nothing at Karachi — onto NUB-3; after the migration
// NUB-3 is USSM's with no custodian, and the holdings are unchanged:
// 30 − 12 = 18 t at Loe Shilman, 12 t in transit on NUB-1 (its receipt
// gone), 18 + 12 = 30 t.
func MigratePartiesRuns(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ev := func(id, day, step, loc, to, kg, bol, from, owner string) string {
		var src, dst []string
		if from != "" {
			src = append(src, `{"type": "owning_party", "source": "urn:t:party:`+from+`"}`)
		}
		if to != "" {
			dst = append(dst, `{"type": "location", "destination": "urn:t:site:`+to+`"}`)
		}
		if owner != "" {
			dst = append(dst, `{"type": "owning_party", "destination": "urn:t:party:`+owner+`"}`)
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:nub:` + id + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "urn:t:site:` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:NU-B1", "quantity": ` + kg + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "sourceList": [` + strings.Join(src, ",") + `], "destinationList": [` + strings.Join(dst, ",") + `]}`
	}
	r1 := ev("r1", "4", "receiving", "karachi", "", "12000", "NUB-1", "", "ussm")
	checkReplayMigration(t, open, 112, func(db *sqldb.DB) {
		svc := ledger.NewService(db)
		MustCapture(t, svc, migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:nub:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:loe-shilman"}, "quantityList": [{"epcClass": "urn:t:lot:NU-B1", "quantity": 30000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "urn:t:party:miner"}, {"type": "possessing_party", "destination": "urn:t:party:fwo"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}}`,
			ev("s1", "2", "shipping", "loe-shilman", "karachi", "12000", "NUB-1", "", ""), r1,
			ev("s3", "8", "shipping", "karachi", "houston", "6000", "NUB-3", "ussm", "")))
		MustCapture(t, svc, migrationDoc(strings.Replace(r1, `"action": "OBSERVE"`, `"action": "OBSERVE", "errorDeclaration": {"declarationTime": "2025-11-22T00:00:00Z", "reason": "incorrect_data"}`, 1)))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0112: NUB-3 given the lot's
		// custodian, FWO (shipFromNothing copied it where the dispatch
		// named none).
		parts := oldParts(t, db, "urn:t:lot:NU-B1", func(old []critmin.LotPart) {
			old[1].Custodian = "urn:t:party:fwo"
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = 'urn:t:lot:NU-B1'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		l, err := db.FindLot(t.Context(), "urn:t:lot:NU-B1")
		if err != nil || len(l.Parts) != 2 || l.Parts[1].BillOfLading != "urn:t:bol:NUB-3" || !l.Parts[1].FromRetracted {
			t.Errorf("%v: %+v %v; want two parts, NUB-3 second and flagged fromRetracted", stage, l, err)
			return
		}
		if stage == beforeMigration {
			if l.Parts[1].Custodian != "urn:t:party:fwo" {
				t.Errorf("%v: NUB-3 %+v; want the old projection (custodian FWO)", stage, l.Parts[1])
			}
			return
		}
		if p := l.Parts[1]; p.Custodian != "" || p.Owner != "urn:t:party:ussm" || !near(l.RemainingWetTonnes(), 18) || !near(ledger.AtSea(l), 12) {
			t.Errorf("%v: NUB-3 %+v, remaining %v t, in transit %v t; want NUB-3 USSM's with no custodian, 18 t, 12 t", stage, p, l.RemainingWetTonnes(), ledger.AtSea(l))
		}
		if err := ledger.CheckHoldings(l); err != nil {
			t.Errorf("%v: %v", stage, err)
		}
	})
}
