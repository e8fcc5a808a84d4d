package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testBeforeMaker (issue 9, fixVv): a lot is made once, by its making
// event, and nothing can record or act on it before that event's
// eventTime — the mirror of a making event dated after an event that
// acted on the lot (LateMakerRefused, fixMm). Before, an event dated
// before the lot's stored making event was accepted 202 across
// documents, and the origin function, reading the commissioning first,
// passed a lot received at a Chinese mine before its "commissioning" at a
// Pakistani mine as 100 % Pakistan under dfars-covered-countries.
//
// Sites: pk, a mine in Pakistan; cn, a mine in China; cnw, a warehouse
// in China; usw, a warehouse in the United States. Lots are 10 t; dates
// are in 2025 (the clock reads 2025-11-01) unless said.
//
// Refused 409 at the event's eventTime, naming the lot, the maker and
// its time, nothing stored:
//   - s1: L1 commissioned at pk on 03-01 stating PAK; an ADD receiving
//     of L1 with a quantity at mine cn dated 02-01;
//   - s2: the same ADD at warehouse cnw;
//   - s3: L3 commissioned at usw on 03-01 stating PAK; an ADD at cn
//     dated 02-01 (the headline said "first recorded in United States");
//   - s4: L4 first recorded by a receiving ADD at usw stating PAK on
//     03-01 (its maker, a first sighting); a commissioning of L4 at pk
//     dated 01-01, then an ADD at cn dated 2024-12-01;
//   - every other kind dated 02-01 against L1: an observation, a
//     shipment, a packing (L1 a child), a run drawing on L1, a run
//     putting L1 out.
//
// Accepted: an observation of L1 at the maker's instant (03-01) and a
// receipt after it (03-05).
//
// Within one document the pair of s1 is refused, nothing stored: 400 at
// the commissioning's cm:originCountry (the receipt at mine cn is the
// lot's first record); at warehouse cnw, 409 at the commissioning's
// bizLocation (the ledger replays the document in eventTime).
func testBeforeMaker(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	svc.Now = func() time.Time { return time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC) }
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
	sites := scSite("cn", "mine", [2]string{scCode, "CN"}) + "," + scSite("pk", "mine", [2]string{scCountry, "PAK"}) + "," +
		scSite("cnw", "warehouse", [2]string{scCode, "CN"}) + "," + scSite("usw", "warehouse", [2]string{scCountry, "USA"})
	MustCapture(t, svc, bmDoc(sites,
		bmEv("c1", "ObjectEvent", "ADD", "commissioning", "2025-03-01", "pk", bmLot("L1", ""), bmFacts),
		bmEv("c3", "ObjectEvent", "ADD", "commissioning", "2025-03-01", "usw", bmLot("L3", ""), bmFacts),
		bmEv("r4", "ObjectEvent", "ADD", "receiving", "2025-03-01", "usw", bmLot("L4", ""), bmFacts),
		bmEv("cq", "ObjectEvent", "ADD", "commissioning", "2025-01-01", "pk", bmLot("Q", ""), bmFacts)))

	refused := []struct {
		name, event, maker, makerAt string
		body                        string
	}{
		{"s1: receipt at a Chinese mine before the commissioning", "a1", "c1", "2025-03-01T00:00:00Z",
			bmDoc("", bmEv("a1", "ObjectEvent", "ADD", "receiving", "2025-02-01", "cn", bmLot("L1", ""), ""))},
		{"s2: receipt at a Chinese warehouse before the commissioning", "a2", "c1", "2025-03-01T00:00:00Z",
			bmDoc("", bmEv("a2", "ObjectEvent", "ADD", "receiving", "2025-02-01", "cnw", bmLot("L1", ""), ""))},
		{"s3: receipt at a Chinese mine before a commissioning at a US warehouse", "a3", "c3", "2025-03-01T00:00:00Z",
			bmDoc("", bmEv("a3", "ObjectEvent", "ADD", "receiving", "2025-02-01", "cn", bmLot("L3", ""), ""))},
		{"s4: commissioning before the first-sighting receipt", "c4", "r4", "2025-03-01T00:00:00Z",
			bmDoc("", bmEv("c4", "ObjectEvent", "ADD", "commissioning", "2025-01-01", "pk", bmLot("L4", ""), ""))},
		{"s4: receipt at a Chinese mine before the first-sighting receipt", "a4", "r4", "2025-03-01T00:00:00Z",
			bmDoc("", bmEv("a4", "ObjectEvent", "ADD", "receiving", "2024-12-01", "cn", bmLot("L4", ""), ""))},
		{"observation", "o1", "c1", "2025-03-01T00:00:00Z",
			bmDoc("", bmEv("o1", "ObjectEvent", "OBSERVE", "inspecting", "2025-02-01", "pk", bmLot("L1", ""), ""))},
		{"shipment", "sh1", "c1", "2025-03-01T00:00:00Z",
			bmDoc("", bmEv("sh1", "ObjectEvent", "OBSERVE", "shipping", "2025-02-01", "pk", bmLot("L1", ""), ""))},
		{"packing", "p1", "c1", "2025-03-01T00:00:00Z",
			bmDoc("", `{"type": "AggregationEvent", "eventID": "urn:t:bm:p1", "eventTime": "2025-02-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
			 "parentID": "urn:epc:id:sscc:0614141.1234567890", "childQuantityList": [{"epcClass": "urn:t:lot:BML1", "quantity": 10, "uom": "TNE"}],
			 "readPoint": {"id": "urn:t:site:pk"}, "bizLocation": {"id": "urn:t:site:pk"}}`)},
		{"run drawing on the lot", "run1", "c1", "2025-03-01T00:00:00Z",
			bmDoc("", bmRun("run1", "2025-02-01", "L1", "P1"))},
	}
	for _, c := range refused {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(c.body)})
		fs := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.ECONFLICT || len(fs) != 1 || !strings.HasSuffix(fs[0].Pointer, "/eventTime") {
			t.Errorf("%s: capture %v %+v, want one 409 field at event %s's eventTime", c.name, err, fs, c.event)
		} else {
			wants := []string{"urn:t:lot:BM", "urn:t:bm:" + c.event + ",", "event urn:t:bm:" + c.maker + ", at " + c.makerAt, "date the event after " + c.makerAt, "declare the maker urn:t:bm:" + c.maker + " in error first"}
			if !strings.HasPrefix(c.name, "s1") && !strings.HasPrefix(c.name, "s2") && !strings.HasPrefix(c.name, "s3") && !strings.HasPrefix(c.name, "s4") {
				// An event that makes no lot keeps checkLotExists' words.
				wants = []string{"urn:t:lot:BM", "is before lot", c.makerAt}
			}
			for _, w := range wants {
				if !strings.Contains(fs[0].Reason, w) {
					t.Errorf("%s: %q does not name %q", c.name, fs[0].Reason, w)
				}
			}
		}
		if got, err := s.FindEventsByID(ctx, "urn:t:bm:"+c.event); len(got) > 0 || critmin.ErrorCode(err) != critmin.ENOTFOUND && err != nil {
			t.Errorf("%s: refused capture stored event %s (%v)", c.name, c.event, err)
		}
	}

	// Within one document the pair is refused as before, nothing stored:
	// at a Chinese mine, 400 at the commissioning's cm:originCountry (the
	// receipt is the lot's first record, fixUu); at a Chinese warehouse,
	// 409 at the commissioning's bizLocation (the ledger replays the
	// document in eventTime and finds the lot at cnw).
	for _, c := range []struct{ lot, site, code, field string }{
		{"D", "cn", critmin.EINVALID, "/ilmd/cm:originCountry"},
		{"E", "cnw", critmin.ECONFLICT, "/bizLocation"},
	} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(bmDoc("",
			bmEv("d1"+c.lot, "ObjectEvent", "ADD", "commissioning", "2025-03-01", "pk", bmLot(c.lot, ""), bmFacts),
			bmEv("d2"+c.lot, "ObjectEvent", "ADD", "receiving", "2025-02-01", c.site, bmLot(c.lot, ""), "")))})
		if fs := critmin.ErrorFields(err); critmin.ErrorCode(err) != c.code || len(fs) == 0 || !strings.HasSuffix(fs[0].Pointer, c.field) {
			t.Errorf("one document at %s: capture %v, want %s at %s", c.site, err, c.code, c.field)
		}
		if _, err := s.FindLot(ctx, "urn:t:lot:BM"+c.lot); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("one document at %s: refused capture stored lot %s (%v)", c.site, c.lot, err)
		}
	}

	// At the maker's instant, or after it, the lot exists. Its receipt
	// at usw ends a trip: L1 stands at pk, so its shipping from pk is
	// recorded first (a receiving with no bill of lading of a lot
	// standing elsewhere moves nothing, fixQl).
	MustCapture(t, svc, bmDoc("",
		bmEv("o2", "ObjectEvent", "OBSERVE", "inspecting", "2025-03-01", "pk", bmLot("L1", ""), ""),
		bmEv("s5", "ObjectEvent", "OBSERVE", "shipping", "2025-03-03", "pk", bmLot("L1", ""), ""),
		bmEv("a5", "ObjectEvent", "ADD", "receiving", "2025-03-05", "usw", bmLot("L1", ""), "")))

	// L1 stays Pakistan; dfars-covered-countries passes on what was
	// kept (a 10 t commissioning at a Pakistani mine stating PAK).
	o, err := custody.OriginOf(ctx, s, "urn:t:lot:BML1", false)
	if err != nil {
		t.Fatal(err)
	}
	if o.Country() != "PAK" || slices.Contains(o.Headline().Flags, "origin_conflict") {
		t.Errorf("L1: country %q flags %v, want PAK without origin_conflict", o.Country(), o.Headline().Flags)
	}
}

