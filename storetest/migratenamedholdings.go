package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateNamedHoldings (issue 15, fix15q): migration 0110 replays the
// lot projection of a store written before a shipment naming a source
// owner drew only on that owner's holding after a declaration, on SQLite
// and PostgreSQL alike (open reopens the same store). Lot NU-B1, 30 t at
// Loe Shilman (8 %): 12 t received at Karachi for USSM (NUB-1), 5 t for
// the smelter (NUB-2), 6 t shipped from Karachi naming USSM (NUB-3);
// USSM's receipt declared in error. The old projection took the 6 t of
// the smelter's 5 t part (shipped on 6 t, −1 t left) and named the
// smelter as NUB-3's owner; after it, NUB-2 keeps 5 t and NUB-3 is
// flagged, USSM's: 13 t at Loe Shilman + 5 t at Karachi + 12 t in
// transit = 30 t.
func MigrateNamedHoldings(t *testing.T, open func() (*sqldb.DB, error)) {
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
	r1 := ev("r1", "3", "receiving", "karachi", "", "12000", "NUB-1", "", "ussm")
	checkReplayMigration(t, open, 110, func(db *sqldb.DB) {
		svc := ledger.NewService(db)
		MustCapture(t, svc, migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:nub:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:loe-shilman"}, "quantityList": [{"epcClass": "urn:t:lot:NU-B1", "quantity": 30000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "urn:t:party:miner"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}}`,
			ev("s1", "2", "shipping", "loe-shilman", "karachi", "12000", "NUB-1", "", ""), r1,
			ev("s2", "4", "shipping", "loe-shilman", "karachi", "5000", "NUB-2", "", ""),
			ev("r2", "5", "receiving", "karachi", "", "5000", "NUB-2", "", "smelter"),
			ev("s3", "6", "shipping", "karachi", "houston", "6000", "NUB-3", "ussm", "")))
		MustCapture(t, svc, migrationDoc(strings.Replace(r1, `"action": "OBSERVE"`, `"action": "OBSERVE", "errorDeclaration": {"declarationTime": "2025-11-22T00:00:00Z", "reason": "incorrect_data"}`, 1)))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0110: NUB-3 carved out of the
		// smelter's NUB-2 part, the smelter's.
		parts := oldParts(t, db, "urn:t:lot:NU-B1", func(old []critmin.LotPart) {
			old[1].ShippedOnTonnes = 6
			old[2].FromRetracted, old[2].Owner = false, "urn:t:party:smelter"
			old[2].OnwardOf, old[2].OnwardFrom = old[1].ShipEventID, []critmin.OnwardTake{{ShipEventID: old[1].ShipEventID, Tonnes: 6}}
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = 'urn:t:lot:NU-B1'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		l, err := db.FindLot(t.Context(), "urn:t:lot:NU-B1")
		if err != nil || len(l.Parts) != 3 {
			t.Errorf("%v: %+v %v; want three parts", stage, l, err)
			return
		}
		if stage == beforeMigration {
			if l.Parts[1].ShippedOnTonnes != 6 || l.Parts[2].FromRetracted {
				t.Errorf("%v: parts %+v; want the old projection (NUB-2 shipped on 6 t, NUB-3 counted)", stage, l.Parts)
			}
			return
		}
		if l.Parts[1].ShippedOnTonnes != 0 || !l.Parts[2].FromRetracted || l.PartOwner(l.Parts[2]) != "urn:t:party:ussm" || !near(l.RemainingWetTonnes(), 13) || !near(ledger.AtSea(l), 12) {
			t.Errorf("%v: parts %+v, remaining %v t, in transit %v t; want NUB-2 whole, NUB-3 flagged and USSM's, 13 t, 12 t", stage, l.Parts, l.RemainingWetTonnes(), ledger.AtSea(l))
		}
		if err := ledger.CheckHoldings(l); err != nil {
			t.Errorf("%v: %v", stage, err)
		}
	})
}
