package storetest

import (
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateRunCarriedLinks (issue 9, fix9s): migration 0103 replays the lot
// projection of a store written before a later event's input line to an
// output an earlier event of its run stated was marked Carried, on SQLite
// and PostgreSQL alike (open reopens the same store). Run tA at site mb:
// a "PK 100 t → OA 2 t", a3 output OB 2 t only, a4 input CN 20 t only,
// a5 input PK 50 t only. a4's and a5's links into OA and OB carry those
// lines again (replay = 2): the run produced OA 2 t and OB 2 t
// (ledger.RunProduced). Stored with replay = 0 before it, a4's and a5's
// links count the lines they carry again: OA 2 + 2 + 2 = 6 t and OB
// 6 t (the rule before fix9s read OB 4 t, a5's PK → OB coming from a lot
// a3's replay link also comes from).
func MigrateRunCarriedLinks(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	run := func(id, day, in, out string) string {
		ev := `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:tA", "bizLocation": {"id": "urn:t:site:mb"}`
		if in != "" {
			ev += `, "inputQuantityList": [` + in + `]`
		}
		if out != "" {
			ev += `, "outputQuantityList": [` + out + `], "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0}`
		}
		return ev + `}`
	}
	add := func(lot, t, iso string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:add-` + lot + `", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mb"}, "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + t + `, "uom": "TNE"}],
		"ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "` + iso + `", "cm:moisture": 0}}`
	}
	line := func(lot, t string) string {
		return `{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + t + `, "uom": "TNE"}`
	}
	checkReplayMigration(t, open, 103, func(db *sqldb.DB) {
		svc := ledger.NewService(db)
		MustCapture(t, svc, migrationDoc(add("PK", "150", "PAK"), add("CN", "20", "CHN")))
		MustCapture(t, svc, migrationDoc(run("a", "05", line("PK", "100"), line("OA", "2"))))
		MustCapture(t, svc, migrationDoc(run("a3", "06", "", line("OB", "2"))))
		MustCapture(t, svc, migrationDoc(run("a4", "07", line("CN", "20"), "")))
		MustCapture(t, svc, migrationDoc(run("a5", "08", line("PK", "50"), "")))
	}, func(db *sqldb.DB) {
		// Back to the links before 0103: no link Carried.
		execRebound(t, db, `UPDATE lot_links SET replay = 0 WHERE replay = 2`)
	}, func(db *sqldb.DB, stage migrationStage) {
		oa, ob, carried := 2.0, 2.0, 4
		if stage == beforeMigration {
			oa, ob, carried = 6, 6, 0
		}
		edges, err := db.LotEdges(t.Context(), []string{"urn:t:lot:OA", "urn:t:lot:OB"}, true)
		if err != nil {
			t.Fatalf("%s: %v", stage, err)
		}
		n := 0
		for _, e := range edges {
			if e.Carried {
				n++
				if e.EventID != "urn:t:ev:a4" && e.EventID != "urn:t:ev:a5" {
					t.Errorf("%s: %s → %s in %s Carried; only a4's and a5's links are", stage, e.Parent, e.Child, e.EventID)
				}
			}
		}
		made, _ := ledger.RunProduced(edges)
		if n != carried || !near(made["urn:t:lot:OA"], oa) || !near(made["urn:t:lot:OB"], ob) {
			t.Errorf("%s: %d links Carried, produced %v; want %d, OA %v t, OB %v t", stage, n, made, carried, oa, ob)
		}
	})
}
