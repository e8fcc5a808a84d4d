package web

import (
	"testing"

	"github.com/shopspring/decimal"
)

// Shipped / committed always shows one decimal: 420 000 of 6 000 000 is
// 7.0 % (not "7"), 33 000 of 1 500 000 is 2.2 %; nothing committed is "—".
func TestTradePctOfFixedPrecision(t *testing.T) {
	for _, c := range []struct{ a, b, want string }{{"420000", "6000000", "7.0 %"}, {"33000", "1500000", "2.2 %"}, {"1", "0", "—"}} {
		if got := pctOf(decimal.RequireFromString(c.a), decimal.RequireFromString(c.b)); got != c.want {
			t.Errorf("pctOf(%s, %s) = %q, want %q", c.a, c.b, got, c.want)
		}
	}
}

// TestFormatPctNeverFalseZero (issue 9, new-user check 5): the risk page
// printed "Myanmar 0 %" for a 0.05 % share (0.0004 → formatNum(0.04, 1)
// = "0"). A non-zero share that rounds to 0 prints "< 0.1 %" (two
// decimals: "< 0.01 %"), a share below 1 that rounds to 100 prints
// "> 99.9 %"; others as before, trailing zeros dropped.
func TestFormatPctNeverFalseZero(t *testing.T) {
	for _, c := range []struct {
		f    float64
		prec int
		want string
	}{{0.0004, 1, "< 0.1 %"}, {0.00004, 2, "< 0.01 %"}, {0.0005, 2, "0.05 %"}, {0, 1, "0 %"}, {0.9999, 1, "> 99.9 %"}, {1, 1, "100 %"}, {0.123, 1, "12.3 %"}, {0.5, 2, "50 %"}} {
		if got := formatPct(c.f, c.prec); got != c.want {
			t.Errorf("formatPct(%v, %d) = %q, want %q", c.f, c.prec, got, c.want)
		}
	}
}

// TestSharePctCertificate: the certificate page reads massFraction at six
// decimals, where 1 kg in 10 000 t (1e-7) is 0; with its 0.001 t it
// prints "< 0.1 %", and a true 0 of 0 t prints "0 %".
func TestSharePctCertificate(t *testing.T) {
	f := funcs["sharePct"].(func(any, any) string)
	for _, c := range []struct {
		frac, tonnes any
		want         string
	}{{0.0, 0.001, "< 0.1 %"}, {0.0, 0.0, "0 %"}, {0.25, 2.5, "25 %"}} {
		if got := f(c.frac, c.tonnes); got != c.want {
			t.Errorf("sharePct(%v, %v) = %q, want %q", c.frac, c.tonnes, got, c.want)
		}
	}
}

// TestFigureNeverFalseZero (new-user check, plan page of ndpr-price-drop):
// the contract table printed "Below minimum t 0" for a shortfall of
// 0.0499 t (num1 = formatNum(0.0499, 1) = "0.0" → "0") beside a penalty
// of 1,498 USD. A non-zero figure that rounds to 0 prints "< 0.1" (three
// decimals for tonnes from 1 t; below 1 t, tonnes have three significant
// digits, fix15z: 0.4 kg is "0.0004"); others as before. A mass below
// units.MassResidue (1e-11 t, 10 µg) is float residue of adding and taking
// tonnages, never a quantity (fix15u): 1e-13 t reads "0", while 2 mg
// (2e-9 t) still reads as itself, "0.000000002".
func TestFigureNeverFalseZero(t *testing.T) {
	num1 := funcs["num1"].(func(float64) string)
	tonnes := funcs["tonnes"].(func(float64) string)
	for _, c := range []struct{ got, want string }{
		{num1(0.0499), "< 0.1"}, {num1(0.06), "0.1"}, {num1(0), "0"}, {num1(1234.56), "1,234.6"},
		{tonnes(0.0004), "0.0004"}, {tonnes(1e-13), "0"}, {tonnes(2e-9), "0.000000002"}, {tonnes(2.5), "2.5"}, {tonnes(0.0499), "0.0499"},
		{formatPct(0.99869, 1), "99.9 %"}, {formatPct(0.99996, 1), "> 99.9 %"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
