package commercial

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/critmin/critmin/ledger"
	"github.com/shopspring/decimal"
)

// Settlement kinds.
const (
	Provisional = "provisional"
	Final       = "final"
)

// Weighing is a wet weight with its moisture, from one ledger event.
type Weighing struct {
	WMT         decimal.Decimal `json:"wmt"`
	MoisturePct decimal.Decimal `json:"moisture_pct"`
	Date        time.Time       `json:"date"`
	EventID     string          `json:"eventID,omitempty"`
	// MoistureEvent names the event that determined the moisture, when it
	// is not EventID's.
	MoistureEvent string `json:"moisture_event,omitempty"`
	// NoMoisture marks a weighing read from the ledger with no moisture
	// determination (no cm:moisture or H2O on any event that could carry
	// it): the weight is wet and MoisturePct is no determination, so no
	// dry tonnes (and no invoice) rest on it, and no event is cited as
	// its moisture's source.
	NoMoisture bool `json:"no_moisture,omitempty"`
	// MoistureFromLoading marks a discharge weighing with no moisture
	// determination of its own: MoisturePct is the loading one.
	MoistureFromLoading bool `json:"moisture_from_loading,omitempty"`
	// Parts are the receipts of a lot received in several parts, each
	// with its own weight and moisture; WMT is their sum and the dry
	// tonnes Σ wmt_i × (1 − moisture_i) (DMT). Empty for one weighing.
	Parts []Weighing `json:"parts,omitempty"`
}

// DMT is the weighing's dry tonnes: wmt × (1 − moisture), or for a lot
// received in parts Σ wmt_i × (1 − moisture_i), to the kilogram.
func (w Weighing) DMT() decimal.Decimal {
	if len(w.Parts) == 0 {
		return w.WMT.Mul(one.Sub(pct(w.MoisturePct))).Round(3)
	}
	sum := zero
	for _, p := range w.Parts {
		sum = sum.Add(p.WMT.Mul(one.Sub(pct(p.MoisturePct))))
	}
	return sum.Round(3)
}

// outturnOfParts is the discharge weighing of a lot received in parts:
// their wet weights summed, each part keeping its own moisture. Its
// MoisturePct is the parts' common moisture, or when they differ the
// effective one, 100 × (1 − Σ dry ÷ Σ wet), to 4 places; NoMoisture when
// a part has no determination of its own (the settlement is refused,
// naming the part).
func outturnOfParts(parts []Weighing) *Weighing {
	last := parts[len(parts)-1]
	d := &Weighing{Date: last.Date, EventID: parts[0].EventID, Parts: parts}
	same := true
	for _, p := range parts {
		d.WMT = d.WMT.Add(p.WMT)
		d.NoMoisture = d.NoMoisture || p.NoMoisture
		same = same && p.MoisturePct.Equal(parts[0].MoisturePct)
	}
	if d.NoMoisture {
		return d
	}
	if same {
		d.MoisturePct = parts[0].MoisturePct
	} else {
		dry := zero
		for _, p := range parts {
			dry = dry.Add(p.WMT.Mul(one.Sub(pct(p.MoisturePct))))
		}
		d.MoisturePct = one.Sub(dry.Div(d.WMT)).Mul(decimal.NewFromInt(100)).Round(4)
	}
	return d
}

// LotFacts is what a settlement needs to know of a lot, read from the
// ledger (LotFactsFromEvents) or given directly in tests.
type LotFacts struct {
	Lot string `json:"lot"`
	// eventKeys are the keys of the events the facts were read from
	// (critmin.LotEventKeys), for an invoice's basis; nil when the facts
	// were not read from the ledger.
	eventKeys []string
	Commodity string `json:"commodity"`
	// BL is the bill of lading; its date is the shipment date for
	// quotational periods and payment terms.
	BL      string    `json:"bl,omitempty"`
	BLDate  time.Time `json:"bl_date"`
	BLEvent string    `json:"bl_event,omitempty"`
	// Arrival is the receipt at the port of discharge.
	Arrival      *time.Time `json:"arrival,omitempty"`
	ArrivalEvent string     `json:"arrival_event,omitempty"`
	Loading      Weighing   `json:"loading"`
	Discharge    *Weighing  `json:"discharge,omitempty"`
	// Assays are the grades known at loading (loading or commissioning
	// assays), by analyte, on the dry basis; the provisional invoice uses
	// them. Read from the ledger, each is the newest assay of its analyte
	// whatever its basis, an as-received one converted with its moisture
	// (dryGrades).
	Assays map[string]Grade `json:"assays"`
	// Latest are the latest grades known (any assay after loading too),
	// by the same rule; a final settlement without exchange terms uses
	// them.
	Latest map[string]Grade `json:"latest,omitempty"`
	// UnknownAtLoading and Unknown say, by analyte, why an analyte has no
	// grade in Assays or Latest: its newest assay is as received and no
	// moisture is known to put it on the dry basis. A settlement that
	// needs the analyte is refused with that reason; an older assay does
	// not stand in.
	UnknownAtLoading map[string]string `json:"unknown_at_loading,omitempty"`
	Unknown          map[string]string `json:"unknown,omitempty"`
	// unknownAt is, by analyte in Unknown, the time of the newest
	// measurement that left it unknown: an exchange result after it
	// stands when the contract has no exchange terms (newestGrades).
	unknownAt map[string]time.Time
	// Results and Sublots are the assay exchange; the final invoice uses
	// the settled grades when the contract has exchange terms.
	Results []AssayResult `json:"results,omitempty"`
	Sublots []Sublot      `json:"sublots,omitempty"`
	// SublotAssays are laboratory assays of a sublot (a MassConcentration
	// report with cm:sublot and no cm:assayParty), on the dry basis, party
	// "laboratory": never read as the whole lot's grade, only sublot by
	// sublot under the newest-assay rule (newestSublotGrades). sublotDMT
	// holds the sublots' dry weights they state (cm:sublotDMT).
	SublotAssays []AssayResult `json:"sublot_assays,omitempty"`
	sublotDMT    map[string]decimal.Decimal
	// Samples are the lot's assays event by event (one event, one
	// sample), in event-time order; a basket's shares are read from one
	// of them (oneSample). Empty for facts given directly.
	Samples []AssaySample `json:"samples,omitempty"`
}

// AssaySample is the assays one event reports of a lot: one sample.
// AtLoading marks a sample known at loading (up to the B/L event).
type AssaySample struct {
	EventID   string           `json:"eventID"`
	AtLoading bool             `json:"at_loading"`
	Grades    map[string]Grade `json:"grades"`
}

// Declaration is a party's choice of quotational-period month for one
// element (or "*" for every element), made on DeclaredAt.
type Declaration struct {
	Element    string    `json:"element"`
	Month      int       `json:"month"`
	Party      string    `json:"party"`
	DeclaredAt time.Time `json:"declared_at"`
}

// SettleOptions chooses what a settlement prices.
type SettleOptions struct {
	Kind         string
	Prices       map[string]*PriceSeries
	Declarations []Declaration
	// Spot, when it has a series id, prices that series at the given
	// value instead of its quotational period (NSR comparisons, planning).
	Spot map[string]decimal.Decimal
	// Accept lists the plausibility refusals a person accepts for this
	// settlement (Acceptance); each must be needed, and each used is
	// recorded in Settlement.Accepted.
	Accept []Acceptance
	// inherited are the acceptances kept with the lot's earlier invoices
	// under the contract (Service.acceptedOn): they stand for its later
	// settlements too, and one a settlement does not need is not refused.
	inherited []Acceptance
	// replay, when set, prices each reference at the recorded price of
	// the next PriceFact instead of resolving it (VerifyInvoice).
	replay []PriceFact
	// oneDMT settles one dry tonne whatever the weighing's moisture
	// (NetValuePerTonne): the moisture still makes its deduction.
	oneDMT bool
	// bestKnown marks a valuation on the best-known grades (the exposure,
	// the NSR of a lot) rather than an invoice's: it says so when it
	// names the exchange results it does not use (unusedResults).
	bestKnown bool
}

// Fact is one quantity a settlement rests on (a weight, a grade).
type Fact struct {
	Name    string          `json:"name"`
	Value   decimal.Decimal `json:"value"`
	Unit    string          `json:"unit"`
	Formula string          `json:"formula"`
	Events  []string        `json:"events,omitempty"`
}

// Line is one money line of a settlement or invoice: the amount per dry
// tonne, the amount (PerDMT × dmt rounded by the contract), the formula
// with its inputs written out, and the ledger events it rests on.
type Line struct {
	Code    string          `json:"code"`
	Label   string          `json:"label"`
	Formula string          `json:"formula"`
	PerDMT  decimal.Decimal `json:"per_dmt"`
	Amount  decimal.Decimal `json:"amount"`
	Events  []string        `json:"events,omitempty"`
	// NoPerDMT says why a line has no per-dmt figure (the settlement's
	// dmt is unknown): PerDMT is then 0 and not a figure to read.
	NoPerDMT string `json:"no_per_dmt,omitempty"`
}

// MarshalJSON writes a line with no per-dmt figure without per_dmt: its
// no_per_dmt says why, as the invoice page's "n/a" does, never a false
// "per_dmt": 0 (fix13u).
func (l Line) MarshalJSON() ([]byte, error) {
	type plain Line
	if l.NoPerDMT == "" {
		return json.Marshal(plain(l))
	}
	return json.Marshal(struct {
		plain
		PerDMT *decimal.Decimal `json:"per_dmt,omitempty"` // shadows plain's: omitted
	}{plain: plain(l)})
}

// Settlement is the value of a lot under a term sheet: the facts, the
// prices and the lines. The rounding rule (docs/trade.md, "Rounding"):
// each line's per-dmt figure is shown to 6 places and its amount is
// round(exact per dmt × dmt) in the contract's rounding; Value = Σ line
// amounts (the sum of the rounded amounts, never re-rounded); NSRPerDMT =
// Σ line per-dmt figures, to 4 places (NSRPerDMT). So the per-dmt column
// adds up to the NSR and the amount column to the value; Value differs
// from NSRPerDMT × DMT by the rounding of the amounts only.
type Settlement struct {
	Contract string          `json:"contract"`
	Lot      string          `json:"lot"`
	Kind     string          `json:"kind"`
	Currency string          `json:"currency"`
	WMT      decimal.Decimal `json:"wmt"`
	Moisture decimal.Decimal `json:"moisture_pct"`
	DMT      decimal.Decimal `json:"dmt"`
	// Parts are the receipts of a lot received in parts when the outturn
	// is settled on: DMT is Σ wmt_i × (1 − moisture_i) over them.
	Parts     []Weighing      `json:"parts,omitempty"`
	Facts     []Fact          `json:"facts"`
	Prices    []PriceFact     `json:"prices"`
	Exchange  []SettledAssay  `json:"assay_exchange,omitempty"`
	Lines     []Line          `json:"lines"`
	Value     decimal.Decimal `json:"value"`
	NSRPerDMT decimal.Decimal `json:"nsr_per_dmt"`
	// Payable is grams of payable metal (or product) per dmt by element.
	Payable map[string]decimal.Decimal `json:"payable_g_per_dmt"`
	Grades  map[string]Grade           `json:"-"`
	// QPEnd is the last day of the quotational periods a final
	// settlement prices on, whatever each price's kind (a fixed price
	// still has the contract's QP, which dates the final payment).
	QPEnd string `json:"qp_end,omitempty"`
	// Warnings name what a reader should check that does not stop the
	// settlement, such as a discharge settlement with no discharge
	// moisture determination.
	Warnings []string `json:"warnings,omitempty"`
	// Accepted are the plausibility refusals a person accepted for this
	// settlement (SettleOptions.Accept): who, why and the refusal each
	// overrode. Stored with the invoice and shown with it.
	Accepted []Acceptance `json:"accepted,omitempty"`
}

