package commercial_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
)

// A contract's shadow prices are money per tonne to the cent: a solver's
// duals 40.7198999999996 and 40.7201000000004 (mean 40.72, largest
// 40.7201000000004) are served as 40.72 and 40.72, and −12.3449 as
// −12.34 — never with float noise in the API's or the CLI's JSON.
func TestContractShadowsRoundedToCents(t *testing.T) {
	n := &plan.Network{Contracts: []plan.Contract{{ID: "sale-1", Terms: "T-SALE"}}}
	p := &plan.Plan{Scenario: "baseline", ShadowPrices: []plan.Shadow{
		{Kind: plan.RowContractMax, Ref: "sale-1", Period: 0, Value: 40.7198999999996},
		{Kind: plan.RowContractMax, Ref: "sale-1", Period: 1, Value: 40.7201000000004},
		{Kind: plan.RowContractMin, Ref: "sale-1", Period: 0, Value: -12.3449},
	}}
	sh, _ := commercial.ContractShadows([]*plan.Plan{p}, n, "T-SALE")
	if len(sh) != 2 {
		t.Fatalf("shadow prices %+v, want 2", sh)
	}
	b, _ := json.Marshal(sh)
	for _, want := range []string{`"largest":40.72,"mean":40.72`, `"largest":-12.34,"mean":-12.34`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s lacks %s", b, want)
		}
	}
}

// The price participation line shows the grams-to-price-unit step: 20 %
// of (9500 − 9000) USD/t on Cu 24 % payable 100 %: 240 000 g/dmt ÷
// 1 000 000 g/t = 0.24 t/dmt, × 100 USD/t = −24 USD/dmt. Before, the
// formula multiplied USD/t by g/dmt with no step between.
func TestParticipationFormulaShowsGramsToTonnes(t *testing.T) {
	ts := MustTerms(t, `{"id": "P", "commodity": "copper_concentrate", "seller": "s", "buyer": "b", "currency": "USD", "rounding": {"mode": "half_up"},
	  "delivery": {"incoterm": "FOB", "place": "x"}, "payment": {"provisional_pct": 100},
	  "qp": {"month": 0}, "provisional_price": {"rule": "last_published"},
	  "payables": [{"element": "Cu", "grade_unit": "%", "payable_pct": 100, "price": {"fixed": 9500, "unit": "USD/t"}, "participation": {"basis": 9000, "up_share": 0.2, "down_share": 0.1}}]}`)
	lot := &commercial.LotFacts{Lot: "l", BLDate: day("2025-09-02"), Loading: commercial.Weighing{WMT: d("1"), MoisturePct: d("0")},
		Assays: map[string]commercial.Grade{"Cu": {Value: d("24"), Unit: "%"}}}
	st, err := commercial.Settle(ts, lot, commercial.SettleOptions{Kind: commercial.Provisional})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range st.Lines {
		if l.Code == "participation:Cu" {
			if !strings.Contains(l.Formula, "0.24 t/dmt payable (240000 g/dmt ÷ 1000000 g/t)") {
				t.Errorf("formula %q lacks the g→t step", l.Formula)
			}
			eq(t, "participation", l.Amount, "-24")
			return
		}
	}
	t.Fatal("no participation line")
}
