package web_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestElementNoneContained (issue 9, fix9y item 4): ZP, Pakistan, 10 t
// at Nd 4 % + Pr 0 %, holds 10 × 4 % = 0.4 t Nd and 10 × 0 % = 0 t Pr.
// Of Pr there is nothing to share: the API gives no share figure
// (noneContained, byCountry []), the CSV a "none contained" row with an
// empty share, the lot page "none contained" — never "Pakistan 100 %".
func TestElementNoneContained(t *testing.T) {
	ts := MustServe(t, true, nil)
	feed := `{"type": "ObjectEvent", "eventID": "urn:t:ev:ZP", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:ZP", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 0, "cm:unit": "%", "cm:basis": "dry"}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: nu9Doc(feed)}); err != nil {
		t.Fatal(err)
	}
	z := "/api/v1/lots/" + url.PathEscape("urn:t:lot:ZP") + "/origin"
	_, jb := do(t, "GET", ts.URL+z, "", nil, nil)
	var c custody.Composition
	if err := json.Unmarshal(jb, &c); err != nil {
		t.Fatalf("origin JSON: %v %s", err, jb)
	}
	if pr := c.Elements["Pr"]; !pr.NoneContained || pr.Tonnes != 0 || len(pr.ByCountry) != 0 {
		t.Errorf("JSON Pr %+v: want none contained, no share", pr)
	}
	_, b := do(t, "GET", ts.URL+z+"?format=csv", "", nil, nil)
	if !strings.Contains(string(b), "urn:t:lot:ZP,Pr,country,,none contained,0,,physical") || strings.Contains(string(b), "urn:t:lot:ZP,Pr,country,PAK") {
		t.Errorf("CSV: want a Pr none-contained row and no Pakistani Pr share:\n%s", b)
	}
	_, page := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:ZP"), "", nil, nil)
	p := string(page)
	i := strings.Index(p, `id="origin-table"`)
	if i < 0 {
		t.Fatalf("lot page has no origin table")
	}
	tbl := p[i : i+strings.Index(p[i:], "</table>")]
	if !strings.Contains(tbl, "<td>Pr contained</td><td>none contained") || strings.Contains(tbl, "<td>Pr contained</td><td>Pakistan") {
		t.Errorf("lot page's origin table: want Pr none contained:\n%s", tbl)
	}
}
