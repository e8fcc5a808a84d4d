package commercial

import (
	"context"
	"sort"
	"time"

	"github.com/critmin/critmin"
	"github.com/shopspring/decimal"
)

// ExposureDay is the payable metal of one element whose price is fixed on
// one day of a quotational period: Priced once the day has passed (on or
// before AsOf), Unpriced before. Quantities are kilograms of payable metal
// (or product).
type ExposureDay struct {
	Date       string          `json:"date"`
	Element    string          `json:"element"`
	PricedKg   decimal.Decimal `json:"priced_kg"`
	UnpricedKg decimal.Decimal `json:"unpriced_kg"`
}

// ExposureLot is one lot's open position: payable metal by element from the
// best-known assay, spread over its quotational period.
type ExposureLot struct {
	Contract string                     `json:"contract"`
	Lot      string                     `json:"lot"`
	DMT      decimal.Decimal            `json:"dmt"`
	Payable  map[string]decimal.Decimal `json:"payable_kg"`
	QPFrom   map[string]string          `json:"qp_from"`
	QPTo     map[string]string          `json:"qp_to"`
	// Retracted are events the lot's provisional invoice rests on that
	// were declared in error (Invoice.Retracted).
	Retracted []RetractedEvent `json:"retracted_events,omitempty"`
	// NotValued says why the lot's exposure cannot be computed (an event
	// it rests on was declared in error, so its B/L date or an assay is
	// gone); the lot is listed with no quantities and the others still
	// counted.
	NotValued string `json:"not_valued,omitempty"`
}

// Exposure is the priced and unpriced payable metal of the lots invoiced
// provisionally and not yet finally, by fixing day and element.
type Exposure struct {
	AsOf     string                     `json:"as_of"`
	Lots     []ExposureLot              `json:"lots"`
	Days     []ExposureDay              `json:"days"`
	Priced   map[string]decimal.Decimal `json:"priced_kg"`
	Unpriced map[string]decimal.Decimal `json:"unpriced_kg"`
}

