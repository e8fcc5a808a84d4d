package storetest

import (
	"context"
	"math"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
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
	ctx := context.Background()
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	run := func(id, day, in, out, moisture string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:Z",
		 ` + in + `"outputQuantityList": [{"epcClass": "urn:t:lot:OZ", "quantity": ` + out + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": ` + moisture + `}}`
	}
	doc := func(events string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z", "epcisBody": {"eventList": [` + events + `]}}`
	}
	svc := ledger.NewService(db)
	MustCapture(t, svc, doc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:q", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mb"}, "quantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 100, "uom": "TNE"}],
		"ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}`))
	MustCapture(t, svc, doc(run("za", "20", "", "10", "0.5")))
	MustCapture(t, svc, doc(run("zb", "21", `"inputQuantityList": [{"epcClass": "urn:t:lot:Q", "quantity": 100, "uom": "TNE"}], `, "0.5", "0")))
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	check := func(when string, dry, link float64) bool {
		t.Helper()
		o, err := db.FindLot(ctx, "urn:t:lot:OZ")
		if err != nil || !near(o.WetTonnes, 10.5) || !near(o.DryTonnes, dry) {
			t.Errorf("%s: OZ %+v %v; want 10.5 t wet, %v t dry", when, o, err, dry)
			return false
		}
		edges, err := db.LotEdges(ctx, []string{"urn:t:lot:OZ"}, true)
		if err != nil || len(edges) != 1 || edges[0].ChildQty == nil || !near(*edges[0].ChildQty, link) {
			t.Errorf("%s: OZ's links %+v %v; want one, Q → OZ carrying %v t", when, edges, err, link)
			return false
		}
		return true
	}
	if !check("as captured", 5.5, 10.5) {
		t.FailNow()
	}
	// Back to the projection before 0098: the last moisture for the
	// whole lot, zb's link carrying its own 0.5 t.
	for _, q := range []string{
		`UPDATE lots SET dry_t = 5.25, moisture = 0.5 WHERE id = 'urn:t:lot:OZ'`,
		`UPDATE lot_links SET child_qty = 0.5 WHERE child = 'urn:t:lot:OZ'`,
		`DELETE FROM schema_migrations WHERE version = 98`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.ResealDerived(ctx); err != nil {
		t.Fatal(err)
	}
	if !check("before the migration", 5.25, 0.5) {
		t.FailNow()
	}
	db.Close()
	if db, err = open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check("after the migration", 5.5, 10.5)
	scratch, closeScratch, err := sqlite.OpenScratch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer closeScratch()
	rep, err := db.Verify(ctx, scratch, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("verify after the migration: %+v; want the rebuild equal to what is stored", rep)
	}
}
