package sqlite_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateBasisNotStated: migration 0062 replays the lot projection
// of a store written before assays without cm:basis were marked, so that
// such an assay reads basisNotStated as a fresh capture gives it; an
// assay stating its basis stays unmarked.
func TestMigrateBasisNotStated(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "critmin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustStoreUnchecked(t, db, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-20T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:b", "eventTime": "2025-09-21T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "quantityList": [{"epcClass": "urn:t:lot:B", "quantity": 10, "uom": "TNE"}],
		"ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`)
	// Back to the projection before 0062: no mark.
	for _, q := range []string{
		`UPDATE lots SET assays = REPLACE(assays, ',"basisNotStated":true', '')`,
		`DELETE FROM schema_migrations WHERE version = 62`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	// Sealed as it stands, as migration 0072 seals an older store on
	// upgrade (an edit without it is refused by readers: seal.go).
	if err := db.ResealDerived(ctx); err != nil {
		t.Fatal(err)
	}
	b, err := db.FindLot(ctx, "urn:t:lot:B")
	if err != nil || len(b.Assays) != 2 || b.Assays[0].BasisNotStated {
		t.Fatalf("before the migration: %+v %v", b, err)
	}
	db.Close()
	if db, err = sqlite.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b, err = db.FindLot(ctx, "urn:t:lot:B")
	if err != nil || len(b.Assays) != 2 {
		t.Fatalf("after: %+v %v", b, err)
	}
	for _, a := range b.Assays {
		if a.BasisNotStated != (a.Analyte == "Nd") || !strings.EqualFold(a.Basis, "dry") {
			t.Errorf("assay %+v: want Nd marked basis not stated, Pr not", a)
		}
	}
}
