package http_test

import (
	"strings"
	"testing"
)

// TestFirstRecordOriginRefused409 (fixUu, issue 9 §2): through
// /epcis/capture, a lot first recorded (no ILMD) at the Chinese mine cn
// and later stated cm:originCountry PAK by an event at the Chinese
// warehouse cnw is refused 409 — the record holds the first record —
// naming the lot, both countries, the first record and the mine; the
// event is not stored. Before it was accepted (202) and the lot flagged
// origin_conflict.
func TestFirstRecordOriginRefused409(t *testing.T) {
	ts := MustServe(t, false, nil)
	first := strings.Replace(fixBbLot("F", "cn"), `,
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}`, "", 1)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(strings.Replace(fixBbDoc, "LOTS", first, 1)), nil); resp.StatusCode >= 300 {
		t.Fatalf("capture of F's first record: %d %s", resp.StatusCode, b)
	}
	stating := strings.NewReplacer(`"urn:t:ev:F"`, `"urn:t:ev:F1"`, `"commissioning"`, `"receiving"`, "2025-10-01T", "2025-10-05T", "urn:t:site:cn", "urn:t:site:cnw").Replace(fixBbLot("F", "cn"))
	resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(strings.Replace(fixBbDoc, "LOTS", stating, 1)), nil)
	for _, w := range []string{"/ilmd/cm:originCountry", "urn:t:lot:F", "Pakistan (PAK)", "China (CHN)", "urn:t:ev:F", "urn:t:site:cn"} {
		if resp.StatusCode != 409 || !strings.Contains(string(b), w) {
			t.Errorf("capture of the statement: %d %s, want 409 naming %q", resp.StatusCode, b, w)
		}
	}
	if resp, b := do(t, "GET", ts.URL+"/epcis/events/urn:t:ev:F", operatorSecret, nil, nil); resp.StatusCode != 200 {
		t.Errorf("stored event F: %d %s, want 200", resp.StatusCode, b)
	}
	if resp, b := do(t, "GET", ts.URL+"/epcis/events/urn:t:ev:F1", operatorSecret, nil, nil); resp.StatusCode != 404 {
		t.Errorf("refused event F1: %d %s, want 404 (nothing stored)", resp.StatusCode, b)
	}
}
