package storetest

import (
	"context"
	"math"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/sqldb"
)

// testTakenMigration: lots stored before migration 0047 (lots.taken_t)
// hold taken_t 0 and, when a run took a stated part of them, the status
// consumed (the old rule: a run input is consumed). Migration 0052's Go
// step recomputes them by the projection's own rule (replaying the log as
// verify does) when a run input line states a quantity, so an upgraded
// store verifies ok without `critmin rebuild`.
//
// Lot L: 100 t wet, commissioned in stock at site s1. Run R takes 30 t of
// L and makes O. Current rule: L in stock, taken 30 t, remaining 100 − 30
// = 70 t wet (more than the consumption tolerance of 100 t remains).
// Pre-0047 state: taken_t 0, status consumed; verify names lots. After
// migration 0052: taken 30 t, in stock, verify ok; run again, no change.
func testTakenMigration(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	db, ok := s.(*sqldb.DB)
	if !ok {
		t.Fatalf("store %T is not a sqldb.DB", s)
	}
	svc := service(s)
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [`
	MustCapture(t, svc, head+`{"type": "ObjectEvent", "eventID": "urn:t:ev:L", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`)
	MustCapture(t, svc, head+`{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 30, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`)
	check := func(when string, wantTaken float64, wantStatus string) {
		t.Helper()
		l, err := s.FindLot(ctx, "urn:t:lot:L")
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(l.TakenTonnes-wantTaken) > 1e-9 || l.Status != wantStatus {
			t.Fatalf("%s: lot L taken %v t, %s; want %v t, %s", when, l.TakenTonnes, l.Status, wantTaken, wantStatus)
		}
	}
	check("as captured", 30, critmin.LotInStock)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify as captured: %v %v", rep.Problem, rep.Difference)
	}
	// The lot as a store written before migration 0047 holds it.
	tamperAsOlder(t, s, `UPDATE lots SET taken_t = 0, status = 'consumed' WHERE id = 'urn:t:lot:L'`,
		`DELETE FROM schema_migrations WHERE version = 52`)
	check("pre-0047", 0, critmin.LotConsumed)
	rep := verifyFull(t, s, nil, true)
	if rep.OK() || rep.Difference == nil || rep.Difference.Table != "lots" {
		t.Fatalf("verify of the pre-0047 lot: ok %v, difference %+v; want lots named", rep.OK(), rep.Difference)
	}
	if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
		t.Fatalf("migration 0052 on pre-0047 lots: %v", err)
	}
	check("after migration 0052", 30, critmin.LotInStock)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after migration 0052: %v %v", rep.Problem, rep.Difference)
	}
	tamper(t, s, `DELETE FROM schema_migrations WHERE version = 52`)
	if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
		t.Fatal(err)
	}
	check("after migration 0052 run twice", 30, critmin.LotInStock)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify after migration 0052 run twice: %v %v", rep.Problem, rep.Difference)
	}
}
