package commercial

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/critmin/critmin"
	"github.com/shopspring/decimal"
)

// MarshalJSON writes a day without publication with a null value: it has
// no price, not a price of 0.
func (p PricePoint) MarshalJSON() ([]byte, error) {
	o := struct {
		Date      string           `json:"date"`
		Value     *decimal.Decimal `json:"value"`
		Published bool             `json:"published"`
	}{Date: p.Date, Published: p.Published}
	if p.Published {
		v := p.Value
		o.Value = &v
	}
	return json.Marshal(o)
}

// samePoint: the same day with the same publication and value.
func samePoint(a, b PricePoint) bool {
	return a.Published == b.Published && (!a.Published || a.Value.Equal(b.Value))
}

// describePoint writes a day's value for a message: the price, or "no
// publication" for a day the source did not publish.
func describePoint(p PricePoint) string {
	if !p.Published {
		return "no publication (an empty value)"
	}
	return p.Value.String()
}

// valueOf is a day's price, nil when not published.
func valueOf(p PricePoint) *decimal.Decimal {
	if !p.Published {
		return nil
	}
	v := p.Value
	return &v
}

// revise replaces the series' stored day old by p, a correction the
// source published (a revised price, or a price for a day first declared
// not published, or the reverse), and records it in Corrections with both
// values, when and the issued invoices resting on the day (by). The
// invoices are not changed: their views flag the correction
// (Invoice.PriceCorrections).
func (ps *PriceSeries) revise(old, p PricePoint, by []string, now time.Time) {
	for i := range ps.Points {
		if ps.Points[i].Date == p.Date {
			ps.Points[i] = p
		}
	}
	ps.Corrections = append(ps.Corrections, PriceCorrection{Date: p.Date, ImportedAt: now, Invoices: by,
		Revised: true, Old: valueOf(old), New: valueOf(p)})
}

// conflictingDay is the ECONFLICT of an import (not a correction) that
// gives a stored day another value.
func conflictingDay(id string, have, p PricePoint) error {
	return critmin.Errorf(critmin.ECONFLICT, "series %s already has %s on %s; the file says %s: import it as a correction (CLI --correction, API ?correction=true) to revise a published day", id, describePoint(have), p.Date, describePoint(p))
}

// restingOn lists the issued invoices (any kind) whose prices from the
// series rest on day: a QP average, a provisional average or the last
// price published, whose span [from, to] holds the day.
func restingOn(qps []closedQP, day string) []string {
	var by []string
	for _, c := range qps {
		if day >= c.from && day <= c.to {
			by = append(by, c.invoice)
		}
	}
	return by
}

// issuedSpans maps a series id to the price spans of every issued invoice,
// provisional and final, that prices from it.
func (s *Service) issuedSpans(ctx context.Context) (map[string][]closedQP, error) {
	return s.invoiceSpans(ctx, false)
}

// flagCorrections sets inv.PriceCorrections to the corrections of price
// days the invoice rests on, imported after it was issued.
func (s *Service) flagCorrections(ctx context.Context, inv *Invoice) error {
	inv.PriceCorrections = nil
	if inv.Settlement == nil {
		return nil
	}
	prices, err := s.Prices(ctx)
	if err != nil {
		return err
	}
	for _, pf := range inv.Settlement.Prices {
		ps := prices[pf.Series]
		if ps == nil || pf.From == "" {
			continue
		}
		// As of a past day (InvoiceAsOf), a correction imported after
		// that day's end was not known: not flagged (fix13t).
		known := endOfDay(s.Now())
		for _, c := range ps.Corrections {
			if c.Date >= pf.From && c.Date <= pf.To && c.ImportedAt.After(inv.IssuedAt) && !c.ImportedAt.After(known) {
				c.Series = ps.ID
				inv.PriceCorrections = append(inv.PriceCorrections, c)
			}
		}
	}
	return nil
}

// correctionNote is an invoice's price-correction flag in one sentence,
// or "".
func (inv *Invoice) correctionNote() string {
	if len(inv.PriceCorrections) == 0 {
		return ""
	}
	c := inv.PriceCorrections[0]
	old, new := "no publication", "no publication"
	if c.Old != nil {
		old = c.Old.String()
	}
	if c.New != nil {
		new = c.New.String()
	}
	w := fmt.Sprintf("invoice %s rests on %s of series %s, corrected on %s (%s → %s)", inv.ID, c.Date, c.Series, c.ImportedAt.UTC().Format(time.RFC3339), old, new)
	if n := len(inv.PriceCorrections) - 1; n > 0 {
		w += fmt.Sprintf(" and on %d more %s", n, plural(n, "corrected price day", "corrected price days"))
	}
	return w + ": the invoice stands as issued"
}

// endOfDay is the last instant of t's day (UTC).
func endOfDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1).Add(-time.Nanosecond)
}

// plural is one when n is 1, else many.
func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
