package web

import (
	"testing"

	"github.com/shopspring/decimal"
)

// Shipped / committed always shows one decimal: 420 000 of 6 000 000 is
// 7.0 % (not "7"), 33 000 of 1 500 000 is 2.2 %; nothing committed is "—".
func TestTradePctOfFixedPrecision(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{{"420000", "6000000", "7.0 %"}, {"33000", "1500000", "2.2 %"}, {"1", "0", "—"}} {
		if got := pctOf(decimal.RequireFromString(c.a), decimal.RequireFromString(c.b)); got != c.want {
			t.Errorf("pctOf(%s, %s) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}
