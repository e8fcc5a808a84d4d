package risk

import (
	"context"
	"fmt"
	"github.com/critmin/critmin/units"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	"github.com/critmin/critmin"
)

// Param is a model input: a value, optionally uncertain as a triangular
// distribution between Low and High with mode Value, and the source it
// comes from ("user input" where none).
type Param struct {
	Value  float64  `json:"value"`
	Low    *float64 `json:"low,omitempty"`
	High   *float64 `json:"high,omitempty"`
	Source string   `json:"source,omitempty"`
}

func (p Param) uncertain() bool { return p.Low != nil && p.High != nil && *p.High > *p.Low }

// draw samples the triangular distribution (inverse CDF), or returns Value.
func (p Param) draw(r *rand.Rand) float64 {
	if !p.uncertain() {
		return p.Value
	}
	a, b, c := *p.Low, *p.High, math.Min(math.Max(p.Value, *p.Low), *p.High)
	u := r.Float64()
	if u < (c-a)/(b-a) {
		return a + math.Sqrt(u*(b-a)*(c-a))
	}
	return b - math.Sqrt((1-u)*(b-a)*(b-c))
}

// EndUse is demand from one end use: tonnes in the first year, growing
// by Growth (a fraction) each year.
type EndUse struct {
	Name   string `json:"name"`
	Tonnes Param  `json:"tonnes"`
	Growth Param  `json:"growth"`
}

// StockpileInput follows the structure of IDA's Risk Assessment and
// Mitigation Framework for Strategic Materials (RAMF-SM): demand by end
// use over a horizon, minus what remains available during a disruption
// (domestic output, recycling, substitution and the imports not cut off)
// gives a shortfall per year; the stockpile must cover the shortfalls.
type StockpileInput struct {
	Commodity string `json:"commodity"`
	// Unit is the unit of every tonnage in the input ("t REO", "t Sb");
	// default "t".
	Unit      string   `json:"unit,omitempty" default:"t"`
	StartYear int      `json:"start_year"`
	Years     int      `json:"years"`
	Demand    []EndUse `json:"demand"`
	// Domestic is domestic primary output available in a disruption (t/y).
	Domestic Param `json:"domestic_output"`
	// Recycling and Substitution are fractions of demand met without
	// imports during a disruption.
	Recycling    Param `json:"recycling_share"`
	Substitution Param `json:"substitution_share"`
	// ImportLoss is the fraction of imports cut off in each disrupted year
	// (a scenario's US share of imports, or a user value); DisruptedYears
	// is how many years from StartYear the loss lasts.
	ImportLoss     Param  `json:"import_loss"`
	DisruptedYears int    `json:"disrupted_years"`
	Draws          int    `json:"draws"`
	Seed           uint64 `json:"seed"`
}

// Band is a percentile band of a quantity across Monte Carlo draws.
type Band struct {
	P5  float64 `json:"p5"`
	P50 float64 `json:"p50"`
	P95 float64 `json:"p95"`
}

// StockpileYear is one year of the run: the Monte Carlo band of the
// shortfall (two significant figures) and, labelled, the deterministic
// case (every input at its most likely value; three significant figures).
type StockpileYear struct {
	Year          int     `json:"year"`
	Band          Band    `json:"shortfall_band"`
	Deterministic DetYear `json:"deterministic"`
}

// DetYear is one year of the deterministic case.
type DetYear struct {
	Demand    float64 `json:"demand"`
	Available float64 `json:"available"`
	Shortfall float64 `json:"shortfall"`
}

// StockpileResult sizes the stockpile. Headline holds the only figures
// meant to be quoted without a label (Monte Carlo medians with their
// bands); Deterministic holds the deterministic case, named as such.
type StockpileResult struct {
	Input    StockpileInput    `json:"input"`
	Headline StockpileHeadline `json:"headline"`
	// Deterministic is the case with every input at its most likely value,
	// placed against the headline band.
	Deterministic StockpileDeterministic `json:"deterministic"`
	Years         []StockpileYear        `json:"years"`
	// Band and CoverageBand are the unrounded percentiles of the draws
	// behind the headline (tonnes; days of first-year demand).
	Band         Band `json:"required_band"`
	CoverageBand Band `json:"coverage_days_band"`
}

