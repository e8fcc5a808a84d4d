package commercial

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/critmin/critmin/jsonstrict"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/epcis"
	"github.com/shopspring/decimal"
)

// Agreement is a framework agreement (such as the USSM–FWO memorandum of
// September 2025) as data: its parties, headline value, commodities,
// tranches (committed amounts per commodity, tied to offtake contracts)
// and milestones with due dates. Sources are cited per fact; invented
// amounts and dates carry Illustrative flags.
type Agreement struct {
	ID                string      `json:"id"`
	Name              string      `json:"name"`
	Parties           []Party     `json:"parties"`
	Signed            string      `json:"signed"`
	SignedSource      string      `json:"signed_source,omitempty"`
	Binding           bool        `json:"binding"`
	BindingSource     string      `json:"binding_source,omitempty"`
	Headline          Headline    `json:"headline"`
	Commodities       []string    `json:"commodities"`
	CommoditiesSource string      `json:"commodities_source,omitempty"`
	Tranches          []Tranche   `json:"tranches"`
	Milestones        []Milestone `json:"milestones"`
}

// Party is a party to an agreement.
type Party struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Country string `json:"country,omitempty"`
}

// Headline is the agreement's announced value.
type Headline struct {
	Amount   decimal.Decimal `json:"amount"`
	Currency string          `json:"currency"`
	Source   string          `json:"source,omitempty"`
}

// Tranche commits an amount of one commodity's offtake over [From, To]
// through the listed contracts.
type Tranche struct {
	ID           string          `json:"id"`
	Commodity    string          `json:"commodity"`
	Committed    decimal.Decimal `json:"committed"`
	From         string          `json:"from"`
	To           string          `json:"to"`
	Contracts    []string        `json:"contracts"`
	Illustrative bool            `json:"illustrative,omitempty"`
}

// Milestone is a dated step (first shipment, refinery financing and
// construction stages); Achieved is empty until it happens.
type Milestone struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	Stage           string `json:"stage,omitempty"`
	Due             string `json:"due"`
	Achieved        string `json:"achieved,omitempty"`
	Source          string `json:"source,omitempty"`
	IllustrativeDue bool   `json:"illustrative_due,omitempty"`
	// Ledger, when "first_receipt", makes the ledger the evidence: the
	// milestone is achieved on the earliest receipt (arrival after the
	// bill of lading) of a lot invoiced under the agreement's contracts.
	Ledger string `json:"ledger,omitempty"`
	// Status is on_time, late, due (pending, not yet late) or overdue,
	// computed by Progress.
	Status string `json:"status,omitempty"`
}

