package custody

import (
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// defaultConversion is the conversion source when none is given: the
// refinery's reconciled recovery of a closed calendar month where the
// store keeps refinery periods (refinery.ConversionFactors), else the
// declared factors. Statements, claim verdicts read with a lot and the
// capture-time claim check all use it, so they agree on every credit.
func defaultConversion(s Store) ConversionSource {
	if rs, ok := s.(critmin.RefineryStore); ok {
		return refinery.ConversionFactors{Store: rs}
	}
	return DeclaredFactors{}
}
