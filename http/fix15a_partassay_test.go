package http_test

import (
	"encoding/json"
	"testing"
)

// TestLotJSONPartAssayIsThePartsOwn (issue 15, fix15a; docs/origin.md
// "An assay is of what stood where it was taken"): lot ON1, 20,000 kg
// dry at the mine, Nd 5 % (dry); 5,000 kg shipped to Karachi (B/L 1),
// received, and assayed there at Nd 4 %. GET /api/v1/lots/{id} lists the
// lot's Nd 5 % in effect (it read "inEffect": false, superseded by the
// Karachi assay) and the Karachi assay as the part's ("site" Karachi, in
// effect for that part); the part carries its assays (Nd 4 % newest).
func TestLotJSONPartAssayIsThePartsOwn(t *testing.T) {
	srv := MustServe(t, false, nil)
	body := onwardDoc(`{"type": "ObjectEvent", "eventID": "urn:t:on:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "urn:t:site:mine"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": 20000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		onwardShip("s1", "2025-11-02T00:00:00Z", "mine", "karachi", "5000", "1"),
		`{"type": "ObjectEvent", "eventID": "urn:t:on:r1", "eventTime": "2025-11-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	 "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": 5000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`,
		`{"type": "ObjectEvent", "eventID": "urn:t:on:a1", "eventTime": "2025-11-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "sampling",
	 "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:ON1"}],
	 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 4, "uom": "P1", "cm:basis": "dry"}]}]}`)
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, body, nil); resp.StatusCode >= 300 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "GET", srv.URL+"/api/v1/lots/urn:t:lot:ON1", operatorSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("lot: %d %s", resp.StatusCode, b)
	}
	type assay struct {
		Analyte  string  `json:"analyte"`
		Value    float64 `json:"value"`
		EventID  string  `json:"eventID"`
		InEffect bool    `json:"inEffect"`
		Site     string  `json:"site"`
	}
	var v struct {
		Assays []assay `json:"assays"`
		Parts  []struct {
			Assays []assay `json:"assays"`
		} `json:"parts"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	var lot, part *assay
	for i, a := range v.Assays {
		switch {
		case a.Analyte == "Nd" && a.Value == 5:
			lot = &v.Assays[i]
		case a.Analyte == "Nd" && a.Value == 4:
			part = &v.Assays[i]
		}
	}
	if lot == nil || !lot.InEffect || lot.Site != "" {
		t.Errorf("the lot's Nd 5 %%: %+v; want in effect, of the lot (all assays %+v)", lot, v.Assays)
	}
	if part == nil || !part.InEffect || part.Site != "urn:t:site:karachi" {
		t.Errorf("the Karachi Nd 4 %%: %+v; want in effect for the part at Karachi (all assays %+v)", part, v.Assays)
	}
	if len(v.Parts) != 1 || len(v.Parts[0].Assays) != 1 || v.Parts[0].Assays[0].Value != 4 {
		t.Errorf("parts %+v; want one part with its own Nd 4 %% (superseding the 5 %% it left with)", v.Parts)
	}
}