// ParseAgreement decodes and checks an agreement.
func ParseAgreement(b []byte) (*Agreement, error) {
	if err := duplicateItems(b, "agreement"); err != nil {
		return nil, err
	}
	var a Agreement
	if err := jsonstrict.Check(b, &a); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return nil, fieldErrorf("/", "agreement: %v", err)
	}
	if a.ID == "" {
		return nil, fieldErrorf("/id", "an agreement needs an id")
	}
	if _, err := time.Parse(time.DateOnly, a.Signed); err != nil {
		return nil, fieldErrorf("/signed", "%q is not a date", a.Signed)
	}
	minor, ok := minorUnits[a.Headline.Currency]
	if !ok {
		return nil, fieldErrorf("/headline/currency", "%q is not an ISO 4217 currency critmin knows", a.Headline.Currency)
	}
	// Amounts are money in the headline currency: none finer than its
	// ISO 4217 minor unit (JPY 0, USD 2), which could be neither paid
	// nor shown as stored.
	finer := func(v decimal.Decimal) bool { return !v.Equal(v.Truncate(minor)) }
	if finer(a.Headline.Amount) {
		return nil, fieldErrorf("/headline/amount", "%s has more decimals than %s's minor unit (ISO 4217: %d decimal places)", a.Headline.Amount, a.Headline.Currency, minor)
	}
	// An agreement is between at least two distinct parties, each named
	// by its id (compared in canonical form, so one party spelled two
	// ways is one).
	var pe []critmin.FieldError
	distinct := map[string]int{}
	for i, p := range a.Parties {
		at := fmt.Sprintf("/parties/%d", i)
		switch id := strings.TrimSpace(p.ID); {
		case id == "":
			pe = append(pe, critmin.FieldError{Pointer: at + "/id", Reason: "a party needs an id"})
		default:
			if j, ok := distinct[epcis.Canonical(id)]; ok {
				pe = append(pe, critmin.FieldError{Pointer: at + "/id", Reason: fmt.Sprintf("%q is party %d again: an agreement's parties are distinct", p.ID, j)})
			} else {
				distinct[epcis.Canonical(id)] = i
			}
		}
	}
	if len(distinct) < 2 {
		pe = append([]critmin.FieldError{{Pointer: "/parties", Reason: fmt.Sprintf("an agreement needs at least two distinct parties; %d given", len(distinct))}}, pe...)
	}
	for i, m := range a.Milestones {
		if m.Achieved != "" && m.Achieved < a.Signed {
			if _, err := time.Parse(time.DateOnly, m.Achieved); err == nil {
				pe = append(pe, critmin.FieldError{Pointer: fmt.Sprintf("/milestones/%d/achieved", i), Reason: fmt.Sprintf("%s is before the agreement was signed (%s): a milestone of the agreement is achieved under it", m.Achieved, a.Signed)})
			}
		}
	}
	if len(pe) > 0 {
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("agreement %q: %s: %s", a.ID, pe[0].Pointer, pe[0].Reason), Fields: pe}
	}
	for i, p := range a.Parties {
		// ISO 3166-1 alpha-3, as every country field of critmin's inputs.
		if p.Country != "" && !country.Valid(p.Country) {
			return nil, fieldErrorf(fmt.Sprintf("/parties/%d/country", i), "%q is not an ISO 3166-1 alpha-3 country code", p.Country)
		}
	}
	for i, t := range a.Tranches {
		f, err1 := time.Parse(time.DateOnly, t.From)
		e, err2 := time.Parse(time.DateOnly, t.To)
		if err1 != nil || err2 != nil || e.Before(f) {
			return nil, fieldErrorf(fmt.Sprintf("/tranches/%d", i), "from %q and to %q must be dates, to after from", t.From, t.To)
		}
		if t.Committed.IsNegative() {
			return nil, fieldErrorf(fmt.Sprintf("/tranches/%d/committed", i), "a commitment cannot be negative")
		}
		if finer(t.Committed) {
			return nil, fieldErrorf(fmt.Sprintf("/tranches/%d/committed", i), "%s has more decimals than %s's minor unit (ISO 4217: %d decimal places)", t.Committed, a.Headline.Currency, minor)
		}
	}
	// The tranches commit parts of the headline: together they cannot
	// commit more than it (before, a sum over the headline was stored
	// silently and the progress page showed more committed than agreed).
	total := decimal.Zero
	for _, t := range a.Tranches {
		total = total.Add(t.Committed)
	}
	if total.GreaterThan(a.Headline.Amount) {
		return nil, fieldErrorf("/tranches", "the tranches commit %s %s in all, more than the headline %s %s", total, a.Headline.Currency, a.Headline.Amount, a.Headline.Currency)
	}
	for i, m := range a.Milestones {
		if _, err := time.Parse(time.DateOnly, m.Due); err != nil {
			return nil, fieldErrorf(fmt.Sprintf("/milestones/%d/due", i), "%q is not a date", m.Due)
		}
		if m.Ledger != "" && m.Ledger != "first_receipt" {
			return nil, fieldErrorf(fmt.Sprintf("/milestones/%d/ledger", i), "%q is not first_receipt", m.Ledger)
		}
		if m.Achieved != "" {
			if _, err := time.Parse(time.DateOnly, m.Achieved); err != nil {
				return nil, fieldErrorf(fmt.Sprintf("/milestones/%d/achieved", i), "%q is not a date", m.Achieved)
			}
		}
	}
	return &a, nil
}

