package storetest

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/sqldb"
)

// spellingsDoc adds, to case 01, pairs of events naming one key in two
// spellings each: a business transaction (GDTI), a destination party
// (PGLN), a class-level pattern (the GTIN class, as EPC pattern URI and
// as Digital Link), a GRAI as parentID, and one non-GS1 identifier (a
// container's BIC code) that must match only as written.
const spellingsDoc = `{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-00000000a001", "eventTime": "2025-03-03T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
     "quantityList": [{"epcClass": "urn:epc:idpat:sgtin:4012345.011111.*", "quantity": 5, "uom": "KGM"}],
     "bizTransactionList": [{"type": "po", "bizTransaction": "urn:epc:id:gdti:0614141.12345.006847"}],
     "destinationList": [{"type": "possessing_party", "destination": "urn:epc:id:pgln:0614141.12345"}]},
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-00000000a002", "eventTime": "2025-03-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
     "quantityList": [{"epcClass": "https://id.gs1.org/01/04012345111118", "quantity": 5, "uom": "KGM"}],
     "bizTransactionList": [{"type": "po", "bizTransaction": "https://id.gs1.org/253/0614141123452006847"}],
     "destinationList": [{"type": "possessing_party", "destination": "https://example.com/party/417/0614141123452?x=1"}]},
    {"type": "AggregationEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-00000000a003", "eventTime": "2025-03-05T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
     "parentID": "urn:epc:id:grai:0614141.12345.400", "childEPCs": ["urn:epc:id:bic:CSQU3054383"]},
    {"type": "AggregationEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-00000000a004", "eventTime": "2025-03-06T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
     "parentID": "https://id.gs1.org/8003/00614141123452400", "childEPCs": ["urn:epc:id:bic:CSQU3054384"]}
  ]}
}`

