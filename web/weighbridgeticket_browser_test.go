package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// TestBrowserWeighbridgeTicketOnEventPage (issue 15, r15a item 2): a
// weighing imported from a weighbridge file shows its ticket on its event
// page — number KHI-WB-3001, gross 39,900 kg, tare 15,000 kg and net
// 39,900 − 15,000 = 24,900 kg — at 1,400 and 390 px, the page no wider
// than the window.
func TestBrowserWeighbridgeTicketOnEventPage(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := t.Context()
	const lot = "urn:critmin:demo:lot:R15A-2"
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-01T00:00:00Z",
 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:r15a2", "eventTime": "2025-11-01T09:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning",
   "quantityList": [{"epcClass": "` + lot + `", "quantity": 25000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}}]}}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	csv := "Ticket,Lot No,Weighed at,Gross (kg),Tare (kg),Net (kg)\nKHI-WB-3001," + lot + ",2025-11-02 10:00,39900,15000,24900\n"
	v := url.Values{"source": {"r15a-browser"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"capture"},
		"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_gross_kg": {"Gross (kg)"}, "col_tare_kg": {"Tare (kg)"},
		"col_net_kg": {"Net (kg)"}, "def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}, "def_decimal": {"."}}
	if resp, page := postImport(t, ts, v); resp.StatusCode != 303 {
		t.Fatalf("import: %d\n%s", resp.StatusCode, page)
	}
	evs, err := ts.Store.FindEvents(ctx, critmin.EventFilter{ClassMatches: []critmin.EPCMatch{{Roles: []string{critmin.RoleEPC}, Patterns: []string{lot}, Exact: true}}, BizSteps: []string{"sensor_reporting"}, Limit: 10})
	if err != nil || len(evs.Events) != 1 {
		t.Fatalf("the imported weighing: %d events, %v", len(evs.Events), err)
	}
	p := page{t: t, ctx: browser(t)}
	for _, width := range []int64{1400, 390} {
		p.viewport(width)
		p.do("weighing event", chromedp.Navigate(ts.URL+"/events/"+url.PathEscape(evs.Events[0].EventID)), chromedp.WaitVisible(chromedp.CSS("#event-ticket")))
		got := strings.Join(strings.Fields(p.text("#event-ticket")), " ")
		for _, w := range []string{"KHI-WB-3001", "39,900 kg", "15,000 kg", "24,900 kg"} {
			if !strings.Contains(got, w) {
				t.Errorf("%d px: ticket %q lacks %q", width, got, w)
			}
		}
		if over := eval[int](p, `document.documentElement.scrollWidth - window.innerWidth`); over > 1 {
			t.Errorf("%d px: event page %d px too wide", width, over)
		}
	}
}
