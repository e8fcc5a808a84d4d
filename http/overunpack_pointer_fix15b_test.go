package http_test

import (
	"strings"
	"testing"
)

// TestOverUnpackRefusalPointsIntoDocument (issue 15, fix15b): an
// AggregationEvent DELETE unpacking more of a lot than its container holds
// is refused 409 with an RFC 6901 JSON pointer into the submitted
// document — /epcisBody/eventList/{i}/childQuantityList/{j}/quantity, the
// line at fault — not "event {eventID}/…". 10 t commissioned, 6 t packed
// into the container; the DELETE's second line takes 8 t out: 8 > 6 ×
// 1.005 = 6.03, refused. The same holds when the unpacking comes in a
// later document alone (event 0 of that document).
func TestOverUnpackRefusalPointsIntoDocument(t *testing.T) {
	ts := MustServe(t, false, nil)
	const lot, other, box = "urn:t:lot:UNP-1", "urn:t:lot:UNP-2", "urn:t:box:UNP"
	commission := func(id, l string) string {
		return `{"type":"ObjectEvent","eventID":"urn:uuid:` + id + `","eventTime":"2025-10-01T08:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD","bizStep":"commissioning",
		 "bizLocation":{"id":"urn:t:site:mine"},"quantityList":[{"epcClass":"` + l + `","quantity":10,"uom":"TNE"}],"ilmd":{"cm:commodity":"copper_concentrate"}}`
	}
	pack := `{"type":"AggregationEvent","eventID":"urn:uuid:00000000-0000-4000-8000-0000000000c3","eventTime":"2025-10-02T08:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD","bizStep":"packing","parentID":"` + box + `",
	 "bizLocation":{"id":"urn:t:site:mine"},"childQuantityList":[{"epcClass":"` + lot + `","quantity":6,"uom":"TNE"},{"epcClass":"` + other + `","quantity":4,"uom":"TNE"}]}`
	unpack := `{"type":"AggregationEvent","eventID":"urn:uuid:00000000-0000-4000-8000-0000000000c4","eventTime":"2025-10-03T08:00:00Z","eventTimeZoneOffset":"+00:00","action":"DELETE","bizStep":"unpacking","parentID":"` + box + `",
	 "bizLocation":{"id":"urn:t:site:mine"},"childQuantityList":[{"epcClass":"` + other + `","quantity":4,"uom":"TNE"},{"epcClass":"` + lot + `","quantity":8,"uom":"TNE"}]}`
	doc := func(events ...string) []byte {
		return []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"cm":"https://ns.critmin.org/mineral/v1/"}],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-05T10:00:00Z",
		 "epcisBody":{"eventList":[` + strings.Join(events, ",") + `]}}`)
	}
	check := func(name string, body []byte, want string) {
		t.Helper()
		resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, body, nil)
		p := mustProblem(t, resp, b, 409)
		if len(p.Errors) == 0 {
			t.Fatalf("%s: no errors in %s", name, b)
		}
		for _, e := range p.Errors {
			if !strings.HasPrefix(e.Pointer, "/") {
				t.Errorf("%s: pointer %q is not a JSON pointer (RFC 6901): %s", name, e.Pointer, b)
			}
		}
		if p.Errors[0].Pointer != want || !strings.Contains(p.Errors[0].Reason, "unpacks 8 t") {
			t.Errorf("%s: first error %+v, want pointer %s naming 8 t unpacked", name, p.Errors[0], want)
		}
	}
	// One document: commission, commission, pack, over-unpack (event 3).
	check("one document", doc(commission("00000000-0000-4000-8000-0000000000c1", lot), commission("00000000-0000-4000-8000-0000000000c2", other), pack, unpack),
		"/epcisBody/eventList/3/childQuantityList/1/quantity")
	if n := eventCount(t, ts.Store); n != 0 {
		t.Fatalf("%d events stored from a refused document", n)
	}
	// Stored first, then the over-unpack alone (event 0).
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc(commission("00000000-0000-4000-8000-0000000000c1", lot), commission("00000000-0000-4000-8000-0000000000c2", other), pack), nil)
	if resp.StatusCode >= 300 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	check("later document", doc(unpack), "/epcisBody/eventList/0/childQuantityList/1/quantity")
}

// TestConflictRefusalPointsIntoDocument (issue 15, fix15b, same class as
// the over-unpack): a refusal the capture check gives as a conflict with
// the record (409) — an ADD of a lot at a site where the record does not
// put it — names the event's member by its JSON pointer in the document
// (/epcisBody/eventList/0/bizLocation), as the check's 400 refusals do.
func TestConflictRefusalPointsIntoDocument(t *testing.T) {
	ts := MustServe(t, false, nil)
	doc := func(ev string) []byte {
		return []byte(`{"@context":["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld",{"cm":"https://ns.critmin.org/mineral/v1/"}],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"2025-10-05T10:00:00Z",
		 "epcisBody":{"eventList":[` + ev + `]}}`)
	}
	commission := `{"type":"ObjectEvent","eventID":"urn:uuid:00000000-0000-4000-8000-0000000000d1","eventTime":"2025-10-01T08:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD","bizStep":"commissioning",
	 "bizLocation":{"id":"urn:t:site:mine"},"quantityList":[{"epcClass":"urn:t:lot:ELS-1","quantity":10,"uom":"TNE"}],"ilmd":{"cm:commodity":"copper_concentrate"}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc(commission), nil); resp.StatusCode >= 300 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	add := `{"type":"ObjectEvent","eventID":"urn:uuid:00000000-0000-4000-8000-0000000000d2","eventTime":"2025-10-03T08:00:00Z","eventTimeZoneOffset":"+00:00","action":"ADD",
	 "bizLocation":{"id":"urn:t:site:port"},"quantityList":[{"epcClass":"urn:t:lot:ELS-1"}]}`
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, doc(add), nil)
	p := mustProblem(t, resp, b, 409)
	if len(p.Errors) == 0 || p.Errors[0].Pointer != "/epcisBody/eventList/0/bizLocation" || strings.Contains(p.Detail, "event urn:uuid:") && strings.Contains(p.Detail, "d2/bizLocation") {
		t.Errorf("refusal %s, want pointer /epcisBody/eventList/0/bizLocation (and no \"event ID/field\" in its detail)", b)
	}
}
