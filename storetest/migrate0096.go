package storetest

import (
	"context"
	"math"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// MigrateStandingSites (issue 15, fix15t): migration 0096 replays the lot
// projection of a store written before a weighing weighed what runs left,
// on SQLite and PostgreSQL alike (open reopens the same store). Lot RT,
// 10 000 kg at mine M (no moisture: dry = wet); run R at M takes
// 4 000 kg of it; a 6 000 kg ticket at M weighs the 10 − 4 = 6 t left.
// The old projection read the ticket as the total: 6 t, 6 − 4 = 2 t
// remaining. After 0096 the total is 6 + 4 = 10 t wet and dry, 6 t
// remaining.
func MigrateStandingSites(t *testing.T, open func() (*sqldb.DB, error)) {
	t.Helper()
	ctx := context.Background()
	db, err := open()
	if err != nil {
		t.Fatal(err)
	}
	MustCapture(t, ledger.NewService(db), `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:t0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:RT", "quantity": 10000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore"}},
		{"type": "TransformationEvent", "eventID": "urn:t:ev:t1", "eventTime": "2025-11-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
		"transformationID": "urn:t:run:R", "bizLocation": {"id": "urn:t:site:M"},
		"inputQuantityList": [{"epcClass": "urn:t:lot:RT", "quantity": 4000, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:RO", "quantity": 1000, "uom": "KGM"}]},
		{"type": "ObjectEvent", "eventID": "urn:t:ev:t2", "eventTime": "2025-11-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
		"bizLocation": {"id": "urn:t:site:M"}, "quantityList": [{"epcClass": "urn:t:lot:RT", "quantity": 6000, "uom": "KGM"}]}]}}`)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	q, err := db.FindLot(ctx, "urn:t:lot:RT")
	if err != nil || !near(q.WetTonnes, 10) || !near(q.TakenTonnes, 4) || !near(q.RemainingWetTonnes(), 6) {
		t.Fatalf("as captured: %+v %v; want 10 t, 4 t taken, 6 t remaining (the current projection)", q, err)
	}
	// Back to the projection before 0096: the ticket read as the total.
	if _, err := db.Write.ExecContext(ctx, `UPDATE lots SET quantity = 6000, wet_t = 6, dry_t = 6 WHERE id = 'urn:t:lot:RT'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Write.ExecContext(ctx, `DELETE FROM schema_migrations WHERE version = 96`); err != nil {
		t.Fatal(err)
	}
	if err := db.ResealDerived(ctx); err != nil {
		t.Fatal(err)
	}
	if q, err = db.FindLot(ctx, "urn:t:lot:RT"); err != nil || !near(q.WetTonnes, 6) || !near(q.RemainingWetTonnes(), 2) {
		t.Fatalf("before the migration: %+v %v; want the old projection (6 t, 2 t remaining)", q, err)
	}
	db.Close()
	if db, err = open(); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if q, err = db.FindLot(ctx, "urn:t:lot:RT"); err != nil || !near(q.WetTonnes, 10) || !near(q.DryTonnes, 10) || !near(q.RemainingWetTonnes(), 6) {
		t.Errorf("after the migration: %+v %v; want 10 t wet and dry, 6 t remaining", q, err)
	}
	// critmin verify: the rebuild from the log equals what is stored.
	if rep := verifyFull(t, db, nil, true); !rep.OK() {
		t.Fatalf("verify after the migration: %v %v", rep.Problem, rep.Difference)
	}
}
