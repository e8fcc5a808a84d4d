package web

import "testing"

// TestGradePctSignificant (n15 item 4): a grade is shown in percent with
// four decimals, or with three significant figures when it is below
// 0.01 %. Gold at 3.95 g/t = 3.95 / 10,000 % = 0.000395 % (first
// significant figure at the fourth decimal: 2 − floor(log10 0.000395) =
// 2 − (−4) = 6 decimals); at four decimals it read 0.0004, the same as
// 4.2 g/t (0.00042 %, 6 decimals → 0.00042). 60 % Nd and 0.12345 % stay
// at four decimals (60, 0.1235); 25,500 ppm is 2.55 %.
func TestGradePctSignificant(t *testing.T) {
	for _, c := range []struct {
		v    float64
		unit string
		want string
	}{
		{3.95, "g/t", "0.000395"},
		{4.2, "g/t", "0.00042"},
		{0.5, "g/t", "0.00005"},
		{60, "%", "60"},
		{0.12345, "%", "0.1235"},
		{25500, "ppm", "2.55"},
		{0, "%", "0"},
	} {
		if got := gradePctText(c.v, c.unit); got != c.want {
			t.Errorf("gradePctText(%v, %q) = %q; want %q", c.v, c.unit, got, c.want)
		}
	}
}
