package commercial

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/shopspring/decimal"
)

// NetValuePerTonne is the net smelter return of one dry tonne of a feed of
// the given grades under a term sheet, at spot prices by series id: the
// payables less TC, RC and penalties, unrounded, in the contract currency
// per dmt. It is the value the planner gives a supply or a sale at contract
// terms instead of a flat price. Grades must cover every analyte the term
// sheet reads (EINVALID naming the one missing).
func NetValuePerTonne(ts *TermSheet, grades map[string]Grade, spot map[string]decimal.Decimal) (decimal.Decimal, *Settlement, error) {
	lot := &LotFacts{Lot: "feed", BLDate: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Loading: Weighing{WMT: one, MoisturePct: zero}, Assays: grades}
	// One dmt with lines rounded to 8 places: the per-dmt figure itself.
	t := *ts
	places := int32(8)
	t.Rounding = Rounding{Decimals: &places, Mode: ts.Rounding.Mode}
	for _, p := range ts.Payables {
		if p.Price.Series != "" && !spot[p.Price.Series].IsPositive() {
			return zero, nil, critmin.FieldErrorf("spot/"+p.Price.Series, "no spot price for series %s (%s)", p.Price.Series, p.Element)
		}
	}
	if b := ts.Basket; b != nil {
		for _, o := range b.Oxides {
			if o.Price.Series != "" && !spot[o.Price.Series].IsPositive() {
				return zero, nil, critmin.FieldErrorf("spot/"+o.Price.Series, "no spot price for series %s (%s)", o.Price.Series, o.Oxide)
			}
		}
	}
	st, err := Settle(&t, lot, SettleOptions{Kind: Provisional, Spot: spot})
	if err != nil {
		return zero, nil, err
	}
	return st.Value, st, nil
}

// NSRCase is one term sheet's NSR per dmt in a comparison, with its price
// and grade sensitivity: NSR at each price factor (all series scaled) and
// at each grade factor (payable analytes scaled).
type NSRCase struct {
	Contract    string            `json:"contract"`
	Name        string            `json:"name,omitempty"`
	Currency    string            `json:"currency"`
	NSRPerDMT   decimal.Decimal   `json:"nsr_per_dmt"`
	Lines       []Line            `json:"lines,omitempty"`
	PriceSens   []decimal.Decimal `json:"price_sensitivity,omitempty"`
	GradeSens   []decimal.Decimal `json:"grade_sensitivity,omitempty"`
	ShadowPrice *float64          `json:"shadow_price,omitempty"`
	Error       string            `json:"error,omitempty"`
}

// NSRComparison puts alternative term sheets side by side for one feed.
type NSRComparison struct {
	Grades  map[string]Grade           `json:"grades"`
	Spot    map[string]decimal.Decimal `json:"spot"`
	Factors []decimal.Decimal          `json:"factors"`
	Cases   []NSRCase                  `json:"cases"`
}

// CompareNSR values a feed under each term sheet at spot prices, and again
// with every price and then every payable grade scaled by each factor
// (e.g. 0.9, 1, 1.1). A term sheet the feed cannot be valued under (a
// missing assay or price) shows its error rather than failing the rest.
func CompareNSR(sheets []*TermSheet, grades map[string]Grade, spot map[string]decimal.Decimal, factors []decimal.Decimal) *NSRComparison {
	out := &NSRComparison{Grades: grades, Spot: spot, Factors: factors}
	for _, ts := range sheets {
		c := NSRCase{Contract: ts.ID, Name: ts.Name, Currency: ts.Currency}
		v, st, err := NetValuePerTonne(ts, grades, spot)
		if err != nil {
			c.Error = critmin.ErrorMessage(err)
			out.Cases = append(out.Cases, c)
			continue
		}
		c.NSRPerDMT, c.Lines = v.Round(4), st.Lines
		payable := map[string]bool{}
		for _, p := range ts.Payables {
			for _, a := range p.analytes() {
				payable[a] = true
			}
		}
		if ts.Basket != nil {
			payable[ts.Basket.Basis] = true
			for _, o := range ts.Basket.Oxides {
				payable[o.Oxide] = true
			}
		}
		for _, f := range factors {
			sp := map[string]decimal.Decimal{}
			for k, p := range spot {
				sp[k] = p.Mul(f)
			}
			pv, _, err := NetValuePerTonne(ts, grades, sp)
			if err != nil {
				c.Error = fmt.Sprintf("price ×%s: %s", f, critmin.ErrorMessage(err))
			}
			c.PriceSens = append(c.PriceSens, pv.Round(4))
			gr := map[string]Grade{}
			for k, g := range grades {
				if payable[k] {
					g.Value = g.Value.Mul(f)
				}
				gr[k] = g
			}
			gv, _, err := NetValuePerTonne(ts, gr, spot)
			if err != nil {
				c.Error = fmt.Sprintf("grade ×%s: %s", f, critmin.ErrorMessage(err))
			}
			c.GradeSens = append(c.GradeSens, gv.Round(4))
		}
		out.Cases = append(out.Cases, c)
	}
	sort.SliceStable(out.Cases, func(i, j int) bool { return out.Cases[i].NSRPerDMT.GreaterThan(out.Cases[j].NSRPerDMT) })
	return out
}

