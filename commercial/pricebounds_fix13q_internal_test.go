package commercial

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TestPriceBoundsCatchPerGramSlips (fix13q item 1b): per-gram prices in a
// per-troy-ounce series are refused by the bounds' lower limits (1 ozt =
// 31.1034768 g). Gold at 112.75 "USD/ozt" is 112.75 USD/g, really
// 112.75 × 31.1034768 = 3 506.92 USD/ozt: below the 200 USD/ozt floor
// (LBMA gold has not closed below 252.80 USD/ozt since 1980: its low of
// 20 Jul 1999). Silver at 1.30 "USD/ozt" (1.30 USD/g = 40.43 USD/ozt) is
// below the 3 USD/ozt floor (LBMA silver's low since 1980 is about 3.5,
// February 1991–1993). Real prices at those lows still pass: Au 252.80,
// Ag 3.55.
func TestPriceBoundsCatchPerGramSlips(t *testing.T) {
	ozt, err := ParsePriceUnit("USD/ozt", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		el, v string
		ok    bool
	}{{"Au", "112.75", false}, {"Au", "252.80", true}, {"Ag", "1.30", false}, {"Ag", "3.55", true}} {
		err := plausiblePrice("L", c.el, decimal.RequireFromString(c.v), ozt, PriceFact{Series: "S", Unit: "USD/ozt"}, "prices")
		if (err == nil) != c.ok {
			t.Errorf("%s %s USD/ozt: %v; want accepted %t", c.el, c.v, err, c.ok)
		}
	}
}
