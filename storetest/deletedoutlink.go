package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// testDeletedOutLinkRefusedOnParent: a lot_links row deleted by hand is
// refused on its child's views (link_count, migration 0073), and since
// migration 0076 on its parent's views too: the parent's row seals how
// many links lead out of it (out_link_count), and every reader that
// serves the parent — its page (which lists its children), the lot list,
// the lots by id, its forward trace, the overview — counts them in the
// same statement and refuses (409 naming table lot_links and the
// parent), rather than list the other children without it. A capture
// onto the parent is refused and stores nothing. Put back, the row is
// served and the capture taken. Lot L (100 t) feeds run R, which takes
// 30 t and makes lots A (10 t) and B (5 t): two links out of L.
func testDeletedOutLinkRefusedOnParent(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	db := s.(*sqldb.DB)
	svc := service(s)
	cs := s.(custody.Store)
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [`
	MustCapture(t, svc, head+`{"type": "ObjectEvent", "eventID": "urn:t:ev:L", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}]}}`)
	MustCapture(t, svc, head+`{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 30, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 10, "uom": "TNE"}, {"epcClass": "urn:t:lot:B", "quantity": 5, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}}]}}`)
	outCount := func() int {
		t.Helper()
		var n int
		if err := db.Write.QueryRowContext(ctx, `SELECT out_link_count FROM lots WHERE id = 'urn:t:lot:L'`).Scan(&n); err != nil {
			t.Fatalf("out_link_count of L: %v", err)
		}
		return n
	}
	if n := outCount(); n != 2 {
		t.Fatalf("sealed links out of L: %d; want 2 (L→A, L→B)", n)
	}
	refused := func(what string, err error) {
		t.Helper()
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "table lot_links") || !strings.Contains(err.Error(), `parent="urn:t:lot:L"`) {
			t.Errorf("%s: %v; want a conflict naming table lot_links, parent=\"urn:t:lot:L\"", what, err)
		}
	}
	views := func() map[string]error {
		out := map[string]error{}
		_, out["FindLot"] = s.FindLot(ctx, "urn:t:lot:L")
		_, out["FindLotsByID"] = s.FindLotsByID(ctx, []string{"urn:t:lot:L"})
		_, _, out["FindLots"] = s.FindLots(ctx, critmin.LotFilter{Limit: 10})
		_, out["TraceLot forward"] = custody.TraceLot(ctx, cs, "urn:t:lot:L", custody.Forward, 0)
		_, out["Stats"] = s.Stats(ctx)
		return out
	}
	served := func(when string) {
		t.Helper()
		for what, err := range views() {
			if err != nil {
				t.Errorf("%s: %s of L: %v", when, what, err)
			}
		}
		if l, err := s.FindLot(ctx, "urn:t:lot:L"); err != nil || len(l.Children) != 2 {
			t.Errorf("%s: lot L %+v, %v; want its children A and B", when, l, err)
		}
	}
	served("as captured")

	// L→B deleted: L's page would list A alone, with 200. Every view of
	// L refuses, and so does a capture onto L, which stores nothing.
	tamper(t, s, `CREATE TABLE saved_out AS SELECT * FROM lot_links WHERE child = 'urn:t:lot:B'`,
		`DELETE FROM lot_links WHERE child = 'urn:t:lot:B'`)
	for what, err := range views() {
		refused(what+" after L→B was deleted", err)
	}
	var before, after int
	if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&before); err != nil {
		t.Fatal(err)
	}
	observe := head + `{"type": "ObjectEvent", "eventID": "urn:t:ev:O", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	  "quantityList": [{"epcClass": "urn:t:lot:L"}], "bizLocation": {"id": "urn:t:site:s1"}}]}}`
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(observe)})
	refused("capture onto L after L→B was deleted", err)
	if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&after); err != nil || after != before {
		t.Errorf("events after the refused capture: %d (%v); want %d, nothing stored", after, err, before)
	}
	tamper(t, s, `INSERT INTO lot_links SELECT * FROM saved_out`, `DROP TABLE saved_out`)
	served("L→B put back")
	MustCapture(t, svc, observe)
	served("after the capture onto L")

	// A store from before migration 0076: no out-link count. The
	// migration counts the links out of L as they stand (two) and reseals
	// the lots; they are served, and a link out of L deleted afterwards is
	// refused.
	tamper(t, s, `ALTER TABLE lots DROP COLUMN out_link_count`, `DELETE FROM schema_migrations WHERE version = 76`)
	if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
		t.Fatalf("migrate to 0076: %v", err)
	}
	if n := outCount(); n != 2 {
		t.Errorf("links out of L after migration 0076: %d; want 2", n)
	}
	served("after migration 0076")
	tamper(t, s, `DELETE FROM lot_links WHERE child = 'urn:t:lot:A'`)
	_, err = s.FindLot(ctx, "urn:t:lot:L")
	refused("FindLot of L after migration 0076 and a deleted link", err)
}
