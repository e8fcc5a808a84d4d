package plan

import "testing"

// A purchase (a priced supply) has a shadow price too: its offer is the
// purchase column's bound, whose dual is the column's reduced cost.
// handNetwork with B's 100 t bought at 40 per t instead of owned:
//
// A tonne of B's feed earns 0.2·1000 − 20 (lane) − 30 (line) − 40 (price)
// = 110 at X's price, a tonne of A's (owned) 0.1·1000 − 10 − 30 = 60: the
// plan buys all 100 t of B and fills the line's 120 t with 20 t of A.
// One more tonne of B offered displaces a tonne of A on the full line:
// +110 − 60 = 50 — supply b's shadow price, bought 100 of 100 t. The
// line's dual is still A's 60, Y's maximum still 1000. Margin: 21 200
// (handNetwork) − 100 × 40 = 17 200.
func TestPurchaseShadowPrice(t *testing.T) {
	n := handNetwork()
	n.Supplies[1].Owned, n.Supplies[1].PricePerT, n.Supplies[1].PriceSource = false, 40, "test"
	p := run(t, n, Baseline, Options{})
	if !near(p.KPIs.Margin, 17200) {
		t.Fatalf("margin %v, want 17200", p.KPIs.Margin)
	}
	var got *Shadow
	for i, s := range p.ShadowPrices {
		if s.Kind == RowSupplyMax && s.Ref == "b" {
			got = &p.ShadowPrices[i]
		}
	}
	if got == nil {
		t.Fatalf("no shadow price for supply b in %+v", p.ShadowPrices)
	}
	if !near(got.Value, 50) || !near(got.Activity, 100) || !near(got.Bound, 100) || got.Detail != "B" || got.Period != 0 {
		t.Errorf("supply b: %+v, want value 50, bought 100 of 100 t at B in period 0", *got)
	}
	if v := shadow(t, p, RowLineCapacity, "L"); !near(v, 60) {
		t.Errorf("line capacity dual %v, want 60", v)
	}
	found := false
	for _, s := range SummariseShadowPrices(p) {
		if s.Kind == RowSupplyMax && s.Ref == "b" && near(s.Largest, 50) {
			found = true
		}
	}
	if !found {
		t.Errorf("summary lacks supply b's 50: %+v", SummariseShadowPrices(p))
	}
}
