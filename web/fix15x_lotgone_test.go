package web_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestLotPageWithdrawn (fix15x item 3): the page of a lot all of whose
// events were declared in error answers 410 Gone with a banner saying so
// and naming (linking) the declaration; a lot never recorded, a
// well-formed GS1 identifier included, stays 404.
func TestLotPageWithdrawn(t *testing.T) {
	ts := MustServe(t, true, nil)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:W1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 20, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:W1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 20, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"},
   "errorDeclaration": {"declarationTime": "2025-10-02T00:00:00Z", "reason": "incorrect_data"}}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	html := map[string]string{"Accept": "text/html"}
	for _, id := range []string{"urn:t:lot:NOPE", "urn:epc:class:lgtin:4012345.012345.998877"} {
		if resp, _ := do(t, "GET", ts.URL+"/lots/"+url.PathEscape(id), "", nil, html); resp.StatusCode != 404 {
			t.Errorf("%s: %d, want 404", id, resp.StatusCode)
		}
	}
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:W"), "", nil, html)
	page := string(b)
	if resp.StatusCode != 410 {
		t.Fatalf("withdrawn lot page: %d, want 410", resp.StatusCode)
	}
	for _, want := range []string{"declared in error", `href="/events/urn:t:ev:W1"`, "incorrect data"} {
		if !strings.Contains(page, want) {
			t.Errorf("withdrawn lot page does not show %q", want)
		}
	}
}
