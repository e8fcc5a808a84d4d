package web_test

import (
	"encoding/csv"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestElementRowsGradeNotMeasured (fix9q item 2): U, Pakistan, 10 t with
// no assay, is run into UO, 0.1 t at Nd 60 % = 0.06 t Nd. The Nd is
// measured, where it came from is not (U's grade never measured): the Nd
// row says "grade not measured" with no share — in the JSON (the element
// flagged, sharesNotMeasured [Nd]), the CSV (basis grade_not_measured,
// share empty, the measured 0.06 t) and on the lot page — never
// "unknown 100 %".
func TestElementRowsGradeNotMeasured(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := t.Context()
	feed := `{"type": "ObjectEvent", "eventID": "urn:t:ev:U", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:U", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0}}`
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:RU", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:U", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:UO", "quantity": 0.1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(feed, run)}); err != nil {
		t.Fatal(err)
	}
	z := "/api/v1/lots/" + url.PathEscape("urn:t:lot:UO") + "/origin"
	_, jb := do(t, "GET", ts.URL+z, "", nil, nil)
	var c custody.Composition
	if err := json.Unmarshal(jb, &c); err != nil {
		t.Fatalf("origin JSON: %v %s", err, jb)
	}
	if nd := c.Elements["Nd"]; !nd.GradeNotMeasured || strings.Join(c.SharesNotMeasured, ",") != "Nd" {
		t.Errorf("JSON Nd %+v, sharesNotMeasured %v: want the Nd row flagged grade not measured", nd, c.SharesNotMeasured)
	}
	_, b := do(t, "GET", ts.URL+z+"?format=csv", "", nil, nil)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, r := range rows[1:] {
		line := strings.Join(r, ",")
		if r[1] == "Nd" && r[3] == custody.Unknown {
			t.Errorf("CSV row %s: unknown share where the grade is not measured", line)
		}
		seen = seen || line == "urn:t:lot:UO,Nd,country,,grade not measured,0.06,,grade_not_measured"
	}
	if !seen {
		t.Errorf("CSV lacks the Nd grade-not-measured row:\n%s", b)
	}
	_, page := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:UO"), "", nil, nil)
	p := string(page)
	i := strings.Index(p, `id="origin-table"`)
	j := strings.Index(p[i:], "</table>")
	tbl := p[i : i+j]
	if !strings.Contains(tbl, "<td>Nd contained</td><td>grade not measured") || strings.Contains(tbl, ">unknown<") {
		t.Errorf("lot page's origin table: want Nd grade not measured, no unknown share:\n%s", tbl)
	}
}
