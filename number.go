package critmin

import (
	"fmt"
	"regexp"
	"strconv"
)

// decimalSyntax is the strict lexical form of a number in a query
// parameter or form field: optional sign, digits with an optional
// fraction (or a fraction alone), optional exponent — XML Schema's
// xsd:double lexical space without INF and NaN (XSD 1.1 Part 2 §3.3.5),
// which also matches JSON numbers. strconv.ParseFloat alone accepts more:
// "1_000", "0x1p3", "Inf", "NaN".
var decimalSyntax = regexp.MustCompile(`^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$`)

// ParseDecimal parses s as a finite number in the strict syntax above; a
// value out of float64's range is an error too.
func ParseDecimal(s string) (float64, error) {
	if !decimalSyntax.MatchString(s) {
		return 0, fmt.Errorf("%q is not a decimal number such as 1000, -2.5 or 1e3", s)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", s)
	}
	return v, nil
}
