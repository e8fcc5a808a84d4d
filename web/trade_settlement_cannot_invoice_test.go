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

// Issue 13 (fix13i, 1): a contract whose seller did not own the lot at
// delivery cannot invoice it (Issue answers 409), so its settlement page
// is a what-if giving that reason, with no form to issue an invoice. The
// demo copper lot was FWO's at its B/L; T-CU-STRANGER is the demo copper
// terms with another seller.
func TestTradeSettlementPageIsWhatIfWhenSellerDidNotOwnLot(t *testing.T) {
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
	doc := strings.Replace(string(b), `"FWO-USSM-CU-2025"`, `"T-CU-STRANGER"`, 1)
	doc = strings.Replace(doc, `"urn:critmin:demo:party:fwo"`, `"urn:critmin:test:party:stranger"`, 1)
	if _, err := ts.Trade().SaveContract(ctx, []byte(doc)); err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, "GET", ts.URL+"/trade/settlement?contract=T-CU-STRANGER&lot="+url.QueryEscape(commercial.DemoCopperLot), operatorSecret, nil, nil)
	page := string(body)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="settle-whatif"`) || !strings.Contains(page, "did not own it at delivery") {
		t.Errorf("settlement under a seller that did not own the lot: %d, want a what-if naming the ownership refusal", resp.StatusCode)
	}
	if strings.Contains(page, `id="issue-provisional"`) || strings.Contains(page, `id="issue-final"`) {
		t.Errorf("what-if settlement page offers to issue an invoice")
	}
}

// Issue 13 (fix13i, 4): the settlement page without a lot is a bad
// request naming lot (as GET /api/v1/trade/settlement answers), not 404.
func TestTradeSettlementPageWithoutLotNamesLot(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(context.Background(), ts.Trade()); err != nil {
		t.Fatal(err)
	}
	resp, body := do(t, "GET", ts.URL+"/trade/settlement?contract=FWO-USSM-CU-2025", operatorSecret, nil, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(body), "lot") || !strings.Contains(string(body), "required") {
		t.Errorf("without lot: %d %s, want 400 naming lot", resp.StatusCode, body)
	}
}
