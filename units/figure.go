package units

import (
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"
)

// FigureDigits is the significant digits of a float64 that a displayed
// figure is read at to tell whether it lies on a half: 15, the digits
// any decimal survives a round trip through a 64-bit float with (DBL_DIG,
// ISO C §5.2.4.2.2). Arithmetic noise in the 16th and 17th digits
// (0.35 − 0.1 = 0.24999999999999997) does not take a half-way figure
// off its half.
const FigureDigits = 15

// Fixed prints x rounded to digits decimals (digits ≥ 0), as a person
// rounds the decimal a page shows: half away from zero (0.25 → "0.3",
// 2.675 → "2.68", −0.05 → "-0.1"), on x's shortest decimal (strconv 'g'
// -1: 2.675, not the binary 2.67499999999999982…) rather than on its
// binary value, which fmt's %.Nf rounds (0.25 → "0.2", half to even;
// 2.675 → "2.67"). When x at FigureDigits significant digits lies exactly
// on a half (0.24999999999999997 is 0.25), that half is rounded away
// from zero. Zeros pad the fraction ("12.00"); a figure that rounds to
// zero has no sign ("0.0", never "-0.0"); a figure beyond 2^53 prints its
// shortest decimal, not the binary noise %f shows (1e30, not
// 1000000000000000019884624838656). Every figure shown to a user —
// pages, CLI text, reports — is rounded by this rule; machine formats
// (JSON numbers, raw CSV values) keep every digit. NaN and ±Inf print as
// strconv prints them.
func Fixed(x float64, digits int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return strconv.FormatFloat(x, 'f', digits, 64)
	}
	if digits < 0 {
		digits = 0
	}
	places := int32(digits)
	d := mustDecimal(strconv.FormatFloat(x, 'g', -1, 64))
	if t := mustDecimal(strconv.FormatFloat(x, 'g', FigureDigits, 64)); onHalf(t, places) {
		d = t
	}
	d = d.Round(places)
	if d.IsZero() {
		d = decimal.Zero
	}
	return d.StringFixed(places)
}

// onHalf says whether d lies exactly half-way between two figures of
// places decimals (0.25 at one decimal).
func onHalf(d decimal.Decimal, places int32) bool {
	return d.Sub(d.Truncate(places)).Abs().Equal(decimal.New(5, -places-1))
}

// mustDecimal is s, a decimal strconv wrote for a finite float64.
func mustDecimal(s string) decimal.Decimal {
	d, err := decimal.NewFromString(s)
	if err != nil {
		panic("units: " + err.Error()) // strconv wrote it: unreachable
	}
	return d
}

// Signed is a difference or change as pages and the CLI print it: Fixed,
// signed both ways — the true minus sign (U+2212, ISO 80000-2 §2-7.2's
// minus) before a loss, "+" before a gain, no sign on a figure that rounds
// to zero: −150.25 at one decimal → "−150.3", 0.2 at two → "+0.20",
// −0.001 at two → "0.00" (issue 15, fix15s: a gain printed with no sign
// beside a loss printed with one), thousands grouped (Group: 201904.0 %
// → "+201,904.0 %", fix15zi). A quantity that is no difference (a
// tonnage, a balance) is printed by Fixed, or Grouped.
func Signed(x float64, digits int) string {
	s := Group(Fixed(x, digits))
	switch {
	case strings.HasPrefix(s, "-"):
		return "\u2212" + s[1:]
	case strings.Trim(s, "0.") != "":
		return "+" + s
	}
	return s
}

// Bound is the one rule every page and report follows when it rounds a
// figure for display: a figure that is not zero never prints as zero, and
// a figure short of its full value never prints as full. It returns the
// bounded text ("< 0.1" for 0.0499 t at one decimal, "> 99.9" for a fill
// of 99.869 % of a full 100 at one decimal) and true when rounding v to
// prec decimals would say something false; otherwise "" and false, and
// the caller prints the rounded figure as usual. full ≤ 0 means the
// figure has no full value (a mass). The same rule prints origin shares
// (custody.Percent) as "< 0.1 %".
func Bound(v float64, prec int, full float64) (string, bool) {
	step := math.Pow10(-prec)
	stepText := strconv.FormatFloat(step, 'f', prec, 64)
	// v as Fixed prints it, so that the bound and the printed figure
	// agree on which side of a half v falls.
	r, _ := strconv.ParseFloat(Fixed(v, prec), 64)
	switch {
	case v > 0 && r == 0:
		return "< " + stepText, true
	case v < 0 && r == 0:
		return "> -" + stepText, true
	case full > 0 && v < full && r >= full:
		return "> " + strings.TrimRight(strings.TrimRight(strconv.FormatFloat(full-step, 'f', prec, 64), "0"), "."), true
	}
	return "", false
}

