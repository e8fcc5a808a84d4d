package plan

import "testing"

// A lane with a minimum-shipment binary reports tonnes shipped and the
// capacity open, not the row Σx − cap·z. One week; 100 t of ox at mine M
// (owned). Lane MB: capacity 30, minimum 10, free; B buys up to 20 t at
// 100. Lane MC: capacity 50, minimum 40, 50/t; C buys up to 50 t at 10.
//
// By hand: MB opens and ships 20 t (2000); its row reads 20 − 30·1 =
// −10 ≤ 0, reported as 20 t shipped of 30 t capacity, shadow price 0
// (capacity is not binding). Every tonne on MC loses 50 − 10 = 40 and
// opening it ships at least 40 t: 40 × −40 = −1600, so MC stays closed; its row
// reads Σx ≤ 0, reported as 0 t of 0 t, closed, value 0, and the opening
// is worth −1600.
func TestLaneWithMinimumShipmentReportsShippedAndCapacity(t *testing.T) {
	n := &Network{
		ID: "lanes", Title: "lanes", Periods: Periods{Unit: "week", Count: 1, Start: "2026-01-05"},
		Commodities: []Commodity{{ID: "ox"}},
		Sites:       []Site{{ID: "M", Kind: "mine", Country: "PAK"}, {ID: "B", Kind: "buyer", Country: "USA"}, {ID: "C", Kind: "buyer", Country: "USA"}},
		Supplies:    []Supply{{ID: "s", Site: "M", Commodity: "ox", OriginCountry: "PAK", Grade: map[string]float64{}, Tonnes: 100, Owned: true}},
		Lanes: []Lane{{ID: "MB", From: "M", To: "B", Mode: "truck", CapacityT: 30, MinShipmentT: 10},
			{ID: "MC", From: "M", To: "C", Mode: "truck", CapacityT: 50, MinShipmentT: 40, CostPerT: 50}},
		Contracts: []Contract{{ID: "b", Buyer: "B", Site: "B", Commodity: "ox", MaxT: 20, PricePerT: 100},
			{ID: "c", Buyer: "C", Site: "C", Commodity: "ox", MaxT: 50, PricePerT: 10}},
	}
	p := run(t, n, Baseline, Options{})
	if !near(p.KPIs.Margin, 2000) {
		t.Fatalf("margin %v, want 2000", p.KPIs.Margin)
	}
	got := map[string]Shadow{}
	for _, s := range p.ShadowPrices {
		if s.Kind == RowLaneCapacity {
			got[s.Ref] = s
		}
	}
	if s := got["MB"]; s.Closed || !near(s.Activity, 20) || !near(s.Bound, 30) || s.Value != 0 {
		t.Errorf("MB %+v; want 20 t shipped of 30 t, open, value 0", s)
	}
	if s := got["MC"]; !s.Closed || s.Activity != 0 || s.Bound != 0 || s.Value != 0 {
		t.Errorf("MC %+v; want closed, 0 of 0, value 0", s)
	}
	if len(p.LaneOpenings) != 1 || p.LaneOpenings[0].Lane != "MC" || !p.LaneOpenings[0].Feasible || !near(p.LaneOpenings[0].Value, -1600) {
		t.Errorf("openings %+v; want MC worth −1600", p.LaneOpenings)
	}
}
