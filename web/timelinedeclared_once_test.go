package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestLotTimelineShowsDeclaredEventOnce (issue 15, fix15g item 3): a
// shipping event of lot S (S2, at Karachi) declared in error on
// 2025-10-06 (reason incorrect_data, corrected by S2c) is one line of
// the lot's timeline — not a second line for the declaration, which
// repeats its eventID — marked declared in error with the reason and the
// declaration's time, linked to its event page. So is it on the
// shipment page of its container.
//
// The lot is commissioned read at its mine and at no site (readPoint, no
// bizLocation), so that both the retracted shipment and its correction
// ship it from where it may be.
func TestLotTimelineShowsDeclaredEventOnce(t *testing.T) {
	ts := MustServe(t, true, nil)
	ship := func(id, site string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
  "bizStep": "shipping", "disposition": "in_transit", "epcList": ["urn:t:container:C1"], "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:` + site + `"}`
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:S1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 20, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"}},
  ` + ship("S2", "pkkhi") + `},
  ` + ship("S2", "pkkhi") + `, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:t:ev:S2c"]}},
  ` + ship("S2c", "pkbqm") + `}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	for _, c := range []struct{ page, list string }{
		{"/lots/" + url.PathEscape("urn:t:lot:S"), "timeline"},
		{"/shipments/" + url.PathEscape("urn:t:container:C1"), "shipment-timeline"},
	} {
		_, b := do(t, "GET", ts.URL+c.page, "", nil, map[string]string{"Accept": "text/html"})
		m := regexp.MustCompile(`(?s)<ul class="timeline" id="` + c.list + `">(.*?)</ul>`).FindStringSubmatch(string(b))
		if m == nil {
			t.Fatalf("%s: no %s", c.page, c.list)
		}
		var lines []string
		for _, li := range strings.Split(m[1], "<li")[1:] {
			if strings.Contains(li, `href="/events/urn:t:ev:S2"`) {
				lines = append(lines, visibleText("<li"+li))
			}
		}
		if len(lines) != 1 {
			t.Fatalf("%s: S2 on %d lines; want 1: %q", c.page, len(lines), lines)
		}
		for _, want := range []string{"declared in error (retracted: incorrect data)", "declaration of 2025-10-06 00:00 UTC"} {
			if !strings.Contains(lines[0], want) {
				t.Errorf("%s: S2's line %q lacks %q", c.page, lines[0], want)
			}
		}
		if strings.Contains(lines[0], "error declaration") {
			t.Errorf("%s: S2's line is shown as the declaration: %q", c.page, lines[0])
		}
	}
}
