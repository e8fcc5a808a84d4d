package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestImportMassLineCountsValidRowsBefore (issue 15, fix15q item 1): the
// preview's mass line of a weighbridge row is judged on the same basis as
// the row's verdict — the lot with the valid rows before it. Lot Q15-1 is
// commissioned at Karachi with 5 000 kg:
//
//   - file A, W1 4 800 kg then W2 5 020 kg: W1 is −4 % (valid) and sets
//     4.8 t; W2 is (5.02 − 4.8) / 4.8 = +4.58 %, refused — its line reads
//     "recorded 4.8 t, weighed 5.02 t: +0.22 t (+4.6 %), beyond the
//     weighing tolerance" (before: against 5 t, +0.4 %, no mark);
//   - file B, W1 5 020 kg (+0.4 %, valid) then W2 5 045 kg:
//     (5.045 − 5.02) / 5.02 = +0.498 %, within +0.5 % — valid, and its line
//     is "recorded 5.02 t, weighed 5.045 t: +0.025 t" with no tolerance
//     mark (before: against 5 t, +0.9 %, "beyond the weighing tolerance").
func TestImportMassLineCountsValidRowsBefore(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:Q15-1"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:q15", "eventTime": "2025-11-01T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "` + lot + `", "quantity": 5000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	form := func(a, b string) url.Values {
		csv := "Ticket,Lot No,Weighed at,Net (kg)\n" +
			"W1," + lot + ",2025-11-02 10:00," + a + "\n" +
			"W2," + lot + ",2025-11-02 11:00," + b + "\n"
		return url.Values{"source": {"q15-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"},
			"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	}
	_, page := postImport(t, ts, form("4800", "5020"))
	plain := html.UnescapeString(page)
	if len(rowErrorCells(html.UnescapeString(rowErrorsTable(page)), "3")) == 0 {
		t.Errorf("file A: row 3 (5.02 t after 4.8 t) not refused:\n%s", excerpt(plain, "row-mass"))
	}
	if !strings.Contains(plain, `id="row-mass-3">Mass: recorded 4.8 t, weighed 5.02 t: +0.22 t (+4.6 %), beyond the weighing tolerance`) {
		t.Errorf("file A: row 3's line is not judged against 4.8 t:\n%s", excerpt(plain, "row-mass-3"))
	}
	_, page = postImport(t, ts, form("5020", "5045"))
	plain = html.UnescapeString(page)
	if !strings.Contains(plain, "<strong>2 valid</strong>") {
		t.Errorf("file B: not 2 valid rows:\n%s", excerpt(plain, "rows"))
	}
	if !strings.Contains(plain, `id="row-mass-3">Mass: recorded 5.02 t, weighed 5.045 t: +0.025 t (`) || strings.Contains(excerpt(plain, "row-mass-3"), "beyond") {
		t.Errorf("file B: row 3's line is not judged against 5.02 t:\n%s", excerpt(plain, "row-mass-3"))
	}
}
