package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// fix13t item 4: a main payable grade below its commodity's floor is a
// percentage written as a fraction. Copper concentrate Cu 0.24 % (meant
// 24 %: 0.24 × 100) is below the 5 % floor, refused with "did you mean
// 24 %?" — before, the invoice was issued paying gold only with a TC
// still charged. Antimony ore Sb 0.6 % (< 1 %, "did you mean 60 %?") and
// a REE concentrate at TREO 0.45 % (< 10 %, "did you mean 45 %?") alike.
// Accepted as a grade (who and why), the copper lot is invoiced.
func TestMainPayableBelowFloorRefused(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	prices, err := s.Prices(ctx)
	if err != nil {
		t.Fatal(err)
	}
	spot := commercial.SpotPrices(prices, time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC))
	for _, c := range []struct {
		contract string
		grades   map[string]commercial.Grade
		analyte  string
		want     string
	}{
		{"FWO-USSM-CU-2025", map[string]commercial.Grade{"Cu": {Value: d("0.24"), Unit: "%"}, "Au": {Value: d("4"), Unit: "g/t"}, "Ag": {Value: d("50"), Unit: "g/t"}, "As": {Value: d("0.1"), Unit: "%"}}, "Cu", "did you mean 24 %?"},
		{"FWO-USSM-SB-2025", map[string]commercial.Grade{"Sb": {Value: d("0.6"), Unit: "%"}}, "Sb", "did you mean 60 %?"},
		{"FWO-USSM-REE-2025", map[string]commercial.Grade{"TREO": {Value: d("0.45"), Unit: "%"}, "Nd2O3": {Value: d("0.07"), Unit: "%"}, "Pr6O11": {Value: d("0.02"), Unit: "%"}}, "TREO", "did you mean 45 %?"},
	} {
		ts := mustContract(t, s, c.contract)
		_, _, err := commercial.NetValuePerTonne(ts, c.grades, spot)
		if !fieldNamed(err, "/lot/assays/"+c.analyte) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want refused naming lot/assays/%s, %q", c.contract, err, c.analyte, c.want)
		}
	}
	// A ledger lot: the provisional invoice is refused 409, nothing
	// stored; accepted, it is issued with the acceptance kept.
	lot := "urn:critmin:test:lot:FLOOR-CU"
	q := []any{map[string]any{"epcClass": lot, "quantity": 100000, "uom": "KGM"}}
	capture(t, s,
		map[string]any{"type": "ObjectEvent", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": q,
			"destinationList": []any{map[string]any{"type": "owning_party", "destination": "urn:critmin:demo:party:fwo"}},
			"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 0.24, "cm:unit": "%", "cm:basis": "dry"},
				map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}},
		map[string]any{"type": "ObjectEvent", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": q, "sensorElementList": h2oAt("2025-09-02T07:00:00Z", 9),
			"bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:FLOOR-CU"}}})
	termsFrom(t, s, "demo/cu-2025.json", "T-FLOOR", func(m map[string]any) { delete(m, "assay_exchange") })
	_, err = s.IssueAt(ctx, "T-FLOOR", lot, commercial.Provisional, provAt)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "did you mean 24 %?") {
		t.Errorf("provisional: err = %v, want 409 with did you mean 24 %%", err)
	}
	if invs, _ := s.Store.ListInvoices(ctx, critmin.InvoiceFilter{Lot: lot}); len(invs) != 0 {
		t.Errorf("%d invoices stored though refused", len(invs))
	}
	inv, err := s.IssueAccepting(ctx, "T-FLOOR", lot, commercial.Provisional, provAt, []commercial.Acceptance{{Check: commercial.AcceptGrade, By: "lab manager", Reason: "low-grade tailings retreated, Cu 0.24 % confirmed"}})
	if err != nil {
		t.Fatalf("accepted: %v", err)
	}
	if len(inv.Settlement.Accepted) != 1 || !strings.Contains(inv.Settlement.Accepted[0].Refusal, "below the plausible 5 %") {
		t.Errorf("accepted = %+v", inv.Settlement.Accepted)
	}
}

// fix13t item 6a: a g/t grade above its bound gets no "did you mean
// … %?" hint (5000 % would be 10 000 times more): Au 5 000 g/t on a
// flotation copper concentrate (bound 1 000 g/t).
func TestGramsPerTonneSlipHasNoPercentHint(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:AU5000"
	weighedLotAu(t, s, lot, 100000, "KGM", 9, 0, 0, "g/t")
	_, err := s.SubmitAssays(ctx, &commercial.ExchangeSubmission{Lot: lot, Party: commercial.Seller, Lab: "urn:lab:seller", At: provAt,
		Results: []commercial.ExchangeResult{{Analyte: "Cu", Value: d("24"), Unit: "%"}, {Analyte: "Au", Value: d("5000"), Unit: "g/t"}}})
	if err == nil || strings.Contains(err.Error(), "5000 %") || strings.Contains(err.Error(), "did you mean") || !strings.Contains(err.Error(), "above the plausible 1,000 g/t") {
		t.Errorf("Au 5000 g/t: %v; want refused without a %% hint", err)
	}
	prices, _ := s.Prices(ctx)
	_, _, err = commercial.NetValuePerTonne(mustContract(t, s, "FWO-USSM-CU-2025"), map[string]commercial.Grade{"Cu": {Value: d("24"), Unit: "%"}, "Au": {Value: d("5000"), Unit: "g/t"}, "Ag": {Value: d("50"), Unit: "g/t"}, "As": {Value: d("0.1"), Unit: "%"}},
		commercial.SpotPrices(prices, time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)))
	if err == nil || strings.Contains(err.Error(), "5000 %") || strings.Contains(err.Error(), "did you mean") {
		t.Errorf("settling Au 5000 g/t: %v; want refused without a %% hint", err)
	}
}
