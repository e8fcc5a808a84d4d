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

// testDeletedDerivedRowRefused: a derived row deleted in the database —
// the genealogy link that makes lot O of lot L, or a move of L — has no
// seal left to check, so each lots row's seal covers how many lot_links
// rows lead into the lot and how many lot_moves rows it has (migration
// 0073). Every reader that serves the lot counts them in the statement
// that reads it and refuses (ECONFLICT naming the table and the lot) a
// lot whose rows number otherwise: the lot, its origin (kept mix or
// evidence), its rule verdicts and its genealogy; put back, the row is
// served again. Lot L (100 t, PAK) feeds run R, which takes 30 t of it
// and makes lot O (10 t): one link into O (L→O), none into L; then L
// moves from site s1 to s2: one move of L.
func testDeletedDerivedRowRefused(t *testing.T, open Opener) {
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
	MustCapture(t, svc, head+`{"type": "ObjectEvent", "eventID": "urn:t:ev:M", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
	  "quantityList": [{"epcClass": "urn:t:lot:L"}], "bizLocation": {"id": "urn:t:site:s2"}}]}}`)
	var links, moves int
	if err := db.Write.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM lot_links WHERE child = 'urn:t:lot:O'), (SELECT COUNT(*) FROM lot_moves WHERE lot = 'urn:t:lot:L')`).Scan(&links, &moves); err != nil || links != 1 || moves != 1 {
		t.Fatalf("links into O %d, moves of L %d (%v); the fixture wants one of each", links, moves, err)
	}
	cs := s.(custody.Store)
	refused := func(what string, err error, table, row string) {
		t.Helper()
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "table "+table) || !strings.Contains(err.Error(), row) {
			t.Errorf("%s: %v; want a conflict naming table %s, %s", what, err, table, row)
		}
	}
	// views are the lot, its origin (kept mix, then evidence), its rule
	// verdicts and its genealogy, each with its error.
	views := func(lot string) map[string]error {
		out := map[string]error{}
		_, out["FindLot"] = s.FindLot(ctx, lot)
		_, out["FindLotsByID"] = s.FindLotsByID(ctx, []string{lot})
		_, _, out["FindLots"] = s.FindLots(ctx, critmin.LotFilter{Limit: 10})
		_, out["Origin"] = custody.OriginOf(ctx, cs, lot, false)
		_, out["Origin with evidence"] = custody.OriginOf(ctx, cs, lot, true)
		_, out["Evaluate"] = custody.Evaluate(ctx, s.(custody.RuleStore), lot, custody.DefaultPack())
		_, out["TraceLot"] = custody.TraceLot(ctx, cs, lot, custody.Backward, 0)
		return out
	}
	served := func(when string) {
		t.Helper()
		if _, err := s.Stats(ctx); err != nil {
			t.Errorf("%s: the overview: %v", when, err)
		}
		for _, lot := range []string{"urn:t:lot:L", "urn:t:lot:O"} {
			for what, err := range views(lot) {
				if err != nil {
					t.Errorf("%s: %s of %s: %v", when, what, lot, err)
				}
			}
		}
		if l, err := s.FindLot(ctx, "urn:t:lot:O"); err != nil || len(l.Parents) != 1 || l.Parents[0] != "urn:t:lot:L" {
			t.Errorf("%s: lot O %+v, %v; want its parent L", when, l, err)
		}
		// O's 10 t dry (moisture 0) come from L alone, all PAK: share
		// 10 / 10 = 1.
		if o, err := custody.OriginOf(ctx, cs, "urn:t:lot:O", true); err != nil || len(o.Mass.ByCountry) != 1 || o.Mass.ByCountry[0].Key != "PAK" || o.Mass.ByCountry[0].Share != 1 {
			t.Errorf("%s: origin of O %+v, %v; want 100 %% PAK", when, o, err)
		}
	}
	served("as captured")

	// The link L→O deleted: O would have no parent and so no origin; every
	// view of O refuses it. L keeps its row and its one move: served.
	tamper(t, s, `CREATE TABLE saved_links AS SELECT * FROM lot_links WHERE child = 'urn:t:lot:O'`,
		`DELETE FROM lot_links WHERE child = 'urn:t:lot:O'`)
	for what, err := range views("urn:t:lot:O") {
		refused(what+" of O after its link was deleted", err, "lot_links", `child="urn:t:lot:O"`)
	}
	if _, err := s.FindLot(ctx, "urn:t:lot:L"); err != nil {
		t.Errorf("FindLot of L, whose rows are whole: %v", err)
	}
	tamper(t, s, `INSERT INTO lot_links SELECT * FROM saved_links`, `DROP TABLE saved_links`)
	served("link put back")

	// The move of L deleted: every view of L refuses it, and so does a
	// capture that moves L on (back to s1), which would otherwise seal the
	// lot over the deleted row (testCaptureRefusesTamperedLot); it stores
	// nothing. Put back, the row is served and the capture taken.
	tamper(t, s, `CREATE TABLE saved_moves AS SELECT * FROM lot_moves WHERE lot = 'urn:t:lot:L'`,
		`DELETE FROM lot_moves WHERE lot = 'urn:t:lot:L'`)
	for what, err := range views("urn:t:lot:L") {
		refused(what+" of L after its move was deleted", err, "lot_moves", `lot="urn:t:lot:L"`)
	}
	// The overview's flows are summed from the lot_moves rows: without the
	// deleted move its flow s1→s2 would vanish, with 200. The overview
	// counts each lot's moves against its sealed count and refuses.
	_, err := s.Stats(ctx)
	refused("the overview after L's move was deleted", err, "lot_moves", `lot="urn:t:lot:L"`)
	moveBack := head + `{"type": "ObjectEvent", "eventID": "urn:t:ev:L2", "eventTime": "2025-10-07T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 70, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"}}]}}`
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(moveBack)})
	refused("capture on L after its move was deleted", err, "lot_moves", `lot="urn:t:lot:L"`)
	tamper(t, s, `INSERT INTO lot_moves SELECT * FROM saved_moves`, `DROP TABLE saved_moves`)
	served("move put back")
	MustCapture(t, svc, moveBack)
	served("L moved back")

	// Captures that add a move and a link are sealed with their counts:
	// L moves to s2 again, and a second run at s1 takes L back there and
	// makes O from L again: moves M s1→s2, L2 s2→s1, M2 s1→s2, R2 s2→s1
	// (four), links L→O by R and by R2 (two into O). Both are served.
	MustCapture(t, svc, head+`{"type": "ObjectEvent", "eventID": "urn:t:ev:M2", "eventTime": "2025-10-08T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
	  "quantityList": [{"epcClass": "urn:t:lot:L"}], "bizLocation": {"id": "urn:t:site:s2"}}]}}`)
	MustCapture(t, svc, head+`{"type": "TransformationEvent", "eventID": "urn:t:ev:R2", "eventTime": "2025-10-09T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 10, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 3, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"}}]}}`)
	var lc, mc int
	if err := db.Write.QueryRowContext(ctx, `SELECT (SELECT link_count FROM lots WHERE id = 'urn:t:lot:O'), (SELECT move_count FROM lots WHERE id = 'urn:t:lot:L')`).Scan(&lc, &mc); err != nil || lc != 2 || mc != 4 {
		t.Errorf("sealed counts: links into O %d, moves of L %d (%v); want 2 and 4", lc, mc, err)
	}
	served("after a second move and run")

	// A store from before migration 0073: no counts, no index on the
	// moves' lot. The migration counts the rows as they stand (two links
	// into O, four moves of L) and reseals the lots; they are served, and
	// a link deleted afterwards is refused.
	tamper(t, s, `ALTER TABLE lots DROP COLUMN link_count`, `ALTER TABLE lots DROP COLUMN move_count`, `DROP INDEX lot_moves_lot`,
		`DELETE FROM schema_migrations WHERE version = 73`)
	if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
		t.Fatalf("migrate to 0073: %v", err)
	}
	if err := db.Write.QueryRowContext(ctx, `SELECT (SELECT link_count FROM lots WHERE id = 'urn:t:lot:O'), (SELECT move_count FROM lots WHERE id = 'urn:t:lot:L')`).Scan(&lc, &mc); err != nil || lc != 2 || mc != 4 {
		t.Errorf("counts after migration 0073: links into O %d, moves of L %d (%v); want 2 and 4", lc, mc, err)
	}
	served("after migration 0073")
	tamper(t, s, `DELETE FROM lot_links WHERE child = 'urn:t:lot:O' AND event_id = 'urn:t:ev:R2'`)
	_, err = s.FindLot(ctx, "urn:t:lot:O")
	refused("FindLot of O after migration 0073 and a deleted link", err, "lot_links", `child="urn:t:lot:O"`)
}
