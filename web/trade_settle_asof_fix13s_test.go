package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// TestTradeSettlementPageAsOf (fix13s item 3): the settlement page has
// a date field (as_of) and shows the settlement as the records stood on
// that day. The demo copper lot's provisional invoice is issued
// 2025-09-03 and its final 2025-11-05: as of 2025-09-05 the page lists
// the provisional only and says it is as of that day; a day before the
// lot's first weighing is 400 "no settlement as of …" naming as_of.
func TestTradeSettlementPageAsOf(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	prov := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Provisional)
	fin := commercial.InvoiceID("FWO-USSM-CU-2025", commercial.DemoCopperLot, commercial.Final)
	base := ts.URL + "/trade/settlement?contract=FWO-USSM-CU-2025&lot=" + url.QueryEscape(commercial.DemoCopperLot)
	resp, body := do(t, "GET", base, operatorSecret, nil, nil)
	if page := string(body); resp.StatusCode != 200 || !strings.Contains(page, `id="settle-as-of"`) || !strings.Contains(page, fin) || strings.Contains(page, `id="settle-asof-note"`) {
		t.Errorf("current settlement: %d; want the as-of date field, the final invoice %s, no as-of note", resp.StatusCode, fin)
	}
	resp, body = do(t, "GET", base+"&as_of=2025-09-05", operatorSecret, nil, nil)
	page := string(body)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="settle-asof-note"`) || !strings.Contains(page, `value="2025-09-05"`) || !strings.Contains(page, prov) || strings.Contains(page, fin) {
		t.Errorf("as of 2025-09-05: %d; want the as-of note, the day in the field, %s and not %s\n%s", resp.StatusCode, prov, fin, page)
	}
	resp, body = do(t, "GET", base+"&as_of=2020-01-01", operatorSecret, nil, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "no settlement as of 2020-01-01") || !strings.Contains(string(body), "as_of") {
		t.Errorf("as of 2020-01-01: %d %s; want 400 'no settlement as of 2020-01-01' naming as_of", resp.StatusCode, body)
	}
	resp, _ = do(t, "GET", base+"&as_of=2025-02-30", operatorSecret, nil, nil)
	if resp.StatusCode != 400 {
		t.Errorf("as_of=2025-02-30: %d; want 400", resp.StatusCode)
	}
}
