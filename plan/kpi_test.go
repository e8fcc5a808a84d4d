package plan

import (
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
	n.Supplies[0].PricePerT = 70
	n.Supplies[1].PricePerT, n.Supplies[1].PriceBasis, n.Supplies[1].Element = 100, "contained", "E"
	p := run(t, n, Baseline, Options{})
	if !near(p.KPIs.Margin, 18000) || !near(p.KPIs.Costs["feed"], 2000) {
		t.Fatalf("margin %v feed %v, want 18000 and 2000", p.KPIs.Margin, p.KPIs.Costs["feed"])
	}
	if len(p.Purchases) != 1 || p.Purchases[0].Supply != "b" || !near(p.Purchases[0].Tonnes, 100) {
		t.Fatalf("purchases %+v, want 100 t of b", p.Purchases)
	}
}

// The lane dual rule. Lane BR (capacity 90, minimum shipment 50) is open
// and full: one more tonne of B is worth 0.2·1000 − 20 − 30 = 150. Lane
// AR (minimum shipment 100 at 25/t) stays closed: shipping A means 100 t
// at 25 = 2 500 to use the 30 t of spare line capacity, worth
// 30·(0.1·1000 − 30) = 2 100. Its capacity row reads Σx ≤ 0 and has no
// capacity value; opening it is worth 2 100 − 2 500 = −400.
//
// Plan: B's 90 t make 18 t of oxide, 5 t to Y and 13 t to X: 23 000 −
// 90·50 = 18 500.
func TestLaneDualOnlyWhereTheLaneIsOpen(t *testing.T) {
	n := handNetwork()
	n.Lanes[0].MinShipmentT, n.Lanes[0].CapacityT, n.Lanes[0].CostPerT = 100, 200, 25
	n.Lanes[1].MinShipmentT, n.Lanes[1].CapacityT = 50, 90
	p := run(t, n, Baseline, Options{})
	if !near(p.KPIs.Margin, 18500) {
		t.Fatalf("margin %v, want 18500", p.KPIs.Margin)
	}
	var br, ar *Shadow
	for i, s := range p.ShadowPrices {
		if s.Kind == RowLaneCapacity && s.Ref == "BR" {
			br = &p.ShadowPrices[i]
		}
		if s.Kind == RowLaneCapacity && s.Ref == "AR" {
			ar = &p.ShadowPrices[i]
		}
	}
	if br == nil || br.Closed || !near(br.Value, 150) {
		t.Fatalf("BR capacity %+v, want open with dual 150", br)
	}
	if ar == nil || !ar.Closed || ar.Value != 0 {
		t.Fatalf("AR capacity %+v, want closed without a capacity value", ar)
	}
	if len(p.LaneOpenings) != 1 || p.LaneOpenings[0].Lane != "AR" || !p.LaneOpenings[0].Feasible || !near(p.LaneOpenings[0].Value, -400) {
		t.Fatalf("openings %+v, want AR worth −400", p.LaneOpenings)
	}
	for _, s := range SummariseShadowPrices(p) {
		if s.Kind == RowLaneCapacity && s.Ref == "AR" {
			t.Fatalf("closed lane in the shadow-price summary: %+v", s)
		}
	}
}

// KPIs of a missed minimum. X must take 50 t (penalty 100/t below it);
// at most 22 t of oxide can be made and Y's 2000 beats X's 1000 + 100, so
// Y still takes 5 t and X 17 t: unmet 33 t, penalty 3 300, fill 17/50 =
// 34 %. Margin 21 200 − 3 300 = 17 900.
func TestContractKPIsShowWhatWasMissed(t *testing.T) {
	n := handNetwork()
	n.Contracts[0].MinT, n.Contracts[0].ShortfallPenalty = 50, 100
	p := run(t, n, Baseline, Options{})
	k := p.KPIs
	if !near(k.Margin, 17900) || !near(k.ContractUnmet["cx"], 33) || !near(k.ContractPenalty["cx"], 3300) || !near(k.ContractFill["cx"], 0.34) {
		t.Fatalf("margin %v unmet %v penalty %v fill %v", k.Margin, k.ContractUnmet, k.ContractPenalty, k.ContractFill)
	}
	if v, ok := k.ContractUnmet["cy"]; !ok || v != 0 {
		t.Fatalf("cy has no minimum and should show 0 unmet, got %v %v", v, ok)
	}
}

// Two plans at gap 0.5 % with objectives 1 000 000 and 1 003 000 may have
// optima up to 0.005·(1 000 000 + 1 003 000) = 10 015 apart from their
// reported difference: a 3 000 difference is not significant, 20 000 is.
func TestMarginDifferenceBelowTheGapIsNotSignificant(t *testing.T) {
	base := &Plan{Gap: 0.005, Objective: 1e6, KPIs: KPIs{Margin: 1e6}}
	p := &Plan{Gap: 0.005, Objective: 1.003e6, KPIs: KPIs{Margin: 1.003e6}}
	if d, sig := MarginDifference(base, p); !near(d, 3000) || sig {
		t.Fatalf("delta %v significant %v", d, sig)
	}
	p.Objective, p.KPIs.Margin = 1.02e6, 1.02e6
	if _, sig := MarginDifference(base, p); !sig {
		t.Fatal("a 20 000 difference is larger than the gap")
	}
}

// Origin share, counted where the product is made. No origin may make
// more than 80 % of the oxide. With x_A, x_B tonnes of A's and B's feed,
// AUS oxide 0.2·x_B ≤ 0.8·(0.1·x_A + 0.2·x_B) ⇔ x_B ≤ 2·x_A. At X's price
// A earns 60 a tonne and B 150, on a 120 t line: x_B = 80, x_A = 40
// (60·40 + 150·80 = 14 400, plus Y's 5 t at 1000 over X's price: 5 000).
// Margin 19 400; oxide 4 t PAK + 16 t AUS, AUS exactly 80 %.
func TestOriginShareOnProduction(t *testing.T) {
	n := handNetwork()
	n.Policy.MaxOriginShare = []OriginShare{{Commodity: "oxide", Share: 0.8}}
	p := run(t, n, Baseline, Options{})
	if !near(p.KPIs.Margin, 19400) || !near(p.KPIs.OriginShares["oxide"]["AUS"], 0.8) {
		t.Fatalf("margin %v shares %v, want 19400 and AUS 0.8", p.KPIs.Margin, p.KPIs.OriginShares)
	}
}
