package web_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// Issue 13, seventh check (nu13f, 6 and 8): /trade/contracts answered 404
// beside /trade/contracts/{id}; it now leads to the trade page's contract
// list. The settlement page printed per-dmt figures "-84.0761" beside
// amounts "−8,407.61": every number cell now carries the true minus sign.
func TestTradeContractsAndTrueMinusOnPages(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/trade/contracts", viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `id="contracts"`) || !strings.Contains(string(b), "FWO-USSM-CU-2025") {
		t.Errorf("/trade/contracts: %d, want the trade page's contract list", resp.StatusCode)
	}
	lot := commercial.DemoCopperLot
	resp, b = do(t, "GET", ts.URL+"/trade/settlement?contract=FWO-USSM-CU-2025&lot="+url.QueryEscape(lot), viewerSecret, nil, nil)
	page := string(b)
	if resp.StatusCode != 200 || !strings.Contains(page, `<td class="num">−`) {
		t.Fatalf("settlement page: %d, want negative per-dmt cells with −", resp.StatusCode)
	}
	if m := regexp.MustCompile(`<t[dh] class="num">-[0-9]`).FindString(page); m != "" {
		t.Errorf("settlement page writes a hyphen-minus in a number cell: %s", m)
	}
}
