package refinery

import "testing"

// TestShareClampsRoundingNoise (nu12b-2 item 7): a recovery past 0 or 1
// by no more than ShareTol is rounding noise and clamped (a stock
// draw-down month gave 1.000000000000006); beyond it the value is kept
// for the close to refuse.
func TestShareClampsRoundingNoise(t *testing.T) {
	for _, c := range []struct{ a, b, want float64 }{
		{1.000000000000006, 1, 1}, // noise above 1
		{-3e-12, 2, 0},            // −1.5e-12: noise below 0
		{0.8163, 1, 0.8163},       // inside: as is
		{1.1, 1, 1.1},             // 10 % past 1: kept, flagged by the close
		{-0.02, 1, -0.02},         // 2 % below 0: kept
		{1 + 2e-9, 1, 1 + 2e-9},   // 2e-9 > ShareTol: kept
	} {
		if got := float64(share(c.a, c.b)); got != c.want {
			t.Errorf("share(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}
