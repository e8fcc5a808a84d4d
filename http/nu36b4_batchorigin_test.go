package http_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestFirstRecordOriginAcrossBatches (issue 9, new-user finding
// nu36b-4): a 4,002-event document through /epcis/capture whose event 0
// states lot B4 cm:originCountry PAK (a receipt at the Chinese warehouse
// cnw on 10-05) and whose event 4001 commissions B4 at the Chinese mine
// cn on 10-01 — its first record — is refused 400 at
// /epcisBody/eventList/0/ilmd/cm:originCountry, as the two events alone
// in a document are, and nothing is stored. The 4,000 events between
// commission lots of their own at cnw. The document is staged in
// batches of 1,000 events, so event 0 is in the store when event 4001 is
// checked; before, the answer was 409 at /epcisBody/eventList/4001/eventTime.
func TestFirstRecordOriginAcrossBatches(t *testing.T) {
	ts := MustServe(t, false, nil)
	stating := strings.NewReplacer(`"urn:t:ev:B4"`, `"urn:t:ev:B4s"`, `"commissioning"`, `"receiving"`, "2025-10-01T", "2025-10-05T", "urn:t:site:cn", "urn:t:site:cnw").Replace(fixBbLot("B4", "cn"))
	first := strings.Replace(fixBbLot("B4", "cn"), `,
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}`, "", 1)
	evs := []string{stating}
	for i := range 4000 {
		evs = append(evs, fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:b4f%d", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
  "quantityList": [{"epcClass": "urn:t:lot:b4f%d", "quantity": 1, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:cnw"}}`, i, i))
	}
	evs = append(evs, first)
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(strings.Replace(fixBbDoc, "LOTS", strings.Join(evs, ","), 1)), nil)
	body := string(b)
	if resp.StatusCode != 400 || !strings.Contains(body, `"/epcisBody/eventList/0/ilmd/cm:originCountry"`) || strings.Contains(body, "/epcisBody/eventList/4001/") {
		t.Errorf("capture: %d %s, want 400 at /epcisBody/eventList/0/ilmd/cm:originCountry only", resp.StatusCode, body)
	}
	for _, w := range []string{"urn:t:lot:B4", "Pakistan (PAK)", "China (CHN)", "urn:t:site:cn"} {
		if !strings.Contains(body, w) {
			t.Errorf("refusal does not name %q: %s", w, body)
		}
	}
	for _, id := range []string{"urn:t:ev:B4s", "urn:t:ev:B4", "urn:t:ev:b4f0"} {
		if resp, b := do(t, "GET", ts.URL+"/epcis/events/"+id, operatorSecret, nil, nil); resp.StatusCode != 404 {
			t.Errorf("event %s: %d %s, want 404 (nothing stored)", id, resp.StatusCode, b)
		}
	}
}
