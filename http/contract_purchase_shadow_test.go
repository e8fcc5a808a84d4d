package http_test

import (
	"context"
	"encoding/json"
	"math"
	"net/url"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
)

// GET /api/v1/trade/contracts/{id} shows the contract's shadow prices from
// the latest finished plan next to its terms — for a purchase contract
// too: the ledger lots the plan buys at FWO's terms (supply_prices with
// terms FWO-USSM-…) are listed as priced by it, and each nonzero
// supply_max dual of such a supply in the plan is a "purchase" entry with
// the same largest value. Before, the API showed no shadow price, and the
// contract page only those of planning contracts (sales). The CLI's
// `trade contract show` reads the same from the stored job
// (commercial.StoredContractShadows). The arithmetic of a purchase's dual
// is worked by hand in plan.TestPurchaseShadowPrice.
func TestContractShadowPricesOfPurchases(t *testing.T) {
	ts := MustTradeDemo(t)
	ts.SetTradeClock(func() time.Time { return time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) })
	resp, b := do(t, "POST", ts.URL+"/api/v1/plans", operatorSecret, []byte(`{"scenarios": ["baseline"]}`), map[string]string{"Content-Type": "application/json"})
	if resp.StatusCode != 202 {
		t.Fatalf("create: %d %s", resp.StatusCode, b)
	}
	var started planJobView
	json.Unmarshal(b, &started)
	if j := waitJob(t, ts.URL, viewerSecret, started.ID); j.Status != "success" {
		t.Fatalf("job %+v", j)
	}
	_, b = do(t, "GET", ts.URL+"/api/v1/plans/"+started.ID, viewerSecret, nil, nil)
	var full struct {
		Plans []*plan.Plan `json:"plans"`
	}
	if err := json.Unmarshal(b, &full); err != nil || len(full.Plans) != 1 {
		t.Fatalf("%v %.300s", err, b)
	}
	p := full.Plans[0]
	bought := map[string]string{} // supply → terms
	for _, sp := range p.SupplyPrices {
		if sp.Terms != "" {
			bought[sp.Supply] = sp.Terms
		}
	}
	if len(bought) == 0 {
		t.Fatal("no supply priced at a purchase contract")
	}
	want := map[string]plan.ShadowSummary{}
	for _, sh := range plan.SummariseShadowPrices(p) {
		if sh.Kind == plan.RowSupplyMax && bought[sh.Ref] != "" {
			want[sh.Ref] = sh
		}
	}
	t.Logf("purchases %v, nonzero supply_max %+v", bought, want)
	terms := map[string]bool{}
	for _, id := range bought {
		terms[id] = true
	}
	for id := range terms {
		resp, b := do(t, "GET", ts.URL+"/api/v1/trade/contracts/"+url.PathEscape(id), viewerSecret, nil, nil)
		var got struct {
			Shadow commercial.PlanShadows `json:"shadow_prices"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(b, &got) != nil {
			t.Fatalf("%s: %d %s", id, resp.StatusCode, b)
		}
		if got.Shadow.Job != started.ID {
			t.Errorf("%s: shadow prices of job %q, want %s", id, got.Shadow.Job, started.ID)
		}
		priced := map[string]bool{}
		for _, r := range got.Shadow.Priced {
			priced[r] = true
		}
		purchase := map[string]commercial.ContractShadow{}
		for _, s := range got.Shadow.Prices {
			if s.Side == commercial.ShadowPurchase {
				purchase[s.Contract] = s
			}
		}
		for sup, tid := range bought {
			if tid != id {
				continue
			}
			if !priced[sup] {
				t.Errorf("%s: supply %s, bought at these terms, not listed as priced: %v", id, sup, got.Shadow.Priced)
			}
			if w, ok := want[sup]; ok {
				if g, ok := purchase[sup]; !ok || g.Kind != plan.RowSupplyMax || g.Largest != math.Round(w.Largest*100)/100 || g.Periods != w.Periods {
					t.Errorf("%s: supply %s: %+v, want supply_max largest %v (to the cent) over %d periods", id, sup, g, w.Largest, w.Periods)
				}
			} else if _, ok := purchase[sup]; ok {
				t.Errorf("%s: supply %s has a purchase entry but no nonzero dual", id, sup)
			}
		}
		// The CLI's reading of the stored job is the API's.
		stored, err := commercial.StoredContractShadows(context.Background(), ts.Store, id)
		if err != nil || stored.Job != started.ID || len(stored.Priced) != len(got.Shadow.Priced) || len(stored.Prices) != len(got.Shadow.Prices) {
			t.Errorf("%s: stored %+v (%v), API %+v", id, stored, err, got.Shadow)
		}
	}
}
