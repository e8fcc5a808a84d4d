package commercial

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
	"github.com/shopspring/decimal"
)

// NetValuePerTonne is the net smelter return of one dry tonne of a feed of
// the given grades under a term sheet, at spot prices by series id: the
// payables less TC, RC and penalties, unrounded, in the contract currency
// per dmt. It is the value the planner gives a supply or a sale at contract
// terms instead of a flat price. Grades must cover every analyte the term
// sheet reads (EINVALID naming the one missing).
//
// A grade "H2O" (in %) is the feed's moisture, in per cent of the wet
// weight, not an assay: the term sheet's excess-moisture deduction is
// made on it exactly as the lot's settlement makes it (a lot's NSR
// comparison and the planner's value of a ledger lot give its moisture
// so). Without one the feed is valued dry (0 %).
func NetValuePerTonne(ts *TermSheet, grades map[string]Grade, spot map[string]decimal.Decimal) (decimal.Decimal, *Settlement, error) {
	moisture := zero
	if h, ok := grades[FeedMoisture]; ok {
		if h.Unit != "%" || h.Value.IsNegative() || !h.Value.LessThan(hundred) {
			return zero, nil, fieldErrorf("grades/"+FeedMoisture, "moisture %s %s is not a per cent of the wet weight in [0, 100)", shortNum(h.Value), h.Unit)
		}
		moisture = h.Value
		dry := make(map[string]Grade, len(grades)-1)
		for k, g := range grades {
			if k != FeedMoisture {
				dry[k] = g
			}
		}
		grades = dry
	}
	if err := checkGradeSet(grades, "grades"); err != nil {
		return zero, nil, err
	}
	lot := &LotFacts{Lot: FeedLot, BLDate: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Loading: Weighing{WMT: one, MoisturePct: moisture}, Assays: grades}
	// One dmt with lines rounded to 8 places: the per-dmt figure itself.
	t := *ts
	places := int32(8)
	t.Rounding = Rounding{Decimals: &places, Mode: ts.Rounding.Mode}
	// A missing spot price is named at the term sheet's field that names
	// the series, with the unit the series is quoted in.
	for i, p := range ts.Payables {
		if p.Price.Series != "" && !spot[p.Price.Series].IsPositive() {
			return zero, nil, fieldErrorf(fmt.Sprintf("/payables/%d/price/series", i), "no spot price of series %s (%s in %s): none published, or the last is stale (docs/trade.md, \"Stale prices\")", p.Price.Series, p.Element, p.Price.Unit)
		}
	}
	if b := ts.Basket; b != nil {
		for i, o := range b.Oxides {
			if o.Price.Series != "" && !spot[o.Price.Series].IsPositive() {
				return zero, nil, fieldErrorf(fmt.Sprintf("/basket/oxides/%d/price/series", i), "no spot price of series %s (%s in %s): none published, or the last is stale (docs/trade.md, \"Stale prices\")", o.Price.Series, o.Oxide, o.Price.Unit)
			}
		}
	}
	st, err := Settle(&t, lot, SettleOptions{Kind: Provisional, Spot: spot, oneDMT: true})
	if err != nil {
		return zero, nil, err
	}
	return st.Value, st, nil
}

// FeedMoisture is the grade key that gives a feed's moisture to
// NetValuePerTonne (per cent of the wet weight).
const FeedMoisture = "H2O"

// reasonOf is an error's reasons in words for a sentence of a page or a
// note: each field's reason, without its JSON pointer (lot/assays/Au is
// the field for the API, not words for a reader), else the message.
func reasonOf(err error) string {
	fs := critmin.ErrorFields(err)
	if len(fs) == 0 {
		return critmin.ErrorMessage(err)
	}
	var rs []string
	for _, f := range fs {
		rs = append(rs, f.Reason)
	}
	return strings.Join(rs, "; ")
}

// noSpot reports whether err is NetValuePerTonne's refusal for want of
// a spot price (none published, or stale).
func noSpot(err error) bool {
	f := critmin.ErrorFields(err)
	return len(f) == 1 && strings.HasSuffix(f[0].Pointer, "/price/series") && strings.HasPrefix(f[0].Reason, "no spot price of series ")
}

