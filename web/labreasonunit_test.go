package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportLaboratoryReasonAndMgPerKg (issue 15, new-user check): a
// laboratory file can say why a lot's moisture moved beyond the 3 points
// a reading alone may move it (custody.MoistureReadingLimit), and reads
// mg/kg as g/t (10⁻⁶ both). Demo lot REE-2025-003 is recorded at 8 %
// moisture, at Port Qasim:
//
//   - row 2, H2O 4 %: 4 points from 8 → refused without a reason;
//   - the same row with "dried in the covered yard" in the Reason column:
//     valid, and its event states cm:massChangeReason;
//   - row 3, Dy 12.5 mg/kg: valid, captured as 12.5 in g/t (Rec 20 NA).
func TestImportLaboratoryReasonAndMgPerKg(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-003"
	file := func(reason string) string {
		return "Sample ID,Lot,Analysed,Element,Result,Unit,Basis,Reason\n" +
			"LR-1," + lot + ",2025-11-05T10:00:00+05:00,H2O,4,%,dry," + reason + "\n" +
			"LR-2," + lot + ",2025-11-05T11:00:00+05:00,Dy,12.5,mg/kg,dry,\n"
	}
	v := url.Values{"source": {"lab-reason"}, "kind": {"laboratory"}, "csv": {file("")}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "col_mass_reason": {"Reason"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	resp, page := postImport(t, ts, v)
	page = html.UnescapeString(page)
	if !strings.Contains(page, `<a href="#row-2">2</a></td><td>Result</td><td>moisture reading of lot `+lot+` refused`) || !strings.Contains(page, "may move the lot's moisture by 3 percentage points at most") {
		t.Errorf("H2O 4 %% on a lot at 8 %% with no reason: %d\n%s", resp.StatusCode, excerpt(page, "row-errors"))
	}
	if strings.Contains(page, `href="#row-3"`) || strings.Contains(page, "not a grade unit") {
		t.Errorf("mg/kg refused:\n%s", excerpt(page, "row-errors"))
	}
	v.Set("csv", file("dried in the covered yard"))
	resp, page = postImport(t, ts, v)
	page = html.UnescapeString(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>2 valid</strong>") {
		t.Fatalf("with a reason: %d, want both rows valid\n%s", resp.StatusCode, excerpt(page, "row-errors"))
	}
	if !strings.Contains(page, `"cm:massChangeReason": "dried in the covered yard"`) {
		t.Errorf("the event does not state the reason:\n%s", excerpt(page, "massChangeReason"))
	}
	if !strings.Contains(page, `"uom": "NA"`) || !strings.Contains(page, `"value": 12.5`) {
		t.Errorf("Dy 12.5 mg/kg is not captured as 12.5 g/t (NA):\n%s", excerpt(page, "Dy"))
	}
}
