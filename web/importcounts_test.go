package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportCountsOneRowInTheSingular (issue 15, fix15s item 7): a file
// of one bad row (REE-2025-003 weighed at Karachi while at sea) reads
// "1 row: 0 valid, 1 error", not "1 rows"; its capture refusal reads
// "The file's one row is not valid", not "None of the 1 rows".
func TestImportCountsOneRowInTheSingular(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	csv := "Ticket,Lot No,Weighed at,Net (kg)\nT9,urn:critmin:demo:lot:REE-2025-003,2025-12-01 10:00,29900\n"
	v := url.Values{"source": {"weighbridge-one"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	_, page := postImport(t, ts, v)
	if !strings.Contains(page, "1 row: <strong>0 valid</strong>, <strong>1 error</strong>") || strings.Contains(page, "1 rows") {
		t.Errorf("preview of one bad row: want \"1 row: 0 valid, 1 error\" and no \"1 rows\":\n%s", page)
	}
	v.Set("step", "capture")
	_, page = postImport(t, ts, v)
	if !strings.Contains(page, "The file&#39;s one row is not valid") || strings.Contains(page, "1 rows") {
		t.Errorf("capture of one bad row: want \"The file's one row is not valid\" and no \"1 rows\":\n%s", page)
	}
}

// TestImportPreviewNamesRowsAlreadyRecorded (issue 15, fix15s item 6):
// the Karachi weighbridge file's two good rows (tickets KHI-WB-1001 and
// 1002) imported, the same two rows previewed again are each "already
// recorded (event …), will not be stored again" and counted apart:
// "2 rows: 0 valid, 2 already recorded", not "2 valid".
func TestImportPreviewNamesRowsAlreadyRecorded(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	good := strings.Join(strings.Split(weighbridgeCSV, "\n")[:3], "\n") + "\n"
	v := weighbridgeMapping("capture")
	v.Set("csv", good)
	if resp, page := postImport(t, ts, v); resp.StatusCode != 303 && resp.StatusCode != 200 {
		t.Fatalf("first import: %d\n%s", resp.StatusCode, page)
	}
	v.Set("step", "preview")
	_, page := postImport(t, ts, v)
	if !strings.Contains(page, "2 rows: <strong>0 valid</strong>, <strong>2 already recorded</strong>") || strings.Count(page, "will not be stored again") != 2 || !strings.Contains(page, `already recorded (<a href="/events/`) {
		t.Errorf("preview of a file already imported: want 2 rows already recorded, each named:\n%s", excerpt(page, "import-summary"))
	}
}

// TestImportHugeNumberOneCompactError (issue 15, fix15s item 4): a net
// mass of 1e300 kg is one error on its cell, echoed as 1e+300 (not 301
// digits), in kilograms (the event's KGM, read as kg), not "(in the element's unit)".
// The limit, 10^12 kg, reads 1,000,000,000,000, thousands grouped as
// every limit is (fix15z: no exponent form; fix15za: grouped).
func TestImportHugeNumberOneCompactError(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	csv := "Ticket,Lot No,Weighed at,Net (kg)\nT9,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:10,1e300\n"
	v := url.Values{"source": {"weighbridge-huge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	_, page := postImport(t, ts, v)
	table := excerpt(page, `id="row-errors"`)
	if i := strings.Index(page, `id="row-errors"`); i >= 0 {
		table = html.UnescapeString(page[i : i+strings.Index(page[i:], "</table>")])
	}
	if n := strings.Count(table, "<td>Net (kg)</td>"); n != 1 || strings.Contains(table, "0000000000000000") || strings.Contains(table, "element's unit") || !strings.Contains(table, "1 × 10³⁰⁰ kg is over the mass limit of 1,000,000,000,000 kg") {
		t.Errorf("net 1e300 kg: %d errors on Net (kg); want one, echoing 1 × 10³⁰⁰ in kg (units.Plain, fix15zi):\n%s", n, table)
	}
}
