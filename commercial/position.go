package commercial

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/units"
	"github.com/shopspring/decimal"
)

// Position is a contract's delivered quantity against its quantity terms:
// the tolerance band (quantity ± tolerance %, ICC practice "more or less at
// buyer's/seller's option") and the take-or-pay minimum with the shortfall
// amount it would cost now (shortfall dmt × rate, rounded by the contract).
type Position struct {
	Contract     string           `json:"contract"`
	Currency     string           `json:"currency"`
	Lots         int              `json:"lots"`
	DeliveredDMT decimal.Decimal  `json:"delivered_dmt"`
	MinDMT       *decimal.Decimal `json:"min_dmt,omitempty"`
	MaxDMT       *decimal.Decimal `json:"max_dmt,omitempty"`
	Status       string           `json:"status"` // below, within, above (the tolerance band), or "" without quantity terms
	// PeriodDMT is the delivered dmt whose B/L falls in the take-or-pay
	// period: what the minimum is measured against.
	PeriodDMT       *decimal.Decimal `json:"take_or_pay_period_dmt,omitempty"`
	ShortfallDMT    *decimal.Decimal `json:"take_or_pay_shortfall_dmt,omitempty"`
	ShortfallAmount *decimal.Decimal `json:"take_or_pay_amount,omitempty"`
	Formula         string           `json:"formula"`
	// Excluded are invoiced lots not counted as delivered: the events
	// their dry tonnes rest on (B/L, weights, moisture) were declared in
	// error and the ledger holds no replacement to weigh them by.
	Excluded []ExcludedLot `json:"excluded,omitempty"`
	// Corrected are invoiced lots whose weighing events were declared in
	// error and corrected: counted at the dry tonnes the ledger's current
	// events give, not the invoice's.
	Corrected []CorrectedLot `json:"corrected,omitempty"`
	// counted is the dmt each lot counts for in DeliveredDMT.
	counted map[string]decimal.Decimal
	// Periods are the delivered dmt per period of the quantity's
	// per_period terms, by the lots' B/L dates, oldest first.
	Periods []PeriodPosition `json:"periods,omitempty"`
	// invoiceIDs are the sorted ids of the invoices read.
	invoiceIDs []string
}

// PeriodPosition is the dry tonnes delivered in one period of a
// per-period quantity (lots by their B/L date) against its most,
// quantity × (1 + tolerance %).
type PeriodPosition struct {
	Period       string          `json:"period"`
	Lots         int             `json:"lots"`
	DeliveredDMT decimal.Decimal `json:"delivered_dmt"`
	QuantityDMT  decimal.Decimal `json:"quantity_dmt"`
	MaxDMT       decimal.Decimal `json:"max_dmt"`
	Status       string          `json:"status"` // within or above
}

// CorrectedLot is a lot counted at its corrected weight: InvoicedDMT on
// its invoice, DMT now, and why.
type CorrectedLot struct {
	Lot         string          `json:"lot"`
	Invoice     string          `json:"invoice"`
	InvoicedDMT decimal.Decimal `json:"invoiced_dmt"`
	DMT         decimal.Decimal `json:"dmt"`
	Reason      string          `json:"reason"`
}

// ExcludedLot is a lot left out of a delivered quantity, with the reason.
type ExcludedLot struct {
	Lot     string          `json:"lot"`
	Invoice string          `json:"invoice"`
	DMT     decimal.Decimal `json:"dmt"`
	Reason  string          `json:"reason"`
}

