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

// TestImportAndSampleReadPctAsPercent (issue 15, nu15 F7c): "pct" (and
// "percent") is an accepted spelling of % — units.NormalizeGradeUnit reads
// it so everywhere — and the pages say so instead of reading it silently.
// UN/CEFACT Rec 20 has no "pct"; the captured event carries P1 (percent).
// A laboratory row "TREO,11.4,pct" is valid and captured as 11.4 P1; the
// Sample form's line "Dy 0.05 pct" likewise. The unit field's help and
// the Results field's help name pct.
func TestImportAndSampleReadPctAsPercent(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-003"
	file := "Sample ID,Lot,Analysed,Element,Result,Unit,Basis\n" +
		"LP-1," + lot + ",2025-11-05T10:00:00+05:00,Dy,0.05,pct,dry\n"
	v := url.Values{"source": {"lab-pct"}, "kind": {"laboratory"}, "csv": {file}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	resp, page := postImport(t, ts, v)
	page = html.UnescapeString(page)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>1 valid</strong>") {
		t.Fatalf("Dy 0.05 pct: %d\n%s", resp.StatusCode, excerpt(page, "row-errors"))
	}
	if !strings.Contains(page, `"uom": "P1"`) || !strings.Contains(page, `"value": 0.05`) {
		t.Errorf("Dy 0.05 pct is not captured as 0.05 P1:\n%s", excerpt(page, "Dy"))
	}
	if !strings.Contains(page, "pct and percent are read as %") {
		t.Error("the unit field's help does not say pct is read as %")
	}
	s := url.Values{"step": {"preview"}, "lot": {lot}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"Dy 0.05 pct"},
		"time": {"2025-11-05T11:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:port-qasim"}}
	resp, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(s.Encode()), formHeader)
	sp := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusOK || !strings.Contains(sp, `"uom": "P1"`) || !strings.Contains(sp, `"value": 0.05`) {
		t.Errorf("Sample form Dy 0.05 pct: %d\n%s", resp.StatusCode, excerpt(sp, "Dy"))
	}
	_, b = do(t, "GET", ts.URL+"/record/sample", operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if !strings.Contains(html.UnescapeString(string(b)), "pct and percent are read as %") {
		t.Error("the Results field's help does not say pct is read as %")
	}
}

// TestImportSavedSourceListedAtOnce (issue 15, nu15 F7b): the response of
// "Save the mapping and check again" lists the source it has just saved
// among the saved sources, as a fresh GET /import does.
func TestImportSavedSourceListedAtOnce(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	resp, page := postImport(t, ts, weighbridgeMapping("preview"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("save the mapping: %d", resp.StatusCode)
	}
	i := strings.Index(page, `id="saved-sources"`)
	if i < 0 {
		t.Fatal("the response that saved the mapping lists no saved sources")
	}
	list := page[i:]
	list = list[:strings.Index(list, "</table>")]
	if !strings.Contains(list, "<td>karachi-weighbridge</td><td>Weighbridge tickets</td>") {
		t.Errorf("the saved sources leave out the source just saved:\n%s", list)
	}
}
