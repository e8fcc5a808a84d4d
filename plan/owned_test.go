package plan

import "testing"

// TestOwnedSuppliesListed: a plan lists what enters whole at no purchase
// (an owned supply) beside what it buys, so that a site's inflows and
// outflows balance from the plan alone (the plan page's Sankey, fix15w).
// The hand network's two supplies, a and b, are owned, 100 t each in its
// one week at A and B: Owned lists both, 100 t each; Purchases none.
// With b priced instead, b is bought (Purchases) and only a is owned.
func TestOwnedSuppliesListed(t *testing.T) {
	n := handNetwork()
	p := run(t, n, Baseline, Options{})
	if len(p.Purchases) != 0 || len(p.Owned) != 2 {
		t.Fatalf("purchases %+v owned %+v; want none bought and a, b owned", p.Purchases, p.Owned)
	}
	for i, w := range []struct{ supply, site string }{{"a", "A"}, {"b", "B"}} {
		if o := p.Owned[i]; o.Supply != w.supply || o.Site != w.site || o.Period != 0 || !near(o.Tonnes, 100) || o.Stream != "supply:"+w.supply {
			t.Errorf("owned[%d] = %+v; want 100 t of %s at %s in week 0", i, o, w.supply, w.site)
		}
	}
	n = handNetwork()
	n.Supplies[1].Owned, n.Supplies[1].PricePerT = false, 1
	p = run(t, n, Baseline, Options{})
	if len(p.Owned) != 1 || p.Owned[0].Supply != "a" {
		t.Errorf("owned %+v; want a only (b is bought)", p.Owned)
	}
}
