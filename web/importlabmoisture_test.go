package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportLaboratoryAsReceivedWithMoisture (fix15d item 5): a
// laboratory row on the as_received basis needs the sample's moisture;
// the laboratory mapping's optional Moisture (%) column gives it with the
// row (a second MassConcentration report of H2O in the row's event), so
// "Nd2O3 5.0 % as_received, moisture 10 %" passes the check (dry 5.0 /
// (1 − 0.10) = 5.556 %) where the same row without the column is refused.
func TestImportLaboratoryAsReceivedWithMoisture(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	file := "Sample ID,Lot,Analysed,Element,Result,Unit,Basis,Moisture\n" +
		"GSP-300-1,urn:critmin:demo:lot:REE-2025-003,2025-11-05T10:00:00+05:00,Nd2O3,5.0,%,as_received,10\n"
	v := url.Values{"source": {"gsp-lab-moisture"}, "kind": {"laboratory"}, "csv": {file}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "col_moisture_pct": {"Moisture"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	resp, page := postImport(t, ts, v)
	if resp.StatusCode != http.StatusOK || strings.Contains(page, `id="row-errors"`) {
		t.Fatalf("as_received with its moisture: %d\n%s", resp.StatusCode, page)
	}
	v.Del("col_moisture_pct")
	v.Set("source", "gsp-lab-nomoisture")
	_, page = postImport(t, ts, v)
	if !strings.Contains(page, `<a href="#row-2">2</a></td><td>Result</td><td>an as_received assay needs the moisture measured with it`) {
		t.Errorf("as_received without moisture is not refused at row 2:\n%s", excerpt(page, "row-errors"))
	}
	if n, _ := ts.Store.CountEvents(ctx); n != before {
		t.Errorf("checks stored %d events", n-before)
	}
}

// TestImportSkipsEmptyRows (fix15d item 6): a row of empty cells
// (",,,,,,,," as a spreadsheet saves an empty row) is skipped like a
// blank line: the file below has one data row and an empty row 3, and
// the preview counts "1 row:" (fix15s: not "1 rows") with no error at row 3.
func TestImportSkipsEmptyRows(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	file := "Sample ID,Lot,Analysed,Element,Result,Unit,Basis,Moisture\n" +
		"GSP-301-1,urn:critmin:demo:lot:REE-2025-003,2025-11-05T10:00:00+05:00,Nd2O3,5.0,%,as_received,10\n" +
		",,,,,,,\n"
	v := url.Values{"source": {"gsp-lab-empty"}, "kind": {"laboratory"}, "csv": {file}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "col_moisture_pct": {"Moisture"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	resp, page := postImport(t, ts, v)
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "1 row:") || strings.Contains(page, `href="#row-3"`) {
		t.Errorf("%d\n%s", resp.StatusCode, excerpt(page, "rows"))
	}
}