// testIdentityAcrossSpellings: every query that names an identifier finds
// the events whichever spelling (EPC URN or Digital Link) they and the
// query use (issue 8 part 1, case 01).
func testIdentityAcrossSpellings(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	body, err := os.ReadFile(filepath.Join(TestdataDir, "cases", "01-dl-urn-equivalent-query.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	MustCapture(t, svc, string(body))
	MustCapture(t, svc, spellingsDoc)
	ctx := context.Background()
	// The two events of case 01 are told apart by bizStep.
	steps := func(evs []*critmin.Event) []string {
		var out []string
		for _, e := range evs {
			if e.BizStep != "" {
				out = append(out, e.BizStep)
			} else {
				out = append(out, e.EventID[len(e.EventID)-4:])
			}
		}
		sort.Strings(out)
		return out
	}
	both := []string{"receiving", "shipping"}
	cases := []struct {
		name, key, value string
		want             []string
	}{
		{"SGTIN as URN", "MATCH_epc", "urn:epc:id:sgtin:4012345.011111.1001", both},
		{"SGTIN as Digital Link", "MATCH_epc", "https://id.gs1.org/01/04012345111118/21/1001", both},
		{"SGTIN as GTIN-13 Digital Link on another host with lot", "MATCH_anyEPC", "https://brand.example/01/4012345111118/10/LOT-A/21/1001", both},
		{"SGTIN by pattern", "MATCH_epc", "urn:epc:idpat:sgtin:4012345.011111.*", both},
		{"SGTIN by company pattern", "MATCH_epc", "urn:epc:idpat:sgtin:4012345.*.*", both},
		{"other serial", "MATCH_epc", "urn:epc:id:sgtin:4012345.011111.1002", nil},
		{"LGTIN as URN", "MATCH_epcClass", "urn:epc:class:lgtin:4012345.011111.LOT-A", both},
		{"LGTIN as Digital Link", "MATCH_epcClass", "https://id.gs1.org/01/04012345111118/10/LOT-A", both},
		{"other lot", "MATCH_epcClass", "https://id.gs1.org/01/04012345111118/10/LOT-B", nil},
		// A class pattern matches the LGTINs of its GTIN and the stored
		// class-level patterns in either spelling.
		{"GTIN class pattern", "MATCH_epcClass", "urn:epc:idpat:sgtin:4012345.011111.*", []string{"a001", "a002", "receiving", "shipping"}},
		// The Digital Link of the GTIN is the same class pattern.
		{"GTIN class as Digital Link", "MATCH_anyEPCClass", "https://id.gs1.org/01/04012345111118", []string{"a001", "a002", "receiving", "shipping"}},
		{"GTIN class as Digital Link, MATCH_epcClass", "MATCH_epcClass", "https://id.gs1.org/01/04012345111118", []string{"a001", "a002", "receiving", "shipping"}},
		{"read point as URN", "EQ_readPoint", "urn:epc:id:sgln:4012345.00001.0", both},
		{"read point as Digital Link", "EQ_readPoint", "https://id.gs1.org/414/4012345000016", both},
		{"business location as URN", "EQ_bizLocation", "urn:epc:id:sgln:4012345.00001.0", both},
		{"business location as Digital Link", "EQ_bizLocation", "https://id.gs1.org/414/4012345000016", both},
		{"owning party as URN", "EQ_source_owning_party", "urn:epc:id:pgln:4012345.00001", both},
		{"owning party as Digital Link", "EQ_source_owning_party", "https://id.gs1.org/417/4012345000016", both},
		{"destination as URN", "EQ_destination_possessing_party", "urn:epc:id:pgln:0614141.12345", []string{"a001", "a002"}},
		{"destination as Digital Link", "EQ_destination_possessing_party", "https://id.gs1.org/417/0614141123452", []string{"a001", "a002"}},
		{"business transaction as URN", "EQ_bizTransaction_po", "urn:epc:id:gdti:0614141.12345.006847", []string{"a001", "a002"}},
		{"business transaction as Digital Link", "EQ_bizTransaction_po", "https://id.gs1.org/253/0614141123452006847", []string{"a001", "a002"}},
		{"GRAI parent as URN", "MATCH_parentID", "urn:epc:id:grai:0614141.12345.400", []string{"a003", "a004"}},
		{"GRAI parent as Digital Link", "MATCH_parentID", "https://id.gs1.org/8003/00614141123452400", []string{"a003", "a004"}},
		{"GRAI asset-type pattern", "MATCH_anyEPC", "urn:epc:idpat:grai:0614141.12345.*", []string{"a003", "a004"}},
		// The Digital Link class form (the GRAI without its serial) finds
		// the same instance events as the idpat URN.
		{"GRAI asset type as Digital Link", "MATCH_anyEPC", "https://id.gs1.org/8003/00614141123452", []string{"a003", "a004"}},
		{"container code as written", "MATCH_epc", "urn:epc:id:bic:CSQU3054383", []string{"a003"}},
		{"container code, other digit", "MATCH_epc", "urn:epc:id:bic:CSQU305438", nil},
		{"container code as child", "MATCH_anyEPC", "urn:epc:id:bic:CSQU3054383", []string{"a003"}},
	}
	for _, c := range cases {
		f, err := epcis.ParseQuery(url.Values{c.key: {c.value}})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		page, err := s.FindEvents(ctx, f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := steps(page.Events); !equalStrings(got, c.want) {
			t.Errorf("%s: %s=%s gives %v, want %v", c.name, c.key, c.value, got, c.want)
		}
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// testOneLotPerCanonicalClass: the mineral view keeps one lot per
// canonical class identifier (case 01: one batch, GTIN 04012345111118 lot
// LOT-A, spelled as LGTIN URN and as Digital Link), found by either
// spelling.
func testOneLotPerCanonicalClass(t *testing.T, open Opener) {
	s := open(t)
	body, err := os.ReadFile(filepath.Join(TestdataDir, "cases", "01-dl-urn-equivalent-query.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	MustCapture(t, service(s), string(body))
	ctx := context.Background()
	lots, total, err := s.FindLots(ctx, critmin.LotFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	const want = "https://id.gs1.org/01/04012345111118/10/LOT-A"
	if total != 1 || len(lots) != 1 || lots[0].ID != want {
		var ids []string
		for _, l := range lots {
			ids = append(ids, l.ID)
		}
		t.Fatalf("lots %v (total %d), want one: %s", ids, total, want)
	}
	// Both events count towards the one lot; the later one (receiving,
	// in_progress) sets its status.
	for _, id := range []string{want, "urn:epc:class:lgtin:4012345.011111.LOT-A", "https://id.gs1.org/01/4012345111118/10/LOT-A?linkType=all"} {
		l, err := s.FindLot(ctx, id)
		if err != nil {
			t.Fatalf("find lot %s: %v", id, err)
		}
		if l.ID != want || l.EventCount != 2 || l.Quantity != 20 || l.Status != critmin.LotInStock {
			t.Errorf("lot %s: %+v", id, l)
		}
	}
	// The location filter matches any spelling of the location.
	for _, loc := range []string{"urn:epc:id:sgln:4012345.00001.0", "https://id.gs1.org/414/4012345000016"} {
		if _, n, err := s.FindLots(ctx, critmin.LotFilter{Location: loc, Limit: 10}); err != nil || n != 1 {
			t.Errorf("lots at %s: %d, %v; want 1", loc, n, err)
		}
	}
}

// testIdentityBackfill: rows stored before migration 3 carry their
// captured value as canonical form (the migration's SQL); its Go step,
// sqldb.BackfillIdentity, gives them their canonical forms, after which
// queries match across spellings as for new rows.
func testIdentityBackfill(t *testing.T, open Opener) {
	s := open(t)
	db, ok := s.(*sqldb.DB)
	if !ok {
		t.Fatalf("store %T is not a sqldb.DB", s)
	}
	body, err := os.ReadFile(filepath.Join(TestdataDir, "cases", "01-dl-urn-equivalent-query.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	MustCapture(t, service(s), string(body))
	ctx := context.Background()
	for _, q := range []string{`UPDATE events SET read_point_canon = read_point, biz_location_canon = biz_location`, `UPDATE event_epcs SET canon = epc`,
		`UPDATE event_quantities SET canon = epc_class`, `UPDATE event_attrs SET canon = val`} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	count := func(key, value string) int {
		f, err := epcis.ParseQuery(url.Values{key: {value}})
		if err != nil {
			t.Fatal(err)
		}
		page, err := s.FindEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Events)
	}
	queries := [][2]string{{"MATCH_epc", "https://id.gs1.org/01/04012345111118/21/1001"}, {"MATCH_epcClass", "urn:epc:class:lgtin:4012345.011111.LOT-A"},
		{"EQ_readPoint", "urn:epc:id:sgln:4012345.00001.0"}, {"EQ_bizLocation", "https://id.gs1.org/414/4012345000016"}, {"EQ_source_owning_party", "urn:epc:id:pgln:4012345.00001"}}
	for _, q := range queries {
		if n := count(q[0], q[1]); n != 1 {
			t.Fatalf("before the backfill %s=%s finds %d events, want only the one spelled alike", q[0], q[1], n)
		}
	}
	for range 2 { // a second run changes nothing
		tx, err := db.Write.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sqldb.BackfillIdentity(ctx, tx, db.Dialect); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		for _, q := range queries {
			if n := count(q[0], q[1]); n != 2 {
				t.Errorf("after the backfill %s=%s finds %d events, want 2", q[0], q[1], n)
			}
		}
	}
}

// genealogySpellingsDoc commissions a lot of Pakistani origin spelled as an
// LGTIN URN, consumes it in a transformation that spells it as a Digital
// Link, and produces a lot spelled as an LGTIN URN.
const genealogySpellingsDoc = `{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
     "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.011111.ORE-1", "quantity": 100, "uom": "TNE"}],
     "bizLocation": {"id": "urn:epc:id:sgln:4012345.00001.0"},
     "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "urn:critmin:site:mine-a", "cm:moisture": 0}},
    {"type": "TransformationEvent", "eventTime": "2025-03-05T10:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
     "inputQuantityList": [{"epcClass": "https://id.gs1.org/01/04012345111118/10/ORE-1", "quantity": 100, "uom": "TNE"}],
     "outputQuantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.022222.OX-1", "quantity": 10, "uom": "TNE"}],
     "bizLocation": {"id": "https://id.gs1.org/414/4012345000016"},
     "ilmd": {"cm:commodity": "ndpr_oxide"}}
  ]}
}`

// testGenealogyAcrossSpellings: genealogy and origin follow a lot whichever
// spelling each event and the caller use.
func testGenealogyAcrossSpellings(t *testing.T, open Opener) {
	s := open(t)
	MustCapture(t, service(s), genealogySpellingsDoc)
	ctx := context.Background()
	// GTIN 0401234522222: 2·3+2+2·3+2+2·3+5+4·3+3+2·3+1+0+4+0 = 53 → check 7.
	const ore, oxide = "https://id.gs1.org/01/04012345111118/10/ORE-1", "https://id.gs1.org/01/04012345222227/10/OX-1"
	for _, id := range []string{oxide, "urn:epc:class:lgtin:4012345.022222.OX-1"} {
		l, err := s.FindLot(ctx, id)
		if err != nil || len(l.Parents) != 1 || l.Parents[0] != ore {
			t.Fatalf("lot %s: %v %+v, want parent %s", id, err, l, ore)
		}
		c, err := custody.Origin(ctx, s, id)
		if err != nil {
			t.Fatalf("origin of %s: %v", id, err)
		}
		if c.Lot != oxide || len(c.Mass.ByCountry) != 1 || c.Mass.ByCountry[0].Key != "PAK" || len(c.OriginLots) != 1 || c.OriginLots[0] != ore {
			t.Errorf("origin of %s: %+v", id, c)
		}
		tr, err := custody.TraceLot(ctx, s, id, custody.Backward, 3)
		if err != nil || tr.Lot != oxide || len(tr.Edges) != 1 {
			t.Errorf("trace of %s: %v %+v", id, err, tr)
		}
	}
}

// testRetractionAcrossSpellings: a declaration of an event that spelled a
// lot as a Digital Link rebuilds the one lot that both spellings name.
// The shipment carries the whole lot at its B/L weight: 19.95 kg ≥ 20 ×
// (1 − 0.005) = 19.9 kg (less would be a part, docs/identity.md "Parts
// moved").
func testRetractionAcrossSpellings(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	ev1 := `"eventID": "urn:t:id:E1", "type": "ObjectEvent", "eventTime": "2025-03-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
     "quantityList": [{"epcClass": "urn:epc:class:lgtin:4012345.011111.LOT-R", "quantity": 20, "uom": "KGM"}], "bizLocation": {"id": "urn:epc:id:sgln:4012345.00001.0"}`
	ev2 := `"eventID": "urn:t:id:E2", "type": "ObjectEvent", "eventTime": "2025-03-02T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
     "quantityList": [{"epcClass": "https://id.gs1.org/01/04012345111118/10/LOT-R", "quantity": 19.95, "uom": "KGM"}], "bizLocation": {"id": "https://id.gs1.org/414/4012345000016"}`
	doc := func(events ...string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
  "creationDate": "2025-01-01T00:00:00Z", "epcisBody": {"eventList": [{` + strings.Join(events, "}, {") + `}]}}`
	}
	MustCapture(t, svc, doc(ev1, ev2))
	const lot = "https://id.gs1.org/01/04012345111118/10/LOT-R"
	l, err := s.FindLot(ctx, "urn:epc:class:lgtin:4012345.011111.LOT-R")
	if err != nil || l.ID != lot || l.EventCount != 2 || l.Status != critmin.LotInTransit || l.Quantity != 19.95 {
		t.Fatalf("before the declaration: %v %+v", err, l)
	}
	MustCapture(t, svc, doc(ev2+`, "errorDeclaration": {"declarationTime": "2025-03-03T00:00:00Z", "reason": "incorrect_data"}`))
	l, err = s.FindLot(ctx, lot)
	if err != nil || l.EventCount != 1 || l.Status != critmin.LotInStock || l.Quantity != 20 {
		t.Errorf("after declaring the Digital Link event: %v %+v", err, l)
	}
	if _, total, _ := s.FindLots(ctx, critmin.LotFilter{Limit: 10}); total != 1 {
		t.Errorf("%d lots, want 1", total)
	}
}

// refreshDoc names keys whose canonical form changed with the GS1 Digital
// Link unification, each in two spellings: an SGTIN whose serial holds a
// dot (TDS 2.0 §14.5.2 allows '.' in a serial: "A.1" → /21/A.1), and a
// class-level GRAI pattern (idpat, TDS 2.0 §8.2, as a Digital Link without
// the serial, /8003/ with the GRAI's check digit and no serial).
const refreshDoc = `{
  "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-01-01T00:00:00Z",
  "epcisBody": {"eventList": [
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-00000000b001", "eventTime": "2025-03-03T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
     "epcList": ["urn:epc:id:sgtin:4012345.011111.A.1"],
     "quantityList": [{"epcClass": "urn:epc:idpat:grai:4012345.12345.*", "quantity": 5}],
     "readPoint": {"id": "urn:epc:id:sgln:4012345.00001.0"}},
    {"type": "ObjectEvent", "eventID": "urn:uuid:00000000-0000-4000-8000-00000000b002", "eventTime": "2025-03-04T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
     "epcList": ["https://id.gs1.org/01/04012345111118/21/A.1"],
     "quantityList": [{"epcClass": "https://id.gs1.org/8003/04012345123456", "quantity": 5}],
     "readPoint": {"id": "https://id.gs1.org/414/4012345000016"}}
  ]}
}`

// testIdentityRefreshMigration: a store made before the canonicalisation
// changed — its canonical columns hold the old forms — is fixed by
// migration 13 (sqldb.Migrate applies every unrecorded migration): the
// queries match every spelling again and verify's rebuild, which computes
// the canonical forms as capture does today, finds no difference.
func testIdentityRefreshMigration(t *testing.T, open Opener) {
	s := open(t)
	db, ok := s.(*sqldb.DB)
	if !ok {
		t.Fatalf("store %T is not a sqldb.DB", s)
	}
	if db.Migrations == nil {
		t.Fatal("the store does not carry its migrations")
	}
	MustCapture(t, service(s), refreshDoc)
	ctx := context.Background()
	// The old forms: the identifier as captured (the translation did not
	// know dotted serials or GRAI patterns), and, for a value that is not
	// a GS1 key in any form, a wrong one, so that every column is stale.
	for _, q := range []string{`UPDATE events SET read_point_canon = read_point`, `UPDATE event_epcs SET canon = epc`,
		`UPDATE event_quantities SET canon = epc_class`, `UPDATE event_attrs SET canon = 'stale:' || val WHERE kind NOT IN ('corrective', 'errorReason')`,
		`DELETE FROM schema_migrations WHERE version = 13`} {
		if _, err := db.Write.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	count := func(key, value string) int {
		f, err := epcis.ParseQuery(url.Values{key: {value}})
		if err != nil {
			t.Fatal(err)
		}
		page, err := s.FindEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Events)
	}
	queries := [][2]string{{"MATCH_epc", "https://id.gs1.org/01/04012345111118/21/A.1"}, {"MATCH_epc", "urn:epc:id:sgtin:4012345.011111.A.1"},
		{"MATCH_epcClass", "urn:epc:idpat:grai:4012345.12345.*"}, {"MATCH_epcClass", "https://id.gs1.org/8003/04012345123456"},
		{"EQ_readPoint", "urn:epc:id:sgln:4012345.00001.0"}}
	for _, q := range queries {
		if n := count(q[0], q[1]); n != 1 {
			t.Fatalf("with the old canonical forms %s=%s finds %d events, want only the one spelled alike", q[0], q[1], n)
		}
	}
	if d := rebuildDifference(t, db); d == nil {
		t.Fatal("verify found no difference in the stale canonical columns")
	}
	if err := sqldb.Migrate(ctx, db.Write, db.Dialect, db.Migrations); err != nil {
		t.Fatal(err)
	}
	var v int
	if err := db.Write.QueryRowContext(ctx, `SELECT version FROM schema_migrations WHERE version = 13`).Scan(&v); err != nil {
		t.Fatalf("migration 13 not recorded: %v", err)
	}
	for _, q := range queries {
		if n := count(q[0], q[1]); n != 2 {
			t.Errorf("after migration 13 %s=%s finds %d events, want 2", q[0], q[1], n)
		}
	}
	if d := rebuildDifference(t, db); d != nil {
		t.Errorf("after migration 13 verify finds %v", d)
	}
}

// rebuildDifference runs verify with the rebuild and returns the first
// derived row that differs; a broken chain fails the test.
func rebuildDifference(t *testing.T, db *sqldb.DB) *sqldb.Difference {
	t.Helper()
	rep := verifyFull(t, db, nil, true)
	if rep.Problem != nil {
		t.Fatalf("verify: %v", rep.Problem)
	}
	return rep.Difference
}
