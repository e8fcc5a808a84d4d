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
