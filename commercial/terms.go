package commercial

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/critmin/critmin/jsonstrict"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/units"
	"github.com/shopspring/decimal"
)

// TermSheet is one offtake contract's commercial terms for one commodity,
// as data. Its JSON form is documented in docs/trade.md and described by
// termsheet.schema.json; ParseTermSheet checks both the schema and the
// rules a schema cannot state (payable ≤ 100 %, escalator tiers on the
// right side of the basis price, currencies that agree).
type TermSheet struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	Commodity string `json:"commodity"` // mineral-extension commodity code
	Seller    string `json:"seller"`
	Buyer     string `json:"buyer"`
	// Currency is the ISO 4217 code every amount is invoiced in.
	Currency string   `json:"currency"`
	Rounding Rounding `json:"rounding,omitzero"`
	// Illustrative marks demo contracts whose figures are invented.
	Illustrative bool `json:"illustrative,omitempty"`

	Quantity  *QuantityTerms  `json:"quantity,omitempty"`
	TakeOrPay *TakeOrPay      `json:"take_or_pay,omitempty"`
	Delivery  Delivery        `json:"delivery"`
	Payment   Payment         `json:"payment"`
	Weights   Weights         `json:"weights,omitzero"`
	Moisture  *MoistureTerms  `json:"moisture,omitempty"`
	QP        QPRule          `json:"qp"`
	Provision ProvisionalRule `json:"provisional_price"`

	Payables  []Payable           `json:"payables,omitempty"`
	Basket    *Basket             `json:"basket,omitempty"`
	TC        *Charge             `json:"tc,omitempty"`
	RC        []RefiningCharge    `json:"rc,omitempty"`
	Penalties []Penalty           `json:"penalties,omitempty"`
	Exchange  *AssayExchangeTerms `json:"assay_exchange,omitempty"`
	// Confirm lists the term sheet's figures (JSON pointers, such as
	// "/moisture/franchise_pct") confirmed as written where SaveContract
	// would refuse them as implausible (plausiblePerCents): kept with the
	// contract, so the override is on record.
	Confirm []string `json:"confirm,omitempty"`
}

// pctFraction is a per-cent field of a term sheet whose plausible values
// are well above 1 %, so that a value in (0, 1) is most likely a fraction
// written where a per cent belongs (0.1 meant 10 %).
type pctFraction struct {
	at    string
	v     decimal.Decimal
	basis string
}

// plausiblePerCents refuses (field errors) a per-cent field of ts holding
// a value in (0, 1) that reads as a fraction — "moisture": {"franchise_pct":
// 0.1} meant 10 % — unless ts.Confirm lists its pointer. The fields and
// their plausible ranges (docs/trade.md, "Plausible contract figures"):
// the moisture franchise of a concentrate (about 8–12 %: the moisture a
// filtered concentrate carries and a smelter accepts without penalty,
// e.g. the demo's 10 %), a payable percentage (base-metal payables run
// about 90–98 %, precious-metal credits 80–97 %), the provisional share
// (80–100 %) and a quantity tolerance (± 5–10 %, "more or less at
// seller's option"). The weight franchise is not judged: 0.5 % is a real
// outturn franchise.
func plausiblePerCents(ts *TermSheet) []critmin.FieldError {
	var fields []pctFraction
	if m := ts.Moisture; m != nil {
		fields = append(fields, pctFraction{"/moisture/franchise_pct", m.FranchisePct, "a concentrate's moisture franchise is about 8–12 %"})
	}
	for i, p := range ts.Payables {
		fields = append(fields, pctFraction{fmt.Sprintf("/payables/%d/payable_pct", i), p.PayablePct, "payables run about 90–98 % for base metals and 80–97 % for precious-metal credits"})
	}
	if b := ts.Basket; b != nil {
		fields = append(fields, pctFraction{"/basket/payable_pct", b.PayablePct, "a basket's payable share is tens of per cent"})
	}
	fields = append(fields, pctFraction{"/payment/provisional_pct", ts.Payment.ProvisionalPct, "a provisional invoice pays about 80–100 % of the provisional value"})
	if q := ts.Quantity; q != nil {
		fields = append(fields, pctFraction{"/quantity/tolerance_pct", q.TolerancePct, "a quantity tolerance is about ± 5–10 %"})
	}
	var out []critmin.FieldError
	for _, f := range fields {
		if !f.v.IsPositive() || !f.v.LessThan(decimal.NewFromInt(1)) || slices.Contains(ts.Confirm, f.at) {
			continue
		}
		meant := f.v.Mul(hundred)
		out = append(out, critmin.FieldError{Pointer: f.at, Reason: fmt.Sprintf("%s is a per cent, so %s here is %s %% — most likely a fraction written for %s %%: did you mean %s %%? (%s). If %s %% is right, list %q in the term sheet's \"confirm\" (docs/trade.md, \"Plausible contract figures\")",
			f.at, f.v, f.v, meant, meant, f.basis, f.v, f.at)})
	}
	return out
}

// Rounding is the contract's rounding of invoice lines: Decimals places
// (default: the currency's ISO 4217 minor units) by Mode half_up (the
// default), half_even or down (towards zero).
type Rounding struct {
	Decimals *int32 `json:"decimals,omitempty"`
	Mode     string `json:"mode,omitempty"`
}

// QuantityTerms is the contract quantity in dry tonnes with a tolerance in
// per cent at the option of a party (ICC practice: "10 % more or less at
// buyer's option").
type QuantityTerms struct {
	DMT          decimal.Decimal `json:"dmt"`
	TolerancePct decimal.Decimal `json:"tolerance_pct"`
	Option       string          `json:"option,omitempty"` // buyer or seller
	// PerPeriod is a quantity per delivery period stated beside the
	// whole contract's ("1,000 dmt per quarter"): the lots whose B/L is
	// dated in one period may not exceed it with its tolerance.
	PerPeriod *PeriodQuantity `json:"per_period,omitempty"`
}

// PeriodQuantity is a contract quantity per calendar period (month,
// quarter or year, UTC, by the lot's B/L date) in dry tonnes, with a
// tolerance in per cent (the contract's tolerance_pct when not given).
type PeriodQuantity struct {
	Period       string           `json:"period"`
	DMT          decimal.Decimal  `json:"dmt"`
	TolerancePct *decimal.Decimal `json:"tolerance_pct,omitempty"`
}

// Tolerance is the period's tolerance in per cent: its own, else the
// contract's (q).
func (p *PeriodQuantity) Tolerance(q *QuantityTerms) decimal.Decimal {
	if p.TolerancePct != nil {
		return *p.TolerancePct
	}
	return q.TolerancePct
}

// Of names the period a day falls in: "2025-09" (month), "2025-Q3"
// (quarter) or "2025" (year).
func (p *PeriodQuantity) Of(d time.Time) string {
	d = d.UTC()
	switch p.Period {
	case "month":
		return d.Format("2006-01")
	case "quarter":
		return fmt.Sprintf("%d-Q%d", d.Year(), (int(d.Month())+2)/3)
	}
	return d.Format("2006")
}

// TakeOrPay obliges the buyer to pay ShortfallRate per dmt of the minimum
// not taken in a period: the lots whose B/L is dated in it count.
type TakeOrPay struct {
	MinDMT decimal.Decimal `json:"min_dmt"`
	// Period is a calendar year "2025", calendar years "2025-2026" (1 Jan
	// 2025 to 31 Dec 2026), or dates "2025-07-01/2026-06-30" (both
	// inclusive) — TakeOrPay.Span.
	Period        string          `json:"period"`
	ShortfallRate decimal.Decimal `json:"shortfall_rate"`
}

