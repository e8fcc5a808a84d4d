package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigratePartRunTakes (issue 15, fix15y): migration 0102 replays the lot
// projection of a store written before each run's take of a part was
// kept (LotPart.RunTakes) and before a rejoined part kept its own
// receipt, on SQLite and PostgreSQL alike (open reopens the same store).
//
// Lot T, 30 000 kg at mine M; bills A and B ship 10 000 kg each to port
// K, both received there; run X at K takes 15 000 kg: all 10 t of A,
// then 5 t of B (first in first out by shipment), kept as runTakes
// [X 10 t] on A and [X 5 t] on B (none before the migration).
//
// Lot J, 30 000 kg at M; bill C ships 10 000 kg to K, received by j2;
// the body (no quantity stated) ships to K and is received there by j4:
// part C rejoins the body by j4 and keeps its receipt j2 (before the
// migration its receipt read j4).
func MigratePartRunTakes(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ev := func(id, lot, hour, step, loc, qty, bol, extra string) string {
		q := `{"epcClass": "urn:t:lot:` + lot + `"}`
		if qty != "" {
			q = `{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + qty + `, "uom": "KGM"}`
		}
		b := ""
		if bol != "" {
			b = `, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]`
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-02T` + hour + `:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `",
		 "bizLocation": {"id": "` + loc + `"}, "quantityList": [` + q + `]` + b + extra + `}`
	}
	commission := func(id, lot string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": 30000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore"}}`
	}
	ship := `, "disposition": "in_transit", "destinationList": [{"type": "location", "destination": "urn:t:site:K"}]`
	checkReplayMigration(t, open, 102, func(db *sqldb.DB) {
		MustCapture(t, ledger.NewService(db), migrationDoc(commission("t0", "T"),
			ev("t1", "T", "08", "shipping", "urn:t:site:M", "10000", "A", ship),
			ev("t2", "T", "09", "shipping", "urn:t:site:M", "10000", "B", ship),
			ev("t3", "T", "10", "receiving", "urn:t:site:K", "10000", "A", ""),
			ev("t4", "T", "11", "receiving", "urn:t:site:K", "10000", "B", ""),
			`{"type": "TransformationEvent", "eventID": "urn:t:ev:X", "eventTime": "2025-11-02T12:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
			 "inputQuantityList": [{"epcClass": "urn:t:lot:T", "quantity": 15000, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:TO", "quantity": 14000, "uom": "KGM"}],
			 "bizLocation": {"id": "urn:t:site:K"}, "ilmd": {"cm:commodity": "antimony_ore"}}`,
			commission("j0", "J"),
			ev("j1", "J", "08", "shipping", "urn:t:site:M", "10000", "C", ship),
			ev("j2", "J", "10", "receiving", "urn:t:site:K", "10000", "C", ""),
			ev("j3", "J", "13", "shipping", "urn:t:site:M", "", "", ship),
			ev("j4", "J", "15", "receiving", "urn:t:site:K", "", "", "")))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0102: no run takes; C's receipt
		// overwritten by the body's.
		parts := oldParts(t, db, "urn:t:lot:T", func(old []critmin.LotPart) {
			for i := range old {
				old[i].RunTakes = nil
			}
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = 'urn:t:lot:T'`, parts)
		parts = oldParts(t, db, "urn:t:lot:J", func(old []critmin.LotPart) {
			old[0].ReceiptEventID, old[0].RejoinEventID = old[0].RejoinEventID, ""
		})
		execRebound(t, db, `UPDATE lots SET parts = ? WHERE id = 'urn:t:lot:J'`, parts)
	}, func(db *sqldb.DB, stage migrationStage) {
		q, err := db.FindLot(t.Context(), "urn:t:lot:T")
		if err != nil || len(q.Parts) != 2 {
			t.Errorf("%v: lot T %+v %v; want two parts", stage, q, err)
			return
		}
		want := [][]critmin.RunTake{{{EventID: "urn:t:ev:X", Tonnes: 10}}, {{EventID: "urn:t:ev:X", Tonnes: 5}}}
		if stage == beforeMigration {
			want = [][]critmin.RunTake{nil, nil}
		}
		for i, p := range q.Parts {
			if len(p.RunTakes) != len(want[i]) || (len(want[i]) == 1 && (p.RunTakes[0].EventID != want[i][0].EventID || !near(p.RunTakes[0].Tonnes, want[i][0].Tonnes))) {
				t.Errorf("%v: lot T part %d run takes %+v, want %+v", stage, i, p.RunTakes, want[i])
			}
		}
		j, err := db.FindLot(t.Context(), "urn:t:lot:J")
		if err != nil || len(j.Parts) != 1 || j.Parts[0].Status != critmin.PartRejoined {
			t.Errorf("%v: lot J %+v %v; want part C rejoined", stage, j, err)
			return
		}
		receipt := "urn:t:ev:j2"
		if stage == beforeMigration {
			receipt = "urn:t:ev:j4"
		}
		if p := j.Parts[0]; p.ReceiptEventID != receipt || p.RejoinedBy() != "urn:t:ev:j4" {
			t.Errorf("%v: part C received by %s, rejoined by %s; want received by %s, rejoined by urn:t:ev:j4", stage, p.ReceiptEventID, p.RejoinedBy(), receipt)
		}
	})
}
