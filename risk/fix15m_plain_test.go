package risk_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/risk"
)

// TestCorridorEchoesFiguresPlain (issue 15, fix15m item 3): a refused
// tonnage is echoed without Go's exponent form, and the bound (MaxTonnes
// = 10^10 t) with its thousands grouped, as every limit is (issue 15,
// fix15za): 10^30 is beyond what is written out (10^21, fix15zi: it was
// 31 digits), so "1 × 10³⁰ is not 0 to 10,000,000,000 t", not "1e+30 is
// not 0 to 1e+10 t" (nor "0 to 10000000000 t").
func TestCorridorEchoesFiguresPlain(t *testing.T) {
	s := mustService(t)
	e30 := 1e30
	_, err := s.Corridor(risk.CorridorInput{Commodity: "rare earths", BaseYear: 2024, Tonnes: []float64{e30}})
	want := "1 × 10³⁰ is not 0 to 10,000,000,000 t"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Corridor(tonnes 1e30): %v; want %q", err, want)
	}
	_, err = s.Corridor(risk.CorridorInput{Commodity: "rare earths", BaseYear: 2024, Tonnes: []float64{1}, USImports: e30})
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Corridor(us imports 1e30): %v; want %q", err, want)
	}
}