// NSRCase is one term sheet's NSR per dmt in a comparison, with its price
// and grade sensitivity: NSR at each price factor (all series scaled) and
// at each grade factor (payable analytes scaled).
type NSRCase struct {
	Contract  string            `json:"contract"`
	Name      string            `json:"name,omitempty"`
	Currency  string            `json:"currency"`
	NSRPerDMT decimal.Decimal   `json:"nsr_per_dmt"`
	Lines     []Line            `json:"lines,omitempty"`
	PriceSens []decimal.Decimal `json:"price_sensitivity,omitempty"`
	// GradeSens is null at a factor whose scaled grades cannot be true
	// of a sample (over 100 %, or failing the assay closure): GradeNotes
	// says why at that factor.
	GradeSens  []*decimal.Decimal `json:"grade_sensitivity,omitempty"`
	GradeNotes []string           `json:"grade_sensitivity_notes,omitempty"`
	// GradeScaled names the analytes the grade sensitivity scales
	// (GradeScaled): the payables' and, with them, every part of a
	// total they are priced from, so the scaled grades stay one sample.
	GradeScaled []string `json:"grade_sensitivity_scales,omitempty"`
	// Inputs is the sensitivity to each input on its own (fix1213c):
	// each price series the sheet reads, and each assayed analyte (the
	// rare-earth analytes and totals as one input, so that they stay one
	// sample), scaled by each factor while every other input stays, the
	// whole settlement recomputed — so a penalty above its threshold moves
	// with its analyte's grade, and TC/RC escalators and price
	// participation with their element's price.
	Inputs []InputSensitivity `json:"input_sensitivity,omitempty"`
	// Grades are the grades this sheet valued the feed at: a lot's
	// best-known grades as the sheet settles them, a basket's shares
	// read from one sample (oneSample), each naming its source event in
	// formula — what NSRComparison.Grades shows when every sheet agrees.
	Grades      map[string]Grade `json:"grades,omitempty"`
	ShadowPrice *float64         `json:"shadow_price,omitempty"`
	Error       string           `json:"error,omitempty"`
	// ContainedValue is the spot value of what the term sheet pays for,
	// contained in a dmt: every payable at 100 %, no minimum deduction,
	// the spot price without the contract's percentage, floor or cap, no
	// charges or penalties (ContainedTerms). PaidPct = NSR ÷ it × 100: the
	// share of the spot value the contract pays the seller.
	ContainedValue decimal.Decimal `json:"contained_value_per_dmt"`
	PaidPct        decimal.Decimal `json:"paid_pct"`
	// LotValue is NSR × the lot's dry tonnes under this sheet (DMT), when
	// a lot is compared.
	LotValue *decimal.Decimal `json:"lot_value,omitempty"`
	// DMT is the lot's dry tonnes as this sheet settles them
	// (SettlementQuantity: the final settlement's weights and moisture
	// once the lot has a discharge weighing, else the loading ones), and
	// DMTBasis how (fix13w): the comparison rests on the same quantity as
	// the lot's invoice under the sheet.
	DMT      *decimal.Decimal `json:"dmt,omitempty"`
	DMTBasis string           `json:"dmt_basis,omitempty"`
}

// InputSensitivity is the NSR per dmt with one input scaled by each
// factor of the comparison (NSRComparison.Factors), every other input as
// it is. Input is "price:SERIES" or "grade:ANALYTE" ("grade:rare earths"
// for the rare-earth analytes and totals scaled together); Scales lists
// the analytes or series scaled. NSR[i] is null where the scaled input
// cannot be (a grade over 100 %, a failing closure, a settlement error):
// Notes[i] says why.
type InputSensitivity struct {
	Input  string             `json:"input"`
	Scales []string           `json:"scales"`
	NSR    []*decimal.Decimal `json:"nsr_per_dmt"`
	Notes  []string           `json:"notes,omitempty"`
}

// inputSensitivities scales each input of ts on its own (InputSensitivity)
// and settles the whole dmt again at each factor (NetValuePerTonne).
func inputSensitivities(ts *TermSheet, grades map[string]Grade, spot map[string]decimal.Decimal, factors []decimal.Decimal) []InputSensitivity {
	type input struct {
		name   string
		series []string
		grades []string
	}
	var inputs []input
	seen := map[string]bool{}
	addSeries := func(id string) {
		if id != "" && !seen[id] && spot[id].IsPositive() {
			seen[id] = true
			inputs = append(inputs, input{name: "price:" + id, series: []string{id}})
		}
	}
	for _, p := range ts.Payables {
		addSeries(p.Price.Series)
	}
	if ts.Basket != nil {
		for _, o := range ts.Basket.Oxides {
			addSeries(o.Price.Series)
		}
	}
	var analytes, rare []string
	for a := range grades {
		if rareEarthAnalyte(a) {
			rare = append(rare, a)
		} else {
			analytes = append(analytes, a)
		}
	}
	sort.Strings(analytes)
	sort.Strings(rare)
	for _, a := range analytes {
		inputs = append(inputs, input{name: "grade:" + a, grades: []string{a}})
	}
	if len(rare) > 0 {
		inputs = append(inputs, input{name: "grade:rare earths", grades: rare})
	}
	out := make([]InputSensitivity, 0, len(inputs))
	for _, in := range inputs {
		is := InputSensitivity{Input: in.name, Scales: append(append([]string(nil), in.series...), in.grades...)}
		notes := false
		for _, f := range factors {
			sp := make(map[string]decimal.Decimal, len(spot))
			for k, v := range spot {
				sp[k] = v
			}
			for _, id := range in.series {
				sp[id] = spot[id].Mul(f)
			}
			gr := make(map[string]Grade, len(grades))
			for k, g := range grades {
				gr[k] = g
			}
			for _, a := range in.grades {
				g := gr[a]
				g.Value = g.Value.Mul(f)
				gr[a] = g
			}
			v, _, err := NetValuePerTonne(ts, gr, sp)
			if err != nil {
				is.NSR = append(is.NSR, nil)
				is.Notes = append(is.Notes, fmt.Sprintf("%s ×%s: %s", in.name, f, reasonOf(err)))
				notes = true
				continue
			}
			v = v.Round(4)
			is.NSR = append(is.NSR, &v)
			is.Notes = append(is.Notes, "")
		}
		if !notes {
			is.Notes = nil
		}
		out = append(out, is)
	}
	return out
}

// MarshalJSON writes a case that failed (Error set) with null figures:
// nsr_per_dmt 0 beside an error would read as a sheet that pays nothing.
func (c NSRCase) MarshalJSON() ([]byte, error) {
	type plain NSRCase
	if c.Error == "" {
		return json.Marshal(plain(c))
	}
	return json.Marshal(struct {
		plain
		NSRPerDMT      *decimal.Decimal `json:"nsr_per_dmt"`
		ContainedValue *decimal.Decimal `json:"contained_value_per_dmt"`
		PaidPct        *decimal.Decimal `json:"paid_pct"`
	}{plain: plain(c)})
}

