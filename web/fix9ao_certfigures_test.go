package web_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// fix9aoAssay is a sensor-report assay of lot C at the mine: Nd 6 % dry.
const fix9aoAssay = `{"type": "ObjectEvent", "eventID": "urn:t:ev:CA", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:C"}], "bizLocation": {"id": "urn:t:site:mine"},
   "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 6, "uom": "P1", "cm:basis": "dry"}]}]`

// TestCertificatePageDeclarationFigures (fix9ao item 2): the page of a
// certificate superseded by a declaration of one of its evidence events
// names the figures the declaration changed, old and new. Lot C, 20 t
// dry of Pakistani concentrate commissioned at Nd 5 %, reassayed (CA) at
// Nd 6 %: Nd 20 × 0.06 = 1.2 t when the certificate is issued. CA
// declared in error: Nd 20 × 0.05 = 1 t.
func TestCertificatePageDeclarationFigures(t *testing.T) {
	ts := MustServe(t, true, nil)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:C1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "urn:t:site:mine", "cm:moisture": 0,
    "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}},
  ` + fix9aoAssay + `}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "POST", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:C")+"/certificate", operatorSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("certificate: %d %s", resp.StatusCode, b)
	}
	var cert struct{ ID string }
	if err := json.Unmarshal(b, &cert); err != nil {
		t.Fatal(err)
	}
	decl := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-02T00:00:00Z",
 "epcisBody": {"eventList": [` + fix9aoAssay + `, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "incorrect_data"}}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(decl), nil); resp.StatusCode != 202 {
		t.Fatalf("capture declaration: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/certificates/"+cert.ID, viewerSecret, nil, map[string]string{"Accept": "text/html"})
	html := string(b)
	if resp.StatusCode != 200 || !strings.Contains(html, `id="cert-superseded"`) || !strings.Contains(html, `title="urn:t:ev:CA">CA</a> declared in error`) {
		t.Fatalf("superseded page: %d\n%s", resp.StatusCode, html)
	}
	if want := "<li>Nd (physical origin, contained element): Pakistan was 1.2 t (100.0 %) of 1.2 t, is now 1 t (100.0 %) of 1 t</li>"; !strings.Contains(html, want) {
		t.Errorf("the page lacks %q:\n%s", want, html)
	}
}
