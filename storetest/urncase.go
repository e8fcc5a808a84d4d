package storetest

import (
	"context"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/sqldb"
)

// testURNSchemeAndNIDCaseOneIdentity: RFC 8141 §3.1 makes the "urn"
// scheme and the namespace identifier (NID) case-insensitive, the NSS
// case-sensitive unless its namespace says otherwise. Identifiers that
// are no GS1 key — a lot, an item, a pallet, a site, a party — spelt
// "URN:example:…", "urn:EXAMPLE:…" and "urn:example:…" are therefore one
// identity: one lot, and every query naming an identifier (MATCH_epc,
// MATCH_anyEPC, MATCH_epcClass, MATCH_anyEPCClass, MATCH_parentID,
// EQ_readPoint, EQ_bizLocation, EQ_source_*, EQ_destination_*,
// EQ_bizTransaction_*) finds the events in any of the three spellings.
// "urn:example:LOT:1" differs in its NSS and is another identity.
func testURNSchemeAndNIDCaseOneIdentity(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [`
	object := func(n, scheme, nid string) string {
		p := scheme + ":" + nid + ":"
		return `{"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-00000000c00` + n + `", "eventTime": "2025-03-0` + n + `T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
   "epcList": ["` + p + `item:1"], "quantityList": [{"epcClass": "` + p + `lot:1", "quantity": 5, "uom": "KGM"}],
   "readPoint": {"id": "` + p + `rp:1"}, "bizLocation": {"id": "` + p + `site:1"},
   "bizTransactionList": [{"type": "po", "bizTransaction": "` + p + `po:1"}],
   "sourceList": [{"type": "owning_party", "source": "` + p + `party:A"}], "destinationList": [{"type": "owning_party", "destination": "` + p + `party:B"}]}`
	}
	MustCapture(t, svc, head+object("1", "URN", "example")+`,`+object("2", "urn", "EXAMPLE")+`,`+object("3", "urn", "example")+`,
  {"type": "AggregationEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-00000000c004", "eventTime": "2025-03-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
   "parentID": "Urn:Example:pallet:1", "childEPCs": ["URN:EXAMPLE:item:1"]}]}}`)
	checkAll := func(when string) {
		t.Helper()
		lots, total, err := s.FindLots(ctx, critmin.LotFilter{Limit: 10})
		if err != nil || total != 1 || len(lots) != 1 || lots[0].ID != "urn:example:lot:1" || lots[0].EventCount != 3 {
			t.Fatalf("%s: lots: %v, total %d, %+v; want the one lot urn:example:lot:1 with 3 events", when, err, total, lots)
		}
		checkQueries(t, s, when)
	}
	checkAll("as captured")
	// A store made before migration 0074 holds the captured spellings as
	// their canonical forms, and a lot per spelling: the canonical
	// columns are put back as captured and the lots dropped. The
	// migration rewrites the columns and replays the lots: one lot again,
	// every query as above, and verify finds the store whole.
	db := s.(*sqldb.DB)
	tamper(t, s, `UPDATE event_quantities SET canon = epc_class`, `UPDATE event_epcs SET canon = epc`,
		`UPDATE events SET read_point_canon = read_point, biz_location_canon = biz_location`,
		`UPDATE event_attrs SET canon = val WHERE kind NOT IN ('corrective', 'errorReason')`,
		`DELETE FROM lots`, `DELETE FROM lot_moves`, `DELETE FROM lot_links`, `DELETE FROM lot_origin`,
		`DELETE FROM schema_migrations WHERE version = 74`)
	if got := query(t, s, "MATCH_epcClass=urn:example:lot:1"); len(got) != 1 {
		t.Fatalf("before migration 0074: MATCH_epcClass=urn:example:lot:1 %v; the model of an old store wants the one event spelt so", got)
	}
	if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
		t.Fatalf("migrate to 0074: %v", err)
	}
	checkAll("after migration 0074")
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Errorf("verify after migration 0074: %v %v; want ok", rep.Problem, rep.Difference)
	}
}

// checkQueries runs testURNSchemeAndNIDCaseOneIdentity's queries, each in
// three spellings of scheme and NID.
func checkQueries(t *testing.T, s critmin.Store, when string) {
	t.Helper()
	ctx := context.Background()
	for _, p := range []string{"urn:example:", "URN:EXAMPLE:", "Urn:eXample:"} {
		if l, err := s.FindLot(ctx, p+"lot:1"); err != nil || l.ID != "urn:example:lot:1" {
			t.Errorf("%s: lot %slot:1: %v, %+v; want urn:example:lot:1", when, p, err, l)
		}
		for q, want := range map[string]int{
			// item:1 is in the three epcLists and the childEPCs
			"MATCH_epc=" + p + "item:1":                    4,
			"MATCH_anyEPC=" + p + "item:1":                 4,
			"MATCH_anyEPC=" + p + "pallet:1":               1,
			"MATCH_parentID=" + p + "pallet:1":             1,
			"MATCH_epcClass=" + p + "lot:1":                3,
			"MATCH_anyEPCClass=" + p + "lot:1":             3,
			"EQ_readPoint=" + p + "rp:1":                   3,
			"EQ_bizLocation=" + p + "site:1":               3,
			"EQ_source_owning_party=" + p + "party:A":      3,
			"EQ_destination_owning_party=" + p + "party:B": 3,
			"EQ_bizTransaction_po=" + p + "po:1":           3,
			// the NSS is case-sensitive
			"MATCH_epcClass=" + p + "LOT:1":  0,
			"EQ_bizLocation=" + p + "SITE:1": 0,
		} {
			if got := query(t, s, q); len(got) != want {
				t.Errorf("%s: %s: %v; want %d events", when, q, got, want)
			}
		}
	}
}
