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

// TestImportPreviewRefusesBackdatedTicket (issue 15): the preview runs the
// checks the store makes as it writes (ledger.Service.Validate's trial
// store), so its verdict matches the capture's. Demo lot REE-2025-002 was
// shipped whole at 17,980 kg on 1 Sep 2025; a ticket of 18,100 kg dated
// 30 Aug would make that shipment a part (17,980 < 18,100 × 0.995 =
// 18,009.5, ledger.PartTolerance), so the capture refuses it (409,
// TestImportBackdatedTicketAboveLaterShipment). Before, the preview
// called that row valid ("1 valid"). Now it lists the row as not valid
// with the capture's reason, and stores nothing; a ticket of 18,000 kg
// (17,980 ≥ 17,910) previews as valid. The 18,100 kg ticket states 7.5 %
// moisture (dry 18.1 × 0.925 = 16.7425 t against the recorded 17.98 ×
// 0.93 = 16.7214 t, +0.13 %), within the weighing tolerance, so that it
// is the later shipment that refuses it; at 7 % (+0.67 % dry) the
// back-dated tolerance refuses it first (fix15w3), in the preview too.
func TestImportPreviewRefusesBackdatedTicket(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-002"
	const head = "Ticket,Lot No,Weighed at,Gross (kg),Tare (kg),Net (kg),Moisture %\n"
	before, _ := ts.Store.CountEvents(ctx)
	for _, step := range []string{"preview"} {
		form := func(csv string) url.Values {
			return url.Values{"source": {"karachi-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {step},
				"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"}, "col_moisture_pct": {"Moisture %"},
				"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
		}
		resp, page := postImport(t, ts, form(head+"V-0,"+lot+",2025-08-30 10:00,,,18100,7\n"))
		page = html.UnescapeString(page)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>0 valid</strong>") || !strings.Contains(page, "a difference of +0.7 %, beyond the weighing tolerance") {
			t.Fatalf("%s of the 18,100 kg ticket at 7 %%: %d, want 200 with the row not valid by the weighing tolerance\n%s", step, resp.StatusCode, excerpt(page, "import-summary"))
		}
		resp, page = postImport(t, ts, form(head+"V-1,"+lot+",2025-08-30 10:00,,,18100,7.5\n"))
		page = html.UnescapeString(page)
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>0 valid</strong>") || !strings.Contains(page, "a part of 17.98 t shipped") {
			t.Fatalf("%s of the 18,100 kg ticket: %d, want 200 with the row not valid, its error naming the shipment read as a part\n%s", step, resp.StatusCode, excerpt(page, "import-summary"))
		}
		resp, page = postImport(t, ts, form(head+"V-2,"+lot+",2025-08-30 10:00,,,18000,7\n"))
		if page = html.UnescapeString(page); resp.StatusCode != http.StatusOK || !strings.Contains(page, "<strong>1 valid</strong>") {
			t.Fatalf("%s of the 18,000 kg ticket: %d, want 200 with the row valid\n%s", step, resp.StatusCode, excerpt(page, "import-summary"))
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Fatalf("%d events stored by the previews", after-before)
	}
}
