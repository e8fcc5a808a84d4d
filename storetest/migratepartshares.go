package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigratePartShares (issue 15, fix15zb): migration 0113 replays the
// lot projection of a store written before a dispatch naming no party
// took of several owners' parts pro rata and a part's weighing kept what
// it weighed there, on SQLite and PostgreSQL alike (open reopens the
// same store). Lot PW, 20 t at mine M (no moisture: dry = wet); 6 t
// shipped to port Q under A1 and received there for A; 4 t under B1
// received there for B; 5 t shipped on from Q under C1 naming nobody;
// then a 5,010 kg weighing at Q naming nobody.
//   - Now (after 0113): A gives 5 × 6/10 = 3 t and B 2 t (3 t and 2 t
//     left); the weighing splits 5.01 t 3 : 2 — A 3.006 t, B 2.004 t
//     weighed there (WeighedThereTonnes), A's mass 3.006 + 3 = 6.006 t,
//     B's 4.004 t; C1 carved 3 t of A1 and 2 t of B1, owners A and B.
//   - Before: A gave all 5 t (1 t left), B nothing (4 t); the weighing
//     split 1 : 4 — A 1.002 + 5 = 6.002 t, B 4.008 t — and kept no
//     weighed-there figure.
//
// Either way the lot is 20 − 10 = 10 t at M + 5.01 t at Q + 5 t in
// transit = 20.01 t.
func MigratePartShares(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ev := func(id, day, step, loc, to, kg, bol, owner string) string {
		s := `{"type": "ObjectEvent", "eventID": "urn:t:pw:` + id + `", "eventTime": "2025-11-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "urn:t:site:` + loc + `"}, "quantityList": [{"epcClass": "urn:t:lot:PW", "quantity": ` + kg + `, "uom": "KGM"}]`
		if bol != "" {
			s += `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]`
		}
		if to != "" {
			s += `, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "urn:t:site:` + to + `"}]`
		}
		if owner != "" {
			s += `, "destinationList": [{"type": "owning_party", "destination": "urn:t:party:` + owner + `"}]`
		}
		return s + `}`
	}
	const a1, b1 = "urn:t:pw:a1", "urn:t:pw:b1"
	checkReplayMigration(t, open, 113, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:pw:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:PW", "quantity": 20000, "uom": "KGM"}],
		"destinationList": [{"type": "owning_party", "destination": "urn:t:party:sell"}], "ilmd": {"cm:commodity": "antimony_ore"}}`,
			ev("a1", "2", "shipping", "M", "Q", "6000", "A1", ""),
			ev("a2", "3", "receiving", "Q", "", "6000", "A1", "a"),
			ev("b1", "4", "shipping", "M", "Q", "4000", "B1", ""),
			ev("b2", "5", "receiving", "Q", "", "4000", "B1", "b"),
			ev("c1", "6", "shipping", "Q", "R", "5000", "C1", ""),
			ev("w", "7", "inspecting", "Q", "", "5010", "", "")))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0113: C1 took all 5 t of A's
		// part, the weighing split 1 : 4 and kept no weighed-there
		// figure.
		parts := oldParts(t, db, "urn:t:lot:PW", func(old []critmin.LotPart) {
			if len(old) != 3 {
				t.Fatalf("parts %+v; want A1, B1 and C1", old)
			}
			wa, wb := 1.002+5, 4.008
			old[0].ShippedOnTonnes, old[0].WeighedTonnes, old[0].WeighedThereTonnes, old[0].WeighedAt = 5, &wa, nil, nil
			old[1].ShippedOnTonnes, old[1].WeighedTonnes, old[1].WeighedThereTonnes, old[1].WeighedAt = 0, &wb, nil, nil
			old[2].OnwardFrom, old[2].Owners, old[2].Owner = []critmin.OnwardTake{{ShipEventID: a1, Tonnes: 5}}, nil, "urn:t:party:a"
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = 'urn:t:lot:PW'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		l, err := db.FindLot(t.Context(), "urn:t:lot:PW")
		if err != nil || len(l.Parts) != 3 || l.Parts[0].ShipEventID != a1 || l.Parts[1].ShipEventID != b1 {
			t.Errorf("%v: %+v %v; want parts A1, B1, C1", stage, l, err)
			return
		}
		a, b, c := l.Parts[0], l.Parts[1], l.Parts[2]
		if !near(l.WetTonnes, 20.01) || !near(a.LeftTonnes()+b.LeftTonnes(), 5.01) {
			t.Errorf("%v: lot %v t, %v t at Q; want 20.01 t, 5.01 t at Q", stage, l.WetTonnes, a.LeftTonnes()+b.LeftTonnes())
		}
		if stage == beforeMigration {
			if !near(a.ShippedOnTonnes, 5) || a.WeighedThereTonnes != nil {
				t.Errorf("%v: A1 %+v; want the old projection (5 t shipped on, no weighed-there figure)", stage, a)
			}
			return
		}
		if !near(a.ShippedOnTonnes, 3) || !near(b.ShippedOnTonnes, 2) || !near(a.LeftTonnes(), 3.006) || !near(b.LeftTonnes(), 2.004) {
			t.Errorf("%v: A gave %v t (%v t left), B %v t (%v t left); want 3 t (3.006 t), 2 t (2.004 t)", stage, a.ShippedOnTonnes, a.LeftTonnes(), b.ShippedOnTonnes, b.LeftTonnes())
		}
		if a.WeighedThereTonnes == nil || b.WeighedThereTonnes == nil || !near(*a.WeighedThereTonnes, 3.006) || !near(*b.WeighedThereTonnes, 2.004) || a.WeighedAt == nil || a.WeighedAt.Day() != 7 {
			t.Errorf("%v: weighed there A %v, B %v on %v; want 3.006 t and 2.004 t on 7 November", stage, a.WeighedThereTonnes, b.WeighedThereTonnes, a.WeighedAt)
		}
		if len(c.OnwardFrom) != 2 || len(c.Owners) != 2 {
			t.Errorf("%v: C1 %+v; want carved of A1 and B1, owners A and B", stage, c)
		}
		if err := ledger.CheckHoldings(l); err != nil {
			t.Errorf("%v: %v", stage, err)
		}
	})
}