// testBeforeMakerStored (fixVv): a record that already holds an event
// dated before the lot's making event — written before capture refused
// it (here through a service without the custody check) — never passes
// a covered-country rule: the origin function reads the lot's earliest
// record, and flags origin_conflict, so its origin is unknown and
// dfars-covered-countries fails. Before, each lot below read 100 %
// Pakistan and passed.
//
//   - M1: commissioned at mine pk on 03-01 stating PAK; received at mine
//     cn on 02-01;
//   - M2: the same receipt at warehouse cnw;
//   - M3: commissioned at warehouse usw on 03-01 stating PAK; received
//     at mine cn on 02-01;
//   - M4: received at usw stating PAK on 03-01; commissioned, stating
//     nothing, at pk on 01-01; received at cn on 2024-12-01. Declaring
//     the commissioning in error is accepted (before: 409, the operator
//     could not correct it), and M4 still reads origin_conflict.
func testBeforeMakerStored(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	raw := service(s)
	raw.Now = func() time.Time { return time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC) }
	sites := scSite("cn", "mine", [2]string{scCode, "CN"}) + "," + scSite("pk", "mine", [2]string{scCountry, "PAK"}) + "," +
		scSite("cnw", "warehouse", [2]string{scCode, "CN"}) + "," + scSite("usw", "warehouse", [2]string{scCountry, "USA"})
	MustCapture(t, raw, bmDoc(sites,
		bmEv("m1", "ObjectEvent", "ADD", "commissioning", "2025-03-01", "pk", bmLot("M1", ""), bmFacts),
		bmEv("m2", "ObjectEvent", "ADD", "commissioning", "2025-03-01", "pk", bmLot("M2", ""), bmFacts),
		bmEv("m3", "ObjectEvent", "ADD", "commissioning", "2025-03-01", "usw", bmLot("M3", ""), bmFacts),
		bmEv("m4", "ObjectEvent", "ADD", "receiving", "2025-03-01", "usw", bmLot("M4", ""), bmFacts)))
	MustCapture(t, raw, bmDoc("", bmEv("m1a", "ObjectEvent", "ADD", "receiving", "2025-02-01", "cn", bmLot("M1", ""), "")))
	MustCapture(t, raw, bmDoc("", bmEv("m2a", "ObjectEvent", "ADD", "receiving", "2025-02-01", "cnw", bmLot("M2", ""), "")))
	MustCapture(t, raw, bmDoc("", bmEv("m3a", "ObjectEvent", "ADD", "receiving", "2025-02-01", "cn", bmLot("M3", ""), "")))
	MustCapture(t, raw, bmDoc("", bmEv("m4c", "ObjectEvent", "ADD", "commissioning", "2025-01-01", "pk", bmLot("M4", ""), "")))
	MustCapture(t, raw, bmDoc("", bmEv("m4a", "ObjectEvent", "ADD", "receiving", "2024-12-01", "cn", bmLot("M4", ""), "")))

	check := func(lot string) {
		t.Helper()
		id := "urn:t:lot:BM" + lot
		o, err := custody.OriginOf(ctx, s, id, false)
		if err != nil {
			t.Fatal(err)
		}
		if o.Country() == "PAK" || !slices.Contains(o.Headline().Flags, "origin_conflict") {
			t.Errorf("%s: country %q flags %v, want no PAK and origin_conflict", lot, o.Country(), o.Headline().Flags)
		}
		vs, err := custody.Evaluate(ctx, s.(custody.RuleStore), id, custody.DefaultPack())
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vs {
			if v.Rule == "dfars-covered-countries" && v.Status == custody.Pass {
				t.Errorf("%s: dfars-covered-countries passes (%s)", lot, v.Detail)
			}
		}
	}
	for _, lot := range []string{"M1", "M2", "M3", "M4"} {
		check(lot)
	}

	// The operator corrects M4 under the custody check: declaring the
	// back-dated commissioning in error is accepted.
	svc := service(s)
	svc.Now = raw.Now
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
	MustCapture(t, svc, bmDoc("", strings.TrimSuffix(bmEv("m4c", "ObjectEvent", "ADD", "commissioning", "2025-01-01", "pk", bmLot("M4", ""), ""), "}")+
		`, "errorDeclaration": {"declarationTime": "2025-10-01T00:00:00Z", "reason": "did_not_occur"}}`))
	check("M4")
}