// SpotPrices returns the last price of every series published on or before
// day.
func SpotPrices(prices map[string]*PriceSeries, day time.Time) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for id, s := range prices {
		if p, err := s.LastPublished(day, id); err == nil {
			out[id] = p.Value
		}
	}
	return out
}

var gradeArg = regexp.MustCompile(`^([A-Za-z0-9]+)[=:]([0-9]+(?:\.[0-9]+)?)(%|g/t|ppm)$`)

// ParseGrades reads grades written ANALYTE=VALUEUNIT (or ANALYTE:VALUEUNIT)
// separated by commas: "Cu=24%,Au=4.1g/t,As=0.35%". Errors are EINVALID
// naming field.
func ParseGrades(list, field string) (map[string]Grade, []ExchangeResult, error) {
	grades := map[string]Grade{}
	var results []ExchangeResult
	for _, a := range strings.Split(list, ",") {
		m := gradeArg.FindStringSubmatch(strings.TrimSpace(a))
		if m == nil {
			return nil, nil, critmin.FieldErrorf(field, "%q is not ANALYTE=VALUE%% (or g/t, ppm)", a)
		}
		v := decimal.RequireFromString(m[2])
		if _, dup := grades[m[1]]; dup {
			return nil, nil, critmin.FieldErrorf(field, "%s is given twice", m[1])
		}
		grades[m[1]] = Grade{Value: v, Unit: m[3], Formula: "given"}
		results = append(results, ExchangeResult{Analyte: m[1], Value: v, Unit: m[3]})
	}
	return grades, results, nil
}

// NSRFor compares term sheets (comma-separated stored contract ids; all
// stored contracts when empty) for a lot's best-known grades (the latest
// assay of each analyte) or for given grades, at the spot prices of asOf,
// with price and grade sensitivity of ±stepPct %.
func (s *Service) NSRFor(ctx context.Context, terms, lot, grades string, asOf time.Time, stepPct float64) (*NSRComparison, error) {
	var sheets []*TermSheet
	if terms == "" {
		all, err := s.Contracts(ctx)
		if err != nil {
			return nil, err
		}
		sheets = all
	} else {
		for _, id := range strings.Split(terms, ",") {
			ts, err := s.Contract(ctx, strings.TrimSpace(id))
			if err != nil {
				return nil, err
			}
			sheets = append(sheets, ts)
		}
	}
	var g map[string]Grade
	switch {
	case lot != "":
		lf, err := LotFactsFromEvents(ctx, s.Store, lot)
		if err != nil {
			return nil, err
		}
		g = map[string]Grade{}
		for k, v := range lf.Assays {
			g[k] = v
		}
		for k, v := range lf.Latest {
			g[k] = v
		}
		var same []*TermSheet
		for _, ts := range sheets {
			if terms != "" || ts.Commodity == lf.Commodity {
				same = append(same, ts)
			}
		}
		sheets = same
	default:
		var err error
		if g, _, err = ParseGrades(grades, "grades"); err != nil {
			return nil, err
		}
	}
	prices, err := s.Prices(ctx)
	if err != nil {
		return nil, err
	}
	f := decimal.NewFromFloat(stepPct).Div(hundred)
	return CompareNSR(sheets, g, SpotPrices(prices, asOf), []decimal.Decimal{one.Sub(f), one, one.Add(f)}), nil
}
