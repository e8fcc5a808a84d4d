package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestRetractedEventMarked: the lot timeline and the event browser mark an
// event declared in error (EPCIS 2.0 §7.4.1.2) with its reason and link
// its corrective event. The lot is commissioned read at its mine and at
// no site (readPoint, no bizLocation), so that both the retracted
// shipment from Karachi and its correction from Port Qasim ship it from
// where it may be.
func TestRetractedEventMarked(t *testing.T) {
	ts := MustServe(t, true, nil)
	ship := func(id, site string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
  "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:` + site + `"}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:S1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 20, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"}},
  ` + ship("S2", "pkkhi") + `},
  ` + ship("S2", "pkkhi") + `, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:t:ev:S2c"]}},
  ` + ship("S2c", "pkbqm") + `}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	for _, page := range []string{"/lots/" + url.PathEscape("urn:t:lot:S"), "/events"} {
		resp, b := do(t, "GET", ts.URL+page, "", nil, map[string]string{"Accept": "text/html"})
		html := string(b)
		if resp.StatusCode != 200 || strings.Count(html, "retracted: incorrect data") != 1 {
			t.Errorf("%s: %d, %d retracted marks; want 1", page, resp.StatusCode, strings.Count(html, "retracted: incorrect data"))
		}
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:S"), "", nil, map[string]string{"Accept": "text/html"})
	if !strings.Contains(string(b), `href="/events/urn:t:ev:S2c"`) {
		t.Error("lot timeline does not link the corrective event")
	}
	// It names the corrective event by its identifier's tail, the
	// identifier in the link's title, not raw (fix15x item 1).
	if !strings.Contains(string(b), `title="urn:t:ev:S2c">corrected by S2c</a>`) {
		t.Error("lot timeline names the corrective event raw or not at all")
	}
}
