package web_test

import (
	"context"
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