var (
	topYear  = regexp.MustCompile(`^([0-9]{4})$`)
	topYears = regexp.MustCompile(`^([0-9]{4})-([0-9]{4})$`)
)

// Span is the period's first and last day (inclusive), or EINVALID at
// /take_or_pay/period saying what the period may be.
func (t *TakeOrPay) Span() (time.Time, time.Time, error) {
	const want = "a calendar year (2025), calendar years (2025-2026) or two dates FROM/TO (2025-07-01/2026-06-30)"
	year := func(s string) time.Time {
		y, _ := strconv.Atoi(s)
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	var from, to time.Time
	if m := topYear.FindStringSubmatch(t.Period); m != nil {
		from = year(m[1])
		to = from.AddDate(1, 0, -1)
	} else if m := topYears.FindStringSubmatch(t.Period); m != nil {
		from, to = year(m[1]), year(m[2]).AddDate(1, 0, -1)
	} else if f, l, ok := strings.Cut(t.Period, "/"); ok {
		var err1, err2 error
		from, err1 = time.Parse(time.DateOnly, f)
		to, err2 = time.Parse(time.DateOnly, l)
		if err1 != nil || err2 != nil {
			return from, to, fieldErrorf("/take_or_pay/period", "%q is not %s", t.Period, want)
		}
	} else {
		return from, to, fieldErrorf("/take_or_pay/period", "%q is not %s", t.Period, want)
	}
	if to.Before(from) {
		return from, to, fieldErrorf("/take_or_pay/period", "%q ends before it begins", t.Period)
	}
	return from, to, nil
}

// Incoterms 2020 rules (ICC publication 723E).
var Incoterms = map[string]bool{
	"EXW": true, "FCA": true, "CPT": true, "CIP": true, "DAP": true, "DPU": true, "DDP": true,
	"FAS": true, "FOB": true, "CFR": true, "CIF": true,
}

// Delivery is the Incoterms 2020 rule and its named place.
type Delivery struct {
	Incoterm string `json:"incoterm"`
	Place    string `json:"place"`
}

// Payment terms: ProvisionalPct of the provisional value is due
// ProvisionalDays after the bill-of-lading date (against documents); the
// final balance FinalDays after the last quotational period ends and the
// assays are settled.
//
// LateInterestPct, when set, is the late-payment interest the contract
// gives: simple interest in per cent a year on the unpaid balance of an
// invoice for each day after its due date, actual/365 (InvoiceStatusAt).
type Payment struct {
	ProvisionalPct  decimal.Decimal  `json:"provisional_pct"`
	ProvisionalDays int              `json:"provisional_days"`
	FinalDays       int              `json:"final_days"`
	LateInterestPct *decimal.Decimal `json:"late_interest_pct,omitempty"`
}

// Weights says where the final wet weight is taken: at loading (the bill of
// lading weight) or at discharge (outturn), with a weight franchise: an
// outturn loss up to FranchisePct of the loading weight is not claimed
// (the loading weight stands); a larger loss is claimed in full (the
// outturn weight stands). Moisture is determined where the weight is.
// An outturn gain (discharge above loading) under final_at discharge
// counts: the discharge weight is final, gain included (Gain "discharge",
// the default); Gain "loading" keeps the loading weight on a gain.
type Weights struct {
	FinalAt      string          `json:"final_at,omitempty"` // loading (default) or discharge
	FranchisePct decimal.Decimal `json:"franchise_pct,omitzero"`
	Gain         string          `json:"gain,omitempty"` // discharge (default) or loading
}

// MoistureTerms is a moisture franchise: moisture up to FranchisePct is
// accepted; each full or part per cent above it costs Rate per dmt (pro rata).
type MoistureTerms struct {
	FranchisePct decimal.Decimal `json:"franchise_pct"`
	Rate         decimal.Decimal `json:"rate"`
}

// QPRule is a quotational period: the calendar month Month months after
// (negative: before) the month of the lot's shipment (bill-of-lading date)
// or arrival, averaged over the days the series published a price. Options
// lists the months a party (DeclaredBy) may declare instead, no later than
// the bill-of-lading date. Periods, when given, replace the month rule by
// explicit date ranges each pricing a share of the metal; they may not
// overlap.
type QPRule struct {
	Event      string `json:"event,omitempty"` // shipment (default) or arrival
	Month      int    `json:"month"`
	Options    []int  `json:"options,omitempty"`
	DeclaredBy string `json:"declared_by,omitempty"`
	// Redeclare lets the declaring party change its declaration until the
	// declaration deadline (the B/L date); without it a declaration is
	// final once made.
	Redeclare bool       `json:"redeclare,omitempty"`
	Periods   []QPPeriod `json:"periods,omitempty"`
}

// QPPeriod is an explicit pricing period [From, To] (dates, inclusive)
// pricing Share (a fraction) of the payable metal.
type QPPeriod struct {
	From  string          `json:"from"`
	To    string          `json:"to"`
	Share decimal.Decimal `json:"share"`
}

// ProvisionalRule prices the provisional invoice: last_published (the
// latest price on or before the bill-of-lading date) or
// prior_month_average (the average of the month before shipment).
type ProvisionalRule struct {
	Rule string `json:"rule"`
}

// PriceRef says how a payable is priced: from a price series (Series, whose
// unit must be Unit), a percentage of it (Pct, e.g. antimony at 60 % of an
// agency assessment), or a Fixed price; then bounded by Floor and Cap (a
// collar), both in Unit.
type PriceRef struct {
	Series string           `json:"series,omitempty"`
	Fixed  *decimal.Decimal `json:"fixed,omitempty"`
	Unit   string           `json:"unit"`
	Pct    *decimal.Decimal `json:"pct,omitempty"`
	Floor  *decimal.Decimal `json:"floor,omitempty"`
	Cap    *decimal.Decimal `json:"cap,omitempty"`
}

// Payable is one paid element. Analytes are the assays that make it up
// (one element, or several oxides summed, e.g. Nd2O3 + Pr6O11 for NdPr
// oxide), in GradeUnit. Basis "contained" (default) pays for contained
// metal: min(PayablePct × grade, grade − MinDeduction), nothing below
// MinGrade. Basis "product" pays for the product's dry weight × PayablePct
// when the grade reaches MinGrade (a purity specification).
type Payable struct {
	Element       string           `json:"element"`
	Analytes      []string         `json:"analytes,omitempty"`
	GradeUnit     string           `json:"grade_unit"` // %, g/t or ppm
	Basis         string           `json:"basis,omitempty"`
	PayablePct    decimal.Decimal  `json:"payable_pct"`
	MinDeduction  *decimal.Decimal `json:"min_deduction,omitempty"`
	MinGrade      *decimal.Decimal `json:"min_grade,omitempty"`
	Price         PriceRef         `json:"price"`
	QP            *QPRule          `json:"qp,omitempty"`
	Participation *Participation   `json:"participation,omitempty"`
}

// Participation is price participation: the buyer takes UpShare of the
// price above Basis, and the seller gains DownShare of the price below it,
// per unit of payable metal (in the payable's price unit).
type Participation struct {
	Basis     decimal.Decimal `json:"basis"`
	UpShare   decimal.Decimal `json:"up_share"`
	DownShare decimal.Decimal `json:"down_share"`
}

// Basket prices a rare-earth concentrate on a basket of oxide prices: the
// value per kg of TREO is Σ share_i × price_i, where share_i is oxide i's
// assay over the TREO assay (or a fixed Share), bounded by Floor and Cap;
// the lot pays PayablePct of TREO content × that basket price.
type Basket struct {
	Basis      string           `json:"basis"` // the total analyte, TREO
	PayablePct decimal.Decimal  `json:"payable_pct"`
	Oxides     []BasketOxide    `json:"oxides"`
	Unit       string           `json:"unit"` // per kg TREO, e.g. USD/kg
	Floor      *decimal.Decimal `json:"floor,omitempty"`
	Cap        *decimal.Decimal `json:"cap,omitempty"`
	QP         *QPRule          `json:"qp,omitempty"`
}

// BasketOxide is one priced oxide of a basket.
type BasketOxide struct {
	Oxide string           `json:"oxide"`
	Share *decimal.Decimal `json:"share,omitempty"` // fraction of TREO; default from assays
	Price PriceRef         `json:"price"`
}

// Charge is a treatment charge in currency per dmt: Base, adjusted by
// escalators and de-escalators against the price of the payable Element,
// then bounded by Floor and Cap. Negative values are allowed (a smelter
// paying for concentrate, as in 2025–26 spot copper).
type Charge struct {
	Base    decimal.Decimal `json:"base"`
	Element string          `json:"element,omitempty"`
	Adjustment
}

// Adjustment adjusts a charge's rate by escalators and de-escalators
// against the price of its element (relative to BasisPrice), then bounds
// it by Floor and Cap. Charge and RefiningCharge embed it: its fields
// stand in their JSON as their own.
type Adjustment struct {
	BasisPrice *decimal.Decimal `json:"basis_price,omitempty"`
	// BasisUnit is the unit of BasisPrice and of the tiers' from, to and
	// step (a price unit, "USD/t"); it must be the unit the element's
	// price is quoted in (its payables[].price.unit, which must be its
	// series' unit): a basis of 9000 USD/t read against a series in
	// USc/lb would escalate on a number in another unit. Omitted, the
	// basis is in the element's price unit.
	BasisUnit    string           `json:"basis_unit,omitempty"`
	Escalators   []Tier           `json:"escalators,omitempty"`
	Deescalators []Tier           `json:"deescalators,omitempty"`
	Floor        *decimal.Decimal `json:"floor,omitempty"`
	Cap          *decimal.Decimal `json:"cap,omitempty"`
}

// Tier is one band of an escalator: for a price above From (an escalator;
// below From for a de-escalator) up to To, Amount per Step of price, pro
// rata or for whole steps only.
type Tier struct {
	From    decimal.Decimal  `json:"from"`
	To      *decimal.Decimal `json:"to,omitempty"`
	Step    decimal.Decimal  `json:"step"`
	Amount  decimal.Decimal  `json:"amount"`
	ProRata bool             `json:"pro_rata"`
}

// RefiningCharge is a charge per unit of payable metal of Element, at Rate
// in Unit (USc/lb, USD/ozt, USD/kg), adjusted and bounded like a Charge.
type RefiningCharge struct {
	Element string          `json:"element"`
	Rate    decimal.Decimal `json:"rate"`
	Unit    string          `json:"unit"`
	Adjustment
}

// Penalty charges Rate per dmt for each Step of Analyte above Threshold
// (up to UpTo, for banded penalties), pro rata or for whole steps, at most
// Cap per dmt.
type Penalty struct {
	Analyte   string           `json:"analyte"`
	Unit      string           `json:"unit"` // %, g/t or ppm
	Threshold decimal.Decimal  `json:"threshold"`
	UpTo      *decimal.Decimal `json:"up_to,omitempty"`
	Step      decimal.Decimal  `json:"step"`
	Rate      decimal.Decimal  `json:"rate"`
	ProRata   bool             `json:"pro_rata"`
	Cap       *decimal.Decimal `json:"cap,omitempty"`
}

// AssayExchangeTerms: each party's results are exchanged; within the
// splitting Limit of an analyte the settled grade is their mean; outside it
// the sample goes to the umpire and Rule decides: umpire_final (the
// umpire's result), umpire_closer_mean (mean of the umpire and the party
// closer to it) or split (always the mean, no umpire). Decimals rounds a
// settled grade (default 4).
type AssayExchangeTerms struct {
	Rule     string       `json:"rule"`
	Limits   []SplitLimit `json:"limits"`
	Decimals *int32       `json:"decimals,omitempty"`
}

// SplitLimit is the splitting limit of one analyte, in its grade unit.
type SplitLimit struct {
	Analyte string          `json:"analyte"`
	Limit   decimal.Decimal `json:"limit"`
	Unit    string          `json:"unit"`
}

// ParseTermSheet decodes and validates a term sheet. Errors are EINVALID
// and name the JSON pointer at fault.
func ParseTermSheet(b []byte) (*TermSheet, error) {
	ts, err := parseTermSheet(b)
	if err != nil {
		return nil, err
	}
	return ts, nil
}

// parseTermSheet is ParseTermSheet that also returns the decoded sheet
// when only its validation (TermSheet.Validate) failed, so that a caller
// with more to check (the stored price series, SaveContract) reports
// every fault at once.
func parseTermSheet(b []byte) (*TermSheet, error) {
	// Before the schema, which reads the body with the last of two
	// repeated members.
	if err := jsonstrict.Check(b, (*TermSheet)(nil)); err != nil {
		return nil, nameTermSheet(b, err)
	}
	if err := validateSchema(b); err != nil {
		return nil, nameTermSheet(b, err)
	}
	if err := boundMagnitudes(b); err != nil {
		return nil, nameTermSheet(b, err)
	}
	if err := duplicateItems(b, "term sheet"); err != nil {
		return nil, nameTermSheet(b, err)
	}
	var ts TermSheet
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ts); err != nil {
		return nil, nameTermSheet(b, fieldErrorf("/", "%v", err))
	}
	ts.canonicalise()
	if err := ts.Validate(); err != nil {
		return &ts, err
	}
	// Explicit quotational periods are stored in date order (after
	// validation, so its errors name the periods as written); the code
	// reading them does not rely on it (QPRule.span).
	ts.sortPeriods()
	return &ts, nil
}

