package units

import (
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// FigureDigits is how many significant digits of a float64 a displayed
// figure is taken to have before it is rounded for display: 15, the
// digits any decimal survives a round trip through a 64-bit float with
// (DBL_DIG, ISO C §5.2.4.2.2). A figure typed with up to 15 digits reads
// back as itself (2.675, not 2.67499999999999982…), and arithmetic noise
// in the 16th and 17th digits (0.35 − 0.1 = 0.24999999999999997) is not
// mistaken for a figure below one half.
const FigureDigits = 15

// Fixed prints x rounded to digits decimals (digits ≥ 0), as a person
// rounds the decimal a page shows: half away from zero (0.25 → "0.3",
// 2.675 → "2.68", −0.05 → "-0.1"), on x's decimal at FigureDigits
// significant digits rather than on its binary value, which fmt's %.Nf
// rounds (0.25 → "0.2", half to even; 2.675 → "2.67", below the half in
// binary). Zeros pad the fraction ("12.00"); a figure that rounds to zero
// has no sign ("0.0", never "-0.0"). Every figure shown to a user —
// pages, CLI text, reports — is rounded by this rule; machine formats
// (JSON numbers, raw CSV values) keep every digit. NaN and ±Inf print as
// strconv prints them.
func Fixed(x float64, digits int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', digits, 64)
	}
	if digits < 0 {
		digits = 0
	}
	d, err := decimal.NewFromString(strconv.FormatFloat(x, 'g', FigureDigits, 64))
	if err != nil {
		// Unreachable: 'g' output of a finite float is a decimal.
		panic("units: " + err.Error())
	}
	d = d.Round(int32(digits))
	if d.IsZero() {
		d = decimal.Zero
	}
	return d.StringFixed(int32(digits))
}

// Signed is Fixed with the true minus sign (U+2212, ISO 80000-2 §2-7.2's
// minus) before a negative figure, as the pages print it: −150.25 at one
// decimal → "−150.3".
func Signed(x float64, digits int) string {
	s := Fixed(x, digits)
	if strings.HasPrefix(s, "-") {
		return "\u2212" + s[1:]
	}
	return s
}

// Bound is the one rule every page and report follows when it rounds a
// figure for display: a figure that is not zero never prints as zero, and
// a figure short of its full value never prints as full. It returns the
// bounded text ("< 0.1" for 0.0499 t at one decimal, "> 99.9" for a fill
// of 99.869 % of a full 100 at one decimal) and true when rounding v to
// prec decimals would say something false; otherwise "" and false, and
// the caller prints the rounded figure as usual. full ≤ 0 means the
// figure has no full value (a mass). The same rule prints origin shares
// (custody.Percent) as "< 0.1 %".
func Bound(v float64, prec int, full float64) (string, bool) {
	step := math.Pow10(-prec)
	stepText := strconv.FormatFloat(step, 'f', prec, 64)
	// v as Fixed prints it, so that the bound and the printed figure
	// agree on which side of a half v falls.
	r, _ := strconv.ParseFloat(Fixed(v, prec), 64)
	switch {
	case v > 0 && r == 0:
		return "< " + stepText, true
	case v < 0 && r == 0:
		return "> -" + stepText, true
	case full > 0 && v < full && r >= full:
		return "> " + strings.TrimRight(strings.TrimRight(strconv.FormatFloat(full-step, 'f', prec, 64), "0"), "."), true
	}
	return "", false
}
