package web

import "testing"

// TestFormatNumHalfAwayFromZero (issue 15, fix15m): a page rounds a
// half-way figure as by hand, away from zero on the decimal it shows.
// 0.25 t at one decimal: 0.2|5 → 0.3 (%.1f rounded the exact binary 0.25
// to even, 0.2). 2.675 at two decimals: 2.67|5 → 2.68 (%.2f rounded the
// binary 2.67499999999999982… down, 2.67). −150.25 → −150.3 with the
// true minus; 1,234.5 at no decimals → 1,235; the refinery page's
// tonnage 150.25 t (fmtT, one decimal from 100 t) → 150.3.
func TestFormatNumHalfAwayFromZero(t *testing.T) {
	for _, c := range []struct {
		name, got, want string
	}{
		{"0.25", formatNum(0.25, 1), "0.3"},
		{"2.675", formatNum(2.675, 2), "2.68"},
		{"-150.25", formatNum(-150.25, 1), "−150.3"},
		{"1234.5", formatNum(1234.5, 0), "1,235"},
		{"fmtT 150.25", fmtT(150.25), "150.3"},
		{"fmtT -150.25", fmtT(-150.25), "−150.3"},
		{"fmtT 0.000125", fmtT(0.000125), "0.00013"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}
