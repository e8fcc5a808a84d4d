package commercial_test

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// fix13x item 1: a term sheet is versioned by the time it was recorded,
// and a view as of a past day reads the terms recorded by then. Contract
// T-ASOF-TERMS is saved on 2025-09-01 with a 90 % provisional share and
// edited on 2025-11-15 to 50 % (no invoice, so the edit is allowed). As
// of 2025-10-10 the provisional amount is 90 % of the provisional value
// (before the fix: 50 %, today's terms); on current data it is 50 %.
func TestAsOfReadsTermsRecordedThen(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:ASOF-TERMS"
	s.Ledger.Now = func() time.Time { return asOfDay(t, "2025-09-03").Add(12 * time.Hour) }
	t.Cleanup(func() { s.Ledger.Now = time.Now })
	weighedLot(t, s, lot, 100000, "KGM", 9, 0, 0)
	today := s.Now
	t.Cleanup(func() { s.Now = today })
	save := func(day string, pct int) {
		s.Now = func() time.Time { return asOfDay(t, day).Add(9 * time.Hour) }
		termsFrom(t, s, "demo/cu-2025.json", "T-ASOF-TERMS", func(m map[string]any) {
			delete(m, "assay_exchange")
			m["payment"] = map[string]any{"provisional_pct": pct, "provisional_days": 5, "final_days": 10}
		})
	}
	save("2025-09-01", 90)
	save("2025-11-15", 50)
	s.Now = today

	share := func(v *commercial.Valuation, pct string) decimal.Decimal {
		return v.Provisional.Value.Mul(decimal.RequireFromString(pct)).Div(decimal.NewFromInt(100)).Round(2)
	}
	v, ts, err := s.ValueAsOf(ctx, "T-ASOF-TERMS", lot, asOfDay(t, "2025-10-10"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ts.Payment.ProvisionalPct.String(); got != "90" {
		t.Errorf("terms as of 2025-10-10: provisional_pct %s, want 90 (recorded 2025-09-01; 50 only from 2025-11-15)", got)
	}
	// provisional amount = provisional value × 90 %, to the cent.
	eq(t, "provisional amount as of 2025-10-10", v.ProvAmount, share(v, "90").String())

	v, ts, err = s.Value(ctx, "T-ASOF-TERMS", lot)
	if err != nil {
		t.Fatal(err)
	}
	if got := ts.Payment.ProvisionalPct.String(); got != "50" {
		t.Errorf("current terms: provisional_pct %s, want 50", got)
	}
	eq(t, "provisional amount on current terms", v.ProvAmount, share(v, "50").String())

	// Before the contract was first saved, its first recorded terms.
	as, err := s.ContractAt(ctx, "T-ASOF-TERMS", asOfDay(t, "2025-09-01").Add(8*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if got := as.Payment.ProvisionalPct.String(); got != "90" {
		t.Errorf("terms before the first save: provisional_pct %s, want the first recorded, 90", got)
	}
}