// milestoneStatus: achieved on or before the due date is on_time, after
// it late; not achieved is overdue once the due date has passed, else due.
func milestoneStatus(m Milestone, today string) string {
	switch {
	case m.Achieved != "" && m.Achieved <= m.Due:
		return "on_time"
	case m.Achieved != "":
		return "late"
	case today > m.Due:
		return "overdue"
	default:
		return "due"
	}
}

// CommodityProgress is one commodity's committed, shipped, invoiced and
// paid value, cumulative by month.
type CommodityProgress struct {
	Commodity string          `json:"commodity"`
	Committed decimal.Decimal `json:"committed"`
	Shipped   decimal.Decimal `json:"shipped"`
	Invoiced  decimal.Decimal `json:"invoiced"`
	Paid      decimal.Decimal `json:"paid"`
	Months    []MonthProgress `json:"months"`
}

// MonthProgress is cumulative progress at the end of a month.
type MonthProgress struct {
	Month    string          `json:"month"`
	Shipped  decimal.Decimal `json:"shipped"`
	Invoiced decimal.Decimal `json:"invoiced"`
	Paid     decimal.Decimal `json:"paid"`
}

// Progress is an agreement's state on a day.
type Progress struct {
	Agreement   *Agreement          `json:"agreement"`
	AsOf        string              `json:"as_of"`
	Commodities []CommodityProgress `json:"commodities"`
	Committed   decimal.Decimal     `json:"committed"`
	Shipped     decimal.Decimal     `json:"shipped"`
	Invoiced    decimal.Decimal     `json:"invoiced"`
	Paid        decimal.Decimal     `json:"paid"`
	// ShippedNotInvoiced are the lots counted as shipped that are not
	// invoiced (as of the day): shipped under a tranche's contract (B/L
	// dated in the tranche's period, on or before the day; the contract
	// can invoice the lot — its commodity, its seller owning it at
	// delivery, invoiced under no other contract), valued at their
	// settlement under the contract as it stands today, a what-if.
	ShippedNotInvoiced []ShippedLot `json:"shipped_not_invoiced,omitempty"`
	// Unallocated are lots shipped in a tranche's period and invoiced
	// under no contract that several stored contracts could invoice
	// (CandidateContracts, the exposure's rule; fix13y): under none of
	// them until one invoices it, so in no tranche's shipped total —
	// listed with the contracts they could be under.
	Unallocated []UnallocatedShipped `json:"unallocated,omitempty"`
	// Excluded are invoiced lots not counted as shipped: an event their
	// weight or bill of lading rests on was declared in error (the same
	// rule as Position's delivered quantity).
	Excluded []ExcludedLot `json:"excluded,omitempty"`
}

// ShippedLot is a lot shipped under a contract and not invoiced: its
// bill of lading and its value, a what-if (Basis says on what).
type ShippedLot struct {
	Lot      string          `json:"lot"`
	Contract string          `json:"contract"`
	BLDate   string          `json:"bl_date"`
	Value    decimal.Decimal `json:"value"`
	Basis    string          `json:"basis"`
}

// UnallocatedShipped is a lot shipped and not invoiced that several
// contracts could invoice (Progress.Unallocated): not counted as shipped.
type UnallocatedShipped struct {
	Lot          string   `json:"lot"`
	BLDate       string   `json:"bl_date"`
	CouldBeUnder []string `json:"could_be_under"`
}

