package http_test

import (
	"encoding/json"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestDeficitRepaidCoversClaimAPI (fix9g defect 3): the origin API and the
// statement API agree that a booked claim a later credit repays reads
// covered again, naming the credit.
//
//	As TestLateInputAssayUncoversClaimAPI: credits 3.6 t, O1's claim
//	  4.0 t booked in full, deficit 0.4 t, O1 0.4 t short.
//	E9G (Oct 22): B, Pakistan, 10 t at Nd 4 % + Pr 1 % → P9, 1 t at Nd
//	  60 % + Pr 20 %: credit min(10 × 5 % × 0.9 = 0.45, 1 × 80 % = 0.8)
//	  = 0.45 t repays the 0.4 t deficit: O1 covered again by E9G.
//	Statement Oct PAK: credits 3.6 + 0.45 = 4.05, claims 4.0, closing
//	  0.05, no deficit, no booked claim refused.
func TestDeficitRepaidCoversClaimAPI(t *testing.T) {
	ts, base := mbfxServe(t, strings.Replace(mbDoc, `"outputQuantityList": [{"epcClass": "urn:t:lot:O1", "quantity": 2,`, `"outputQuantityList": [{"epcClass": "urn:t:lot:O1", "quantity": 5,`, 1))
	assay := mbfxDoc(`{"type": "ObjectEvent", "eventID": "urn:t:ev:AS9", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
   "quantityList": [{"epcClass": "urn:t:lot:A"}],
   "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Nd", "value": 3, "uom": "P1", "cm:basis": "dry"}]}]}`)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(assay), nil); resp.StatusCode != 202 {
		t.Fatalf("late assay: %d %s", resp.StatusCode, b)
	}
	ts.Svc.Now = func() time.Time { return time.Date(2025, 10, 22, 12, 0, 0, 0, time.UTC) }
	credit := mbfxDoc(mbfxFeed("B", "PAK", 10), mbfxOxideRun("E9G", "2025-10-22T00:00:00Z", "B", 10, "P9", 1, ""))
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(credit), nil); resp.StatusCode != 202 {
		t.Fatalf("credit run: %d %s", resp.StatusCode, b)
	}
	var o struct {
		Claimed struct {
			Status       string   `json:"status"`
			Shortfall    float64  `json:"shortfall"`
			CoveredBy    []string `json:"coveredBy"`
			CoverageNote string   `json:"coverageNote"`
		} `json:"claimed"`
	}
	_, b := do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:O1")+"/origin", "", nil, nil)
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	if c := o.Claimed; c.Status != "accepted" || c.Shortfall != 0 || strings.Join(c.CoveredBy, " ") != "urn:t:ev:E9G" || !strings.Contains(c.CoverageNote, "urn:t:ev:E9G") {
		t.Errorf("O1 after E9G: %+v, want accepted, covered again by urn:t:ev:E9G", c)
	}
	_, b = do(t, "GET", base+"/statement?period=2025-10", "", nil, nil)
	var st custody.Statement
	if err := json.Unmarshal(b, &st); err != nil || len(st.Categories) == 0 {
		t.Fatalf("statement: %v %s", err, b)
	}
	for _, l := range st.Categories[0].Lines {
		if l.Country == "PAK" && (math.Abs(l.Credits-4.05) > 1e-9 || math.Abs(l.Claims-4.0) > 1e-9 || math.Abs(l.Closing-0.05) > 1e-9 || len(l.DeficitBy) != 0) {
			t.Errorf("PAK line %+v, want credits 4.05, claims 4.0, closing 0.05, no deficit", l)
		}
	}
	for _, r := range st.Refused {
		if r.Booked {
			t.Errorf("statement still lists %s booked, short %v t", r.Lot, r.Shortfall)
		}
	}
	if !strings.Contains(string(b), "urn:t:ev:E9G") {
		t.Errorf("statement does not name the credit that covered O1:\n%s", b)
	}
}
