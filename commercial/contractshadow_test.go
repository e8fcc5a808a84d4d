package commercial_test

import (
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
)

// A term sheet's shadow prices are those of everything it prices in the
// plan: its sales (planning contracts naming it) and its purchases
// (supplies the plan priced at it). Before, only planning contracts were
// mapped, so a purchase contract showed no shadow price at all.
//
// Plan "baseline" (hand-made): contract sale-1 names T-SALE, supply buy-1
// is priced at T-BUY and buy-2 at T-BUY too, supply other at T-OTHER.
//
//	sale-1 contract_max: 1000 in periods 0 and 1, 0 in 2 → 2 periods,
//	       largest 1000, mean (1000 + 1000) / 2 = 1000.
//	buy-1  supply_max:   50 in period 0, 30 in period 1 → 2 periods,
//	       largest 50, mean (50 + 30) / 2 = 40.
//	buy-2  supply_max:   0 (not bought whole): priced, no entry.
//	other  supply_max:   70 — another term sheet's: not T-BUY's.
func TestContractShadowsOfSalesAndPurchases(t *testing.T) {
	n := &plan.Network{Contracts: []plan.Contract{{ID: "sale-1", Terms: "T-SALE"}}}
	p := &plan.Plan{Scenario: "baseline",
		SupplyPrices: []plan.SupplyPrice{{Supply: "buy-1", Terms: "T-BUY"}, {Supply: "buy-2", Terms: "T-BUY"}, {Supply: "other", Terms: "T-OTHER"}},
		ShadowPrices: []plan.Shadow{
			{Kind: plan.RowContractMax, Ref: "sale-1", Period: 0, Value: 1000}, {Kind: plan.RowContractMax, Ref: "sale-1", Period: 1, Value: 1000}, {Kind: plan.RowContractMax, Ref: "sale-1", Period: 2},
			{Kind: plan.RowSupplyMax, Ref: "buy-1", Period: 0, Value: 50}, {Kind: plan.RowSupplyMax, Ref: "buy-1", Period: 1, Value: 30},
			{Kind: plan.RowSupplyMax, Ref: "buy-2", Period: 0},
			{Kind: plan.RowSupplyMax, Ref: "other", Period: 0, Value: 70},
		}}
	buy, refs := commercial.ContractShadows([]*plan.Plan{p}, n, "T-BUY")
	if len(refs) != 2 || refs[0] != "buy-1" || refs[1] != "buy-2" {
		t.Errorf("T-BUY prices %v, want buy-1, buy-2", refs)
	}
	if len(buy) != 1 || buy[0] != (commercial.ContractShadow{Scenario: "baseline", Side: commercial.ShadowPurchase, Contract: "buy-1", Kind: plan.RowSupplyMax, Periods: 2, Largest: 50, Mean: 40}) {
		t.Errorf("T-BUY shadow prices %+v, want buy-1's supply_max over 2 periods, largest 50, mean 40", buy)
	}
	sale, refs := commercial.ContractShadows([]*plan.Plan{p}, n, "T-SALE")
	if len(refs) != 1 || refs[0] != "sale-1" || len(sale) != 1 || sale[0] != (commercial.ContractShadow{Scenario: "baseline", Side: commercial.ShadowSale, Contract: "sale-1", Kind: plan.RowContractMax, Periods: 2, Largest: 1000, Mean: 1000}) {
		t.Errorf("T-SALE: %+v %v", sale, refs)
	}
	ps := commercial.NewPlanShadows("", nil, nil, "T-BUY")
	if ps.Job != "" || len(ps.Priced) != 0 || ps.Prices == nil {
		t.Errorf("no finished plan: %+v", ps)
	}
}
