package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestEventPageShowsLocalTimeInOwnOffset (issue 15, fix15g item 4): an
// event at 2025-10-01T04:30:00Z recorded with eventTimeZoneOffset +05:00
// (Pakistan) shows its UTC time, its local time at the site in that
// offset — 04:30 + 5 h = 09:30 on 1 October — labelled with the offset,
// and its record time.
func TestEventPageShowsLocalTimeInOwnOffset(t *testing.T) {
	ts := MustServe(t, true, nil)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:L1", "eventTime": "2025-10-01T04:30:00Z", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mine"}}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	_, b := do(t, "GET", ts.URL+"/events/"+url.PathEscape("urn:t:ev:L1"), "", nil, map[string]string{"Accept": "text/html"})
	dd := func(id string) string {
		m := regexp.MustCompile(`(?s)<dd id="` + id + `">(.*?)</dd>`).FindStringSubmatch(string(b))
		if m == nil {
			t.Fatalf("no %s", id)
		}
		return visibleText(m[1])
	}
	if got := dd("event-time"); got != "2025-10-01 04:30 UTC" {
		t.Errorf("event time %q", got)
	}
	if got := dd("event-local-time"); !strings.HasPrefix(got, "2025-10-01 09:30 (UTC+05:00)") || !strings.Contains(got, "eventTimeZoneOffset +05:00") {
		t.Errorf("local time %q; want 2025-10-01 09:30 (UTC+05:00), labelled with the offset", got)
	}
	if got := dd("event-record-time"); !strings.Contains(got, "UTC") {
		t.Errorf("record time %q", got)
	}
	if !strings.Contains(string(b), "<dt>Local time at the site</dt>") {
		t.Error("local time not labelled")
	}
}
