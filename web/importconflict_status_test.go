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

// TestImportOnlyConflictsIs409 (issue 15, fix15w item 2): an import
// refused for rows that conflict with the record, and no invalid row,
// answers 409, as the API does; any invalid row makes it 400. Ticket V1
// (REE-2025-001 at Karachi, 29 Aug 2025, 24,950 kg) is imported first.
//   - V1 again with 24,500 kg alone: a conflict (the stored ticket) → 409.
//   - V1 with 24,500 kg and a valid ticket V5 (29 Aug 15:10, 24,950 kg),
//     without proceed: the one refused row conflicts → 409.
//   - U1 weighing REE-2025-001 at Karachi on 15 Oct 2025, when the lot
//     was at the Missouri refinery (received 9 Oct): whereabouts differ,
//     a conflict → 409.
//   - V1 with 24,500 kg and V2 with no net mass: one invalid row → 400.
//
// The page's wording is the same as for 400: "Nothing was stored", the
// rows named. Nothing is stored by any of them.
func TestImportOnlyConflictsIs409(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	wb := func(csv string) url.Values {
		return url.Values{"source": {"karachi-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"capture"},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
			"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	}
	const head = "Ticket,Lot No,Weighed at,Net (kg)\n"
	const lot = "urn:critmin:demo:lot:REE-2025-001"
	if resp, page := postImport(t, ts, wb(head+"V1,"+lot+",2025-08-29 14:10,24950\n")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first import: %d\n%s", resp.StatusCode, page)
	}
	before, _ := ts.Store.CountEvents(ctx)
	for _, c := range []struct {
		name, csv string
		want      int
		words     string
	}{
		{"a changed ticket alone", head + "V1," + lot + ",2025-08-29 14:10,24500\n", http.StatusConflict, "The file's one row is not valid (1 row conflicts with the record: row 2"},
		{"a changed ticket and a valid one", head + "V1," + lot + ",2025-08-29 14:10,24500\nV5," + lot + ",2025-08-29 15:10,24950\n", http.StatusConflict, "1 of 2 rows has errors (1 row conflicts with the record: row 2"},
		{"a weighing where the lot is not", head + "U1," + lot + ",2025-10-15 10:00,10000\n", http.StatusConflict, "1 row conflicts with the record: row 2 — on 2025-10-15 10:00 +05:00 lot " + lot + " was at "},
		{"a changed ticket and an invalid row", head + "V1," + lot + ",2025-08-29 14:10,24500\nV2," + lot + ",2025-08-29 15:10,\n", http.StatusBadRequest, "None of the 2 rows is valid (1 row invalid, 1 row conflicts with the record: row 2"},
	} {
		resp, page := postImport(t, ts, wb(c.csv))
		page = html.UnescapeString(page)
		if resp.StatusCode != c.want || !strings.Contains(page, c.words) || !strings.Contains(page, "stored") {
			t.Errorf("%s: %d, want %d with %q\n%s", c.name, resp.StatusCode, c.want, c.words, excerpt(page, "rows"))
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by refused imports", after-before)
	}
}