// nameTermSheet gives a fault found before TermSheet.Validate (strict
// JSON, the schema, magnitudes, repeated items) the lead Validate's
// faults have: `term sheet "ID": /pointer: reason` — or `term sheet:` when
// the document has no string id — so every term-sheet error names the
// term sheet, the pointer and a readable reason alike.
func nameTermSheet(b []byte, err error) error {
	var e *critmin.Error
	if !errors.As(err, &e) || e.Code != critmin.EINVALID || strings.HasPrefix(e.Message, "term sheet \"") {
		return err
	}
	// A check that knows no id (magnitudes, repeated items) leads with
	// "term sheet:"; the id, when the document has one, replaces it.
	msg := strings.TrimPrefix(e.Message, "term sheet: ")
	var head struct {
		ID any `json:"id"`
	}
	name := "term sheet"
	if json.Unmarshal(b, &head) == nil {
		if id, ok := head.ID.(string); ok && id != "" {
			name = fmt.Sprintf("term sheet %q", id)
		}
	}
	out := *e
	out.Message = name + ": " + msg
	return &out
}

// sortPeriods puts every rule's explicit quotational periods in date
// order (they may not overlap, so by from).
func (ts *TermSheet) sortPeriods() {
	sortQP := func(q *QPRule) {
		if q != nil {
			sort.SliceStable(q.Periods, func(i, j int) bool { return q.Periods[i].From < q.Periods[j].From })
		}
	}
	sortQP(&ts.QP)
	for i := range ts.Payables {
		sortQP(ts.Payables[i].QP)
	}
	if ts.Basket != nil {
		sortQP(ts.Basket.QP)
	}
}

