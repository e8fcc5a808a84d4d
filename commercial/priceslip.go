package commercial

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/critmin/critmin"
	"github.com/shopspring/decimal"
)

// PriceImportOptions are the choices of a price import.
type PriceImportOptions struct {
	// Correction accepts days inside a quotational period closed by an
	// issued final invoice, recorded as corrections
	// (ImportPriceCorrections).
	Correction bool
	// ConfirmUnitJumps imports rows that UnitSlips takes for a price in
	// another unit (the person importing confirms the jump is real).
	ConfirmUnitJumps bool
}

// UnitSlipTolerance is how close, relatively, a row's ratio to its
// neighbours must come to the ratio of two price units for the row to be
// taken as quoted in the other unit: 10 %. Within it a real market move
// is rare between neighbouring days (LME copper's largest daily move
// since 2000 is under 15 %, and a factor of 2.2046 is a 120 % move),
// while the closest unit factors critmin knows (31.1 for g and ozt, 32.15
// for ozt and kg) are 3.4 % apart and the row is named with the closer.
var UnitSlipTolerance = decimal.RequireFromString("0.10")

// UnitSlipWindowDays is how far either side of a row its neighbours are
// taken from: 31 days, a month of daily prices or four to five weekly
// assessments. A row with fewer than two published neighbours in the
// window is compared with its three nearest published days either side.
const UnitSlipWindowDays = 31

// unitSlipMasses are the masses a price row may be quoted per by mistake.
var unitSlipMasses = []string{"t", "kg", "lb", "ozt", "g"}

// UnitSlip is a price row that differs from its series' neighbouring
// prices by about the ratio of two price units.
type UnitSlip struct {
	Date    string
	Value   decimal.Decimal
	Median  decimal.Decimal // of the neighbours
	Ratio   decimal.Decimal // Value ÷ Median
	Likely  string          // the unit the row is most likely in
	Factor  decimal.Decimal // the ratio of Likely to the series' unit
	Between string          // the neighbours' span, first…last
	N       int             // neighbours
}

// UnitSlips lists the published days among dates whose value is, within
// UnitSlipTolerance, a unit factor (kg↔lb 2.2046, ozt↔g 31.1035, kg↔ozt
// 32.1507, t↔kg 1 000, t↔lb 2 204.6, lb↔ozt 14.583, USD↔USc 100, and
// their inverses) times the median of the series' other published prices
// within UnitSlipWindowDays: a per-lb price in a per-kg series, per-g in a
// per-ozt one. A series whose every row is in the wrong unit has no jump
// to find (PriceBounds judge it when a settlement reads it).
func (s *PriceSeries) UnitSlips(dates map[string]bool) []UnitSlip {
	su, err := ParsePriceUnit(s.Unit, "")
	if err != nil {
		return nil
	}
	sg, _ := su.grams()
	var pub []PricePoint
	for _, p := range s.Points {
		if p.Published && p.Value.IsPositive() {
			pub = append(pub, p)
		}
	}
	sort.SliceStable(pub, func(i, j int) bool { return pub[i].Date < pub[j].Date })
	var out []UnitSlip
	for i, p := range pub {
		if !dates[p.Date] {
			continue
		}
		d, err := time.Parse(time.DateOnly, p.Date)
		if err != nil {
			continue
		}
		var nb []PricePoint
		for j, q := range pub {
			if j == i {
				continue
			}
			if e, err := time.Parse(time.DateOnly, q.Date); err == nil && absDays(e.Sub(d)) <= UnitSlipWindowDays {
				nb = append(nb, q)
			}
		}
		if len(nb) < 2 {
			nb = nb[:0]
			for j := max(0, i-3); j <= min(len(pub)-1, i+3); j++ {
				if j != i {
					nb = append(nb, pub[j])
				}
			}
		}
		if len(nb) == 0 {
			continue
		}
		vals := make([]decimal.Decimal, len(nb))
		for k, q := range nb {
			vals[k] = q.Value
		}
		med := median(vals)
		ratio := p.Value.Div(med)
		best, bestDiff, bestFactor := "", decimal.Decimal{}, decimal.Decimal{}
		for _, m := range unitSlipMasses {
			for _, f := range []decimal.Decimal{one, decimal.New(1, -2)} {
				if !f.Equal(one) && su.Currency != "USD" {
					continue
				}
				if m == su.Mass && f.Equal(su.Factor) {
					continue
				}
				// A row per m at factor f: value = price per gram ×
				// grams(m) ÷ f, against price per gram × grams(series)
				// ÷ series factor.
				factor := gramsPer[m].Div(f).Div(sg.Div(su.Factor))
				diff := ratio.Div(factor).Sub(one).Abs()
				if diff.LessThanOrEqual(UnitSlipTolerance) && (best == "" || diff.LessThan(bestDiff)) {
					cur := su.Currency
					if f.Equal(decimal.New(1, -2)) {
						cur = "USc"
					}
					best, bestDiff, bestFactor = cur+"/"+m, diff, factor
				}
			}
		}
		if best == "" {
			continue
		}
		out = append(out, UnitSlip{Date: p.Date, Value: p.Value, Median: med, Ratio: ratio, Likely: best, Factor: bestFactor,
			Between: nb[0].Date + "…" + nb[len(nb)-1].Date, N: len(nb)})
	}
	return out
}

