package http_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin/epcis"
)

// TestXMLSensorTypeFormsRoundTrip: every form a sensorReport type is met
// under — the bare term of the JSON binding, the GS1 Web Vocabulary CURIE
// with and without "MT-" (CBV 2.0 measurement types are MT- terms,
// https://gs1.org/voc/MT-Temperature), and a user's IRI (the JSON binding
// refuses the GS1 IRI and the bare MT- term) —
// comes back from an XML query result with the same hash ID as from a
// JSON one (docs/epcis.md: both bindings give equal hash IDs), and the XML
// result re-captured is a duplicate of the stored event, never a 409.
// Before the fix gs1:MT-Temperature was written type="gs1:Temperature",
// whose hash (https://gs1.org/voc/Temperature) differs from the capture's
// (https://gs1.org/voc/MT-Temperature).
func TestXMLSensorTypeFormsRoundTrip(t *testing.T) {
	forms := []string{
		"Temperature",
		"gs1:MT-Temperature",
		"gs1:MT-Humidity",
		"gs1:MT-AbsoluteHumidity",
		"gs1:Temperature",
		"https://example.org/sensors/Radiation",
	}
	var events []string
	for i, f := range forms {
		events = append(events, fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:uuid:5e750000-0000-4000-8000-%012d", "eventTime": "2025-06-01T10:00:00Z",
 "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.%d"],
 "sensorElementList": [{"sensorReport": [{"type": %q, "value": 20, "uom": "CEL"}]}]}`, i+1, i+1, f))
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
	srv := MustServe(t, false, nil)
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	captured, err := epcis.ParseDocument([]byte(doc), false)
	if err != nil {
		t.Fatal(err)
	}
	_, jsonBody := do(t, "GET", srv.URL+"/epcis/events?perPage=100", viewerSecret, nil, nil)
	_, xmlBody := do(t, "GET", srv.URL+"/epcis/events?perPage=100", viewerSecret, nil, map[string]string{"Accept": "application/xml"})
	jdoc, err := epcis.ParseDocument(jsonBody, false)
	if err != nil {
		t.Fatal(err)
	}
	xr, err := epcis.FromXML(xmlBody, false)
	if err != nil {
		t.Fatalf("XML result does not read back: %v", err)
	}
	xdoc, err := epcis.ParseDocument(xr.JSON, false)
	if err != nil {
		t.Fatalf("XML result is not valid EPCIS: %v", xr.Translate(err))
	}
	if len(jdoc.Events) != len(forms) || len(xdoc.Events) != len(forms) {
		t.Fatalf("%d JSON, %d XML events, want %d", len(jdoc.Events), len(xdoc.Events), len(forms))
	}
	byID := func(d *epcis.Document) map[string]string {
		out := map[string]string{}
		for i, e := range d.Events {
			out[e.(map[string]any)["eventID"].(string)] = epcis.HashID(d.PreHash(i))
		}
		return out
	}
	want, js, xs := byID(captured), byID(jdoc), byID(xdoc)
	for i, f := range forms {
		id := fmt.Sprintf("urn:uuid:5e750000-0000-4000-8000-%012d", i+1)
		if js[id] != want[id] {
			t.Errorf("%s: JSON result hash %s, captured %s", f, js[id], want[id])
		}
		if xs[id] != want[id] {
			t.Errorf("%s: XML result hash %s, captured %s", f, xs[id], want[id])
		}
	}
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, xmlBody, xmlCT); resp.StatusCode != 202 {
		t.Errorf("re-capture of the XML result: %d %s", resp.StatusCode, b)
	}
}
