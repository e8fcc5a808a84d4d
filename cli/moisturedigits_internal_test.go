package cli

import "testing"

// TestFixedDigits: `critmin lot show` never prints a non-zero figure as a
// bound it is not. A 1 wmt lot at moisture 0.999999 has dry mass
// 1 × (1 − 0.999999) = 0.000001 dmt: "%.3f" read "0.000"; its moisture
// 99.9999 % read "100.00".
func TestFixedDigits(t *testing.T) {
	for _, c := range []struct {
		v      float64
		min    int
		bounds []float64
		want   string
	}{
		{1 * (1 - 0.999999), 3, []float64{0}, "0.000001"},
		{0.999999 * 100, 2, []float64{0, 100}, "99.9999"},
		{0.0004 * 100, 2, []float64{0, 100}, "0.04"},
		{0.00004 * 100, 2, []float64{0, 100}, "0.004"},
		{12.3456, 3, []float64{0}, "12.346"}, // ordinary figures keep their digits
		{0, 3, []float64{0}, "0.000"},        // a true zero stays zero
		{100, 2, []float64{0, 100}, "100.00"},
	} {
		if got := fixedDigits(c.v, c.min, c.bounds...); got != c.want {
			t.Errorf("fixedDigits(%v, %d) = %q, want %q", c.v, c.min, got, c.want)
		}
	}
}

// TestFixedDigitsHalfAwayFromZero (issue 15, fix15m): `critmin lot show`
// rounds a half-way mass as by hand. 2.0625 wmt at three decimals:
// 2.062|5 → 2.063 (strconv's 'f' rounded the exact binary 2.0625 to
// even, "2.062"); 2.675 dmt at two decimals: 2.67|5 → 2.68 (the binary
// value 2.67499999999999982… read "2.67"); a dry mass of 0.0005 t at
// three decimals is 0.001, not 0.000 and no bound.
func TestFixedDigitsHalfAwayFromZero(t *testing.T) {
	for _, c := range []struct {
		v    float64
		min  int
		want string
	}{
		{2.0625, 3, "2.063"},
		{2.675, 2, "2.68"},
		{0.0005, 3, "0.001"},
	} {
		if got := fixedDigits(c.v, c.min, 0); got != c.want {
			t.Errorf("fixedDigits(%v, %d) = %q, want %q", c.v, c.min, got, c.want)
		}
	}
}