// unitSlipFaults are the faults of a price import's unit slips: each named
// "line N/value" (lines: date → the CSV line that gave it).
func (s *PriceSeries) unitSlipFaults(lines map[string]int) []critmin.FieldError {
	dates := make(map[string]bool, len(lines))
	for d := range lines {
		dates[d] = true
	}
	var out []critmin.FieldError
	for _, u := range s.UnitSlips(dates) {
		out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("line %d/value", lines[u.Date]), Reason: fmt.Sprintf(
			"series %s, %s: %s %s is %s × the median %s of its %s (%s): about the factor %s between %s and %s, so the row is most likely in %s, not the series' %s. Import it in %s, or confirm the jump is real (CLI --confirm-unit-jumps, API confirm_unit_jumps=true; docs/trade.md, \"Price unit slips\")",
			s.ID, u.Date, u.Value, s.Unit, u.Ratio.Round(4), u.Median.Round(6), Count(u.N, "neighbouring published day"), u.Between, u.Factor.Round(4), u.Likely, s.Unit, u.Likely, s.Unit, s.Unit)})
	}
	return out
}

// median of vs (not empty): the middle value, or the mean of the two
// middle values.
func median(vs []decimal.Decimal) decimal.Decimal {
	s := append([]decimal.Decimal(nil), vs...)
	sort.Slice(s, func(i, j int) bool { return s[i].LessThan(s[j]) })
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return s[n/2-1].Add(s[n/2]).Div(decimal.NewFromInt(2))
}

// absDays is |d| in whole days.
func absDays(d time.Duration) int {
	if d < 0 {
		d = -d
	}
	return int(d.Hours() / 24)
}

// pricedFrom maps each price series to the elements, oxides or products
// the stored contracts price from it, each with its contract.
func pricedFrom(contracts []*TermSheet) map[string][][2]string {
	out := map[string][][2]string{}
	for _, ts := range contracts {
		for _, p := range ts.Payables {
			if p.Price.Series != "" {
				out[p.Price.Series] = append(out[p.Price.Series], [2]string{p.Element, ts.ID})
			}
		}
		if b := ts.Basket; b != nil {
			for _, o := range b.Oxides {
				if o.Price.Series != "" {
					out[o.Price.Series] = append(out[o.Price.Series], [2]string{o.Oxide, ts.ID})
				}
			}
		}
	}
	return out
}

// marketFaults are the rows of an import (lines: date → CSV line) whose
// price is outside the plausible range (PriceBounds) of an element a
// stored contract prices from the series (priced: pricedFrom), each named
// "line N/value" with the unit that would put it in range, if one does.
// A settlement refuses such a price anyway; the import names the row.
func (s *PriceSeries) marketFaults(lines map[string]int, priced [][2]string) []critmin.FieldError {
	su, err := ParsePriceUnit(s.Unit, "")
	if err != nil {
		return nil
	}
	var out []critmin.FieldError
	for _, p := range s.Points {
		line, ok := lines[p.Date]
		if !ok || !p.Published {
			continue
		}
		for _, ec := range priced {
			b, bu, ok := priceBound(ec[0], su.Currency)
			if !ok {
				continue
			}
			pg, err := su.perGram(p.Value)
			if err != nil {
				continue
			}
			bg, _ := bu.perGram(one)
			v := pg.Div(bg)
			if !v.LessThan(b.Min) && !v.GreaterThan(b.Max) {
				continue
			}
			// The other mass that puts the row nearest the middle of
			// the range (on a log scale: √(min × max)) is the likely one.
			likely, best := "", math.Inf(1)
			mid := math.Sqrt(b.Min.InexactFloat64() * b.Max.InexactFloat64())
			for _, m := range unitSlipMasses {
				if m == su.Mass {
					continue
				}
				alt := PriceUnit{Currency: su.Currency, Factor: su.Factor, Mass: m}
				ag, err := alt.perGram(p.Value)
				if err != nil {
					continue
				}
				w := ag.Div(bg)
				if w.LessThan(b.Min) || w.GreaterThan(b.Max) {
					continue
				}
				if d := math.Abs(math.Log(w.InexactFloat64() / mid)); d < best {
					best = d
					likely = fmt.Sprintf(": in %s/%s it would be %s %s, in range — most likely the row is in %s/%s", su.Currency, m, w.Round(2), b.Unit, su.Currency, m)
				}
			}
			out = append(out, critmin.FieldError{Pointer: fmt.Sprintf("line %d/value", line), Reason: fmt.Sprintf(
				"series %s, %s: %s %s is %s %s, outside the plausible %s–%s %s for %s, which contract %s prices from this series (%s)%s. Import it in its unit, or confirm it (CLI --confirm-unit-jumps, API confirm_unit_jumps=true; a settlement still refuses a price outside the range)",
				s.ID, p.Date, p.Value, s.Unit, v.Round(2), b.Unit, b.Min, b.Max, b.Unit, ec[0], ec[1], b.Basis, likely)})
			break
		}
	}
	return out
}

