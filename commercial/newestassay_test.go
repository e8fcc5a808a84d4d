package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/ledger"
	"github.com/shopspring/decimal"
)

// submitREE records a seller's whole-lot result on demo REE lot 1: TREO
// 40 %, Nd2O3 4 %, Pr6O11 1 %, CeO2 20 %, La2O3 13 % (the oxides 38 % ≤
// TREO, as the NSR's check of one sample wants). Captured directly as the
// exchange event: since fix13y `critmin trade assay` refuses results on a
// lot whose contract has no assay_exchange clause, but results captured
// as events (or before fix13y) are still read by the newest-assay rule.
func submitREE(t *testing.T, s *commercial.Service, at time.Time) {
	t.Helper()
	pc := func(a string, v int64) commercial.ExchangeResult {
		return commercial.ExchangeResult{Analyte: a, Value: decimal.NewFromInt(v), Unit: "%"}
	}
	sub := &commercial.ExchangeSubmission{Lot: commercial.DemoREELot1, Party: "seller", Lab: "urn:x:lab", At: at,
		Results: []commercial.ExchangeResult{pc("TREO", 40), pc("Nd2O3", 4), pc("Pr6O11", 1), pc("CeO2", 20), pc("La2O3", 13)}}
	if _, err := commercial.CaptureExchangeEvent(context.Background(), s, sub); err != nil {
		t.Fatal(err)
	}
}

// TestNewestAssayWithoutExchangeTerms (fix13b 1): the demo REE contract
// FWO-USSM-REE-2025 has no assay-exchange terms, so an assay captured
// with `critmin trade assay` (any party) is an assay like any other and
// the newest stands — for the settlement, the final invoice, the NSR of
// the lot and the exposure alike (docs/trade.md, "Best-known grades").
// Before, all four priced on the older 45 % TREO.
//
// Demo REE lot 1: 24.95 wmt × (1 − 8 %) = 22.954 dmt, loading assay
// TREO 45 %, Nd2O3 5.2 %, Pr6O11 1.9 %; provisional invoice 30 698.88.
// The seller's result of 2025-10-10: TREO 40 %, Nd2O3 4 %, Pr6O11 1 %.
// Basket shares 4/40 = 0.1 and 1/40 = 0.025; price 0.1 × 70.432 +
// 0.025 × 73.252 = 7.0432 + 1.8313 = 8.8745 USD/kg TREO; payable 40 % ×
// 1 000 kg × 30 % = 120 kg/dmt → 120 × 8.8745 = 1 064.94 USD/dmt; lot
// value 1 064.94 × 22.954 = 24 444.633 → 24 444.63; final balance
// 24 444.63 − 30 698.88 = −6 254.25. Exposure: payable TREO 22.954 dmt
// × 120 kg = 2 754.48 kg.
func TestNewestAssayWithoutExchangeTerms(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := commercial.DemoREELot1
	submitREE(t, s, time.Date(2025, 10, 10, 0, 0, 0, 0, time.UTC))

	v, _, err := s.Value(ctx, "FWO-USSM-REE-2025", lot)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "dmt", v.DMT, "22.954")
	eq(t, "nsr_per_dmt", v.NSRPerDMT, "1064.94")
	eq(t, "lot_value", v.LotValue, "24444.63")
	eq(t, "provisional_amount", v.ProvAmount, "30698.88")
	if v.FinalBalance == nil {
		t.Fatalf("no final balance: %s", v.Missing)
	}
	eq(t, "final_balance", *v.FinalBalance, "-6254.25")
	var treo *commercial.Fact
	for i, f := range v.Final.Facts {
		if f.Name == "TREO" {
			treo = &v.Final.Facts[i]
		}
	}
	if treo == nil || !strings.Contains(treo.Formula, "seller's 40 % result of 2025-10-10") {
		t.Errorf("TREO fact %+v does not name the seller's result", treo)
	}

	cmp, err := s.NSRFor(ctx, "FWO-USSM-REE-2025", lot, "", time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), 10)
	if err != nil {
		t.Fatal(err)
	}
	if c := cmp.Cases[0]; c.Error != "" {
		t.Fatalf("NSR: %s", c.Error)
	}
	// The NSR prices at the spot of 2025-12-01: 0.1 × 74.97 + 0.025 ×
	// 76.97 = 7.497 + 1.92425 = 9.42125 USD/kg (9.4213 as written);
	// 120 kg/dmt × 9.42125 = 1 130.55 USD/dmt.
	eq(t, "trade nsr --lot", cmp.Cases[0].NSRPerDMT, "1130.55")

	ex, err := s.Exposure(ctx, time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC), "")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range ex.Lots {
		if l.Lot == lot {
			found = true
			eq(t, "exposure TREO kg", l.BasisKg["TREO"], "2754.48")
		}
	}
	if !found {
		t.Fatalf("lot %s not in the exposure", lot)
	}

	inv, err := s.Issue(ctx, "FWO-USSM-REE-2025", lot, commercial.Final)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "final invoice total", inv.Total, "-6254.25")
}

