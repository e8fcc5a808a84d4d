package commercial_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// fix13t item 3: a view as of a past day sees the price corrections
// imported by the end of that day only. The demo copper lot's final QP
// (October 2025) holds 15 Oct, published 9 845.67. A correction imported
// today (s.Now(), after 2025-11-01) revises it to 9 999.99:
//   - as of 2025-11-01 the QP average and the lot value are the ones
//     known then, identical to the same view before the correction
//     (before the fix the as-of view moved by (9 999.99 − 9 845.67) ÷ n =
//     154.32 ÷ n per t over the QP's n published days);
//   - today's view moves by exactly 154.32 ÷ n;
//   - the final invoice as of 2025-11-06 is not flagged with a correction
//     imported after that day; today it is.
func TestAsOfIgnoresLaterCorrections(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	contract := commercial.DemoContractFor[commercial.DemoCopperLot]
	day := asOfDay(t, "2025-11-01")
	cuQP := func(v *commercial.Valuation) commercial.PriceFact {
		t.Helper()
		if v.Final == nil {
			t.Fatalf("no final settlement: %s", v.Missing)
		}
		for _, p := range v.Final.Prices {
			if p.Series == "DEMO-LME-CU" {
				return p
			}
		}
		t.Fatal("no DEMO-LME-CU price")
		return commercial.PriceFact{}
	}
	before, _, err := s.ValueAsOf(ctx, contract, commercial.DemoCopperLot, day)
	if err != nil {
		t.Fatal(err)
	}
	qpBefore := cuQP(before)
	if _, err := s.ImportPriceCorrections(ctx, strings.NewReader("series,date,value\nDEMO-LME-CU,2025-10-15,9999.99\n"), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	after, _, err := s.ValueAsOf(ctx, contract, commercial.DemoCopperLot, day)
	if err != nil {
		t.Fatal(err)
	}
	qpAfter := cuQP(after)
	eq(t, "as-of QP average after a later correction", qpAfter.Exact, qpBefore.Exact.String())
	eq(t, "as-of lot value after a later correction", after.LotValue, before.LotValue.String())
	now, _, err := s.Value(ctx, contract, commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	want := qpBefore.Exact.Add(d("154.32").Div(decimal.NewFromInt(int64(qpBefore.Days))))
	eq(t, "today's QP average", cuQP(now).Exact.Round(6), want.Round(6).String())
	fin := commercial.InvoiceID(contract, commercial.DemoCopperLot, commercial.Final)
	then, err := s.InvoiceAsOf(ctx, fin, asOfDay(t, "2025-11-06"))
	if err != nil {
		t.Fatal(err)
	}
	if len(then.PriceCorrections) != 0 {
		t.Errorf("final invoice as of 2025-11-06 flags %+v, a correction imported later", then.PriceCorrections)
	}
	today, err := s.Invoice(ctx, fin)
	if err != nil {
		t.Fatal(err)
	}
	if len(today.PriceCorrections) != 1 {
		t.Errorf("final invoice today: corrections %+v, want the one", today.PriceCorrections)
	}
}

// fix13t item 3 (grammar): two corrected days read "and on 1 more
// corrected price day", three "and on 2 more corrected price days".
func TestCorrectionNoteCountsDays(t *testing.T) {
	c := commercial.PriceCorrection{Date: "2025-10-15", Series: "CU"}
	inv := &commercial.Invoice{ID: "INV-1", Settlement: &commercial.Settlement{}, PriceCorrections: []commercial.PriceCorrection{c, c}}
	if w := inv.Warning(); !strings.Contains(w, "and on 1 more corrected price day:") {
		t.Errorf("two corrections: %q", w)
	}
	inv.PriceCorrections = append(inv.PriceCorrections, c)
	if w := inv.Warning(); !strings.Contains(w, "and on 2 more corrected price days:") {
		t.Errorf("three corrections: %q", w)
	}
}
