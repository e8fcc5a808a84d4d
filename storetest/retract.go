package storetest

import (
	"context"
	"math"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/risk"
	"github.com/critmin/critmin/sqldb"
)

// retractDoc wraps events in a capture document with the mineral namespace
// and the countries of the scenario's sites.
func retractDoc(events ...string) string {
	site := func(id, iso string) string {
		return `{"id": "urn:t:site:` + id + `", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/country", "attribute": "` + iso + `"}]}`
	}
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` +
		site("mine-a", "PAK") + `,` + site("mine-b", "CHN") + `,` + site("refinery", "PAK") + `,` + site("pkkhi", "PAK") + `,` + site("pkbqm", "PAK") + `]}]}},
 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
}

// Events of the retraction scenario. Lot S is shipped by mistake (ev:S2,
// declared incorrect_data, corrected by ev:S2c); lots A (PAK, 100 t) and B
// (CHN, 50 t) are wrongly recorded as blended into C (ev:T1, corrected by
// ev:T1c: A alone made C, 90 t); lot D was never commissioned (ev:D1,
// did_not_occur); lot X's event ev:X1 is declared before it arrives.
const (
	evS1 = `{"type": "ObjectEvent", "eventID": "urn:t:ev:S1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-a"},
  "destinationList": [{"type": "owning_party", "destination": "urn:t:party:fwo"}, {"type": "possessing_party", "destination": "urn:t:party:fwo"}],
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`
	evS2body = `"eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"},
  "destinationList": [{"type": "owning_party", "destination": "urn:t:party:buyer"}, {"type": "possessing_party", "destination": "urn:t:party:carrier-1"}]`
	evS2  = `{"type": "ObjectEvent", "eventID": "urn:t:ev:S2", ` + evS2body + `}`
	declS = `{"type": "ObjectEvent", "eventID": "urn:t:ev:S2", ` + evS2body + `,
  "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "https://ref.gs1.org/cbv/ER-incorrect_data", "correctiveEventIDs": ["urn:t:ev:S2c"]}}`
	evS2c = `{"type": "ObjectEvent", "eventID": "urn:t:ev:S2c", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkbqm"},
  "destinationList": [{"type": "possessing_party", "destination": "urn:t:party:carrier-2"}]}`
	evA = `{"type": "ObjectEvent", "eventID": "urn:t:ev:A", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-a"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
	evB = `{"type": "ObjectEvent", "eventID": "urn:t:ev:B", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:B", "quantity": 50, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-b"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "CHN", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
	evT1body = `"type": "TransformationEvent", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:xform:1",
  "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}, {"epcClass": "urn:t:lot:B", "quantity": 50, "uom": "TNE"}],
  "outputQuantityList": [{"epcClass": "urn:t:lot:C", "quantity": 140, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:refinery"},
  "ilmd": {"cm:commodity": "ree_concentrate"}`
	evT1  = `{"eventID": "urn:t:ev:T1", ` + evT1body + `}`
	declT = `{"eventID": "urn:t:ev:T1", ` + evT1body + `,
  "errorDeclaration": {"declarationTime": "2025-10-11T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:t:ev:T1c"]}}`
	evT1c = `{"type": "TransformationEvent", "eventID": "urn:t:ev:T1c", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:xform:1",
  "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 100, "uom": "TNE"}],
  "outputQuantityList": [{"epcClass": "urn:t:lot:C", "quantity": 90, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:refinery"},
  "ilmd": {"cm:commodity": "ree_concentrate"}}`
	evDbody = `"type": "ObjectEvent", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:D", "quantity": 30, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine-b"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "CHN", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}`
	evD     = `{"eventID": "urn:t:ev:D1", ` + evDbody + `}`
	declD   = `{"eventID": "urn:t:ev:D1", ` + evDbody + `, "errorDeclaration": {"declarationTime": "2025-10-03T00:00:00Z", "reason": "did_not_occur"}}`
	evXbody = `"type": "ObjectEvent", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:X", "quantity": 5, "uom": "TNE"}], "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}`
	evX   = `{"eventID": "urn:t:ev:X1", ` + evXbody + `}`
	declX = `{"eventID": "urn:t:ev:X1", ` + evXbody + `, "errorDeclaration": {"declarationTime": "2025-10-03T00:00:00Z", "reason": "did_not_occur"}}`
)

func mustLot(t *testing.T, s critmin.Store, id string) *critmin.Lot {
	t.Helper()
	l, err := s.FindLot(context.Background(), id)
	if err != nil {
		t.Fatalf("lot %s: %v", id, err)
	}
	return l
}

func countryShares(t *testing.T, s critmin.Store, lot string) map[string]float64 {
	t.Helper()
	c, err := custody.Origin(context.Background(), s, lot)
	if err != nil {
		t.Fatalf("origin of %s: %v", lot, err)
	}
	out := map[string]float64{}
	for _, sh := range c.Mass.ByCountry {
		out[sh.Key] = math.Round(sh.Share*1e9) / 1e9
	}
	return out
}

func dfars(t *testing.T, s critmin.Store, lot string) string {
	t.Helper()
	vs, err := custody.Evaluate(context.Background(), s, lot, custody.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if v.Rule == "dfars-covered-countries" {
			return v.Status
		}
	}
	t.Fatal("no DFARS verdict")
	return ""
}

func query(t *testing.T, s critmin.Store, params string) []string {
	t.Helper()
	q, _ := url.ParseQuery(params)
	f, err := epcis.ParseQuery(q)
	if err != nil {
		t.Fatalf("%s: %v", params, err)
	}
	page, err := s.FindEvents(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range page.Events {
		tag := ev.EventID
		if ev.ErrorDeclaration != nil {
			tag += " (declaration)"
		}
		out = append(out, tag)
	}
	sort.Strings(out)
	return out
}

// testRetraction checks every projection and job after error declarations
// (EPCIS 2.0 §7.4.1.2) arriving after the fact, with their corrective
// events: lot status, location, custodian, owner, moves, genealogy,
// origin shares, rule verdicts, the lots the planner and the risk view's
// ledger sourcing read, and the declaration query parameters.
func testRetraction(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	MustCapture(t, svc, retractDoc(evS1, evS2, evA, evB, evT1, evD))

	// Before: S shipped to Karachi by carrier-1 for the buyer; C blended
	// from A 100 t (PAK) and B 50 t (CHN): PAK 100/150, CHN 50/150.
	if l := mustLot(t, s, "urn:t:lot:S"); l.Status != critmin.LotInTransit || l.Location != "urn:t:site:pkkhi" || l.Custodian != "urn:t:party:carrier-1" || l.Owner != "urn:t:party:buyer" {
		t.Fatalf("before: S %s at %s held by %s owned by %s", l.Status, l.Location, l.Custodian, l.Owner)
	}
	if got := countryShares(t, s, "urn:t:lot:C"); !reflect.DeepEqual(got, map[string]float64{"PAK": math.Round(2.0/3*1e9) / 1e9, "CHN": math.Round(1.0/3*1e9) / 1e9}) {
		t.Fatalf("before: C origin %v", got)
	}
	if v := dfars(t, s, "urn:t:lot:C"); v != custody.Fail {
		t.Fatalf("before: DFARS on C %s, want fail (CHN input)", v)
	}

	// The declarations, without their corrective events yet.
	MustCapture(t, svc, retractDoc(declS, declT, declD))

	// S: back to what its commissioning said.
	l := mustLot(t, s, "urn:t:lot:S")
	if l.Status != critmin.LotInStock || l.Location != "urn:t:site:mine-a" || l.Custodian != "urn:t:party:fwo" || l.Owner != "urn:t:party:fwo" || l.EventCount != 1 {
		t.Errorf("after declaration: S %s at %s held by %s owned by %s, %d events; want in_stock at mine-a, fwo, fwo, 1",
			l.Status, l.Location, l.Custodian, l.Owner, l.EventCount)
	}
	// B was never consumed; A neither, until the corrective transformation.
	if b := mustLot(t, s, "urn:t:lot:B"); b.Status != critmin.LotInStock || len(b.Children) != 0 {
		t.Errorf("after declaration: B %s, children %v; want in_stock, none", b.Status, b.Children)
	}
	// C had only the declared transformation: no live event names it.
	for _, gone := range []string{"urn:t:lot:C", "urn:t:lot:D"} {
		if _, err := s.FindLot(ctx, gone); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("after declaration: lot %s still listed (%v)", gone, err)
		}
	}
	if edges, _ := s.LotEdges(ctx, []string{"urn:t:lot:C"}, true); len(edges) != 0 {
		t.Errorf("after declaration: genealogy still has %v", edges)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Flows) != 0 {
		t.Errorf("after declaration: flows %+v; the only move was declared in error", st.Flows)
	}

	// The corrective events.
	MustCapture(t, svc, retractDoc(evS2c, evT1c))
	l = mustLot(t, s, "urn:t:lot:S")
	if l.Status != critmin.LotInTransit || l.Location != "urn:t:site:pkbqm" || l.Custodian != "urn:t:party:carrier-2" || l.Owner != "urn:t:party:fwo" {
		t.Errorf("after correction: S %s at %s held by %s owned by %s; want in_transit at pkbqm, carrier-2, owner fwo", l.Status, l.Location, l.Custodian, l.Owner)
	}
	st, _ = s.Stats(ctx)
	// S moved mine-a → pkbqm (20 t); A went mine-a → refinery (100 t) in
	// the corrective run. Nothing goes to Karachi any more.
	var flows []string
	for _, f := range st.Flows {
		flows = append(flows, f.From+" → "+f.To+" "+strconv.FormatFloat(f.Tonnes, 'f', -1, 64))
	}
	sort.Strings(flows)
	if want := []string{"urn:t:site:mine-a → urn:t:site:pkbqm 20", "urn:t:site:mine-a → urn:t:site:refinery 100"}; !reflect.DeepEqual(flows, want) {
		t.Errorf("after correction: flows %v; want %v", flows, want)
	}
	c := mustLot(t, s, "urn:t:lot:C")
	if !reflect.DeepEqual(c.Parents, []string{"urn:t:lot:A"}) || math.Abs(c.WetTonnes-90) > tol {
		t.Errorf("after correction: C parents %v, %v t; want A only, 90 t", c.Parents, c.WetTonnes)
	}
	if edges, _ := s.LotEdges(ctx, []string{"urn:t:lot:C"}, true); len(edges) != 1 || edges[0].Parent != "urn:t:lot:A" || edges[0].EventID != "urn:t:ev:T1c" {
		t.Errorf("after correction: edges into C %+v; want A by T1c", edges)
	}
	if b := mustLot(t, s, "urn:t:lot:B"); b.Status != critmin.LotInStock {
		t.Errorf("after correction: B %s; the corrective run did not use it", b.Status)
	}
	if a := mustLot(t, s, "urn:t:lot:A"); a.Status != critmin.LotConsumed {
		t.Errorf("after correction: A %s, want consumed", a.Status)
	}
	// C is all Pakistani now, and passes DFARS.
	if got := countryShares(t, s, "urn:t:lot:C"); !reflect.DeepEqual(got, map[string]float64{"PAK": 1}) {
		t.Errorf("after correction: C origin %v, want PAK 1", got)
	}
	if v := dfars(t, s, "urn:t:lot:C"); v != custody.Pass {
		t.Errorf("after correction: DFARS on C %s, want pass", v)
	}

	// The planner's ledger supplies and the risk view's ledger sourcing
	// read the lot list and the one origin function: D (30 t CHN at 4 %
	// Nd, never commissioned) is not in it. ree_concentrate lots of
	// 2025-10, in contained Nd: A 100 t × 4 % = 4 t PAK (consumed, still a
	// lot of that month), B 50 t × 4 % = 2 t CHN, C produced without an
	// assay of its own (grade not measured, counted apart) → PAK 4/6,
	// CHN 2/6; with D it would be CHN 3.2/7.2.
	lots, _, err := s.FindLots(ctx, critmin.LotFilter{Commodity: "ree_concentrate", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range lots {
		ids = append(ids, l.ID)
	}
	sort.Strings(ids)
	if !reflect.DeepEqual(ids, []string{"urn:t:lot:A", "urn:t:lot:B", "urn:t:lot:C"}) {
		t.Errorf("ree_concentrate lots %v; want A, B, C", ids)
	}
	ll, err := risk.LedgerLotsOf(ctx, s, lots)
	if err != nil {
		t.Fatal(err)
	}
	src := risk.LedgerSourcingOf(ll)
	if len(src) != 1 || src[0].Element != "Nd" || math.Abs(src[0].ElementTonnes-6) > tol || src[0].Unknown != 0 || src[0].Lots != 2 || src[0].NotMeasured != 1 {
		t.Fatalf("ledger sourcing %+v; want one month of 6 t Nd with origin, 2 lots, 1 not measured", src)
	}
	for _, sh := range src[0].Shares {
		want := map[string]float64{"PAK": 4.0 / 6, "CHN": 2.0 / 6}[sh.ISO3]
		if math.Abs(sh.Share-want) > tol {
			t.Errorf("ledger sourcing %s share %v, want %v", sh.ISO3, sh.Share, want)
		}
	}

	// GET by eventID shows the declaration on the declared event.
	evs, err := s.FindEventsByID(ctx, "urn:t:ev:S2")
	if err != nil {
		t.Fatal(err)
	}
	d := evs[0].DeclaredInError
	if len(evs) != 2 || d == nil || d.Reason != "incorrect_data" || !reflect.DeepEqual(d.CorrectiveEventIDs, []string{"urn:t:ev:S2c"}) || d.DeclarationTime.Format("2006-01-02") != "2025-10-06" {
		t.Fatalf("S2 records %d, declared %+v", len(evs), d)
	}
	body, err := epcis.EventWithContext(evs[0])
	if err != nil || !strings.Contains(string(body), `"errorDeclaration"`) || !strings.Contains(string(body), "urn:t:ev:S2c") {
		t.Errorf("event document lacks its declaration: %s (%v)", body, err)
	}

	// The declaration query parameters (EPCIS 2.0 §8.2.7.1).
	for params, want := range map[string][]string{
		"EXISTS_errorDeclaration=true":                            {"urn:t:ev:D1 (declaration)", "urn:t:ev:S2 (declaration)", "urn:t:ev:T1 (declaration)"},
		"EQ_errorReason=incorrect_data":                           {"urn:t:ev:S2 (declaration)", "urn:t:ev:T1 (declaration)"},
		"EQ_errorReason=https://ref.gs1.org/cbv/ER-did_not_occur": {"urn:t:ev:D1 (declaration)"},
		"EQ_correctiveEventID=urn:t:ev:T1c":                       {"urn:t:ev:T1 (declaration)"},
		"EQ_correctiveEventID=urn:t:ev:S2c|urn:t:ev:none":         {"urn:t:ev:S2 (declaration)"},
		"EQ_eventID=urn:t:ev:T1":                                  {"urn:t:ev:T1", "urn:t:ev:T1 (declaration)"},
		// false, as the OpenAPI binding's boolean, is as if left out.
		"EQ_eventID=urn:t:ev:T1&EXISTS_errorDeclaration=false":            {"urn:t:ev:T1", "urn:t:ev:T1 (declaration)"},
		"EQ_errorReason=incorrect_data&EQ_correctiveEventID=urn:t:ev:T1c": {"urn:t:ev:T1 (declaration)"},
	} {
		if got := query(t, s, params); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %v, want %v", params, got, want)
		}
	}

	// A declaration that arrives before its event: the event, when it
	// comes, never counts.
	MustCapture(t, svc, retractDoc(declX))
	MustCapture(t, svc, retractDoc(evX))
	if _, err := s.FindLot(ctx, "urn:t:lot:X"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("lot X of an event declared in error beforehand is listed (%v)", err)
	}
	if evs, err := s.FindEventsByID(ctx, "urn:t:ev:X1"); err != nil || len(evs) != 2 || evs[1].DeclaredInError == nil {
		t.Errorf("X1 records: %v", err)
	}
}

// testRetractionBackfill: a store whose declaration was captured before
// retractions were honoured (its lot still shows the declared shipment and
// its move) is corrected once by ApplyStoredDeclarations, as migration
// 0004 arranges at the next start.
func testRetractionBackfill(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	MustCapture(t, service(s), retractDoc(evS1, evS2, declS))
	// The projection as an older critmin left it.
	tamperAsOlder(t, s, `UPDATE lots SET status = 'in_transit', location = 'urn:t:site:pkkhi', custodian = 'urn:t:party:carrier-1', event_count = 2 WHERE id = 'urn:t:lot:S'`,
		`INSERT INTO lot_moves (lot, from_loc, to_loc, tonnes, event_id) VALUES ('urn:t:lot:S', 'urn:t:site:mine-a', 'urn:t:site:pkkhi', 20, 'urn:t:ev:S2')`,
		`INSERT INTO retraction_backfill (pending) VALUES (1)`)
	db := s.(*sqldb.DB)
	if err := db.ApplyStoredDeclarations(ctx); err != nil {
		t.Fatal(err)
	}
	l := mustLot(t, s, "urn:t:lot:S")
	if l.Status != critmin.LotInStock || l.Location != "urn:t:site:mine-a" || l.Custodian != "urn:t:party:fwo" || l.EventCount != 1 {
		t.Errorf("after backfill: S %s at %s held by %s, %d events", l.Status, l.Location, l.Custodian, l.EventCount)
	}
	if st, _ := s.Stats(ctx); len(st.Flows) != 0 {
		t.Errorf("after backfill: flows %+v", st.Flows)
	}
	// Done once: a second start changes nothing, even if the row is edited.
	tamperAsOlder(t, s, `UPDATE lots SET status = 'consumed' WHERE id = 'urn:t:lot:S'`)
	if err := db.ApplyStoredDeclarations(ctx); err != nil {
		t.Fatal(err)
	}
	if l := mustLot(t, s, "urn:t:lot:S"); l.Status != critmin.LotConsumed {
		t.Errorf("backfill ran twice: status %s", l.Status)
	}
}

// testRetractionShipmentAcrossSpellings: a lot commissioned under its EPC
// class URN and shipped under its Digital Link URI is one lot; declaring
// the shipment in error rebuilds that one lot, its status and location.
func testRetractionShipmentAcrossSpellings(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	const urn, dl = "urn:epc:class:lgtin:4012345.011111.LOT-R", "https://id.gs1.org/01/04012345111118/10/LOT-R"
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:R1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "` + urn + `", "quantity": 8, "uom": "TNE"}], "bizLocation": {"id": "urn:epc:id:sgln:4012345.00001.0"}, "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`
	shipBody := `"eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "` + dl + `", "quantity": 8, "uom": "TNE"}], "bizLocation": {"id": "https://id.gs1.org/414/4012345000023"}`
	MustCapture(t, svc, retractDoc(commission, `{"type": "ObjectEvent", "eventID": "urn:t:ev:R2", `+shipBody+`}`))
	if l := mustLot(t, s, urn); l.Status != critmin.LotInTransit || l.EventCount != 2 {
		t.Fatalf("before: %s, %d events; want in_transit, 2 (one lot for both spellings)", l.Status, l.EventCount)
	}
	MustCapture(t, svc, retractDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:R2", `+shipBody+`, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "did_not_occur"}}`))
	for _, spelling := range []string{urn, dl} {
		l := mustLot(t, s, spelling)
		if l.Status != critmin.LotInStock || l.EventCount != 1 || !strings.Contains(l.Location, "4012345") || strings.Contains(l.Location, "00002") || strings.Contains(l.Location, "4012345000023") {
			t.Errorf("after declaration, as %s: %s at %s, %d events; want in_stock at the commissioning site, 1 event", spelling, l.Status, l.Location, l.EventCount)
		}
	}
	lots, total, err := s.FindLots(context.Background(), critmin.LotFilter{Commodity: "antimony_ore", Limit: 10})
	if err != nil || total != 1 || len(lots) != 1 {
		t.Errorf("antimony lots: %d (%v); want the one lot", total, err)
	}
}
