package web

import (
	"sort"
	"strings"
	"testing"
)

// TestPagesWriteNegativeNumbersWithTrueMinus (fix15j item 3): every
// number a page shows is written by one rule, a negative one with the
// true minus sign (U+2212) as the plan and trade pages write theirs —
// every template function that formats a float64, and the formatting
// helpers behind the tables and charts. A figure that rounds to zero is
// "0", with no sign.
func TestPagesWriteNegativeNumbersWithTrueMinus(t *testing.T) {
	var names []string
	for name, f := range funcs {
		if _, ok := f.(func(float64) string); ok {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	if len(names) < 5 {
		t.Fatalf("only %d float64 formatters among the template functions: %v", len(names), names)
	}
	for _, name := range names {
		got := funcs[name].(func(float64) string)(-1234.5678)
		if strings.Contains(got, "-") || !strings.Contains(got, "−") {
			t.Errorf("template function %s(-1234.5678) = %q; want the true minus sign", name, got)
		}
	}
	for _, c := range []struct{ name, got, want string }{
		{"formatNum", formatNum(-1234.5678, 2), "−1,234.57"},
		{"formatNum negative zero", formatNum(-0.001, 2), "0"},
		// -0.04 at one decimal rounds to 0 but is not 0: "> −0.1".
		{"figure", figure(-0.04, 1), "> −0.1"},
		{"signedPct", signedPct(-0.67), "−0.67 %"},
		{"signedPct zero", signedPct(-0.001), "0 %"},
		// -2e-7 t = -0.2 g.
		{"massText", massText(-2e-7), "−0.2 g"},
		{"massText t", massText(-2.5), "−2.5 t"},
		{"nonZeroNum", nonZeroNum(-1e-7, 4), "−0.0000001"},
		{"fmtT", fmtT(-150.25), "−150.3"}, // half away from zero (fix15m)
		{"fmtT small", fmtT(-0.5), "−0.50000"},
	} {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.name, c.got, c.want)
		}
	}
}

// TestChartCSVKeepsASCIIMinus (fix15j item 3): a chart's table shows a
// negative number with the true minus sign, and its CSV — for a
// spreadsheet or a script — writes it with the ASCII hyphen-minus, as a
// number every reader parses (the corridor map's Houston at longitude
// −95.283 is -95.283 in the CSV).
func TestChartCSVKeepsASCIIMinus(t *testing.T) {
	c := Chart{Header: []string{"site", "longitude", "change"},
		Rows: [][]string{{"Port of Houston", formatNum(-95.28333, 3), formatNum(-1234.5, 1) + " t"}, {"Port of Karachi", formatNum(66.98333, 3), formatNum(20, 1) + " t"}}}
	if c.Rows[0][1] != "−95.283" {
		t.Fatalf("table cell %q; want −95.283", c.Rows[0][1])
	}
	got := c.csvData()
	want := "site,longitude,change (t)\nPort of Houston,-95.283,-1234.5\nPort of Karachi,66.983,20\n"
	if strings.ReplaceAll(got, "\r\n", "\n") != want {
		t.Errorf("CSV:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(got, "−") {
		t.Errorf("CSV holds a true minus sign: %q", got)
	}
}
