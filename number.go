package critmin

import (
	"errors"
	"fmt"
	"github.com/critmin/critmin/units"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// decimalSyntax is the strict lexical form of a number in a query
// parameter or form field: optional sign, digits with an optional
// fraction (or a fraction alone), optional exponent — XML Schema's
// xsd:double lexical space without INF and NaN (XSD 1.1 Part 2 §3.3.5),
// which also matches JSON numbers. strconv.ParseFloat alone accepts more:
// "1_000", "0x1p3", "Inf", "NaN".
var decimalSyntax = regexp.MustCompile(`^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$`)

// ParseDecimal parses s as a finite number in the strict syntax above; a
// value out of float64's range is an error too, whether too large or too
// small: "1e-400" is not 0 (strconv.ParseFloat rounds it to 0 without an
// error), so it is refused rather than read silently as zero.
//
// Its errors say what is wrong with the text and suggest no value: the
// caller adds the field's range ("give a per-cent step in (0, 100)"), which
// a value suggested here ("give 0", "-2.5") contradicted (issue 14).
func ParseDecimal(raw string) (float64, error) {
	s := NumberText(raw)
	if !decimalSyntax.MatchString(s) {
		return 0, fmt.Errorf("%q is not a decimal number (an optional sign, digits with an optional decimal point, an optional exponent)", raw)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Only ErrRange is left after the syntax check: a magnitude
		// beyond float64's largest (ParseFloat gives ±Inf).
		return 0, fmt.Errorf("%q is too large (beyond ±1.8e308, the range of a 64-bit float)", raw)
	}
	if Underflows(s, v) {
		return 0, fmt.Errorf("%q is too small to be told from 0 (below about 5e-324)", raw)
	}
	return v, nil
}

// TrueMinus is the minus sign (U+2212) the pages print before a
// negative figure (Unicode §6.2, "Minus sign"; ISO 80000-2 writes it so).
const TrueMinus = "\u2212"

// NumberText is the one rule for the text around a typed or pasted
// number, applied before its syntax is checked — by ParseDecimal (query
// parameters) and the forms' and CSV cells' reader (web): surrounding
// space is dropped, and a true minus sign (TrueMinus) is read as "-", so
// that a figure copied from a page ("−1,234.5") reads as the value the
// page printed. The syntax check that follows still refuses a sign out of
// place ("5−", "−−5").
func NumberText(s string) string {
	return strings.ReplaceAll(strings.TrimSpace(s), TrueMinus, "-")
}

// UnderflowReason is the one reason given for a number that underflows
// (Underflows), a format with the numeral as its one argument: an EPCIS
// event's quantity or sensor value and any number of a JSON request body
// or file (jsonstrict.Check) are refused in the same words.
//
// Like ParseDecimal's errors it suggests no value: the field's own rule
// says which values it takes (a factor in (0, 1] takes no 0), and a hint
// here contradicted it (issue 14).
const UnderflowReason = "%s underflows to 0: it is not 0, yet smaller than the smallest representable number (about 5e-324, the smallest 64-bit float)"

// Underflows reports whether the decimal numeral s, read as v, is a
// non-zero number that a 64-bit float holds as 0: its digits before any
// exponent are not all zero while v is 0 ("1e-400", "0.5e-323";
// strconv.ParseFloat rounds them to 0 without an error). "0", "-0" and
// "0e-400" are zero and do not underflow.
func Underflows(s string, v float64) bool {
	if v != 0 {
		return false
	}
	mantissa, _, _ := strings.Cut(strings.ToLower(s), "e")
	return strings.ContainsAny(mantissa, "123456789")
}

// ParseIntText reads a whole number given as text — a query parameter, a
// form field, a CLI flag — by the one number text rule (NumberText): space
// around it is dropped and a true minus (U+2212) is read as "-", as the
// decimal parameters are (ParseDecimal). Before fix14o "limit= 5" was "not
// an integer" while "GE_quantity= 1 " was 1.
func ParseIntText(s string) (int, error) {
	return strconv.Atoi(NumberText(s))
}

// IntTextReason is why s, refused by ParseIntText with err, is not a
// usable integer: a whole number beyond int's range is "too large: at most
// N" (or "too small: at least N"), not "not a whole number", which it is
// (fix14p: offset=99999999999999999999 was "not an integer").
func IntTextReason(s string, err error) string {
	if errors.Is(err, strconv.ErrRange) {
		if strings.HasPrefix(NumberText(s), "-") {
			return fmt.Sprintf("%q is too small: at least %s", s, units.Int(math.MinInt))
		}
		return fmt.Sprintf("%q is too large: at most %s", s, units.Int(math.MaxInt))
	}
	return fmt.Sprintf("%q is not a whole number", s)
}

// IntInRange reads s (as ParseIntText does) as a whole number from lo to
// hi. A refused value has a reason ("" when n is usable) that names the
// bound it passes — also when it is beyond int's range, where the bound is
// still lo or hi, not int's limit (fix14q: perPage=99999999999999999999
// was "not a positive integer" and limit=99999999999999999999 named
// 9223372036854775807 instead of the documented 1000). With no bound on
// the side passed (lo = math.MinInt or hi = math.MaxInt) the reason is
// IntTextReason's: int's range is then the real limit.
func IntInRange(s string, lo, hi int) (n int, reason string) {
	n, err := ParseIntText(s)
	if neg := strings.HasPrefix(NumberText(s), "-"); errors.Is(err, strconv.ErrRange) && (neg && lo == math.MinInt || !neg && hi == math.MaxInt) {
		return n, IntTextReason(s, err)
	}
	switch {
	case errors.Is(err, strconv.ErrRange) && strings.HasPrefix(NumberText(s), "-"), err == nil && n < lo:
		return n, fmt.Sprintf("%q is below the minimum of %s", s, units.Int(lo))
	case errors.Is(err, strconv.ErrRange), err == nil && n > hi:
		return n, fmt.Sprintf("%q is above the maximum of %s", s, units.Int(hi))
	case err != nil:
		return n, fmt.Sprintf("%q is not a whole number", s)
	}
	return n, ""
}

// PlainNumber is v in plain decimal, as a message prints a value a person
// typed: 2,000,000 for two million and 0.00001 for a hundred-thousandth,
// never Go's %v/%g exponent form ("2e+06", "1e-05") that a reader of a
// page or a problem detail does not expect (issue 15, fix15z), and its
// thousands grouped as every figure shown to a person is ("net 9000 kg"
// read as a bare run of digits; fix15zi). A figure too large or too small
// to write out (1e300, 1e-300) is a power of ten, "1 × 10³⁰⁰", not 301
// digits nor 300 zeros (units.Plain).
func PlainNumber(v float64) string {
	return units.Plain(v)
}

// Sentence ends s as one sentence: s with a full stop, unless it already
// ends with one, a question mark or an exclamation mark (trailing spaces
// dropped). A message that joins a hint to the sentence after it ("… a
// unit slip?" then ". If …") goes through it, so that no message reads
// "?." or "..".
func Sentence(s string) string {
	s = strings.TrimRight(s, " ")
	if s == "" || strings.HasSuffix(s, ".") || strings.HasSuffix(s, "?") || strings.HasSuffix(s, "!") {
		return s
	}
	return s + "."
}
