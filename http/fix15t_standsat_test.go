package http_test

import (
	"encoding/json"
	"math"
	"testing"
)

// TestLotStandsAtInTheAPI (issue 15, fix15t item 4): lot ON1, 30,000 kg
// at Karachi, leaves whole as 20,000 kg to Houston (B/L 1) and, last,
// 10,000 kg to Baltimore (B/L 2), both received. GET /api/v1/lots/{id}
// names Houston as its location, where most of it stands (20 t > 10 t;
// it named Baltimore, where its last part went), and lists standsAt:
// Houston 20 t and Baltimore 10 t, wet and dry (5 % moisture: 19 t and
// 9.5 t dry), no body.
func TestLotStandsAtInTheAPI(t *testing.T) {
	srv := MustServe(t, false, nil)
	recv := func(id, when, site, kg, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:on:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	 "bizLocation": {"id": "urn:t:site:` + site + `"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": ` + kg + `, "uom": "KGM"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]}`
	}
	body := onwardDoc(`{"type": "ObjectEvent", "eventID": "urn:t:on:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": 30000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		onwardShip("s1", "2025-11-02T00:00:00Z", "karachi", "houston", "20000", "1"),
		onwardShip("s2", "2025-11-03T00:00:00Z", "karachi", "baltimore", "10000", "2"),
		recv("r1", "2025-11-20T00:00:00Z", "houston", "20000", "1"),
		recv("r2", "2025-11-21T00:00:00Z", "baltimore", "10000", "2"))
	if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, body, nil); resp.StatusCode >= 300 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	resp, b := do(t, "GET", srv.URL+"/api/v1/lots/urn:t:lot:ON1", operatorSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("lot: %d %s", resp.StatusCode, b)
	}
	var v struct {
		Location string `json:"location"`
		StandsAt []struct {
			Site      string  `json:"site"`
			WetTonnes float64 `json:"wetTonnes"`
			DryTonnes float64 `json:"dryTonnes"`
			Body      bool    `json:"body"`
		} `json:"standsAt"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	if v.Location != "urn:t:site:houston" {
		t.Errorf("location %q, want urn:t:site:houston (20 t there, 10 t at Baltimore)", v.Location)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if len(v.StandsAt) != 2 || v.StandsAt[0].Site != "urn:t:site:houston" || !near(v.StandsAt[0].WetTonnes, 20) || !near(v.StandsAt[0].DryTonnes, 19) ||
		v.StandsAt[1].Site != "urn:t:site:baltimore" || !near(v.StandsAt[1].WetTonnes, 10) || !near(v.StandsAt[1].DryTonnes, 9.5) || v.StandsAt[0].Body || v.StandsAt[1].Body {
		t.Errorf("standsAt %+v; want Houston 20 t (19 t dry), Baltimore 10 t (9.5 t dry), no body", v.StandsAt)
	}
}
