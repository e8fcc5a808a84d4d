package web_test

import (
	"encoding/json"
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestLotPageShowsPartMoisture (issue 15, fix15m): a moisture read where
// a part of a split lot was received is the part's, and the lot page,
// the lot API and the import preview say so. FW-19 holds 19 t at
// Karachi at 5 % moisture (fw19Doc); 5,000 kg ship to Houston under B/L
// FW-19-M, are received there at 5,000 kg and read there at 7 %:
//   - the part line reads "moisture 7 % measured on the part · dry
//     4.65 dmt" (5 × (1 − 0.07) = 4.65 t);
//   - the lot's dry mass is the rest's plus the part's:
//     14 × 0.95 + 4.65 = 13.3 + 4.65 = 17.95 dmt (the whole lot at 7 %
//     read 19 × 0.93 = 17.67 t); its moisture stays 5 %;
//   - the API's part carries "moisture": 0.07 and "dryTonnes": 4.65;
//   - a weighbridge ticket at Karachi of 14,000 kg at 5 % (the rest as
//     recorded) previews valid: dry 13.3 t against 13.3 t (with the
//     part's 7 % taken as the lot's, 14 × 0.93 = 13.02 t, it read
//     +2.2 % and was refused).
func TestLotPageShowsPartMoisture(t *testing.T) {
	ts := fw19Split(t,
		fw19Ship("urn:t:fw19m:s", "2025-11-02T10:00:00+05:00", "FW-19-M", 5000),
		fw19Receive("urn:t:fw19m:r", "2025-11-20T08:00:00-06:00", "FW-19-M", 5000),
		`{"type": "ObjectEvent", "eventID": "urn:t:fw19m:m", "eventTime": "2025-11-20T12:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "sampling",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:FW-19"}], "bizLocation": {"id": "urn:critmin:demo:site:houston"},
  "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 7, "uom": "P1"}]}]}`)
	const karachi, lot = "urn:critmin:demo:site:karachi", "urn:critmin:demo:lot:FW-19"
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape(lot), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	page := string(b)
	part := regexp.MustCompile(`(?s)<dd class="part">(.*?)</dd>`).FindStringSubmatch(page)
	dry := regexp.MustCompile(`(?s)<dd id="dry">(.*?)</dd>`).FindStringSubmatch(page)
	moist := regexp.MustCompile(`(?s)<dd id="moisture">(.*?)</dd>`).FindStringSubmatch(page)
	if resp.StatusCode != http.StatusOK || part == nil || dry == nil || moist == nil {
		t.Fatalf("lot page: %d, part %q, dry %q, moisture %q", resp.StatusCode, part, dry, moist)
	}
	if p := html.UnescapeString(visibleText(part[1])); !strings.Contains(p, "moisture 7 % measured on the part") || !strings.Contains(p, "dry 4.65 dmt") {
		t.Errorf("part line %q; want its moisture (7 %%) measured on the part and its dry mass 4.65 dmt", p)
	}
	if d := html.UnescapeString(visibleText(dry[1])); !strings.HasPrefix(d, "17.95 dmt") || !strings.Contains(d, "= 13.3 dmt") || !strings.Contains(d, "+ 4.65 dmt in parts") {
		t.Errorf("dry mass %q; want 17.95 dmt = 13.3 dmt + 4.65 dmt in parts", d)
	}
	if m := html.UnescapeString(visibleText(moist[1])); !strings.HasPrefix(m, "5 %") {
		t.Errorf("lot moisture %q; want 5 %% (the rest at Karachi)", m)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots/"+lot, operatorSecret, nil, nil)
	var l struct {
		DryTonnes float64 `json:"dryTonnes"`
		Moisture  float64 `json:"moisture"`
		Parts     []struct {
			Moisture        float64 `json:"moisture"`
			MoistureEventID string  `json:"moistureEventID"`
			DryTonnes       float64 `json:"dryTonnes"`
		} `json:"parts"`
	}
	if err := json.Unmarshal(b, &l); err != nil || resp.StatusCode != http.StatusOK || len(l.Parts) != 1 {
		t.Fatalf("lot API: %d %v %s", resp.StatusCode, err, b)
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(l.DryTonnes, 17.95) || !near(l.Moisture, 0.05) || !near(l.Parts[0].Moisture, 0.07) || l.Parts[0].MoistureEventID != "urn:t:fw19m:m" || !near(l.Parts[0].DryTonnes, 4.65) {
		t.Errorf("lot API: %+v; want dry 17.95 t at 5 %%, the part at 0.07 (urn:t:fw19m:m), 4.65 t dry", l)
	}
	v := url.Values{"source": {"karachi-weighbridge"}, "kind": {"weighbridge"}, "csv": {"Ticket,Lot No,Weighed at,Net (kg),Moisture (%)\nK-1," + lot + ",2025-11-21 09:00,14000,5\n"}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"}, "col_moisture_pct": {"Moisture (%)"},
		"def_site": {karachi}, "def_tz": {"+05:00"}}
	resp, imp := postImport(t, ts, v)
	if imp = html.UnescapeString(visibleText(imp)); resp.StatusCode != http.StatusOK || !strings.Contains(imp, "Row 2 — valid") ||
		!strings.Contains(imp, "Mass: recorded at "+karachi+" (of the lot's 19 t) 14 t, weighed 14 t: 0 t (0 %)") {
		t.Errorf("ticket of 14,000 kg at 5 %% at Karachi: %d\n%s", resp.StatusCode, excerpt(imp, "Row 2"))
	}
}
