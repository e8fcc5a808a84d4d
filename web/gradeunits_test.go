package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestLotGradesOneUnitPerColumn: lot REE-2025-003 holds, from the
// laboratory file, TREO 46.5 % and Nd2O3 25,500 ppm. Its assays table had
// one Grade column reading "46.5 %" on one row and "25,500 ppm" on the
// next; now each grade column has one unit, in its header — "Grade (%)"
// — and Nd2O3 reads 2.55 (25,500 ppm ÷ 10,000 ppm per % = 2.55 %), with
// the figure as reported in a note under the table.
func TestLotGradesOneUnitPerColumn(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"source": {"gsp-lab-units"}, "kind": {"laboratory"}, "csv": {mustReadFile("testdata/lab-gsp.csv")}, "step": {"capture"}, "behaviour": {"proceed"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	if resp, page := postImport(t, ts, v); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("import: %d\n%s", resp.StatusCode, page)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:REE-2025-003"), viewerSecret, nil, nil)
	page := string(b)
	i := strings.Index(page, `<table id="assays" class="stack">`)
	if i < 0 {
		t.Fatalf("no assays table")
	}
	table := page[i : i+strings.Index(page[i:], "</table>")]
	if !strings.Contains(table, `<th class="num">Grade (%)</th>`) || !strings.Contains(table, `<th class="num">Dry grade (%)</th>`) {
		t.Errorf("headers lack their unit:\n%s", table)
	}
	if !regexp.MustCompile(`<td data-label="Analyte">Nd2O3</td><td class="num" data-label="Grade \(%\)" title="as reported: 25,500 ppm">2.55</td>`).MatchString(table) {
		t.Errorf("Nd2O3 not 2.55 in %%:\n%s", table)
	}
	if strings.Contains(table, "ppm") && !strings.Contains(table, `title="as reported: 25,500 ppm"`) || strings.Contains(table, " %</td>") {
		t.Errorf("a unit inside a grade cell:\n%s", table)
	}
	if !strings.Contains(page, `id="assays-reported"`) || !strings.Contains(page, "As reported: Nd2O3 25,500 ppm.") {
		t.Errorf("no note of the figures as reported")
	}
}