// StockpileHeadline is a stockpile size a reader can quote: the Monte
// Carlo median with its 90 % band (p5–p95), rounded to two significant
// figures, with commodity and unit named, and the same for the coverage in
// days of first-year demand (each draw's requirement over its own
// first-year demand / 365).
type StockpileHeadline struct {
	Commodity          string  `json:"commodity"`
	Unit               string  `json:"unit"`
	Median             float64 `json:"median"`
	Low                float64 `json:"p5"`
	High               float64 `json:"p95"`
	CoverageDaysMedian float64 `json:"coverage_days_median"`
	CoverageDaysLow    float64 `json:"coverage_days_p5"`
	CoverageDaysHigh   float64 `json:"coverage_days_p95"`
	Draws              int     `json:"draws"`
	Text               string  `json:"text"`
}

// StockpileDeterministic is the deterministic case: every input at its
// most likely value (the mode of its triangle). With skewed input ranges it
// need not fall inside the Monte Carlo band; Position says where it falls
// ("below_band", "in_band", "above_band") and Text explains it.
type StockpileDeterministic struct {
	Label        string  `json:"label"`
	RequiredT    float64 `json:"required_t"`
	CoverageDays float64 `json:"coverage_days"`
	Position     string  `json:"position"`
	Text         string  `json:"text"`
}

