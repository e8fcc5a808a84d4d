package web

import "testing"

// TestFormatNumHugeHasNoBinaryNoise: a typed net of 10^30 kg is 10^27 t;
// float64 holds 1e30 as 1,000,000,000,000,000,019,884,624,838,656 and
// %f printed that noise on the worded event and the import's mass line
// (new-user check of issue 15). Beyond 10^15 the page writes the
// shortest decimal that reads back as the value: 1 and 30 zeros, and
// 5 × 10^30 − 100 (a percentage 5e30) as 5 and 30 zeros.
func TestFormatNumHugeHasNoBinaryNoise(t *testing.T) {
	for _, c := range []struct {
		v    float64
		prec int
		want string
	}{
		{1e30, 3, "1,000,000,000,000,000,000,000,000,000,000"},
		{-5e30, 1, "−5,000,000,000,000,000,000,000,000,000,000"},
		{1e27, 3, "1,000,000,000,000,000,000,000,000,000"},
		{123456789012345678, 2, "123,456,789,012,345,680"}, // the float64 nearest is 123456789012345680
		{999999999999999.9, 1, "999,999,999,999,999.9"},
	} {
		if got := formatNum(c.v, c.prec); got != c.want {
			t.Errorf("formatNum(%g, %d) = %q, want %q", c.v, c.prec, got, c.want)
		}
	}
}
