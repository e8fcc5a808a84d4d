package custody

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/critmin/critmin/units"
)

// FigureDecimals is the precision of every figure the prove job prints
// (origin, mass-balance statement, lot lists, certificates, in JSON and
// CSV): six decimal places, rounded half away from zero, trailing zeros
// dropped. For tonnes that is one gram; for shares and fractions one part
// per million. Binary floating point cannot hold 0.3 exactly, so sums such
// as 0.1 + 0.2 would otherwise print as 0.30000000000000004; the
// computation keeps full precision and only the printed figure is rounded.
const FigureDecimals = 6

// Figure formats a figure with FigureDecimals: 0.30000000000000004 → "0.3",
// 2.9 → "2.9", 4 → "4".
func Figure(v float64) string {
	return decimal.NewFromFloat(v).Round(FigureDecimals).String()
}

// ShortfallFigure is Figure for a shortfall: a positive shortfall that
// rounds to zero at FigureDecimals reads "< 0.000001", so that a claim
// refused for an over-claim below display rounding never reads
// "shortfall 0 t" (fix9p).
func ShortfallFigure(v float64) string {
	if f := Figure(v); v <= 0 || f != "0" {
		return f
	}
	return "< " + decimal.New(1, -FigureDecimals).String()
}

// RoundFigure rounds a figure to FigureDecimals, as the nearest float64:
// encoded as JSON it prints as Figure does.
func RoundFigure(v float64) float64 {
	return decimal.NewFromFloat(v).Round(FigureDecimals).InexactFloat64()
}

// RoundFigures rewrites every non-integer number of a JSON text to
// FigureDecimals, leaving strings, integers, key order and layout as they
// are. It is applied to the prove job's JSON output (and to certificates
// before they are signed), so every figure printed has the same, stated
// precision. Text that is not valid JSON is returned unchanged.
func RoundFigures(b []byte) []byte {
	if !json.Valid(b) {
		return b
	}
	var out bytes.Buffer
	out.Grow(len(b))
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(b) && b[j] != '"' {
				if b[j] == '\\' {
					j++
				}
				j++
			}
			out.Write(b[i : j+1])
			i = j + 1
		case c == '-' || (c >= '0' && c <= '9'):
			j := i + 1
			frac := false
			for j < len(b) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E' || b[j] == '+' || b[j] == '-' || (b[j] >= '0' && b[j] <= '9')) {
				frac = frac || b[j] == '.' || b[j] == 'e' || b[j] == 'E'
				j++
			}
			num := b[i:j]
			if frac {
				if d, err := decimal.NewFromString(string(num)); err == nil {
					num = []byte(d.Round(FigureDecimals).String())
				}
			}
			out.Write(num)
			i = j
		default:
			out.WriteByte(c)
			i++
		}
	}
	return out.Bytes()
}

// Percent prints a share (a fraction) as a percentage with one decimal,
// "12.3 %", and never as a rounded extreme that says something false: a
// share above 0 that rounds to 0.0 prints "< 0.1 %" (1 kg of Chinese
// material in 10 000 t is 0.00001 %, not none), and a share below 1 that
// rounds to 100.0 prints "> 99.9 %". Every percentage of an origin share
// in text — rule details, headlines, claim messages — goes through it.
// The figure is rounded as by hand, half away from zero on its decimal
// (units.Fixed): 0.25 % prints "0.3 %", not %.1f's "0.2 %".
func Percent(share float64) string {
	p := share * 100
	if s, ok := units.Bound(p, 1, 100); ok {
		return s + " %"
	}
	return units.Fixed(p, 1) + " %"
}

// USD prints a whole-dollar amount of a figure as text: "US$34,923", with
// thousands separators in groups of three (the form money takes on every
// page, as web/trade.go's money writes cents) and a true minus sign
// (U+2212) before a negative amount. Rounded half away from zero.
func USD(v float64) string {
	n := int64(math.Round(math.Abs(v)))
	digits := strconv.FormatInt(n, 10)
	var b strings.Builder
	if v < 0 && n != 0 {
		b.WriteString("−")
	}
	b.WriteString("US$")
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Tonnes prints a lot's mass (wet or dry tonnes) in a message — a
// weighing, moisture or consumption refusal — as web's pages print it
// (tonnesText): to the kilogram (three decimals) from 1 t, and below 1 t
// with three significant digits (0.5 kg is 0.0005, not 0.001 nor 0),
// trailing zeros dropped, rounded half away from zero. A dry mass worked
// out from a moisture (30.5 t at 1.9712 %: 29.898784 t) prints 29.899,
// not to the gram of binary arithmetic: a weighbridge reads to 10 kg, a
// moisture to a hundredth of a point (ISO 10251). Element masses in
// claim messages keep FigureDecimals (fmtT). Below 1 t a figure that
// was rounded keeps its three significant digits, trailing zeros too:
// 20.01 kg is 0.0200 t, not 0.02 t, which would read as exactly 20 kg
// (docs/forms.md; issue 15, fix15q); an exact one (0.0005, or 0.58
// from 2.53 − 1.95 in binary) drops them. Thousands are grouped
// (units.Group: 1,010.02, not 1010.02; issue 15, fix15zi).
func Tonnes(t float64) string {
	t = units.Settled(t)
	if math.Abs(t) >= 1e15 {
		// Beyond 10^15 t a float64 holds no kilograms: the figure's own
		// digits, or a power of ten past 10^21 (a refusal of 10^296 t
		// quoted 297 digits).
		return units.Plain(t)
	}
	prec := int32(3)
	if a := math.Abs(t); a > 0 && a < 1 {
		prec = int32(max(3, min(12, 2-int(math.Floor(math.Log10(a))))))
		// Binary noise (2.53 − 1.95 = 0.5800000000000001) is no rounding:
		// 0.58 stays 0.58.
		if r := units.Fixed(t, int(prec)); math.Abs(mustFloat(r)-t) > 1e-9*math.Abs(t) {
			return units.Group(r)
		}
	}
	// units.Fixed: half away from zero on the figure's decimal, as every
	// page and the CLI round — 12.95 × 0.95 = 12.3025 (12.302499999999998
	// in binary) is 12.303, not 12.302 (issue 15, fix15u; nu15f finding
	// 6: the declaration page's weighing refusal read 12.302 where
	// `critmin lot show` read 12.303).
	s := decimal.RequireFromString(units.Fixed(t, int(prec))).String()
	if s == "-0" {
		return "0"
	}
	return units.Group(s)
}

// mustFloat is the float64 of s, a decimal units.Fixed wrote.
func mustFloat(s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		panic("custody: " + err.Error()) // units.Fixed wrote it: unreachable
	}
	return f
}