// Settle values a lot under a term sheet. A provisional settlement uses the
// loading weight and moisture, the best-known assays and the provisional
// price rule; a final one the weights at the agreed point (with the weight
// franchise), the settled assay exchange and the quotational-period
// averages. Any missing input is an EINVALID error naming it: a settlement
// is never made on incomplete data.
func Settle(ts *TermSheet, lot *LotFacts, opt SettleOptions) (*Settlement, error) {
	if opt.Kind != Provisional && opt.Kind != Final {
		return nil, fieldErrorf("kind", "%q is not provisional or final", opt.Kind)
	}
	if lot.BLDate.IsZero() {
		return nil, fieldErrorf("lot/bl_date", "%s has no bill-of-lading (shipping) date", lotName(lot.Lot))
	}
	st := &Settlement{Contract: ts.ID, Lot: lot.Lot, Kind: opt.Kind, Currency: ts.Currency}
	c := &calc{ts: ts, lot: lot, opt: opt, st: st}
	if err := c.weights(); err != nil {
		return nil, err
	}
	if err := c.grades(); err != nil {
		return nil, err
	}
	if err := c.accepted(c.plausibleFloor()); err != nil {
		return nil, err
	}
	if err := c.payables(); err != nil {
		return nil, err
	}
	if err := c.basket(); err != nil {
		return nil, err
	}
	if err := c.charges(); err != nil {
		return nil, err
	}
	if err := c.unusedAcceptance(); err != nil {
		return nil, err
	}
	for _, l := range st.Lines {
		st.Value = st.Value.Add(l.Amount)
	}
	st.Payable = c.payableGrams
	st.NSRPerDMT = NSRPerDMT(st.Lines)
	if w := ValueWarning(st); w != "" {
		st.Warnings = append(st.Warnings, w)
	}
	trueMinusFormulas(st)
	return st, nil
}

// hyphenMinus is a hyphen-minus used as a minus sign in formula text:
// before a digit, at the start or after a space, bracket or operator —
// never inside a date (2025-09-02), a series or contract id (CU-2025) or
// an event id, where a digit or letter precedes it.
var hyphenMinus = regexp.MustCompile(`(^|[\s(\[×÷=+,:/])-([0-9.])`)

// TrueMinus writes every negative number of a formula with the minus sign
// (U+2212), as Money writes amounts: "base −10 USD/dmt", "× −1 USc/lb".
func TrueMinus(s string) string {
	for {
		t := hyphenMinus.ReplaceAllString(s, "${1}−${2}")
		if t == s {
			return t
		}
		s = t
	}
}

// trueMinusFormulas applies TrueMinus to every formula of a settlement
// (lines, facts, prices and their bounds, the assay exchange): numbers
// are written into formulas in many places (decimal.String writes "-"),
// and the text is mended once, here, for all of them.
func trueMinusFormulas(st *Settlement) {
	for i := range st.Lines {
		st.Lines[i].Formula = TrueMinus(st.Lines[i].Formula)
	}
	for i := range st.Facts {
		st.Facts[i].Formula = TrueMinus(st.Facts[i].Formula)
	}
	for i := range st.Prices {
		st.Prices[i].Formula = TrueMinus(st.Prices[i].Formula)
		st.Prices[i].Bound = TrueMinus(st.Prices[i].Bound)
	}
	for i := range st.Exchange {
		st.Exchange[i].Formula = TrueMinus(st.Exchange[i].Formula)
	}
}

// ValueWarning says why a settlement is worth nothing or less — a
// payable below its minimum grade (a purity specification the lot
// fails), charges and penalties at or over the payables — or "" when its
// value is positive. A term sheet states no rejection limit (docs/
// trade.md, "Off-spec lots"): a lot that fails its specification is not
// refused but paid what the terms give, so an invoice on it is issued
// and carries this warning (Invoice.Warnings) in the JSON, the CLI, the
// page and the workbook.
//
// A lot worth something with a payable that pays nothing (below its
// min_grade, or at or below its min_deduction: Au 2.95 g/t under a 5 g/t
// minimum grade) is warned too, each such payable with its reason, so an
// invoice does not silently drop a credit the seller expected.
func ValueWarning(st *Settlement) string {
	if st == nil {
		return ""
	}
	if st.Value.IsPositive() {
		var why []string
		for _, l := range st.Lines {
			if el, ok := strings.CutPrefix(l.Code, "payable:"); ok && !l.Amount.IsPositive() && strings.Contains(l.Formula, "nothing payable") {
				reason, _, _ := strings.Cut(l.Formula, ";")
				why = append(why, fmt.Sprintf("%s pays nothing: %s", el, reason))
			}
		}
		if len(why) == 0 {
			return ""
		}
		return fmt.Sprintf("%s under contract %s (value %s %s): %s; the term sheet states no rejection limit, so the lot is not refused — check it against the contract's specification before relying on this invoice", lotName(st.Lot), st.Contract, st.Value, st.Currency, strings.Join(why, "; "))
	}
	credit, debit := zero, zero
	var why []string
	for _, l := range st.Lines {
		payable := strings.HasPrefix(l.Code, "payable:") || strings.HasPrefix(l.Code, "basket:")
		switch {
		case payable && !l.Amount.IsPositive():
			why = append(why, fmt.Sprintf("%s pays %s %s (%s)", l.Label, l.Amount, st.Currency, l.Formula))
		case l.Amount.IsPositive():
			credit = credit.Add(l.Amount)
		default:
			debit = debit.Add(l.Amount)
		}
	}
	if debit.IsNegative() {
		why = append(why, fmt.Sprintf("charges and penalties of %s %s against payables of %s %s", debit, st.Currency, credit, st.Currency))
	}
	what := "worth nothing"
	if st.Value.IsNegative() {
		what = "worth less than nothing: the seller would owe the buyer"
	}
	return fmt.Sprintf("%s is %s under contract %s (value %s %s): %s; the term sheet states no rejection limit, so the lot is not refused — check it against the contract's specification before relying on this invoice", lotName(st.Lot), what, st.Contract, st.Value, st.Currency, strings.Join(why, "; "))
}

// settledDMT is the dry tonnes a settlement of kind would rest on — the
// weights step of Settle alone, which reads no price or assay.
func settledDMT(ts *TermSheet, lot *LotFacts, kind string) (decimal.Decimal, error) {
	q, err := settlementQuantity(ts, lot, kind, nil)
	if err != nil {
		return zero, err
	}
	return q.DMT, nil
}

// Quantity is the weight a settlement rests on (SettlementQuantity): the
// wet tonnes chosen by the contract's weights terms, the moisture
// determined with them, and their dry tonnes, each with its formula and
// events as the settlement's facts give them.
type Quantity struct {
	// Kind is the settlement whose quantity this is: final when the lot
	// has a discharge weighing (the final settles on it, or on the
	// loading weight, as weights.final_at and the franchise say), else
	// provisional (the loading weight and moisture).
	Kind        string          `json:"kind"`
	WMT         decimal.Decimal `json:"wmt"`
	MoisturePct decimal.Decimal `json:"moisture_pct"`
	DMT         decimal.Decimal `json:"dmt"`
	// Formula says which weighing and moisture were taken and why (the
	// settlement's wmt and moisture facts) and the dry tonnes.
	Formula string `json:"formula"`
	// MoistureEvents are the events of the moisture determination used.
	MoistureEvents []string `json:"moisture_events,omitempty"`
}

// SettlementQuantity is the quantity a lot settles on under ts: the
// weights step of Settle itself (calc.weights — the same code, so that a
// settlement and anything compared with it, the NSR comparison of a lot,
// rest on one quantity). A lot with a discharge weighing is taken at
// its final settlement's weights (weights.final_at, franchise, gain;
// moisture follows the weight: ASTM E 1345 / ISO 12743 sampling, the
// dry tonnage is one sample's wet weight less that sample's water);
// without one at the provisional's, the loading weight and moisture.
// accepted are the acceptances kept with the lot's invoices (a moisture
// or dry loss accepted for them).
func SettlementQuantity(ts *TermSheet, lot *LotFacts, accepted []Acceptance) (*Quantity, error) {
	kind := Provisional
	if lot.Discharge != nil {
		kind = Final
	}
	return settlementQuantity(ts, lot, kind, accepted)
}

func settlementQuantity(ts *TermSheet, lot *LotFacts, kind string, accepted []Acceptance) (*Quantity, error) {
	if lot.BLDate.IsZero() {
		return nil, fieldErrorf("lot/bl_date", "%s has no bill-of-lading (shipping) date", lotName(lot.Lot))
	}
	c := &calc{ts: ts, lot: lot, opt: SettleOptions{Kind: kind, inherited: accepted}, st: &Settlement{}}
	if err := c.weights(); err != nil {
		return nil, err
	}
	q := &Quantity{Kind: kind, WMT: c.st.WMT, MoisturePct: c.st.Moisture, DMT: c.st.DMT}
	var how []string
	for _, f := range c.st.Facts {
		switch f.Name {
		case "wmt", "moisture":
			how = append(how, f.Formula)
			if f.Name == "moisture" {
				q.MoistureEvents = f.Events
			}
		case "dmt":
			how = append(how, f.Formula)
		}
	}
	q.Formula = strings.Join(how, "; ")
	return q, nil
}

// SublotTolerancePct is how far the sublots' total dry weight may differ
// from the lot's settled dry weight, in % of the latter: 0.5 %, the usual
// weight franchise of concentrate contracts (sublots are weighed
// separately, so their sum and the lot's weight differ by weighing
// error only). A larger difference refuses the final settlement.
var SublotTolerancePct = decimal.RequireFromString("0.5")

// NSRPerDMT is the net smelter return per dmt of a settlement's lines: the
// sum of their per-dmt figures (each to 6 places), rounded half away from
// zero to 4 places.
func NSRPerDMT(lines []Line) decimal.Decimal {
	sum := zero
	for _, l := range lines {
		sum = sum.Add(l.PerDMT)
	}
	return sum.Round(4)
}

type calc struct {
	ts  *TermSheet
	lot *LotFacts
	opt SettleOptions
	st  *Settlement
	// replayed counts the recorded prices a replay has used.
	replayed int
	// payableGrams is grams of payable metal per dmt, by element.
	payableGrams map[string]decimal.Decimal
	prices       map[string]PriceFact
	// weighEvents are the events the dry tonnes rest on (bill of lading,
	// weights, moisture): every line's amount is per dmt × dmt.
	weighEvents []string
	// used marks the acceptances (opt.Accept, by index) a refusal used.
	used map[int]bool
}

// line adds a settlement line. Its events are the ones the dry tonnes rest
// on followed by the line's own (assays), each once.
func (c *calc) line(code, label, formula string, perDMT decimal.Decimal, events ...string) {
	c.st.Lines = append(c.st.Lines, Line{Code: code, Label: label, Formula: formula, PerDMT: perDMT.Round(6), Amount: c.ts.round(perDMT.Mul(c.st.DMT)), Events: uniqueEvents(append(append([]string(nil), c.weighEvents...), events...))})
}

// lineEvents returns the events of the line with code (nil if none).
func (c *calc) lineEvents(code string) []string {
	for _, l := range c.st.Lines {
		if l.Code == code {
			return l.Events
		}
	}
	return nil
}

