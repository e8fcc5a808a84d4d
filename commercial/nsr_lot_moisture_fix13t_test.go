package commercial_test

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
	"github.com/shopspring/decimal"
)

// fix13t item 1: a lot's NSR comparison values the lot with everything its
// settlement uses, its moisture included. Lot NSRM-1: 100 000 kg at 9 %
// moisture (cm:moisture 0.09), Cu 24 %, Au 4 g/t, shipped 2 Sep 2025.
//
//	T-NSRM-8  franchise 8 % at 3 USD per excess %: −(9 − 8) × 3 = −3 USD/dmt
//	T-NSRM-5  franchise 5 % at 2 USD:              −(9 − 5) × 2 = −8 USD/dmt
//	T-NSRM-10 franchise 10 % at 5 USD:             9 ≤ 10, no deduction
//	T-NSRM-0  no moisture terms:                   no deduction
//
// Everything else is the same sheet, so NSR(T-NSRM-8) = NSR(T-NSRM-0) − 3,
// and on the lot's 100 × (1 − 9 %) = 91 dmt the lot value is
// 3 × 91 = 273 USD less. Before the fix the comparison valued the feed at
// 0 % moisture and all four NSRs were equal.
func TestLotNSRIncludesMoisture(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	for id, m := range map[string]map[string]any{
		"T-NSRM-8":  {"franchise_pct": 8, "rate": 3},
		"T-NSRM-5":  {"franchise_pct": 5, "rate": 2},
		"T-NSRM-10": {"franchise_pct": 10, "rate": 5},
		"T-NSRM-0":  nil,
	} {
		termsFrom(t, s, "demo/cu-2025.json", id, func(x map[string]any) {
			delete(x, "assay_exchange")
			if m == nil {
				delete(x, "moisture")
			} else {
				x["moisture"] = m
			}
		})
	}
	lot := "urn:critmin:test:lot:NSRM-1"
	capture(t, s,
		map[string]any{"type": "ObjectEvent", "eventTime": "2025-08-25T08:00:00Z", "eventTimeZoneOffset": "+00:00",
			"action": "ADD", "bizStep": "commissioning", "quantityList": qty(lot, 100000),
			"ilmd": map[string]any{"cm:commodity": "copper_concentrate", "cm:moisture": 0.09, "cm:assay": []any{
				map[string]any{"cm:analyte": "Cu", "cm:value": 24.0, "cm:unit": "%", "cm:basis": "dry"},
				map[string]any{"cm:analyte": "Au", "cm:value": 4.0, "cm:unit": "g/t", "cm:basis": "dry"}}}},
		map[string]any{"type": "ObjectEvent", "eventTime": "2025-09-02T07:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping",
			"quantityList": qty(lot, 100000), "bizTransactionList": []any{map[string]any{"type": "bol", "bizTransaction": "urn:critmin:test:bol:NSRM-1"}}})
	asOf := time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC)
	cmp, err := s.NSRFor(ctx, "T-NSRM-8,T-NSRM-5,T-NSRM-10,T-NSRM-0", lot, "", asOf, 10)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "lot dmt", *cmp.DMT, "91")
	nsr := map[string]decimal.Decimal{}
	value := map[string]decimal.Decimal{}
	for _, c := range cmp.Cases {
		if c.Error != "" {
			t.Fatalf("%s: %s", c.Contract, c.Error)
		}
		nsr[c.Contract], value[c.Contract] = c.NSRPerDMT, *c.LotValue
	}
	base := nsr["T-NSRM-0"]
	eq(t, "T-NSRM-8 NSR", nsr["T-NSRM-8"], base.Sub(d("3")).String())
	eq(t, "T-NSRM-5 NSR", nsr["T-NSRM-5"], base.Sub(d("8")).String())
	eq(t, "T-NSRM-10 NSR", nsr["T-NSRM-10"], base.String())
	eq(t, "T-NSRM-8 lot value", value["T-NSRM-0"].Sub(value["T-NSRM-8"]), "273")
	// The invariant: each sheet's NSR per dmt is the lot's own
	// settlement's at the same spot prices.
	lf, err := commercial.LotFactsFromEvents(ctx, s.Store, lot)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"T-NSRM-8", "T-NSRM-5", "T-NSRM-10", "T-NSRM-0"} {
		st, err := commercial.Settle(mustContract(t, s, id), lf, commercial.SettleOptions{Kind: commercial.Provisional, Spot: cmp.Spot})
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		eq(t, id+" NSR = settlement's NSR per dmt", nsr[id], st.NSRPerDMT.String())
		eq(t, id+" lot value = settlement's value", value[id], st.Value.String())
	}
	// A feed's stated moisture (the planner's supplies, --grades H2O=9%)
	// is deducted the same way.
	v8, _, err := commercial.NetValuePerTonne(mustContract(t, s, "T-NSRM-8"), map[string]commercial.Grade{
		"Cu": {Value: d("24"), Unit: "%"}, "Au": {Value: d("4"), Unit: "g/t"}, "H2O": {Value: d("9"), Unit: "%"}}, cmp.Spot)
	if err != nil {
		t.Fatal(err)
	}
	eq(t, "feed at 9 % moisture", v8.Round(4), nsr["T-NSRM-8"].String())
	// The planner's value at contract terms of a sale whose reference
	// grade states its moisture (H2O 0.09 = 9 %): the same −3 USD/dmt.
	n := &plan.Network{Contracts: []plan.Contract{{ID: "S-NSRM", Terms: "T-NSRM-8", TermsGrade: map[string]float64{"Cu": 0.24, "Au": 0.000004, "H2O": 0.09}}}}
	if _, err := commercial.ApplyTerms(n, map[string]*commercial.TermSheet{"T-NSRM-8": mustContract(t, s, "T-NSRM-8")}, cmp.Spot); err != nil {
		t.Fatal(err)
	}
	eq(t, "planner's price at terms", decimal.NewFromFloat(n.Contracts[0].PricePerT), nsr["T-NSRM-8"].String())
}
