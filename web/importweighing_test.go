package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestImportWeighingTolerance (issue 15, r15a items 1 and 2): a
// weighbridge row sets a lot's mass only within the weighing tolerance
// (+0.5 % / −5 %, custody.WeighingGainLimit and WeighingLossLimit), and a
// stored weighing keeps its ticket. Lot R15A-1 is commissioned at
// Karachi on 2025-11-01 with 25 000 kg; the file weighs it on 2025-11-02:
//
//   - row 2, net 0 kg, and row 3, net .5 kg: below a weighbridge's
//     20 kg scale interval → refused on the row (Net);
//   - row 4, net 1,000,000 kg: 1 000 t against 25 t recorded,
//     (1000 − 25) / 25 = +3 900.0 % → refused, naming both masses;
//   - row 5, net 24,900 kg (gross 39,900 − tare 15,000): −0.1 t,
//     −0.1 / 25 = −0.4 % → valid; the preview says so.
//
// With proceed only row 5 is stored; its event page shows ticket
// KHI-WB-2005, gross 39,900 kg and tare 15,000 kg, net 24,900 kg.
func TestImportWeighingTolerance(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:R15A-1"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:r15a", "eventTime": "2025-11-01T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "` + lot + `", "quantity": 25000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	csv := "Ticket,Lot No,Weighed at,Gross (kg),Tare (kg),Net (kg)\n" +
		"KHI-WB-2002," + lot + ",2025-11-02 15:10,,,0\n" +
		"KHI-WB-2003," + lot + ",2025-11-02 15:20,,,.5\n" +
		"KHI-WB-2004," + lot + ",2025-11-02 15:30,,,\"1,000,000\"\n" +
		"KHI-WB-2005," + lot + ",2025-11-02 15:40,39900,15000,24900\n"
	v := url.Values{"source": {"r15a-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"preview"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_gross_kg": {"Gross (kg)"}, "col_tare_kg": {"Tare (kg)"},
		"col_net_kg": {"Net (kg)"}, "def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}, "def_decimal": {"."}}
	_, page := postImport(t, ts, v)
	table := html.UnescapeString(rowErrorsTable(page))
	for _, row := range []string{"2", "3"} {
		cells := rowErrorCells(table, row)
		if len(cells) == 0 || !strings.HasPrefix(cells[0][0], "Net") || !strings.Contains(cells[0][1], "is below 20 kg, a road weighbridge's scale interval") {
			t.Errorf("row %s (near-zero net): %q", row, cells)
		}
	}
	cells := rowErrorCells(table, "4")
	if len(cells) == 0 || !strings.Contains(cells[0][1], "is recorded at 25 t and weighed at 1,000 t, a difference of +3,900.0 %, beyond the weighing tolerance of +0.5 % / −5 %") {
		t.Errorf("row 4 (1,000,000 kg for 25 t): %q\n%s", cells, table)
	}
	if len(rowErrorCells(table, "5")) != 0 {
		t.Errorf("row 5 refused: %q", rowErrorCells(table, "5"))
	}
	plain := html.UnescapeString(page)
	if !strings.Contains(plain, `id="row-mass-5">Mass: recorded 25 t, weighed 24.9 t: −0.1 t (−0.4 %)`) {
		t.Errorf("row 5's preview does not compare the net with the recorded mass:\n%s", excerpt(plain, "row-mass"))
	}
	if !strings.Contains(plain, `id="row-mass-4">Mass: recorded 25 t, weighed 1,000 t: +975 t (+3,900.0 %), beyond the weighing tolerance`) {
		t.Errorf("row 4's preview:\n%s", excerpt(plain, "row-mass-4"))
	}
	v.Set("step", "capture")
	v.Set("behaviour", "proceed")
	resp, page := postImport(t, ts, v)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("proceed: %d\n%s", resp.StatusCode, page)
	}
	if l, err := ts.Store.FindLot(ctx, lot); err != nil || l.WetTonnes != 24.9 {
		t.Fatalf("lot after the import: %+v %v; want 24.9 t", l, err)
	}
	page_, err := ts.Store.FindEvents(ctx, critmin.EventFilter{ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{lot}, Exact: true}}, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range page_.Events {
		if !strings.Contains(string(e.Raw), "KHI-WB-2005") {
			continue
		}
		found = true
		_, b := send(t, "GET", ts.URL+"/events/"+url.PathEscape(e.EventID), nil, map[string]string{"Authorization": "Bearer " + operatorSecret})
		p := html.UnescapeString(string(b))
		for _, w := range []string{`id="event-ticket"`, "KHI-WB-2005", "39,900 kg", "15,000 kg", "24,900 kg"} {
			if !strings.Contains(p, w) {
				t.Errorf("event page of the ticket lacks %q:\n%s", w, excerpt(p, "Weighbridge"))
			}
		}
	}
	if !found {
		t.Errorf("no stored event of %s carries ticket KHI-WB-2005", lot)
	}
}
