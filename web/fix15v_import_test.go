package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// rowErrorCells are the (column, reason) pairs the row-errors table
// lists for row n of the file.
func rowErrorCells(table, n string) [][2]string {
	var out [][2]string
	for _, tr := range strings.Split(table, "<tr")[1:] {
		if !strings.Contains(tr, `href="#row-`+n+`">`+n+`</a>`) {
			continue
		}
		cells := strings.Split(tr, "<td")
		if len(cells) < 4 {
			continue
		}
		out = append(out, [2]string{visibleText("<td" + cells[2]), visibleText("<td" + cells[3])})
	}
	return out
}

// TestImportLabRowErrorsAllShown (issue 15, fix15v item 3): a laboratory
// row whose reading conflicts with where the record puts the lot still
// has its other fields checked. The demo's REE-2025-001 stands at the
// port of Karachi on 2025-09-01 (arrived 2025-08-29); the file gives
// every row the site Port Qasim.
//   - row 2: analyte "Qq" (no element) — listed under Element as well as
//     the site under Site;
//   - row 3: result "abc" — listed under Result, and the site once, not
//     again in the capture check's words.
func TestImportLabRowErrorsAllShown(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	lab := "Sample ID,Lot,Analysed,Element,Result,Unit,Basis\n" +
		"S1,urn:critmin:demo:lot:REE-2025-001,2025-09-01T10:00:00+05:00,Qq,15,%,dry\n" +
		"S2,urn:critmin:demo:lot:REE-2025-001,2025-09-01T10:00:00+05:00,TREO,abc,%,dry\n"
	v := url.Values{"source": {"fix15v-lab"}, "kind": {"laboratory"}, "csv": {lab}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	_, page := postImport(t, ts, v)
	table := rowErrorsTable(page)
	count := func(row, col string) int {
		n := 0
		for _, c := range rowErrorCells(table, row) {
			if strings.HasPrefix(c[0], col) {
				n++
			}
		}
		return n
	}
	for _, c := range []struct {
		row, col string
		want     int
	}{{"2", "Element", 1}, {"2", "Site", 1}, {"3", "Result", 1}, {"3", "Site", 1}} {
		if got := count(c.row, c.col); got != c.want {
			t.Errorf("row %s: %d errors under %s, want %d; row errors %q", c.row, got, c.col, c.want, rowErrorCells(table, c.row))
		}
	}
}

// TestImportLabIsSampling (issue 15, fix15v item 6): a laboratory result
// is the testing of a sample of the lot — CBV 2.0 business step sampling
// (the Sample and assay form's step), not sensor_reporting, which the
// weighbridge import keeps for a weighing. REE-2025-001 stands at the
// port of Karachi on 2025-09-01.
func TestImportLabIsSampling(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	lab := "Sample ID,Lot,Analysed,Element,Result,Unit,Basis\n" +
		"S1,urn:critmin:demo:lot:REE-2025-001,2025-09-01T10:00:00+05:00,TREO,46.5,%,dry\n"
	v := url.Values{"source": {"fix15v-lab-step"}, "kind": {"laboratory"}, "csv": {lab}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {"urn:critmin:demo:site:karachi"}}
	_, page := postImport(t, ts, v)
	if !strings.Contains(page, "OBSERVE · Sampling") || strings.Contains(page, "Sensor reporting") || !strings.Contains(page, `&#34;bizStep&#34;: &#34;sampling&#34;`) && !strings.Contains(page, `"bizStep": "sampling"`) {
		t.Errorf("the laboratory row's event is not a sampling:\n%s", excerpt(page, "import-row"))
	}
}
