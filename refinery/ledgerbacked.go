package refinery

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/critmin/critmin"
)

// MaxLedgerEventsCounted caps how many events at a site in a period
// ledgerEventCount counts (a close is refused for one; the count only
// tells the operator how many).
const MaxLedgerEventsCounted = 10000

// ledgerEventCount counts the EPCIS events whose business location is
// site dated in period (its bounds in tz), up to MaxLedgerEventsCounted;
// more is true when there are more.
func ledgerEventCount(ctx context.Context, ev EventFinder, site, period, tz string) (n int, more bool, err error) {
	from, to, err := PeriodBounds(period, tz)
	if err != nil {
		return 0, false, err
	}
	f := critmin.EventFilter{BizLocations: []string{site}, GEEventTime: &from, LTEventTime: &to, Limit: 1000}
	for {
		page, err := ev.FindEvents(ctx, f)
		if err != nil {
			return 0, false, fmt.Errorf("refinery: events at site %s in %s: %w", site, period, err)
		}
		n += len(page.Events)
		if page.Next == nil || len(page.Events) == 0 {
			return n, false, nil
		}
		if n >= MaxLedgerEventsCounted {
			return n, true, nil
		}
		f.After = page.Next
	}
}

// ledgerDifference returns "" when p's measurements are those the
// ledger gives for p's site and period (FromLedger, default precision,
// run on p itself: every stream and stock the ledger reaches must keep
// the value, sd and sources p holds), else the first stream or node that
// differs, in words.
func ledgerDifference(ctx context.Context, lr LedgerReader, p *Problem) (string, error) {
	var cp Problem
	raw, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(raw, &cp); err != nil {
		return "", err
	}
	// The quantities the ledger gave (they name their sources) are
	// taken out, so that FromLedger gives them again; one typed in by
	// hand where the ledger measures is refused by FromLedger itself.
	strip := func(q *Quantity) *Quantity {
		if q != nil && len(q.Source) > 0 {
			return nil
		}
		return q
	}
	stripAll := func(m map[string]*Quantity) {
		for k, q := range m {
			if strip(q) == nil {
				delete(m, k)
			}
		}
	}
	for i := range cp.Streams {
		cp.Streams[i].Mass = strip(cp.Streams[i].Mass)
		stripAll(cp.Streams[i].Grade)
	}
	for i := range cp.Nodes {
		if inv := cp.Nodes[i].Inventory; inv != nil {
			inv.Opening, inv.Closing = strip(inv.Opening), strip(inv.Closing)
			stripAll(inv.OpeningGrade)
			stripAll(inv.ClosingGrade)
		}
	}
	lp, err := FromLedger(ctx, lr, &cp, p.Site, p.Period, Precision{})
	if err != nil {
		// The ledger cannot fill the flowsheet at all (e.g. a lot's
		// commodity no stream carries): the file is not the ledger's.
		return fmt.Sprintf("the ledger cannot fill this flowsheet (%s)", critmin.ErrorMessage(err)), nil
	}
	for i := range p.Streams {
		if i >= len(lp.Streams) {
			break
		}
		a, b := measurementsJSON(p.Streams[i]), measurementsJSON(lp.Streams[i])
		if string(a) != string(b) {
			return fmt.Sprintf("stream %s does not hold the ledger's measurements", p.Streams[i].ID), nil
		}
	}
	for i := range p.Nodes {
		if i >= len(lp.Nodes) {
			break
		}
		a, b := measurementsJSON(p.Nodes[i]), measurementsJSON(lp.Nodes[i])
		if string(a) != string(b) {
			return fmt.Sprintf("node %s does not hold the ledger's stock surveys", p.Nodes[i].ID), nil
		}
	}
	return "", nil
}

// CheckLedgerBacked refuses to close, from a flowsheet that is not
// ledger-backed, a site whose measurements the ledger holds: when the
// ledger has EPCIS events at p's site dated in p's period, p's
// measurements must be those FromLedger gives (the close is then made
// with --site/--period, or ?site=&period=). EINVALID naming the site,
// the period, how many events and the stream that differs.
func CheckLedgerBacked(ctx context.Context, lr LedgerReader, p *Problem) error {
	n, more, err := ledgerEventCount(ctx, lr, p.Site, p.Period, p.TimeZone)
	if err != nil || n == 0 {
		return err
	}
	diff, err := ledgerDifference(ctx, lr, p)
	if err != nil || diff == "" {
		return err
	}
	count := fmt.Sprint(n)
	if more {
		count = "more than " + count
	}
	return critmin.FieldErrorf("/streams", "site %s has %s events in the ledger in period %s, but this flowsheet is not ledger-backed: %s; close the period from the ledger instead (critmin refinery close --site %s --period %s FLOWSHEET, or POST /api/v1/refinery/close?site=…&period=…), so that the close holds the ledger's measurements", p.Site, count, p.Period, diff, p.Site, p.Period)
}

// notLedgerBacked returns a warning naming rec when the store is also a
// ledger (LedgerReader), has events at the close's site in its period,
// and the close's problem does not hold the ledger's measurements — a
// close stored before CheckLedgerBacked, or one whose ledger changed
// after it (the report's STALE note then says which events). "" otherwise.
func notLedgerBacked(ctx context.Context, s any, rec *critmin.PeriodRecord, p *Problem) string {
	lr, ok := s.(LedgerReader)
	if !ok {
		return ""
	}
	n, more, err := ledgerEventCount(ctx, lr, rec.Site, rec.Period, p.TimeZone)
	if err != nil || n == 0 {
		return ""
	}
	q := *p
	q.Site, q.Period = rec.Site, rec.Period
	diff, err := ledgerDifference(ctx, lr, &q)
	if err != nil || diff == "" {
		return ""
	}
	count := fmt.Sprint(n)
	if more {
		count = "more than " + count
	}
	return fmt.Sprintf("close record %d (%s %s) is not ledger-backed: the ledger has %s events at the site in the period, but %s (closed from a hand-made flowsheet, or the ledger changed after the close); reopen the period and close it from the ledger", rec.Seq, rec.Site, rec.Period, count, diff)
}

// measurementsJSON is the JSON of v without its "method" texts (which
// say how a value was read, and change with the flowsheet it was read
// into): values, sds, flags and sources compare.
func measurementsJSON(v any) string {
	raw, _ := json.Marshal(v)
	var x any
	_ = json.Unmarshal(raw, &x)
	var drop func(any)
	drop = func(x any) {
		switch t := x.(type) {
		case map[string]any:
			delete(t, "method")
			for _, y := range t {
				drop(y)
			}
		case []any:
			for _, y := range t {
				drop(y)
			}
		}
	}
	drop(x)
	out, _ := json.Marshal(x)
	return string(out)
}