// span is the first and last day of explicit periods, in whatever order
// they are listed: min(from) and max(to). ok is false without periods.
func (q *QPRule) span() (from, to string, ok bool) {
	for i, p := range q.Periods {
		if i == 0 || p.From < from {
			from = p.From
		}
		if i == 0 || p.To > to {
			to = p.To
		}
	}
	return from, to, len(q.Periods) > 0
}

// canonicalise writes every element symbol of the term sheet as IUPAC
// spells it ("CU", "cu" → "Cu"; elementSpelling), once, at input: the
// stored sheet, the assays it is settled against and the declarations all
// use one spelling. Other analytes (oxides, TREO) stay as written.
// duplicateItems compares list keys the same way, so "Cu" beside "cu" is
// a repeat.
func (ts *TermSheet) canonicalise() {
	for i := range ts.Payables {
		p := &ts.Payables[i]
		p.Element = elementSpelling(p.Element)
		for j := range p.Analytes {
			p.Analytes[j] = elementSpelling(p.Analytes[j])
		}
	}
	if ts.TC != nil {
		ts.TC.Element = elementSpelling(ts.TC.Element)
	}
	for i := range ts.RC {
		ts.RC[i].Element = elementSpelling(ts.RC[i].Element)
	}
	for i := range ts.Penalties {
		ts.Penalties[i].Analyte = elementSpelling(ts.Penalties[i].Analyte)
	}
	if ts.Exchange != nil {
		for i := range ts.Exchange.Limits {
			ts.Exchange.Limits[i].Analyte = elementSpelling(ts.Exchange.Limits[i].Analyte)
		}
	}
}

