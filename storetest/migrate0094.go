package storetest

import (
	"context"
	"math"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// MigrateRunOutputsAdd (issue 9, fix9f): migration 0094 replays the lot
// projection of a store written before the output lines of one run added
// up, on SQLite and PostgreSQL alike (open reopens the same store). Run
// R8 at site mb: event r8a feeds 100 t of P8 and makes O8, 0.5 t; the
// later output-only event r8b of R8 names O8 with 10 t. Each event
// records what it produced, so O8 is 0.5 + 10 = 10.5 t (dry: no
// moisture). The old projection kept the last line, 10 t. After 0094,
// 10.5 t; and `critmin verify`'s rebuild equals what is stored.
func MigrateRunOutputsAdd(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ctx := context.Background()
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	run := func(id, day, in, out string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "transformationID": "urn:t:run:R8",
		 ` + in + `"outputQuantityList": [{"epcClass": "urn:t:lot:O8", "quantity": ` + out + `, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0}}`
	}
	MustCapture(t, ledger.NewService(db), `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:p8", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mb"}, "quantityList": [{"epcClass": "urn:t:lot:P8", "quantity": 100, "uom": "TNE"}],
		"ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}},
		`+run("r8a", "20", `"inputQuantityList": [{"epcClass": "urn:t:lot:P8", "quantity": 100, "uom": "TNE"}], `, "0.5")+`,
		`+run("r8b", "21", "", "10")+`]}}`)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	o, err := db.FindLot(ctx, "urn:t:lot:O8")
	if err != nil || !near(o.WetTonnes, 10.5) || !near(o.DryTonnes, 10.5) {
		t.Fatalf("as captured: %+v %v; want 0.5 + 10 = 10.5 t", o, err)
	}
	// Back to the projection before 0094: the last line, 10 t.
	if _, err := db.Write.ExecContext(ctx, `UPDATE lots SET quantity = 10, wet_t = 10, dry_t = 10 WHERE id = 'urn:t:lot:O8'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = 94`); err != nil {
		t.Fatal(err)
	}
	if err := db.ResealDerived(ctx); err != nil {
		t.Fatal(err)
	}
	if o, err = db.FindLot(ctx, "urn:t:lot:O8"); err != nil || !near(o.WetTonnes, 10) {
		t.Fatalf("before the migration: %+v %v; want the old projection (10 t)", o, err)
	}
	db.Close()
	if db, err = open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if o, err = db.FindLot(ctx, "urn:t:lot:O8"); err != nil || !near(o.WetTonnes, 10.5) || !near(o.DryTonnes, 10.5) {
		t.Errorf("after the migration: %+v %v; want 0.5 + 10 = 10.5 t", o, err)
	}
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
