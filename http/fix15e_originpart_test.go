package http_test

import (
	"encoding/json"
	"math"
	"testing"
)

// TestOriginAPIReadsThePartAtItsOwnAssay (issue 15, fix15e; docs/origin.md
// "An assay is of what stood where it was taken"): lot ON1, 20,000 kg at
// the mine, moisture 8 %, TREO 20 % dry; 5,000 kg shipped to Karachi,
// received and assayed there at TREO 25 % dry. GET
// /api/v1/lots/{id}/origin gives aggregates.TREO.tonnes = 15 × 0.92 ×
// 20 % + 5 × 0.92 × 25 % = 2.76 + 1.15 = 3.91 t, not 18.4 × 20 % = 3.68.
func TestOriginAPIReadsThePartAtItsOwnAssay(t *testing.T) {
	srv := MustServe(t, false, nil)
	body := onwardDoc(`{"type": "ObjectEvent", "eventID": "urn:t:on:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "urn:t:site:mine"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": 20000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08, "cm:assay": [{"cm:analyte": "TREO", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		onwardShip("s1", "2025-11-02T00:00:00Z", "mine", "karachi", "5000", "1"),
		`{"type": "ObjectEvent", "eventID": "urn:t:on:r1", "eventTime": "2025-11-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	 "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": 5000, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}`,
		`{"type": "ObjectEvent", "eventID": "urn:t:on:a1", "eventTime": "2025-11-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "sampling",
	 "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:ON1"}],
	 "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/TREO", "value": 25, "uom": "P1", "cm:basis": "dry"}]}]}`)
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, body, nil); resp.StatusCode >= 300 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "GET", srv.URL+"/api/v1/lots/urn:t:lot:ON1/origin", operatorSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("origin: %d %s", resp.StatusCode, b)
	}
	var v struct {
		Aggregates map[string]struct {
			Tonnes float64 `json:"tonnes"`
		} `json:"aggregates"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	want := 15*0.92*0.20 + 5*0.92*0.25
	if got := v.Aggregates["TREO"].Tonnes; math.Abs(got-want) > 1e-4 {
		t.Errorf("aggregates.TREO.tonnes %v, want %v (each part at its own assay)\n%s", got, want, b)
	}
}