// Validate checks the rules of a term sheet and returns an EINVALID error
// listing every field at fault.
func (ts *TermSheet) Validate() error {
	var fe []critmin.FieldError
	bad := func(p, f string, a ...any) {
		fe = append(fe, critmin.FieldError{Pointer: pointer(p), Reason: fmt.Sprintf(f, a...)})
	}
	if ts.ID == "" {
		bad("/id", "a term sheet needs an id")
	} else if !contractID.MatchString(ts.ID) {
		bad("/id", "%q is not a contract id: 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit (it names invoices and URLs)", ts.ID)
	}
	if ts.Commodity == "" {
		bad("/commodity", "name the commodity (a cm: commodity code such as copper_concentrate, or an absolute URI)")
	} else if _, ok := ledger.Commodities[ts.Commodity]; !ok && !strings.Contains(ts.Commodity, ":") {
		bad("/commodity", "%q is not a commodity critmin knows (docs/mineral-extension.md) nor an absolute URI", ts.Commodity)
	}
	switch {
	case ts.Seller == "":
		bad("/seller", "name the seller")
	case ts.Buyer == "":
		bad("/buyer", "name the buyer")
	case epcis.Canonical(ts.Seller) == epcis.Canonical(ts.Buyer):
		bad("/buyer", "the buyer %q is the seller: a contract is between two parties", ts.Buyer)
	}
	if _, ok := minorUnits[ts.Currency]; !ok {
		bad("/currency", "%q is not an ISO 4217 currency critmin knows", ts.Currency)
	}
	switch ts.Rounding.Mode {
	case "", "half_up", "half_even", "down":
	default:
		bad("/rounding/mode", "%q is not half_up, half_even or down", ts.Rounding.Mode)
	}
	if !Incoterms[ts.Delivery.Incoterm] {
		bad("/delivery/incoterm", "%q is not an Incoterms 2020 rule", ts.Delivery.Incoterm)
	}
	if ts.Payment.ProvisionalPct.IsNegative() || ts.Payment.ProvisionalPct.GreaterThan(hundred) {
		bad("/payment/provisional_pct", "%s is outside 0–100 %%", ts.Payment.ProvisionalPct)
	}
	if r := ts.Payment.LateInterestPct; r != nil && (r.IsNegative() || r.GreaterThan(hundred)) {
		bad("/payment/late_interest_pct", "%s is outside 0–100 %% a year", r)
	}
	// Every numeric field in its range (the schema says the same for JSON
	// numbers; decimal strings are only checked here).
	pctIn := func(at string, v decimal.Decimal, below100 bool) {
		switch {
		case below100 && (v.IsNegative() || v.GreaterThanOrEqual(hundred)):
			bad(at, "%s %% is not in [0, 100): it is at least 0 and below 100 %%", v)
		case v.IsNegative() || v.GreaterThan(hundred):
			bad(at, "%s %% is not in [0, 100]", v)
		}
	}
	nonneg := func(at string, v *decimal.Decimal, what string) {
		if v != nil && v.IsNegative() {
			bad(at, "%s %s cannot be negative", what, v)
		}
	}
	pctIn("/weights/franchise_pct", ts.Weights.FranchisePct, true)
	if ts.Payment.ProvisionalDays < 0 {
		bad("/payment/provisional_days", "%d days cannot be negative", ts.Payment.ProvisionalDays)
	}
	if ts.Payment.FinalDays < 0 {
		bad("/payment/final_days", "%d days cannot be negative", ts.Payment.FinalDays)
	}
	if d := ts.Rounding.Decimals; d != nil && (*d < 0 || *d > 6) {
		bad("/rounding/decimals", "%d is outside 0–6", *d)
	} else if minor, ok := minorUnits[ts.Currency]; d != nil && ok && *d > minor {
		// An invoice is paid in the currency's smallest unit (ISO 4217
		// minor units: JPY 0, USD 2): amounts finer than it cannot be
		// paid, and lines printed to the minor unit would not add up to
		// a total kept in fractions of it.
		bad("/rounding/decimals", "%d decimals is finer than %s's minor unit (ISO 4217: %d decimal places); use at most %d", *d, ts.Currency, minor, minor)
	}
	if q := ts.Quantity; q != nil {
		if !q.DMT.IsPositive() {
			bad("/quantity/dmt", "a contract quantity %s must be positive", q.DMT)
		}
		pctIn("/quantity/tolerance_pct", q.TolerancePct, true)
		if p := q.PerPeriod; p != nil {
			switch p.Period {
			case "month", "quarter", "year":
			default:
				bad("/quantity/per_period/period", "%q is not month, quarter or year", p.Period)
			}
			if !p.DMT.IsPositive() {
				bad("/quantity/per_period/dmt", "a quantity per period %s must be positive", p.DMT)
			} else if q.DMT.IsPositive() && p.DMT.GreaterThan(q.DMT) {
				bad("/quantity/per_period/dmt", "%s dmt per %s is more than the whole contract quantity %s dmt", p.DMT, p.Period, q.DMT)
			}
			if p.TolerancePct != nil {
				pctIn("/quantity/per_period/tolerance_pct", *p.TolerancePct, true)
			}
		}
	}
	if t := ts.TakeOrPay; t != nil {
		nonneg("/take_or_pay/min_dmt", &t.MinDMT, "a minimum quantity")
		if q := ts.Quantity; q != nil && q.DMT.IsPositive() {
			// The most the contract obliges the buyer to take is the
			// quantity plus its tolerance.
			most := q.DMT.Mul(hundred.Add(q.TolerancePct)).Div(hundred)
			if t.MinDMT.GreaterThan(most) {
				bad("/take_or_pay/min_dmt", "minimum %s dmt is above the contract quantity %s dmt + %s %% tolerance = %s dmt", t.MinDMT, q.DMT, q.TolerancePct, most)
			}
		}
		nonneg("/take_or_pay/shortfall_rate", &t.ShortfallRate, "a shortfall rate")
		if _, _, err := t.Span(); err != nil {
			bad("/take_or_pay/period", "%s", strings.TrimPrefix(critmin.ErrorMessage(err), "/take_or_pay/period: "))
		}
	}
	if m := ts.Moisture; m != nil {
		nonneg("/moisture/rate", &m.Rate, "a moisture penalty rate")
	}
	switch ts.Weights.Gain {
	case "", "discharge", "loading":
	default:
		bad("/weights/gain", "%q is not discharge or loading", ts.Weights.Gain)
	}
	switch ts.Weights.FinalAt {
	case "", "loading", "discharge":
	default:
		bad("/weights/final_at", "%q is not loading or discharge", ts.Weights.FinalAt)
	}
	switch ts.Provision.Rule {
	case "last_published", "prior_month_average":
	default:
		bad("/provisional_price/rule", "%q is not last_published or prior_month_average", ts.Provision.Rule)
	}
	ts.QP.validate("/qp", bad)
	if len(ts.Payables) == 0 && ts.Basket == nil {
		bad("/payables", "a term sheet pays for at least one payable or a basket")
	}
	payables := map[string]*Payable{}
	for i := range ts.Payables {
		p := &ts.Payables[i]
		at := fmt.Sprintf("/payables/%d", i)
		if payables[p.Element] != nil {
			bad(at+"/element", "%q is paid twice", p.Element)
		}
		payables[p.Element] = p
		if !validGradeUnit(p.GradeUnit) {
			bad(at+"/grade_unit", "%q is not %%, g/t or ppm", p.GradeUnit)
		}
		if p.PayablePct.IsNegative() || p.PayablePct.GreaterThan(hundred) {
			bad(at+"/payable_pct", "payable %s %% is outside 0–100 %%", p.PayablePct)
		}
		if p.Basis != "" && p.Basis != "contained" && p.Basis != "product" {
			bad(at+"/basis", "%q is not contained or product", p.Basis)
		}
		if p.MinDeduction != nil && p.MinDeduction.IsNegative() {
			bad(at+"/min_deduction", "a minimum deduction cannot be negative")
		} else if p.MinDeduction != nil && validGradeUnit(p.GradeUnit) {
			if err := CheckGrade(*p.MinDeduction, p.GradeUnit, at+"/min_deduction"); err != nil {
				fe = append(fe, critmin.ErrorFields(err)...)
			}
		}
		if p.MinGrade != nil && validGradeUnit(p.GradeUnit) {
			if err := CheckGrade(*p.MinGrade, p.GradeUnit, at+"/min_grade"); err != nil {
				fe = append(fe, critmin.ErrorFields(err)...)
			}
		}
		if pp := p.Participation; pp != nil {
			if !pp.Basis.IsPositive() {
				bad(at+"/participation/basis", "a participation basis price %s must be positive", pp.Basis)
			}
			for name, v := range map[string]decimal.Decimal{"up_share": pp.UpShare, "down_share": pp.DownShare} {
				if v.IsNegative() || v.GreaterThan(one) {
					bad(at+"/participation/"+name, "%s is outside 0–1", v)
				}
			}
		}
		ts.checkPrice(p.Price, at+"/price", bad)
		if p.QP != nil {
			p.QP.validate(at+"/qp", bad)
		}
	}
	if b := ts.Basket; b != nil {
		if b.PayablePct.IsNegative() || b.PayablePct.GreaterThan(hundred) {
			bad("/basket/payable_pct", "payable %s %% is outside 0–100 %%", b.PayablePct)
		}
		if len(b.Oxides) == 0 {
			bad("/basket/oxides", "a basket needs at least one priced oxide")
		}
		if u, err := ParsePriceUnit(b.Unit, "/basket/unit"); err != nil {
			fe = append(fe, critmin.ErrorFields(err)...)
		} else if u.Currency != ts.Currency {
			bad("/basket/unit", "currency %s differs from the contract currency %s", u.Currency, ts.Currency)
		}
		sum := zero
		for i, o := range b.Oxides {
			at := fmt.Sprintf("/basket/oxides/%d", i)
			if o.Price.Unit != b.Unit {
				bad(at+"/price/unit", "%q differs from the basket unit %q", o.Price.Unit, b.Unit)
			}
			ts.checkPrice(o.Price, at+"/price", bad)
			if o.Share != nil {
				if o.Share.IsNegative() || o.Share.GreaterThan(one) {
					bad(at+"/share", "%s is outside 0–1", o.Share)
				}
				sum = sum.Add(*o.Share)
			}
		}
		if sum.GreaterThan(one) {
			bad("/basket/oxides", "fixed shares add up to %s, over 1", sum)
		}
		nonneg("/basket/floor", b.Floor, "a floor")
		nonneg("/basket/cap", b.Cap, "a cap")
		if b.Floor != nil && b.Cap != nil && b.Floor.GreaterThan(*b.Cap) {
			bad("/basket/floor", "floor %s %s is above cap %s %s", b.Floor, b.Unit, b.Cap, b.Unit)
		}
		if b.QP != nil {
			b.QP.validate("/basket/qp", bad)
		}
	}
	fe = append(fe, ts.paidOnce()...)
	if c := ts.TC; c != nil {
		if c.Element != "" && payables[c.Element] == nil {
			bad("/tc/element", "%q is not a payable of the contract", c.Element)
		} else if c.Element == "" && len(c.Escalators)+len(c.Deescalators) > 0 {
			bad("/tc/element", "escalators and de-escalators need the payable element whose price they follow")
		}
		checkTiers(c.Adjustment, tierUnit(c.Adjustment, payables[c.Element]), ts.Currency+"/dmt", "/tc", bad)
		checkBasisUnit(c.Adjustment, payables[c.Element], "/tc", bad)
	}
	for i, r := range ts.RC {
		at := fmt.Sprintf("/rc/%d", i)
		if payables[r.Element] == nil {
			bad(at+"/element", "%q is not a payable of the contract", r.Element)
		}
		if u, err := ParsePriceUnit(r.Unit, at+"/unit"); err != nil {
			fe = append(fe, critmin.ErrorFields(err)...)
		} else if u.Currency != ts.Currency {
			bad(at+"/unit", "currency %s differs from the contract currency %s", u.Currency, ts.Currency)
		}
		checkTiers(r.Adjustment, tierUnit(r.Adjustment, payables[r.Element]), r.Unit, at, bad)
		checkBasisUnit(r.Adjustment, payables[r.Element], at, bad)
	}
	for i, p := range ts.Penalties {
		at := fmt.Sprintf("/penalties/%d", i)
		if msg := ledger.AnalyteProblem(p.Analyte); msg != "" {
			bad(at+"/analyte", "%s", msg)
		}
		if !validGradeUnit(p.Unit) {
			bad(at+"/unit", "%q is not %%, g/t or ppm", p.Unit)
		}
		if !p.Step.IsPositive() {
			bad(at+"/step", "the step must be positive")
		}
		if p.UpTo != nil && !p.UpTo.GreaterThan(p.Threshold) {
			bad(at+"/up_to", "up_to %s must exceed the threshold %s", p.UpTo, p.Threshold)
		}
		if p.Cap != nil && p.Cap.IsNegative() {
			bad(at+"/cap", "a cap cannot be negative")
		}
		if validGradeUnit(p.Unit) {
			if err := CheckGrade(p.Threshold, p.Unit, at+"/threshold"); err != nil {
				fe = append(fe, critmin.ErrorFields(err)...)
			}
		}
		nonneg(at+"/rate", &p.Rate, "a penalty rate")
	}
	// Banded penalties of one analyte may not overlap: a grade in two
	// bands would be charged twice. Each band is (threshold, up_to],
	// compared in % (g/t and ppm converted).
	byAnalyte := map[string][]band{}
	index := map[string][]int{}
	for i, p := range ts.Penalties {
		if !validGradeUnit(p.Unit) {
			continue
		}
		lo, err := convertGrade(p.Threshold, p.Unit, "%")
		if err != nil {
			continue
		}
		b := band{lo: lo}
		if p.UpTo != nil {
			if hi, err := convertGrade(*p.UpTo, p.Unit, "%"); err == nil {
				b.hi = &hi
			}
		}
		for k, a := range byAnalyte[p.Analyte] {
			if (a.hi == nil || b.lo.LessThan(*a.hi)) && (b.hi == nil || a.lo.LessThan(*b.hi)) {
				bad(fmt.Sprintf("/penalties/%d", i), "the %s penalty band %s %% overlaps penalty %d (%s %%): a grade in both would be charged twice; make the bands consecutive (one's up_to is the next one's threshold)", p.Analyte, b, index[p.Analyte][k], a)
				break
			}
		}
		byAnalyte[p.Analyte] = append(byAnalyte[p.Analyte], b)
		index[p.Analyte] = append(index[p.Analyte], i)
	}
	if m := ts.Moisture; m != nil && (m.FranchisePct.IsNegative() || m.FranchisePct.GreaterThanOrEqual(hundred)) {
		bad("/moisture/franchise_pct", "%s %% is not in [0, 100): a moisture franchise is at least 0 and below 100 %%", m.FranchisePct)
	}
	if x := ts.Exchange; x != nil {
		switch x.Rule {
		case "split", "umpire_final", "umpire_closer_mean":
		default:
			bad("/assay_exchange/rule", "%q is not split, umpire_final or umpire_closer_mean", x.Rule)
		}
		if d := x.Decimals; d != nil && (*d < 0 || *d > 6) {
			bad("/assay_exchange/decimals", "%d is outside 0–6", *d)
		}
		// The unit the contract reads each analyte in (a payable's
		// grade_unit, a penalty's unit): the exchange compares results in
		// the limit's unit, so a limit in another unit (a Cu limit of
		// 0.20 g/t on a Cu payable in %) would refuse every final
		// settlement once the contract is frozen by its first invoice.
		readIn := map[string]string{}
		for _, p := range ts.Payables {
			for _, a := range p.analytes() {
				readIn[a] = p.GradeUnit
			}
		}
		for _, p := range ts.Penalties {
			if _, ok := readIn[p.Analyte]; !ok {
				readIn[p.Analyte] = p.Unit
			}
		}
		limits := map[string]bool{}
		for i, l := range x.Limits {
			at := fmt.Sprintf("/assay_exchange/limits/%d", i)
			if !l.Limit.IsPositive() {
				bad(at+"/limit", "a splitting limit must be positive")
			}
			if !validGradeUnit(l.Unit) {
				bad(at+"/unit", "%q is not %%, g/t or ppm", l.Unit)
			} else if u, ok := readIn[l.Analyte]; ok && validGradeUnit(u) && gradeScale(u) != gradeScale(l.Unit) {
				bad(at+"/unit", "the splitting limit for %s is in %s; the contract reads %s in %s (results are exchanged in the limit's unit)", l.Analyte, l.Unit, l.Analyte, u)
			}
			if limits[l.Analyte] {
				bad(at+"/analyte", "%q has two splitting limits", l.Analyte)
			}
			limits[l.Analyte] = true
		}
		// Every element the final settlement reads (payables, basket
		// oxides, penalties) goes through the exchange; under a rule with
		// an umpire each needs a splitting limit, or the final invoice
		// fails months later, after the contract is frozen by its
		// provisional invoice.
		if x.Rule != "split" {
			for _, a := range (&calc{ts: ts}).analytes() {
				if !limits[a] {
					bad("/assay_exchange/limits", "no splitting limit for %s, which the contract pays for or penalises: rule %s needs one per element", a, x.Rule)
				}
			}
		}
	}
	if len(fe) > 0 {
		return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("term sheet %q: %s: %s", ts.ID, fe[0].Pointer, fe[0].Reason), Fields: fe}
	}
	return nil
}

