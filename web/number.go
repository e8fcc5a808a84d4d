package web

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/units"
)

// numberRE is a decimal number as people type it in a form or a CSV
// cell: digits with an optional decimal point and exponent, where commas
// may separate thousands only in whole groups of three digits
// (1,234,567.5). Anything else with a comma — a decimal comma
// ("24950,5", "24,95") or groups of another size ("1,2,3") — is
// ambiguous and refused rather than guessed.
// A point with no digit after it ("20000.", as some scales and
// spreadsheets print a whole number) is the number itself (issue 15, n15
// item 6).
var numberRE = regexp.MustCompile(`^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?([eE][+-]?\d+)?$|^[+-]?\.\d+([eE][+-]?\d+)?$`)

// leadingNumberRE is the number a cell starts with, before other text.
var leadingNumberRE = regexp.MustCompile(`^[+-]?[\d.,]*\d`)

// parseNumber reads a number from a form field or a CSV cell (the same
// rules for both): surrounding space is dropped and a true minus (U+2212,
// as the pages print it) is a minus (critmin.NumberText); a number that
// underflows is refused (critmin.UnderflowReason); thousands separators are
// allowed only in groups of three digits; the decimal mark is ".". The
// error says what is wrong with s, for the field or cell to name.
func parseNumber(s string) (float64, error) {
	t := critmin.NumberText(s)
	if t == "" {
		return 0, fmt.Errorf("is empty: give a number")
	}
	if !numberRE.MatchString(t) {
		if strings.Contains(t, ",") && numberRE.MatchString(strings.ReplaceAll(t, ",", "")) {
			return 0, fmt.Errorf("%q is not a number: a comma may only separate thousands in groups of three digits (1,234,567 or 24,950.5); the decimal mark is a point (24950.5)", s)
		}
		// A number followed by a word ("5.2 abc", "5.2 %pct", "5.2%")
		// is not read as its number with the rest dropped: say so.
		if m := leadingNumberRE.FindString(t); m != "" && numberRE.MatchString(m) {
			return 0, fmt.Errorf("%q is not a number: %q follows the number %s — give the number alone (a unit goes in its own field or column)", s, strings.TrimSpace(t[len(m):]), m)
		}
		return 0, fmt.Errorf("%q is not a number", s)
	}
	n := strings.ReplaceAll(t, ",", "")
	f, err := strconv.ParseFloat(n, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number in range", s)
	}
	if critmin.Underflows(n, f) {
		return 0, fmt.Errorf(critmin.UnderflowReason, strconv.Quote(s))
	}
	return f, nil
}

// Decimal marks a CSV file may be stated to use (the import's "decimal"
// field, saved with the source's mapping).
const (
	decimalPoint = "point"
	decimalComma = "comma"
)

// decimalMark reads the stated decimal mark: "point" or ".", "comma" or
// ",", or "" when none is stated. ok is false for anything else.
func decimalMark(s string) (mark string, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", true
	case "point", ".", "dot", "period":
		return decimalPoint, true
	case "comma", ",":
		return decimalComma, true
	}
	return "", false
}

// decimalCommaRE is a number with one comma and no point, that does not
// read as thousands in groups of three: "3,5", "24950,25".
var decimalCommaRE = regexp.MustCompile(`^[+-]?\d+,\d+$`)

// commaNumberRE is a number written with a decimal comma, where points
// may separate thousands only in whole groups of three (1.234.567,5).
var commaNumberRE = regexp.MustCompile(`^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$`)

// groupOfThreeRE is a number whose only mark is one point or one comma
// followed by exactly three digits, after one to three digits that do not
// start with 0: "24.950" and "24,950" are twenty-four thousand nine
// hundred and fifty with the mark a thousands separator, or 24.95 with it
// a decimal mark — which one depends on the spreadsheet's locale.
var groupOfThreeRE = regexp.MustCompile(`^[+-]?[1-9]\d{0,2}[.,]\d{3}$`)

// pointGroupsRE is a number with points separating groups of three and
// no other mark (1.234.567): thousands in a decimal-comma locale.
var pointGroupsRE = regexp.MustCompile(`^[+-]?[1-9]\d{0,2}(\.\d{3}){2,}$`)

