package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateDispatchParties (issue 15, fix15ze; nu15g item 5): migration
// 0115 replays the lot projection of a store written before a part
// shipped from a receipt declared in error kept the parties its
// dispatch names, on SQLite and PostgreSQL alike (open reopens the same
// store). Lot C1, 30 t at Loe Shilman: 12 t received at Karachi for
// USSM (C1-1), 5 t for the smelter (C1-2), 6 t shipped from Karachi
// naming USSM as source owner and the carrier as destination
// possessing_party (C1-3), received at Houston, 5,990 kg, by the
// smelter; USSM's receipt declared in error. The old projection named
// the smelter as C1-3's owner and custodian (its receipt's, which
// receives nothing); after it, USSM and the carrier.
func MigrateDispatchParties(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ev := func(id, day, step, loc, to, kg, bol, from, owner, carrier string) string {
		var src, dst []string
		if from != "" {
			src = append(src, `{"type": "owning_party", "source": "urn:t:party:`+from+`"}`)
		}
		if to != "" {
			dst = append(dst, `{"type": "location", "destination": "urn:t:site:`+to+`"}`)
		}
		if owner != "" {
			dst = append(dst, `{"type": "owning_party", "destination": "urn:t:party:`+owner+`"}`, `{"type": "possessing_party", "destination": "urn:t:party:`+owner+`"}`)
		}
		if carrier != "" {
			dst = append(dst, `{"type": "possessing_party", "destination": "urn:t:party:`+carrier+`"}`)
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:c1:` + id + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "urn:t:site:` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:C1", "quantity": ` + kg + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "sourceList": [` + strings.Join(src, ",") + `], "destinationList": [` + strings.Join(dst, ",") + `]}`
	}
	r1 := ev("r1", "3", "receiving", "karachi", "", "12000", "C1-1", "", "ussm", "")
	checkReplayMigration(t, open, 115, func(db *sqldb.DB) {
		svc := ledger.NewService(db)
		MustCapture(t, svc, migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:c1:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:loe-shilman"}, "quantityList": [{"epcClass": "urn:t:lot:C1", "quantity": 30000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "urn:t:party:miner"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}}`,
			ev("s1", "2", "shipping", "loe-shilman", "karachi", "12000", "C1-1", "", "", ""), r1,
			ev("s2", "4", "shipping", "loe-shilman", "karachi", "5000", "C1-2", "", "", ""),
			ev("r2", "5", "receiving", "karachi", "", "5000", "C1-2", "", "smelter", ""),
			ev("s3", "6", "shipping", "karachi", "houston", "6000", "C1-3", "ussm", "", "carrier"),
			ev("r3", "7", "receiving", "houston", "", "5990", "C1-3", "", "smelter", "")))
		MustCapture(t, svc, migrationDoc(strings.Replace(r1, `"action": "OBSERVE"`, `"action": "OBSERVE", "errorDeclaration": {"declarationTime": "2025-11-22T00:00:00Z", "reason": "incorrect_data"}`, 1)))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0115: C1-3 the smelter's,
		// as its receipt named.
		parts := oldParts(t, db, "urn:t:lot:C1", func(old []critmin.LotPart) {
			old[2].Owner, old[2].Custodian = "urn:t:party:smelter", "urn:t:party:smelter"
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = 'urn:t:lot:C1'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		l, err := db.FindLot(t.Context(), "urn:t:lot:C1")
		if err != nil || len(l.Parts) != 3 {
			t.Errorf("%v: %+v %v; want three parts", stage, l, err)
			return
		}
		p := l.Parts[2]
		if stage == beforeMigration {
			if p.Owner != "urn:t:party:smelter" {
				t.Errorf("%v: part %+v; want the old projection (C1-3 the smelter's)", stage, p)
			}
			return
		}
		if !p.FromRetracted || p.Owner != "urn:t:party:ussm" || p.Custodian != "urn:t:party:carrier" {
			t.Errorf("%v: part %+v; want C1-3 flagged, owner USSM, custodian the carrier", stage, p)
		}
	})
}
