package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportRefusesAFutureRowAsFuture (issue 15: a weighbridge row dated
// 2031 of a lot then at sea was refused only as "in transit"): a row
// dated after now is refused for its date, on its time column, and not
// for where the lot would be then.
func TestImportRefusesAFutureRowAsFuture(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	csv := "Ticket,Lot No,Weighed at,Net (kg)\nT9,urn:critmin:demo:lot:REE-2025-003,2031-01-15 10:00,29900\n"
	v := url.Values{"source": {"weighbridge-future"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	_, page := postImport(t, ts, v)
	text := visibleText(html.UnescapeString(page))
	if !strings.Contains(text, "2031-01-15 10:00 +05:00 is in the future") {
		t.Errorf("the 2031 row is not refused as in the future:\n%s", excerpt(page, "row-error"))
	}
	if strings.Contains(text, "in transit") || strings.Contains(text, "on its way") {
		t.Errorf("the 2031 row is refused for where the lot would be:\n%s", excerpt(page, "row-error"))
	}
}

// TestImportNamesADefaultAsNoColumn (issue 15: the import's errors gave
// the column of a value given once for the file as "(site)", read as a
// column of that name): a fault of the site given for every row names it
// as such. REE-2025-003 is at sea from 12 November 2025: a weighing at
// Karachi on 1 December 2025 is refused on the site.
func TestImportNamesADefaultAsNoColumn(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	csv := "Ticket,Lot No,Weighed at,Net (kg)\nT9,urn:critmin:demo:lot:REE-2025-003,2025-12-01 10:00,29900\n"
	v := url.Values{"source": {"weighbridge-default"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
		"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	_, page := postImport(t, ts, v)
	text := visibleText(html.UnescapeString(page))
	if strings.Contains(text, "(site)") || !strings.Contains(text, "(given for every row, not a column)") {
		t.Errorf("the site given for every row is named as a column:\n%s", excerpt(page, "row-error"))
	}
}
