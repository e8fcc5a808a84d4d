package epcis_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// TestXMLRemotePrefixRoundTrip: an event whose extension prefix "de" is
// declared only in a remote @context (accepted, stored with the context
// URL, never fetched) is written in an XML result in a namespace that
// names the prefix and the remote context
// (urn:critmin:remote-context-prefix:de:https://…), and that XML captured
// again gives the same event: the same keys, the remote context in its
// @context and the same CBV 2.0 hash ID (which hashes such a key as
// written, "de:qualityGrade", since its namespace is not known offline).
// Before, the namespace was urn:critmin:unresolved-prefix:de, which read
// back as a declared prefix: the key expanded to another IRI, the hash
// differed and re-capturing the result was refused.
func TestXMLRemotePrefixRoundTrip(t *testing.T) {
	const remote = "https://gs1.example.de/epcis/context.jsonld"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "` + remote + `", {"ex": "https://example.org/ex/"}],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-06-01T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-06-01T10:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "bizStep": "inspecting",
		"de:qualityGrade": "A", "ex:grade": "B", "de:batch": {"de:code": "X1", "de:mass": 12.5},
		"readPoint": {"id": "urn:epc:id:sgln:0614141.00777.0", "de:bay": "7"}}]}}`
	d, err := epcis.ParseDocument([]byte(doc), false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	ev, cerr := d.Decode(0, now)
	if cerr != nil {
		t.Fatal(cerr)
	}
	want, err := epcis.HashStored(ev.Raw, ev.Context)
	if err != nil {
		t.Fatal(err)
	}
	out, err := epcis.QueryDocumentXML([]*critmin.Event{ev}, "SimpleEventQuery", now, epcis.CBVNoPreference)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "unresolved-prefix") {
		t.Errorf("XML result uses the placeholder namespace:\n%s", out)
	}
	if ns := `xmlns:de="urn:critmin:remote-context-prefix:de:` + remote + `"`; !strings.Contains(string(out), ns) {
		t.Errorf("XML result lacks %s:\n%s", ns, out)
	}
	x, err := epcis.FromXML(out, false)
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, out)
	}
	d2, err := epcis.ParseXMLDocument(x.JSON, false)
	if err != nil {
		t.Fatalf("re-capture: %v\n%s", err, x.JSON)
	}
	ev2, cerr := d2.Decode(0, now)
	if cerr != nil {
		t.Fatalf("re-capture: %v\n%s", cerr, x.JSON)
	}
	got, err := epcis.HashStored(ev2.Raw, ev2.Context)
	if err != nil {
		t.Fatal(err)
	}
	if got != want || ev2.EventID != ev.EventID {
		t.Errorf("hash ID %s (eventID %s) after the XML round trip, want %s (%s)\nXML: %s\nJSON: %s", got, ev2.EventID, want, ev.EventID, out, x.JSON)
	}
	var m map[string]any
	if err := json.Unmarshal(ev2.Raw, &m); err != nil {
		t.Fatal(err)
	}
	if m["de:qualityGrade"] != "A" || m["ex:grade"] != "B" {
		t.Errorf("keys not read back as captured: %s", ev2.Raw)
	}
	if b, ok := m["de:batch"].(map[string]any); !ok || b["de:code"] != "X1" {
		t.Errorf("nested remote-prefix keys not read back: %s", ev2.Raw)
	}
	if rp, ok := m["readPoint"].(map[string]any); !ok || rp["de:bay"] != "7" {
		t.Errorf("readPoint extension not read back: %s", ev2.Raw)
	}
	if !strings.Contains(string(ev2.Context), `"`+remote+`"`) {
		t.Errorf("re-captured @context lacks the remote context: %s", ev2.Context)
	}
	if got := epcis.ContextPrefixes(ev2.Context); got["de"] != "" {
		t.Errorf("re-captured @context declares de locally as %q: %s", got["de"], ev2.Context)
	}
}
