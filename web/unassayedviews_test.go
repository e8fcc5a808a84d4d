package web_test

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// unassayedDoc: P, 10 t of Pakistani concentrate at Nd 4 % (0.4 t Nd),
// is run into Z, 2 t of NdPr oxide that has no assay of its own.
const unassayedDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:P", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:Z", "quantity": 2, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0}}]}}`

// TestLotViewsAgreeOnUnassayedProduct (issue 9 item 5, fix9g): Z has no
// assay of its own, so its Nd share is unknown ("grade not measured") —
// on the lot page, and so on the lot list, the lots CSV and the printable
// certificate: none of them shows the dry-mass "Pakistan 100.0 % (by dry
// mass)" as Z's origin.
func TestLotViewsAgreeOnUnassayedProduct(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(unassayedDoc)}); err != nil {
		t.Fatal(err)
	}
	z := url.PathEscape("urn:t:lot:Z")
	const want = "contained value not measured (grade not measured): no assay of its own, so its Nd and their origin shares are unknown (not inherited from its feed); physical countries by dry mass: Pakistan 100.0 %"
	issueCert(t, ts.URL, z) // Issued by a POST (fix14p): a GET serves it and writes nothing.
	for _, page := range []struct{ name, path, accept string }{
		{"lot page", "/lots/" + z, "text/html"},
		{"lot list", "/lots?commodity=ndpr_oxide", "text/html"},
		{"lots CSV", "/api/v1/lots?commodity=ndpr_oxide&format=csv", "text/csv"},
		{"certificate", "/lots/" + z + "/certificate", "text/html"},
	} {
		resp, b := do(t, "GET", ts.URL+page.path, viewerSecret, nil, map[string]string{"Accept": page.accept})
		body := html.UnescapeString(string(b))
		if resp.StatusCode != 200 || !strings.Contains(body, want) || strings.Contains(body, "Pakistan 100.0 % (by dry mass)") || strings.Contains(body, "unknown 100.0 %") {
			t.Errorf("%s (%d) does not show Z's origin as %q:\n%s", page.name, resp.StatusCode, want, body)
		}
	}
	// fix9j 5: the lot page's overall line says the contained value is
	// not measured, and the API flags it with no share — not a share of
	// 1 for "unknown".
	if _, b := do(t, "GET", ts.URL+"/lots/"+z, viewerSecret, nil, map[string]string{"Accept": "text/html"}); !strings.Contains(string(b), "Overall: <span class=\"muted\">contained value not measured (grade not measured)</span>") {
		t.Errorf("lot page overall line:\n%s", b)
	}
	resp, b := do(t, "GET", ts.URL+"/api/v1/lots?commodity=ndpr_oxide", viewerSecret, nil, map[string]string{"Accept": "application/json"})
	if body := string(b); resp.StatusCode != 200 || !strings.Contains(body, `"gradeNotMeasured": true`) || !strings.Contains(body, `"basis": "grade_not_measured"`) || strings.Contains(body, `"key": "unknown"`) {
		t.Errorf("lot list JSON does not flag Z's grade as not measured (or states an unknown share):\n%s", b)
	}
}
