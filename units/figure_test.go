package units_test

import (
	"testing"

	"github.com/critmin/critmin/units"
)

// TestBound: 0.0499 t below a minimum rounds to 0.0 at one decimal, so it
// prints "< 0.1"; a fill of 0.99869 is 99.869 %, which rounds to 100 at
// no decimals, so it prints "> 99" (at one decimal it is 99.9, and 99.96
// prints "> 99.9"); 0.06 t is 0.1
// (no bound); a true 0 and a true 100 print as themselves.
func TestBound(t *testing.T) {
	for _, c := range []struct {
		v, full float64
		prec    int
		want    string
		ok      bool
	}{
		{0.0499, 0, 1, "< 0.1", true},
		{99.869, 100, 0, "> 99", true},
		{99.869, 100, 1, "", false},
		{99.96, 100, 1, "> 99.9", true},
		{99.869, 100, 2, "", false},
		{0.06, 0, 1, "", false},
		{0, 0, 1, "", false},
		{100, 100, 1, "", false},
		{-0.01, 0, 1, "> -0.1", true},
	} {
		got, ok := units.Bound(c.v, c.prec, c.full)
		if got != c.want || ok != c.ok {
			t.Errorf("Bound(%v, %d, %v) = %q, %v; want %q, %v", c.v, c.prec, c.full, got, ok, c.want, c.ok)
		}
	}
}