// RoundSig rounds v to n significant figures (337.4 → 340 at n = 2):
// a stockpile from uncertain inputs is not known to the tonne.
func RoundSig(v float64, n int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	// Scale by an exact power of ten in the direction that keeps it an
	// integer, so 337.4 gives 340 and not 340.00000000000006.
	e := n - int(math.Ceil(math.Log10(math.Abs(v))))
	if e >= 0 {
		p := math.Pow(10, float64(e))
		return math.Round(v*p) / p
	}
	p := math.Pow(10, float64(-e))
	return math.Round(v/p) * p
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func headline(in StockpileInput, b, cov Band) StockpileHeadline {
	unit := in.Unit
	if unit == "" {
		unit = "t"
	}
	h := StockpileHeadline{Commodity: in.Commodity, Unit: unit, Median: RoundSig(b.P50, 2), Low: RoundSig(b.P5, 2), High: RoundSig(b.P95, 2),
		CoverageDaysMedian: RoundSig(cov.P50, 2), CoverageDaysLow: RoundSig(cov.P5, 2), CoverageDaysHigh: RoundSig(cov.P95, 2), Draws: in.Draws}
	h.Text = fmt.Sprintf("%s: %s %s needed (Monte Carlo median of %d draws; 90 %% band %s–%s %s), %s days of first-year demand (median; band %s–%s days).",
		in.Commodity, num(h.Median), unit, in.Draws, num(h.Low), num(h.High), unit, num(h.CoverageDaysMedian), num(h.CoverageDaysLow), num(h.CoverageDaysHigh))
	return h
}

func deterministic(in StockpileInput, base draw, b Band, h StockpileHeadline) StockpileDeterministic {
	d := StockpileDeterministic{Label: "deterministic case", RequiredT: RoundSig(base.required, 2)}
	if base.firstYear > 0 {
		d.CoverageDays = RoundSig(365*base.required/base.firstYear, 2)
	}
	d.Text = fmt.Sprintf("Deterministic case (every input at its most likely value): %s %s, %s days of first-year demand", num(d.RequiredT), h.Unit, num(d.CoverageDays))
	band := fmt.Sprintf("the 90 %% band %s–%s %s", num(h.Low), num(h.High), h.Unit)
	switch {
	case base.required < b.P5:
		d.Position = "below_band"
		d.Text += ", below " + band + ": the inputs' ranges are skewed towards larger shortfalls, so most draws need more."
	case base.required > b.P95:
		d.Position = "above_band"
		d.Text += ", above " + band + ": the inputs' ranges are skewed towards smaller shortfalls, so most draws need less."
	default:
		d.Position = "in_band"
		d.Text += ", inside " + band + "."
	}
	return d
}

type draw struct {
	demand    []float64
	short     []float64
	required  float64
	firstYear float64
}

func (in *StockpileInput) validate() error {
	var errs []critmin.FieldError
	fail := func(p, f string, a ...any) {
		errs = append(errs, critmin.FieldError{Pointer: p, Reason: fmt.Sprintf(f, a...)})
	}
	if in.Years < 1 || in.Years > 50 {
		fail("years", "%d is not 1–50", in.Years)
	}
	if in.DisruptedYears < 0 || in.DisruptedYears > in.Years {
		fail("disrupted_years", "%d is not 0–years", in.DisruptedYears)
	}
	if len(in.Demand) == 0 {
		fail("demand", "give at least one end use")
	}
	if len(in.Demand) > MaxEndUses {
		fail("demand", "%d end uses; at most %d", len(in.Demand), MaxEndUses)
	}
	if in.StartYear < MinYear || in.StartYear > MaxYear {
		fail("start_year", "%d is not a year from %d to %d", in.StartYear, MinYear, MaxYear)
	}
	if in.Draws < 1 || in.Draws > 100000 {
		fail("draws", "%s is not 1–100,000 (leave draws out for the default of %s)", units.Int(in.Draws), units.Int(DefaultDraws))
	} else if work := int64(in.Draws) * int64(max(in.Years, 1)) * int64(max(len(in.Demand), 1)); work > MaxStockpileWork {
		fail("draws", "%s draws × %s years × %s end uses is %s end-use-years, over the limit of %s per request: use fewer draws (at most %s here)",
			units.Int(in.Draws), units.Int(in.Years), units.Int(len(in.Demand)), units.Int(work), units.Int(int64(MaxStockpileWork)), units.Int(MaxStockpileWork/int64(max(in.Years, 1))/int64(max(len(in.Demand), 1))))
	}
	check := func(p string, v Param, lo, hi float64) {
		for _, x := range []*float64{&v.Value, v.Low, v.High} {
			// Written so that NaN, which compares false, fails too.
			if x != nil && !(*x >= lo && *x <= hi) {
				fail(p, "%v is outside %v–%v", *x, lo, hi)
				return
			}
		}
		if (v.Low == nil) != (v.High == nil) || (v.Low != nil && (*v.Low > v.Value || v.Value > *v.High)) {
			fail(p, "give both low and high, with low ≤ value ≤ high")
		}
	}
	for i, d := range in.Demand {
		check(fmt.Sprintf("demand/%d/tonnes", i), d.Tonnes, 0, MaxTonnes)
		check(fmt.Sprintf("demand/%d/growth", i), d.Growth, -0.5, 1)
	}
	check("domestic_output", in.Domestic, 0, MaxTonnes)
	check("recycling_share", in.Recycling, 0, 1)
	check("substitution_share", in.Substitution, 0, 1)
	check("import_loss", in.ImportLoss, 0, 1)
	if len(errs) > 0 {
		return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("stockpile: %s: %s", errs[0].Pointer, errs[0].Reason), Fields: errs}
	}
	return nil
}

// run computes one draw (r nil: every input at its Value).
func (in *StockpileInput) run(r *rand.Rand) draw {
	val := func(p Param) float64 {
		if r == nil {
			return p.Value
		}
		return p.draw(r)
	}
	type eu struct{ t, g float64 }
	uses := make([]eu, len(in.Demand))
	for i, d := range in.Demand {
		uses[i] = eu{val(d.Tonnes), val(d.Growth)}
	}
	dom, rec, sub, loss := val(in.Domestic), val(in.Recycling), val(in.Substitution), val(in.ImportLoss)
	d := draw{demand: make([]float64, in.Years), short: make([]float64, in.Years)}
	for t := 0; t < in.Years; t++ {
		for _, u := range uses {
			d.demand[t] += u.t * math.Pow(1+u.g, float64(t))
		}
		// Imports fill what domestic output, recycling and substitution do
		// not; a disruption cuts a share of them.
		imports := math.Max(0, d.demand[t]*(1-rec-sub)-dom)
		if t < in.DisruptedYears {
			d.short[t] = loss * imports
		}
		d.required += d.short[t]
	}
	d.firstYear = d.demand[0]
	return d
}

