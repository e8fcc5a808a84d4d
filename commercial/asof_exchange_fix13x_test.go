package commercial_test

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// fix13x item 2: an as-of NSR picks the assay-exchange rule from the
// invoices issued by then only. Lot XR-ASOF (Cu 24 % loading assay) has
// the seller's Cu 24.00 % (2025-09-10) and the buyer's 23.90 %
// (2025-09-12), 0.10 apart, within the 0.20 splitting limit. T-XR-NOX
// has no exchange terms, so the newest result stands: Cu 23.90 %. The
// lot is invoiced on 2025-10-20 under T-XR-EX, whose exchange
// (umpire_closer_mean, limit 0.20) splits within the limit at the mean:
// (24.00 + 23.90) ÷ 2 = 23.95 %; from then on the lot settles under it.
// As of 2025-10-10 the invoice did not exist: the NSR under T-XR-NOX
// values Cu at 23.90 (before the fix, 23.95: today's invoice's rule). As
// of 2025-10-20 it is 23.95.
func TestAsOfNSRExchangeRuleFromInvoicesThen(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:XR-ASOF"
	clock := func(d string) { s.Ledger.Now = func() time.Time { return asOfDay(t, d).Add(12 * time.Hour) } }
	t.Cleanup(func() { s.Ledger.Now = time.Now })
	clock("2025-09-03")
	weighedLot(t, s, lot, 100000, "KGM", 9, 0, 0)
	termsFrom(t, s, "demo/cu-2025.json", "T-XR-EX", func(m map[string]any) {})
	termsFrom(t, s, "demo/cu-2025.json", "T-XR-NOX", func(m map[string]any) { delete(m, "assay_exchange") })
	for _, r := range []struct {
		party, day, cu string
	}{{"seller", "2025-09-10", "24.00"}, {"buyer", "2025-09-12", "23.90"}} {
		clock(r.day)
		sub := &commercial.ExchangeSubmission{Lot: lot, Party: r.party, Lab: "urn:x:lab:" + r.party, At: asOfDay(t, r.day).Add(10 * time.Hour),
			Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: decimal.RequireFromString(r.cu), Unit: "%"}}}
		if _, err := s.SubmitAssays(ctx, sub); err != nil {
			t.Fatal(err)
		}
	}
	clock("2025-10-20")
	if _, err := s.IssueAt(ctx, "T-XR-EX", lot, commercial.Provisional, asOfDay(t, "2025-10-20").Add(12*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ day, cu string }{{"2025-10-10", "23.9"}, {"2025-10-20", "23.95"}} {
		cmp, err := s.NSRFor(ctx, "T-XR-NOX", lot, "", asOfDay(t, c.day), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(cmp.Cases) != 1 || cmp.Cases[0].Error != "" {
			t.Fatalf("as of %s: cases %+v", c.day, cmp.Cases)
		}
		g, ok := cmp.Cases[0].Grades["Cu"]
		if !ok {
			g, ok = cmp.Grades["Cu"]
		}
		if !ok {
			t.Fatalf("as of %s: no Cu grade", c.day)
		}
		eq(t, "Cu as of "+c.day+" ("+g.Formula+")", g.Value, c.cu)
	}
	// The invoicing refusal inside the as-of valuation reads the invoices
	// issued by then too: as of 2025-10-10 nothing tied the lot to
	// T-XR-EX, so T-XR-NOX could still invoice it (before the fix: a
	// what-if, "invoiced under T-XR-EX"); as of 2025-10-20 it could not.
	for _, c := range []struct {
		day, under string
		whatIf     bool
	}{{"2025-10-10", "", false}, {"2025-10-20", "T-XR-EX", true}} {
		v, _, err := s.ValueAsOf(ctx, "T-XR-NOX", lot, asOfDay(t, c.day))
		if err != nil {
			t.Fatal(err)
		}
		if v.WhatIf != c.whatIf || v.InvoicedUnder != c.under {
			t.Errorf("as of %s: what-if %v, invoiced under %q (%s); want %v, %q", c.day, v.WhatIf, v.InvoicedUnder, v.WhyNot, c.whatIf, c.under)
		}
	}
}
