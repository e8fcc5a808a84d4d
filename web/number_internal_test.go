package web

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/critmin/critmin/units"
)

// TestParseNumber (issue 15): commas separate thousands only in whole
// groups of three digits; a decimal comma is refused, never read as a
// thousands separator ("24950,5" had become 249,505 kg, "24,95" 2,495 kg
// and "1,2,3" 123). Forms and CSV cells share the rule.
func TestParseNumber(t *testing.T) {
	for in, want := range map[string]float64{"20000": 20000, "20,000": 20000, " 24,950.5 ": 24950.5, "1,234,567": 1234567, "0.08": 0.08, ".5": 0.5, "-3": -3, "1e3": 1000, "24950.5": 24950.5} {
		if got, err := parseNumber(in); err != nil || got != want {
			t.Errorf("parseNumber(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for in, why := range map[string]string{"24950,5": "decimal mark", "24,95": "decimal mark", "1,2,3": "groups of three", "1,2345": "groups of three", ",100": "",
		"2999O": "not a number", "lots": "not a number", "NaN": "not a number", "Inf": "not a number", "0x10": "not a number", "": "empty", "1e999": "range"} {
		_, err := parseNumber(in)
		if err == nil || !strings.Contains(err.Error(), why) {
			t.Errorf("parseNumber(%q): %v; want an error about %q", in, err, why)
		}
	}
	// The form's number fields follow the same rule: "20,000" is the
	// number 20000, "24950,5" stays text for the validator to refuse.
	if n := numberOrText("20,000"); n != any(json.Number("20000")) {
		t.Errorf("numberOrText(20,000) = %#v", n)
	}
	if n := numberOrText("24950,5"); n != any("24950,5") {
		t.Errorf("numberOrText(24950,5) = %#v", n)
	}
}

// TestCSVCell (fix15 item 1): in a file separated by semicolons or tabs
// with no decimal mark stated, a cell with one mark before exactly three
// digits ("24.950", "24,950") is 24950 or 24.95 by locale and refused;
// "0.950" cannot be thousands (a group never follows a lone 0) and is
// 0.95; points between groups (1.234.567) are refused. Stated as comma:
// 1.234.567,5 is 1234567.5. A comma-separated file is read alike (fix15c
// item 6): "20.000" there was read as 20 where twenty thousand was meant
// with a point separating thousands; with no mark stated it is refused,
// stated as point it is 20, as comma 20000.
func TestCSVCell(t *testing.T) {
	ok := []struct {
		in    string
		delim rune
		mark  string
		want  string
	}{
		{"24.950", ',', decimalPoint, "24.95"},
		{"24,950", ',', decimalPoint, "24950"},
		{"20.000", ',', decimalComma, "20000"},
		{"20.5", ',', "", "20.5"},
		{"0.125", ',', "", "0.125"},
		{"0.950", ';', "", "0.95"},
		{"24950.5", ';', "", "24950.5"},
		{"24950", '\t', "", "24950"},
		{"24.950", ';', decimalComma, "24950"},
		{"1.234.567,5", ';', decimalComma, "1234567.5"},
		{"24,95", ';', decimalComma, "24.95"},
		{"24.950", ';', decimalPoint, "24.95"},
		{"24,950", ';', decimalPoint, "24950"},
	}
	for _, c := range ok {
		if got, err := csvCell(c.in, c.delim, c.mark); err != nil || got != c.want {
			t.Errorf("csvCell(%q, %q, %q) = %q, %v; want %q", c.in, c.delim, c.mark, got, err, c.want)
		}
	}
	bad := []struct {
		in    string
		delim rune
		mark  string
		why   string
	}{
		{"24.950", ';', "", "ambiguous"},
		{"20.000", ',', "", "ambiguous in a file separated by commas whose decimal mark is not stated: it is 20000 if the mark separates thousands, 20 if it is the decimal mark"},
		{"24,950", ',', "", "ambiguous in a file separated by commas"},
		{"1.234.567", ',', "", "points between groups of three"},
		{"5.2 abc", ',', "", `"abc" follows the number 5.2`},
		{"5.2 %pct", ',', "", `"%pct" follows the number 5.2`},
		{"24,950", ';', "", "ambiguous"},
		{"-1.500", '\t', "", "ambiguous in a file separated by tabs"},
		{"1.234.567", ';', "", "points between groups of three"},
		{"24950,5", ';', "", `looks like a number with a decimal comma: use a decimal point (24950.5), or choose decimal mark ","`},
		{"3,5", ',', "", `looks like a number with a decimal comma: use a decimal point (3.5), or choose decimal mark ","`},
		{"24,950.5", ';', decimalComma, "not a number with a decimal comma"},
	}
	for _, c := range bad {
		if _, err := csvCell(c.in, c.delim, c.mark); err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("csvCell(%q, %q, %q): %v; want an error about %q", c.in, c.delim, c.mark, err, c.why)
		}
	}
}

// TestParseNumberReadsWhatPagesPrint (issue 14, new-user check): a
// negative figure copied from a page ("−1,234.5", with the true minus
// U+2212 formatNum writes) was refused as "not a number". Every figure
// the pages print through formatNum reads back as the value printed:
// parseNumber(formatNum(x, p)) is x rounded to p decimals. Surrounding
// space is dropped, as documented (docs/forms.md), and a number that
// underflows (1e-400) is refused rather than read as 0.
func TestParseNumberReadsWhatPagesPrint(t *testing.T) {
	for _, x := range []float64{0, 1, -1, 12.5, -12.5, 999, -1000, 1234.5, -1234.5, 1234567.891, -0.001, -98765432.1, 0.000123} {
		for _, p := range []int{0, 1, 3, 6} {
			s := formatNum(x, p)
			got, err := parseNumber(s)
			// x rounded half away from zero, as by hand (units.Fixed;
			// fix15m): 12.5 at no decimals is 13, not 12.
			want, _ := strconv.ParseFloat(units.Fixed(x, p), 64)
			if err != nil || got != want {
				t.Errorf("parseNumber(formatNum(%v, %d) = %q) = %v, %v; want %v", x, p, s, got, err, want)
			}
			if c, err := csvCell(s, ',', decimalPoint); err == nil {
				if f, _ := strconv.ParseFloat(c, 64); f != want {
					t.Errorf("csvCell(%q) = %s; want %v", s, c, want)
				}
			} else if !strings.Contains(err.Error(), "ambiguous") {
				t.Errorf("csvCell(%q): %v", s, err)
			}
		}
	}
	for s, want := range map[string]float64{" 12.5": 12.5, "12.5 ": 12.5, "\u22125": -5, " \u22121,234.5 ": -1234.5} {
		if got, err := parseNumber(s); err != nil || got != want {
			t.Errorf("parseNumber(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"1e-400", "\u2212\u22125", "5\u2212"} {
		if got, err := parseNumber(s); err == nil {
			t.Errorf("parseNumber(%q) = %v; want refused", s, got)
		}
	}
}
