package web_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestLotPageClaimRetractedByWeighing (issue 9, fix9m item 5): a claim
// refused because a weighing it rested on was declared in error names
// that event on the lot page, as retractedBy does in the API. Site mb,
// REE factor 0.9:
//
//	W, Pakistan, 10 t at Nd 4 % + Pr 1 %; weighing wt (Oct 3): 100 t
//	E1 (Oct 5): W 100 t → O1 2 t at Nd 60 % + Pr 20 %, claiming Pakistan
//	wt declared in error: credits 10 × 5 % × 0.9 = 0.45 t; O1 counts
//	  1.6 t (its assay, fix9y) → refused; the refused claim
//	  states its figure as accepted when made, 2 × 80 % = 1.6 t (fix9r),
//	  shortfall 1.6 − 0.45 = 1.15 t (before: 0.5 t, shortfall 0.05 t)
func TestLotPageClaimRetractedByWeighing(t *testing.T) {
	ts := MustServeUnchecked(t, true, nil)
	head := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
 "epcisHeader": {"epcisMasterData": {"vocabularyList": [{"type": "urn:epcglobal:epcis:vtype:BusinessLocation", "vocabularyElementList": [
   {"id": "urn:t:site:mb", "attributes": [{"id": "https://ns.critmin.org/mineral/v1/custodyModel", "attribute": "mass_balance"}]}]}]}},
 "epcisBody": {"eventList": [`
	wt := `{"type": "ObjectEvent", "eventID": "urn:t:ev:wt", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
   "quantityList": [{"epcClass": "urn:t:lot:W"}], "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 100, "uom": "TNE"}]}]`
	doc := head + `{"type": "ObjectEvent", "eventID": "urn:t:ev:W", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}],
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}},
  ` + wt + `},
  {"type": "TransformationEvent", "eventID": "urn:t:ev:E1", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:W", "quantity": 100, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:O1", "quantity": 2, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}], "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]}}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if err := custody.DeclareMassBalance(t.Context(), ts.Store, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	decl := head + wt + `, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"}}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(decl)}); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:O1"), "", nil, nil)
	page := string(b)
	for _, want := range []string{"Claim not covered", "shortfall 1.15 t", `id="claim-retracted-by"`, `href="/events/urn:t:ev:wt"`} {
		if resp.StatusCode != 200 || !strings.Contains(page, want) {
			t.Errorf("lot page lacks %q", want)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/sites/"+url.PathEscape("urn:t:site:mb")+"/mass-balance?period=2025-10", "", nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `class="retracted-by"`) || !strings.Contains(string(b), `href="/events/urn:t:ev:wt"`) {
		t.Errorf("statement page (%d) lacks the retracted weighing urn:t:ev:wt among the refused claims", resp.StatusCode)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/lots/"+url.PathEscape("urn:t:lot:O1")+"/origin", "", nil, nil)
	var o struct {
		Claimed struct {
			RetractedBy []string `json:"retractedBy"`
		} `json:"claimed"`
	}
	if err := json.Unmarshal(b, &o); resp.StatusCode != 200 || err != nil || strings.Join(o.Claimed.RetractedBy, " ") != "urn:t:ev:wt" {
		t.Errorf("origin JSON: retractedBy %v (%v), want urn:t:ev:wt", o.Claimed.RetractedBy, err)
	}
}
