package units_test

import (
	"testing"

	"github.com/critmin/critmin/units"
)

// TestNumbersPeopleRead is issue 15's new-user check (fix15zi): every
// figure a person reads is grouped by thousands and never in exponent
// form. Worked cases: 1010.02 → "1,010.02" (the integer part 1010 is
// 1,010); 201904.0 → "+201,904.0"; 9000 → "9,000"; 1e-07 → "0.0000001"
// (seven decimals, within Plain's twelve); 1e+299 → "1 × 10²⁹⁹" (beyond
// 10^21); 1e-300 → "1 × 10⁻³⁰⁰" (below 10^-12); 28660.067865546327 LBR
// to the gram: a pound is 453.59237 g, so three decimals (10^-3 lb ≈
// 0.45 g), 28,660.068; 30000 KGM → "30,000" (three decimals, zeros
// dropped); a written 100000000000000000000 (21 digits) is quoted
// grouped, 100,000,000,000,000,000,000; a written "1e300" as written; a
// 301-digit numeral as 10³⁰⁰.
func TestNumbersPeopleRead(t *testing.T) {
	for _, c := range []struct{ name, got, want string }{
		{"Group 1010.02", units.Group("1010.02"), "1,010.02"},
		{"Group true minus", units.Group("\u2212201904.0"), "\u2212201,904.0"},
		{"Group not a numeral", units.Group("NaN"), "NaN"},
		{"Grouped", units.Grouped(1010.02, 2), "1,010.02"},
		{"Signed", units.Signed(201904, 1), "+201,904.0"},
		{"Signed loss", units.Signed(-1234.5, 1), "\u22121,234.5"},
		{"Plain 9000", units.Plain(9000), "9,000"},
		{"Plain 1e-07", units.Plain(1e-07), "0.0000001"},
		{"Plain 1e+299", units.Plain(1e299), "1 × 10²⁹⁹"},
		{"Plain -2.5e-300", units.Plain(-2.5e-300), "\u22122.5 × 10⁻³⁰⁰"},
		{"Sig ratio", units.Sig(1e299, 3), "1 × 10²⁹⁹"},
		{"Sig 2.5e7", units.Sig(25000001, 2), "25,000,000"},
		{"Quantity LBR", units.Quantity(28660.067865546327, "LBR"), "28,660.068"},
		{"Quantity KGM", units.Quantity(30000, "KGM"), "30,000"},
		{"Quantity tiny KGM", units.Quantity(1e-07, "KGM"), "0.0000001"},
		{"Quantity 1e-300 KGM", units.Quantity(1e-300, "KGM"), "1 × 10⁻³⁰⁰"},
		{"Quantity not mass", units.Quantity(1234567.5, "P1"), "1,234,567.5"},
		{"Echo digits", units.Echo("100000000000000000000", 1e20), "100,000,000,000,000,000,000"},
		{"Echo exponent as written", units.Echo("1e300", 1e300), "1e300"},
		{"Echo long", units.Echo("1000000000000000000000000000000", 1e30), "1 × 10³⁰"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}