// bmFacts is the ILMD of a commissioning stating PAK: REE concentrate,
// dry, 4 % Nd.
const bmFacts = `"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:originCountry": "PAK", "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]`

// bmDoc is an EPCIS document of evs, with BusinessLocation master data
// master when not "".
func bmDoc(master string, evs ...string) string {
	head := ""
	if master != "" {
		head = `"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` + master + `]}]}},`
	}
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z", ` +
		head + ` "epcisBody": {"eventList": [` + strings.Join(evs, ",") + `]}}`
}

// bmLot is a 10 t quantity line of lot urn:t:lot:BM<lot> (list key
// "quantityList" unless key is given).
func bmLot(lot, key string) string {
	if key == "" {
		key = "quantityList"
	}
	return `"` + key + `": [{"epcClass": "urn:t:lot:BM` + lot + `", "quantity": 10, "uom": "TNE"}]`
}

// bmEv is an event urn:t:bm:<id> of type typ, action and bizStep step on
// day (YYYY-MM-DD) at site, with lines and ILMD ilmd (none when "").
func bmEv(id, typ, action, step, day, site, lines, ilmd string) string {
	ev := `{"type": "` + typ + `", "eventID": "urn:t:bm:` + id + `", "eventTime": "` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "` + action + `", "bizStep": "` + step + `", ` +
		lines + `, "readPoint": {"id": "urn:t:site:` + site + `"}, "bizLocation": {"id": "urn:t:site:` + site + `"}`
	if ilmd != "" {
		ev += `, "ilmd": {` + ilmd + `}`
	}
	return ev + `}`
}

// bmRun is a run at pk on day taking 10 t of lot in and putting 3 t of
// lot out out.
func bmRun(id, day, in, out string) string {
	return `{"type": "TransformationEvent", "eventID": "urn:t:bm:` + id + `", "eventTime": "` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:BM` + in + `", "quantity": 10, "uom": "TNE"}],
	 "outputQuantityList": [{"epcClass": "urn:t:lot:BM` + out + `", "quantity": 3, "uom": "TNE"}],
	 "readPoint": {"id": "urn:t:site:pk"}, "bizLocation": {"id": "urn:t:site:pk"}}`
}