// TestOlderResultYieldsToNewerAssay (fix13b 1): the rule is the newest
// assay, not "results first": the seller's result of 2025-10-10 is
// superseded by a dry laboratory assay of 2025-10-11 back at the loading
// grades (TREO 45 %, Nd2O3 5.2 %, Pr6O11 1.9 %, CeO2 22 %, La2O3 15.1 %),
// and the lot is valued as before the result: shares 5.2/45 = 0.115556
// and 1.9/45 = 0.042222; 0.115556 × 70.432 + 0.042222 × 73.252 =
// 8.13884 + 3.09285 = 11.2317 USD/kg; 450 kg × 30 % = 135 kg/dmt ×
// 11.2317 = 1 516.2795 — the line carries the price to 4 places after
// the shares' 6: 1 516.2756, the figure of the demo without the result.
func TestOlderResultYieldsToNewerAssay(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := commercial.DemoREELot1
	before, _, err := s.Value(ctx, "FWO-USSM-REE-2025", lot)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "nsr_per_dmt without the result", before.NSRPerDMT, "1516.2756")
	at := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	spot, err := s.NSRFor(ctx, "FWO-USSM-REE-2025", lot, "", at, 10)
	if err != nil {
		t.Fatal(err)
	}
	submitREE(t, s, time.Date(2025, 10, 10, 0, 0, 0, 0, time.UTC))
	dry := func(a string, v float64) map[string]any {
		return map[string]any{"type": "MassConcentration", "chemicalSubstance": ledger.AnalyteBase + a, "value": v, "uom": "P1", "cm:basis": "dry"}
	}
	capture(t, s, map[string]any{"type": "ObjectEvent", "eventTime": "2025-10-11T10:00:00Z", "eventTimeZoneOffset": "+00:00",
		"eventID": "urn:uuid:3d0e8c1a-6f7b-4c55-9d1e-5b2f8a7c9e11", "action": "OBSERVE", "bizStep": "inspecting",
		"quantityList": []any{map[string]any{"epcClass": lot}},
		"sensorElementList": []any{map[string]any{"sensorMetadata": map[string]any{"time": "2025-10-11T10:00:00Z"}, "sensorReport": []any{
			dry("TREO", 45), dry("Nd2O3", 5.2), dry("Pr6O11", 1.9), dry("CeO2", 22), dry("La2O3", 15.1)}}}})
	v, _, err := s.Value(ctx, "FWO-USSM-REE-2025", lot)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "nsr_per_dmt", v.NSRPerDMT, "1516.2756")
	cmp, err := s.NSRFor(ctx, "FWO-USSM-REE-2025", lot, "", at, 10)
	if err != nil {
		t.Fatal(err)
	}
	// At the 2025-12-01 spot, as before the result (not 1 130.55, the
	// result's figure in TestNewestAssayWithoutExchangeTerms).
	eq(t, "trade nsr --lot", cmp.Cases[0].NSRPerDMT, spot.Cases[0].NSRPerDMT.String())
}
