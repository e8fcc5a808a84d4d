package storetest

import (
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateRunOutputLines (issue 9, fix9i): migration 0098 replays the lot
// projection of a store written before every output line of a run
// counted at its own moisture, on SQLite and PostgreSQL alike (open
// reopens the same store). Run Z at site mb: the output-only event za,
// captured first, makes OZ 10 t at moisture 50 %; zb feeds 100 t of Q
// and makes OZ 0.5 t at 0 %. OZ is 10 + 0.5 = 10.5 t wet and 10 × 0.5 +
// 0.5 × 1 = 5.5 t dry (moisture 1 − 5.5 / 10.5 = 47.62 %); zb's link
// Q → OZ carries both lines, 10 + 0.5 = 10.5 t, so the run produced
// 10.5 t (ledger.RunProduced). The old projection kept the last
// moisture for the whole lot (10.5 × 0.5 = 5.25 t dry) and a link
// carrying zb's 0.5 t alone. After 0098, 5.5 t dry and a 10.5 t link;
// and `critmin verify`'s rebuild equals what is stored.
func MigrateRunOutputLines(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	run := func(id, day, in, out, moisture string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:Z",
		 ` + in + `"outputQuantityList": [{"epcClass": "urn:t:lot:OZ", "quantity": ` + out + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": ` + moisture + `}}`
	}
	checkReplayMigration(t, open, 98, func(db *sqldb.DB) {
		svc := ledger.NewService(db)
		MustCapture(t, svc, migrationDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:q", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mb"}, "quantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 100, "uom": "TNE"}],
		"ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}`))
		MustCapture(t, svc, migrationDoc(run("za", "20", "", "10", "0.5")))
		MustCapture(t, svc, migrationDoc(run("zb", "21", `"inputQuantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 100, "uom": "TNE"}], `, "0.5", "0")))
	}, func(db *sqldb.DB) {
		// Back to the projection before 0098: the last moisture for the
		// whole lot, zb's link carrying its own 0.5 t.
		execRebound(t, db, `UPDATE lots SET dry_t = 5.25, moisture = 0.5 WHERE id = 'urn:t:lot:OZ'`)
		execRebound(t, db, `UPDATE lot_links SET child_qty = 0.5 WHERE child = 'urn:t:lot:OZ'`)
	}, func(db *sqldb.DB, stage migrationStage) {
		dry, link := 5.5, 10.5
		if stage == beforeMigration {
			dry, link = 5.25, 0.5
		}
		o, err := db.FindLot(t.Context(), "urn:t:lot:OZ")
		if err != nil || !near(o.WetTonnes, 10.5) || !near(o.DryTonnes, dry) {
			t.Errorf("%s: OZ %+v %v; want 10.5 t wet, %v t dry", stage, o, err, dry)
			return
		}
		edges, err := db.LotEdges(t.Context(), []string{"urn:t:lot:OZ"}, true)
		if err != nil || len(edges) != 1 || edges[0].ChildQty == nil || !near(*edges[0].ChildQty, link) {
			t.Errorf("%s: OZ's links %+v %v; want one, Q → OZ carrying %v t", stage, edges, err, link)
		}
	})
}
