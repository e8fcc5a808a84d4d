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

// TestImportSummaryTellsConflictsFromInvalidRows (issue 15, fix15r item
// 2): ticket V1 (REE-2025-001 at Karachi, 29 Aug 2025, 24,950 kg) is
// imported; a second file holds V1 again with 24,500 kg (row 2: well
// formed, but it conflicts with the record — the stored ticket), a row
// with no net mass (row 3) and a row with the net "2x0" (row 4), both
// invalid. The check's summary and the refusal at capture say "2 rows
// invalid, 1 row conflicts with the record: row 2 — ticket V1 …", not 3
// invalid rows. Nothing is stored.
func TestImportSummaryTellsConflictsFromInvalidRows(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	wb := func(csv, step string) url.Values {
		return url.Values{"source": {"karachi-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {step},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
			"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	}
	const head = "Ticket,Lot No,Weighed at,Net (kg)\n"
	if resp, page := postImport(t, ts, wb(head+"V1,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:10,24950\n", "capture")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first import: %d\n%s", resp.StatusCode, page)
	}
	before, _ := ts.Store.CountEvents(ctx)
	second := head + "V1,urn:critmin:demo:lot:REE-2025-001,2025-08-29 14:10,24500\n" +
		"V2,urn:critmin:demo:lot:REE-2025-001,2025-08-29 15:10,\n" +
		"V3,urn:critmin:demo:lot:REE-2025-001,2025-08-29 16:10,2x0\n"
	const want = "2 rows invalid, 1 row conflicts with the record: row 2 — ticket V1 was already imported from this source with different values"
	resp, page := postImport(t, ts, wb(second, "check"))
	if page = html.UnescapeString(withIDs(page)); resp.StatusCode != http.StatusOK || !strings.Contains(page, want) {
		t.Errorf("check: %d; the summary does not say %q:\n%s", resp.StatusCode, want, excerpt(page, "import-summary"))
	}
	resp, page = postImport(t, ts, wb(second, "capture"))
	if page = html.UnescapeString(withIDs(page)); resp.StatusCode != http.StatusBadRequest || !strings.Contains(page, want) {
		t.Errorf("capture: %d; the message does not say %q:\n%s", resp.StatusCode, want, excerpt(page, "import-message"))
	}
	if n, _ := ts.Store.CountEvents(ctx); n != before {
		t.Errorf("a refused file stored %d events", n-before)
	}
}
