package web

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// numberRE is a decimal number as people type it in a form or a CSV
// cell: digits with an optional decimal point and exponent, where commas
// may separate thousands only in whole groups of three digits
// (1,234,567.5). Anything else with a comma — a decimal comma
// ("24950,5", "24,95") or groups of another size ("1,2,3") — is
// ambiguous and refused rather than guessed.
var numberRE = regexp.MustCompile(`^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?([eE][+-]?\d+)?$|^[+-]?\.\d+([eE][+-]?\d+)?$`)

// parseNumber reads a number from a form field or a CSV cell (the same
// rules for both): surrounding space is dropped; thousands separators are
// allowed only in groups of three digits; the decimal mark is ".". The
// error says what is wrong with s, for the field or cell to name.
func parseNumber(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, fmt.Errorf("is empty: give a number")
	}
	if !numberRE.MatchString(t) {
		if strings.Contains(t, ",") && numberRE.MatchString(strings.ReplaceAll(t, ",", "")) {
			return 0, fmt.Errorf("%q is not a number: a comma may only separate thousands in groups of three digits (20,000 or 24,950.5); the decimal mark is a point (24950.5)", s)
		}
		return 0, fmt.Errorf("%q is not a number", s)
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(t, ",", ""), 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number in range", s)
	}
	return f, nil
}
