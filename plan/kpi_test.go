package plan

import (
	"encoding/json"
	"strings"
	"testing"
)

// Feed prices. B is priced at 100 per tonne of E contained (20 % E: 20
// per tonne of concentrate) and A at 70 per tonne. A tonne of B still
// earns 150 − 20 = 130 at X's price, but a tonne of A 60 − 70 = −10: A
// is not bought. The line takes B's 100 t: 20 t of oxide, 5 t to Y
// (10 000) and 15 t to X (15 000); costs 100·(20 + 30) transport and
// processing + 100·20 feed = 7 000. Margin 18 000; feed cost 2 000.
func TestFeedPricesMakeTheMarginAMargin(t *testing.T) {
	n := handNetwork()
	n.Supplies[0].Owned, n.Supplies[1].Owned = false, false
	n.Supplies[0].PricePerT = 70
	n.Supplies[1].PricePerT, n.Supplies[1].PriceBasis, n.Supplies[1].Element = 100, "contained", "E"
	p := run(t, n, Baseline, Options{})
	if !near(p.KPIs.Margin, 18000) || !near(p.KPIs.Costs["feed"], 2000) {
		t.Fatalf("margin %v feed %v, want 18000 and 2000", p.KPIs.Margin, p.KPIs.Costs["feed"])
	}
	if len(p.Purchases) != 1 || p.Purchases[0].Supply != "b" || !near(p.Purchases[0].Tonnes, 100) {
		t.Fatalf("purchases %+v, want 100 t of b", p.Purchases)
	}
	// Each supply's price and its source are published.
	if len(p.SupplyPrices) != 2 || p.SupplyPrices[1].From != PriceFromFile || !near(p.SupplyPrices[1].UnitCost, 20) || !near(p.SupplyPrices[1].Cost, 2000) {
		t.Errorf("supply prices %+v", p.SupplyPrices)
	}
	// Check re-derives the money: margin = revenue − feed − … .
	if err := Check(n, p); err != nil {
		t.Fatal(err)
	}
	for name, tamper := range map[string]func(q *Plan){
		"feed cost left out of the margin": func(q *Plan) { q.KPIs.Costs["feed"] = 0; q.KPIs.Margin += 2000 },
		"purchase recorded cheaper":        func(q *Plan) { q.Purchases[0].Cost = 1000; q.KPIs.Costs["feed"] = 1000; q.KPIs.Margin += 1000 },
		"margin not revenue less costs":    func(q *Plan) { q.KPIs.Margin += 1 },
	} {
		q := clonePlan(t, p)
		tamper(q)
		if err := Check(n, q); err == nil {
			t.Errorf("%s: Check passed", name)
		}
	}
}

// A supply with no price is refused, naming it; the network's price
// table prices it and says so.
func TestEverySupplyHasAPrice(t *testing.T) {
	n := handNetwork()
	n.Supplies[0].Owned = false
	if _, err := Run(t.Context(), n, Baseline, Options{}); err == nil || !strings.Contains(err.Error(), "/supplies/0/price_per_t") {
		t.Fatalf("unpriced supply: err = %v", err)
	}
	// 50 per tonne of E contained: 10 % E, 5 per tonne of A.
	n.FeedPrices = []FeedPrice{{Commodity: "conc", PricePerT: 50, PriceBasis: "contained", Element: "E", Source: "test table"}}
	p := run(t, n, Baseline, Options{})
	if sp := p.SupplyPrices[0]; sp.From != PriceFromTable || sp.Source != "test table" || !near(sp.UnitCost, 5) {
		t.Errorf("table price %+v", sp)
	}
	if sp := p.SupplyPrices[1]; sp.From != PriceFromOwned || sp.Cost != 0 {
		t.Errorf("owned supply %+v", sp)
	}
	if n.Supplies[0].PricePerT != 0 {
		t.Error("planning changed the network's supply")
	}
}

// Fill of minimum counts each period's minimum on its own. Two weeks, one
// contract c (min 2 t/week, max 10, 100/t, shortfall penalty 0.5/t) at
// buyer B; 6 t of oxide at R in week 0 only; holding costs 1/t/week at R
// and at B, so holding 2 t for week 1 (cost 2) is dearer than the penalty
// for missing it (2 t × 0.5 = 1). By hand: all 6 t delivered in week 0,
// none in week 1. Σ min = 2 × 2 = 4 t; unmet 2 t (week 1); fill
// (4 − 2)/4 = 50 % — not delivered/min = 6/4 = 150 %. Margin 600 − 1 = 599.
// The elastic slack is 0 (nothing relaxed), under its own name.
func TestFillOfMinimumDoesNotCountOverDelivery(t *testing.T) {
	n := &Network{
		ID: "fill", Title: "fill", Periods: Periods{Unit: "week", Count: 2, Start: "2026-01-05"},
		Commodities: []Commodity{{ID: "ox"}},
		Sites:       []Site{{ID: "R", Kind: "refinery", Country: "USA", HoldingCost: 1}, {ID: "B", Kind: "buyer", Country: "USA", HoldingCost: 1}},
		Supplies:    []Supply{{ID: "s", Site: "R", Commodity: "ox", OriginCountry: "USA", Grade: map[string]float64{}, Tonnes: 6, Owned: true}},
		Lanes:       []Lane{{ID: "RB", From: "R", To: "B", Mode: "truck"}},
		Contracts:   []Contract{{ID: "c", Buyer: "B", Site: "B", Commodity: "ox", MinT: 2, MaxT: 10, PricePerT: 100, ShortfallPenalty: 0.5}},
	}
	p := run(t, n, Baseline, Options{})
	k := p.KPIs
	if !near(k.Margin, 599) || !near(k.ContractTonnes["c"], 6) || !near(k.ContractUnmet["c"], 2) || !near(k.ContractMin["c"], 4) {
		t.Fatalf("margin %v delivered %v unmet %v min %v; want 599, 6, 2, 4", k.Margin, k.ContractTonnes["c"], k.ContractUnmet["c"], k.ContractMin["c"])
	}
	if !near(k.ContractFill["c"], 0.5) {
		t.Errorf("fill %v, want 0.5", k.ContractFill["c"])
	}
	if k.ElasticSlack != 0 {
		t.Errorf("elastic slack %v", k.ElasticSlack)
	}
	b, _ := json.Marshal(k)
	if strings.Contains(string(b), `"unmet_t"`) {
		t.Errorf("KPI JSON still has the ambiguous unmet_t: %s", b)
	}
}
