package web_test

import (
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// byProductDoc: P, 10 t of Pakistani concentrate at Nd 6 %, Pr 2 %,
// La 1 %, Ce 1 % (0.6 t Nd, 0.2 t Pr, 0.1 t La, 0.1 t Ce), is run into
// Z, 1 t of NdPr oxide assayed Nd 50 % + Pr 15 % (0.5 t Nd ≤ 0.6,
// 0.15 t Pr ≤ 0.2), not assayed for La or Ce.
const byProductDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:P", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 6, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 2, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "La", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Ce", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:Z", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 50, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 15, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`

// TestByProductsNotAssayedViews (fix9ah item d): Z, NdPr oxide assayed
// for Nd and Pr, whose feed carried La and Ce, was headlined "grade not
// measured: Ce, La" on every view. La and Ce are not elements NdPr oxide
// is valued on: its headline is its measured origin, Pakistan 100.0 %
// (by contained value), on the lot page, the lot list and the lots CSV;
// the lot page names La and Ce as not assayed (not "Grade not
// measured"), and the origin CSV gives them not_assayed rows.
func TestByProductsNotAssayedViews(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(byProductDoc)}); err != nil {
		t.Fatal(err)
	}
	z := url.PathEscape("urn:t:lot:Z")
	const head = "Pakistan 100.0 % (by contained value)"
	for _, page := range []struct {
		name, path, accept string
		want               []string
	}{
		{"lot page", "/lots/" + z, "text/html", []string{`<p class="note" id="not-assayed">Not assayed (by-products): Ce, La, which its feed carried; NdPr oxide is not valued on them, so its origin above stands.`}},
		{"lot list", "/lots?commodity=ndpr_oxide", "text/html", []string{head}},
		{"lots CSV", "/api/v1/lots?commodity=ndpr_oxide&format=csv", "text/csv", []string{head}},
		{"origin CSV", "/api/v1/lots/" + z + "/origin?format=csv", "text/csv", []string{"urn:t:lot:Z,Ce,country,,not assayed (by-product),,,not_assayed", "urn:t:lot:Z,La,country,,not assayed (by-product),,,not_assayed"}},
	} {
		resp, b := do(t, "GET", ts.URL+page.path, viewerSecret, nil, map[string]string{"Accept": page.accept})
		body := html.UnescapeString(string(b))
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d", page.name, resp.StatusCode)
			continue
		}
		for _, w := range page.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q:\n%.4000s", page.name, w, body)
			}
		}
		for _, bad := range []string{"grade not measured", "Grade not measured", `id="not-measured"`} {
			if i := strings.Index(body, bad); i >= 0 {
				t.Errorf("%s calls Z's by-products' grade not measured: …%s…", page.name, body[max(0, i-300):min(len(body), i+200)])
			}
		}
	}
}