// SaveAgreement validates and stores an agreement.
func (s *Service) SaveAgreement(ctx context.Context, body []byte) (*Agreement, error) {
	a, err := ParseAgreement(body)
	if err != nil {
		return nil, err
	}
	// A milestone is achieved once it has happened: an achieved date
	// after today (UTC, the service's clock) is a promise, not a fact.
	today := s.Now().UTC().Format(time.DateOnly)
	if a.Signed > today {
		return nil, fieldErrorf("/signed", "%s is after today (%s): record an agreement once it is signed", a.Signed, today)
	}
	for i, m := range a.Milestones {
		if m.Achieved > today {
			return nil, fieldErrorf(fmt.Sprintf("/milestones/%d/achieved", i), "%s is after today (%s): a milestone is achieved once it has happened; leave achieved empty until then", m.Achieved, today)
		}
	}
	if fe, err := s.checkTranches(ctx, a); err != nil {
		return nil, err
	} else if len(fe) > 0 {
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: fmt.Sprintf("agreement %q: %s: %s", a.ID, fe[0].Pointer, fe[0].Reason), Fields: fe}
	}
	b, _ := json.Marshal(a)
	if err := s.Store.SaveTradeDoc(ctx, &critmin.TradeDoc{Kind: critmin.TradeAgreement, ID: a.ID, Body: b, SavedAt: s.Now().UTC()}); err != nil {
		return nil, caseTwin(err, "/id", "agreement")
	}
	return a, nil
}

// Agreements lists stored agreements.
func (s *Service) Agreements(ctx context.Context) ([]*Agreement, error) {
	docs, err := s.Store.ListTradeDocs(ctx, critmin.TradeAgreement)
	if err != nil {
		return nil, err
	}
	var out []*Agreement
	for _, d := range docs {
		var a Agreement
		if err := json.Unmarshal(d.Body, &a); err != nil {
			return nil, fmt.Errorf("commercial: stored agreement %s: %w", d.ID, err)
		}
		out = append(out, &a)
	}
	return out, nil
}

// CheckAsOf refuses an as-of day after today (s.Now, UTC): a report as
// of a day not yet come would call milestones due before it late and
// count nothing that has not happened (EINVALID naming as_of, the CLI's
// --as-of). Every trade report taking an as-of day refuses alike.
func (s *Service) CheckAsOf(asOf time.Time) error {
	today := s.Now().UTC().Format(time.DateOnly)
	if day := asOf.UTC().Format(time.DateOnly); day > today {
		return fieldErrorf("as_of", "as of %s (as_of, --as-of) is after today, %s: a report is as of a day that has come — statuses as of a later day would call milestones late and payments overdue before their day; give a date on or before %s", day, today, today)
	}
	return nil
}

