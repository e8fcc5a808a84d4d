package commercial

import (
	"fmt"
	"strings"

	"github.com/critmin/critmin"
	"github.com/shopspring/decimal"
)

// Grams in one unit of mass a price or charge may be quoted per. The pound
// is the international avoirdupois pound (0.45359237 kg exactly, 1959); the
// troy ounce is 31.1034768 g exactly; mtu is the metric tonne unit (1 % of
// a tonne, 10 kg) used for antimony and tungsten.
var gramsPer = map[string]decimal.Decimal{
	"g":   decimal.NewFromInt(1),
	"kg":  decimal.NewFromInt(1000),
	"t":   decimal.NewFromInt(1_000_000),
	"mtu": decimal.NewFromInt(10_000),
	"lb":  decimal.RequireFromString("453.59237"),
	"ozt": decimal.RequireFromString("31.1034768"),
}

// CurrencyMinorUnits returns the ISO 4217 minor units of code and whether
// the currency is known.
func CurrencyMinorUnits(code string) (int32, bool) {
	n, ok := minorUnits[code]
	return n, ok
}

// PriceUnit is a parsed price or rate unit "CUR/MASS": an ISO 4217 currency
// (or USc, US cents) per unit of mass of the priced metal or oxide (t, kg,
// lb, ozt, g, mtu).
type PriceUnit struct {
	Currency string          // ISO 4217 code the amount converts to
	Factor   decimal.Decimal // 1, or 0.01 for cents
	Mass     string          // t, kg, lb, ozt, g or mtu
}

// ParsePriceUnit parses "USD/t", "USc/lb", "USD/ozt", "USD/kg", "USD/mtu".
// pointer names the field in errors (EINVALID). "CUR/dmt" is refused: a
// price, refining charge, basis or series prices a mass of the metal or
// oxide it quotes, and a dry tonne of concentrate is not a mass of metal
// (a per-dmt amount — TC, penalty rate — is written without a unit, in
// the contract currency per dmt). Before, "USD/dmt" was accepted here and
// settling such a payable divided by zero.
func ParsePriceUnit(s, pointer string) (PriceUnit, error) {
	cur, mass, ok := strings.Cut(s, "/")
	if !ok {
		return PriceUnit{}, fieldErrorf(pointer, "unit %q is not CURRENCY/MASS (USD/t, USc/lb, USD/ozt, USD/kg, USD/mtu)", s)
	}
	u := PriceUnit{Currency: cur, Factor: decimal.NewFromInt(1), Mass: mass}
	if cur == "USc" {
		u.Currency, u.Factor = "USD", decimal.New(1, -2)
	}
	if _, ok := minorUnits[u.Currency]; !ok {
		return PriceUnit{}, fieldErrorf(pointer, "currency %q is not an ISO 4217 code critmin knows", cur)
	}
	if mass == "dmt" {
		return PriceUnit{}, fieldErrorf(pointer, "%q is per dry tonne of concentrate; a price is per mass of the metal or oxide it quotes: use t, kg, lb, ozt, g or mtu", s)
	}
	if _, ok := gramsPer[mass]; !ok {
		return PriceUnit{}, fieldErrorf(pointer, "mass unit %q is not t, kg, lb, ozt, g or mtu", mass)
	}
	return u, nil
}

// perGram converts a price in this unit to currency per gram. A unit not
// from ParsePriceUnit (unknown or empty mass, a zero value read from a
// stored row) is an EINVALID error, never a division by zero.
func (u PriceUnit) perGram(price decimal.Decimal) (decimal.Decimal, error) {
	g, err := u.grams()
	if err != nil {
		return zero, err
	}
	f := u.Factor
	if f.IsZero() {
		f = one
	}
	return price.Mul(f).Div(g), nil
}

// grams is the grams in one unit of the price's mass: an EINVALID error
// for a mass ParsePriceUnit would refuse (never a zero divisor).
func (u PriceUnit) grams() (decimal.Decimal, error) {
	g, ok := gramsPer[u.Mass]
	if !ok || !g.IsPositive() {
		return zero, &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("price unit %s/%s: %q is not a mass unit a price can be converted from (t, kg, lb, ozt, g, mtu)", u.Currency, u.Mass, u.Mass)}
	}
	return g, nil
}

// gramsPerDMT converts a grade to grams of analyte per dry tonne: % × 10⁴,
// g/t and ppm as they are.
func gramsPerDMT(grade decimal.Decimal, unit string) decimal.Decimal {
	if unit == "%" {
		return grade.Mul(decimal.NewFromInt(10_000))
	}
	return grade
}

var (
	zero    = decimal.Zero
	one     = decimal.NewFromInt(1)
	hundred = decimal.NewFromInt(100)
)

func pct(d decimal.Decimal) decimal.Decimal { return d.Div(hundred) }

func dmin(a, b decimal.Decimal) decimal.Decimal {
	if a.LessThan(b) {
		return a
	}
	return b
}

func dmax(a, b decimal.Decimal) decimal.Decimal {
	if a.GreaterThan(b) {
		return a
	}
	return b
}