// Exposure computes the open price exposure on asOf. For each lot with a
// provisional and no final invoice: the dmt (weights at the agreed point
// when known), the payable metal per element from the best-known assay
// (the settled exchange when complete, else the latest assay), and the
// fixing days of each element's quotational period (declared month, else
// the contract's): the days its price series publishes (fixingDays), each
// fixing an equal share (the average of published days prices each day
// alike). Days on or before asOf are priced.
func (s *Service) Exposure(ctx context.Context, asOf time.Time) (*Exposure, error) {
	invs, err := s.Invoices(ctx, critmin.InvoiceFilter{})
	if err != nil {
		return nil, err
	}
	today := asOf.Format(time.DateOnly)
	// As of the date: a final invoice issued after it did not exist yet,
	// so its lot was still provisional-only then.
	final := map[string]bool{}
	for _, inv := range invs {
		if inv.Kind == Final && inv.IssuedAt.Format(time.DateOnly) <= today {
			final[inv.Contract+"\x00"+inv.Lot] = true
		}
	}
	// What the ledger and the declarations knew by the end of that day.
	dayEnd := time.Date(asOf.Year(), asOf.Month(), asOf.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1).Add(-time.Nanosecond)
	prices, err := s.Prices(ctx)
	if err != nil {
		return nil, err
	}
	spot := SpotPrices(prices, asOf)
	ex := &Exposure{AsOf: today, Priced: map[string]decimal.Decimal{}, Unpriced: map[string]decimal.Decimal{}}
	days := map[[2]string]*ExposureDay{}
	for _, inv := range invs {
		if inv.Kind != Provisional || final[inv.Contract+"\x00"+inv.Lot] || inv.IssuedAt.Format(time.DateOnly) > today {
			continue
		}
		ts, err := s.Contract(ctx, inv.Contract)
		if err != nil {
			return nil, err
		}
		// One lot the ledger can no longer value (a retracted B/L or
		// assay) is listed with the reason; it does not hide the others.
		skip := func(err error) bool {
			if critmin.ErrorCode(err) != critmin.EINVALID {
				return false
			}
			ex.Lots = append(ex.Lots, ExposureLot{Contract: ts.ID, Lot: inv.Lot, Retracted: inv.Retracted, NotValued: critmin.ErrorMessage(err)})
			return true
		}
		lf, err := lotFactsAsOf(ctx, s.Store, inv.Lot, dayEnd)
		if skip(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		all, err := s.declarations(ctx, ts.ID, inv.Lot)
		if err != nil {
			return nil, err
		}
		var decl []Declaration
		for _, d := range all {
			if !d.DeclaredAt.After(dayEnd) {
				decl = append(decl, d)
			}
		}
		best := *lf
		best.Assays = map[string]Grade{}
		for k, v := range lf.Assays {
			best.Assays[k] = v
		}
		for k, v := range lf.Latest {
			best.Assays[k] = v
		}
		if ts.Exchange != nil {
			if g, _, err := SettleAssays(ts.Exchange, lf.Results, lf.Sublots, (&calc{ts: ts}).analytes()); err == nil {
				best.Assays = g
			}
		}
		// Valued at spot: the exposure needs quantities, not prices.
		st, err := Settle(ts, &best, SettleOptions{Kind: Provisional, Spot: spot})
		if skip(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		el := ExposureLot{Contract: ts.ID, Lot: inv.Lot, DMT: st.DMT, Payable: map[string]decimal.Decimal{}, QPFrom: map[string]string{}, QPTo: map[string]string{}, Retracted: inv.Retracted}
		for _, p := range ts.Payables {
			kg := st.Payable[p.Element].Mul(st.DMT).Div(decimal.NewFromInt(1000)).Round(3)
			from, to := qpSpan(ts.qpFor(p.Element), lf, p.Element, decl)
			el.Payable[p.Element], el.QPFrom[p.Element], el.QPTo[p.Element] = kg, from.Format(time.DateOnly), to.Format(time.DateOnly)
			spread(days, p.Element, kg, fixingDays([]*PriceSeries{prices[p.Price.Series]}, from, to), today)
		}
		if b := ts.Basket; b != nil {
			kg := st.Payable[b.Basis].Mul(st.DMT).Div(decimal.NewFromInt(1000)).Round(3)
			from, to := qpSpan(ts.basketQP(), lf, b.Basis, decl)
			el.Payable[b.Basis], el.QPFrom[b.Basis], el.QPTo[b.Basis] = kg, from.Format(time.DateOnly), to.Format(time.DateOnly)
			var ss []*PriceSeries
			for _, o := range b.Oxides {
				ss = append(ss, prices[o.Price.Series])
			}
			spread(days, b.Basis, kg, fixingDays(ss, from, to), today)
		}
		ex.Lots = append(ex.Lots, el)
	}
	for _, d := range days {
		ex.Days = append(ex.Days, *d)
		ex.Priced[d.Element] = ex.Priced[d.Element].Add(d.PricedKg)
		ex.Unpriced[d.Element] = ex.Unpriced[d.Element].Add(d.UnpricedKg)
	}
	sort.Slice(ex.Days, func(i, j int) bool {
		if ex.Days[i].Date != ex.Days[j].Date {
			return ex.Days[i].Date < ex.Days[j].Date
		}
		return ex.Days[i].Element < ex.Days[j].Element
	})
	return ex, nil
}

func (ts *TermSheet) qpFor(element string) *QPRule {
	for _, p := range ts.Payables {
		if p.Element == element && p.QP != nil {
			return p.QP
		}
	}
	return &ts.QP
}

func (ts *TermSheet) basketQP() *QPRule {
	if ts.Basket != nil && ts.Basket.QP != nil {
		return ts.Basket.QP
	}
	return &ts.QP
}

func qpSpan(qp *QPRule, lf *LotFacts, element string, decl []Declaration) (time.Time, time.Time) {
	if len(qp.Periods) > 0 {
		f, _ := time.Parse(time.DateOnly, qp.Periods[0].From)
		t, _ := time.Parse(time.DateOnly, qp.Periods[len(qp.Periods)-1].To)
		return f, t
	}
	month := qp.Month
	for _, d := range decl {
		if d.Element == element || d.Element == "*" {
			month = d.Month
		}
	}
	ref := lf.BLDate
	if qp.Event == "arrival" && lf.Arrival != nil {
		ref = *lf.Arrival
	}
	return monthSpan(ref, month)
}

// fixingDays are the days of [from, to] on which the quotational-period
// average of the series takes a price: the days each series publishes.
// A daily series publishes on weekdays, less the days it marks as not
// published. An irregular one (an agency's assessments) publishes on its
// assessment days: those stored in the period, and beyond its last stored
// day the same cadence continued (the interval between its last two
// assessments), since the average is over the assessments published in
// the period — a weekly series fixes on 4 or 5 days of a month, not 23.
// Several series (a basket's oxides) fix on the union of their days; an
// unknown series, or an irregular one with no day to go by, on weekdays.
func fixingDays(series []*PriceSeries, from, to time.Time) []string {
	f, t := from.Format(time.DateOnly), to.Format(time.DateOnly)
	set := map[string]bool{}
	weekdays := false
	for _, ps := range series {
		if ps == nil || ps.Frequency != "irregular" || len(ps.Points) == 0 {
			weekdays = true
			continue
		}
		for _, p := range ps.Points {
			if p.Published && p.Date >= f && p.Date <= t {
				set[p.Date] = true
			}
		}
		n := len(ps.Points)
		last, err := time.Parse(time.DateOnly, ps.Points[n-1].Date)
		if err != nil || n < 2 {
			continue
		}
		prev, err := time.Parse(time.DateOnly, ps.Points[n-2].Date)
		if err != nil || !last.After(prev) {
			continue
		}
		step := int(last.Sub(prev).Hours() / 24)
		for d := last.AddDate(0, 0, step); !d.After(to); d = d.AddDate(0, 0, step) {
			if !d.Before(from) {
				set[d.Format(time.DateOnly)] = true
			}
		}
	}
	if weekdays || len(set) == 0 {
		closed := map[string]bool{}
		for _, ps := range series {
			if ps != nil && ps.Frequency != "irregular" {
				for _, p := range ps.Points {
					if !p.Published {
						closed[p.Date] = true
					}
				}
			}
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			if ds := d.Format(time.DateOnly); d.Weekday() != time.Saturday && d.Weekday() != time.Sunday && !closed[ds] {
				set[ds] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// spread fixes kg equally over the fixing days wd (fixingDays), to the
// gram: each day kg ÷ n rounded to 3 places, the last day the remainder,
// so the days sum to kg exactly and no figure carries division noise.
func spread(days map[[2]string]*ExposureDay, element string, kg decimal.Decimal, wd []string, today string) {
	if len(wd) == 0 {
		return
	}
	share := kg.Div(decimal.NewFromInt(int64(len(wd)))).Round(3)
	last := kg.Sub(share.Mul(decimal.NewFromInt(int64(len(wd) - 1))))
	for i, d := range wd {
		share := share
		if i == len(wd)-1 {
			share = last
		}
		k := [2]string{d, element}
		if days[k] == nil {
			days[k] = &ExposureDay{Date: d, Element: element}
		}
		if d <= today {
			days[k].PricedKg = days[k].PricedKg.Add(share)
		} else {
			days[k].UnpricedKg = days[k].UnpricedKg.Add(share)
		}
	}
}