// Progress computes an agreement's progress on asOf: per commodity,
// committed (its tranches, from the day the agreement is signed), shipped (the final value of each invoiced lot,
// else its provisional value, counted in the month of its bill of lading;
// a lot whose weight or bill of lading was declared in error is listed in
// Excluded instead),
// invoiced (invoice totals by issue month) and paid (payments by month);
// and each milestone's status.
func (s *Service) Progress(ctx context.Context, id string, asOf time.Time) (*Progress, error) {
	if err := s.CheckAsOf(asOf); err != nil {
		return nil, err
	}
	d, err := s.Store.FindTradeDoc(ctx, critmin.TradeAgreement, id)
	if err != nil {
		return nil, err
	}
	var a Agreement
	if err := json.Unmarshal(d.Body, &a); err != nil {
		return nil, fmt.Errorf("commercial: stored agreement %s: %w", id, err)
	}
	// The tranches are checked again: a contract named by a stored
	// agreement may have been saved since with another currency or
	// commodity (or the agreement stored before the check existed). No
	// figures rather than sums of different currencies or double counts.
	if fe, err := s.checkTranches(ctx, &a); err != nil {
		return nil, err
	} else if len(fe) > 0 {
		return nil, &critmin.Error{Code: critmin.ECONFLICT, Message: fmt.Sprintf("agreement %q cannot be totalled: %s: %s; correct the agreement (critmin trade agreement add) or the contract", a.ID, fe[0].Pointer, fe[0].Reason), Fields: fe}
	}
	today := asOf.Format(time.DateOnly)
	// Every lot fact is as known by the end of the day (lotFactsAsOf),
	// never the ledger's now: an as-of report reads what was known then.
	dayEnd := endOfDay(asOf)
	p := &Progress{Agreement: &a, AsOf: today}
	firstReceipt := ""
	byCommodity := map[string]*CommodityProgress{}
	type monthly struct{ shipped, invoiced, paid map[string]decimal.Decimal }
	flows := map[string]*monthly{}
	var order []string
	// Tranches group by commodity as trancheHolds matches them: case and
	// spacing aside ("Copper", "copper " and "copper" are one row, under
	// the first tranche's spelling), never one row per spelling.
	get := func(name string) (*CommodityProgress, *monthly) {
		c := commodityKey(name)
		if byCommodity[c] == nil {
			byCommodity[c] = &CommodityProgress{Commodity: strings.TrimSpace(name)}
			flows[c] = &monthly{map[string]decimal.Decimal{}, map[string]decimal.Decimal{}, map[string]decimal.Decimal{}}
			order = append(order, c)
		}
		return byCommodity[c], flows[c]
	}
	// Nothing is committed before the agreement is signed: as of an
	// earlier day its tranches are listed with nothing committed.
	signed := a.Signed == "" || a.Signed <= today
	// The lot's B/L date: as the ledger stood at the end of the day, else
	// (its B/L since declared in error, a lot listed under Excluded) the
	// one the invoice was issued on, as the ledger stood then.
	blAt := func(lot string, at time.Time) (string, error) {
		lf, err := lotFactsAsOf(ctx, s.Store, lot, at)
		if err != nil && critmin.ErrorCode(err) != critmin.ENOTFOUND {
			return "", err
		}
		if err != nil || lf.BLEvent == "" {
			return "", nil
		}
		return lf.BLDate.Format(time.DateOnly), nil
	}
	blNow, blIssued := map[string]string{}, map[string]string{}
	blIn := func(inv *Invoice, from, to string) (bool, error) {
		d, ok := blNow[inv.Lot]
		if !ok {
			var err error
			if d, err = blAt(inv.Lot, dayEnd); err != nil {
				return false, err
			}
			blNow[inv.Lot] = d
		}
		if d == "" {
			if d, ok = blIssued[inv.ID]; !ok {
				var err error
				if d, err = blAt(inv.Lot, inv.IssuedAt); err != nil {
					return false, err
				}
				blIssued[inv.ID] = d
			}
		}
		return d != "" && from <= d && d <= to, nil
	}
	counted := map[string]bool{} // lots counted as shipped, invoiced or not
	for _, t := range a.Tranches {
		cp, fl := get(t.Commodity)
		if signed {
			cp.Committed = cp.Committed.Add(t.Committed)
		}
		for _, cid := range t.Contracts {
			invs, err := s.Invoices(ctx, critmin.InvoiceFilter{Contract: cid})
			if err != nil {
				return nil, err
			}
			lotValue := map[string]*Invoice{}
			for _, inv := range invs {
				if inv.IssuedAt.Format(time.DateOnly) > today {
					continue
				}
				counted[inv.Lot] = true
				// A tranche commits offtake over its period: a lot counts
				// in it (shipped, invoiced, paid) only when its B/L is
				// dated From…To, both inclusive — as take-or-pay counts
				// deliveries by B/L date.
				if in, err := blIn(inv, t.From, t.To); err != nil {
					return nil, err
				} else if !in {
					continue
				}
				m := inv.IssuedAt.Format("2006-01")
				fl.invoiced[m] = fl.invoiced[m].Add(inv.Total)
				// A credit or debit note is invoiced in its issue month,
				// from its issue day (notesBy).
				for _, n := range notesBy(inv, today) {
					nm := n.IssuedAt.UTC().Format("2006-01")
					fl.invoiced[nm] = fl.invoiced[nm].Add(n.Total)
				}
				if prev := lotValue[inv.Lot]; prev == nil || inv.Kind == Final {
					lotValue[inv.Lot] = inv
				}
				pays, err := s.Store.ListPayments(ctx, inv.ID)
				if err != nil {
					return nil, err
				}
				for _, pay := range pays {
					if pay.PaidOn > today {
						continue
					}
					amt, _ := decimal.NewFromString(pay.Amount)
					fl.paid[pay.PaidOn[:7]] = fl.paid[pay.PaidOn[:7]].Add(amt)
				}
			}
			// Shipped runs ahead of invoiced: a lot the contract can
			// invoice, shipped in the tranche's period by the day and not
			// invoiced by then, counts as shipped at its settlement value
			// as it stands (final, else provisional), said to be a what-if.
			notYet, unalloc, err := s.shippedNotInvoiced(ctx, cid, lotValue, counted, t.From, minDay(t.To, today), asOf)
			if err != nil {
				return nil, err
			}
			p.Unallocated = append(p.Unallocated, unalloc...)
			for _, sl := range notYet {
				fl.shipped[sl.BLDate[:7]] = fl.shipped[sl.BLDate[:7]].Add(sl.Value)
				p.ShippedNotInvoiced = append(p.ShippedNotInvoiced, sl)
			}
			for _, inv := range lotValue {
				if lf, err := lotFactsAsOf(ctx, s.Store, inv.Lot, dayEnd); err == nil && lf.Arrival != nil {
					if d := lf.Arrival.Format(time.DateOnly); d <= today && (firstReceipt == "" || d < firstReceipt) {
						firstReceipt = d
					}
				}
				if why := weighRetracted(inv); why != "" {
					p.Excluded = append(p.Excluded, ExcludedLot{Lot: inv.Lot, Invoice: inv.ID, DMT: inv.Settlement.DMT, Reason: why})
					continue
				}
				month := inv.IssuedAt.Format("2006-01")
				if inv.BL != "" {
					if lf, err := lotFactsAsOf(ctx, s.Store, inv.Lot, dayEnd); err == nil && lf.BLEvent != "" {
						month = lf.BLDate.Format("2006-01")
					}
				}
				// The lot's value as invoiced by the day: the final
				// invoice's, corrected by the notes issued by then.
				fl.shipped[month] = fl.shipped[month].Add(inv.Settlement.Value.Add(NoteTotals(notesBy(inv, today))))
			}
		}
	}
	for i := range a.Milestones {
		m := &a.Milestones[i]
		if m.Achieved > today {
			// Achieved after the as-of date: on that date it was not.
			m.Achieved = ""
		}
		if m.Ledger == "first_receipt" && m.Achieved == "" && firstReceipt != "" {
			m.Achieved = firstReceipt
			m.Source += " (achieved: the ledger's first receipt of an invoiced lot)"
		}
		m.Status = milestoneStatus(*m, today)
	}
	sort.Slice(p.Excluded, func(i, j int) bool { return p.Excluded[i].Lot < p.Excluded[j].Lot })
	// Milestones in the order they fall due (then by id).
	sort.SliceStable(a.Milestones, func(i, j int) bool {
		if a.Milestones[i].Due != a.Milestones[j].Due {
			return a.Milestones[i].Due < a.Milestones[j].Due
		}
		return a.Milestones[i].ID < a.Milestones[j].ID
	})
	for _, c := range order {
		cp, fl := byCommodity[c], flows[c]
		months := map[string]bool{}
		for _, m := range []map[string]decimal.Decimal{fl.shipped, fl.invoiced, fl.paid} {
			for k := range m {
				months[k] = true
			}
		}
		var ms []string
		for k := range months {
			ms = append(ms, k)
		}
		sort.Strings(ms)
		var cum MonthProgress
		for _, m := range ms {
			cum = MonthProgress{Month: m, Shipped: cum.Shipped.Add(fl.shipped[m]), Invoiced: cum.Invoiced.Add(fl.invoiced[m]), Paid: cum.Paid.Add(fl.paid[m])}
			cp.Months = append(cp.Months, cum)
		}
		cp.Shipped, cp.Invoiced, cp.Paid = cum.Shipped, cum.Invoiced, cum.Paid
		p.Commodities = append(p.Commodities, *cp)
		p.Committed = p.Committed.Add(cp.Committed)
		p.Shipped = p.Shipped.Add(cp.Shipped)
		p.Invoiced = p.Invoiced.Add(cp.Invoiced)
		p.Paid = p.Paid.Add(cp.Paid)
	}
	return p, nil
}