// Position sums the dry tonnes of the lots invoiced under a contract (the
// final settlement's dmt where there is one, else the provisional's) and
// compares them with the quantity and take-or-pay terms.
func (s *Service) Position(ctx context.Context, contract string) (*Position, error) {
	ts, err := s.Contract(ctx, contract)
	if err != nil {
		return nil, err
	}
	invs, err := s.Invoices(ctx, critmin.InvoiceFilter{Contract: contract})
	if err != nil {
		return nil, err
	}
	byLot := map[string]*Invoice{}
	for _, inv := range invs {
		if prev := byLot[inv.Lot]; prev == nil || inv.Kind == Final {
			byLot[inv.Lot] = inv
		}
	}
	// A lot whose weighing events were declared in error counts at the
	// dry tonnes its current events give (the corrective weighing), as
	// the invoice of that kind would settle it now; only a lot the ledger
	// can no longer weigh (no B/L, no weight) is excluded.
	current := map[string]decimal.Decimal{}
	// Take-or-pay counts the lots whose B/L is dated in its period.
	bl := map[string]time.Time{}
	if ts.TakeOrPay != nil || ts.Quantity != nil && ts.Quantity.PerPeriod != nil {
		for lot := range byLot {
			lf, err := LotFactsFromEvents(ctx, s.Store, lot)
			if critmin.ErrorCode(err) == critmin.EINVALID {
				continue
			} else if err != nil {
				return nil, err
			}
			bl[lot] = lf.BLDate
		}
	}
	for lot, inv := range byLot {
		if weighRetracted(inv) == "" {
			continue
		}
		lf, err := LotFactsFromEvents(ctx, s.Store, lot)
		if critmin.ErrorCode(err) == critmin.EINVALID {
			continue
		} else if err != nil {
			return nil, err
		}
		if dmt, err := settledDMT(ts, lf, inv.Kind); err == nil {
			current[lot] = dmt
		}
	}
	p := position(ts, byLot, current, bl)
	for _, inv := range invs {
		p.invoiceIDs = append(p.invoiceIDs, inv.ID)
	}
	sort.Strings(p.invoiceIDs)
	return p, nil
}

func position(ts *TermSheet, byLot map[string]*Invoice, current map[string]decimal.Decimal, bl map[string]time.Time) *Position {
	p := &Position{Contract: ts.ID, Currency: ts.Currency}
	counted := map[string]decimal.Decimal{} // lot → dmt counted as delivered
	lots := make([]string, 0, len(byLot))
	for lot := range byLot {
		lots = append(lots, lot)
	}
	sort.Strings(lots)
	for _, lot := range lots {
		inv := byLot[lot]
		if why := weighRetracted(inv); why != "" {
			if dmt, ok := current[lot]; ok {
				p.Corrected = append(p.Corrected, CorrectedLot{Lot: lot, Invoice: inv.ID, InvoicedDMT: inv.Settlement.DMT, DMT: dmt, Reason: why})
				p.Lots++
				p.DeliveredDMT = p.DeliveredDMT.Add(dmt)
				counted[lot] = dmt
				continue
			}
			p.Excluded = append(p.Excluded, ExcludedLot{Lot: lot, Invoice: inv.ID, DMT: inv.Settlement.DMT, Reason: why})
			continue
		}
		p.Lots++
		p.DeliveredDMT = p.DeliveredDMT.Add(inv.Settlement.DMT)
		counted[lot] = inv.Settlement.DMT
	}
	p.counted = counted
	if q := ts.Quantity; q != nil {
		lo := q.DMT.Mul(one.Sub(pct(q.TolerancePct)))
		hi := q.DMT.Mul(one.Add(pct(q.TolerancePct)))
		p.MinDMT, p.MaxDMT = &lo, &hi
		switch {
		case p.DeliveredDMT.LessThan(lo):
			p.Status = "below"
		case p.DeliveredDMT.GreaterThan(hi):
			p.Status = "above"
		default:
			p.Status = "within"
		}
		p.Formula = fmt.Sprintf("%s dmt ± %s %% = %s…%s dmt; delivered %s dmt in %s: %s", q.DMT, q.TolerancePct, lo, hi, p.DeliveredDMT, LotCount(p.Lots), p.Status)
	}
	if q := ts.Quantity; q != nil && q.PerPeriod != nil {
		pp := q.PerPeriod
		most := pp.DMT.Mul(one.Add(pct(pp.Tolerance(q))))
		by := map[string]*PeriodPosition{}
		for _, lot := range lots {
			dmt, ok := counted[lot]
			d, known := bl[lot]
			if !ok || !known {
				continue
			}
			name := pp.Of(d)
			x := by[name]
			if x == nil {
				x = &PeriodPosition{Period: name, QuantityDMT: pp.DMT, MaxDMT: most}
				by[name] = x
			}
			x.Lots++
			x.DeliveredDMT = x.DeliveredDMT.Add(dmt)
		}
		for _, x := range by {
			x.Status = "within"
			if x.DeliveredDMT.GreaterThan(most) {
				x.Status = "above"
			}
			p.Periods = append(p.Periods, *x)
		}
		sort.Slice(p.Periods, func(i, j int) bool { return p.Periods[i].Period < p.Periods[j].Period })
		for _, x := range p.Periods {
			p.Formula += fmt.Sprintf("; %s: %s dmt in %s of %s dmt + %s %% = %s dmt: %s", x.Period, x.DeliveredDMT, LotCount(x.Lots), pp.DMT, pp.Tolerance(q), most, x.Status)
		}
	}
	if t := ts.TakeOrPay; t != nil {
		// Only the deliveries whose B/L is dated in the period count
		// (a stored term sheet's period was validated: TakeOrPay.Span).
		from, to, _ := t.Span()
		in := zero
		var outside []string
		for _, lot := range lots {
			dmt, ok := counted[lot]
			if !ok {
				continue
			}
			if d, known := bl[lot]; known && !d.Before(from) && !d.After(to) {
				in = in.Add(dmt)
			} else if known {
				outside = append(outside, fmt.Sprintf("lot %s (B/L %s, %s dmt)", lot, d.Format(time.DateOnly), dmt))
			} else {
				outside = append(outside, fmt.Sprintf("lot %s (no B/L date, %s dmt)", lot, dmt))
			}
		}
		short := dmax(zero, t.MinDMT.Sub(in))
		amt := ts.round(short.Mul(t.ShortfallRate))
		p.ShortfallDMT, p.ShortfallAmount, p.PeriodDMT = &short, &amt, &in
		p.Formula += fmt.Sprintf("; take-or-pay %s (%s…%s): max(0, %s − %s delivered in the period) = %s dmt × %s = %s %s", t.Period, from.Format(time.DateOnly), to.Format(time.DateOnly), t.MinDMT, in, short, t.ShortfallRate, amt, ts.Currency)
		if len(outside) > 0 {
			p.Formula += "; outside the take-or-pay period: " + strings.Join(outside, ", ")
		}
	}
	for _, x := range p.Corrected {
		if p.Formula == "" {
			break
		}
		p.Formula += fmt.Sprintf("; lot %s counted at its corrected %s dmt (invoiced %s): %s", x.Lot, x.DMT, x.InvoicedDMT, x.Reason)
	}
	for _, x := range p.Excluded {
		if p.Formula == "" {
			break // no quantity terms: the list is in Excluded
		}
		p.Formula += fmt.Sprintf("; excluded lot %s (%s dmt): %s", x.Lot, x.DMT, x.Reason)
	}
	return p
}

