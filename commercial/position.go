package commercial

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/shopspring/decimal"
)

// Position is a contract's delivered quantity against its quantity terms:
// the tolerance band (quantity ± tolerance %, ICC practice "more or less at
// buyer's/seller's option") and the take-or-pay minimum with the shortfall
// amount it would cost now (shortfall dmt × rate, rounded by the contract).
type Position struct {
	Contract        string           `json:"contract"`
	Currency        string           `json:"currency"`
	Lots            int              `json:"lots"`
	DeliveredDMT    decimal.Decimal  `json:"delivered_dmt"`
	MinDMT          *decimal.Decimal `json:"min_dmt,omitempty"`
	MaxDMT          *decimal.Decimal `json:"max_dmt,omitempty"`
	Status          string           `json:"status"` // below, within, above (the tolerance band), or "" without quantity terms
	ShortfallDMT    *decimal.Decimal `json:"take_or_pay_shortfall_dmt,omitempty"`
	ShortfallAmount *decimal.Decimal `json:"take_or_pay_amount,omitempty"`
	Formula         string           `json:"formula"`
	// Excluded are invoiced lots not counted as delivered: the events
	// their dry tonnes rest on (B/L, weights, moisture) were declared in
	// error, so the ledger no longer stands by the delivery.
	Excluded []ExcludedLot `json:"excluded,omitempty"`
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
	return position(ts, byLot), nil
}

func position(ts *TermSheet, byLot map[string]*Invoice) *Position {
	p := &Position{Contract: ts.ID, Currency: ts.Currency}
	lots := make([]string, 0, len(byLot))
	for lot := range byLot {
		lots = append(lots, lot)
	}
	sort.Strings(lots)
	for _, lot := range lots {
		inv := byLot[lot]
		if why := weighRetracted(inv); why != "" {
			p.Excluded = append(p.Excluded, ExcludedLot{Lot: lot, Invoice: inv.ID, DMT: inv.Settlement.DMT, Reason: why})
			continue
		}
		p.Lots++
		p.DeliveredDMT = p.DeliveredDMT.Add(inv.Settlement.DMT)
	}
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
		p.Formula = fmt.Sprintf("%s dmt ± %s %% = %s…%s dmt; delivered %s dmt in %d lots: %s", q.DMT, q.TolerancePct, lo, hi, p.DeliveredDMT, p.Lots, p.Status)
	}
	if t := ts.TakeOrPay; t != nil {
		short := dmax(zero, t.MinDMT.Sub(p.DeliveredDMT))
		amt := ts.round(short.Mul(t.ShortfallRate))
		p.ShortfallDMT, p.ShortfallAmount = &short, &amt
		p.Formula += fmt.Sprintf("; take-or-pay %s: max(0, %s − %s) = %s dmt × %s = %s %s", t.Period, t.MinDMT, p.DeliveredDMT, short, t.ShortfallRate, amt, ts.Currency)
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
