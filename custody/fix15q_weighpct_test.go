package custody_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestWeighingRefusalPercentBeyondLimit (issue 15, fix15q item 4): the
// refusal prints the difference with enough decimals that it never reads
// as the limit when beyond it: 20 t → 20.11 t is 0.11 / 20 = +0.55 %
// (limit +0.5 %) → "+0.55 %", not "+0.5 %"; 20 t → 18.992 t is
// −1.008 / 20 = −5.04 % (limit −5 %) → "−5.04 %", not "−5.0 %"; far from
// the limit one decimal stays: 20 → 22 t is +10.0 %.
func TestWeighingRefusalPercentBeyondLimit(t *testing.T) {
	for _, c := range []struct {
		now  float64
		want string
	}{{20.11, "a difference of +0.55 %"}, {18.992, "a difference of −5.04 %"}, {22, "a difference of +10.0 %"}} {
		msg := custody.MassChangeRefusal("L", 20, 20, c.now, c.now)
		if !strings.Contains(msg, c.want) {
			t.Errorf("20 t weighed at %v t: %q; want %q", c.now, msg, c.want)
		}
	}
}
