package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestImportLineEndings (issue 15, fix15q item 3): a weighbridge file
// saved with CR-only line endings (classic Mac OS, Excel's "CSV
// (Macintosh)") reads as the same rows as one saved with LF or CRLF:
// row 2 valid, row 3 refused for its net mass and named as row 3 — not
// one long header row ("the file has a header but no rows").
func TestImportLineEndings(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	lines := []string{"Ticket,Lot No,Weighed at,Net (kg)",
		"C1,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:10,24950",
		"C2,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:20,heavy"}
	for _, eol := range []string{"\n", "\r\n", "\r"} {
		file := strings.Join(lines, eol) + eol
		resp, page := postImport(t, ts, url.Values{"source": {"eol-weighbridge"}, "kind": {"weighbridge"}, "csv": {file}, "step": {"preview"},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
			"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}})
		page = html.UnescapeString(withIDs(page))
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>1 valid</strong>") ||
			!strings.Contains(page, `<a href="#row-3">3</a></td><td>Net (kg)</td><td>"heavy" is not a number`) {
			t.Errorf("line ending %q: want row 2 valid and row 3 refused for its net mass: %d\n%s", eol, resp.StatusCode, page)
		}
	}
}
