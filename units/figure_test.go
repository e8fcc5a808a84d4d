package units_test

import (
	"testing"

	"github.com/critmin/critmin/units"
)

// TestBound: 0.0499 t below a minimum rounds to 0.0 at one decimal, so it
// prints "< 0.1"; a fill of 0.99869 is 99.869 %, which rounds to 100 at
// no decimals, so it prints "> 99" (at one decimal it is 99.9, and 99.96
// prints "> 99.9"); 0.06 t is 0.1
// (no bound); a true 0 and a true 100 print as themselves.
func TestBound(t *testing.T) {
	for _, c := range []struct {
		v, full float64
		prec    int
		want    string
		ok      bool
	}{
		{0.0499, 0, 1, "< 0.1", true},
		{99.869, 100, 0, "> 99", true},
		{99.869, 100, 1, "", false},
		{99.96, 100, 1, "> 99.9", true},
		{99.869, 100, 2, "", false},
		{0.06, 0, 1, "", false},
		{0, 0, 1, "", false},
		{100, 100, 1, "", false},
		{-0.01, 0, 1, "> -0.1", true},
	} {
		got, ok := units.Bound(c.v, c.prec, c.full)
		if got != c.want || ok != c.ok {
			t.Errorf("Bound(%v, %d, %v) = %q, %v; want %q, %v", c.v, c.prec, c.full, got, ok, c.want, c.ok)
		}
	}
}

// TestFixed: a figure is rounded as a person rounds the decimal the page
// shows, half away from zero, not as fmt's %.Nf rounds the binary value.
// 0.25 is exactly 1/4 in binary and %.1f rounds it to even, "0.2"; by hand
// 0.25 → 0.3. 2.675 is stored as 2.67499999999999982…, so %.2f says
// "2.67"; the decimal a user reads is 2.675 → 2.68. −0.05 → −0.1 (away
// from zero), −150.25 → −150.3. Arithmetic noise far below the last
// shown digit does not move a half-way figure: 0.35 − 0.1 is held as
// 0.24999999999999997, which is 0.25 at 15 significant digits → 0.3;
// 0.1 + 0.2 = 0.30000000000000004 → "0.30". A figure of 1e-9 is 0.0 at
// one decimal, and −1e-9 prints "0.0", never "-0.0".
func TestFixed(t *testing.T) {
	for _, c := range []struct {
		name   string
		v      float64
		digits int
		want   string
	}{
		{"quarter", 0.25, 1, "0.3"},
		{"2.675", 2.675, 2, "2.68"},
		{"negative half", -0.05, 1, "-0.1"},
		{"negative 150.25", -150.25, 1, "-150.3"},
		{"below half", 0.2499, 1, "0.2"},
		{"whole half", 2.5, 0, "3"},
		{"negative whole half", -2.5, 0, "-3"},
		{"pads zeros", 12, 2, "12.00"},
		{"noise below half", 0.35 - 0.1, 1, "0.3"},
		{"noise above", 0.1 + 0.2, 2, "0.30"},
		{"percent noise", 0.145 * 100, 1, "14.5"},
		{"1e-9", 1e-9, 1, "0.0"},
		{"-1e-9 not negative zero", -1e-9, 1, "0.0"},
		{"1e-9 at 9 digits", 1e-9, 9, "0.000000001"},
		{"half at 9 digits", 5e-10, 9, "0.000000001"},
		{"large", 123456789.125, 2, "123456789.13"},
		{"large negative", -9876543210.5, 0, "-9876543211"},
		{"1e20", 1e20, 1, "100000000000000000000.0"},
		{"1e30 no binary noise", 1e30, 0, "1000000000000000000000000000000"},
	} {
		if got := units.Fixed(c.v, c.digits); got != c.want {
			t.Errorf("%s: Fixed(%v, %d) = %q, want %q", c.name, c.v, c.digits, got, c.want)
		}
	}
}

// TestSigned: the same rounding, signed both ways as pages and the CLI
// print a difference — the true minus sign (U+2212) before a loss, "+"
// before a gain (fix15s): −150.25 → "−150.3", 0.25 → "+0.3"; −0.04 and
// 0.04 round to 0.0 and print "0.0".
func TestSigned(t *testing.T) {
	for _, c := range []struct {
		v      float64
		digits int
		want   string
	}{
		{-150.25, 1, "\u2212150.3"},
		{-0.05, 1, "\u22120.1"},
		{-0.04, 1, "0.0"},
		{0.25, 1, "+0.3"},
		{0.04, 1, "0.0"},
	} {
		if got := units.Signed(c.v, c.digits); got != c.want {
			t.Errorf("Signed(%v, %d) = %q, want %q", c.v, c.digits, got, c.want)
		}
	}
}

// TestFixedKeepsSixteenDigits: reading a half at 15 significant digits
// moves only a figure that is on a half there; 999999999999999.9 (16
// digits) is not 1e15 at one decimal, and 123456789012345678 (held as
// 123456789012345680) keeps its digits.
func TestFixedKeepsSixteenDigits(t *testing.T) {
	if got := units.Fixed(999999999999999.9, 1); got != "999999999999999.9" {
		t.Errorf("Fixed(999999999999999.9, 1) = %q", got)
	}
	if got := units.Fixed(123456789012345678, 2); got != "123456789012345680.00" {
		t.Errorf("Fixed(123456789012345678, 2) = %q", got)
	}
}

// TestIntGroupsThousands (issue 15, fix15t2 item 4): a count groups its
// thousands with commas, three digits a group from the right.
func TestIntGroupsThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 10000: "10,000", 33554432: "33,554,432", -1234567: "-1,234,567"} {
		if got := units.Int(n); got != want {
			t.Errorf("Int(%d) = %q; want %q", n, got, want)
		}
	}
	if got := units.Int(int64(2097152)); got != "2,097,152" {
		t.Errorf("Int(int64 2097152) = %q", got)
	}
	for n, want := range map[int]string{0: "0 events", 1: "1 event", 10000: "10,000 events"} {
		if got := units.Count(n, "event"); got != want {
			t.Errorf("Count(%d) = %q; want %q", n, got, want)
		}
	}
}
