package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestMassBalancePageRestatedTotal (issue 9, fix9at items 2 and 3): the
// site's page, the API's JSON and its CSV give a restated period's total
// over all origins as at close and now, and the CSV the restatement and
// the not-covered row's reasons.
//
// mbDoc credits October PAK 100 t × (4 + 1) % × 0.9 = 4.5 t Nd+Pr (E1)
// and claims O1's 1.6 t; C (China, 10 t at Nd 4 % + Pr 1 %) run by E2
// into O2, 0.6 t at Nd 60 % + Pr 15 % (0.36 + 0.09 t), credits CHN
// min(0.36, 0.36) + min(0.09, 0.09) = 0.45 t. As at close: all origins
// 0 + 4.95 − 1.6 − 0 = 3.35. A's commissioning declared in error on
// November 9: PAK credits 0, closing −1.6; all origins credits 0.45,
// closing 0.45 − 1.6 = −1.15. Before, the page and the JSON showed the
// Pakistan line alone, and the CSV no restatement.
func TestMassBalancePageRestatedTotal(t *testing.T) {
	ts := MustServe(t, true, nil)
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}, {ID: "2025-11", From: "2025-11-01", To: "2025-12-01"}}}
	mustCaptureDeclared(t, ts, d)
	head, _, _ := strings.Cut(mbDoc, `"eventList": [`)
	capture := func(at time.Time, events ...string) {
		t.Helper()
		ts.Svc.Now = func() time.Time { return at }
		if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(head + `"eventList": [` + strings.Join(events, ",") + `]}}`)}); err != nil {
			t.Fatal(err)
		}
	}
	capture(time.Date(2025, 10, 21, 0, 0, 0, 0, time.UTC),
		`{"type": "ObjectEvent", "eventID": "urn:t:ev:C", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
		 "quantityList": [{"epcClass": "urn:t:lot:C", "quantity": 10, "uom": "TNE"}],
		 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "CHN", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 1, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		`{"type": "TransformationEvent", "eventID": "urn:t:ev:E2", "eventTime": "2025-10-06T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:E2",
		 "inputQuantityList": [{"epcClass": "urn:t:lot:C", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:O2", "quantity": 0.6, "uom": "TNE"}],
		 "bizLocation": {"id": "urn:t:site:mb"},
		 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 15, "cm:unit": "%", "cm:basis": "dry"}]}}`)
	a := mbDoc[strings.Index(mbDoc, `{"type": "ObjectEvent", "eventID": "urn:t:ev:A"`):]
	a = a[:strings.Index(a, `,
  {"type": "TransformationEvent"`)]
	capture(time.Date(2025, 11, 9, 0, 0, 0, 0, time.UTC),
		strings.TrimSuffix(strings.TrimSpace(a), "}")+`, "errorDeclaration": {"declarationTime": "2025-11-09T00:00:00Z", "reason": "incorrect_data"}}`)
	site := url.PathEscape("urn:t:site:mb")
	resp, b := do(t, "GET", ts.URL+"/sites/"+site+"/mass-balance?period=2025-10", "", nil, nil)
	page := string(b)
	for _, want := range []string{
		`<td>ree</td><td>Pakistan</td><td class="num">0</td><td class="num"><span class="restated-was">4.5</span> → 0</td>`,
		`<tr class="total"><td>ree</td><td>all origins</td><td class="num">0</td><td class="num"><span class="restated-was">4.95</span> → 0.45</td><td class="num">1.6</td><td class="num">0</td><td class="num"><span class="restated-was">3.35</span> → −1.15</td></tr>`,
	} {
		if resp.StatusCode != 200 || !strings.Contains(page, want) {
			t.Errorf("October's page lacks %q: %d\n%s", want, resp.StatusCode, page)
		}
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/sites/"+site+"/mass-balance/statement?period=2025-10", "", nil, nil)
	if w := `"totals":[{"category":"ree","country":"","name":"allorigins","atClose":{"opening":0,"credits":4.95,"claims":1.6,"expired":0,"closing":3.35},"current":{"opening":0,"credits":0.45,"claims":1.6,"expired":0,"closing":-1.15},"changed":["credits","closing"]}]`; resp.StatusCode != 200 || !strings.Contains(strings.Join(strings.Fields(string(b)), ""), w) {
		t.Errorf("API statement lacks %s: %d %s", w, resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/sites/"+site+"/mass-balance/statement?period=2025-10&format=csv", "", nil, nil)
	for _, w := range []string{
		"reason,reasons,restated_by",
		`urn:t:site:mb,2025-10,ree,Nd+Pr,0.9,all,0,4.95,1.6,0,,3.35,,as_at_close,,,,,"restated after the close of 2025-11-01: credits 4.95 → 0.45 t, closing 3.35 → -1.15 t",,urn:t:ev:A`,
		`,short of the balance by 1.6 t; out of its category's mass-balance system,`,
	} {
		if resp.StatusCode != 200 || !strings.Contains(string(b), w) {
			t.Errorf("API CSV lacks %s: %d %s", w, resp.StatusCode, b)
		}
	}
}
