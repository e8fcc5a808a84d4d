package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestRunTableInputNotMeasured (new-user finding nu37b-2): a run's
// element whose input grade was not measured reads "not measured" in
// the lot page's "In (t)" column, never 0 — as the Out column reads a
// product's unmeasured element.
//
//	W: 10 t dry at Nd 0.5 % = 0.05 t Nd, no Pr assay → run R → WO,
//	0.1 t dry at Nd 40 % = 0.04 t Nd and Pr 10 % = 0.01 t Pr.
//	Nd: in 0.05, out 0.04. Pr: in not measured, out 0.01, not checked.
func TestRunTableInputNotMeasured(t *testing.T) {
	ts := MustServe(t, true, nil)
	feed := `{"type": "ObjectEvent", "eventID": "urn:t:ev:W", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 0.5, "cm:unit": "%", "cm:basis": "dry"}]}}`
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:WO", "quantity": 0.1, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: nu9Doc(feed, run)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:WO"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	table := regexp.MustCompile(`(?s)<table id="run-balances">.*?</table>`).FindString(string(b))
	rows := map[string][]string{}
	for _, m := range regexp.MustCompile(`(?s)<tr><td class="mono">.*?</tr>`).FindAllString(table, -1) {
		var cs []string
		for _, c := range regexp.MustCompile(`(?s)<td[^>]*>(.*?)</td>`).FindAllStringSubmatch(m, -1) {
			cs = append(cs, visibleText(c[1]))
		}
		rows[cs[1]] = cs
	}
	if r := rows["Pr"]; len(r) < 4 || r[2] != "not measured" || !strings.HasPrefix(r[3], "0.01") {
		t.Errorf("Pr row %q; want In \"not measured\", out 0.01", r)
	}
	if r := rows["Nd"]; len(r) < 4 || r[2] != "0.05" || !strings.HasPrefix(r[3], "0.04") {
		t.Errorf("Nd row %q; want in 0.05, out 0.04", r)
	}
}
