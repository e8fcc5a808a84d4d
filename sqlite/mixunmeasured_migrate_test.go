package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateMixSharesNotMeasured (fix9q item 4): migration 0089 rebuilds
// the kept origin mixes of a store written before fix9p/fix9q, which lack
// the elements whose origin shares rest on a feed grade never measured
// (Mix.Unmeasured, "u"). U, Pakistan, 10 t with no assay → run RU → UO,
// 0.1 t at Nd 60 %: UO's kept mix holds "u":{"Nd":true}. Stripped back to
// the old mix, `critmin verify` names lot_origin (a difference that is
// only the old code's); after the migration the mix holds "u" again and
// verify finds no difference.
func TestMigrateMixSharesNotMeasured(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "critmin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustCapture(t, ledger.NewService(db), `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:U", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:b"}, "quantityList": [{"epcClass": "urn:t:lot:U", "quantity": 10, "uom": "TNE"}],
		"ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}},
		{"type": "TransformationEvent", "eventID": "urn:t:ev:RU", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
		 "inputQuantityList": [{"epcClass": "urn:t:lot:U", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:UO", "quantity": 0.1, "uom": "TNE"}],
		 "bizLocation": {"id": "urn:t:site:b"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`)
	mix := func() string {
		var m string
		if err := db.Write.QueryRowContext(ctx, `SELECT mix FROM lot_origin WHERE lot = 'urn:t:lot:UO'`).Scan(&m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	const u = `"u":{"Nd":true}`
	if !strings.Contains(mix(), u) {
		t.Fatalf("UO's kept mix %s lacks %s", mix(), u)
	}
	// Back to a mix kept before fix9p.
	for _, q := range []string{
		`UPDATE lot_origin SET mix = REPLACE(REPLACE(mix, ',` + u + `', ''), '` + u + `,', '')`,
		`DELETE FROM schema_migrations WHERE version = 89`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.ResealDerived(ctx); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(mix(), u) {
		t.Fatalf("old mix %s still holds %s", mix(), u)
	}
	verify := func() string {
		scratch, closeScratch, err := sqlite.OpenScratch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer closeScratch()
		diff, _, err := db.Rebuild(ctx, scratch)
		if err != nil {
			t.Fatal(err)
		}
		if diff == nil {
			return ""
		}
		return diff.Table
	}
	if d := verify(); d != "lot_origin" {
		t.Fatalf("verify before the migration: %q, want lot_origin (the old mix)", d)
	}
	db.Close()
	if db, err = sqlite.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !strings.Contains(mix(), u) {
		t.Errorf("after the migration UO's mix %s lacks %s", mix(), u)
	}
	if d := verify(); d != "" {
		t.Errorf("verify after the migration: difference in %s", d)
	}
}
