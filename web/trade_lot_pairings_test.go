package web_test

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// Issue 13, new-user check (fix13h, 1): /trade paired every lot with
// every contract of its commodity, and the settlement of the demo copper
// lot under a second copper contract showed its amounts with no word that
// the lot is invoiced under FWO-USSM-CU-2025. Now /trade lists the lot
// under its own contract only, and the settlement under the other is
// marked a what-if naming the contract it is invoiced under, with no form
// to issue an invoice.
func TestTradeListsOnlyRealLotPairingsAndMarksWhatIf(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../commercial/demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Trade().SaveContract(ctx, []byte(strings.Replace(string(b), `"FWO-USSM-CU-2025"`, `"T-CU-OTHER"`, 1))); err != nil {
		t.Fatal(err)
	}
	lot := commercial.DemoCopperLot
	_, body := do(t, "GET", ts.URL+"/trade", viewerSecret, nil, nil)
	page := string(body)
	i := strings.Index(page, `id="trade-lots"`)
	j := strings.Index(page[i:], "</table>")
	// html/template writes the lot query escaped, with lower-case hex.
	table := strings.ToLower(page[i : i+j])
	esc := strings.ToLower(url.QueryEscape(lot))
	if !strings.Contains(table, "contract=fwo-ussm-cu-2025&amp;lot="+esc) {
		t.Errorf("/trade does not list the copper lot under its contract")
	}
	if strings.Contains(table, "contract=t-cu-other&amp;lot="+esc) {
		t.Errorf("/trade pairs the copper lot, invoiced under FWO-USSM-CU-2025, with T-CU-OTHER")
	}
	if !strings.Contains(page, `id="trade-whatif"`) {
		t.Errorf("/trade has no what-if form")
	}
	resp, body := do(t, "GET", ts.URL+"/trade/settlement?contract=T-CU-OTHER&lot="+url.QueryEscape(lot), operatorSecret, nil, nil)
	page = string(body)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="settle-whatif"`) || !strings.Contains(page, "invoiced under contract FWO-USSM-CU-2025") {
		t.Errorf("what-if settlement page: %d, want a what-if warning naming FWO-USSM-CU-2025", resp.StatusCode)
	}
	if strings.Contains(page, `id="issue-provisional"`) {
		t.Errorf("what-if settlement page offers to issue an invoice")
	}
	resp, body = do(t, "GET", ts.URL+"/api/v1/trade/settlement?contract=T-CU-OTHER&lot="+url.QueryEscape(lot), viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"what_if": true`) && !strings.Contains(string(body), `"what_if":true`) {
		t.Errorf("API settlement: %d, want what_if true", resp.StatusCode)
	}
}
