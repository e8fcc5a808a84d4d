package commercial

import (
	"testing"

	"github.com/shopspring/decimal"
)

// fix13r 4: every element PriceBounds judges has a bound in each
// currency the platform prices in (USD and CNY): before, a CNY price of
// gold, silver, antimony, Nd2O3, Pr6O11 or Tb4O7 was not judged at all.
func TestPriceBoundsEveryCurrency(t *testing.T) {
	for el := range PriceBounds {
		for _, cur := range []string{"USD", "CNY"} {
			if _, _, ok := priceBound(el, cur); !ok {
				t.Errorf("%s: no bound in %s", el, cur)
			}
		}
	}
}

// fix13r 4: gold in CNY. The Shanghai Gold Exchange quotes CNY/g; the
// bound is the USD one (200–20 000 USD/ozt) at 6–8 CNY per USD:
// 200 × 6 ÷ 31.1034768 = 38.58 → 35 CNY/g, 20 000 × 8 ÷ 31.1034768 =
// 5 144 → 5 500 CNY/g. 900 CNY/g (gold at about 3 850 USD/ozt at 7.1)
// passes; the same gold quoted per troy ounce in a per-gram series,
// 900 × 31.1034768 = 27 993 "CNY/g", is refused; so is a per-gram price
// in a per-ozt series, 900 "CNY/ozt" = 28.94 CNY/g < 35. Silver
// (3–500 USD/ozt → 0.5–130 CNY/g): 10 CNY/g passes, 311 (per ozt) and
// 10 "CNY/ozt" (0.32 CNY/g) are refused.
func TestPriceBoundsGoldSilverCNY(t *testing.T) {
	for _, c := range []struct {
		el, v, unit string
		ok          bool
	}{
		{"Au", "900", "CNY/g", true}, {"Au", "27993", "CNY/g", false}, {"Au", "900", "CNY/ozt", false},
		{"Ag", "10", "CNY/g", true}, {"Ag", "311", "CNY/g", false}, {"Ag", "10", "CNY/ozt", false},
	} {
		u, err := ParsePriceUnit(c.unit, "")
		if err != nil {
			t.Fatal(err)
		}
		err = plausiblePrice("L", c.el, decimal.RequireFromString(c.v), u, PriceFact{Series: "S", Unit: c.unit}, "prices")
		if (err == nil) != c.ok {
			t.Errorf("%s %s %s: %v; want accepted %t", c.el, c.v, c.unit, err, c.ok)
		}
	}
}
