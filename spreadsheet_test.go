package critmin_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestSpreadsheetCell: a cell that a spreadsheet would read as a formula
// (OWASP "CSV Injection": leading =, +, -, @, tab, CR) gets a leading
// single quote; plain numbers, signed or not, and ordinary text do not.
func TestSpreadsheetCell(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"},
		{"+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"},
		{"-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
		{"@SUM(A1:A9)", "'@SUM(A1:A9)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-12.5", "-12.5"}, // a negative adjustment is a number, not a formula
		{"+3", "+3"},
		{"1e-3", "1e-3"},
		{"feed", "feed"},
		{"", ""},
		{"a=b", "a=b"}, // only the first character makes a formula
	}
	for _, c := range cases {
		if got := critmin.SpreadsheetCell(c.in); got != c.want {
			t.Errorf("SpreadsheetCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestCSVWriterNeutralises: every cell of every record goes through
// SpreadsheetCell, in Write and in WriteAll.
func TestCSVWriterNeutralises(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	w := critmin.NewCSVWriter(&b)
	if err := w.Write([]string{"id", "=1+1"}); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteAll([][]string{{"@x", "-4"}}); err != nil {
		t.Fatal(err)
	}
	if want := "id,'=1+1\n'@x,-4\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
