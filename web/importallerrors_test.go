package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// rowErrorsTable is the import page's table of row errors, unescaped.
func rowErrorsTable(page string) string {
	i := strings.Index(page, `id="row-errors"`)
	if i < 0 {
		return ""
	}
	return html.UnescapeString(page[i : i+strings.Index(page[i:], "</table>")])
}

// TestImportEveryErrorOfARowAtOnce (issue 15, fix15t item 1): the preview
// lists every error of a row, not those of its first failing stage only
// (a cell that is not a number hid a bad date, a bad moisture hid a net
// over the limit, the masses hid an unknown lot). Each row below has four
// or more independent errors, each listed under its column; nothing is
// stored. Demo: no lot NOPE is recorded; 2031 is after the test clock.
func TestImportEveryErrorOfARowAtOnce(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	const nope = "urn:critmin:demo:lot:NOPE"
	wb := "Ticket,Lot,Time,Net,Gross,Tare,Moisture\n" +
		// unknown lot; future date; net 1e300 over the limit; moisture 200 %
		"T1," + nope + ",2031-01-01 10:00,1e300,,,200\n" +
		// unknown lot; bad date; net NaN; tare 30,000 > gross 20,000
		"T2," + nope + ",29/08/2025,NaN,20000,30000,\n" +
		// unknown lot; bad date; ambiguous 24.950 (comma file, no mark); moisture 200 %
		"T3," + nope + ",29/08/2025,24.950,,,200\n"
	v := url.Values{"source": {"every-error-wb"}, "kind": {"weighbridge"}, "csv": {wb}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot"}, "col_time": {"Time"}, "col_net_kg": {"Net"},
		"col_gross_kg": {"Gross"}, "col_tare_kg": {"Tare"}, "col_moisture_pct": {"Moisture"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	_, page := postImport(t, ts, v)
	table := rowErrorsTable(page)
	for row, cols := range map[string][]string{
		"2": {"Lot", "Time", "Net", "Moisture"},
		"3": {"Lot", "Time", "Net", "Tare"},
		"4": {"Lot", "Time", "Net", "Moisture"},
	} {
		for _, c := range cols {
			if !strings.Contains(table, `href="#row-`+row+`">`+row+`</a></td><td>`+c+`</td>`) {
				t.Errorf("weighbridge row %s: no error under %s:\n%s", row, c, table)
			}
		}
	}
	for _, want := range []string{"lot not known", "is in the future", "1 × 10³⁰⁰ kg is over the mass limit", "moisture 200 %", "tare 30,000 kg is more than gross 20,000 kg", "ambiguous", "is not a date and time"} {
		if !strings.Contains(table, want) {
			t.Errorf("weighbridge: no error %q:\n%s", want, table)
		}
	}
	lab := "Sample ID,Lot,Analysed,Element,Result,Unit,Basis,Moisture\n" +
		// unknown lot; bad date; result NaN; unit furlong; basis wet
		"S1," + nope + ",29/08/2025,TREO,NaN,furlong,wet,\n" +
		// unknown lot; future date; basis wet; moisture 200 %
		"S2," + nope + ",2031-01-01T10:00:00+05:00,TREO,46.5,%,wet,200\n"
	if strings.Contains(table, "eventTimeZoneOffset") || strings.Contains(table, "/epcisBody") {
		t.Errorf("an error of a placeholder for a failed field is listed:\n%s", table)
	}
	v = url.Values{"source": {"every-error-lab"}, "kind": {"laboratory"}, "csv": {lab}, "step": {"preview"},
		"col_sample": {"Sample ID"}, "col_lot": {"Lot"}, "col_time": {"Analysed"}, "col_analyte": {"Element"}, "col_value": {"Result"},
		"col_unit": {"Unit"}, "col_basis": {"Basis"}, "col_moisture_pct": {"Moisture"}, "def_site": {"urn:critmin:demo:site:port-qasim"}}
	_, page = postImport(t, ts, v)
	table = rowErrorsTable(page)
	for row, cols := range map[string][]string{
		"2": {"Lot", "Analysed", "Result", "Unit", "Basis"},
		"3": {"Lot", "Analysed", "Basis", "Moisture"},
	} {
		for _, c := range cols {
			if !strings.Contains(table, `href="#row-`+row+`">`+row+`</a></td><td>`+c+`</td>`) {
				t.Errorf("laboratory row %s: no error under %s:\n%s", row, c, table)
			}
		}
	}
	if strings.Contains(table, "eventTimeZoneOffset") || strings.Contains(table, "/epcisBody") {
		t.Errorf("an error of a placeholder for a failed field is listed:\n%s", table)
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("events %d → %d: a preview stores nothing", before, after)
	}
}
