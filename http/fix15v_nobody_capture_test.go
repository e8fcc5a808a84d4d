package http_test

import (
	"strings"
	"testing"
)

// TestCaptureNoBodyElsewhereSaysWhereItStands (issue 15, fix15v D1):
// lot V1, 30,000 kg at Karachi, leaves whole as 20,000 kg to Houston and
// 10,000 kg to Baltimore, both received: it stands as 20 t at Houston
// and 10 t at Baltimore, nothing at Karachi. A raw POST /epcis/capture of
// a shipping from Karachi, or of a run fed the lot at Karachi, is a
// conflict (409) that says so — before, the shipping read "only 0 t of
// its 30 t remain" and the run "0 t in transit, 0 t remaining".
func TestCaptureNoBodyElsewhereSaysWhereItStands(t *testing.T) {
	srv := MustServe(t, false, nil)
	recv := func(id, when, site, kg, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:v1:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	 "bizLocation": {"id": "urn:t:site:` + site + `"}, "quantityList": [{"epcClass": "urn:t:lot:V1", "quantity": ` + kg + `, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]}`
	}
	body := onwardDoc(`{"type": "ObjectEvent", "eventID": "urn:t:v1:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:V1", "quantity": 30000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		strings.ReplaceAll(onwardShip("s1", "2025-11-02T00:00:00Z", "karachi", "houston", "20000", "1"), "ON1", "V1"),
		strings.ReplaceAll(onwardShip("s2", "2025-11-03T00:00:00Z", "karachi", "baltimore", "10000", "2"), "ON1", "V1"),
		recv("r1", "2025-11-20T00:00:00Z", "houston", "20000", "1"),
		recv("r2", "2025-11-21T00:00:00Z", "baltimore", "10000", "2"))
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, body, nil); resp.StatusCode >= 300 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	for what, ev := range map[string]string{
		"shipping from Karachi": strings.ReplaceAll(onwardShip("s3", "2025-11-25T00:00:00Z", "karachi", "hub", "1000", "3"), "ON1", "V1"),
		"run fed at Karachi": `{"type": "TransformationEvent", "eventID": "urn:t:v1:run", "eventTime": "2025-11-25T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:v1",
	 "bizLocation": {"id": "urn:t:site:karachi"}, "inputQuantityList": [{"epcClass": "urn:t:lot:V1", "quantity": 1000, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:V1-out", "quantity": 1000, "uom": "KGM"}]}`,
	} {
		resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, onwardDoc(ev), nil)
		if resp.StatusCode != 409 {
			t.Errorf("%s: %d %s; want 409", what, resp.StatusCode, b)
			continue
		}
		for _, want := range []string{"nothing of lot urn:t:lot:V1 stands at urn:t:site:karachi", "20 t at urn:t:site:houston, 10 t at urn:t:site:baltimore"} {
			if !strings.Contains(string(b), want) {
				t.Errorf("%s: refusal %s\n does not say %q", what, b, want)
			}
		}
		if strings.Contains(string(b), "in transit") {
			t.Errorf("%s: refusal says in transit: %s", what, b)
		}
	}
}
