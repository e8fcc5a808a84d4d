package http_test

import (
	"encoding/json"
	"testing"
)

// TestInTransitTonnesCountsALotShippedWhole (issue 15, fix15z): lot ON1,
// 30,000 kg at Karachi, shipped whole to Houston (30,000 kg, B/L 1): the
// whole 30 t are at sea, so GET /api/v1/lots/{id} gives inTransitTonnes
// 30 (it gave 0: only parts shipped away from a rest counted), the same
// 30 t as its inTransit list. A lot shipped in part (10,000 kg of 30,000)
// still counts its part only: 10 t.
func TestInTransitTonnesCountsALotShippedWhole(t *testing.T) {
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:on:c", "eventTime": "2025-11-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	 "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:ON1", "quantity": 30000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}}`
	for _, c := range []struct {
		kg   string
		want float64
	}{{"30000", 30}, {"10000", 10}} {
		srv := MustServe(t, false, nil)
		if resp, b := do(t, "POST", srv.URL+"/epcis/capture", operatorSecret, onwardDoc(commission, onwardShip("s1", "2025-11-02T00:00:00Z", "karachi", "houston", c.kg, "1")), nil); resp.StatusCode >= 300 {
			t.Fatalf("capture: %d %s", resp.StatusCode, b)
		}
		for _, path := range []string{"/api/v1/lots/urn:t:lot:ON1", "/api/v1/lots"} {
			resp, b := do(t, "GET", srv.URL+path, operatorSecret, nil, nil)
			if resp.StatusCode != 200 {
				t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
			}
			type lot struct {
				InTransitTonnes float64 `json:"inTransitTonnes"`
				InTransit       []struct {
					Tonnes float64 `json:"tonnes"`
				} `json:"inTransit"`
			}
			var l lot
			if path == "/api/v1/lots" {
				var list struct {
					Lots []lot `json:"lots"`
				}
				if err := json.Unmarshal(b, &list); err != nil || len(list.Lots) != 1 {
					t.Fatalf("%s: %v %s", path, err, b)
				}
				l = list.Lots[0]
			} else if err := json.Unmarshal(b, &l); err != nil {
				t.Fatal(err)
			}
			sum := 0.0
			for _, x := range l.InTransit {
				sum += x.Tonnes
			}
			if l.InTransitTonnes != c.want || sum != c.want {
				t.Errorf("%s kg shipped, %s: inTransitTonnes %v, inTransit summing to %v; want %v", c.kg, path, l.InTransitTonnes, sum, c.want)
			}
		}
	}
}
