package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// testEditedDerivedRowRefused: a derived row edited in the database — a
// lot's origin country, a genealogy link's quantity, a kept origin mix, a move's tonnes, a
// link inserted by hand, a stale mix marked fresh — is refused by every
// reader that would serve it (ECONFLICT naming the table and the row),
// instead of being served as a figure; the same row put back as critmin
// wrote it is served again. Lot L (100 t, PAK) feeds run R, which takes
// 30 t of it and makes lot O (10 t), whose kept mix is 100 % PAK; then L
// moves from site s1 to s2 (a lot_moves row, the overview's flows).
func testEditedDerivedRowRefused(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	db := s.(*sqldb.DB)
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
	// L moves from s1 to s2 (a lot_moves row of its 70 t).
	MustCapture(t, svc, head+`{"type": "ObjectEvent", "eventID": "urn:t:ev:M", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
	  "quantityList": [{"epcClass": "urn:t:lot:L"}], "bizLocation": {"id": "urn:t:site:s2"}}]}}`)
	var moves int
	if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM lot_moves WHERE lot = 'urn:t:lot:L'`).Scan(&moves); err != nil || moves == 0 {
		t.Fatalf("no move of L recorded (%d, %v): the fixture does not exercise lot_moves", moves, err)
	}
	refused := func(what string, err error, table, row string) {
		t.Helper()
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "table "+table) || !strings.Contains(err.Error(), row) {
			t.Errorf("%s: %v; want a conflict naming table %s, row %s", what, err, table, row)
		}
	}
	served := func(when string) {
		t.Helper()
		if l, err := s.FindLot(ctx, "urn:t:lot:L"); err != nil || l.OriginCountry != "PAK" {
			t.Fatalf("%s: lot L %+v, %v", when, l, err)
		}
		if l, err := s.FindLot(ctx, "urn:t:lot:O"); err != nil || len(l.Parents) != 1 || l.Parents[0] != "urn:t:lot:L" {
			t.Fatalf("%s: lot O %+v, %v", when, l, err)
		}
		if mix, fresh, err := db.LotMix(ctx, "urn:t:lot:O"); err != nil || !fresh || !strings.Contains(mix, "PAK") {
			t.Fatalf("%s: mix of O %q fresh %v, %v", when, mix, fresh, err)
		}
	}
	served("as captured")

	// A lot's origin country, edited: every reader of the row refuses it.
	tamper(t, s, `UPDATE lots SET origin_country = 'AUS' WHERE id = 'urn:t:lot:L'`)
	_, err := s.FindLot(ctx, "urn:t:lot:L")
	refused("FindLot after origin edit", err, "lots", `id="urn:t:lot:L"`)
	_, _, err = s.FindLots(ctx, critmin.LotFilter{Limit: 10})
	refused("FindLots after origin edit", err, "lots", `id="urn:t:lot:L"`)
	_, err = s.FindLotsByID(ctx, []string{"urn:t:lot:L"})
	refused("FindLotsByID after origin edit", err, "lots", `id="urn:t:lot:L"`)
	_, err = db.Stats(ctx) // the overview's tonnes in transit and by commodity
	refused("Stats after origin edit", err, "lots", `id="urn:t:lot:L"`)
	_, err = s.FindSites(ctx) // the lots at each site
	refused("FindSites after origin edit", err, "lots", `id="urn:t:lot:L"`)
	// Nor is anything built on it: a capture reading the lot is refused
	// too, so no fresh row is sealed over the edited one.
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(head + `{"type": "ObjectEvent", "eventID": "urn:t:ev:L2", "eventTime": "2025-10-07T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 70, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"}}]}}`)})
	refused("capture on the edited lot", err, "lots", `id="urn:t:lot:L"`)
	tamper(t, s, `UPDATE lots SET origin_country = 'PAK' WHERE id = 'urn:t:lot:L'`)
	served("origin put back")

	// A genealogy link's quantity, edited; a link inserted by hand.
	tamper(t, s, `UPDATE lot_links SET parent_qty = 3 WHERE child = 'urn:t:lot:O'`)
	_, err = s.FindLot(ctx, "urn:t:lot:O")
	refused("FindLot after link edit", err, "lot_links", `parent="urn:t:lot:L", child="urn:t:lot:O"`)
	_, err = s.LotEdges(ctx, []string{"urn:t:lot:O"}, true)
	refused("LotEdges after link edit", err, "lot_links", `child="urn:t:lot:O"`)
	_, err = s.UpstreamEdges(ctx, "urn:t:lot:O", 10)
	refused("UpstreamEdges after link edit", err, "lot_links", `child="urn:t:lot:O"`)
	tamper(t, s, `UPDATE lot_links SET parent_qty = 30 WHERE child = 'urn:t:lot:O'`)
	served("link put back")
	tamper(t, s, `INSERT INTO lot_links (parent, child, event_id, kind, parent_qty, parent_uom, child_qty, child_uom, event_time, biz_location, replay)
	  VALUES ('urn:t:lot:X', 'urn:t:lot:O', 'urn:t:ev:X', 'transformation', 5, 'TNE', 1, 'TNE', 1759622400000000, 'urn:t:site:s1', 0)`)
	_, err = s.FindLot(ctx, "urn:t:lot:O")
	refused("FindLot after an inserted link", err, "lot_links", `parent="urn:t:lot:X"`)
	tamper(t, s, `DELETE FROM lot_links WHERE parent = 'urn:t:lot:X'`)
	served("inserted link removed")

	// A move's tonnes, edited: the overview's flows refuse it.
	tamper(t, s, `UPDATE lot_moves SET tonnes = tonnes * 2`)
	_, err = db.Stats(ctx)
	refused("Stats after a move edit", err, "lot_moves", `lot="urn:t:lot:L"`)
	tamper(t, s, `UPDATE lot_moves SET tonnes = tonnes / 2`)
	if _, err := db.Stats(ctx); err != nil {
		t.Errorf("Stats with the move put back: %v", err)
	}

	// The kept origin mix, edited; a stale mix marked fresh.
	tamper(t, s, `UPDATE lot_origin SET mix = REPLACE(mix, 'PAK', 'AUS') WHERE lot = 'urn:t:lot:O'`)
	_, _, err = db.LotMix(ctx, "urn:t:lot:O")
	refused("LotMix after mix edit", err, "lot_origin", `lot="urn:t:lot:O"`)
	tamper(t, s, `UPDATE lot_origin SET mix = REPLACE(mix, 'AUS', 'PAK') WHERE lot = 'urn:t:lot:O'`)
	served("mix put back")
	tamper(t, s, `UPDATE lot_origin SET stale = 1, seal = NULL WHERE lot = 'urn:t:lot:O'`)
	if _, fresh, err := db.LotMix(ctx, "urn:t:lot:O"); err != nil || fresh {
		t.Errorf("stale mix: fresh %v, %v; want not served, no error (recomputed)", fresh, err)
	}
	tamper(t, s, `UPDATE lot_origin SET stale = 0 WHERE lot = 'urn:t:lot:O'`)
	_, _, err = db.LotMix(ctx, "urn:t:lot:O")
	refused("LotMix of a stale mix marked fresh", err, "lot_origin", `lot="urn:t:lot:O"`)
}
