package web_test

import (
	"encoding/json"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// supersededDoc: lot S, 12 t wet at 10 % moisture (10.8 t dry), assayed
// Pr 1 % dry at commissioning (event S0, Oct 1); re-assayed on Oct 5
// (event S1) at Pr 1.8 % as received with 10 % H2O measured with it =
// 1.8 / (1 − 0.10) = 2 % dry.
const supersededDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:S0", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 12, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.1, "cm:assay": [{"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:S1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:S"}],
   "sensorElementList": [{"sensorReport": [{"type": "gs1:MT-MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": 1.8, "uom": "P1", "cm:basis": "as_received"},
    {"type": "gs1:MT-MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 10, "uom": "P1"}]}]}]}}`

// TestSupersededAssayHoldsNoContained (issue 9, new-user check 2): the
// lot page listed both assays with their own contained figures — 10.8 t
// × 1 % = 108 kg and 10.8 t × 2 % = 216 kg, 324 kg in all, for a lot that
// holds 216 kg. Now the superseded Pr 1 % row says "superseded by event
// urn:t:ev:S1" with its date and no contained figure; only the assay in
// effect shows 216 kg. The lot JSON marks it the same way.
func TestSupersededAssayHoldsNoContained(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(supersededDoc)}); err != nil {
		t.Fatal(err)
	}
	s := url.PathEscape("urn:t:lot:S")
	resp, b := do(t, "GET", ts.URL+"/lots/"+s, "", nil, map[string]string{"Accept": "text/html"})
	page := html.UnescapeString(string(b))
	if resp.StatusCode != 200 || !strings.Contains(page, "216 kg") || strings.Contains(page, "108 kg") || !strings.Contains(page, "superseded by") || !strings.Contains(page, "2025-10-05") {
		t.Errorf("lot page (%d): want 216 kg only and the 1 %% row superseded by S1 of 2025-10-05:\n%s", resp.StatusCode, page)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots/"+s, "", nil, nil)
	var v struct {
		Assays []struct {
			Value        float64 `json:"value"`
			InEffect     bool    `json:"inEffect"`
			SupersededBy *struct {
				EventID string `json:"eventID"`
			} `json:"supersededBy"`
		} `json:"assays"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(b, &v) != nil || len(v.Assays) != 2 {
		t.Fatalf("lot JSON %d %s", resp.StatusCode, b)
	}
	for _, a := range v.Assays {
		switch a.Value {
		case 1:
			if a.InEffect || a.SupersededBy == nil || a.SupersededBy.EventID != "urn:t:ev:S1" {
				t.Errorf("Pr 1 %%: %+v, want superseded by urn:t:ev:S1", a)
			}
		case 1.8:
			if !a.InEffect || a.SupersededBy != nil {
				t.Errorf("Pr 1.8 %%: %+v, want in effect", a)
			}
		}
	}
}
