package commercial

import (
	"testing"
)

// 0.07 × 100 is 7.000000000000001 in float64; in decimal it is 7. The
// same for 0.029 (2.9, float 2.9000000000000004) and 0.0833 (8.33).
func TestPercentOfIsExact(t *testing.T) {
	for f, want := range map[float64]string{0.07: "7", 0.029: "2.9", 0.0833: "8.33", 0.1: "10"} {
		if got := percentOf(f).String(); got != want {
			t.Errorf("percentOf(%v) = %s, want %s", f, got, want)
		}
	}
}
