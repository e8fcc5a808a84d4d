package http_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

const docErrEvent = `{"type": "ObjectEvent", "eventTime": "2025-06-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": ["urn:epc:id:sgtin:0614141.107346.1"]}`

const docErrXML = `<?xml version="1.0" encoding="UTF-8"?>
<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" creationDate="2025-06-01T00:00:00Z"><EPCISBody><EventList>
<ObjectEvent><eventTime>2025-06-01T10:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList><epc>urn:epc:id:sgtin:0614141.107346.1</epc></epcList><action>OBSERVE</action></ObjectEvent>
<ObjectEvent><eventTime>2025-06-01T11:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset><epcList><epc>urn:epc:id:sgtin:0614141.107346.2</epc></epcList><action>OBSERVE</action></ObjectEvent>
</EventList></EPCISBody></epcis:EPCISDocument>`

// TestCaptureDocumentLevelErrors: a document refused as a whole says
// which document field is at fault, by its pointer, and names no event;
// where events are at fault too, each has its own pointer beside the
// document's. Before, a missing schemaVersion or epcisBody was reported
// at the pointer "" as "the event: missing property …", and a document
// over the capture limit carried no pointer at all.
func TestCaptureDocumentLevelErrors(t *testing.T) {
	ts := MustServe(t, false, &ledger.Limits{MaxEvents: 1, MaxBytes: 1 << 20})
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", `
	for _, c := range []struct {
		name, doc string
		xml       bool
		status    int
		want      map[string]string // pointer → words its reason must hold
	}{
		{"no schemaVersion", head + `"creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [EV]}}`, false, 400,
			map[string]string{"/schemaVersion": "the document must have schemaVersion"}},
		{"no epcisBody", head + `"schemaVersion": "2.0", "creationDate": "2025-06-01T00:00:00Z"}`, false, 400,
			map[string]string{"/epcisBody": "the document must have epcisBody"}},
		{"no schemaVersion nor creationDate", head + `"epcisBody": {"eventList": [EV]}}`, false, 400,
			map[string]string{"/schemaVersion": "the document must have schemaVersion", "/creationDate": "the document must have creationDate"}},
		{"bad creationDate and a bad event", head + `"schemaVersion": "2.0", "creationDate": "yesterday", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "epcList": []}]}}`, false, 400,
			map[string]string{"/creationDate": "date-time", "/epcisBody/eventList/0/eventTime": "eventTime"}},
		{"over the capture limit", head + `"schemaVersion": "2.0", "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [EV, EV]}}`, false, http.StatusRequestEntityTooLarge,
			map[string]string{"/epcisBody/eventList": "capture limit"}},
		{"XML over the capture limit", docErrXML, true, http.StatusRequestEntityTooLarge,
			map[string]string{"/EPCISDocument/EPCISBody/EventList": "capture limit"}},
	} {
		hdr := map[string]string{}
		if c.xml {
			hdr = xmlCT
		}
		resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(strings.ReplaceAll(c.doc, "EV", docErrEvent)), hdr)
		p := mustProblem(t, resp, b, c.status)
		got := map[string]string{}
		for _, e := range p.Errors {
			got[e.Pointer] = e.Reason
		}
		for ptr, words := range c.want {
			if !strings.Contains(got[ptr], words) {
				t.Errorf("%s: no error at %q saying %q: %s", c.name, ptr, words, b)
			}
		}
		for ptr, reason := range got {
			if ptr == "" || strings.Contains(reason, "the event:") {
				t.Errorf("%s: a document-level error names no field or calls the document an event: %q %q", c.name, ptr, reason)
			}
		}
	}
	if resp, b := do(t, "GET", ts.URL+"/epcis/events", viewerSecret, nil, nil); resp.StatusCode != 200 || strings.Contains(string(b), "0614141.107346") {
		t.Errorf("a refused document stored events: %d %s", resp.StatusCode, b)
	}
}

// TestCaptureContextTermNotIRI: an @context that defines a prefix as a
// number is no JSON-LD context (JSON-LD 1.1 §9.15.1, invalid term
// definition): the document is refused at the definition's pointer, in
// the document's @context and in an event's own, and nothing is stored.
// Before, {"ex": 5} was accepted.
func TestCaptureContextTermNotIRI(t *testing.T) {
	ts := MustServe(t, false, nil)
	ev := strings.TrimSuffix(docErrEvent, "}") + `, "@context": [{"ev": true}]}`
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"ex": 5, "ok": "https://example.org/ok/"}],
 "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-06-01T00:00:00Z", "epcisBody": {"eventList": [` + ev + `]}}`
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil)
	p := mustProblem(t, resp, b, 400)
	for _, want := range []string{"/@context/1/ex", "/epcisBody/eventList/0/@context/0/ev"} {
		if !hasPointer(p, want) {
			t.Errorf("no error at %s: %s", want, b)
		}
	}
	if hasPointer(p, "/@context/1/ok") {
		t.Errorf("a valid prefix refused: %s", b)
	}
	if resp, b := do(t, "GET", ts.URL+"/epcis/events", viewerSecret, nil, nil); resp.StatusCode != 200 || strings.Contains(string(b), "0614141.107346") {
		t.Errorf("a refused document stored events: %d %s", resp.StatusCode, b)
	}
}