// Int is a whole count with its thousands grouped by commas, as every
// count shown to a user is written — pages, CLI text and error messages
// (issue 15, fix15s and fix15t2: capture limits read "10000 events" and
// "33554432 bytes"): 10000 → "10,000", −1234567 → "-1,234,567", 999 →
// "999". Machine formats (JSON numbers, raw CSV values, headers such as
// GS1-EPCIS-Capture-Limit) keep the bare digits.
func Int[N ~int | ~int64](n N) string {
	s := strconv.FormatInt(int64(n), 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}

// Uint is Int for an unsigned count, up to 18,446,744,073,709,551,615
// (math.MaxUint64), which Int's int64 cannot hold.
func Uint[N ~uint | ~uint64](n N) string {
	s := strconv.FormatUint(uint64(n), 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Count is n (Int: thousands grouped) and noun, which takes an "s" when n
// is not 1: "1 event", "0 events", "10,000 events". Nouns with another
// plural are commercial.Count's.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Int(n) + " " + noun + "s"
}

// MassResidue is the mass in tonnes (10 µg) below which a figure shown
// as a mass is float64 residue of adding and taking tonnages (40 t less
// 25 t less 15 t is −0.000000000001 t, not 0), never a quantity. It
// stays below the smallest mass a form takes and shows (0.0000001 kg,
// 1e-10 t: TestRecordCommissionZeroAndTinyMass), so a real figure never
// reads 0, while the residue of tonnages up to 10,000 t (float64's
// 2.2e-16 relative step × 10,000 ≈ 2e-12 t) does.
const MassResidue = 1e-11

// Settled is t, or 0 when t is residue (|t| < MassResidue): every mass
// a page or the CLI prints goes through it before it is rounded, so that
// an emptied holding reads 0, never "−0.000000000001 dmt" (issue 15,
// fix15u). Machine formats (JSON, raw CSV) keep every digit.
func Settled(t float64) float64 {
	if math.Abs(t) < MassResidue {
		return 0
	}
	return t
}

// Group puts commas between the thousands of the integer part of a
// decimal numeral that Fixed, Signed or strconv wrote ("1010.02" →
// "1,010.02", "−201904.0" → "−201,904.0", "+9000" → "+9,000"), as every
// figure shown to a person is written (issue 15, fix15zi: "1010.02 t",
// "net 9000 kg", "+201904.0 %"); a sign (+, -, or the true minus U+2212)
// stays in front, the fraction is left as it is, and text that is not
// such a numeral ("NaN", "1e+30") is returned unchanged. Machine formats
// (JSON numbers, raw CSV values) never go through it.
func Group(s string) string {
	sign := ""
	for _, p := range []string{"+", "-", "\u2212"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			sign, s = p, rest
			break
		}
	}
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if intPart == "" || strings.Trim(intPart, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" {
		return sign + s
	}
	for i := len(intPart) - 3; i > 0; i -= 3 {
		intPart = intPart[:i] + "," + intPart[i:]
	}
	if hasFrac {
		return sign + intPart + "." + frac
	}
	return sign + intPart
}

// Grouped is Fixed with its thousands grouped (Group): the figure of a
// message or a CLI line, 1010.02 at two decimals → "1,010.02".
func Grouped(x float64, digits int) string { return Group(Fixed(x, digits)) }

// plainDigits bounds the digits Plain writes out: a figure whose plain
// decimal would run past 21 integer digits (float64 holds 17 significant
// ones; beyond 10^21 the rest are zeros of no meaning) or past 12
// decimals of leading zeros (below 10^-12) is written as a power of ten.
const (
	plainMaxInt  = 21
	plainMinFrac = 12
)

// Plain is v as a person reads a number: its shortest decimal (the
// digits that read back as v), thousands grouped, never Go's exponent
// form ("2e+06", "1e-07"): 9000 → "9,000", 1e-07 → "0.0000001",
// 28660.067865546327 → "28,660.067865546327" (a caller rounds first when
// it shows a measurement). A figure too large or too small to write out
// (beyond 10^21, below 10^-12: 1e300 would be 301 digits, 1e-300 three
// hundred zeros) is a power of ten, as ISO 80000-1 §7.2 writes
// one, with superscript digits: 1e+299 → "1 × 10²⁹⁹", −2.5e-300 →
// "−2.5 × 10⁻³⁰⁰" (issue 15, fix15zi). NaN and ±Inf print as strconv
// prints them.
func Plain(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'g', -1, 64)
	}
	a := math.Abs(v)
	if v == 0 || a < math.Pow10(plainMaxInt) && a >= math.Pow10(-plainMinFrac) {
		return Group(strconv.FormatFloat(v, 'f', -1, 64))
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(v, 'e', -1, 64), "e")
	n, _ := strconv.Atoi(exp)
	return strings.Replace(mant, "-", "\u2212", 1) + " × 10" + Superscript(n)
}

