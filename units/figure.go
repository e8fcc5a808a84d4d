package units

import (
	"math"
	"strconv"
	"strings"
)

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
	r := math.Round(v/step) * step
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
