package web_test

import (
	"encoding/json"
	"html"
	"math"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// TestDemoNdPrPartShipped (issue 9, new-user check): the demo's NdPr
// oxide lot NDPR-2025-001 (2,530 kg out of run MO-REE-001) ships 1,150
// kg to Fort Worth under B/L MO-FTW-2025-1027 (the trade demo). The lot
// stays 2.53 t; the part in transit is 1.15 t; 2.53 − 1.15 = 1.38 t
// remains at the refinery, in stock. The JSON and the lot page say so;
// the shipment page shows the 1.15 t it carried.
func TestDemoNdPrPartShipped(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(t.Context(), ts.Trade()); err != nil {
		t.Fatal(err)
	}
	id := url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001")
	_, b := do(t, "GET", ts.URL+"/api/v1/lots/"+id, "", nil, map[string]string{"Accept": "application/json"})
	var v struct {
		WetTonnes, RemainingWetTonnes, InTransitTonnes, PartsShippedTonnes float64
		Status, Location                                                   string
		Parts                                                              []struct {
			Tonnes       float64
			Status       string
			BillOfLading string
		}
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("lot JSON: %v\n%s", err, b)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(v.WetTonnes, 2.53) || !near(v.InTransitTonnes, 1.15) || !near(v.PartsShippedTonnes, 1.15) || !near(v.RemainingWetTonnes, 1.38) ||
		v.Status != "in_stock" || v.Location != "urn:critmin:demo:site:refinery-mo" || len(v.Parts) != 1 ||
		v.Parts[0].Status != "in_transit" || v.Parts[0].BillOfLading != "urn:critmin:demo:bol:MO-FTW-2025-1027" {
		t.Errorf("lot JSON %+v; want 2.53 t, 1.15 t in transit under MO-FTW-2025-1027, 1.38 t remaining in stock at the refinery", v)
	}
	_, b = do(t, "GET", ts.URL+"/lots/"+id, "", nil, nil)
	page := html.UnescapeString(string(b))
	text := regexp.MustCompile(`\s+`).ReplaceAllString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(page, " "), " ")
	for _, want := range []string{"Wet mass 2.53 wmt", "Remaining 1.38 wmt at", "1.15 wmt in transit", "Part shipped 1.15 wmt from"} {
		if !strings.Contains(text, want) {
			t.Errorf("lot page lacks %q", want)
		}
	}
	// The shipment page shows the part it carried, 1.15 t, not the lot.
	_, b = do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:critmin:demo:bol:MO-FTW-2025-1027"), "", nil, nil)
	if page := html.UnescapeString(string(b)); !strings.Contains(page, "1.15 t (1,150 kg)") || strings.Contains(page, "2.53 t") {
		t.Errorf("the shipment page does not show the 1.15 t part shipped (or shows the lot's 2.53 t)")
	}
}
