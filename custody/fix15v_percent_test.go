package custody_test

import (
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestWeighingPercentHalfAwayFromZero (issue 15, fix15v): an exact half
// rounds away from zero, whatever the binary fraction the division leaves.
// 19.75 t weighed of 20 t recorded: (19.75 − 20) / 20 = −0.0125 = −1.25 %,
// printed "−1.3" (the float division gives −0.012499999999999956, which
// read "−1.2"); 20.25 of 20: +1.25 % → "+1.3"; 2.9 of 2.9 less 0.0725:
// (2.8275 − 2.9) / 2.9 = −2.5 % exactly → "−2.5"; 7.9 of 8 t: (7.9 − 8) / 8
// = −1.25 %, which the float division leaves as −0.012499999999999956
// and printed "−1.2" before; on dry masses (10 % moisture) alike.
func TestWeighingPercentHalfAwayFromZero(t *testing.T) {
	// rel divides at run time in float64, as the capture does (Go
	// constant expressions are exact and would hide the artefact).
	rel := func(weighed, recorded float64) float64 { return (weighed - recorded) / recorded }
	for _, c := range []struct {
		rel  float64
		want string
	}{
		{rel(19.75, 20), "−1.3"},
		{rel(20.25, 20), "+1.3"},
		{rel(2.8275, 2.9), "−2.5"},
		{rel(7.9, 8), "−1.3"},
		{rel(0.9*7.9, 0.9*8), "−1.3"},
	} {
		if got := custody.WeighingPercent(c.rel); got != c.want {
			t.Errorf("WeighingPercent(%v) = %q, want %q", c.rel, got, c.want)
		}
	}
}
