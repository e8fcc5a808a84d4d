package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateLeftFrom (issue 15, fix15zh): migration 0116 replays the lot
// projection of a store written before a part shipped from nothing kept
// what its dispatch found where it left (critmin.LotPart.LeftFrom), on
// SQLite and PostgreSQL alike (open reopens the same store). Lot D1,
// 30 t at Loe Shilman: 12 t received at Karachi for USSM (D1-1), 5 t
// for the smelter (D1-2), 6 t shipped from Karachi naming USSM as its
// source owner (D1-3); USSM's receipt declared in error. D1-3 is
// flagged; the old projection kept nothing of what stood at Karachi
// (its flag read "nothing of the lot stood there"); after it, the part
// names USSM as its source owner and the smelter's 5 t as what stood.
func MigrateLeftFrom(t *testing.T, open func() (*sqldb.DB, error)) {
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
		return `{"type": "ObjectEvent", "eventID": "urn:t:d1:` + id + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "urn:t:site:` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:D1", "quantity": ` + kg + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "sourceList": [` + strings.Join(src, ",") + `], "destinationList": [` + strings.Join(dst, ",") + `]}`
	}
	r1 := ev("r1", "3", "receiving", "karachi", "", "12000", "D1-1", "", "ussm")
	checkReplayMigration(t, open, 116, func(db *sqldb.DB) {
		svc := ledger.NewService(db)
		MustCapture(t, svc, migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:d1:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:loe-shilman"}, "quantityList": [{"epcClass": "urn:t:lot:D1", "quantity": 30000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "urn:t:party:miner"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0.08}}`,
			ev("s1", "2", "shipping", "loe-shilman", "karachi", "12000", "D1-1", "", ""), r1,
			ev("s2", "4", "shipping", "loe-shilman", "karachi", "5000", "D1-2", "", ""),
			ev("r2", "5", "receiving", "karachi", "", "5000", "D1-2", "", "smelter"),
			ev("s3", "6", "shipping", "karachi", "houston", "6000", "D1-3", "ussm", "")))
		MustCapture(t, svc, migrationDoc(strings.Replace(r1, `"action": "OBSERVE"`, `"action": "OBSERVE", "errorDeclaration": {"declarationTime": "2025-11-22T00:00:00Z", "reason": "incorrect_data"}`, 1)))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0116: the flagged part kept
		// nothing of what stood where it left.
		parts := oldParts(t, db, "urn:t:lot:D1", func(old []critmin.LotPart) {
			old[2].LeftFrom = nil
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = 'urn:t:lot:D1'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		l, err := db.FindLot(t.Context(), "urn:t:lot:D1")
		if err != nil || len(l.Parts) != 3 {
			t.Errorf("%v: %+v %v; want three parts", stage, l, err)
			return
		}
		p := l.Parts[2]
		if stage == beforeMigration {
			if !p.FromRetracted || p.LeftFrom != nil {
				t.Errorf("%v: part %+v; want the old projection (D1-3 flagged, nothing kept of what stood)", stage, p)
			}
			return
		}
		lf := p.LeftFrom
		if !p.FromRetracted || lf == nil || lf.SourceOwner != "urn:t:party:ussm" || len(lf.Stood) != 1 ||
			lf.Stood[0].Owner != "urn:t:party:smelter" || lf.Stood[0].WetTonnes < 5-1e-9 || lf.Stood[0].WetTonnes > 5+1e-9 {
			t.Errorf("%v: part %+v, left from %+v; want D1-3 flagged, named USSM, the smelter's 5 t standing at Karachi", stage, p, lf)
		}
	})
}