func (ts *TermSheet) checkPrice(p PriceRef, at string, bad func(string, string, ...any)) {
	u, err := ParsePriceUnit(p.Unit, at+"/unit")
	if err != nil {
		f := critmin.ErrorFields(err)[0]
		bad(f.Pointer, "%s", f.Reason)
		return
	}
	if u.Currency != ts.Currency {
		bad(at+"/unit", "currency %s differs from the contract currency %s", u.Currency, ts.Currency)
	}
	// A price is a market price (a stored series, averaged over the
	// quotational period) or a fixed-price contract's agreed price: one
	// of the two, said in words with what each field holds.
	what := fmt.Sprintf("give series (the id of a stored price series) for a market price, or fixed (the agreed price in %s) for a fixed-price contract", p.Unit)
	switch {
	case p.Series != "" && p.Fixed != nil:
		bad(at, "both a market price series (series %s) and a fixed price (fixed %s %s): a price is one or the other; %s, not both", p.Series, p.Fixed, p.Unit, what)
	case p.Series == "" && p.Fixed == nil:
		bad(at, "no price: %s", what)
	}
	if p.Pct != nil && (!p.Pct.IsPositive() || p.Pct.GreaterThan(hundred)) {
		bad(at+"/pct", "%s %% is outside (0, 100]", p.Pct)
	}
	if p.Fixed != nil && !p.Fixed.IsPositive() {
		bad(at+"/fixed", "a fixed price %s %s must be positive", p.Fixed, p.Unit)
	}
	if p.Floor != nil && p.Floor.IsNegative() {
		bad(at+"/floor", "a price floor %s %s cannot be negative", p.Floor, p.Unit)
	}
	if p.Cap != nil && !p.Cap.IsPositive() {
		bad(at+"/cap", "a price cap %s %s must be positive", p.Cap, p.Unit)
	}
	if p.Floor != nil && p.Cap != nil && p.Floor.GreaterThan(*p.Cap) {
		bad(at+"/floor", "floor %s %s is above cap %s %s", p.Floor, p.Unit, p.Cap, p.Unit)
	}
}