// csvCell reads a number in a CSV cell and returns it written with a
// decimal point and no thousands separator ("24950.5"), for the event.
//
// mark is the file's stated decimal mark (decimalMark). With none stated,
// a file separated by commas is read by the forms' rule (parseNumber: a
// point is the decimal mark, commas separate thousands in groups of
// three). A file separated by semicolons or tabs is what a spreadsheet
// writes in a locale whose decimal mark may be the comma, so there a cell
// whose reading depends on the locale — "24.950" or "24,950", 24,950 or
// 24.95: a factor of 1,000 — is refused, never guessed, with the two
// readings and the way out (state the decimal mark, or write 24950).
// Points between groups of three (1.234.567) are refused likewise.
func csvCell(s string, delim rune, mark string) (string, error) {
	t := critmin.NumberText(s)
	if t == "" {
		return "", fmt.Errorf("is empty: give a number")
	}
	if mark == decimalComma {
		if !commaNumberRE.MatchString(t) {
			return "", fmt.Errorf("%q is not a number with a decimal comma (the file's stated decimal mark): write 24950,5 or 24.950,5", s)
		}
		t = strings.ReplaceAll(strings.ReplaceAll(t, ".", ""), ",", ".")
		if _, err := strconv.ParseFloat(t, 64); err != nil {
			return "", fmt.Errorf("%q is not a number in range", s)
		}
		return t, nil
	}
	if mark == "" {
		sep := "semicolons"
		switch delim {
		case '\t':
			sep = "tabs"
		case ',':
			// A comma-separated file may come from a locale whose
			// thousands separator is the point (20.000 for twenty
			// thousand): one point or comma before exactly three digits
			// is as ambiguous there (fix15c item 6).
			sep = "commas"
		}
		if groupOfThreeRE.MatchString(t) {
			whole := strings.NewReplacer(".", "", ",", "").Replace(t)
			f, _ := strconv.ParseFloat(strings.Replace(t, ",", ".", 1), 64)
			dec := strconv.FormatFloat(f, 'f', -1, 64)
			return "", fmt.Errorf("%q is ambiguous in a file separated by %s whose decimal mark is not stated: it is %s if the mark separates thousands, %s if it is the decimal mark; state the file's decimal mark (point or comma) under Decimal mark, or write the number without a thousands separator (%s or %s)", s, sep, whole, dec, whole, dec)
		}
		if pointGroupsRE.MatchString(t) {
			return "", fmt.Errorf("%q has points between groups of three (thousands in a decimal-comma locale): state the file's decimal mark as comma under Decimal mark, or write %s", s, strings.ReplaceAll(t, ".", ""))
		}
	}
	f, err := parseNumber(t)
	if err != nil {
		if mark == "" && decimalCommaRE.MatchString(t) {
			// "3,5": a decimal comma in a file whose mark is not stated.
			return "", fmt.Errorf("%q looks like a number with a decimal comma: use a decimal point (%s), or choose decimal mark \",\" under Decimal mark", s, strings.Replace(t, ",", ".", 1))
		}
		if mark == "" && delim != ',' && strings.Contains(t, ",") {
			return "", fmt.Errorf("%w; if the file's decimal mark is the comma, choose decimal mark \",\" under Decimal mark", err)
		}
		return "", err
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}

// formAmbiguity refuses a form's number whose reading depends on the
// writer's locale, by the import's rule for a file whose decimal mark is
// not stated (csvCell): one point or one comma before exactly three
// digits — "20.000" is twenty thousand where the point separates
// thousands and 20 where it is the decimal mark, a factor of 1,000. A
// form states no decimal mark, so the value is refused with both
// readings and the way to write each; "" when s is not ambiguous
// (20000, 24950.5, 24,950.5, 0.125, 1,234,567).
func formAmbiguity(s string) string {
	t := strings.TrimSpace(s)
	if !groupOfThreeRE.MatchString(t) {
		return ""
	}
	whole := strings.NewReplacer(".", "", ",", "").Replace(t)
	f, _ := strconv.ParseFloat(strings.Replace(t, ",", ".", 1), 64)
	dec := strconv.FormatFloat(f, 'f', -1, 64)
	return fmt.Sprintf("%q is ambiguous: it is %s if the mark separates thousands, %s if it is the decimal mark; write the number without a thousands separator, %s or %s (the form's decimal mark is the point)", s, whole, dec, whole, dec)
}

// trueMinus is the minus sign (U+2212) pages write before a negative
// number (formatNum).
const trueMinus = critmin.TrueMinus

// trueMinusFigure writes a formatted figure's hyphen-minus signs as the
// true minus (formatNum's rule), for a figure formatted by another
// function (units.Bound, custody.Figure, strconv).
func trueMinusFigure(s string) string { return strings.ReplaceAll(s, "-", trueMinus) }

// plainSig is v rounded to digits significant digits, in plain decimal
// (critmin.PlainNumber): what strconv's 'g' format printed, without its
// exponent ("2.5e+07").
func plainSig(v float64, digits int) string {
	return units.Sig(v, digits)
}

// exponentRE is a number in Go's %v/%g exponent form ("2e+06",
// "1.5e-05") standing alone in a message, not inside an identifier or a
// word.
var exponentRE = regexp.MustCompile(`(^|[^\w.:/#-])(-?\d+(?:\.\d+)?e[+-]\d+)\b`)

// plainNumbers writes every number of a message printed in exponent form
// in plain decimal (critmin.PlainNumber): a message composed elsewhere
// with %v or %g ("2e+06 ppm") reads "2000000 ppm" on a page (issue 15,
// fix15z). Identifiers (a UUID's "1e-4…" groups follow a hyphen or
// letters) are left alone.
func plainNumbers(msg string) string {
	return exponentRE.ReplaceAllStringFunc(msg, func(m string) string {
		sub := exponentRE.FindStringSubmatch(m)
		f, err := strconv.ParseFloat(sub[2], 64)
		// A figure beyond float64 (1e-400 reads as 0, 1e400 as Inf) is
		// kept as written: a message quoting it would misquote it.
		if err != nil || f == 0 || math.IsInf(f, 0) {
			return m
		}
		return sub[1] + critmin.PlainNumber(f)
	})
}