// notesBy are the notes of inv issued on day (UTC, YYYY-MM-DD) or before.
func notesBy(inv *Invoice, day string) []*Note {
	var out []*Note
	for _, n := range inv.Notes {
		if n.IssuedAt.UTC().Format(time.DateOnly) <= day {
			out = append(out, n)
		}
	}
	return out
}

// minDay is the earlier of two YYYY-MM-DD days ("" is no bound).
func minDay(a, b string) string {
	if a == "" || b < a {
		return b
	}
	return a
}

// shippedNotInvoiced lists the lots contract cid can invoice (Deliverable)
// that are not invoiced under it by the day (invoiced), not counted yet
// (counted: a lot is counted once in an agreement, under the first
// tranche contract that holds it), and have a bill of lading dated from…
// to; each valued under the contract as known at the end of day asOf
// (ValueUnderAsOf: the lot's events, prices, corrections, exchange
// results and declarations known by then; the final settlement, else the
// provisional), a what-if — never on the data of the day the report is
// asked (fix13w). A lot the contract could not settle by then (no assay,
// no price) is left out, as nothing was known of its value. A lot other
// stored contracts could invoice too is under none of them until one
// invoices it (CandidateContracts, the exposure's allocation; fix13y:
// before, the agreement credited it to the tranche's contract while the
// exposure called it unallocated): returned apart (unallocated), with
// its candidate contracts, and not counted as shipped.
func (s *Service) shippedNotInvoiced(ctx context.Context, cid string, invoiced map[string]*Invoice, counted map[string]bool, from, to string, asOf time.Time) ([]ShippedLot, []UnallocatedShipped, error) {
	// The terms as recorded by then, too (fix13x).
	ts, err := s.ContractAt(ctx, cid, endOfDay(asOf))
	if err != nil {
		return nil, nil, err
	}
	all, err := s.ContractsAt(ctx, endOfDay(asOf))
	if err != nil {
		return nil, nil, err
	}
	var out []ShippedLot
	var unalloc []UnallocatedShipped
	for off := 0; ; {
		ls, n, err := s.Store.FindLots(ctx, critmin.LotFilter{Commodity: ts.Commodity, Limit: 500, Offset: off})
		if err != nil {
			return nil, nil, err
		}
		for _, l := range ls {
			if counted[l.ID] || invoiced[l.ID] != nil {
				continue
			}
			lf, err := lotFactsAsOf(ctx, s.Store, l.ID, endOfDay(asOf))
			if err != nil || lf.BLEvent == "" {
				continue
			}
			bl := lf.BLDate.Format(time.DateOnly)
			if bl > to || (from != "" && bl < from) {
				continue
			}
			if ok, err := s.Deliverable(ctx, ts, l); err != nil {
				return nil, nil, err
			} else if !ok {
				continue
			}
			under, err := s.CandidateContracts(ctx, l, all)
			if err != nil {
				return nil, nil, err
			}
			if len(under) > 1 {
				counted[l.ID] = true
				unalloc = append(unalloc, UnallocatedShipped{Lot: l.ID, BLDate: bl, CouldBeUnder: contractIDs(under)})
				continue
			}
			v, _, err := s.ValueUnderAsOf(ctx, ts, l.ID, asOf)
			if err != nil || v.NotComputable != "" || v.WhatIf {
				continue
			}
			day := asOf.UTC().Format(time.DateOnly)
			basis := "what-if: not invoiced; the final settlement on the data known on " + day
			if v.Final == nil {
				basis = "what-if: not invoiced; the provisional settlement on the data known on " + day + " (final: " + v.Missing + ")"
			}
			counted[l.ID] = true
			out = append(out, ShippedLot{Lot: l.ID, Contract: cid, BLDate: bl, Value: v.LotValue, Basis: basis})
		}
		off += len(ls)
		if len(ls) == 0 || off >= n {
			break
		}
	}
	return out, unalloc, nil
}

