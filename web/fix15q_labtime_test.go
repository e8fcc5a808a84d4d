package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportLaboratoryShortOffsetHint (issue 15, fix15q item 6): a lab
// file's time "2025-11-06 09:00 +5" has an offset of one digit; the row's
// error names it and suggests "+05:00" (docs/forms.md), not the generic
// "is not a date and time".
func TestImportLaboratoryShortOffsetHint(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-003"
	csv := "Sample ID,Lot,Analysed,Element,Result,Unit,Basis\n" +
		"LQ-1," + lot + ",2025-11-06 09:00 +5,Dy,12.5,g/t,dry\n"
	v := url.Values{"source": {"lab-q"}, "kind": {"laboratory"}, "csv": {csv}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	_, page := postImport(t, ts, v)
	cells := rowErrorCells(html.UnescapeString(rowErrorsTable(page)), "2")
	joined := ""
	for _, c := range cells {
		joined += c[0] + " | " + c[1] + "\n"
	}
	if !strings.Contains(joined, "+05:00") || strings.Contains(joined, "not a date and time") || !strings.Contains(joined, `"+5"`) {
		t.Errorf("time with offset +5: %q", joined)
	}
}
