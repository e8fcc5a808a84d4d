package refinery

import (
	"fmt"
	"testing"
)

// TestCheckFiguresReadPlainly (issue 15, fixCc item 6): Check's messages
// format every float64 argument as figure, which printed Fig's %g: a
// balance off by 0.00001 t read "1e-05" and 12,345,678,901 t (beyond
// FigDigits' ten digits) "1.23456789e+10". Grouped, with no exponent:
// 1234567 → "1,234,567"; 0.00001 → "0.00001"; 12345678901 at ten
// significant digits → 12,345,678,900.
func TestCheckFiguresReadPlainly(t *testing.T) {
	for _, c := range []struct {
		x    float64
		want string
	}{{1234567, "1,234,567"}, {0.00001, "0.00001"}, {12345678901, "12,345,678,900"}, {-0.5, "-0.5"}} {
		for _, verb := range []string{"%g", "%v"} {
			if got := fmt.Sprintf(verb, figure(c.x)); got != c.want {
				t.Errorf("%s of %v = %q; want %q", verb, c.x, got, c.want)
			}
		}
	}
}