// uniqueEvents drops empty and repeated ids, keeping the first order.
func uniqueEvents(ids []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func (c *calc) weights() error {
	w := c.lot.Loading
	var weighEvents []string
	how := fmt.Sprintf("bill-of-lading (loading) weight %s wmt", w.WMT)
	moistureHow := "moisture determination"
	if d := c.lot.Discharge; c.opt.Kind == Final && d != nil {
		// Whenever both weighings exist their dry tonnes must agree,
		// whatever weights.final_at says: the final never rests on
		// weighings that contradict each other (a provisional issued
		// before the receipt is not affected).
		if err := c.accepted(dryGain(c.lot.Lot, c.lot.Loading, *d)); err != nil {
			return err
		}
	}
	// A moisture beyond its commodity's plausible range is refused even
	// when both ports agree on it (the same slip at both ends passes the
	// comparison above), and at loading alone for a provisional.
	if err := c.accepted(c.plausibleMoisture()); err != nil {
		return err
	}
	if c.opt.Kind == Final && c.ts.Weights.FinalAt == "discharge" {
		d := c.lot.Discharge
		if d == nil {
			return fieldErrorf("lot/discharge", "the contract settles on discharge weights and %s has no receipt weight", lotName(c.lot.Lot))
		}
		// A weight franchise: an outturn loss within FranchisePct of the
		// loading weight is not claimed (the loading weight stands); a
		// larger loss is, in full (the outturn weight stands). Moisture
		// follows the weight used (docs/trade.md, "Moisture is determined
		// where the weight is"): the loading weight goes with the loading
		// moisture, the outturn weight with the outturn moisture — a dry
		// tonnage is one sample's wet weight less that sample's water,
		// never a weight taken at one port less water measured at another.
		floor := w.WMT.Mul(one.Sub(pct(c.ts.Weights.FranchisePct)))
		outturn := func() error {
			if d.MoistureFromLoading {
				// No determination, no dry tonnes: the outturn weight
				// less water measured at the loading port is no dry
				// tonnage (docs/trade.md, "Moisture is determined where
				// the weight is"). Refused unless the parties agree to
				// use the loading moisture (AcceptLoadingMoisture).
				if err := c.accepted(&DryGainError{Lot: c.lot.Lot, Check: AcceptLoadingMoisture, Err: fieldErrorf("lot/discharge/moisture", "%s", fmt.Sprintf("%s: contract %s settles at discharge weights and the outturn weight %s wmt (receipt event %s) stands, but no moisture was determined at discharge (no cm:moisture or H2O on the receipt or since the bill of lading): the dry tonnes of the outturn need the outturn's own moisture, and the loading moisture %s %% (event %s) was measured on another sample at another port. Capture the discharge moisture determination (cm:moisture, or an H2O MassConcentration in %%) before the final settlement or invoice", lotName(c.lot.Lot), c.ts.ID, d.WMT, d.EventID, d.MoisturePct, d.MoistureEvent)+acceptHint(AcceptLoadingMoisture))}); err != nil {
					return err
				}
				c.st.Warnings = append(c.st.Warnings, fmt.Sprintf("the contract settles at discharge but the receipt (event %s) has no moisture determination: the loading moisture %s %% (event %s) is used, as accepted (%s)", d.EventID, d.MoisturePct, d.MoistureEvent, AcceptLoadingMoisture))
				moistureHow = "loading moisture determination, accepted for the outturn weight: no discharge determination captured"
			} else {
				moistureHow = "discharge (outturn) moisture determination, with the outturn weight"
			}
			w = *d
			return nil
		}
		loading := func() {
			moistureHow = "loading moisture determination, with the loading weight (moisture follows the weight)"
			weighEvents = append(weighEvents, d.EventID)
		}
		if d.WMT.GreaterThan(w.WMT) && c.ts.Weights.Gain != "loading" {
			// Final at discharge: the discharge weight counts, gain
			// included (weights.gain "loading" says otherwise).
			how = fmt.Sprintf("outturn %s wmt > loading %s: final at discharge, the outturn weight (gain included)", d.WMT, w.WMT)
			if err := outturn(); err != nil {
				return err
			}
		} else if d.WMT.GreaterThan(w.WMT) {
			how = fmt.Sprintf("outturn %s wmt > loading %s: the loading weight (weights.gain loading: a gain is not credited)", d.WMT, w.WMT)
			loading()
		} else if d.WMT.LessThan(floor) {
			how = fmt.Sprintf("outturn %s wmt < loading %s × (1 − %s %% franchise) = %s: the outturn weight", d.WMT, w.WMT, c.ts.Weights.FranchisePct, floor)
			if err := outturn(); err != nil {
				return err
			}
		} else {
			how = fmt.Sprintf("outturn %s wmt ≥ loading %s × (1 − %s %% franchise) = %s: the loading weight", d.WMT, w.WMT, c.ts.Weights.FranchisePct, floor)
			loading()
		}
	}
	if !w.WMT.IsPositive() {
		return fieldErrorf("lot/loading/wmt", "%s has no wet weight", lotName(c.lot.Lot))
	}
	for _, p := range w.Parts {
		if p.NoMoisture {
			// A lot received in parts: each part's dry tonnes need that
			// part's moisture; another part's (or the loading one) was
			// not determined on its sample.
			return fieldErrorf("lot/moisture", "%s was received in %s and its %s wmt receipt of %s (event %s) has no moisture determination of its own (on the receipt, or since the previous weighing): the outturn is Σ wmt × (1 − moisture) of its parts; capture that receipt's moisture (cm:moisture) before settling or invoicing", lotName(c.lot.Lot), Count(len(w.Parts), "part"), p.WMT, p.Date.Format(time.DateOnly), p.EventID)
		}
	}
	if w.NoMoisture {
		// The weight is wet; dry tonnes need its moisture. No moisture
		// is assumed (0 % would invoice water as concentrate) and no
		// event is cited for one it does not carry.
		return fieldErrorf("lot/moisture", "%s has no moisture determination (cm:moisture, or a MassConcentration of H2O in %%) for its %s wmt weighing (event %s): the weight is wet and dry tonnes need its moisture; capture the moisture determination before settling or invoicing", lotName(c.lot.Lot), w.WMT, w.EventID)
	}
	// dmt = wmt × (1 − moisture), to the kilogram; for a lot received in
	// parts Σ wmt_i × (1 − moisture_i).
	c.st.WMT, c.st.Moisture = w.WMT, w.MoisturePct
	c.st.DMT = w.DMT()
	if c.opt.oneDMT {
		c.st.DMT = one
	}
	wEvents, mEvents := []string{w.EventID}, []string{moistureEvent(w)}
	dmtHow := fmt.Sprintf("%s wmt × (1 − %s %%) = %s dmt", w.WMT, w.MoisturePct, c.st.DMT)
	if len(w.Parts) > 0 {
		c.st.Parts = w.Parts
		wEvents, mEvents = nil, nil
		var wet, dry []string
		for _, p := range w.Parts {
			wEvents, mEvents = append(wEvents, p.EventID), append(mEvents, moistureEvent(p))
			wet = append(wet, p.WMT.String())
			dry = append(dry, fmt.Sprintf("%s × (1 − %s %%)", p.WMT, p.MoisturePct))
		}
		how += fmt.Sprintf("; received in %s: %s = %s wmt", Count(len(w.Parts), "part"), strings.Join(wet, " + "), w.WMT)
		moistureHow += fmt.Sprintf("; each part's own determination (%s %% is the effective 1 − Σ dry ÷ Σ wet)", w.MoisturePct)
		dmtHow = fmt.Sprintf("%s = %s dmt", strings.Join(dry, " + "), c.st.DMT)
	}
	c.weighEvents = uniqueEvents(append(append([]string{c.lot.BLEvent}, wEvents...), append(weighEvents, mEvents...)...))
	c.st.Facts = append(c.st.Facts,
		Fact{Name: "wmt", Value: w.WMT, Unit: "t", Formula: how, Events: nonEmpty(append(wEvents, weighEvents...)...)},
		Fact{Name: "moisture", Value: w.MoisturePct, Unit: "%", Formula: moistureHow, Events: uniqueEvents(mEvents)},
		Fact{Name: "dmt", Value: c.st.DMT, Unit: "t", Formula: dmtHow})
	if q := c.ts.Quantity; q != nil && q.DMT.IsPositive() {
		// A lot beyond the contract's whole quantity (with its
		// tolerance) is a wrong figure, typically a mass unit (TNE
		// captured for KGM: 1 000 times the weight), not a delivery.
		limit := q.DMT.Mul(one.Add(pct(q.TolerancePct)))
		if c.st.DMT.GreaterThan(limit) {
			msg := fmt.Sprintf("%s: %s dmt (%s wmt × (1 − %s %%), weighing event %s) exceeds the whole quantity of contract %s, %s dmt + %s %% tolerance = %s dmt: one lot cannot be more than the contract. Check the mass unit of the weighing (uom KGM is kilograms, TNE tonnes: 100 000 KGM = 100 t) and correct the commissioning, bill-of-lading or receipt event (retract it and capture the right quantity) before invoicing",
				lotName(c.lot.Lot), c.st.DMT, w.WMT, w.MoisturePct, w.EventID, c.ts.ID, q.DMT, q.TolerancePct, limit)
			return &DryGainError{Lot: c.lot.Lot, LoadingDMT: c.st.DMT, Err: fieldErrorf("lot/loading/wmt", "%s", msg)}
		}
	}
	if m := c.ts.Moisture; m != nil && w.MoisturePct.GreaterThan(m.FranchisePct) {
		excess := w.MoisturePct.Sub(m.FranchisePct)
		c.line("moisture", "Excess moisture", fmt.Sprintf("−(%s %% − %s %% franchise) × %s %s/dmt per %% = %s %s/dmt", w.MoisturePct, m.FranchisePct, m.Rate, c.ts.Currency, signed(excess.Mul(m.Rate).Neg().Round(4)), c.ts.Currency), excess.Mul(m.Rate).Neg(), moistureEvent(w))
	}
	return nil
}

// DryGainTolerance is the relative excess of discharge over loading dry
// tonnes a final settlement at discharge accepts: ledger.OutturnTolerance,
// 0.5 %, two weighbridges' combined error (moisture samples add their own,
// well inside it). Dry mass cannot grow in transit — water can be gained
// or lost, concentrate cannot be gained — so more than this is a fault in
// the recorded weights or moisture (typically a moisture in per cent
// captured as a fraction: H2O 0.115 with uom P1 is 0.115 %, not 11.5 %).
var DryGainTolerance = decimal.NewFromFloat(ledger.OutturnTolerance)

// MoistureAgreementPts is how far, in percentage points, the loading and
// discharge moisture samples of one lot may differ by sampling alone (two
// samples at two ports, drainage within the hold): 1 point. A lot's dry
// loss may exceed its wet loss by the weighing tolerance on the loading
// dry tonnes plus this share of the discharge wet weight; beyond it the
// weighings contradict each other (dryGain).
var MoistureAgreementPts = decimal.NewFromInt(1)

// DryGainError is the refusal of a settlement resting on figures that
// contradict each other or their contract's scale: discharge dry tonnes
// beyond the loading ones (DryGainTolerance), a dry loss beyond the wet
// loss, a lot beyond the contract's quantity, a grade or price beyond its
// plausible bounds (GradeBounds, PriceBounds). Settle reports
// it as EINVALID naming lot/discharge (the final settlement cannot be
// computed: valuations and what-ifs show it as the reason the final
// figure is missing); issuing an invoice on it is ECONFLICT (409): the
// recorded data contradict each other — and so is the settlement of a
// lot whose provisional settlement fails on it: the settlement page and
// GET /api/v1/trade/settlement refuse it as the invoice does
// (dataConflict).
type DryGainError struct {
	Err error
	// Check names the plausibility check that refused (AcceptDryLoss,
	// AcceptMoisture, AcceptGrade), which a person may accept
	// (SettleOptions.Accept); "" for a refusal that cannot be accepted
	// (a lot beyond its contract's quantity, a price beyond its bounds).
	Check string
	// Lot, LoadingDMT and DischargeDMT are the lot and its dry tonnes.
	Lot                      string
	LoadingDMT, DischargeDMT decimal.Decimal
}

func (e *DryGainError) Error() string { return e.Err.Error() }
func (e *DryGainError) Unwrap() error { return e.Err }

// FeedLot is the identifier NetValuePerTonne gives the forecast feed it
// values (grades, no lot): never a lot of the ledger, and never shown.
const FeedLot = "feed"

// lotName names a lot in a message: "lot ID", or "the feed" for the
// forecast feed (FeedLot) — a message never reads "lot feed".
func lotName(id string) string {
	if id == FeedLot {
		return "the feed"
	}
	return "lot " + id
}

// dryGain refuses a discharge weighing d whose dry tonnes exceed the
// loading weighing w's by more than DryGainTolerance; nil when either has
// no moisture determination (no dry tonnes to compare) or no weight.
func dryGain(lot string, w, d Weighing) error {
	if w.NoMoisture || d.NoMoisture || !w.WMT.IsPositive() || !d.WMT.IsPositive() {
		return nil
	}
	for _, p := range d.Parts {
		if p.NoMoisture {
			return nil
		}
	}
	ld, dd := w.DMT(), d.DMT()
	// The ports' moisture samples may differ by MoistureAgreementPts
	// either way (a discharge sample 1 point drier than the loading one
	// reads as a dry gain of about 1 %): the same allowance as a loss.
	moist := d.WMT.Mul(pct(MoistureAgreementPts))
	limit := ld.Mul(one.Add(DryGainTolerance)).Add(moist)
	dMoist := fmt.Sprintf("H2O %s %% (event %s)", d.MoisturePct, moistureEvent(d))
	if d.MoistureFromLoading {
		dMoist = fmt.Sprintf("the loading H2O %s %%: no discharge determination", d.MoisturePct)
	} else if len(d.Parts) > 0 {
		dMoist = fmt.Sprintf("received in %d parts, effective H2O %s %%", len(d.Parts), d.MoisturePct)
	}
	if !dd.GreaterThan(limit) {
		// Dry loss: concentrate lost in transit is lost wet too, so the
		// dry loss is at most the wet loss (water may drain, never
		// turn into concentrate) plus the weighing tolerance on the
		// loading dry tonnes.
		wetLoss := dmax(w.WMT.Sub(d.WMT), zero)
		loss := ld.Sub(dd)
		allowed := wetLoss.Add(ld.Mul(DryGainTolerance)).Add(moist)
		if !loss.GreaterThan(allowed) {
			return nil
		}
		msg := fmt.Sprintf("%s: discharge %s dmt (%s wmt × (1 − %s %%), %s; weighing event %s) is %s dmt (%s %%) below loading %s dmt (%s wmt × (1 − %s %%), H2O %s %% (event %s); weighing event %s), while the wet weight changed by %s wmt: the dry loss exceeds the wet loss %s wmt + the %s %% weighing tolerance (%s dmt) + %s moisture point between the ports' samples (%s dmt) = %s dmt. Concentrate lost in transit is lost wet too, so a moisture or weight figure is wrong — typically a moisture entered as a fraction of per cent (an H2O MassConcentration with uom P1 is per cent: 9 %% is 9, not 0.09; cm:moisture is a fraction, 0.09) or a mass in the wrong unit (KGM kilograms, TNE tonnes). Correct the loading or discharge moisture or weight event (retract it and capture the right figure) before the final invoice",
			lotName(lot), dd, d.WMT, d.MoisturePct, dMoist, d.EventID, loss, loss.Div(ld).Mul(hundred).Round(1), ld, w.WMT, w.MoisturePct, w.MoisturePct, moistureEvent(w), w.EventID,
			signed(d.WMT.Sub(w.WMT)), wetLoss, DryGainTolerance.Mul(hundred), ld.Mul(DryGainTolerance), MoistureAgreementPts, moist, allowed)
		return &DryGainError{Lot: lot, LoadingDMT: ld, DischargeDMT: dd, Check: AcceptDryLoss, Err: fieldErrorf("lot/discharge", "%s", msg+acceptHint(AcceptDryLoss))}
	}
	gain := dd.Sub(ld)
	msg := fmt.Sprintf("%s: discharge %s dmt (%s wmt × (1 − %s %%), %s; weighing event %s) exceeds loading %s dmt (%s wmt × (1 − %s %%), H2O %s %% (event %s); weighing event %s) by %s dmt (%s %%), beyond the %s %% weighing tolerance (%s dmt) + %s moisture point between the ports' samples (%s dmt) = %s dmt: dry mass cannot grow in transit, so the discharge weight or moisture is wrong. Moisture figures are in per cent: an H2O MassConcentration with uom P1 is per cent (11.5 %% is 11.5, not 0.115), cm:moisture a fraction (0.115); correct the discharge moisture or weight event (retract it and capture the right figure) before the final invoice",
		lotName(lot), dd, d.WMT, d.MoisturePct, dMoist, d.EventID, ld, w.WMT, w.MoisturePct, w.MoisturePct, moistureEvent(w), w.EventID,
		gain, gain.Div(ld).Mul(hundred).Round(1), DryGainTolerance.Mul(hundred), ld.Mul(DryGainTolerance), MoistureAgreementPts, moist, limit.Sub(ld))
	return &DryGainError{Lot: lot, LoadingDMT: ld, DischargeDMT: dd, Check: AcceptDryLoss, Err: fieldErrorf("lot/discharge", "%s", msg+acceptHint(AcceptDryLoss))}
}

// moistureEvent is the event that determined w's moisture; "" when none
// did (NoMoisture): an event is never cited for a fact it does not carry.
func moistureEvent(w Weighing) string {
	if w.NoMoisture {
		return ""
	}
	if w.MoistureEvent != "" {
		return w.MoistureEvent
	}
	return w.EventID
}

// analytes lists every analyte the contract reads.
func (c *calc) analytes() []string {
	var out []string
	add := func(a string) {
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, p := range c.ts.Payables {
		for _, a := range p.analytes() {
			add(a)
		}
	}
	if b := c.ts.Basket; b != nil {
		add(b.Basis)
		for _, o := range b.Oxides {
			if o.Share == nil {
				add(o.Oxide)
			}
		}
	}
	for _, p := range c.ts.Penalties {
		add(p.Analyte)
	}
	return out
}

func (p *Payable) analytes() []string {
	if len(p.Analytes) > 0 {
		return p.Analytes
	}
	return []string{p.Element}
}

func (c *calc) grades() error {
	need := c.analytes()
	grades := map[string]Grade{}
	if c.opt.Kind == Final && c.ts.Exchange != nil {
		// Penalty elements are settled too; every analyte the contract
		// reads must have gone through the exchange.
		sublots := c.lot.Sublots
		if len(sublots) > 0 {
			// Disagreeing weights first: their total would rest on
			// whichever party stated last (fix13z).
			if err := CheckSublotWeights(sublots); err != nil {
				return err
			}
			total := zero
			for _, s := range sublots {
				total = total.Add(s.DMT)
			}
			// The sublots make up the lot: their dry weights sum to the
			// settled dry weight within SublotTolerancePct of it.
			tol := c.st.DMT.Mul(pct(SublotTolerancePct))
			if diff := total.Sub(c.st.DMT).Abs(); diff.GreaterThan(tol) && c.st.WMT.GreaterThan(c.st.DMT) && !total.LessThan(c.st.WMT.Sub(tol)) {
				// Dry tonnes at or above the lot's wet tonnes: the
				// parties stated wet weights as dry (fix13r).
				return fieldErrorf("sublots", "the %s weigh %s dmt (cm:sublotDMT), at least the lot's wet weight: %s is %s wmt at %s %% moisture, %s dmt. Dry tonnes cannot exceed wet tonnes, so the sublot weights are most likely wet tonnes stated as dry; state each sublot's dry weight, wmt × (1 − moisture), in cm:sublotDMT (retract the submissions and submit again)",
					Count(len(sublots), "sublot"), total, lotName(c.lot.Lot), c.st.WMT, c.st.Moisture, c.st.DMT)
			} else if diff.GreaterThan(tol) {
				return fieldErrorf("sublots", "the %s weigh %s dmt; %s settles on %s dmt, a difference of %s dmt over the %s %% tolerance (%s dmt)", Count(len(sublots), "sublot"), total, lotName(c.lot.Lot), c.st.DMT, diff, SublotTolerancePct, tol.Round(3))
			}
			c.st.Facts = append(c.st.Facts, Fact{Name: "sublots", Value: decimal.NewFromInt(int64(len(sublots))), Unit: "", Formula: fmt.Sprintf("%s, %s dmt", Count(len(sublots), "sublot"), total)})
		}
		g, settled, err := SettleAssays(c.ts.Exchange, c.lot.Results, sublots, need)
		if err != nil {
			return err
		}
		grades, c.st.Exchange = g, settled
	} else {
		src, unknown := c.lot.Assays, c.lot.UnknownAtLoading
		if c.opt.Kind == Final {
			// Without exchange terms the final invoice reads the newest
			// assay, an exchange result of any party included.
			if g, u := newestGrades(c.lot); len(g) > 0 || len(u) > 0 {
				src, unknown = g, u
			}
		}
		for _, a := range need {
			g, ok := src[a]
			if !ok {
				if why, ok := unknown[a]; ok {
					return fieldErrorf("lot/assays/"+a, "%s, which the contract needs: the lot is not valued on a grade of unknown basis", why)
				}
				for k := range src {
					if strings.EqualFold(k, a) {
						return fieldErrorf("lot/assays/"+a, "%s has no %s assay, which the contract needs; it has one spelled %q — element symbols are read in any case and written as IUPAC spells them, other analytes (oxides, totals) are compared exactly: the contract and the lot's assay must name the same analyte", lotName(c.lot.Lot), a, k)
					}
				}
				return fieldErrorf("lot/assays/"+a, "%s has no %s assay, which the contract needs", lotName(c.lot.Lot), a)
			}
			grades[a] = g
		}
		if err := c.oneSample(grades); err != nil {
			return err
		}
	}
	for _, a := range need {
		g := grades[a]
		c.st.Facts = append(c.st.Facts, Fact{Name: a, Value: g.Value, Unit: g.Unit, Formula: g.Formula, Events: g.Events})
	}
	c.st.Grades = grades
	if w := unusedResults(c.lot, need, grades, c.unusedWhy()); w != "" {
		c.st.Warnings = append(c.st.Warnings, w)
	}
	return nil
}

// unusedWhy says on what a settlement rests instead of the exchange
// results it does not use (unusedResults, fix13y).
func (c *calc) unusedWhy() string {
	noClause := ""
	if c.ts.Exchange == nil {
		noClause = fmt.Sprintf("contract %s has no assay_exchange clause, so no rule settles them; ", c.ts.ID)
	}
	switch {
	case c.opt.bestKnown:
		return noClause + "the valuation rests on the best-known grades named in the facts (a basket's shares read from one sample)"
	case c.opt.Kind == Provisional:
		return noClause + "a provisional settlement reads the assays known at loading"
	case c.ts.Exchange == nil:
		return noClause + "the results are read as assays: the newest of each analyte stands, and a basket's shares are read from one sample"
	}
	return "the exchange settled on the results named in the facts"
}

// signed writes a formula's signed result: Money's minus sign (−) for a
// negative value (−21.25) and a plus sign for a positive one (+10), so a
// result reads as a debit or a credit, never "−-10".
func signed(d decimal.Decimal) string {
	if d.IsPositive() {
		return "+" + d.String()
	}
	return Money(d, -1)
}

// minus is the sign of a charge on d in formula text: "−", or "" when d
// is zero (no negative zero: nothing payable is charged nothing).
func minus(d decimal.Decimal) string {
	if d.IsZero() {
		return ""
	}
	return "−"
}

// Money is the one way trade text (CLI, pages, workbook text, formulas)
// writes a signed amount: a true minus sign (U+2212) before a negative
// value, never "-" beside "−"; places ≥ 0 fixes the decimals, < 0 keeps
// the exact decimal text. Amounts in JSON and workbook cells stay numbers.
func Money(d decimal.Decimal, places int32) string {
	txt := d.String()
	if places >= 0 {
		txt = d.StringFixed(places)
	}
	if rest, ok := strings.CutPrefix(txt, "-"); ok {
		return "−" + rest
	}
	return txt
}

// FormatAmount writes an amount of currency as trade text shows money
// (pages, CLI tables): the currency's ISO 4217 minor units (JPY 0: yen
// have no minor unit, so 30,683,011 not 30683011.00; USD 2; an unknown
// code 2), thousands grouped with commas, the true minus sign (Money).
func FormatAmount(d decimal.Decimal, currency string) string {
	places, ok := minorUnits[currency]
	if !ok {
		places = 2
	}
	return GroupThousands(Money(d.Round(places), places))
}

// GroupThousands puts commas between thousands of a number's integer
// part as Money writes it ("−1234567.5" → "−1,234,567.5").
func GroupThousands(txt string) string {
	neg := strings.HasPrefix(txt, "−")
	txt = strings.TrimPrefix(txt, "−")
	intPart, frac, hasFrac := strings.Cut(txt, ".")
	var b strings.Builder
	if neg {
		b.WriteString("−")
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString("." + frac)
	}
	return b.String()
}

// oneSample makes a basket's share grades (its basis and every oxide
// without a fixed share) come from one sample: a share is oxide ÷ basis,
// the composition of one sample, and a ratio of grades from two samples
// is no composition (docs/trade.md, "Which assays a settlement reads").
// When the grades picked analyte by analyte come from different events,
// the latest sample reporting all of them is used instead (at loading for
// a provisional settlement); none is EINVALID naming the analytes. Facts
// given without samples (tests, NSR of given grades) are taken as one.
func (c *calc) oneSample(grades map[string]Grade) error {
	return oneSample(c.ts.Basket, grades, c.lot.Samples, c.opt.Kind == Provisional, c.lot.Lot)
}

// oneSample is calc.oneSample for a basket b, the grades picked, the
// lot's samples; atLoading restricts it to samples known at loading.
func oneSample(b *Basket, grades map[string]Grade, samples []AssaySample, atLoading bool, lot string) error {
	if b == nil || len(samples) == 0 {
		return nil
	}
	need := []string{b.Basis}
	for _, o := range b.Oxides {
		if o.Share == nil {
			need = append(need, o.Oxide)
		}
	}
	if len(need) == 1 {
		return nil
	}
	// Grades the assay exchange settled are the lot's contractual assays
	// (the final invoice reads them as they are): a best-known valuation
	// of the lot (NSR, planner, exposure) reads them the same way.
	exchanged := true
	for _, a := range need {
		if !grades[a].Exchanged {
			exchanged = false
		}
	}
	if exchanged {
		return nil
	}
	same := true
	for _, a := range need[1:] {
		if !slices.Equal(grades[a].Events, grades[need[0]].Events) {
			same = false
		}
	}
	if same {
		return nil
	}
	for i := len(samples) - 1; i >= 0; i-- {
		sm := samples[i]
		if atLoading && !sm.AtLoading {
			continue
		}
		all := true
		for _, a := range need {
			if _, ok := sm.Grades[a]; !ok {
				all = false
			}
		}
		if all {
			for _, a := range need {
				g := sm.Grades[a]
				g.Formula += "; the basket's shares are read from one sample (event " + sm.EventID + ")"
				grades[a] = g
			}
			return nil
		}
	}
	return fieldErrorf("lot/assays/"+b.Basis, "no single assay of %s reports %s: a basket share is oxide ÷ %s of one sample, and the latest grades come from different events", lotName(lot), strings.Join(need, ", "), b.Basis)
}

// grade sums a payable's analytes, which must share its grade unit.
func (c *calc) grade(analytes []string, unit, at string) (decimal.Decimal, []string, error) {
	sum := zero
	var events []string
	for _, a := range analytes {
		g := c.st.Grades[a]
		v, err := convertGrade(g.Value, g.Unit, unit)
		if err != nil {
			return zero, nil, fieldErrorf(at, "%s is assayed in %s: %v", a, g.Unit, err)
		}
		if err := c.accepted(plausibleGrade(c.ts.Commodity, c.lot.Lot, a, g, v, unit)); err != nil {
			return zero, nil, err
		}
		sum = sum.Add(v)
		events = append(events, g.Events...)
	}
	// A payable's grade is a part of the sample: the analytes summed
	// (Nd2O3 + Pr6O11 for NdPr oxide) are at most the whole of it.
	if len(analytes) > 1 {
		if err := CheckGrade(sum, unit, at); err != nil {
			return zero, nil, fieldErrorf(at, "%s add up to %s %s, more than the whole sample", strings.Join(analytes, " + "), sum, unit)
		}
	}
	return sum, events, nil
}

// convertGrade converts between %, g/t and ppm (1 % = 10 000 g/t).
func convertGrade(v decimal.Decimal, from, to string) (decimal.Decimal, error) {
	if from == to || (from == "g/t" && to == "ppm") || (from == "ppm" && to == "g/t") {
		return v, nil
	}
	if !validGradeUnit(from) || !validGradeUnit(to) {
		return zero, fmt.Errorf("cannot convert %s to %s", from, to)
	}
	g := gramsPerDMT(v, from)
	if to == "%" {
		return g.Div(decimal.NewFromInt(10_000)), nil
	}
	return g, nil
}

// qpRule returns the rule that prices an element.
func (c *calc) qpRule(own *QPRule) *QPRule {
	if own != nil {
		return own
	}
	return &c.ts.QP
}

// price resolves a price reference for element under the settlement's kind.
func (c *calc) price(element string, ref PriceRef, qp *QPRule, at string) (decimal.Decimal, PriceFact, error) {
	pf := PriceFact{Element: element, Series: ref.Series, Unit: ref.Unit}
	if c.opt.replay != nil {
		// The price as the settlement recorded it, after its percentage,
		// floor and cap: the replay re-derives the lines from it.
		if c.replayed >= len(c.opt.replay) {
			return zero, pf, fieldErrorf("settlement/prices", "the settlement records %d prices; the contract reads more (%s)", len(c.opt.replay), element)
		}
		rec := c.opt.replay[c.replayed]
		c.replayed++
		if rec.Element != element || rec.Series != ref.Series || rec.Unit != ref.Unit {
			return zero, pf, fieldErrorf(fmt.Sprintf("settlement/prices/%d", c.replayed-1), "records %s (%s, %s); the contract prices %s (%s, %s) here", rec.Element, rec.Series, rec.Unit, element, ref.Series, ref.Unit)
		}
		price := rec.Exact
		if price.IsZero() {
			price = rec.Price
		}
		c.st.Prices = append(c.st.Prices, rec)
		return price, rec, nil
	}
	if c.opt.Kind == Final {
		_, end := qpSpan(qp, c.lot, element, c.opt.Declarations)
		c.st.QPEnd = max(c.st.QPEnd, end.Format(time.DateOnly))
	}
	var base decimal.Decimal
	switch {
	case ref.Fixed != nil:
		base = *ref.Fixed
		pf.Formula = fmt.Sprintf("fixed price %s %s", base, ref.Unit)
	case c.opt.Spot != nil && c.opt.Spot[ref.Series].IsPositive():
		base = c.opt.Spot[ref.Series]
		pf.Formula = fmt.Sprintf("spot %s %s", base, ref.Unit)
	default:
		s := c.opt.Prices[ref.Series]
		if s == nil {
			return zero, pf, fieldErrorf(at+"/series", "price series %q is not loaded", ref.Series)
		}
		su, err := ParsePriceUnit(s.Unit, "series "+s.ID+"/unit")
		if err != nil {
			return zero, pf, err
		}
		if su.Currency != c.ts.Currency {
			return zero, pf, fieldErrorf(at+"/unit", "price series %s is in %s (%s), the contract in %s: currency mismatch", s.ID, su.Currency, s.Unit, c.ts.Currency)
		}
		if s.Unit != ref.Unit {
			return zero, pf, fieldErrorf(at+"/unit", "price series %s is quoted in %s, the contract prices %s in %s", s.ID, s.Unit, element, ref.Unit)
		}

		if c.opt.Kind == Provisional {
			base, err = c.provisionalPrice(s, &pf, at)
		} else {
			base, err = c.qpPrice(element, s, qp, &pf, at)
		}
		if err != nil {
			return zero, pf, err
		}
	}
	price := base
	// steps: each step from the quote to the price, written out (a line
	// formula shows them all: PriceFact.Text, Short).
	steps := ""
	if ref.Pct != nil {
		price = base.Mul(pct(*ref.Pct))
		pf.Formula += fmt.Sprintf("; × %s %% = %s", ref.Pct, price.Round(6))
		steps = fmt.Sprintf("%s %% × %s = %s", ref.Pct, base.Round(6), price.Round(6))
	}
	inner := func() string {
		if steps != "" {
			return steps
		}
		return price.Round(6).String()
	}
	if ref.Floor != nil && price.LessThan(*ref.Floor) {
		pf.Bound = fmt.Sprintf("max(%s, floor %s) = %s %s (the floor applies)", price.Round(6), ref.Floor, ref.Floor, ref.Unit)
		steps = fmt.Sprintf("max(%s, floor %s) = %s", inner(), ref.Floor, ref.Floor)
		price = *ref.Floor
		pf.Formula += fmt.Sprintf("; below the floor: %s %s", ref.Floor, ref.Unit)
	}
	if ref.Cap != nil && price.GreaterThan(*ref.Cap) {
		pf.Bound = fmt.Sprintf("min(%s, cap %s) = %s %s (the cap applies)", price.Round(6), ref.Cap, ref.Cap, ref.Unit)
		steps = fmt.Sprintf("min(%s, cap %s) = %s", inner(), ref.Cap, ref.Cap)
		price = *ref.Cap
		pf.Formula += fmt.Sprintf("; above the cap: %s %s", ref.Cap, ref.Unit)
	}
	pf.steps = steps
	pf.Price, pf.Exact = price.Round(6), price
	c.st.Prices = append(c.st.Prices, pf)
	return price, pf, nil
}

func (c *calc) provisionalPrice(s *PriceSeries, pf *PriceFact, at string) (decimal.Decimal, error) {
	bl := c.lot.BLDate
	switch c.ts.Provision.Rule {
	case "prior_month_average":
		from, to := monthSpan(bl, -1)
		v, n, err := s.Average(from, to, "/provisional_price")
		if err != nil {
			return zero, err
		}
		pf.From, pf.To, pf.Days = from.Format(time.DateOnly), to.Format(time.DateOnly), n
		pf.Formula = fmt.Sprintf("provisional: average of %d published prices %s…%s = %s", n, pf.From, pf.To, v.Round(6))
		return v, nil
	default:
		p, err := s.LastFresh(bl, "/provisional_price")
		if err != nil {
			return zero, err
		}
		pf.From, pf.To, pf.Days = p.Date, p.Date, 1
		pf.Formula = fmt.Sprintf("provisional: last price published on or before the B/L date %s: %s on %s", bl.Format(time.DateOnly), p.Value, p.Date)
		return p.Value, nil
	}
}

func (c *calc) qpPrice(element string, s *PriceSeries, qp *QPRule, pf *PriceFact, at string) (decimal.Decimal, error) {
	if len(qp.Periods) > 0 {
		total := zero
		var parts []string
		for i, p := range qp.Periods {
			from, _ := time.Parse(time.DateOnly, p.From)
			to, _ := time.Parse(time.DateOnly, p.To)
			v, n, err := s.Average(from, to, fmt.Sprintf("%s/qp/periods/%d", at, i))
			if err != nil {
				return zero, err
			}
			total = total.Add(v.Mul(p.Share))
			parts = append(parts, fmt.Sprintf("%s × avg(%s…%s, %s) %s", p.Share, p.From, p.To, Count(n, "day"), v.Round(6)))
			pf.Days += n
		}
		pf.From, pf.To, _ = qp.span()
		pf.Formula = "final: " + strings.Join(parts, " + ") + " = " + total.Round(6).String()
		return total, nil
	}
	month, how := qp.Month, "contract"
	for _, d := range c.opt.Declarations {
		if d.Element != element && d.Element != "*" {
			continue
		}
		if !slices.Contains(qp.Options, d.Month) && d.Month != qp.Month {
			return zero, fieldErrorf("declarations/"+element, "month %+d is not among the declaration options %s", d.Month, monthOptions(qp.Options))
		}
		if d.Party != qp.DeclaredBy {
			return zero, fieldErrorf("declarations/"+element, "the %s declared, the contract lets the %s declare", d.Party, qp.DeclaredBy)
		}
		if d.DeclaredAt.After(c.lot.BLDate) {
			return zero, fieldErrorf("declarations/"+element, "declared %s, after the B/L date %s", d.DeclaredAt.Format(time.DateOnly), c.lot.BLDate.Format(time.DateOnly))
		}
		month, how = d.Month, "declared by the "+d.Party
	}
	ref, refName := c.lot.BLDate, "shipment"
	if qp.Event == "arrival" {
		if c.lot.Arrival == nil {
			return zero, fieldErrorf("lot/arrival", "the quotational period runs from arrival and %s has not arrived", lotName(c.lot.Lot))
		}
		ref, refName = *c.lot.Arrival, "arrival"
	}
	from, to := monthSpan(ref, month)
	v, n, err := s.Average(from, to, at+"/qp")
	if err != nil {
		return zero, err
	}
	pf.From, pf.To, pf.Days = from.Format(time.DateOnly), to.Format(time.DateOnly), n
	pf.Formula = fmt.Sprintf("final: QP month %+d of %s (%s, %s), average of %d published prices %s…%s = %s", month, refName, ref.Format("2006-01"), how, n, pf.From, pf.To, v.Round(6))
	return v, nil
}

func (c *calc) payables() error {
	c.payableGrams = map[string]decimal.Decimal{}
	c.prices = map[string]PriceFact{}
	for i := range c.ts.Payables {
		p := &c.ts.Payables[i]
		at := fmt.Sprintf("/payables/%d", i)
		g, events, err := c.grade(p.analytes(), p.GradeUnit, at)
		if err != nil {
			return err
		}
		price, pf, err := c.price(p.Element, p.Price, c.qpRule(p.QP), at+"/price")
		if err != nil {
			return err
		}
		c.prices[p.Element] = pf
		u, err := ParsePriceUnit(p.Price.Unit, at+"/price/unit")
		if err != nil {
			return err
		}
		if c.opt.replay == nil {
			if err := plausiblePrice(c.lot.Lot, p.Element, price, u, pf, at+"/price"); err != nil {
				return err
			}
		}
		gpu, _ := u.grams() // ParsePriceUnit admits only masses with grams
		var grams decimal.Decimal
		var how string
		gu := p.GradeUnit
		switch {
		case p.MinGrade != nil && g.LessThan(*p.MinGrade):
			grams = zero
			how = fmt.Sprintf("%s %s %s is below the minimum payable grade (min_grade) %s %s: nothing payable", p.Element, g, gu, p.MinGrade, gu)
		case p.Basis == "product":
			grams = decimal.NewFromInt(1_000_000).Mul(pct(p.PayablePct))
			how = fmt.Sprintf("%s %s %s meets the specification; %s %% of the product weight payable", p.Element, g, gu, p.PayablePct)
		default:
			byPct := g.Mul(pct(p.PayablePct))
			payable := byPct
			how = fmt.Sprintf("%s %% × %s %s = %s %s payable", p.PayablePct, g, gu, byPct.Round(6), gu)
			if p.MinDeduction != nil {
				byDed := dmax(zero, g.Sub(*p.MinDeduction))
				if !byDed.IsPositive() && byPct.IsPositive() {
					payable = zero
					how = fmt.Sprintf("%s %s %s is at or below the minimum deduction (min_deduction) %s %s: %s − %s ≤ 0, nothing payable", p.Element, g, gu, p.MinDeduction, gu, g, p.MinDeduction)
				} else if byDed.LessThan(byPct) {
					payable = byDed
					how = fmt.Sprintf("min(%s %% × %s, %s − %s minimum deduction) = %s %s payable (the minimum deduction binds)", p.PayablePct, g, g, p.MinDeduction, byDed.Round(6), gu)
				} else {
					how = fmt.Sprintf("min(%s %% × %s, %s − %s minimum deduction) = %s %s payable", p.PayablePct, g, g, p.MinDeduction, byPct.Round(6), gu)
				}
			}
			grams = gramsPerDMT(payable, gu)
		}
		c.payableGrams[p.Element] = grams
		pg, err := u.perGram(price)
		if err != nil {
			return err
		}
		perDMT := grams.Mul(pg)
		qty := grams.Div(gpu)
		priceText := pf.Text()
		formula := fmt.Sprintf("%s; %s g/dmt ÷ %s g/%s = %s %s/dmt × %s = %s %s/dmt", how, grams.Round(4), gpu, u.Mass, qty.Round(6), u.Mass, priceText, perDMT.Round(4), c.ts.Currency)
		c.line("payable:"+p.Element, "Payable "+p.Element, formula, perDMT, events...)
		if pp := p.Participation; pp != nil {
			diff := price.Sub(pp.Basis)
			share := pp.UpShare
			if diff.IsNegative() {
				share = pp.DownShare
			}
			dg, err := u.perGram(diff.Mul(share))
			if err != nil {
				return err
			}
			amt := grams.Mul(dg).Neg()
			c.line("participation:"+p.Element, "Price participation "+p.Element,
				fmt.Sprintf("−%s × (%s − basis %s) %s × %s %s/dmt payable (%s g/dmt ÷ %s g/%s) = %s %s/dmt", share, price.Round(6), pp.Basis, p.Price.Unit, qty.Round(6), u.Mass, grams.Round(4), gpu, u.Mass, signed(amt.Round(4)), c.ts.Currency), amt)
		}
	}
	return nil
}

func (c *calc) basket() error {
	b := c.ts.Basket
	if b == nil {
		return nil
	}
	total := c.st.Grades[b.Basis]
	if total.Unit != "%" {
		return fieldErrorf("lot/assays/"+b.Basis, "the basket basis %s must be assayed in %%, not %s", b.Basis, total.Unit)
	}
	if !total.Value.IsPositive() {
		return fieldErrorf("lot/assays/"+b.Basis, "%s is zero: nothing to price", b.Basis)
	}
	u, err := ParsePriceUnit(b.Unit, "/basket/unit")
	if err != nil {
		return err
	}
	basketPrice := zero
	var parts []string
	events := append([]string(nil), total.Events...)
	shareSum := zero
	for i, o := range b.Oxides {
		at := fmt.Sprintf("/basket/oxides/%d", i)
		var share decimal.Decimal
		if o.Share != nil {
			share = *o.Share
		} else {
			g := c.st.Grades[o.Oxide]
			v, err := convertGrade(g.Value, g.Unit, "%")
			if err != nil {
				if g.Unit == "" {
					return fieldErrorf("lot/assays/"+o.Oxide, "%s has no %s assay: the basket shares %s by %s ÷ %s of one sample", lotName(c.lot.Lot), o.Oxide, b.Basis, o.Oxide, b.Basis)
				}
				return fieldErrorf("lot/assays/"+o.Oxide, "%s %s %s is not in %%, g/t or ppm: the basket shares %s by %s %% ÷ %s %%", o.Oxide, g.Value, g.Unit, b.Basis, o.Oxide, b.Basis)
			}
			share = v.Div(total.Value)
			events = append(events, g.Events...)
		}
		shareSum = shareSum.Add(share)
		price, pf, err := c.price(o.Oxide, o.Price, c.qpRule(b.QP), at+"/price")
		if err != nil {
			return err
		}
		if c.opt.replay == nil {
			ou, err := ParsePriceUnit(o.Price.Unit, at+"/price/unit")
			if err != nil {
				return err
			}
			if err := plausiblePrice(c.lot.Lot, o.Oxide, price, ou, pf, at+"/price"); err != nil {
				return err
			}
		}
		basketPrice = basketPrice.Add(share.Mul(price))
		// A share or floor of an oxide's price is written out: "Pr6O11
		// 0.05 × max(72.27, floor 80) = 80", never a bare 80.
		parts = append(parts, fmt.Sprintf("%s %s × %s", o.Oxide, share.Round(6), pf.Short()))
	}
	if shareSum.GreaterThan(one.Add(decimal.New(1, -9))) {
		return fieldErrorf("lot/assays", "the priced oxides make up %s of %s, more than all of it", shareSum.Round(6), b.Basis)
	}
	how := fmt.Sprintf("basket Σ share × price = %s = %s %s of %s", strings.Join(parts, " + "), basketPrice.Round(4), b.Unit, b.Basis)
	if b.Floor != nil && basketPrice.LessThan(*b.Floor) {
		basketPrice = *b.Floor
		how += fmt.Sprintf("; floor %s", b.Floor)
	}
	if b.Cap != nil && basketPrice.GreaterThan(*b.Cap) {
		basketPrice = *b.Cap
		how += fmt.Sprintf("; cap %s", b.Cap)
	}
	grams := gramsPerDMT(total.Value, "%").Mul(pct(b.PayablePct))
	bg, err := u.perGram(basketPrice)
	if err != nil {
		return err
	}
	perDMT := grams.Mul(bg)
	c.payableGrams[b.Basis] = grams
	c.line("basket:"+b.Basis, "Payable "+b.Basis+" (basket)",
		fmt.Sprintf("%s; %s %% %s × %s %% payable = %s g/dmt × %s %s = %s %s/dmt", how, total.Value, b.Basis, b.PayablePct, grams.Round(4), basketPrice.Round(4), b.Unit, perDMT.Round(4), c.ts.Currency), perDMT, events...)
	return nil
}

// escalate applies tiers to a base rate for a price: escalators add Amount
// per Step above From (up to To), de-escalators subtract per Step below
// From (down to To); whole steps unless pro rata.
func escalate(base decimal.Decimal, price decimal.Decimal, esc, desc []Tier) (decimal.Decimal, string) {
	out := base
	var parts []string
	steps := func(x, step decimal.Decimal, proRata bool) decimal.Decimal {
		s := x.Div(step)
		if !proRata {
			s = s.Floor()
		}
		return s
	}
	for _, t := range esc {
		if !price.GreaterThan(t.From) {
			continue
		}
		top := price
		if t.To != nil {
			top = dmin(price, *t.To)
		}
		s := steps(top.Sub(t.From), t.Step, t.ProRata)
		out = out.Add(s.Mul(t.Amount))
		parts = append(parts, fmt.Sprintf("+ %s steps of %s above %s × %s", s.Round(4), t.Step, t.From, t.Amount))
	}
	for _, t := range desc {
		if !price.LessThan(t.From) {
			continue
		}
		bottom := price
		if t.To != nil {
			bottom = dmax(price, *t.To)
		}
		s := steps(t.From.Sub(bottom), t.Step, t.ProRata)
		out = out.Sub(s.Mul(t.Amount))
		parts = append(parts, fmt.Sprintf("− %s steps of %s below %s × %s", s.Round(4), t.Step, t.From, t.Amount))
	}
	return out, strings.Join(parts, " ")
}

func bound(v decimal.Decimal, floor, cap *decimal.Decimal) (decimal.Decimal, string) {
	if floor != nil && v.LessThan(*floor) {
		return *floor, fmt.Sprintf(", floor %s", floor)
	}
	if cap != nil && v.GreaterThan(*cap) {
		return *cap, fmt.Sprintf(", cap %s", cap)
	}
	return v, ""
}

func (c *calc) charges() error {
	if t := c.ts.TC; t != nil {
		rate, how := t.Base, fmt.Sprintf("base %s %s/dmt", t.Base, c.ts.Currency)
		if len(t.Escalators)+len(t.Deescalators) > 0 {
			pf, ok := c.prices[t.Element]
			if !ok {
				return fieldErrorf("/tc/element", "escalators need the price of a payable element")
			}
			var adj string
			rate, adj = escalate(rate, pf.Price, t.Escalators, t.Deescalators)
			how += fmt.Sprintf(" at %s %s %s %s", t.Element, pf.Price.Round(4), pf.Unit, adj)
		}
		var b string
		rate, b = bound(rate, t.Floor, t.Cap)
		c.line("tc", "Treatment charge", fmt.Sprintf("−TC (%s%s) = %s %s/dmt", how, b, signed(rate.Neg().Round(4)), c.ts.Currency), rate.Neg())
	}
	for i, r := range c.ts.RC {
		at := fmt.Sprintf("/rc/%d", i)
		grams, ok := c.payableGrams[r.Element]
		if !ok {
			return fieldErrorf(at+"/element", "%q is not a payable", r.Element)
		}
		u, err := ParsePriceUnit(r.Unit, at+"/unit")
		if err != nil {
			return err
		}
		gpu, _ := u.grams() // ParsePriceUnit admits only masses with grams
		rate, how := r.Rate, fmt.Sprintf("%s %s", r.Rate, r.Unit)
		if len(r.Escalators)+len(r.Deescalators) > 0 {
			pf := c.prices[r.Element]
			var adj string
			rate, adj = escalate(rate, pf.Price, r.Escalators, r.Deescalators)
			how += " " + adj
		}
		var b string
		rate, b = bound(rate, r.Floor, r.Cap)
		qty := grams.Div(gpu)
		perDMT := qty.Mul(rate).Mul(u.Factor).Neg()
		c.line("rc:"+r.Element, "Refining charge "+r.Element,
			fmt.Sprintf("%s%s g/dmt payable ÷ %s g/%s = %s %s/dmt × %s%s = %s %s/dmt", minus(grams), grams.Round(4), gpu, u.Mass, qty.Round(6), u.Mass, how, b, signed(perDMT.Round(4)), c.ts.Currency), perDMT, c.lineEvents("payable:"+r.Element)...)
	}
	// Two bands on one analyte (say Zn 3–6 % at one rate, above 6 % at
	// another) are two lines: their codes are numbered penalty:Zn:1,
	// penalty:Zn:2 in term-sheet order, so that each line code is unique.
	bands := map[string]int{}
	for _, p := range c.ts.Penalties {
		bands[p.Analyte]++
	}
	seen := map[string]int{}
	for i, p := range c.ts.Penalties {
		at := fmt.Sprintf("/penalties/%d", i)
		code := "penalty:" + p.Analyte
		seen[p.Analyte]++
		if bands[p.Analyte] > 1 {
			code = fmt.Sprintf("%s:%d", code, seen[p.Analyte])
		}
		g := c.st.Grades[p.Analyte]
		v, err := convertGrade(g.Value, g.Unit, p.Unit)
		if err != nil {
			return fieldErrorf(at+"/unit", "%s is assayed in %s: %v", p.Analyte, g.Unit, err)
		}
		top := v
		if p.UpTo != nil {
			top = dmin(v, *p.UpTo)
		}
		excess := top.Sub(p.Threshold)
		if !excess.IsPositive() {
			continue
		}
		steps := excess.Div(p.Step)
		mode := "pro rata"
		if !p.ProRata {
			steps, mode = steps.Floor(), "whole steps"
		}
		charge := steps.Mul(p.Rate)
		var b string
		if p.Cap != nil && charge.GreaterThan(*p.Cap) {
			charge, b = *p.Cap, fmt.Sprintf(", capped at %s", p.Cap)
		}
		c.line(code, "Penalty "+p.Analyte,
			fmt.Sprintf("−(%s − %s %s) ÷ %s = %s steps (%s) × %s %s/dmt%s = %s %s/dmt", top, p.Threshold, p.Unit, p.Step, steps.Round(4), mode, p.Rate, c.ts.Currency, b, signed(charge.Neg().Round(4)), c.ts.Currency), charge.Neg(), g.Events...)
	}
	return nil
}

// GradeBound is the highest grade of an element a concentrate lot is
// settled on, in g/t (1 % = 10 000 g/t), with its basis and the product
// it bounds ("concentrate", "gravity concentrate").
type GradeBound struct {
	MaxGPerT decimal.Decimal
	Basis    string
	Product  string
}

// product names what the bound is for, in a message.
func (b GradeBound) product() string {
	if b.Product == "" {
		return "concentrate"
	}
	return b.Product
}

// GradeBounds are the plausible grades per payable element of a
// flotation or base-metal concentrate (docs/trade.md, "Plausible grades
// and prices"): a converted grade above its bound is a unit slip (Au 4
// captured in % instead of g/t is 40 000 g/t), not a concentrate, and the
// settlement is refused naming it. A gravity concentrate has its own
// bounds (GravityGradeBounds).
var GradeBounds = map[string]GradeBound{
	"Au": {decimal.NewFromInt(1_000), "gold in base-metal and flotation gold concentrates is traded at 1–300 g/t; above 1 000 g/t (0.1 %) the material is gravity concentrate or bullion-grade feed, not a flotation concentrate settled on these terms", ""},
	"Ag": {decimal.NewFromInt(50_000), "the richest silver-lead concentrates carry about 2 % Ag (20 000 g/t); 5 % leaves room for them", ""},
	"Cu": {decimal.NewFromInt(800_000), "chalcocite (Cu2S, 79.85 % Cu) is the richest copper sulfide: no copper concentrate assays above 80 %", ""},
}

// GravityGradeBounds are the plausible grades of a gravity concentrate
// (a contract commodity naming "gravity", such as gold_gravity_concentrate):
// free gold recovered by centrifugal concentrators and shaking tables
// grades from about 1 000 g/t to several per cent Au, so the flotation
// bound (1 000 g/t) would refuse real lots. Above 50 % Au the material is
// doré or bullion, not a concentrate; a unit slip of a real gravity grade
// (2 000 g/t captured as 2 000 %) is still far beyond it. Elements not
// listed here take GradeBounds.
var GravityGradeBounds = map[string]GradeBound{
	"Au": {decimal.NewFromInt(500_000), "gravity gold concentrates (centrifugal concentrator and shaking-table products) grade from about 1 000 g/t to several per cent Au; above 50 % the material is doré or bullion, not a concentrate", "gravity concentrate"},
}

// GradeFloor is the lowest plausible grade, in %, of the main payable
// analyte of a concentrate or ore commodity, with its basis
// (docs/trade.md, "Plausible grades and prices").
type GradeFloor struct {
	Analyte string
	MinPct  decimal.Decimal
	Basis   string
}

// GradeFloors are the grade floors by contract commodity (fix13t): a main
// payable grade below its floor is most likely a percentage written as a
// fraction (Cu 0.24 for 24 %), and the settlement is refused naming it
// ("did you mean 24 %?"), acceptable as a grade (AcceptGrade) when real.
var GradeFloors = map[string]GradeFloor{
	"copper_concentrate": {"Cu", decimal.NewFromInt(5), "copper concentrates are made at about 20–35 % Cu (Saindak's design grade is 22 % Cu, from ore at 0.41 % Cu: ../shared/data/facts.md 3.5); below 5 % the material is ore, not a concentrate"},
	"antimony_ore":       {"Sb", decimal.NewFromInt(1), "antimony ore is traded at several per cent Sb and more (Qila Abdullah stibnite ore, 7–12 % Sb: ../shared/data/facts.md 3.8); below 1 % it is not a traded antimony ore"},
	"ree_concentrate":    {"TREO", decimal.NewFromInt(10), "a rare-earth concentrate is richer than the ore it is made from, and rare-earth ores grade up to about 8–12 % TREO (Mountain Pass reserves 7.48–8.45 % TREO, Molycorp 2012); below 10 % TREO the material is ore"},
}

// plausibleFloor refuses a lot whose main payable grade is below its
// commodity's floor (GradeFloors) as a likely slip (a DryGainError with
// Check AcceptGrade, so that a person may accept a real low grade).
func (c *calc) plausibleFloor() error {
	f, ok := GradeFloors[c.ts.Commodity]
	if !ok {
		return nil
	}
	g, ok := c.st.Grades[f.Analyte]
	if !ok || !validGradeUnit(g.Unit) {
		return nil
	}
	v, err := convertGrade(g.Value, g.Unit, "%")
	if err != nil {
		return nil
	}
	if !v.LessThan(f.MinPct) {
		return c.partyFloor(f)
	}
	events, fix := "", "Give the grade in per cent"
	if len(g.Events) > 0 {
		events, fix = fmt.Sprintf(" (events %s)", strings.Join(g.Events, ", ")), "Correct the assay event (retract it and capture the figure in per cent) before settling or invoicing"
	}
	conv := ""
	if g.Unit != "%" {
		conv = fmt.Sprintf(" = %s %%", v)
	}
	msg := fmt.Sprintf("%s: the %s grade %s %s%s%s is below the plausible %s %% for %s under contract %s (%s): a percentage written as a fraction, most likely — did you mean %s %%? %s; a real grade below the floor is accepted with accept [{check: %q, by, reason}] (docs/trade.md, \"Accepting a refused figure\")",
		lotName(c.lot.Lot), f.Analyte, g.Value, g.Unit, events, conv, f.MinPct, strings.ReplaceAll(c.ts.Commodity, "_", " "), c.ts.ID, f.Basis, shortNum(v.Mul(hundred)), fix, AcceptGrade)
	return &DryGainError{Lot: c.lot.Lot, Check: AcceptGrade, Err: fieldErrorf("lot/assays/"+f.Analyte, "%s", msg)}
}

// partyFloor judges each party's exchange result of the floor analyte
// (seller, buyer and umpire, SettledAssay) against the floor, as
// plausibleFloor judges the settled grade (fix13v): a settled grade above
// the floor can rest on one party's result below it — the seller's Cu 3 %
// against the buyer's 24 % split at 13.5 % — and that result is a slip as
// much as a settled grade below the floor would be. A refusal names the
// party, its result and event, and the other parties' results; it is
// accepted (AcceptGrade) as the settled grade's refusal is.
func (c *calc) partyFloor(f GradeFloor) error {
	for _, sa := range c.st.Exchange {
		if sa.Analyte != f.Analyte || !validGradeUnit(sa.Unit) {
			continue
		}
		type party struct {
			who string
			v   decimal.Decimal
		}
		ps := []party{{Seller, sa.Seller}, {Buyer, sa.Buyer}}
		if sa.Umpire != nil {
			ps = append(ps, party{Umpire, *sa.Umpire})
		}
		for _, p := range ps {
			pv, err := convertGrade(p.v, sa.Unit, "%")
			if err != nil || !pv.LessThan(f.MinPct) {
				continue
			}
			var others []string
			for _, o := range ps {
				if o.who != p.who {
					others = append(others, fmt.Sprintf("the %s's %s %s", o.who, o.v, sa.Unit))
				}
			}
			msg := fmt.Sprintf("%s: the %s's %s result %s %s for %s (events %s) is below the plausible %s %% for %s under contract %s (%s), against %s: %s. The exchange settled at %s %s, which rests on it. Correct the %s's result (declare its event in error and submit it again in per cent) before settling or invoicing; a real grade below the floor is accepted with accept [{check: %q, by, reason}] (docs/trade.md, \"Accepting a refused figure\")",
				lotName(c.lot.Lot), p.who, f.Analyte, p.v, sa.Unit, sublotLabel(sa.Sublot), strings.Join(sa.Events, ", "), f.MinPct, strings.ReplaceAll(c.ts.Commodity, "_", " "), c.ts.ID, f.Basis, strings.Join(others, " and "), fractionHint(f.Analyte, pv), sa.Settled, sa.Unit, p.who, AcceptGrade)
			return &DryGainError{Lot: c.lot.Lot, Check: AcceptGrade, Err: fieldErrorf(fmt.Sprintf("assay_exchange/%s/%s/%s", sublotName(sa.Sublot), f.Analyte, p.who), "%s", msg)}
		}
	}
	return nil
}

// fractionHint says what a grade v % of analyte a below its floor most
// likely is: "a percentage written as a fraction, most likely — did you
// mean 24.6 %?" when v × 100 is a plausible grade (at most 100 % and
// within the analyte's GradeBounds), else that the figure is most likely
// wrong (Cu 3 % is no fraction of 300 %).
func fractionHint(a string, v decimal.Decimal) string {
	m := v.Mul(hundred)
	ok := !m.GreaterThan(hundred)
	if b, bounded := GradeBounds[a]; bounded && m.Mul(decimal.NewFromInt(10_000)).GreaterThan(b.MaxGPerT) {
		ok = false
	}
	if ok {
		return fmt.Sprintf("a percentage written as a fraction, most likely — did you mean %s %%?", shortNum(m))
	}
	return "the figure is most likely wrong (a misplaced decimal point or a wrong digit)"
}

// gradeBound is the plausible-grade bound of analyte a on a contract
// (or lot) of commodity: a gravity concentrate's (GravityGradeBounds),
// else a concentrate's (GradeBounds); false when a is not bounded.
func gradeBound(commodity, a string) (GradeBound, bool) {
	if strings.Contains(strings.ToLower(commodity), "gravity") {
		if b, ok := GravityGradeBounds[a]; ok {
			return b, true
		}
	}
	b, ok := GradeBounds[a]
	return b, ok
}

// boundedCommodity says whether GradeBounds apply to a contract's
// commodity: a concentrate or an ore (copper_concentrate, antimony_ore),
// not a refined product.
func boundedCommodity(commodity string) bool {
	c := strings.ToLower(commodity)
	return strings.Contains(c, "concentrate") || strings.HasSuffix(c, "_ore") || c == "ore"
}

// plausibleGrade refuses grade g of analyte a (v once converted to unit)
// beyond GradeBounds, on a contract for a concentrate or an ore
// (commodity, the term sheet's): the bounds are those of mined and
// concentrated material, and a refined product (copper cathode at 99.99 %
// Cu, blister, cement copper) is not bounded by them.
func plausibleGrade(commodity, lot, a string, g Grade, v decimal.Decimal, unit string) error {
	b, ok := gradeBound(commodity, a)
	if !ok || !validGradeUnit(g.Unit) || !boundedCommodity(commodity) {
		return nil
	}
	gpt := gramsPerDMT(g.Value, g.Unit)
	if !gpt.GreaterThan(b.MaxGPerT) {
		return nil
	}
	conv := ""
	if unit != g.Unit {
		conv = fmt.Sprintf(" = %s %s in the contract's grade unit", v, unit)
	}
	// The hint: a grade in % above the bound was meant in g/t (Au 4 %
	// for 4 g/t); a grade in g/t or ppm above it cannot be a % slip (the
	// same figure in % is 10 000 times more), so no unit is suggested.
	hint := fmt.Sprintf(" — did you mean %s g/t?", g.Value)
	if g.Unit != "%" {
		hint = ""
	}
	// A forecast feed's grades are given, not captured: no events to
	// name, and the grade itself is what to correct.
	events, fix := "", "Give the grade in its unit"
	if len(g.Events) > 0 {
		events, fix = fmt.Sprintf(" (events %s)", strings.Join(g.Events, ", ")), "Correct the assay event (retract it and capture the figure in its unit) before settling or invoicing"
	}
	why := fmt.Sprintf("the assay's unit is most likely wrong (1 %% = 10 000 g/t: %s %s %s is %s g/t%s)", a, g.Value, g.Unit, GroupThousands(gpt.String()), hint)
	if g.Unit != "%" {
		why = fmt.Sprintf("the figure is most likely wrong (a misplaced decimal point or an extra digit), or the material is not a %s", b.product())
	}
	msg := fmt.Sprintf("%s: the %s assay %s %s%s%s is %s g/t, above the plausible %s g/t for a %s (%s): %s. %s; a real grade above the bound is accepted with accept [{check: %q, by, reason}] (docs/trade.md, \"Accepting a refused figure\")",
		lotName(lot), a, g.Value, g.Unit, events, conv, gpt, b.MaxGPerT, b.product(), b.Basis, why, fix, AcceptGrade)
	return &DryGainError{Lot: lot, Check: AcceptGrade, Err: fieldErrorf("lot/assays/"+a, "%s", msg)}
}

// PriceBound is the plausible range of an element's price, in Unit (whose
// currency is the bound's: a price in another currency is not judged by
// it), with its basis.
type PriceBound struct {
	Min, Max decimal.Decimal
	Unit     string
	Basis    string
}

// PriceBounds are the plausible prices per payable element, oxide or
// product, one bound per currency (docs/trade.md, "Plausible grades and
// prices"), applied to a price in the bound's currency in any mass unit
// once converted to the bound's. The antimony, rare-earth and CNY bounds
// rest on the published prices kept in ../shared/data/prices.csv (Argus
// via USGS MCS 2026, SMM, Lynas, MP Materials), widened by a factor of
// about 4 either side so that a real market move is not refused while a
// per-tonne value in a per-kg or per-lb series is.
var PriceBounds = map[string][]PriceBound{
	"Cu": {
		{decimal.NewFromInt(1_000), decimal.NewFromInt(50_000), "USD/t", "LME copper has traded within about 1 300–12 000 USD/t since 1985 (0.59–5.4 USD/lb); the bounds leave a factor of about 4 either side"},
		{decimal.NewFromInt(10_000), decimal.NewFromInt(400_000), "CNY/t", "SHFE copper 93 980 CNY/t on 2025-12-22 (Reuters; prices.csv); a factor of about 4 either side of the 2020s range"},
	},
	// The lower limits sit just below the lows since 1980, so that a
	// per-gram price in a per-troy-ounce series (a factor of 31.1) is
	// refused while gold trades below 200 × 31.1 = 6 220 USD/ozt, and
	// silver below 3 × 31.1 = 93 USD/ozt (fix13q).
	"Au": {
		{decimal.NewFromInt(200), decimal.NewFromInt(20_000), "USD/ozt", "LBMA gold has not fixed below 252.80 USD/ozt since 1980 (its low of 20 Jul 1999) and stayed under about 5 000 USD/ozt; a per-gram price (÷ 31.1) falls below 200 while gold trades under 6 220 USD/ozt"},
		// Shanghai Gold Exchange quotes CNY/g: 200 × 6 ÷ 31.1035 = 38.6
		// and 20 000 × 8 ÷ 31.1035 = 5 144, rounded out (fix13r).
		{decimal.NewFromInt(35), decimal.NewFromInt(5_500), "CNY/g", cnyFromUSD},
	},
	"Ag": {
		{decimal.NewFromInt(3), decimal.NewFromInt(500), "USD/ozt", "LBMA silver has stayed within about 3.5–60 USD/ozt since 1980 (lows of about 3.5 in 1991–1993); a per-gram price (÷ 31.1) falls below 3 while silver trades under 93 USD/ozt"},
		// 3 × 6 ÷ 31.1035 = 0.58 and 500 × 8 ÷ 31.1035 = 128.6 CNY/g.
		{decimal.RequireFromString("0.5"), decimal.NewFromInt(130), "CNY/g", cnyFromUSD},
	},
	"Sb": {
		{decimal.NewFromInt(2_500), decimal.NewFromInt(250_000), "USD/t", "antimony metal 99.65 % CIF (Argus, via USGS MCS 2026) averaged 5.31–27.5 USD/lb (11 700–60 600 USD/t) in 2021–2025; a factor of about 4 either side"},
		{decimal.NewFromInt(15_000), decimal.NewFromInt(2_000_000), "CNY/t", cnyFromUSD},
	},
	"NdPr oxide": {
		{decimal.NewFromInt(10), decimal.NewFromInt(500), "USD/kg", "NdPr oxide 99 % FOB (Argus, via USGS MCS 2026) averaged 55–124 USD/kg in 2021–2025, the China price ex VAT 48–56 USD/kg (Lynas), the US DoD floor 110 USD/kg; a factor of about 4 either side"},
		{decimal.NewFromInt(100_000), decimal.NewFromInt(3_000_000), "CNY/t", "Pr-Nd oxide in China (SMM) quoted 412 000–753 000 CNY/t in 2025–2026; a factor of about 4 either side"},
	},
	"Nd2O3": {
		{decimal.NewFromInt(10), decimal.NewFromInt(550), "USD/kg", "neodymium oxide 99.5 % FOB (Argus, via USGS MCS 2026) averaged 56–134 USD/kg in 2021–2025; a factor of about 4 either side"},
		{decimal.NewFromInt(60_000), decimal.NewFromInt(4_400_000), "CNY/t", cnyFromUSD},
	},
	"Pr6O11": {
		{decimal.NewFromInt(10), decimal.NewFromInt(500), "USD/kg", "praseodymium oxide 99.99 % FOB (Argus, via USGS MCS 2026) averaged 56–128 USD/kg in 2021–2025; a factor of about 4 either side"},
		{decimal.NewFromInt(60_000), decimal.NewFromInt(4_000_000), "CNY/t", cnyFromUSD},
	},
	"Dy2O3": {
		{decimal.NewFromInt(50), decimal.NewFromInt(1_100), "USD/kg", "dysprosium oxide 99.5 % (Argus, via USGS MCS 2025) averaged about 260 USD/kg in 2024; a factor of about 4 either side"},
		{decimal.NewFromInt(350_000), decimal.NewFromInt(5_600_000), "CNY/t", "dysprosium oxide in China (SMM) traded at 1 390 000–1 410 000 CNY/t on 2026-02-05; a factor of about 4 either side"},
	},
	"Tb4O7": {
		{decimal.NewFromInt(150), decimal.NewFromInt(3_300), "USD/kg", "terbium oxide 99.99 % (Argus, via USGS MCS 2025) averaged about 810 USD/kg in 2024; a factor of about 4 either side"},
		{decimal.NewFromInt(900_000), decimal.NewFromInt(26_400_000), "CNY/t", cnyFromUSD},
	},
}

// cnyFromUSD is the basis of the CNY bounds derived from the USD ones
// (fix13r): no CNY market range is kept in refdata prices.csv for these
// elements.
const cnyFromUSD = "the USD bound at 6–8 CNY per USD (the yuan has traded within about 6.0–7.4 per USD since 2010, Federal Reserve H.10 series DEXCHUS); the bound in USD is the element's other one"

// priceBound is the bound of element's price in currency; false when
// there is none.
func priceBound(element, currency string) (PriceBound, PriceUnit, bool) {
	for _, b := range PriceBounds[element] {
		bu, err := ParsePriceUnit(b.Unit, "")
		if err == nil && bu.Currency == currency {
			return b, bu, true
		}
	}
	return PriceBound{}, PriceUnit{}, false
}

// plausiblePrice refuses the price of element beyond PriceBounds, naming
// the series, its unit and the days it was read from.
func plausiblePrice(lot, element string, price decimal.Decimal, u PriceUnit, pf PriceFact, at string) error {
	b, bu, ok := priceBound(element, u.Currency)
	if !ok {
		return nil
	}
	perGram, err := u.perGram(price)
	if err != nil {
		return nil
	}
	bGram, _ := bu.perGram(one) // the bound unit's price of 1, per gram
	inBound := perGram.Div(bGram)
	if !inBound.LessThan(b.Min) && !inBound.GreaterThan(b.Max) {
		return nil
	}
	src := "series " + pf.Series
	if pf.Formula != "" {
		src += " (" + pf.Formula + ")"
	}
	msg := fmt.Sprintf("%s: the %s price %s %s from %s is %s %s, outside the plausible %s–%s %s (%s): the series' unit or its values are wrong (a per-tonne price imported as per-lb, say). Correct the price rows (import the series under its true unit, or the right values as a correction) before settling or invoicing",
		lotName(lot), element, price.Round(6), pf.Unit, src, inBound.Round(2), b.Unit, b.Min, b.Max, b.Unit, b.Basis)
	return &DryGainError{Lot: lot, Err: fieldErrorf(at, "%s", msg)}
}