// checkBasisUnit refuses a charge's basis_unit that is not a price unit
// or not the unit its element's price is quoted in (p: the payable, nil
// when the element is not one, refused elsewhere), at at+"/basis_unit";
// a basis_unit without a basis price is refused too.
func checkBasisUnit(a Adjustment, p *Payable, at string, bad func(string, string, ...any)) {
	if a.BasisUnit == "" {
		// Required with a basis price on input (ParseTermSheet): a basis
		// of 9000 means nothing without its unit. Sheets stored before
		// it was required are read as stored (the element's price unit).
		if a.BasisPrice != nil {
			unit := "the element's price unit"
			if p != nil && p.Price.Unit != "" {
				unit = p.Price.Unit
			}
			bad(at+"/basis_unit", "basis_price %s needs its unit: state basis_unit (%s)", a.BasisPrice, unit)
		}
		return
	}
	if a.BasisPrice == nil {
		bad(at+"/basis_unit", "%q is the unit of basis_price, which is not given", a.BasisUnit)
		return
	}
	if _, err := ParsePriceUnit(a.BasisUnit, at+"/basis_unit"); err != nil {
		bad(at+"/basis_unit", "%s", critmin.ErrorFields(err)[0].Reason)
		return
	}
	if p != nil && p.Price.Unit != "" && a.BasisUnit != p.Price.Unit {
		bad(at+"/basis_unit", "basis_price %s %s is not in the unit %s of the %s price it is compared with: state the basis in %s", a.BasisPrice, a.BasisUnit, p.Price.Unit, p.Element, p.Price.Unit)
	}
}

// tierUnit is the unit a charge's basis price and tiers are written in:
// its basis_unit, else its element's price unit ("" when neither is known).
func tierUnit(a Adjustment, p *Payable) string {
	if a.BasisUnit != "" {
		return a.BasisUnit
	}
	if p != nil {
		return p.Price.Unit
	}
	return ""
}

// checkTiers checks a charge's adjustment at at. Figures are named with
// their unit, as the term sheet gives them: prices (basis_price, a tier's
// from and to) in priceUnit, the floor and cap in chargeUnit.
func checkTiers(a Adjustment, priceUnit, chargeUnit, at string, bad func(string, string, ...any)) {
	basis, esc, desc, floor, cap := a.BasisPrice, a.Escalators, a.Deescalators, a.Floor, a.Cap
	in := func(v decimal.Decimal, unit string) string {
		if unit == "" {
			return v.String()
		}
		return v.String() + " " + unit
	}
	if (len(esc) > 0 || len(desc) > 0) && basis == nil {
		bad(at+"/basis_price", "escalators need a basis price")
	}
	for i, t := range esc {
		p := fmt.Sprintf("%s/escalators/%d", at, i)
		if !t.Step.IsPositive() {
			bad(p+"/step", "the step must be positive")
		}
		if basis != nil && t.From.LessThan(*basis) {
			bad(p+"/from", "from %s is below basis_price %s: an escalator starts at or above the basis price", in(t.From, priceUnit), in(*basis, priceUnit))
		}
		if t.To != nil && !t.To.GreaterThan(t.From) {
			bad(p+"/to", "to %s must exceed from %s", in(*t.To, priceUnit), in(t.From, priceUnit))
		}
	}
	for i, t := range desc {
		p := fmt.Sprintf("%s/deescalators/%d", at, i)
		if !t.Step.IsPositive() {
			bad(p+"/step", "the step must be positive")
		}
		if basis != nil && t.From.GreaterThan(*basis) {
			bad(p+"/from", "from %s is above basis_price %s: a de-escalator starts at or below the basis price", in(t.From, priceUnit), in(*basis, priceUnit))
		}
		if t.To != nil && !t.To.LessThan(t.From) {
			bad(p+"/to", "to %s must be below from %s", in(*t.To, priceUnit), in(t.From, priceUnit))
		}
	}
	if floor != nil && cap != nil && floor.GreaterThan(*cap) {
		bad(at+"/floor", "floor %s is above cap %s", in(*floor, chargeUnit), in(*cap, chargeUnit))
	}
	// Tiers of one schedule may not overlap: a price in two bands would
	// be counted twice. An escalator covers (from, to], a de-escalator
	// [to, from), open-ended without to.
	var up, down []band
	for _, t := range esc {
		up = append(up, band{lo: t.From, hi: t.To})
	}
	for _, t := range desc {
		// Mirrored: a de-escalator from 9000 down to 8000 is the band
		// (−9000, −8000].
		b := band{lo: t.From.Neg()}
		if t.To != nil {
			h := t.To.Neg()
			b.hi = &h
		}
		down = append(down, b)
	}
	overlaps(up, at+"/escalators", "escalator", bad)
	overlaps(down, at+"/deescalators", "de-escalator", bad)
}

// band is a half-open range (lo, hi] of a tiered schedule; hi nil is
// unbounded.
type band struct {
	lo decimal.Decimal
	hi *decimal.Decimal
}

func (b band) String() string {
	if b.hi == nil {
		return b.lo.String() + "…"
	}
	return b.lo.String() + "…" + b.hi.String()
}

// overlaps refuses (naming the later tier, at/i) any band that shares
// part of its range with an earlier one of the same schedule.
func overlaps(bands []band, at, what string, bad func(string, string, ...any)) {
	for i, b := range bands {
		for j := 0; j < i; j++ {
			a := bands[j]
			// (a.lo, a.hi] and (b.lo, b.hi] overlap iff each starts
			// below the other's end.
			if (a.hi == nil || b.lo.LessThan(*a.hi)) && (b.hi == nil || a.lo.LessThan(*b.hi)) {
				bad(fmt.Sprintf("%s/%d", at, i), "%s tier %d overlaps tier %d: a price in both would be counted twice; make the tiers consecutive (one's to is the next one's from)", what, i, j)
				break
			}
		}
	}
}

func (q *QPRule) validate(at string, bad func(string, string, ...any)) {
	if q.Event != "" && q.Event != "shipment" && q.Event != "arrival" {
		bad(at+"/event", "%q is not shipment or arrival", q.Event)
	}
	if q.Month < -3 || q.Month > 6 {
		bad(at+"/month", "month %d is outside −3…+6", q.Month)
	}
	for i, o := range q.Options {
		if o < -3 || o > 6 {
			bad(fmt.Sprintf("%s/options/%d", at, i), "option month %d is outside −3…+6 (the same range as month)", o)
		}
	}
	if len(q.Options) > 0 && q.DeclaredBy != "buyer" && q.DeclaredBy != "seller" {
		bad(at+"/declared_by", "declaration options need declared_by buyer or seller")
	}
	if len(q.Periods) > 0 && (q.Month != 0 || len(q.Options) > 0) {
		bad(at+"/periods", "give either a month (with its options) or periods, not both")
	}
	type span struct{ from, to time.Time }
	var spans []span
	sum := zero
	for i, p := range q.Periods {
		pp := fmt.Sprintf("%s/periods/%d", at, i)
		// The share counts whatever the period's dates: a period whose
		// dates are refused still states its share (before, it was left
		// out and a to-before-from period read "shares add up to 0").
		if !p.Share.IsPositive() || p.Share.GreaterThan(one) {
			bad(pp+"/share", "%s is outside (0, 1]", p.Share)
		}
		sum = sum.Add(p.Share)
		f, err1 := time.Parse(time.DateOnly, p.From)
		t, err2 := time.Parse(time.DateOnly, p.To)
		if err1 != nil {
			bad(pp+"/from", "%q is not a date (YYYY-MM-DD)", p.From)
			continue
		}
		if err2 != nil {
			bad(pp+"/to", "%q is not a date (YYYY-MM-DD)", p.To)
			continue
		}
		if t.Before(f) {
			bad(pp+"/to", "the period ends (%s) before it starts (%s): to must be on or after from", p.To, p.From)
			continue
		}
		for j, s := range spans {
			if !f.After(s.to) && !t.Before(s.from) {
				bad(pp, "quotational period %s…%s overlaps period %d", p.From, p.To, j)
			}
		}
		spans = append(spans, span{f, t})
	}
	if len(q.Periods) > 0 && !sum.Equal(one) {
		bad(at+"/periods", "shares add up to %s, not 1", sum)
	}
}