// Superscript is n in superscript digits, with the superscript minus
// (U+207B) when negative: 299 → "²⁹⁹", −7 → "⁻⁷".
func Superscript(n int) string {
	const digits = "⁰¹²³⁴⁵⁶⁷⁸⁹"
	sup := []rune(digits)
	var b strings.Builder
	if n < 0 {
		b.WriteString("⁻")
		n = -n
	}
	for _, c := range strconv.Itoa(n) {
		b.WriteRune(sup[c-'0'])
	}
	return b.String()
}

// Echo is a number a person wrote (text, read as v) quoted back in a
// refusal: as written when it is short and has an exponent ("1e300": the
// person wrote it so), its digits grouped when it is a plain numeral
// ("100000000000000000000" → "100,000,000,000,000,000,000"), and as
// Plain writes v when it is too long to quote (301 digits, or 300 zeros
// after the point) — never Go's "1e+300" the person did not write
// (issue 15, fix15zi).
func Echo(text string, v float64) string {
	const maxEcho = 24
	switch {
	case len(text) <= maxEcho && strings.ContainsAny(text, "eE"):
		return text
	case len(text) <= maxEcho:
		return Group(text)
	}
	return Plain(v)
}

// Sig is v rounded to digits significant digits and written by Plain:
// what strconv's 'g' format rounds to, without its exponent — a ratio of
// 10^299 reads "1 × 10²⁹⁹×", not "1e+299×" (issue 15, fix15zi), and
// 2.5e+07 reads "25,000,000".
func Sig(v float64, digits int) string {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', digits, 64), 64)
	return Plain(r)
}

// Quantity is a stated quantity q in the Rec 20 unit uom as a person
// reads it, with no unit: a mass to the gram in its own unit (KGM three
// decimals, TNE six, LBR three: a pound is 453.59237 g; never fewer than
// three), trailing zeros
// dropped and thousands grouped — 28660.067865546327 LBR reads
// "28,660.068", 30000 KGM "30,000" — and any other quantity as Plain
// writes it. A mass that is not zero never reads 0: below the gram it
// keeps its own digits (Plain: 0.0000001, or 1 × 10⁻³⁰⁰) (issue 15,
// fix15zi: `critmin lot show` printed "Quantity 28660.067865546327 LBR"
// and "1e-07 KGM").
func Quantity(q float64, uom string) string {
	kg, ok := massKg[uom]
	if !ok || math.IsNaN(q) || math.IsInf(q, 0) {
		return Plain(q)
	}
	// Decimals that show a gram (0.001 kg) of the unit: ⌈log10(kg per
	// unit / 0.001 kg)⌉, and at least three (a stated 1.5 GRM stays 1.5).
	digits := max(3, int(math.Ceil(math.Log10(kg/0.001)-1e-9)))
	s := Fixed(q, digits)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if q != 0 && strings.Trim(s, "-0.") == "" {
		return Plain(q)
	}
	return Group(s)
}
