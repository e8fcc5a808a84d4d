package web_test

import (
	"context"
	"html"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
)

// TestImportBackdatedTicketAboveLaterShipment (issue 15, fix15x item 1):
// demo lot REE-2025-002 arrived at Karachi at 17,980 kg (29 Aug 2025) and
// was shipped whole at 17,980 kg on 1 Sep, received at the refinery and
// consumed there on 20 Oct: 17.98 t, consumed. A weighbridge ticket of
// 18,100 kg dated 30 Aug 10:00 +05:00 (before the shipment) would, in
// event-time order, make that shipment a part: 17,980 < 18,100 × 0.995
// = 18,009.5 (ledger.PartTolerance). It was stored and the lot came out
// at 2 × 17.98 = 35.96 t, in stock at the refinery, owned by FWO. The
// ticket contradicts the later shipped weight: refused, 409, nothing
// stored, the lot still 17.98 t and consumed. A ticket of 18,000 kg the
// same day (17,980 ≥ 18,000 × 0.995 = 17,910) is accepted and leaves the
// lot as it was (17.98 t, consumed).
//
// The lot is recorded at 7 % moisture (dry 17.98 × 0.93 = 16.7214 t,
// printed to the kilogram, 16.721 t: custody.Tonnes, fix15c).
// The 18,100 kg ticket states 7.5 %: dry 18.1 × 0.925 = 16.7425 t,
// +0.13 %, within the weighing tolerance at its own time (fix15w3), so
// that it reaches the later-shipment check. At 7 % (dry 18.1 × 0.93 =
// 16.833 t, +0.67 % > 0.5 %) the back-dated ticket is refused by the
// weighing tolerance, judged against the lot as it stood on 30 Aug
// (fix15w3 item 1: before, a back-dated ticket skipped it).
func TestImportBackdatedTicketAboveLaterShipment(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-002"
	wb := func(csv string) url.Values {
		return url.Values{"source": {"karachi-weighbridge"}, "kind": {"weighbridge"}, "csv": {csv}, "step": {"capture"},
			"col_ticket": {"Ticket"}, "col_lot": {"Lot No"}, "col_time": {"Weighed at"}, "col_net_kg": {"Net (kg)"}, "col_moisture_pct": {"Moisture %"},
			"def_site": {"urn:critmin:demo:site:karachi"}, "def_tz": {"+05:00"}}
	}
	const head = "Ticket,Lot No,Weighed at,Gross (kg),Tare (kg),Net (kg),Moisture %\n"
	check := func(when string) {
		t.Helper()
		l, err := ts.Store.FindLot(ctx, lot)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(l.WetTonnes-17.98) > 1e-9 || l.Status != critmin.LotConsumed || len(l.Parts) != 0 {
			t.Fatalf("%s: %s %v t, %s, parts %+v; want 17.98 t, consumed, no parts", when, lot, l.WetTonnes, l.Status, l.Parts)
		}
	}
	check("before")
	before, _ := ts.Store.CountEvents(ctx)
	resp, page := postImport(t, ts, wb(head+"V-0,"+lot+",2025-08-30 10:00,,,18100,7\n"))
	page = html.UnescapeString(page)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "recorded at 17.98 t and weighed at 18.1 t (dry 16.721 t → 16.833 t), a difference of +0.7 %") || !strings.Contains(page, "before the lot's later recorded events") {
		t.Fatalf("back-dated ticket of 18,100 kg at 7 %%: %d, want 409 naming the weighing tolerance at its own time\n%s", resp.StatusCode, excerpt(page, "rows"))
	}
	check("after the ticket beyond the tolerance")
	resp, page = postImport(t, ts, wb(head+"V-1,"+lot+",2025-08-30 10:00,,,18100,7.5\n"))
	page = html.UnescapeString(page)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(page, "a part of 17.98 t shipped") {
		t.Fatalf("ticket of 18,100 kg: %d, want 409 naming the shipment read as a part\n%s", resp.StatusCode, excerpt(page, "rows"))
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Fatalf("%d events stored by the refused import", after-before)
	}
	check("after the refused ticket")
	if resp, page := postImport(t, ts, wb(head+"V-2,"+lot+",2025-08-30 10:00,,,18000,7\n")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("ticket of 18,000 kg: %d, want 303\n%s", resp.StatusCode, page)
	}
	check("after the ticket within tolerance")
}
