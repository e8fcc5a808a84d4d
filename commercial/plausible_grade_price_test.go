package commercial_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// Issue 13, new-user recheck (fix13l, 4): an Au assay of 4 captured in %
// on a contract whose Au grade_unit is g/t converts to 4 × 10 000 = 40 000
// g/t, and the lot was settled on it (NSR 4.36 M USD/dmt). Above the
// plausible 1 000 g/t for a concentrate the settlement is refused 409,
// naming the lot, the figure as captured, the converted one and the
// bound; the valuation gives the reason. Au 4 g/t (≤ 1 000) is issued.
func TestImplausibleAssayAfterUnitConversionIsRefused(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-AU", func(m map[string]any) { delete(m, "assay_exchange") })
	bad, good := "urn:critmin:test:lot:AU-PCT", "urn:critmin:test:lot:AU-GT"
	weighedLotAu(t, s, bad, 100000, "KGM", 9, 0, 0, "%")
	weighedLotAu(t, s, good, 100000, "KGM", 9, 0, 0, "g/t")
	_, err := s.IssueAt(ctx, "T-AU", bad, commercial.Provisional, provAt)
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("provisional on Au 4 %%: %v; want ECONFLICT", err)
	}
	for _, want := range []string{bad, "Au assay 4 %", "= 40000 g/t in the contract's grade unit", "plausible 1000 g/t", "1 % = 10 000 g/t"} {
		if !strings.Contains(critmin.ErrorMessage(err), want) {
			t.Errorf("refusal %q does not say %q", critmin.ErrorMessage(err), want)
		}
	}
	if _, _, err := s.Value(ctx, "T-AU", bad); err == nil || !strings.Contains(critmin.ErrorMessage(err), "plausible 1000 g/t") {
		t.Errorf("valuation: %v; want the same reason", err)
	}
	if _, err := s.IssueAt(ctx, "T-AU", good, commercial.Provisional, provAt); err != nil {
		t.Fatalf("Au 4 g/t: %v", err)
	}
}

// Issue 13, new-user recheck (fix13l, 5): a copper series imported as
// USD/lb with per-tonne values (9800 USD/lb) priced the provisional at
// 9800 × 2204.62262 = 21.6 M USD/t (10⁶ ÷ 453.59237 = 2204.622622 lb/t). The plausible copper price is 1 000–
// 50 000 USD/t; 9800 USD/lb is 9800 ÷ 453.59237 g × 10⁶ = 21 605 301.69
// USD/t: refused 409 naming the series and its unit. The same values
// declared USD/t (9800 USD/t, inside the bounds) are issued.
func TestImplausiblePriceForItsUnitIsRefused(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	var b strings.Builder
	b.WriteString("series,date,value,unit,source,frequency\n")
	for d := time.Date(2025, 8, 1, 0, 0, 0, 0, time.UTC); d.Month() == time.August; d = d.AddDate(0, 0, 1) {
		if d.Weekday() == time.Saturday || d.Weekday() == time.Sunday {
			continue
		}
		fmt.Fprintf(&b, "T-CU-LB,%s,9800,USD/lb,test,daily\nT-CU-T,%s,9800,USD/t,test,daily\n", d.Format(time.DateOnly), d.Format(time.DateOnly))
	}
	if _, err := s.ImportPrices(ctx, strings.NewReader(b.String()), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ id, series, unit string }{{"T-PLB", "T-CU-LB", "USD/lb"}, {"T-PT", "T-CU-T", "USD/t"}} {
		termsFrom(t, s, "demo/cu-2025.json", c.id, func(m map[string]any) {
			delete(m, "assay_exchange")
			m["tc"] = map[string]any{"base": 21.25}
			p := m["payables"].([]any)[0].(map[string]any)
			p["price"] = map[string]any{"series": c.series, "unit": c.unit}
			if c.id == "T-PLB" {
				// Saving the contract refuses the series too (fix13q,
				// TestContractJudgesNewSeriesRange); confirmed there, the
				// settlement still refuses the price.
				m["confirm"] = []any{"/payables/0/price/series"}
			}
		})
	}
	bad, good := "urn:critmin:test:lot:PRICE-LB", "urn:critmin:test:lot:PRICE-T"
	weighedLot(t, s, bad, 100000, "KGM", 9, 0, 0)
	weighedLot(t, s, good, 100000, "KGM", 9, 0, 0)
	_, err := s.IssueAt(ctx, "T-PLB", bad, commercial.Provisional, provAt)
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("provisional on 9800 USD/lb copper: %v; want ECONFLICT", err)
	}
	for _, want := range []string{bad, "Cu price 9800 USD/lb", "series T-CU-LB", "21605301.69 USD/t", "plausible 1000–50000 USD/t"} {
		if !strings.Contains(critmin.ErrorMessage(err), want) {
			t.Errorf("refusal %q does not say %q", critmin.ErrorMessage(err), want)
		}
	}
	if _, err := s.IssueAt(ctx, "T-PT", good, commercial.Provisional, provAt); err != nil {
		t.Fatalf("9800 USD/t: %v", err)
	}
}

// Issue 13, new-user recheck (fix13l, 4, exchange): the seller's Au 4
// reported in % is 4 × 10 000 = 40 000 g/t, above the plausible 1 000
// g/t: refused at submission naming results/0/value, nothing stored, so
// it cannot fix the exchange's unit. A plausible result in the other
// scale (Au 0.0004 % = 4 g/t) captured before the lot was invoiced under
// a contract no longer blocks the buyer's 4 g/t once the lot is invoiced
// under a contract whose Au splitting limit is in g/t: the contract's
// scale wins over the first party's.
func TestExchangeResultInWrongUnitDoesNotBlockTheCorrectOne(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-XU", func(map[string]any) {})
	lot := "urn:critmin:test:lot:XU-1"
	weighedLot(t, s, lot, 100000, "KGM", 9, 0, 0)
	at := time.Date(2025, 9, 3, 10, 0, 0, 0, time.UTC)
	sub := func(party, v, unit string) *commercial.ExchangeSubmission {
		return &commercial.ExchangeSubmission{Lot: lot, Party: party, Lab: "urn:lab:" + party, At: at,
			Results: []commercial.ExchangeResult{{Analyte: "Au", Value: d(v), Unit: unit}}}
	}
	_, err := s.SubmitAssays(ctx, sub(commercial.Seller, "4", "%"))
	if !hasField(err, "/results/0/value") || !strings.Contains(critmin.ErrorMessage(err), "40,000 g/t") {
		t.Fatalf("Au 4 %%: %v; want refused naming results/0/value and 40,000 g/t", err)
	}
	if _, err := s.SubmitAssays(ctx, sub(commercial.Seller, "0.0004", "%")); err != nil {
		t.Fatalf("Au 0.0004 %% before any contract: %v", err)
	}
	if _, err := s.IssueAt(ctx, "T-XU", lot, commercial.Provisional, provAt); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SubmitAssays(ctx, sub(commercial.Buyer, "4", "g/t")); err != nil {
		t.Fatalf("buyer's Au 4 g/t in the contract's unit: %v; want accepted", err)
	}
}
