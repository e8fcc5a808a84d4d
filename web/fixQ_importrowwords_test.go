package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportSummaryRowWording (issue 15, n15-6 item 3): the check's
// summary read "(rows: 1 invalid )". A file of 3 weighbridge rows, one
// with no net mass (row 3), now reads "3 rows: 2 valid, 1 error in the
// rows below (1 row invalid)"; with two bad rows (rows 3 and 4) "(2 rows
// invalid)". No "rows:" inside the brackets, no space before ")".
func TestImportSummaryRowWording(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	wb := func(csv string) url.Values {
		return url.Values{"source": {"karachi-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"check"},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
			"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	}
	const head = "Ticket,Lot No,Weighed at,Net (kg)\n"
	const good = "Q1,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:10,24950\nQ2,urn:critmin:demo:lot:REE-2025-001,2025-08-29 15:10,24940\n"
	for _, c := range []struct {
		csv, want string
	}{
		{head + good + "Q3,urn:critmin:demo:lot:REE-2025-001,2025-08-29 16:10,\n", "(1 row invalid)."},
		{head + good + "Q3,urn:critmin:demo:lot:REE-2025-001,2025-08-29 16:10,\nQ4,urn:critmin:demo:lot:REE-2025-001,2025-08-29 17:10,\n", "(2 rows invalid)."},
	} {
		resp, page := postImport(t, ts, wb(c.csv))
		m := regexp.MustCompile(`(?s)<p id="import-summary">(.*?)</p>`).FindStringSubmatch(page)
		if resp.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("check: %d; no summary\n%s", resp.StatusCode, excerpt(page, "import"))
		}
		sum := html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], ""))
		if !strings.Contains(sum, c.want) || strings.Contains(sum, "rows:  ") || strings.Contains(sum, "(rows:") || strings.Contains(sum, " )") {
			t.Errorf("summary %q; want %q", sum, c.want)
		}
	}
}
