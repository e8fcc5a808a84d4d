package web_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestDeclarationHashExplained (new-user finding nu37b-6): a declared
// event's page shows a "Declaration hash" equal to its "Event hash" with
// no word why. The CBV 2.0 event hash (§8.9) leaves out errorDeclaration,
// so the declaration — the event restated with its errorDeclaration —
// hashes the same; the page says so beside it.
func TestDeclarationHashExplained(t *testing.T) {
	ts := MustServe(t, true, nil)
	ship := `{"type": "ObjectEvent", "eventID": "urn:t:ev:S2", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
  "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 20, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:pkkhi"}`
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:S1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 20, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:mine"}},
  ` + ship + `},
  ` + ship + `, "errorDeclaration": {"declarationTime": "2025-10-06T00:00:00Z", "reason": "incorrect_data"}}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	_, b := do(t, "GET", ts.URL+"/events/urn:t:ev:S2", "", nil, map[string]string{"Accept": "text/html"})
	page := string(b)
	hash := regexp.MustCompile(`id="event-hash">([^<]*)<`).FindStringSubmatch(page)
	if hash == nil || !strings.Contains(page, `<dt>Declaration hash</dt><dd><span class="mono">`+hash[1]+`</span>`) {
		t.Fatalf("no declaration hash equal to the event hash %v", hash)
	}
	note := regexp.MustCompile(`(?s)id="declaration-hash-note">(.*?)</span>`).FindStringSubmatch(page)
	if note == nil || !strings.Contains(note[1], "The same as the event hash") || !strings.Contains(note[1], "leaves out the errorDeclaration") {
		t.Errorf("declaration hash not explained: %v", note)
	}
}
