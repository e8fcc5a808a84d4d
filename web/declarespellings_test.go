package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestDeclareSpellings (issue 8 §1–2, issue 15 §1; fixSs): an eventID
// is one identity in every spelling (epcis.CanonicalEventID: a UUID URN
// in any case). On the Declare form, the page's own event listed again
// under "also" in another spelling is refused at its line (400, not a
// 409 of the capture), as is one event listed twice in two spellings;
// nothing is captured. Listed once, the preview counts 2 events: the
// page's and the other.
func TestDeclareSpellings(t *testing.T) {
	ts := MustServe(t, false, nil)
	const g1, g2 = "urn:uuid:6f1e0c1a-8b7d-4c1e-9a2b-00000000000a", "urn:uuid:6f1e0c1a-8b7d-4c1e-9a2b-00000000000b"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "` + g1 + `", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:G", "quantity": 7, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"}},
  {"type": "ObjectEvent", "eventID": "` + g2 + `", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:G", "quantity": 7, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"}}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	page := ts.URL + "/events/" + url.PathEscape(g1) + "/declare"
	upper := func(id string) string { return "URN:UUID:" + strings.ToUpper(id[len("urn:uuid:"):]) }
	for _, c := range []struct {
		also, want string
	}{
		// The page names an eventID as written or by its canonical
		// form (a reference's data-id): compared without regard to case.
		{upper(g1), `line 1: event ` + g1 + ` is the event of this page`},
		{g2 + "\n" + upper(g2), `line 2: event ` + g2 + ` is listed twice`},
		{upper(g2) + "\n" + g2, `line 2: event ` + g2 + ` is listed twice`},
	} {
		for _, step := range []string{"preview", "capture"} {
			v := url.Values{"reason": {"incorrect_data"}, "also": {c.also}, "step": {step}}
			resp, b := do(t, "POST", page, operatorSecret, []byte(v.Encode()), formHeader)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(strings.ToLower(plainRefs(b)), strings.ToLower(c.want)) || strings.Contains(string(b), "declare-confirm") {
				t.Errorf("%s, also %q: %d; want 400 with %q\n%s", step, c.also, resp.StatusCode, c.want, b)
			}
		}
	}
	accept := map[string]string{"Accept": "text/html"}
	for _, id := range []string{g1, g2} {
		if _, b := do(t, "GET", ts.URL+"/events/"+url.PathEscape(id), operatorSecret, nil, accept); strings.Contains(string(b), `id="event-declared"`) {
			t.Errorf("event %s is declared in error after refused forms", id)
		}
	}
	v := url.Values{"reason": {"incorrect_data"}, "also": {upper(g2)}, "step": {"preview"}}
	resp, b := do(t, "POST", page, operatorSecret, []byte(v.Encode()), formHeader)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "2 events are declared in error together") {
		t.Errorf("preview of g1 with g2 in capitals: %d; want 200 counting 2 events\n%s", resp.StatusCode, b)
	}
}
