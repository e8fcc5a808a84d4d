package sqlite_test

import (
	"context"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateMasterAttrValues: migration 0030 re-indexes a store whose
// master_data_attrs holds a repeated attribute as one JSON-array row (as
// before EQ_ATTR_ compared each value), so that EQ_ATTR_ finds the site by
// either value (EPCIS 2.0 §8.2.7.1).
func TestMigrateMasterAttrValues(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "critmin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustCapture(t, ledger.NewService(db), `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": "https://example.org/nu11/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-09-20T00:00:00Z",
	"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
		{"id": "urn:nu11:site:mv", "attributes": [{"id": "ex:cert", "attribute": "ISO9001"}, {"id": "ex:cert", "attribute": "ISO14001"}]}]}]}},
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-09-21T08:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "bizLocation": {"id": "urn:nu11:site:mv"}}]}}`)
	// Back to the index before 0030: one row holding the JSON array.
	for _, q := range []string{
		`DELETE FROM master_data_attrs`,
		`INSERT INTO master_data_attrs (vtype, id, id_canon, name, val) VALUES ('urn:epcglobal:epcis:vtype:BusinessLocation', 'urn:nu11:site:mv', 'urn:nu11:site:mv', 'https://example.org/nu11/cert', '["ISO9001","ISO14001"]')`,
		`DELETE FROM schema_migrations WHERE version = 30`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	count := func() int {
		q, _ := url.ParseQuery("EQ_ATTR_bizLocation_https://example.org/nu11/cert=ISO14001")
		f, err := epcis.ParseQuery(q)
		if err != nil {
			t.Fatal(err)
		}
		page, err := db.FindEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Events)
	}
	if n := count(); n != 0 {
		t.Fatalf("before the migration: %d events, want 0 (the array row does not match)", n)
	}
	db.Close()
	if db, err = sqlite.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n := count(); n != 1 {
		t.Errorf("after migration 0030: %d events, want 1", n)
	}
}
