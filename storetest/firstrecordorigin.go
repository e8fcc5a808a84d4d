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

// testFirstRecordOrigin (issue 9 §2, fixUu): a stated origin that the
// lot's first record contradicts is refused at capture in either order,
// not only where the stating event itself stands at a mine (fixKk). The
// place the platform reads as where a stated lot was mined is the site
// of its first record — its commissioning ADD, else its first ADD with a
// quantity (custody.firstRecordEvent, docs/origin.md "A stated origin
// is never trusted against the commissioning site") — when master data
// types it a mine. Before, each refused case below was accepted 202 and
// the lot only flagged origin_conflict (origin unknown).
//
// Sites: cn, a mine in China (countryCode CN); pk, a mine in Pakistan
// (cm:country PAK); cnw, a warehouse in China; pkw, a warehouse in
// Pakistan. Lots are 10 t. A first record carries no ILMD (so a later
// ADD may give the lot its identity: ledger checkCommissioning); the
// stating event is an ADD "receiving" at pkw whose ILMD gives the
// commodity, an Nd assay and the origin (the event's own place is no
// mine, so fixKk's check passes it).
//
// Refused 409 (the record holds the other event; nothing stored):
//   - a: A first recorded (commissioning, no ILMD) at mine cn; then
//     cm:originCountry PAK;
//   - a2: B first recorded by an ADD "receiving" with a quantity at mine
//     cn (no commissioning); then cm:originCountry PAK;
//   - d: D commissioned at cn; then cm:originMine pk (Pakistan);
//   - b: E stated PAK by the receiving ADD at pkw (its first record,
//     dated 10-05); then a commissioning of E at mine cn dated 10-01
//     would become its first record: refused at its eventTime, as any
//     event dated before the lot's stored maker is (fixVv, BeforeMaker;
//     before fixVv, at its readPoint by this check).
//
// Refused 400 within one document, at the stating event's field, in
// either order of the events: C1 (commissioning at cn, then the
// statement) and C2 (the statement listed first).
//
// A, B, D, K, N and L are each shipped on 10-03 from where they were
// first recorded: their later receiving at pkw (no bill of lading) ends
// that trip, not a move from a site where they stand (fixQl).
//
// Accepted: N first recorded at warehouse cnw, then stated PAK (nothing
// is mined at a warehouse: commissioning_country_differs); K at mine pk,
// then stated PAK; L first recorded at site late of no master data, then
// stated PAK — master data typing late a Chinese mine arrives after both
// (capture cannot refuse what is stored): L is flagged origin_conflict.
func testFirstRecordOrigin(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	svc.Now = func() time.Time { return time.Date(2025, 11, 1, 8, 0, 0, 0, time.UTC) }
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
	sites := scSite("cn", "mine", [2]string{scCode, "CN"}) + "," + scSite("pk", "mine", [2]string{scCountry, "PAK"}) + "," +
		scSite("cnw", "warehouse", [2]string{scCode, "CN"}) + "," + scSite("pkw", "warehouse", [2]string{scCountry, "PAK"})
	doc := func(master string, evs ...string) string {
		head := ""
		if master != "" {
			head = `"epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [` + master + `]}]}},`
		}
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z", ` +
			head + ` "epcisBody": {"eventList": [` + strings.Join(evs, ",") + `]}}`
	}
	// add is an ObjectEvent ADD of 10 t of lot at site on day (October
	// 2025) with bizStep step and, when ilmd is not "", that ILMD.
	add := func(id, lot, site, step string, day int, ilmd string) string {
		ev := `{"type": "ObjectEvent", "eventID": "urn:t:fr:` + id + `", "eventTime": "2025-10-0` + string(rune('0'+day)) + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "` + step + `",
		 "quantityList": [{"epcClass": "urn:t:lot:FR` + lot + `", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:` + site + `"}, "bizLocation": {"id": "urn:t:site:` + site + `"}`
		if ilmd != "" {
			ev += `, "ilmd": {` + ilmd + `}`
		}
		return ev + `}`
	}
	// ship is a shipping (ObjectEvent OBSERVE, in_transit) of 10 t of
	// lot from site on day: a receipt at pkw ends its trip (a receiving
	// with no bill of lading of a lot standing elsewhere and on no trip
	// is refused, fixQl).
	ship := func(id, lot, site string, day int) string {
		return strings.Replace(strings.Replace(add(id, lot, site, "shipping", day, ""), `"action": "ADD"`, `"action": "OBSERVE"`, 1), `"bizStep": "shipping",`, `"bizStep": "shipping", "disposition": "in_transit",`, 1)
	}
	const statePAK = `"cm:originCountry": "PAK"`
	const stateMinePK = `"cm:originMine": "urn:t:site:pk"`
	const facts = `"cm:commodity": "ree_concentrate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]`
	MustCapture(t, svc, doc(sites,
		add("a0", "A", "cn", "commissioning", 1, ""),
		add("a20", "B", "cn", "receiving", 1, ""),
		add("d0", "D", "cn", "commissioning", 1, ""),
		add("e1", "E", "pkw", "receiving", 5, facts+", "+statePAK),
		add("n0", "N", "cnw", "commissioning", 1, ""),
		add("k0", "K", "pk", "commissioning", 1, ""),
		add("l0", "L", "late", "commissioning", 1, ""),
		// Each shipped on 10-03 from where it was first recorded, so
		// that its receipt at pkw on 10-05 ends a trip.
		ship("a0s", "A", "cn", 3), ship("a20s", "B", "cn", 3), ship("d0s", "D", "cn", 3),
		ship("n0s", "N", "cnw", 3), ship("k0s", "K", "pk", 3), ship("l0s", "L", "late", 3)))

	refused := []struct {
		name, code, event, field string
		body                     string
		wants                    []string
	}{
		{"a: stated after a first record at a mine of another country", critmin.ECONFLICT, "urn:t:fr:a1", "/ilmd/cm:originCountry",
			doc("", add("a1", "A", "pkw", "receiving", 5, facts+", "+statePAK)),
			[]string{"urn:t:lot:FRA", "cm:originCountry PAK", "Pakistan (PAK)", "China (CHN)", "urn:t:site:cn", "urn:t:fr:a0"}},
		{"a2: first recorded by a receiving ADD at a mine", critmin.ECONFLICT, "urn:t:fr:a21", "/ilmd/cm:originCountry",
			doc("", add("a21", "B", "pkw", "receiving", 5, facts+", "+statePAK)),
			[]string{"urn:t:lot:FRB", "Pakistan (PAK)", "China (CHN)", "urn:t:site:cn", "urn:t:fr:a20"}},
		{"d: stated through cm:originMine", critmin.ECONFLICT, "urn:t:fr:d1", "/ilmd/cm:originMine",
			doc("", add("d1", "D", "pkw", "receiving", 5, facts+", "+stateMinePK)),
			[]string{"urn:t:lot:FRD", "cm:originMine urn:t:site:pk", "Pakistan (PAK)", "China (CHN)", "urn:t:site:cn", "urn:t:fr:d0"}},
		{"b: a back-dated first record at a mine of another country", critmin.ECONFLICT, "urn:t:fr:e0", "/eventTime",
			doc("", add("e0", "E", "cn", "commissioning", 1, "")),
			[]string{"urn:t:lot:FRE", "event urn:t:fr:e1, at 2025-10-05T00:00:00Z", "urn:t:fr:e0", "date the event after 2025-10-05T00:00:00Z"}},
		{"c1: both in one document", critmin.EINVALID, "urn:t:fr:c11", "/ilmd/cm:originCountry",
			doc("", add("c10", "C1", "cn", "commissioning", 1, ""), add("c11", "C1", "pkw", "receiving", 5, facts+", "+statePAK)),
			[]string{"urn:t:lot:FRC1", "Pakistan (PAK)", "China (CHN)", "urn:t:site:cn", "urn:t:fr:c10"}},
		{"c2: both in one document, the statement listed first", critmin.EINVALID, "urn:t:fr:c21", "/ilmd/cm:originCountry",
			doc("", add("c21", "C2", "pkw", "receiving", 5, facts+", "+statePAK), add("c20", "C2", "cn", "commissioning", 1, "")),
			[]string{"urn:t:lot:FRC2", "Pakistan (PAK)", "China (CHN)", "urn:t:site:cn", "urn:t:fr:c20"}},
	}
	for _, c := range refused {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(c.body)})
		fs := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != c.code || len(fs) != 1 || !strings.HasSuffix(fs[0].Pointer, c.field) {
			t.Errorf("%s: capture %v %+v, want one %s field at %s", c.name, err, fs, c.code, c.field)
		} else {
			for _, w := range c.wants {
				if !strings.Contains(fs[0].Reason, w) {
					t.Errorf("%s: %q does not name %q", c.name, fs[0].Reason, w)
				}
			}
		}
		if got, err := s.FindEventsByID(ctx, c.event); len(got) > 0 || critmin.ErrorCode(err) != critmin.ENOTFOUND && err != nil {
			t.Errorf("%s: refused capture stored event %s (%v)", c.name, c.event, err)
		}
	}
	for _, lot := range []string{"C1", "C2"} {
		if _, err := s.FindLot(ctx, "urn:t:lot:FR"+lot); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("refused capture stored lot %s (%v)", lot, err)
		}
	}
	// Under proceed, the refused event is a job error and the others of
	// the document are stored.
	job, err := svc.Capture(ctx, ledger.CaptureRequest{Behaviour: critmin.BehaviourProceed, Body: []byte(doc("",
		add("a1", "A", "pkw", "receiving", 5, facts+", "+statePAK), add("k1", "K", "pkw", "receiving", 5, facts+", "+statePAK)))})
	if err != nil || len(job.Errors) != 1 || !strings.Contains(job.Errors[0].Detail, "urn:t:lot:FRA") {
		t.Errorf("proceed: job %+v %v, want one error on lot FRA", job, err)
	}
	if got, _ := s.FindEventsByID(ctx, "urn:t:fr:a1"); len(got) > 0 {
		t.Errorf("proceed: refused event a1 stored")
	}
	if got, _ := s.FindEventsByID(ctx, "urn:t:fr:k1"); len(got) != 1 {
		t.Errorf("proceed: consistent event k1 not stored (%d)", len(got))
	}

	MustCapture(t, svc, doc("", add("n1", "N", "pkw", "receiving", 5, facts+", "+statePAK), add("l1", "L", "pkw", "receiving", 5, facts+", "+statePAK)))
	MustCapture(t, svc, doc(scSite("late", "mine", [2]string{scCode, "CN"})))
	for _, c := range []struct {
		lot, country string
		flags        []string
	}{
		{"N", "PAK", []string{"commissioning_country_differs"}},
		{"K", "PAK", nil},
		{"L", custody.Unknown, []string{"origin_conflict"}},
		{"A", "CHN", nil},
	} {
		o, err := custody.OriginOf(ctx, s, "urn:t:lot:FR"+c.lot, false)
		if err != nil {
			t.Fatal(err)
		}
		if got := o.Headline().Flags; o.Country() != c.country || !slices.Equal(got, c.flags) {
			t.Errorf("lot %s: country %q flags %v, want %q %v", c.lot, o.Country(), got, c.country, c.flags)
		}
	}
}
