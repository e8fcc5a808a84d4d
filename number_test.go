package critmin_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestParseDecimal: the strict syntax accepts plain decimals and
// exponents and refuses what strconv.ParseFloat alone would take.
func TestParseDecimal(t *testing.T) {
	for s, want := range map[string]float64{"1000": 1000, "-2.5": -2.5, "+5": 5, "1e3": 1000, ".5": 0.5, "5.": 5, "0": 0, "0e-400": 0, "0.000e5": 0, "1e-320": 1e-320,
		// issue 14: surrounding space is dropped everywhere, as the forms
		// and CSV cells drop it (critmin.NumberText); a space inside is not.
		" 1": 1, "1 ": 1} {
		if v, err := critmin.ParseDecimal(s); err != nil || v != want {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %v", s, v, err, want)
		}
	}
	for _, s := range []string{"1_000", "0x10", "0x1p3", "Inf", "-inf", "NaN", "infinity", "", " ", "1 000", "1e", "e3", "1e999", "--1", "1,000", ".",
		// new-user check 14f item 11: underflow read silently as 0.
		"1e-400", "-2.5E-999", "0.1e-330"} {
		if v, err := critmin.ParseDecimal(s); err == nil {
			t.Errorf("ParseDecimal(%q) = %v; want an error", s, v)
		}
	}
}

// TestParseDecimalSaysWhyARangeIsRefused: a number beyond float64 is
// "too large", one that rounds to 0 "too small" — not "not a finite
// number" (issue 14 new-user check: /risk?tonnes=1e-400 was refused as
// "not a finite number", which it is).
func TestParseDecimalSaysWhyARangeIsRefused(t *testing.T) {
	for s, want := range map[string]string{
		"1e400":     "too large (beyond ±1.8e308",
		"-1e400":    "too large (beyond ±1.8e308",
		"1e-400":    "too small to be told from 0 (below about 5e-324)",
		"-2.5e-999": "too small to be told from 0",
		"NaN":       "is not a decimal number",
	} {
		if _, err := critmin.ParseDecimal(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseDecimal(%q): %v; want it to say %q", s, err, want)
		}
	}
}

// TestParseDecimalSpaceAndTrueMinus (issue 14, new-user check): the
// forms and CSV cells dropped surrounding space (" 12.5") while a query
// parameter refused it, and a true minus sign (U+2212, which the pages
// print before a negative figure) was refused everywhere as "not a
// number". One rule now: surrounding space is dropped, and U+2212 is a
// minus sign wherever "-" may stand.
func TestParseDecimalSpaceAndTrueMinus(t *testing.T) {
	for s, want := range map[string]float64{
		" 12.5":      12.5,
		"12.5\t":     12.5,
		"\u22125":    -5,
		" \u22122.5": -2.5,
		"1e\u22123":  0.001,
	} {
		got, err := critmin.ParseDecimal(s)
		if err != nil || got != want {
			t.Errorf("ParseDecimal(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"1 2", "\u2212\u22125", "5\u2212", "-\u22125", ""} {
		if _, err := critmin.ParseDecimal(s); err == nil {
			t.Errorf("ParseDecimal(%q) accepted", s)
		}
	}
}

// TestPlainNumberLarge (issue 15, fix15m item 3; fix15zi): a figure a
// person types is echoed in plain digits, thousands grouped, never Go's
// exponent form: two million is 2,000,000, 10^20 is
// 100,000,000,000,000,000,000 (21 digits, the most written out); a figure
// beyond 10^21 or below 10^-12 is a power of ten (ISO 80000-1 §7.2):
// 10^30 is "1 × 10³⁰" (it was 31 digits), 10^30 − 10^20 =
// 9.999999999 × 10²⁹, 10^-30 "1 × 10⁻³⁰" (it was 29 zeros), 10^50 and
// 10^-50 likewise (they were "1e+50", "1e-50").
func TestPlainNumberLarge(t *testing.T) {
	for v, want := range map[float64]string{
		1e30:        "1 × 10³⁰",
		-2e30:       "\u22122 × 10³⁰",
		1e30 - 1e20: "9.999999999 × 10²⁹",
		1e20:        "100,000,000,000,000,000,000",
		1e-30:       "1 × 10⁻³⁰",
		2000000:     "2,000,000",
		0.00001:     "0.00001",
		1e50:        "1 × 10⁵⁰",
		1e-50:       "1 × 10⁻⁵⁰",
	} {
		if got := critmin.PlainNumber(v); got != want {
			t.Errorf("PlainNumber(%v) = %q; want %q", v, got, want)
		}
	}
}

// TestSentence (issue 15, fix15c item 2): a hint that asks ends its
// sentence itself; one that does not gets a full stop.
func TestSentence(t *testing.T) {
	for in, want := range map[string]string{
		"a unit slip?":              "a unit slip?",
		"check the ticket's weight": "check the ticket's weight.",
		"stop.":                     "stop.",
		"stop. ":                    "stop.",
		"":                          "",
	} {
		if got := critmin.Sentence(in); got != want {
			t.Errorf("Sentence(%q) = %q; want %q", in, got, want)
		}
	}
}
