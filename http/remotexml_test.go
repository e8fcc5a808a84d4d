package http_test

import (
	"strings"
	"testing"
)

// TestRemotePrefixXMLRecaptures (nu33-6): an event whose prefix "de" only a
// remote @context declares, read back as XML (GET /epcis/events/{id},
// Accept: application/xml), carries de in the namespace
// urn:critmin:remote-context-prefix:de:{remote context URL}; that XML
// captured again is the same event (same hash ID): a duplicate, 202 — and
// into a fresh store it is queried by the same CURIE. Before, its
// namespace was urn:critmin:unresolved-prefix:de and re-capturing it was
// refused, its content differing from the stored event's.
func TestRemotePrefixXMLRecaptures(t *testing.T) {
	srv := MustServe(t, false, nil)
	if resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(remoteDoc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, body)
	}
	resp, xmlBody := do(t, "GET", srv.URL+"/epcis/events/urn:uuid:5e000000-0000-4000-8000-000000000001", viewerSecret, nil, map[string]string{"Accept": "application/xml"})
	if resp.StatusCode != 200 {
		t.Fatalf("XML read: %d %s", resp.StatusCode, xmlBody)
	}
	if want := `xmlns:de="urn:critmin:remote-context-prefix:de:https://ref.gs1.org/standards/epcis/extensions/de/epcis-de-context.jsonld"`; !strings.Contains(string(xmlBody), want) {
		t.Fatalf("XML lacks %s:\n%s", want, xmlBody)
	}
	xmlHeaders := map[string]string{"Content-Type": "application/xml"}
	if resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, xmlBody, xmlHeaders); resp.StatusCode != 202 {
		t.Fatalf("XML re-capture into the same store: %d %s, want 202 (a duplicate)", resp.StatusCode, body)
	}
	fresh := MustServe(t, false, nil)
	if resp, body := do(t, "POST", fresh.URL+"/epcis/capture", operatorSecret, xmlBody, xmlHeaders); resp.StatusCode != 202 {
		t.Fatalf("XML capture into a fresh store: %d %s", resp.StatusCode, body)
	}
	resp, body := do(t, "GET", fresh.URL+"/epcis/events?EQ_ILMD_de:lotClass=K1", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "5e000000") || !strings.Contains(string(body), "epcis-de-context.jsonld") {
		t.Errorf("EQ_ILMD_de:lotClass=K1 on the fresh store: %d %s", resp.StatusCode, body)
	}
}
