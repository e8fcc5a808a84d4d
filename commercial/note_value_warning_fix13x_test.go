package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// fix13x item 5: the "worth nothing" value warning of a final invoice is
// resolved by the note that corrected it, as a retraction warning is.
// Lot NOTE-V under T-NOTE0 (T-NOTE: Cu at a fixed 10 000 USD/t, 100 %
// payable, no charges; here with a 20.5-unit minimum deduction): the
// loading assay Cu 20 % is at or below the minimum deduction, so Cu pays
// nothing and the lot is worth 0 — the final invoice warns "worth
// nothing". The seller's result Cu 21 % (2025-12-01) corrects it: 90 dmt
// (100 wmt × (1 − 10 %)) × (21 − 20.5) % × 10 000 USD/t = 90 × 0.005 ×
// 10 000 = 4 500 USD, debit note 1 of 4 500. Served again, the invoice's
// warning is gone from warnings and listed among resolved_warnings with
// the note (before the fix it stayed a warning).
func TestNoteResolvesWorthNothingWarning(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:NOTE-V"
	noteLot(t, s, lot)
	termsFrom(t, s, "demo/cu-2025.json", "T-NOTE0", func(m map[string]any) {
		for _, k := range []string{"tc", "rc", "assay_exchange", "moisture", "take_or_pay"} {
			delete(m, k)
		}
		m["payables"] = []any{map[string]any{"element": "Cu", "grade_unit": "%", "payable_pct": 100, "min_deduction": 20.5, "price": map[string]any{"fixed": 10000, "unit": "USD/t"}}}
	})
	if _, err := s.IssueAt(ctx, "T-NOTE0", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	fin, err := s.IssueAt(ctx, "T-NOTE0", lot, commercial.Final, time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(fin.Warnings, "\n"), "worth nothing") {
		t.Fatalf("final invoice %s (value %s): warnings %q, want worth nothing", fin.ID, fin.Settlement.Value, fin.Warnings)
	}
	sub := &commercial.ExchangeSubmission{Lot: lot, Party: "seller", Lab: "urn:x:lab", At: time.Date(2025, 12, 1, 8, 0, 0, 0, time.UTC),
		Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: decimal.NewFromInt(21), Unit: "%"}}}
	// T-NOTE0 has no assay_exchange clause, so the seller's result is
	// refused through SubmitAssays (fix13y); the laboratory's assay is
	// captured as an event, read as the lot's newest assay.
	if _, err := commercial.CaptureExchangeEvent(ctx, s, sub); err != nil {
		t.Fatal(err)
	}
	n, err := s.IssueNoteAt(ctx, "T-NOTE0", lot, "Cu re-assayed at 21 %", time.Date(2025, 12, 1, 10, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "note total", n.Total, "4500")
	inv, err := s.Invoice(ctx, fin.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.Join(inv.Warnings, "\n"), "worth nothing") || strings.Contains(inv.Warning(), "worth nothing") {
		t.Errorf("served after note %s: warnings %q (%q); want the worth-nothing warning resolved", n.ID, inv.Warnings, inv.Warning())
	}
	if len(inv.ResolvedWarnings) != 1 || inv.ResolvedWarnings[0].ResolvedBy != n.ID || !strings.Contains(inv.ResolvedWarnings[0].Warning, "worth nothing") {
		t.Errorf("resolved warnings %+v; want the worth-nothing warning resolved by %s", inv.ResolvedWarnings, n.ID)
	}
	// The lot's valuation shows it resolved by the note too.
	v, _, err := s.Value(ctx, "T-NOTE0", lot)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range v.Warnings {
		if strings.Contains(w, "worth nothing") && !strings.HasPrefix(w, "resolved by debit note "+n.ID) {
			t.Errorf("valuation warning %q; want it resolved by debit note %s", w, n.ID)
		}
	}
}
