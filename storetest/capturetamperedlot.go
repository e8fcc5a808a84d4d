package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// testCaptureRefusesTamperedLot: a capture that reads or extends a lot
// whose derived rows fail their seal — its lots row edited, a lot_links
// row into it or a lot_moves row of it edited or deleted, or the kept
// origin mix it hands on edited, or a member of the run it continues
// edited (migration 0075) — is refused (ECONFLICT naming the table
// and the lot) and stores nothing, rather than building on the tampered
// state and sealing the result. The fixture: lot L (100 t, PAK) at s1;
// run R (transformationID urn:t:run:R) at s1 takes 30 t of L and makes
// lot O (10 t): two members, one link L→O and
// O's kept mix; L then moves s1→s2, one move of L. Each case tampers one
// derived table and sends one event on the lot concerned.
func testCaptureRefusesTamperedLot(t *testing.T, open Opener) {
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [`
	observe := func(lot, site string) string {
		return head + `{"type": "ObjectEvent", "eventID": "urn:t:ev:X", "eventTime": "2025-10-07T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
	  "quantityList": [{"epcClass": "` + lot + `"}], "bizLocation": {"id": "` + site + `"}}]}}`
	}
	// a run at s1 that takes 5 t of O and makes lot P: it reads O's links
	// and kept mix to keep P's.
	runFromO := head + `{"type": "TransformationEvent", "eventID": "urn:t:ev:X", "eventTime": "2025-10-07T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 5, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 2, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	// a later event of run R at s1 that makes 2 t more of O: capture reads
	// R's members back to link L into it (ledger.RunLinks).
	runMore := head + `{"type": "TransformationEvent", "eventID": "urn:t:ev:X", "eventTime": "2025-10-07T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:R",
	  "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 2, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"}}]}}`
	cases := []struct {
		name  string
		sql   []string
		doc   string
		table string
		lot   string
	}{
		{"intact", nil, observe("urn:t:lot:L", "urn:t:site:s1"), "", ""},
		{"lots row edited", []string{`UPDATE lots SET origin_country = 'CHN' WHERE id = 'urn:t:lot:L'`}, observe("urn:t:lot:L", "urn:t:site:s1"), "lots", "urn:t:lot:L"},
		{"lot_moves row deleted", []string{`DELETE FROM lot_moves WHERE lot = 'urn:t:lot:L'`}, observe("urn:t:lot:L", "urn:t:site:s1"), "lot_moves", "urn:t:lot:L"},
		{"lot_moves row edited", []string{`UPDATE lot_moves SET tonnes = tonnes + 1 WHERE lot = 'urn:t:lot:L'`}, observe("urn:t:lot:L", "urn:t:site:s1"), "lot_moves", "urn:t:lot:L"},
		{"lot_moves row inserted", []string{`INSERT INTO lot_moves (lot, from_loc, to_loc, tonnes, event_id) VALUES ('urn:t:lot:L', 'urn:t:site:s2', 'urn:t:site:s9', 70, 'urn:t:ev:M')`}, observe("urn:t:lot:L", "urn:t:site:s1"), "lot_moves", "urn:t:lot:L"},
		{"lot_links row deleted", []string{`DELETE FROM lot_links WHERE child = 'urn:t:lot:O'`}, observe("urn:t:lot:O", "urn:t:site:s2"), "lot_links", "urn:t:lot:O"},
		{"lot_links row edited", []string{`UPDATE lot_links SET parent_qty = 3 WHERE child = 'urn:t:lot:O'`}, observe("urn:t:lot:O", "urn:t:site:s2"), "lot_links", "urn:t:lot:O"},
		{"lot_links row into a run's input deleted", []string{`DELETE FROM lot_links WHERE child = 'urn:t:lot:O'`}, runFromO, "lot_links", "urn:t:lot:O"},
		{"lot_links row into a run's input edited", []string{`UPDATE lot_links SET child_qty = 20 WHERE child = 'urn:t:lot:O'`}, runFromO, "lot_links", "urn:t:lot:O"},
		{"lot_origin mix of a run's input edited", []string{`UPDATE lot_origin SET mix = REPLACE(mix, 'PAK', 'CHN') WHERE lot = 'urn:t:lot:O'`}, runFromO, "lot_origin", "urn:t:lot:O"},
		{"intact run", nil, runFromO, "", ""},
		{"transformation_members row edited", []string{`UPDATE transformation_members SET quantity = 60 WHERE epc_class = 'urn:t:lot:L'`}, runMore, "transformation_members", "urn:t:lot:L"},
		{"transformation_members row unsealed", []string{`UPDATE transformation_members SET seal = NULL WHERE epc_class = 'urn:t:lot:L'`}, runMore, "transformation_members", "urn:t:lot:L"},
		{"intact run continued", nil, runMore, "", ""},
		// A store from before migration 0075: no seal column on the
		// members. The migration seals them as they stand, and the run
		// continues.
		{"run continued after migration 0075", []string{`ALTER TABLE transformation_members DROP COLUMN seal`, `DELETE FROM schema_migrations WHERE version = 75`}, runMore, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			db := s.(*sqldb.DB)
			svc := service(s)
			MustCapture(t, svc, head+`{"type": "ObjectEvent", "eventID": "urn:t:ev:L", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`)
			MustCapture(t, svc, head+`{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:R",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 30, "uom": "TNE"}],
	  "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:s1"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`)
			MustCapture(t, svc, head+`{"type": "ObjectEvent", "eventID": "urn:t:ev:M", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
	  "quantityList": [{"epcClass": "urn:t:lot:L"}], "bizLocation": {"id": "urn:t:site:s2"}}]}}`)
			var mixes int
			if err := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM lot_origin WHERE lot = 'urn:t:lot:O' AND stale = 0`).Scan(&mixes); err != nil || mixes != 1 {
				t.Fatalf("kept mixes of O %d (%v); the fixture wants one", mixes, err)
			}
			tamper(t, s, c.sql...)
			if strings.Contains(c.name, "migration") {
				if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
					t.Fatalf("migrate: %v", err)
				}
			}
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(c.doc)})
			var stored int
			if qerr := db.Write.QueryRowContext(ctx, `SELECT COUNT(*) FROM events WHERE event_id = 'urn:t:ev:X'`).Scan(&stored); qerr != nil {
				t.Fatal(qerr)
			}
			if c.table == "" {
				if err != nil || stored != 1 {
					t.Fatalf("capture on intact rows: %v, %d stored; want it stored", err, stored)
				}
				return
			}
			if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "table "+c.table) || !strings.Contains(err.Error(), `"`+c.lot+`"`) {
				t.Errorf("capture: %v; want a conflict naming table %s and lot %s", err, c.table, c.lot)
			}
			if stored != 0 {
				t.Errorf("the refused capture stored its event (%d rows)", stored)
			}
		})
	}
}