// weighRetracted says which event the invoice's dry tonnes rest on (the
// settlement's wmt, moisture and dmt facts: B/L, weights, moisture) was
// declared in error, or "" if none was (inv.Retracted is set when the
// invoice is served).
func weighRetracted(inv *Invoice) string {
	weigh := map[string]bool{}
	for _, f := range inv.Settlement.Facts {
		if f.Name == "wmt" || f.Name == "moisture" || f.Name == "dmt" {
			for _, e := range f.Events {
				weigh[e] = true
			}
		}
	}
	for _, r := range inv.Retracted {
		if weigh[r.EventID] {
			why := fmt.Sprintf("event %s (its weight or B/L) was declared in error on %s", r.EventID, r.DeclaredAt.UTC().Format(time.DateOnly))
			if r.Reason != "" {
				why += " (" + r.Reason + ")"
			}
			return why
		}
	}
	return ""
}

// LotCount is "1 lot", "2 lots", "0 lots".
func LotCount(n int) string { return Count(n, "lot") }

// Count is a count with its noun in the singular for one and the plural
// otherwise, thousands grouped with commas as every figure on the pages
// is: "1 invoice", "0 invoices", "2 supplies", "3 series", "10,000
// events" (issue 15, fix15s: the Capture page's limit read "10000
// events"). It is the one way the CLI, pages and messages write a count.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return groupThousands(n) + " " + Plural(noun)
}

// groupThousands writes n with commas between groups of three digits
// (units.Int): 10000 → "10,000", −1234567 → "-1,234,567".
func groupThousands(n int) string { return units.Int(n) }

// Plural is the plural of a noun the Trade job counts: "invoice" →
// "invoices", "supply" → "supplies", "series" → "series".
func Plural(noun string) string {
	switch {
	case strings.HasSuffix(noun, "series"):
		return noun
	case strings.HasSuffix(noun, "y") && len(noun) > 1 && !strings.ContainsRune("aeiou", rune(noun[len(noun)-2])):
		return noun[:len(noun)-1] + "ies"
	case strings.HasSuffix(noun, "s"), strings.HasSuffix(noun, "x"), strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "sh"):
		return noun + "es"
	}
	return noun + "s"
}

