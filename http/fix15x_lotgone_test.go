package http_test

import (
	"net/url"
	"strings"
	"testing"
)

// withdrawnLotDoc commissions urn:t:lot:W (event urn:t:ev:W1) and then
// declares that, its only event, in error (EPCIS 2.0 §7.4.1.2): the lot
// existed and was withdrawn whole.
const withdrawnLotDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:W1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 20, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:W1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 20, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"},
   "errorDeclaration": {"declarationTime": "2025-10-02T00:00:00Z", "reason": "incorrect_data"}}]}}`

// TestLotGetUnknownAndWithdrawn (fix15x item 3): GET /api/v1/lots/{id}
// answers 404 problem+json for a lot never recorded, a well-formed GS1
// identifier included, and 410 Gone problem+json naming the error
// declaration for a lot all of whose events were declared in error.
func TestLotGetUnknownAndWithdrawn(t *testing.T) {
	ts := MustServe(t, true, nil)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(withdrawnLotDoc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	for _, id := range []string{"urn:t:lot:NOPE", "urn:epc:class:lgtin:4012345.012345.998877", "https://id.gs1.org/01/04012345123456/10/998877"} {
		resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape(id), "", nil, nil)
		mustProblem(t, resp, b, 404)
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:W"), "", nil, nil)
	p := mustProblem(t, resp, b, 410)
	for _, want := range []string{"urn:t:lot:W", "declared in error", "urn:t:ev:W1", "2025-10-02", "incorrect_data"} {
		if !strings.Contains(p.Detail, want) {
			t.Errorf("410 detail %q does not name %q", p.Detail, want)
		}
	}
}
