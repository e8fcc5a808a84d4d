package http_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestContainerShippedAgainAndReceivedTwice409 (nu36a-9; issue 15): lot
// TH, 10 t at mb, packed whole into C on Oct 2; C shipped alone (no
// quantity line) from mb to khi under TH-1 on Oct 3, then received alone
// at khi under TH-1 on Oct 5.
//   - C shipped alone again from mb under TH-2 on Oct 4, while TH is in
//     transit under TH-1: 409, the pointer the event has
//     (/epcisBody/eventList/0/bizLocation), the detail naming TH, "in
//     transit" and the standing shipment; the event is not stored (404);
//   - C received alone again under TH-1 on Oct 6: 409 at
//     /epcisBody/eventList/0/epcList/0 (the container; the event has no
//     quantityList), naming TH and C; not stored.
func TestContainerShippedAgainAndReceivedTwice409(t *testing.T) {
	ts := MustServe(t, true, nil)
	const c = "urn:epc:id:sscc:0614141.6000000003"
	doc := func(events ...string) []byte {
		return []byte(`{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-08T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`)
	}
	move := func(id, step, disp, site, bol string, day string) string {
		dest := ""
		if step == "shipping" {
			dest = `, "destinationList": [{"type": "location", "destination": "urn:t:site:khi"}]`
		}
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", "disposition": "` + disp + `",
  "epcList": ["` + c + `"], "readPoint": {"id": "` + site + `"}, "bizLocation": {"id": "` + site + `"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "` + bol + `"}]` + dest + `}`
	}
	setup := doc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:th-c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:TH", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`,
		`{"type": "AggregationEvent", "eventID": "urn:t:ev:th-p", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
  "parentID": "`+c+`", "childQuantityList": [{"epcClass": "urn:t:lot:TH", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}}`,
		move("th-s1", "shipping", "in_transit", "urn:t:site:mb", "urn:t:bol:TH-1", "03"))
	if resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, setup, nil); resp.StatusCode >= 300 {
		t.Fatalf("setup: %d %s", resp.StatusCode, rb)
	}
	refused := func(what string, body []byte, id, pointer string, words ...string) {
		t.Helper()
		resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil)
		p := mustProblem(t, resp, rb, 409)
		if len(p.Errors) == 0 || p.Errors[0].Pointer != pointer {
			t.Errorf("%s: errors %+v; want the first at %s", what, p.Errors, pointer)
		}
		for _, w := range words {
			if !strings.Contains(p.Detail, w) {
				t.Errorf("%s: detail %q does not name %q", what, p.Detail, w)
			}
		}
		if resp, _ := do(t, "GET", ts.URL+"/epcis/events/"+url.PathEscape("urn:t:ev:"+id), operatorSecret, nil, nil); resp.StatusCode != 404 {
			t.Errorf("%s: event %s after the refusal: %d; want 404 (nothing stored)", what, id, resp.StatusCode)
		}
	}
	refused("C shipped alone again from mb while TH is in transit", doc(move("th-s2", "shipping", "in_transit", "urn:t:site:mb", "urn:t:bol:TH-2", "04")), "th-s2",
		"/epcisBody/eventList/0/bizLocation", "urn:t:lot:TH", "in transit", "urn:t:ev:th-s1", c)
	if resp, rb := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc(move("th-r1", "receiving", "in_progress", "urn:t:site:khi", "urn:t:bol:TH-1", "05")), nil); resp.StatusCode >= 300 {
		t.Fatalf("C received under TH-1: %d %s", resp.StatusCode, rb)
	}
	refused("C received alone again under TH-1", doc(move("th-r2", "receiving", "in_progress", "urn:t:site:khi", "urn:t:bol:TH-1", "06")), "th-r2",
		"/epcisBody/eventList/0/epcList/0", "urn:t:lot:TH", "already received", c)
}
