package http_test

import (
	"encoding/json"
	"testing"
)

// GET /api/v1/trade/contracts/{id} gives the position with the terms, as
// the CLI and the page do. The demo copper contract: 600 dmt ± 10 % =
// 540…660 dmt; one lot delivered at 54.6 dmt, below the band; take-or-pay
// 300 dmt at 25 USD: (300 − 54.6) × 25 = 245.4 × 25 = 6135 USD.
func TestTradeAPIContractHasPosition(t *testing.T) {
	ts := MustTradeDemo(t)
	resp, b := do(t, "GET", ts.URL+"/api/v1/trade/contracts/FWO-USSM-CU-2025", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("contract: %d %s", resp.StatusCode, b)
	}
	var got struct {
		ID       string `json:"id"`
		Currency string `json:"currency"`
		Position *struct {
			DeliveredDMT    json.Number `json:"delivered_dmt"`
			MinDMT          json.Number `json:"min_dmt"`
			MaxDMT          json.Number `json:"max_dmt"`
			Status          string      `json:"status"`
			Lots            int         `json:"lots"`
			ShortfallAmount json.Number `json:"take_or_pay_amount"`
		} `json:"position"`
	}
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != "FWO-USSM-CU-2025" || got.Currency != "USD" {
		t.Errorf("terms missing: %s", b)
	}
	p := got.Position
	if p == nil {
		t.Fatalf("no position: %s", b)
	}
	if p.DeliveredDMT != "54.6" || p.MinDMT != "540" || p.MaxDMT != "660" || p.Status != "below" || p.Lots != 1 || p.ShortfallAmount != "6135" {
		t.Errorf("position = %+v", *p)
	}
}
