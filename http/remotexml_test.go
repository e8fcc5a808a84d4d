package http_test

import (
	"encoding/json"
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

// twoRemoteDoc names two remote contexts; "de" is used as from the first
// and "nl" as from the second, and the event has no eventID: its ID is
// its CBV 2.0 hash.
const twoRemoteDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",
  "https://ref.gs1.org/standards/epcis/extensions/de/epcis-de-context.jsonld",
  "https://gs1.example.nl/epcis/nl-context.jsonld"],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventTime": "2025-10-01T08:00:00Z", "eventTimeZoneOffset": "+00:00",
   "action": "ADD", "bizStep": "commissioning", "epcList": ["urn:epc:id:sgtin:0614141.107346.3002"],
   "de:qualityGrade": "A", "nl:kwaliteit": "hoog", "ilmd": {"nl:partij": "P-9"}}]}}`

// TestTwoRemoteContextsXMLRecapture: an event captured with two remote
// contexts lists both in its JSON query result; its XML result captured
// into a fresh store is the same event (the same hash ID) with both remote
// contexts, in order, in that store's JSON result, and is found there by
// a prefix of each (EQ_ILMD_nl:partij, EQ_de:qualityGrade). Before, the
// XML carried only the first remote context and the fresh store's result
// lacked the second.
func TestTwoRemoteContextsXMLRecapture(t *testing.T) {
	const (
		de = "https://ref.gs1.org/standards/epcis/extensions/de/epcis-de-context.jsonld"
		nl = "https://gs1.example.nl/epcis/nl-context.jsonld"
	)
	srv := MustServe(t, false, nil)
	if resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, []byte(twoRemoteDoc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, body)
	}
	eventID := func(body []byte) string {
		t.Helper()
		var d struct {
			Context []any `json:"@context"`
			Body    struct {
				Results struct {
					Body struct {
						Events []struct {
							ID string `json:"eventID"`
						} `json:"eventList"`
					} `json:"resultsBody"`
				} `json:"queryResults"`
			} `json:"epcisBody"`
		}
		if err := json.Unmarshal(body, &d); err != nil {
			t.Fatalf("%v: %s", err, body)
		}
		if evs := d.Body.Results.Body.Events; len(evs) != 1 {
			t.Fatalf("%d events, want 1: %s", len(evs), body)
		}
		// Both remote contexts, in the capture's order, after the
		// standard one.
		var remotes []string
		for _, c := range d.Context[1:] {
			if s, ok := c.(string); ok {
				remotes = append(remotes, s)
			}
		}
		if len(remotes) != 2 || remotes[0] != de || remotes[1] != nl {
			t.Errorf("result @context remote contexts %q, want [%s %s]: %s", remotes, de, nl, body)
		}
		return d.Body.Results.Body.Events[0].ID
	}
	resp, body := do(t, "GET", srv.URL+"/epcis/events?EQ_ILMD_nl:partij=P-9", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("query: %d %s", resp.StatusCode, body)
	}
	id := eventID(body)
	if !strings.HasPrefix(id, "ni:///sha-256;") {
		t.Fatalf("eventID %q is not the hash ID", id)
	}
	resp, xmlBody := do(t, "GET", srv.URL+"/epcis/events?EQ_ILMD_nl:partij=P-9", viewerSecret, nil, map[string]string{"Accept": "application/xml"})
	if resp.StatusCode != 200 {
		t.Fatalf("XML query: %d %s", resp.StatusCode, xmlBody)
	}
	xmlHeaders := map[string]string{"Content-Type": "application/xml"}
	if resp, body := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, xmlBody, xmlHeaders); resp.StatusCode != 202 {
		t.Fatalf("XML re-capture into the same store: %d %s, want 202 (a duplicate)", resp.StatusCode, body)
	}
	fresh := MustServe(t, false, nil)
	if resp, body := do(t, "POST", fresh.URL+"/epcis/capture", operatorSecret, xmlBody, xmlHeaders); resp.StatusCode != 202 {
		t.Fatalf("XML capture into a fresh store: %d %s", resp.StatusCode, body)
	}
	for _, q := range []string{"EQ_ILMD_nl:partij=P-9", "EQ_de:qualityGrade=A", "EQ_nl:kwaliteit=hoog"} {
		resp, body := do(t, "GET", fresh.URL+"/epcis/events?"+q, viewerSecret, nil, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("%s on the fresh store: %d %s", q, resp.StatusCode, body)
		}
		if got := eventID(body); got != id {
			t.Errorf("%s on the fresh store: eventID %s, want %s (the same hash ID)", q, got, id)
		}
	}
}
