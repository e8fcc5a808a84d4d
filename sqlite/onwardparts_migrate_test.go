package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqlite"
	"github.com/critmin/critmin/storetest"
)

// TestMigrateOnwardParts: migration 0080 replays the lot projection of a
// store written before onward shipments shipped from the received part.
// Lot W, 30 t at Karachi; 10 t received at Houston; 6 t shipped on from
// Houston. The old projection took the 6 t from Karachi's rest, leaving
// from Karachi (30 − 10 − 6 = 14 t there); after the migration the
// onward part leaves from Houston, the received part has 6 t shipped on
// of it, and 30 − 10 = 20 t stand at Karachi.
func TestMigrateOnwardParts(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "critmin.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	ship := func(id, when, from, to, kg, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
		 "bizLocation": {"id": "urn:t:site:` + from + `"}, "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": ` + kg + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:` + to + `"}]}`
	}
	storetest.MustCapture(t, ledger.NewService(db), `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-25T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:w0", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 30000, "uom": "KGM"}],
		"ilmd": {"cm:commodity": "antimony_ore", "cm:moisture": 0}},
		`+ship("w1", "2025-11-02T00:00:00Z", "karachi", "houston", "10000", "1")+`,
		{"type": "ObjectEvent", "eventID": "urn:t:ev:w2", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
		 "bizLocation": {"id": "urn:t:site:houston"}, "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]},
		`+ship("w3", "2025-11-21T00:00:00Z", "houston", "baltimore", "6000", "2")+`]}}`)
	// Back to the projection before 0080.
	for _, q := range []string{
		`UPDATE lots SET parts = REPLACE(REPLACE(REPLACE(parts, ',"shippedOnTonnes":6', ''), ',"onwardOf":"urn:t:ev:w1"', ''), '"from":"urn:t:site:houston"', '"from":"urn:t:site:karachi"')`,
		`DELETE FROM schema_migrations WHERE version = 80`,
	} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.ResealDerived(ctx); err != nil {
		t.Fatal(err)
	}
	w, err := db.FindLot(ctx, "urn:t:lot:W")
	if err != nil || len(w.Parts) != 2 || w.Parts[1].From != "urn:t:site:karachi" || w.Parts[0].ShippedOnTonnes != 0 || w.RemainingWetTonnes() != 14 {
		t.Fatalf("before the migration: %+v %v; want the old projection (14 t at Karachi)", w, err)
	}
	db.Close()
	if db, err = sqlite.Open(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w, err = db.FindLot(ctx, "urn:t:lot:W")
	if err != nil || len(w.Parts) != 2 {
		t.Fatalf("after: %+v %v", w, err)
	}
	if w.Parts[1].From != "urn:t:site:houston" || w.Parts[1].OnwardOf != "urn:t:ev:w1" || w.Parts[0].ShippedOnTonnes != 6 || w.RemainingWetTonnes() != 20 {
		t.Errorf("after the migration: parts %+v, %v t at Karachi; want the onward part from Houston, 6 t shipped on of the received one, 20 t at Karachi", w.Parts, w.RemainingWetTonnes())
	}
}
