package web_test

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportSummaryNamesEveryConflictingRow (issue 15, fix15x item 3):
// the demo's REE-2025-001 was at the Missouri refinery from 9 Oct 2025;
// tickets weighing it at Karachi on 15 Oct 2025 conflict with the record
// (the lot was elsewhere). The summary quoted the first conflicting row
// alone. With two such rows it names both, each with its reason; with
// five it names every row's number (2 to 6) and the first three
// (kindsReasons) with their reasons, the rest's in the table.
func TestImportSummaryNamesEveryConflictingRow(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-001"
	file := func(n int) url.Values {
		csv := "Ticket,Lot No,Weighed at,Net (kg)\n"
		for i := 0; i < n; i++ {
			csv += fmt.Sprintf("U%d,%s,2025-10-15 1%d:00,10000\n", i+1, lot, i)
		}
		return url.Values{"source": {"karachi-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
			"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	}
	kinds := func(n int) string {
		_, page := postImport(t, ts, file(n))
		m := regexp.MustCompile(`(?s)<span id="import-kinds">(.*?)</span>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("%d rows: no summary of kinds\n%s", n, excerpt(page, "rows"))
		}
		return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(m[1], ""))
	}
	reason := func(row int) string {
		return fmt.Sprintf("row %d — on 2025-10-15 1%d:00 +05:00 lot %s was at ", row, row-2, lot)
	}
	two := kinds(2)
	for _, w := range []string{"2 rows conflict with the record: " + reason(2), "; " + reason(3)} {
		if !strings.Contains(two, w) {
			t.Errorf("two conflicting rows: summary %q\n does not say %q", two, w)
		}
	}
	five := kinds(5)
	for _, w := range []string{"5 rows conflict with the record: rows 2, 3, 4, 5 and 6; " + reason(2), "; " + reason(3), "; " + reason(4), "; the others' reasons are in the table below"} {
		if !strings.Contains(five, w) {
			t.Errorf("five conflicting rows: summary %q\n does not say %q", five, w)
		}
	}
	if strings.Contains(five, reason(5)) || strings.Contains(five, reason(6)) {
		t.Errorf("five conflicting rows: summary %q quotes more than the first three reasons", five)
	}
}