// contractID is the syntax of a contract id.
var contractID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

func validGradeUnit(u string) bool { return u == "%" || u == "g/t" || u == "ppm" }

// gradeScale is a grade unit's scale: g/t and ppm are one scale (1 g/t =
// 1 ppm by mass), % another (1 % = 10 000 g/t).
func gradeScale(u string) string {
	if u == "ppm" {
		return "g/t"
	}
	return u
}

// round rounds an amount by the contract's rounding.
func (ts *TermSheet) round(d decimal.Decimal) decimal.Decimal {
	places := minorUnits[ts.Currency]
	if ts.Rounding.Decimals != nil {
		places = *ts.Rounding.Decimals
	}
	switch ts.Rounding.Mode {
	case "half_even":
		return d.RoundBank(places)
	case "down":
		return d.Truncate(places)
	default:
		return d.Round(places)
	}
}

// MaxTermMagnitude bounds every number of a term sheet, as a JSON number or
// a decimal string: no rate, price, quantity or share of a real contract
// comes near 1e12 (epcis.MaxQuantity bounds captured quantities the same
// way), and 1e300 would only overflow the arithmetic or the page.
var MaxTermMagnitude = decimal.New(1, 12)

var decimalString = regexp.MustCompile(`^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$`)

// boundMagnitudes refuses a term sheet holding a number (or a decimal
// string) whose magnitude exceeds MaxTermMagnitude, naming its pointer.
// Identity fields (/id, /seller, /buyer, …) are strings, not amounts, and
// are not checked.
func boundMagnitudes(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil // the decoder below reports it
	}
	var fe []critmin.FieldError
	var walk func(at string, v any)
	walk = func(at string, v any) {
		var lit string
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if at == "" && (k == "id" || k == "seller" || k == "buyer" || k == "commodity" || k == "currency") {
					continue
				}
				walk(at+"/"+strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1"), e)
			}
			return
		case []any:
			for i, e := range x {
				walk(fmt.Sprintf("%s/%d", at, i), e)
			}
			return
		case json.Number:
			lit = string(x)
		case string:
			if !decimalString.MatchString(x) {
				return
			}
			lit = x
		default:
			return
		}
		d, err := decimal.NewFromString(lit)
		if err != nil {
			return
		}
		if d.Abs().GreaterThan(MaxTermMagnitude) {
			fe = append(fe, critmin.FieldError{Pointer: at, Reason: fmt.Sprintf("%s is beyond the bound ±%s on term-sheet numbers", lit, MaxTermMagnitude)})
		}
	}
	walk("", v)
	if len(fe) == 0 {
		return nil
	}
	sort.Slice(fe, func(i, j int) bool { return fe[i].Pointer < fe[j].Pointer })
	return &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("term sheet: %s: %s", fe[0].Pointer, fe[0].Reason), Fields: fe}
}

// paidHolder is one analyte a payable or the basket pays for, at the
// pointer that names it.
type paidHolder struct {
	holder  string // "/payables/1" or "/basket"
	at      string // pointer of the analyte itself
	analyte string
}

// paidOnce refuses a term sheet that pays one analyte twice, and any
// payable analyte that is not one critmin can assay. The rule (the
// industry's: a concentrate contract's payable clause names each metal
// once, and an oxide priced in a rare-earth basket is not paid again
// on its own) is that each element is paid by at most one payable or
// the basket. Analytes are compared by the element they carry (Nd and
// Nd2O3 both pay Nd); a total (TREO, REO, TREE) carries every rare
// earth. The basket pays its oxides, and with a fixed share its whole
// basis (TREO): it then pays every rare earth. The second holder is
// named, with the analyte and the holder that already pays it.
func (ts *TermSheet) paidOnce() []critmin.FieldError {
	var fe []critmin.FieldError
	var paid []paidHolder
	for i := range ts.Payables {
		p := &ts.Payables[i]
		at := fmt.Sprintf("/payables/%d", i)
		if len(p.Analytes) == 0 {
			paid = append(paid, paidHolder{at, at + "/element", p.Element})
		}
		for j, a := range p.Analytes {
			paid = append(paid, paidHolder{at, fmt.Sprintf("%s/analytes/%d", at, j), a})
		}
	}
	if b := ts.Basket; b != nil {
		fixed := false
		for i, o := range b.Oxides {
			paid = append(paid, paidHolder{"/basket", fmt.Sprintf("/basket/oxides/%d/oxide", i), o.Oxide})
			fixed = fixed || o.Share != nil
		}
		if fixed && b.Basis != "" {
			paid = append(paid, paidHolder{"/basket", "/basket/basis", b.Basis})
		}
	}
	for k, h := range paid {
		if msg := ledger.AnalyteProblem(h.analyte); msg != "" {
			fe = append(fe, critmin.FieldError{Pointer: h.at, Reason: msg + "; a payable names the element or oxide it pays for (Cu, Au, Nd2O3), or lists them in analytes"})
			continue
		}
		for _, prev := range paid[:k] {
			if prev.holder == h.holder && prev.analyte != h.analyte && h.holder == "/basket" {
				continue // the basket's oxides and its basis
			}
			if ledger.AnalyteProblem(prev.analyte) != "" || !samePaid(prev.analyte, h.analyte) {
				continue
			}
			if prev.analyte == h.analyte && strings.HasSuffix(prev.at, "/element") && strings.HasSuffix(h.at, "/element") {
				break // two payables of one element: refused by name in Validate
			}
			what := h.analyte
			if prev.analyte != h.analyte {
				what = fmt.Sprintf("%s (as %s)", h.analyte, prev.analyte)
			}
			by := "payable " + prev.holder
			if prev.holder == "/basket" {
				by = "the basket"
			} else if prev.holder == h.holder {
				by = "this payable already"
			}
			fe = append(fe, critmin.FieldError{Pointer: h.at, Reason: fmt.Sprintf("%s is paid twice: %s pays it; an element is paid by at most one payable or the basket (the sum of its payable shares would exceed 100 %%)", what, by)})
			break
		}
	}
	return fe
}

// samePaid says whether paying a and paying b pays some metal twice:
// the same element, or a rare-earth total and a rare earth.
func samePaid(a, b string) bool {
	ea, eb := units.ElementOf(a), units.ElementOf(b)
	ta, tb := ledger.TotalAnalytes[a], ledger.TotalAnalytes[b]
	switch {
	case ta && tb:
		return true
	case ta:
		return ledger.IsRareEarth(eb)
	case tb:
		return ledger.IsRareEarth(ea)
	}
	return ea == eb
}
