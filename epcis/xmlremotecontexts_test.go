package epcis_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

// TestXMLRemoteContextsAllKept: an event captured with two remote
// @context URLs — "de" used from the first and "nl" from the second
// (critmin cannot tell which declares which: it never fetches them) —
// keeps both through capture → XML query → re-capture: the XML result
// names each remote context (urn:critmin:remote-context:{URL}, in the
// capture's order), the event read back from it has both URLs in its
// @context, in that order, and the same CBV 2.0 hash ID and keys. Before,
// the XML carried only the first remote context (the one the prefixes'
// namespaces name), and the second was lost on re-capture.
func TestXMLRemoteContextsAllKept(t *testing.T) {
	const (
		remote1 = "https://gs1.example.de/epcis/context.jsonld"
		remote2 = "https://gs1.example.nl/epcis/nl-context.jsonld"
	)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", "` + remote1 + `", "` + remote2 + `"],
	"type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-06-01T00:00:00Z",
	"epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-06-01T10:00:00Z", "eventTimeZoneOffset": "+00:00",
		"action": "ADD", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"], "bizStep": "commissioning",
		"de:qualityGrade": "A", "nl:kwaliteit": "hoog", "ilmd": {"nl:partij": "P-9"}}]}}`
	d, err := epcis.ParseDocument([]byte(doc), false)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)
	ev, cerr := d.Decode(0, now)
	if cerr != nil {
		t.Fatal(cerr)
	}
	if got := epcis.ContextRemotes(ev.Context); len(got) != 2 || got[0] != remote1 || got[1] != remote2 {
		t.Fatalf("captured remote contexts %q, want [%s %s]", got, remote1, remote2)
	}
	want, err := epcis.HashStored(ev.Raw, ev.Context)
	if err != nil {
		t.Fatal(err)
	}
	out, err := epcis.QueryDocumentXML([]*critmin.Event{ev}, "SimpleEventQuery", now, epcis.CBVNoPreference)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []string{remote1, remote2} {
		if ns := `="` + epcis.RemoteContextNamespace(u) + `"`; !strings.Contains(string(out), ns) {
			t.Errorf("XML result lacks the remote context %s (%s):\n%s", u, ns, out)
		}
	}
	// `critmin epcis hash` (HashDocument) of the JSON document and of the
	// XML result gives the ID capture gives (new-user finding nu36b-5: the
	// XML result's remote-prefix namespaces were hashed as if they were
	// the prefixes' IRIs, so all four IDs differed).
	for name, body := range map[string][]byte{"JSON document": []byte(doc), "XML result": out} {
		if _, hs, err := epcis.HashDocument(body); err != nil || len(hs) != 1 || hs[0] != want {
			t.Errorf("HashDocument of the %s: %q (%v), want [%s]", name, hs, err, want)
		}
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
	if got := epcis.ContextRemotes(ev2.Context); len(got) != 2 || got[0] != remote1 || got[1] != remote2 {
		t.Errorf("re-captured remote contexts %q, want [%s %s]\nXML: %s", got, remote1, remote2, out)
	}
	if got := epcis.ContextPrefixes(ev2.Context); len(got) != 0 {
		t.Errorf("re-captured @context declares prefixes locally: %v (%s)", got, ev2.Context)
	}
	got, err := epcis.HashStored(ev2.Raw, ev2.Context)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("hash ID %s after the XML round trip, want %s\nXML: %s\nJSON: %s", got, want, out, x.JSON)
	}
	for _, k := range []string{`"de:qualityGrade":"A"`, `"nl:kwaliteit":"hoog"`, `"nl:partij":"P-9"`} {
		if !strings.Contains(string(ev2.Raw), k) {
			t.Errorf("re-captured event lacks %s: %s", k, ev2.Raw)
		}
	}
	// Streamed XML capture reads them the same way.
	var streamed []string
	if _, err := epcis.StreamXML(bytes.NewReader(out), func(d *epcis.Document, e epcis.StreamEvent) error {
		ev, cerr := d.DecodeRaw(e, now)
		if cerr != nil {
			return cerr
		}
		if got, err := epcis.HashStored(ev.Raw, ev.Context); err != nil || got != want {
			t.Errorf("streamed read: hash ID %s (%v), want %s", got, err, want)
		}
		streamed = epcis.ContextRemotes(ev.Context)
		return nil
	}); err != nil {
		t.Fatalf("streamed read: %v", err)
	}
	if len(streamed) != 2 || streamed[0] != remote1 || streamed[1] != remote2 {
		t.Errorf("streamed read: remote contexts %q, want [%s %s]", streamed, remote1, remote2)
	}
	// The same document read from XML twice is the same: a second round
	// trip adds no remote context and keeps their order.
	out2, err := epcis.QueryDocumentXML([]*critmin.Event{ev2}, "SimpleEventQuery", now, epcis.CBVNoPreference)
	if err != nil {
		t.Fatal(err)
	}
	if string(out2) != string(out) {
		t.Errorf("second XML result differs:\n%s\nfirst:\n%s", out2, out)
	}
}
