package web

import "testing"

// The trade pages print a contract's shadow prices with the true minus
// sign (U+2212), as every signed amount beside them (docs/trade.md):
// −40.7 per tonne, not -40.7.
func TestShadowPricesUseTrueMinus(t *testing.T) {
	one := funcs["shadow1"].(func(float64) string)
	zero := funcs["shadow0"].(func(float64) string)
	for _, c := range []struct{ got, want string }{
		{one(-40.72), "−40.7"}, {one(40.72), "40.7"}, {zero(-1234.4), "−1,234"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