// overDelivery refuses (ECONFLICT, naming lot) the invoice of lot whose
// settlement st would take the dry tonnes delivered under the contract —
// every other lot invoiced under it, as its Position counts them, plus
// this one — beyond the contract quantity with its tolerance,
// quantity.dmt × (1 + tolerance_pct): each lot within the quantity is not
// enough when their sum exceeds it. The quantity is the whole contract's
// (the term sheet states no shipment or period for it); the lot that
// crosses it is the one refused. It returns the invoices it counted, for
// the invoice's basis (critmin.InvoiceBasis.ContractInvoices): the store
// refuses the invoice if another under the contract was stored since, so
// that concurrent issuers cannot together exceed the quantity; nil
// without quantity terms.
//
// With a quantity per period (quantity.per_period), the lots whose B/L
// falls in the period of this one's (bl) may not exceed the period's
// quantity with its tolerance either.
func (s *Service) overDelivery(ctx context.Context, ts *TermSheet, lot string, bl time.Time, st *Settlement) (*critmin.InvoiceIDSet, error) {
	q := ts.Quantity
	if q == nil || !q.DMT.IsPositive() {
		return nil, nil
	}
	pos, err := s.Position(ctx, ts.ID)
	if err != nil {
		return nil, err
	}
	read := &critmin.InvoiceIDSet{Contract: ts.ID, IDs: pos.invoiceIDs}
	others := pos.DeliveredDMT.Sub(pos.counted[lot])
	n := pos.Lots
	if _, ok := pos.counted[lot]; ok {
		n--
	}
	limit := q.DMT.Mul(one.Add(pct(q.TolerancePct)))
	total := others.Add(st.DMT)
	if !total.GreaterThan(limit) {
		return read, s.overPeriod(ts, lot, bl, st, pos)
	}
	e := fieldErrorf("lot", "lot %s: %s dmt, with the %s dmt of the %s already invoiced under contract %s, makes %s dmt, beyond the contract quantity %s dmt + %s %% tolerance = %s dmt (over by %s dmt): the contract does not cover this lot. Check the lot's weights, or invoice it under another contract (docs/trade.md, \"Quantity\")",
		lot, st.DMT, others, LotCount(n), ts.ID, total, q.DMT, q.TolerancePct, limit, total.Sub(limit))
	e.Code = critmin.ECONFLICT
	return nil, e
}

// overPeriod refuses (ECONFLICT, naming lot) the invoice of lot, shipped
// on bl, whose dry tonnes with those of the other lots invoiced under the
// contract with a B/L in the same period (pos.Periods, less this lot's
// own earlier invoice) exceed the per-period quantity with its tolerance.
func (s *Service) overPeriod(ts *TermSheet, lot string, bl time.Time, st *Settlement, pos *Position) error {
	q := ts.Quantity
	if q == nil || q.PerPeriod == nil || bl.IsZero() {
		return nil
	}
	pp := q.PerPeriod
	name := pp.Of(bl)
	others, n := zero, 0
	for _, x := range pos.Periods {
		if x.Period == name {
			others, n = x.DeliveredDMT, x.Lots
		}
	}
	if own, ok := pos.counted[lot]; ok && n > 0 {
		// The lot's own provisional is in its period already (its B/L
		// date is this one): the final replaces it.
		others, n = others.Sub(own), n-1
	}
	tol := pp.Tolerance(q)
	limit := pp.DMT.Mul(one.Add(pct(tol)))
	total := others.Add(st.DMT)
	if !total.GreaterThan(limit) {
		return nil
	}
	e := fieldErrorf("lot", "lot %s: %s dmt (B/L %s, period %s), with the %s dmt of the %s already invoiced under contract %s with a B/L in %s, makes %s dmt, beyond the quantity per %s %s dmt + %s %% tolerance = %s dmt (over by %s dmt): the period does not cover this lot. Check the lot's weights and B/L date, or invoice it under another contract (docs/trade.md, \"Quantity\")",
		lot, st.DMT, bl.UTC().Format(time.DateOnly), name, others, LotCount(n), ts.ID, name, total, pp.Period, pp.DMT, tol, limit, total.Sub(limit))
	e.Code = critmin.ECONFLICT
	return e
}
