package storetest

import (
	"context"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/sqldb"
)

// testInstanceLots: a TransformationEvent that names instances in its
// inputEPCList — an SSCC fed whole (it stands for what was packed into
// it) and an SGTIN of a lot never commissioned with facts of its own —
// makes no lot of either: the lot list shows lot A (class, PAK), bag B
// (an SGTIN commissioned with its own ILMD: a lot of its own) and the
// product O, and no lot with an empty commodity. The genealogy keeps the
// instances' links (S → O, G → O, B → O). A verify rebuild reproduces
// every projection table. A store written before the rule holds a bare
// row for S: verify names the lots table, and migration 0054 replays the
// projection so that the row is gone and verify agrees; run again, no
// change.
func testInstanceLots(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	db, ok := s.(*sqldb.DB)
	if !ok {
		t.Fatalf("store %T is not a sqldb.DB", s)
	}
	const (
		sscc = "urn:epc:id:sscc:0614141.1234567890"
		bag  = "urn:epc:id:sgtin:0614141.107346.2"
		inst = "urn:epc:id:sgtin:0614141.107346.1"
	)
	svc := service(s)
	MustCapture(t, svc, `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:A", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	   "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
	   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}},
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:B", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	   "epcList": ["`+bag+`"], "bizLocation": {"id": "urn:t:site:mine"},
	   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "AUS"}},
	  {"type": "AggregationEvent", "eventID": "urn:t:ev:P", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	   "parentID": "`+sscc+`", "childQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"}},
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:SH", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
	   "epcList": ["`+sscc+`"], "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:mine"}},
	  {"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00",
	   "inputEPCList": ["`+sscc+`", "`+inst+`", "`+bag+`"],
	   "outputQuantityList": [{"epcClass": "urn:t:lot:O", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:plant"},
	   "ilmd": {"cm:commodity": "ndpr_oxide"}}]}}`)
	listed := func(when string, want ...string) {
		t.Helper()
		lots, total, err := s.FindLots(ctx, critmin.LotFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, l := range lots {
			got[l.ID] = true
			if l.Commodity == "" {
				t.Errorf("%s: lot %s listed with an empty commodity", when, l.ID)
			}
		}
		if total != len(want) || len(lots) != len(want) {
			t.Errorf("%s: %d lots (total %d), want %d: %v", when, len(lots), total, len(want), want)
		}
		for _, w := range want {
			if !got[w] {
				t.Errorf("%s: lot %s not listed", when, w)
			}
		}
	}
	bagID := canonID(t, s, bag)
	listed("as captured", "urn:t:lot:A", "urn:t:lot:O", bagID)
	edges, err := s.LotEdges(ctx, []string{"urn:t:lot:O"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(edges) != 3 {
		t.Errorf("edges into O %+v, want the three instances' links kept", edges)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify as captured: %v %v", rep.Problem, rep.Difference)
	}
	// The row a store written before the rule holds for the container.
	ssccID := canonID(t, s, sscc)
	tamper(t, s, `INSERT INTO lots (id, commodity, quantity, uom, wet_t, dry_t, origin_country, origin_mine, supplier, location, read_point, status, disposition, owner, custodian, first_us, last_us, event_count, assays, claims, location_canon, taken_t)
	  VALUES ('`+ssccID+`', '', 0, '', 0, 0, '', '', '', 'urn:t:site:plant', '', 'consumed', '', '', '', 0, 0, 1, '[]', 'null', 'urn:t:site:plant', 0)`,
		`DELETE FROM schema_migrations WHERE version = 54`)
	rep := verifyFull(t, s, nil, true)
	if rep.OK() || rep.Difference == nil || rep.Difference.Table != "lots" {
		t.Fatalf("verify of the old row: ok %v, difference %+v; want lots named", rep.OK(), rep.Difference)
	}
	for run := 1; run <= 2; run++ {
		if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
			t.Fatalf("migration 0054 (run %d): %v", run, err)
		}
		listed("after migration 0054", "urn:t:lot:A", "urn:t:lot:O", bagID)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify after migration 0054 (run %d): %v %v", run, rep.Problem, rep.Difference)
		}
		tamper(t, s, `DELETE FROM schema_migrations WHERE version = 54`)
	}
}

// canonID is the lot id the store keeps for an identifier: the stored
// lot's, else its canonical form.
func canonID(t *testing.T, s critmin.Store, id string) string {
	t.Helper()
	lots, err := s.FindLotsByID(context.Background(), []string{id})
	if err != nil {
		t.Fatal(err)
	}
	if len(lots) == 1 {
		return lots[0].ID
	}
	return epcis.Canonical(id)
}
