package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestRunTableOutAtRunAndNow (issue 9, fix9n 2): the lot page's run
// table shows what the outputs held at the run, and what they hold now
// apart, labelled, once a later measurement changed an output.
//
//	W: 10 t dry at Nd 0.5 % = 0.05 t Nd → run R → WO, 0.2 t wet at
//	moisture 0.5 = 0.1 t dry at Nd 40 % = 0.04 t Nd at the run.
//	A receipt of WO weighs 0.2 t at moisture 0.25: 0.15 t dry × 40 % =
//	0.06 t Nd now.
func TestRunTableOutAtRunAndNow(t *testing.T) {
	ts := MustServe(t, true, nil)
	feed := `{"type": "ObjectEvent", "eventID": "urn:t:ev:W", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 0.5, "cm:unit": "%", "cm:basis": "dry"}]}}`
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
   "inputQuantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:WO", "quantity": 0.2, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0.5, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 40, "cm:unit": "%", "cm:basis": "dry"}]}}`
	// The receipt's moisture moves WO's dry mass by +50 %, beyond what a
	// weighing or a moisture reading may move it unexplained
	// (custody.WeighingGainLimit, MoistureReadingLimit): it states why.
	receipt := `{"type": "ObjectEvent", "eventID": "urn:t:ev:rcv", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving",
   "cm:massChangeReason": "oxide dried in the kiln before dispatch",
   "quantityList": [{"epcClass": "urn:t:lot:WO", "quantity": 0.2, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
   "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 25, "uom": "P1"}]}]}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: nu9Doc(feed, run)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: nu9Doc(receipt)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:WO"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	page := string(b)
	i := strings.Index(page, `id="run-balances"`)
	if i < 0 {
		t.Fatalf("WO's page has no run balance table")
	}
	runs := page[i:]
	runs = runs[:strings.Index(runs, "</table>")]
	if !strings.Contains(runs, "Out at the run (t)") {
		t.Errorf("run table header does not say the figure is at the run: %s", runs)
	}
	cell := regexp.MustCompile(`(?s)<td class="num run-out">(.*?)</td>`).FindStringSubmatch(runs)
	if cell == nil || !regexp.MustCompile(`^0\.04\b`).MatchString(cell[1]) || !regexp.MustCompile(`now 0\.06\b[^<]*after a later measurement`).MatchString(cell[1]) {
		t.Errorf("run out cell %q, want 0.04 at the run and now 0.06 apart", cell)
	}
}
