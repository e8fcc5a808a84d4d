package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// The Trade pages over the demo: contracts, a lot's settlement, the
// printable invoice, the agreement and exposure; the settlement page's form
// issues the REE lot's final invoice and lands on it.
func TestTradePages(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	lot := url.QueryEscape(commercial.DemoREELot1)
	cu := url.QueryEscape(commercial.DemoCopperLot)
	for _, tc := range []struct{ path, want string }{
		{"/trade", "FWO-USSM-CU-2025"},
		{"/trade/contracts/FWO-USSM-CU-2025", "termsheet-json"},
		{"/trade/settlement?contract=FWO-USSM-CU-2025&lot=" + cu, "umpire"},
		{"/trade/settlement?contract=FWO-USSM-REE-2025&lot=" + lot, "issue-final"},
		{"/trade/agreement?as_of=2025-12-01", "on_time"},
		{"/trade/exposure?as_of=2025-10-15", "exposure-days"},
	} {
		resp, b := do(t, "GET", ts.URL+tc.path, viewerSecret, nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s: %d, want %q in the page", tc.path, resp.StatusCode, tc.want)
		}
	}
	invs, err := ts.Trade().Invoices(ctx, commercialFilter(commercial.DemoCopperLot))
	if err != nil || len(invs) != 2 {
		t.Fatalf("copper invoices: %v %v", invs, err)
	}
	resp, b := do(t, "GET", ts.URL+"/trade/invoices/"+invs[1].ID, viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Less provisional invoice") || !strings.Contains(string(b), "bizTransaction type inv") {
		t.Errorf("invoice page: %d", resp.StatusCode)
	}
	form := "contract=FWO-USSM-REE-2025&kind=final&lot=" + lot
	resp, b = do(t, "POST", ts.URL+"/trade/invoices", operatorSecret, []byte(form), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Final invoice") {
		t.Errorf("issue from the page: %d %.200s", resp.StatusCode, b)
	}
	resp, _ = do(t, "GET", ts.URL+"/trade/settlement?contract=FWO-USSM-REE-2025&lot=nope", viewerSecret, nil, nil)
	if resp.StatusCode != 404 {
		t.Errorf("unknown lot: %d, want 404", resp.StatusCode)
	}
}

func commercialFilter(lot string) critmin.InvoiceFilter { return critmin.InvoiceFilter{Lot: lot} }