// ReferencePrice is a published annual average price of an element, the
// level a series' rows of that year are compared with for unit slips a
// plausible range is too wide to catch (referenceSlip).
type ReferencePrice struct {
	Year   int
	Value  decimal.Decimal
	Unit   string
	Source string
}

// ReferencePrices are the annual averages critmin holds (refdata
// prices.csv, USGS Mineral Commodity Summaries 2026 salient statistics):
// LME grade A cash copper 422.5, 399.8, 384.8, 414.7 and 440 (estimate)
// USc/lb in 2021–2025; antimony metal 99.65 % CIF (Argus) 5.31, 6.18,
// 5.49, 10.24 and 25 (estimate) USD/lb; rare-earth oxides FOB (Argus):
// NdPr oxide 92, 124, 75, 55, 69, Nd2O3 98, 134, 78, 56, 73 and Pr6O11
// 93, 128, 76, 56, 74 USD/kg in 2021–2025 (MCS 2026), Dy2O3 260 and
// Tb4O7 810 USD/kg in 2024 (MCS 2025). Gold and silver have none (not in
// prices.csv): their per-gram/per-ounce slips are caught by the range.
var ReferencePrices = map[string][]ReferencePrice{
	"Cu": {
		{2021, decimal.RequireFromString("4.225"), "USD/lb", "LME grade A cash, USGS MCS 2026"},
		{2022, decimal.RequireFromString("3.998"), "USD/lb", "LME grade A cash, USGS MCS 2026"},
		{2023, decimal.RequireFromString("3.848"), "USD/lb", "LME grade A cash, USGS MCS 2026"},
		{2024, decimal.RequireFromString("4.147"), "USD/lb", "LME grade A cash, USGS MCS 2026"},
		{2025, decimal.RequireFromString("4.40"), "USD/lb", "LME grade A cash (estimate), USGS MCS 2026"},
	},
	"Sb": {
		{2021, decimal.RequireFromString("5.31"), "USD/lb", "antimony 99.65 % CIF (Argus), USGS MCS 2026"},
		{2022, decimal.RequireFromString("6.18"), "USD/lb", "antimony 99.65 % CIF (Argus), USGS MCS 2026"},
		{2023, decimal.RequireFromString("5.49"), "USD/lb", "antimony 99.65 % CIF (Argus), USGS MCS 2026"},
		{2024, decimal.RequireFromString("10.24"), "USD/lb", "antimony 99.65 % CIF (Argus), USGS MCS 2026"},
		{2025, decimal.RequireFromString("25"), "USD/lb", "antimony 99.65 % CIF (Argus, estimate), USGS MCS 2026"},
	},
	// Rare-earth oxides, refdata prices.csv (fix13r): a per-lb price in a
	// per-kg series (÷ 2.2046) stays inside the wide plausible range.
	"NdPr oxide": {
		{2021, decimal.RequireFromString("92"), "USD/kg", "NdPr oxide 99 % FOB (Argus), USGS MCS 2026"},
		{2022, decimal.RequireFromString("124"), "USD/kg", "NdPr oxide 99 % FOB (Argus), USGS MCS 2026"},
		{2023, decimal.RequireFromString("75"), "USD/kg", "NdPr oxide 99 % FOB (Argus), USGS MCS 2026"},
		{2024, decimal.RequireFromString("55"), "USD/kg", "NdPr oxide 99 % FOB (Argus), USGS MCS 2026"},
		{2025, decimal.RequireFromString("69"), "USD/kg", "NdPr oxide 99 % FOB (Argus) (estimate), USGS MCS 2026"},
	},
	"Nd2O3": {
		{2021, decimal.RequireFromString("98"), "USD/kg", "neodymium oxide 99.5 % FOB (Argus), USGS MCS 2026"},
		{2022, decimal.RequireFromString("134"), "USD/kg", "neodymium oxide 99.5 % FOB (Argus), USGS MCS 2026"},
		{2023, decimal.RequireFromString("78"), "USD/kg", "neodymium oxide 99.5 % FOB (Argus), USGS MCS 2026"},
		{2024, decimal.RequireFromString("56"), "USD/kg", "neodymium oxide 99.5 % FOB (Argus), USGS MCS 2026"},
		{2025, decimal.RequireFromString("73"), "USD/kg", "neodymium oxide 99.5 % FOB (Argus) (estimate), USGS MCS 2026"},
	},
	"Pr6O11": {
		{2021, decimal.RequireFromString("93"), "USD/kg", "praseodymium oxide 99.99 % FOB (Argus), USGS MCS 2026"},
		{2022, decimal.RequireFromString("128"), "USD/kg", "praseodymium oxide 99.99 % FOB (Argus), USGS MCS 2026"},
		{2023, decimal.RequireFromString("76"), "USD/kg", "praseodymium oxide 99.99 % FOB (Argus), USGS MCS 2026"},
		{2024, decimal.RequireFromString("56"), "USD/kg", "praseodymium oxide 99.99 % FOB (Argus), USGS MCS 2026"},
		{2025, decimal.RequireFromString("74"), "USD/kg", "praseodymium oxide 99.99 % FOB (Argus) (estimate), USGS MCS 2026"},
	},
	"Dy2O3": {{2024, decimal.RequireFromString("260"), "USD/kg", "dysprosium oxide 99.5 % (Argus, estimate), USGS MCS 2025"}},
	"Tb4O7": {{2024, decimal.RequireFromString("810"), "USD/kg", "terbium oxide 99.99 % (Argus, estimate), USGS MCS 2025"}},
}