// ContainedTerms is a term sheet reduced to the spot value of the metal it
// pays for: payables at 100 % with no minimum deduction or grade, spot
// prices without percentage, floor or cap, no participation, moisture
// franchise, TC, RC or penalty. Settling a dmt under it gives the
// contained value an NSR is compared with.
func ContainedTerms(ts *TermSheet) *TermSheet {
	c := *ts
	c.Payables = make([]Payable, len(ts.Payables))
	for i, p := range ts.Payables {
		p.PayablePct, p.MinDeduction, p.MinGrade, p.Participation = hundred, nil, nil, nil
		p.Price.Pct, p.Price.Floor, p.Price.Cap = nil, nil, nil
		c.Payables[i] = p
	}
	if ts.Basket != nil {
		b := *ts.Basket
		b.PayablePct, b.Floor, b.Cap = hundred, nil, nil
		b.Oxides = make([]BasketOxide, len(ts.Basket.Oxides))
		for i, o := range ts.Basket.Oxides {
			o.Price.Pct, o.Price.Floor, o.Price.Cap = nil, nil, nil
			b.Oxides[i] = o
		}
		c.Basket = &b
	}
	c.TC, c.RC, c.Penalties, c.Moisture = nil, nil, nil, nil
	return &c
}

// GradeScaled lists, sorted, the analytes of grades a grade sensitivity
// scales under ts: every analyte a payable or the basket is priced from
// and, when one of them is a rare earth or a rare-earth total (TREO,
// REO, TREE), every rare-earth analyte and total of the feed — the total
// is the sum of its oxides, so scaling TREO without CeO2 and La2O3 (or
// Nd2O3 without TREO) would describe no sample (the closure refuses it)
// and change the basket's shares. Penalty analytes are not scaled: a
// grade sensitivity is the payable grade's, at the same impurities.
func GradeScaled(ts *TermSheet, grades map[string]Grade) []string {
	set := map[string]bool{}
	for _, p := range ts.Payables {
		for _, a := range p.analytes() {
			set[a] = true
		}
	}
	if ts.Basket != nil {
		set[ts.Basket.Basis] = true
		for _, o := range ts.Basket.Oxides {
			set[o.Oxide] = true
		}
	}
	rare := false
	for a := range set {
		if rareEarthAnalyte(a) {
			rare = true
		}
	}
	var out []string
	for a := range grades {
		if set[a] || rare && rareEarthAnalyte(a) {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// rareEarthAnalyte is a rare-earth element, its oxide, or a rare-earth
// total (ledger.TotalAnalytes).
func rareEarthAnalyte(a string) bool {
	if ledger.TotalAnalytes[a] {
		return true
	}
	if o, ok := units.LookupOxide(a); ok {
		return ledger.IsRareEarth(o.Element)
	}
	return ledger.IsRareEarth(a)
}

// NSRComparison puts alternative term sheets side by side for one feed.
type NSRComparison struct {
	// Lot and DMT are set when a lot is compared: DMT is the dry tonnes
	// every valued sheet settles the lot on (NSRCase.DMT), nil when they
	// differ (each case gives its own); AsOf is the day of the spot
	// prices.
	Lot  string           `json:"lot,omitempty"`
	DMT  *decimal.Decimal `json:"dmt,omitempty"`
	AsOf string           `json:"as_of,omitempty"`
	// AsOfNote says the spot prices were taken on another day than the
	// one asked for (PricesDay's note), when no date was given.
	AsOfNote string                     `json:"as_of_note,omitempty"`
	Grades   map[string]Grade           `json:"grades"`
	Spot     map[string]decimal.Decimal `json:"spot"`
	Factors  []decimal.Decimal          `json:"factors"`
	Cases    []NSRCase                  `json:"cases"`
}

// CompareNSR values a feed under each term sheet at spot prices, and again
// with every price and then the payable grades scaled by each factor
// (GradeScaled: with a rare-earth total, every rare-earth analyte)
// (e.g. 0.9, 1, 1.1). A term sheet the feed cannot be valued under (a
// missing assay or price) shows its error rather than failing the rest.
func CompareNSR(sheets []*TermSheet, grades map[string]Grade, spot map[string]decimal.Decimal, factors []decimal.Decimal) *NSRComparison {
	return compareNSR(sheets, grades, nil, "", spot, factors, nil)
}

// compareNSR is CompareNSR for a lot's grades with its samples: a basket
// reads its shares from one sample (oneSample), before any scaling.
// perSheet, when set, gives a lot's best-known grades under each sheet
// (its exchange settled by that sheet's rule unless the lot is invoiced).
func compareNSR(sheets []*TermSheet, all map[string]Grade, samples []AssaySample, lot string, spot map[string]decimal.Decimal, factors []decimal.Decimal, perSheet func(*TermSheet) (map[string]Grade, error)) *NSRComparison {
	out := &NSRComparison{Grades: all, Spot: spot, Factors: factors}
	for _, ts := range sheets {
		c := NSRCase{Contract: ts.ID, Name: ts.Name, Currency: ts.Currency}
		src := all
		if perSheet != nil {
			g, err := perSheet(ts)
			if err != nil {
				c.Error = reasonOf(err)
				out.Cases = append(out.Cases, c)
				continue
			}
			src = g
		}
		grades := make(map[string]Grade, len(src))
		for k, g := range src {
			grades[k] = g
		}
		if err := oneSample(ts.Basket, grades, samples, false, lot); err != nil {
			c.Error = reasonOf(err)
			out.Cases = append(out.Cases, c)
			continue
		}
		c.Grades = grades
		v, st, err := NetValuePerTonne(ts, grades, spot)
		if err != nil {
			c.Error = reasonOf(err)
			out.Cases = append(out.Cases, c)
			continue
		}
		c.NSRPerDMT, c.Lines = v.Round(4), st.Lines
		if cv, _, err := NetValuePerTonne(ContainedTerms(ts), grades, spot); err == nil && cv.IsPositive() {
			c.ContainedValue = cv.Round(4)
			c.PaidPct = v.Div(cv).Mul(hundred).Round(2)
		}
		scaled := GradeScaled(ts, grades)
		c.GradeScaled = scaled
		payable := map[string]bool{}
		for _, a := range scaled {
			payable[a] = true
		}
		for _, f := range factors {
			sp := map[string]decimal.Decimal{}
			for k, p := range spot {
				sp[k] = p.Mul(f)
			}
			pv, _, err := NetValuePerTonne(ts, grades, sp)
			if err != nil {
				c.Error = fmt.Sprintf("price ×%s: %s", f, reasonOf(err))
			}
			c.PriceSens = append(c.PriceSens, pv.Round(4))
			gr := map[string]Grade{}
			for k, g := range grades {
				if payable[k] {
					g.Value = g.Value.Mul(f)
				}
				gr[k] = g
			}
			if err := checkGradeSet(gr, "grades"); err != nil {
				// An impossible grade is no sensitivity: no figure, and
				// the reason at its factor.
				c.GradeSens = append(c.GradeSens, nil)
				c.GradeNotes = append(c.GradeNotes, fmt.Sprintf("grade ×%s: %s", f, reasonOf(err)))
				continue
			}
			gv, _, err := NetValuePerTonne(ts, gr, spot)
			if err != nil {
				c.Error = fmt.Sprintf("grade ×%s: %s", f, reasonOf(err))
			}
			gv = gv.Round(4)
			c.GradeSens = append(c.GradeSens, &gv)
			c.GradeNotes = append(c.GradeNotes, "")
		}
		c.Inputs = inputSensitivities(ts, grades, spot, factors)
		out.Cases = append(out.Cases, c)
	}
	sort.SliceStable(out.Cases, func(i, j int) bool { return out.Cases[i].NSRPerDMT.GreaterThan(out.Cases[j].NSRPerDMT) })
	out.Grades = sharedGrades(out.Cases, all)
	return out
}

// sharedGrades is the comparison's grades line: the grades the sheets
// valued at when they all used the same (each with its source), else the
// feed's grades as given, the sheets' own listed with each case
// (NSRCase.Grades).
func sharedGrades(cases []NSRCase, all map[string]Grade) map[string]Grade {
	var first map[string]Grade
	for _, c := range cases {
		if c.Grades == nil {
			continue
		}
		if first == nil {
			first = c.Grades
			continue
		}
		if !sameGrades(first, c.Grades) {
			return all
		}
	}
	if first == nil {
		return all
	}
	return first
}

func sameGrades(a, b map[string]Grade) bool {
	if len(a) != len(b) {
		return false
	}
	for k, g := range a {
		h, ok := b[k]
		if !ok || !g.Value.Equal(h.Value) || g.Unit != h.Unit || !slices.Equal(g.Events, h.Events) {
			return false
		}
	}
	return true
}

// SpotPrices returns the last price of every series published on or before
// day that is not stale (PriceSeries.Fresh): the spot prices the NSR and
// the planner value at. A series without one has no spot price, and a
// valuation that needs it says so (NetValuePerTonne).
func SpotPrices(prices map[string]*PriceSeries, day time.Time) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for id, s := range prices {
		if p, err := s.LastFresh(day, id); err == nil {
			out[id] = p.Value
		}
	}
	return out
}

// PricesDay is the day a valuation with no date given takes its spot
// prices on: day when some stored series has a current price then
// (LastFresh), else the latest day on or before it that any series
// published — with a note saying so — so a database whose prices end
// before today (the demo's, on 2025-12-31) still values at its latest
// prices instead of failing every term sheet as stale. No series
// published by day: day, no note.
func (s *Service) PricesDay(ctx context.Context, day time.Time) (time.Time, string, error) {
	prices, err := s.Prices(ctx)
	if err != nil {
		return day, "", err
	}
	latest := ""
	for id, ps := range prices {
		if _, err := ps.LastFresh(day, id); err == nil {
			return day, "", nil
		}
		if p, err := ps.LastPublished(day, id); err == nil && p.Date > latest {
			latest = p.Date
		}
	}
	t, err := time.Parse(time.DateOnly, latest)
	if err != nil {
		return day, "", nil
	}
	return t, fmt.Sprintf("no stored price is current on %s (the latest were published on %s): valued at the prices of %s; choose another date to change it", day.Format(time.DateOnly), latest, latest), nil
}

// NSRLatest is NSRFor with no date given: at today's spot prices (the
// service clock), or, when today's are stale, at those of the latest day
// with prices (PricesDay), the comparison's AsOfNote saying so. The CLI
// (trade nsr), the API (GET /api/v1/trade/nsr) and the NSR page value an
// undated comparison this one way.
func (s *Service) NSRLatest(ctx context.Context, terms, lot, grades string, stepPct float64) (*NSRComparison, error) {
	day, note, err := s.PricesDay(ctx, s.Now().UTC())
	if err != nil {
		return nil, err
	}
	// Undated: the lot as the ledger knows it now, at the prices of day.
	cmp, err := s.nsrFor(ctx, terms, lot, grades, day, time.Time{}, stepPct)
	if err != nil {
		return nil, err
	}
	cmp.AsOfNote = note
	return cmp, nil
}

// lastPrices returns the last price of every series published on or
// before day, however old: quantities (the exposure) need a price to
// settle with, not a current one.
func lastPrices(prices map[string]*PriceSeries, day time.Time) map[string]decimal.Decimal {
	out := map[string]decimal.Decimal{}
	for id, s := range prices {
		if p, err := s.LastPublished(day, id); err == nil {
			out[id] = p.Value
		}
	}
	return out
}

// decimalCommaHead and decimalCommaTail recognise a value written with a
// decimal comma once the list is split at commas: "Cu=24" then "1%".
var (
	decimalCommaHead = regexp.MustCompile(`^[A-Za-z0-9]+\s*[=:]\s*(-?[0-9]+)$`)
	decimalCommaTail = regexp.MustCompile(`^([0-9]+)\s*(%|g/t|ppm)?$`)
)

var gradeArg = regexp.MustCompile(`^([A-Za-z0-9]+)[=:](-?[0-9]+(?:\.[0-9]+)?)(%|g/t|ppm)$`)

// CheckGrade is the range every grade critmin accepts must be in (assay
// exchange results, --grades, the API's grades): not negative, and at
// most the whole: 100 % = 1 000 000 g/t = 1 000 000 ppm. field names the
// input in the error.
func CheckGrade(v decimal.Decimal, unit, field string) error {
	if v.IsNegative() {
		return fieldErrorf(field, "%s %s is negative; a grade cannot be negative", shortNum(v), unit)
	}
	max := hundred
	if unit != "%" {
		max = decimal.NewFromInt(1_000_000)
	}
	if v.GreaterThan(max) {
		return fieldErrorf(field, "%s %s is more than the whole sample (at most %s %s)", shortNum(v), unit, max, unit)
	}
	return nil
}

// ParseGrades reads grades written ANALYTE=VALUEUNIT (or ANALYTE:VALUEUNIT)
// separated by commas: "Cu=24%,Au=4.1g/t,As=0.35%". An element symbol is
// accepted in any case ("cu", "CU" are Cu: the 118 IUPAC symbols differ
// case-insensitively); other analytes (oxides, TREO) are taken as written.
// Errors are EINVALID naming field.
func ParseGrades(list, field string) (map[string]Grade, []ExchangeResult, error) {
	grades, results, err := ParseGradeList(list, field)
	if err != nil {
		return nil, nil, err
	}
	if err := checkGradeSet(grades, field); err != nil {
		return nil, nil, err
	}
	return grades, results, nil
}

// ParseGradeList is ParseGrades without the check that the grades can
// all be true of one sample (checkGradeSet): `trade assay` parses its
// results with it, and SubmitAssays judges the set after the unit-slip
// checks of the lot's commodity, so that "Au 2 %" on a copper
// concentrate is named a unit slip ("did you mean Au 2 g/t?") rather
// than only making the set add up to over 100 %.
func ParseGradeList(list, field string) (map[string]Grade, []ExchangeResult, error) {
	grades := map[string]Grade{}
	var results []ExchangeResult
	if strings.TrimSpace(list) == "" {
		return nil, nil, fieldErrorf(field, "%s required: give at least one ANALYTE=VALUEUNIT (Cu=24%%, Au=4.1g/t)", field)
	}
	pieces := strings.Split(list, ",")
	for i, a := range pieces {
		m := gradeArg.FindStringSubmatch(strings.TrimSpace(a))
		if m == nil {
			// A comma inside a value splits it (Cu=24,1% read as "Cu=24"
			// and "1%"): quote the whole token and name the decimal
			// comma (fix13z; before, only "Cu=24" was quoted).
			if h := decimalCommaHead.FindStringSubmatch(strings.TrimSpace(a)); h != nil && i+1 < len(pieces) && decimalCommaTail.MatchString(strings.TrimSpace(pieces[i+1])) {
				tail := decimalCommaTail.FindStringSubmatch(strings.TrimSpace(pieces[i+1]))
				return nil, nil, fieldErrorf(field, "%q is not ANALYTE=VALUEUNIT: a decimal comma is not accepted (write %s.%s); commas separate results", strings.TrimSpace(a)+","+strings.TrimSpace(pieces[i+1]), h[1], tail[1])
			}
			return nil, nil, fieldErrorf(field, "%q is not ANALYTE=VALUEUNIT or ANALYTE:VALUEUNIT with unit %%, g/t or ppm (Cu=24%% or Cu:24%%; the CLI and the API take both)", a)
		}
		m[1] = elementSpelling(m[1])
		v := decimal.RequireFromString(m[2])
		if err := CheckGrade(v, m[3], field); err != nil {
			return nil, nil, fieldErrorf(field, "%s: %s", m[1], critmin.ErrorFields(err)[0].Reason)
		}
		if _, dup := grades[m[1]]; dup {
			return nil, nil, fieldErrorf(field, "%s is given twice", m[1])
		}
		if p := ledger.AnalyteProblem(m[1]); p != "" {
			return nil, nil, fieldErrorf(field, "%s", p)
		}
		grades[m[1]] = Grade{Value: v, Unit: m[3], Formula: "given"}
		results = append(results, ExchangeResult{Analyte: m[1], Value: v, Unit: m[3]})
	}
	return grades, results, nil
}

// checkGradeSet refuses grades that cannot all be true of one sample, by
// the rules a capture applies (ledger.Closure: the distinct elements,
// oxides converted to element, add up to at most 100 %; the rare-earth
// oxides to at most TREO), and, since distinct compounds of distinct
// elements are distinct masses, oxides whose own masses add up to over
// 100 % (Nd2O3 80 % + Pr6O11 20.5 % = 100.5 %; given grades are exact,
// so no analytical tolerance applies). Each grade must also be
// in range (CheckGrade). field names the input.
func checkGradeSet(grades map[string]Grade, field string) error {
	keys := make([]string, 0, len(grades))
	for k := range grades {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var assays []critmin.Assay
	oxides, oxideSum := []string{}, zero
	for _, k := range keys {
		g := grades[k]
		if err := CheckGrade(g.Value, g.Unit, field); err != nil {
			return fieldErrorf(field, "%s: %s", k, critmin.ErrorFields(err)[0].Reason)
		}
		f, _ := g.Value.Float64()
		assays = append(assays, critmin.Assay{Analyte: k, Value: f, Unit: g.Unit, Basis: "dry"})
		if _, ok := units.LookupOxide(k); ok {
			if v, err := convertGrade(g.Value, g.Unit, "%"); err == nil {
				oxideSum = oxideSum.Add(v)
				oxides = append(oxides, fmt.Sprintf("%s %s %%", k, v))
			}
		}
	}
	if reason, _ := ledger.Closure(assays, nil); reason != "" {
		return fieldErrorf(field, "%s", reason)
	}
	if oxideSum.GreaterThan(hundred) {
		return fieldErrorf(field, "the oxides add up to %s %% (%s), more than the whole sample", oxideSum, strings.Join(oxides, " + "))
	}
	return nil
}

// NSRFor compares term sheets (comma-separated stored contract ids; all
// stored contracts when empty) for a lot's best-known grades (the latest
// assay of each analyte) or for given grades, at the spot prices of asOf,
// with price and grade sensitivity of ±stepPct %. A lot is read as known
// at the end of asOf (lotFactsAsOf: its events recorded by then, fix13w),
// and each sheet values it on the quantity its settlement rests on
// (SettlementQuantity): its dry tonnes and the moisture of the excess-
// moisture deduction are the final settlement's (outturn weight and
// moisture where the contract settles on them) once the lot has a
// discharge weighing, else the loading ones.
//
// stepPct must be in (0, 100): the CLI and the API share this check.
func (s *Service) NSRFor(ctx context.Context, terms, lot, grades string, asOf time.Time, stepPct float64) (*NSRComparison, error) {
	return s.nsrFor(ctx, terms, lot, grades, asOf, endOfDay(asOf), stepPct)
}

// nsrFor is NSRFor with the lot read as known at factsAt (zero: now).
func (s *Service) nsrFor(ctx context.Context, terms, lot, grades string, asOf, factsAt time.Time, stepPct float64) (*NSRComparison, error) {
	if !(stepPct > 0 && stepPct < 100) {
		return nil, fieldErrorf("step", "%v is not a per-cent step in (0, 100)", stepPct)
	}
	if err := s.CheckAsOf(asOf); err != nil {
		return nil, err
	}
	var sheets []*TermSheet
	if terms == "" {
		all, err := s.ContractsAt(ctx, factsAt) // terms as recorded by then (fix13x)
		if err != nil {
			return nil, err
		}
		sheets = all
	} else {
		for _, id := range strings.Split(terms, ",") {
			ts, err := s.ContractAt(ctx, strings.TrimSpace(id), factsAt)
			if err != nil {
				return nil, err
			}
			sheets = append(sheets, ts)
		}
	}
	var g map[string]Grade
	var samples []AssaySample
	var lotFacts *LotFacts
	quantity := map[string]*Quantity{} // by sheet: the lot's settlement quantity
	switch {
	case lot != "":
		var first *TermSheet
		if len(sheets) > 0 {
			first = sheets[0]
		}
		lf, lg, err := s.lotGradesAt(ctx, lot, first, factsAt)
		if err != nil {
			return nil, err
		}
		lotFacts = lf
		g, samples = withLotMoisture(lg, lf), lf.Samples
		var same []*TermSheet
		for _, ts := range sheets {
			if terms != "" || ts.Commodity == lf.Commodity {
				same = append(same, ts)
			}
		}
		sheets = same
		for _, ts := range sheets {
			q, err := s.lotQuantity(ctx, ts, lf)
			if err != nil {
				return nil, err
			}
			if q != nil {
				quantity[ts.ID] = q
			}
		}
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
	// As known by the end of asOf: a correction imported later undone.
	prices = pricesKnownBy(prices, endOfDay(asOf))
	f := decimal.NewFromFloat(stepPct).Div(hundred)
	var perSheet func(*TermSheet) (map[string]Grade, error)
	if lotFacts != nil {
		perSheet = func(ts *TermSheet) (map[string]Grade, error) {
			x, err := s.lotExchange(ctx, lotFacts.Lot, ts, factsAt)
			if err != nil {
				return nil, err
			}
			g := BestKnownGrades(lotFacts, x)
			if err := unknownNeeded(ts, g, lotFacts.Unknown); err != nil {
				return nil, err
			}
			if q := quantity[ts.ID]; q != nil {
				return withMoisture(g, q), nil
			}
			return withLotMoisture(g, lotFacts), nil
		}
	}
	cmp := compareNSR(sheets, g, samples, lot, SpotPrices(prices, asOf), []decimal.Decimal{one.Sub(f), one, one.Add(f)}, perSheet)
	if terms != "" {
		// Term sheets named: their columns in the order asked (compareNSR
		// ranks an unasked-for comparison best first).
		rank := map[string]int{}
		for i, ts := range sheets {
			if _, ok := rank[ts.ID]; !ok {
				rank[ts.ID] = i
			}
		}
		sort.SliceStable(cmp.Cases, func(i, j int) bool { return rank[cmp.Cases[i].Contract] < rank[cmp.Cases[j].Contract] })
	}
	cmp.Lot, cmp.AsOf = lot, asOf.Format(time.DateOnly)
	common, differ := (*decimal.Decimal)(nil), false
	for i := range cmp.Cases {
		c := &cmp.Cases[i]
		q := quantity[c.Contract]
		if q == nil {
			continue
		}
		d := q.DMT
		c.DMT, c.DMTBasis = &d, q.Formula
		if c.Error != "" {
			continue
		}
		v := c.NSRPerDMT.Mul(d).Round(2)
		c.LotValue = &v
		if common == nil {
			common = &d
		} else if !common.Equal(d) {
			differ = true
		}
	}
	if !differ {
		cmp.DMT = common
	}
	return cmp, nil
}

// lotQuantity is the quantity lf settles on under ts
// (SettlementQuantity, with the acceptances kept with its invoices under
// ts). When the final weights cannot settle it yet (a discharge with no
// moisture of its own, weighings that contradict each other) the
// loading weight and moisture are taken, the basis saying why; nil when
// neither settles (no wet weight, no moisture): no lot value is given.
func (s *Service) lotQuantity(ctx context.Context, ts *TermSheet, lf *LotFacts) (*Quantity, error) {
	accepted, err := s.acceptedOn(ctx, ts.ID, lf.Lot)
	if err != nil {
		return nil, err
	}
	q, err := SettlementQuantity(ts, lf, accepted)
	if err == nil {
		return q, nil
	}
	if lf.Discharge == nil {
		return nil, nil
	}
	why := reasonOf(err)
	if q, err = settlementQuantity(ts, lf, Provisional, accepted); err != nil {
		return nil, nil
	}
	q.Formula += " (the final weights cannot settle the lot yet: " + why + ")"
	return q, nil
}

// withMoisture adds to a lot's grades the moisture of the quantity it
// settles on (SettlementQuantity) as the feed's moisture (FeedMoisture),
// citing its determination, so that the NSR per dmt makes the excess-
// moisture deduction the settlement on that quantity makes.
func withMoisture(g map[string]Grade, q *Quantity) map[string]Grade {
	out := make(map[string]Grade, len(g)+1)
	for k, v := range g {
		out[k] = v
	}
	out[FeedMoisture] = Grade{Value: q.MoisturePct, Unit: "%", Formula: "moisture of the settlement quantity (per cent of the wet weight): " + q.Formula, Events: q.MoistureEvents}
	return out
}

// LotValued tells whether a case gives the lot's value (a lot compared,
// with a quantity it settles on).
func (c *NSRComparison) LotValued() bool {
	for _, k := range c.Cases {
		if k.LotValue != nil {
			return true
		}
	}
	return false
}

// Unvalued is EUNPROCESSABLE when no term sheet values the feed: none was
// compared (no stored contract of the lot's commodity, or none stored) or
// every one failed. Its message gives each term sheet's reason as one
// sentence, and each is a field "terms/ID". Nil when at least one term
// sheet values the feed.
func (c *NSRComparison) Unvalued() error {
	what := "the feed"
	if c.Lot != "" {
		what = "lot " + c.Lot
	}
	if len(c.Cases) == 0 {
		return &critmin.Error{Code: critmin.EUNPROCESSABLE, Message: fmt.Sprintf("no term sheet values %s: no stored contract is of its commodity.", what),
			Fields: []critmin.FieldError{{Pointer: "/terms", Reason: "no stored contract is of the feed's commodity"}}}
	}
	var reasons []string
	var fields []critmin.FieldError
	for _, k := range c.Cases {
		if k.Error == "" {
			return nil
		}
		r := strings.TrimSuffix(strings.TrimSpace(k.Error), ".")
		reasons = append(reasons, fmt.Sprintf("%s: %s.", k.Contract, r))
		fields = append(fields, critmin.FieldError{Pointer: "/terms/" + escapeToken(k.Contract), Reason: r})
	}
	return &critmin.Error{Code: critmin.EUNPROCESSABLE, Message: fmt.Sprintf("no term sheet values %s. %s", what, strings.Join(reasons, " ")), Fields: fields}
}

// Codes returns every line code of the comparison's cases, in the order
// they first appear: the rows of a side-by-side table.
func (c *NSRComparison) Codes() []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range c.Cases {
		for _, l := range k.Lines {
			if !seen[l.Code] {
				seen[l.Code] = true
				out = append(out, l.Code)
			}
		}
	}
	return out
}

// Cell is a case's per-dmt figure of a line code to two places, or "—"
// when the term sheet has no such line (a cell of the side-by-side table).
func (k NSRCase) Cell(code string) string {
	for _, l := range k.Lines {
		if l.Code == code {
			return GroupThousands(Money(l.PerDMT, 2))
		}
	}
	return "—"
}

// WriteCSV writes the comparison in long form, one row per contract and
// figure: each line's per-dmt amount (and, for a lot, the amount on its
// dmt), the NSR, the contained value at spot and the share paid, the
// lot value, and the NSR at each price and grade factor. Amounts are in
// the contract's currency.
func (c *NSRComparison) WriteCSV(w io.Writer) error {
	cw := critmin.NewCSVWriter(w)
	_ = cw.Write([]string{"contract", "name", "currency", "row", "code", "label", "formula", "per_dmt", "lot_amount", "as_of", "lot", "dmt"})
	dmt := ""
	if c.DMT != nil {
		dmt = c.DMT.String()
	}
	row := func(k NSRCase, kind, code, label, formula string, perDMT decimal.Decimal, lotAmt string) {
		_ = cw.Write([]string{k.Contract, k.Name, k.Currency, kind, code, label, formula, perDMT.String(), lotAmt, c.AsOf, c.Lot, dmt})
	}
	for _, k := range c.Cases {
		if k.Error != "" {
			_ = cw.Write([]string{k.Contract, k.Name, k.Currency, "error", "", k.Error, "", "", "", c.AsOf, c.Lot, dmt})
			continue
		}
		for _, l := range k.Lines {
			amt := ""
			if c.DMT != nil {
				amt = l.PerDMT.Mul(*c.DMT).Round(2).StringFixed(2)
			}
			row(k, "line", l.Code, l.Label, l.Formula, l.PerDMT, amt)
		}
		lv := ""
		if k.LotValue != nil {
			lv = k.LotValue.StringFixed(2)
		}
		row(k, "total", "nsr", "Net smelter return", "Σ lines", k.NSRPerDMT, lv)
		row(k, "reference", "contained_value", "Contained value at spot (payables at 100 %, no charges)", "", k.ContainedValue, "")
		row(k, "reference", "paid_pct", "NSR as % of contained value", "", k.PaidPct, "")
		gl := "NSR with the grades of " + strings.Join(k.GradeScaled, ", ") + " × "
		for i, f := range c.Factors {
			if i < len(k.PriceSens) {
				row(k, "sensitivity", "price_x"+f.String(), "NSR with every price × "+f.String(), "", k.PriceSens[i], "")
			}
			if i < len(k.GradeSens) && k.GradeSens[i] != nil {
				row(k, "sensitivity", "grade_x"+f.String(), gl+f.String(), "", *k.GradeSens[i], "")
			} else if i < len(k.GradeNotes) {
				_ = cw.Write([]string{k.Contract, k.Name, k.Currency, "sensitivity", "grade_x" + f.String(), gl + f.String(), k.GradeNotes[i], "", "", c.AsOf, c.Lot, dmt})
			}
		}
		for _, in := range k.Inputs {
			for i, f := range c.Factors {
				code, label := in.Input+"_x"+f.String(), "NSR with "+strings.Join(in.Scales, ", ")+" alone × "+f.String()
				if i < len(in.NSR) && in.NSR[i] != nil {
					row(k, "input_sensitivity", code, label, "", *in.NSR[i], "")
				} else if i < len(in.Notes) {
					_ = cw.Write([]string{k.Contract, k.Name, k.Currency, "input_sensitivity", code, label, in.Notes[i], "", "", c.AsOf, c.Lot, dmt})
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// withLotMoisture adds to a lot's grades its loading moisture as the
// feed's moisture (FeedMoisture), citing its event, so that its NSR per
// dmt makes the excess-moisture deduction its settlement makes (the
// provisional one rests on the loading weight and moisture, as the
// comparison's dmt does). A lot without a moisture determination gets
// none: its lot value is not given either.
func withLotMoisture(g map[string]Grade, lf *LotFacts) map[string]Grade {
	w := lf.Loading
	if w.NoMoisture || !w.WMT.IsPositive() {
		return g
	}
	out := make(map[string]Grade, len(g)+1)
	for k, v := range g {
		out[k] = v
	}
	out[FeedMoisture] = Grade{Value: w.MoisturePct, Unit: "%", Formula: "loading moisture (per cent of the wet weight)", Events: nonEmpty(moistureEvent(w))}
	return out
}

// LotGrades returns a lot's facts and its best-known grades
// (BestKnownGrades), its exchange settled under the contract the lot is
// invoiced under, else under ts (nil: none).
func (s *Service) LotGrades(ctx context.Context, lot string, ts *TermSheet) (*LotFacts, map[string]Grade, error) {
	return s.lotGradesAt(ctx, lot, ts, time.Time{})
}

// lotGradesAt is LotGrades with the lot as known at at (zero: now).
func (s *Service) lotGradesAt(ctx context.Context, lot string, ts *TermSheet, at time.Time) (*LotFacts, map[string]Grade, error) {
	lf, err := lotFactsAsOf(ctx, s.Store, lot, at)
	if err != nil {
		return nil, nil, err
	}
	x, err := s.lotExchange(ctx, lf.Lot, ts, at)
	if err != nil {
		return nil, nil, err
	}
	return lf, BestKnownGrades(lf, x), nil
}

// elementSpelling returns the IUPAC symbol an analyte spells in another
// case ("cu" → "Cu"), or the analyte unchanged.
func elementSpelling(a string) string {
	if units.IsElement(a) {
		return a
	}
	for _, e := range units.Elements() {
		if strings.EqualFold(e, a) {
			return e
		}
	}
	return a
}
