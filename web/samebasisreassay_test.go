package web_test

import (
	"encoding/json"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestSameBasisReassaySuperseded (issue 9, fix9n 4): a re-assay on the
// same basis marks the older superseded in the lot JSON and on the lot
// page, as a re-assay on another basis does; only the newer holds
// contained tonnes. S: 12 t dry, Pr 1 % dry (1 October), Pr 1.5 % dry (5
// October): 12 × 1.5 % = 0.18 t Pr in effect, never 0.12 + 0.18.
func TestSameBasisReassaySuperseded(t *testing.T) {
	ts := MustServe(t, true, nil)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisBody": {"eventList": [
  {"type": "ObjectEvent", "eventID": "urn:t:ev:S0", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:S", "quantity": 12, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
  {"type": "ObjectEvent", "eventID": "urn:t:ev:S1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:S"}],
   "sensorElementList": [{"sensorReport": [{"type": "gs1:MT-MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr", "value": 1.5, "uom": "P1", "cm:basis": "dry"}]}]}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	lot := url.PathEscape("urn:t:lot:S")
	_, b := do(t, "GET", ts.URL+"/api/v1/lots/"+lot, "", nil, nil)
	var v struct {
		Assays []struct {
			Analyte      string  `json:"analyte"`
			Value        float64 `json:"value"`
			EventID      string  `json:"eventID"`
			InEffect     bool    `json:"inEffect"`
			SupersededBy *struct {
				EventID string `json:"eventID"`
			} `json:"supersededBy"`
		} `json:"assays"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var older, newer bool
	for _, a := range v.Assays {
		switch {
		case a.Value == 1 && a.EventID == "urn:t:ev:S0":
			older = !a.InEffect && a.SupersededBy != nil && a.SupersededBy.EventID == "urn:t:ev:S1"
		case a.Value == 1.5 && a.EventID == "urn:t:ev:S1":
			newer = a.InEffect && a.SupersededBy == nil
		}
	}
	if !older || !newer || len(v.Assays) != 2 {
		t.Errorf("lot JSON assays %s: want Pr 1 %% superseded by urn:t:ev:S1 and Pr 1.5 %% in effect", b)
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+lot, viewerSecret, nil, map[string]string{"Accept": "text/html"})
	table := regexp.MustCompile(`(?s)<table id="assays" class="stack">.*?</table>`).FindString(string(b))
	if strings.Count(table, "superseded by") != 1 || !strings.Contains(table, "urn:t:ev:S1") && !strings.Contains(table, "S1") || strings.Count(table, "<tr>") != 3 {
		t.Errorf("lot page assays: want two rows, the older marked superseded:\n%s", table)
	}
	if !regexp.MustCompile(`180 kg|0\.18 t`).MatchString(table) || regexp.MustCompile(`120 kg|0\.12 t`).MatchString(table) {
		t.Errorf("lot page assays: only the assay in effect holds contained tonnes (0.18 t):\n%s", table)
	}
}
