package web_test

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// gainLotDoc (nu37a p30): A, Pakistan, 10 t at Nd 4 %, Pr 0 % (0.4 t Nd,
// 0 t Pr) → X 0.5 t at Nd 60 %, Pr 20 % = 0.3 t Nd, 0.1 t Pr: the Pr
// came from no recorded input.
const gainLotDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:A", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:A", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 0, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:R1", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:A", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:X", "quantity": 0.5, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`

// TestLotPageGainedMetalUnknownOrigin: X's page states its 0.1 t Pr as of
// unknown origin (no recorded input) in the element rows and the
// headline, never "none contained". Failed before: "Pr contained none
// contained (the lot contains 0 t of Pr)", headline "Pakistan 100.0 %".
func TestLotPageGainedMetalUnknownOrigin(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(gainLotDoc)}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:X"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	body := html.UnescapeString(string(b))
	if resp.StatusCode != 200 || strings.Contains(body, "none contained") || !strings.Contains(body, "of which origin unknown") || !strings.Contains(body, "origin unknown: 0.1 t of Pr") {
		t.Errorf("lot page (%d): want Pr's 0.1 t of unknown origin stated, never none contained:\n%s", resp.StatusCode, body)
	}
}
