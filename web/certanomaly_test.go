package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// gainDoc: run urn:t:run:MO-9 makes 10 t at 12 % Nd = 1.2 t Nd from 50 t
// at 2 % Nd = 1.0 t: outputs exceed inputs beyond 1.0 × 1.005 = 1.005 t,
// an element_gain anomaly on the run.
const gainDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:M", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:M", "quantity": 50, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "MMR", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 2, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:G9", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:MO-9",
   "inputQuantityList": [{"epcClass": "urn:t:lot:M", "quantity": 50, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:Z", "quantity": 10, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:cb"}, "ilmd": {"cm:commodity": "ree_carbonate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 12, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`

// TestCertificatePageAnomalies (issue 9): the printable certificate shows
// the anomalies the lot page and the JSON-LD certificate show (here the
// element gain of run urn:t:run:MO-9), and the lot page's run balance
// names the run by its transformationID, linking its event.
func TestCertificatePageAnomalies(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(gainDoc)}); err != nil {
		t.Fatal(err)
	}
	issueCert(t, ts.URL, url.PathEscape("urn:t:lot:Z")) // Issued by a POST (fix14p): a GET serves it and writes nothing.
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:Z")+"/certificate", viewerSecret, nil, map[string]string{"Accept": "text/html"})
	html := string(b)
	for _, want := range []string{`id="cert-anomalies"`, "element_gain: run urn:t:run:MO-9 (event urn:t:ev:G9) at urn:t:site:cb: outputs hold 1.2 t Nd but its inputs only 1 t", `href="/events/urn:t:ev:G9"`} {
		if resp.StatusCode != 200 || !strings.Contains(html, want) {
			t.Errorf("certificate page lacks %q: %d", want, resp.StatusCode)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:Z"), "", nil, nil)
	// The run by its name (fix15q: MO-9, not urn:t:run:MO-9), its event
	// in the link and title.
	if want := `<a href="/events/urn:t:ev:G9" title="event urn:t:ev:G9">MO-9</a>`; resp.StatusCode != 200 || !strings.Contains(string(b), want) {
		t.Errorf("lot page run balance lacks %q", want)
	}
}