// referenceSlip judges the published rows of s dated in a year with a
// reference price of element (ReferencePrices, same currency) for a unit
// slip: a row off its year's average by more than a factor of 1.67 that,
// read per another mass (unitSlipMasses), is within a factor of 1.33 of
// it votes for that mass. When at least half the referenced rows vote
// for one mass, the series is most likely quoted per it: returned with
// the votes, the rows referenced and the first voting row in words. The
// bands leave room for a year's swings (copper 2025: 8 500–11 900 USD/t
// against a 9 700 average) while a factor of 2.2046 (kg/lb) is caught.
func (s *PriceSeries) referenceSlip(element string) (mass string, votes, of int, first string) {
	su, err := ParsePriceUnit(s.Unit, "")
	if err != nil {
		return "", 0, 0, ""
	}
	refs := map[int]ReferencePrice{}
	for _, r := range ReferencePrices[element] {
		refs[r.Year] = r
	}
	count := map[string]int{}
	firsts := map[string]string{}
	lo, hi := decimal.RequireFromString("0.6"), decimal.RequireFromString("1.67")
	alo, ahi := decimal.RequireFromString("0.75"), decimal.RequireFromString("1.33")
	for _, p := range s.Points {
		if !p.Published || len(p.Date) < 4 {
			continue
		}
		year, err := strconv.Atoi(p.Date[:4])
		if err != nil {
			continue
		}
		ref, ok := refs[year]
		if !ok {
			continue
		}
		ru, err := ParsePriceUnit(ref.Unit, "")
		if err != nil || ru.Currency != su.Currency {
			continue
		}
		refGram, err := ru.perGram(ref.Value)
		if err != nil || !refGram.IsPositive() {
			continue
		}
		pg, err := su.perGram(p.Value)
		if err != nil {
			continue
		}
		of++
		ratio := pg.Div(refGram)
		if !ratio.LessThan(lo) && !ratio.GreaterThan(hi) {
			continue
		}
		for _, m := range unitSlipMasses {
			if m == su.Mass {
				continue
			}
			alt := PriceUnit{Currency: su.Currency, Factor: su.Factor, Mass: m}
			ag, err := alt.perGram(p.Value)
			if err != nil {
				continue
			}
			ar := ag.Div(refGram)
			if ar.LessThan(alo) || ar.GreaterThan(ahi) {
				continue
			}
			count[m]++
			if firsts[m] == "" {
				firsts[m] = fmt.Sprintf("%s: %s %s is %s of the %d average of %s %s (%s), and read per %s it would be %s of it",
					p.Date, p.Value, s.Unit, ratio.Round(3), year, ref.Value, ref.Unit, ref.Source, m, ar.Round(2))
			}
			break
		}
	}
	for _, m := range unitSlipMasses {
		if count[m] > 0 && 2*count[m] >= of && count[m] > votes {
			mass, votes, first = m, count[m], firsts[m]
		}
	}
	return mass, votes, of, first
}