// commodityFamily is the agreement-level commodity (as a memorandum
// names it: copper, antimony, rare earths) of each contract commodity
// code of the mineral extension (ledger.Commodities). A code not listed
// (process residue, an absolute URI) belongs to no family: a tranche
// names it exactly or not at all.
var commodityFamily = map[string]string{
	"copper_concentrate": "copper", "copper_cathode": "copper", "blister_copper": "copper",
	"antimony_ore": "antimony", "antimony_trioxide": "antimony", "antimony_metal": "antimony",
	"ree_concentrate": "rare earths", "ree_carbonate": "rare earths", "ndpr_oxide": "rare earths", "lace_carbonate": "rare earths",
}

// commodityKey is a tranche commodity as compared: lower case, spaces
// trimmed and single.
func commodityKey(c string) string {
	return strings.ToLower(strings.Join(strings.Fields(c), " "))
}

// trancheHolds reports whether a tranche of commodity tc may be filled by
// a contract of commodity code cc: the same code, or the code's family.
func trancheHolds(tc, cc string) bool {
	tc = commodityKey(tc)
	return tc == strings.ToLower(cc) || (commodityFamily[cc] != "" && tc == commodityFamily[cc])
}

// checkTranches checks every contract a tranche names against the
// stored contracts: it must be stored; invoiced in the agreement's
// currency (the headline's: committed, shipped, invoiced and paid are
// sums in it, and an agreement never adds amounts of different
// currencies — 129,330.80 USD + 29,531,637 JPY is no amount); of the
// tranche's commodity (a rare-earth contract under a copper tranche would
// count its lots as copper); and in one tranche only (a contract in two
// tranches, or twice in one, would count its lots twice). Each refusal
// names the tranche, the contract and both values.
func (s *Service) checkTranches(ctx context.Context, a *Agreement) ([]critmin.FieldError, error) {
	var fe []critmin.FieldError
	in := map[string]string{} // contract → the tranche it is first named in
	for i, t := range a.Tranches {
		for j, cid := range t.Contracts {
			at := fmt.Sprintf("/tranches/%d/contracts/%d", i, j)
			if prev, ok := in[cid]; ok {
				fe = append(fe, critmin.FieldError{Pointer: at, Reason: fmt.Sprintf("contract %s is in tranche %s and again in tranche %s: its lots would be counted twice; name each contract in one tranche", cid, prev, t.ID)})
			} else {
				in[cid] = t.ID
			}
			ts, err := s.Contract(ctx, cid)
			if critmin.ErrorCode(err) == critmin.ENOTFOUND {
				fe = append(fe, critmin.FieldError{Pointer: at, Reason: fmt.Sprintf("tranche %s names contract %q, which is not stored: save the contract first (critmin trade contract add)", t.ID, cid)})
				continue
			} else if err != nil {
				return nil, err
			}
			if ts.Currency != a.Headline.Currency {
				fe = append(fe, critmin.FieldError{Pointer: at, Reason: fmt.Sprintf("tranche %s: contract %s is invoiced in %s, the agreement's amounts are in %s (its headline currency): amounts of different currencies are never added; name only %s contracts (critmin converts no currency)", t.ID, cid, ts.Currency, a.Headline.Currency, a.Headline.Currency)})
			}
			if !trancheHolds(t.Commodity, ts.Commodity) {
				fe = append(fe, critmin.FieldError{Pointer: at, Reason: fmt.Sprintf("tranche %s is of commodity %q, contract %s of commodity %s: its lots are not %s", t.ID, t.Commodity, cid, ts.Commodity, t.Commodity)})
			}
		}
	}
	return fe, nil
}
