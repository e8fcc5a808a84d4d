package commercial

import (
	"testing"

	"github.com/shopspring/decimal"
)

// TestGradeBoundsOnlyForConcentratesAndOres (issue 13, new-user recheck
// after fix13l): the Cu bound of 80 % (chalcocite, Cu2S, 79.85 % Cu, the
// richest copper sulfide) refused every lot of a copper cathode contract
// (Cu 99.99 %). The bounds are those of mined and concentrated material:
// a refined product is not bounded; a concentrate at 99.99 % Cu is still
// refused, and one at 23.85 % is not.
func TestGradeBoundsOnlyForConcentratesAndOres(t *testing.T) {
	cu := func(pct string) Grade { return Grade{Value: decimal.RequireFromString(pct), Unit: "%"} }
	for _, c := range []struct {
		commodity, pct string
		refused        bool
	}{
		{"copper_cathode", "99.99", false},
		{"blister_copper", "98.5", false},
		{"copper_concentrate", "99.99", true},
		{"copper_concentrate", "23.85", false},
		{"antimony_ore", "99.99", true},
	} {
		g := cu(c.pct)
		err := plausibleGrade(c.commodity, "urn:t:lot:X", "Cu", g, g.Value, "%")
		if (err != nil) != c.refused {
			t.Errorf("%s at Cu %s %%: refused %v, want %v (%v)", c.commodity, c.pct, err != nil, c.refused, err)
		}
	}
}