func band(v []float64) Band {
	sort.Float64s(v)
	q := func(p float64) float64 {
		if len(v) == 0 {
			return 0
		}
		i := int(math.Round(p * float64(len(v)-1)))
		return v[i]
	}
	return Band{P5: q(0.05), P50: q(0.5), P95: q(0.95)}
}

// DefaultDraws is the number of Monte Carlo draws when an input leaves
// draws out (callers decoding JSON start from StockpileInput{Draws:
// DefaultDraws}, so that an explicit 0 is refused rather than replaced).
const DefaultDraws = 2000

// MaxTonnes bounds every tonnage of a risk input (t per year): ten
// billion tonnes, four times the world's largest mine output of any
// commodity (iron ore, about 2.5 billion t in 2023, USGS Mineral Commodity
// Summaries 2024, p. 96). With at most 100 end uses growing at most 100 %
// a year for 50 years, every sum stays below 1e10 × 100 × 2^49 × 50 ≈ 3e28,
// far from float64's limit of 1.8e308, so no result can be infinite.
const MaxTonnes = 1e10

// MinYear and MaxYear bound the calendar years of a risk input.
const (
	MinYear = 1900
	MaxYear = 2200
)

// MaxEndUses bounds the demand list of a stockpile input.
const MaxEndUses = 100

// MaxStockpileWork bounds one run's draws × years × end uses. The bounds
// of each alone allowed 100,000 × 50 × 100 = 5×10⁸ end-use-years, which
// took 67 s of CPU on a 2-vCPU Xeon; 2.5×10⁷ is a twentieth of that,
// about 3.4 s there, and still allows the default 2,000 draws at every
// year and end-use count (2,000 × 50 × 100 = 10⁷).
const MaxStockpileWork = 25_000_000

// Stockpile sizes a stockpile: the deterministic case and, over Draws
// seeded Monte Carlo draws of the uncertain inputs, percentile bands.
// The same seed gives the same bands.
func Stockpile(in StockpileInput) (*StockpileResult, error) {
	return StockpileContext(context.Background(), in)
}

// StockpileContext is Stockpile that stops, with ctx's error, when ctx is
// cancelled (a client that went away, a deadline).
func StockpileContext(ctx context.Context, in StockpileInput) (*StockpileResult, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	base := in.run(nil)
	res := &StockpileResult{Input: in}
	r := rand.New(rand.NewPCG(in.Seed, in.Seed^0x5851f42d4c957f2d))
	perYear := make([][]float64, in.Years)
	var req, cov []float64
	for i := 0; i < in.Draws; i++ {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		d := in.run(r)
		for t := range perYear {
			perYear[t] = append(perYear[t], d.short[t])
		}
		req = append(req, d.required)
		if d.firstYear > 0 {
			cov = append(cov, 365*d.required/d.firstYear)
		}
	}
	for t := 0; t < in.Years; t++ {
		avail := base.demand[t] - base.short[t]
		b := band(perYear[t])
		res.Years = append(res.Years, StockpileYear{Year: in.StartYear + t,
			Band:          Band{P5: RoundSig(b.P5, 2), P50: RoundSig(b.P50, 2), P95: RoundSig(b.P95, 2)},
			Deterministic: DetYear{Demand: RoundSig(base.demand[t], 3), Available: RoundSig(avail, 3), Shortfall: RoundSig(base.short[t], 3)}})
	}
	res.Band, res.CoverageBand = band(req), band(cov)
	res.Headline = headline(in, res.Band, res.CoverageBand)
	res.Deterministic = deterministic(in, base, res.Band, res.Headline)
	return res, nil
}
