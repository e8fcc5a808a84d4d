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

// TestOriginCSVGradeNotMeasured (issue 9, fix9n 5): a product without an
// assay of its own has no measured grade; the origin JSON says so
// (overall basis grade_not_measured, Nd in notMeasured) and the CSV says
// the same in rows of its own — basis grade_not_measured, share empty —
// instead of leaving the product without a row for its contained origin.
//
//	P (Pakistan, 10 t dry, Nd 10 % = 1 t Nd) → run R → Z, 1 t, no assay.
//
// Z: dry mass Pakistan 1 t, share 1 (physical); Nd not measured; overall
// not measured — no tonnes, no share.
func TestOriginCSVGradeNotMeasured(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := t.Context()
	feed := `{"type": "ObjectEvent", "eventID": "urn:t:ev:P", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}}`
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-05T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:Z", "quantity": 1, "uom": "TNE"}],
   "bizLocation": {"id": "urn:t:site:mb"}, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: nu9Doc(feed, run)}); err != nil {
		t.Fatal(err)
	}
	z := "/api/v1/lots/" + url.PathEscape("urn:t:lot:Z") + "/origin"
	_, jb := do(t, "GET", ts.URL+z, "", nil, nil)
	var c custody.Composition
	if err := json.Unmarshal(jb, &c); err != nil {
		t.Fatalf("origin JSON: %v %s", err, jb)
	}
	if c.Overall.Basis != "grade_not_measured" || len(c.NotMeasured) != 1 || c.NotMeasured[0] != "Nd" {
		t.Fatalf("JSON overall %+v not measured %v, want grade_not_measured and [Nd]", c.Overall, c.NotMeasured)
	}
	resp, b := do(t, "GET", ts.URL+z+"?format=csv", "", nil, nil)
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if resp.StatusCode != 200 || err != nil || len(rows) < 2 {
		t.Fatalf("origin CSV: %d %v %s", resp.StatusCode, err, b)
	}
	want := map[string]bool{
		"urn:t:lot:Z,dry mass,country,PAK,Pakistan,1,1,physical":                                    false,
		"urn:t:lot:Z,overall (grade_not_measured),country,,grade not measured,,,grade_not_measured": false,
		"urn:t:lot:Z,Nd,country,,grade not measured,,,grade_not_measured":                           false,
	}
	for _, r := range rows[1:] {
		line := strings.Join(r, ",")
		if _, ok := want[line]; ok {
			want[line] = true
		}
		if r[len(r)-1] == "grade_not_measured" && r[6] != "" {
			t.Errorf("row %s: a share where the grade is not measured", line)
		}
	}
	for line, seen := range want {
		if !seen {
			t.Errorf("CSV lacks %q:\n%s", line, b)
		}
	}
}
