package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
)

// Issue 13 (fix13i, 1): a contract whose seller did not own the lot at
// delivery cannot invoice it, so its settlement is a what-if — not only
// a lot invoiced under another contract. Lot OWN-W is commissioned for
// FWO and sold to a trader on 30 Aug 2025, before its B/L of 2 Sep (the
// delivery under the demo's CIF terms): FWO, the demo copper contract's
// seller, did not own it at delivery. Issue refuses (409); the valuation
// under the same contract is a what-if whose first warning and
// why_not_invoiceable are Issue's own refusal, word for word (one check:
// Service.InvoiceRefusal).
func TestSettlementIsWhatIfWhenSellerDidNotOwnLotAtDelivery(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:OWN-W"
	ownedLot(t, s, lot, "31", fwoParty, [3]string{"2025-08-30T09:00:00Z", fwoParty, traderParty})
	v, _, err := s.Value(ctx, "FWO-USSM-CU-2025", lot)
	if err != nil {
		t.Fatal(err)
	}
	_, refused := s.Issue(ctx, "FWO-USSM-CU-2025", lot, commercial.Provisional)
	if critmin.ErrorCode(refused) != critmin.ECONFLICT {
		t.Fatalf("issue: err = %v, want a conflict", refused)
	}
	if !v.WhatIf || v.WhyNot != critmin.ErrorMessage(refused) {
		t.Fatalf("what_if %v why %q; want true and Issue's refusal %q", v.WhatIf, v.WhyNot, critmin.ErrorMessage(refused))
	}
	if len(v.Warnings) == 0 || !strings.Contains(v.Warnings[0], "did not own it at delivery") || !strings.Contains(v.Warnings[0], "what-if under FWO-USSM-CU-2025") {
		t.Errorf("warnings %q, want the refusal and what-if first", v.Warnings)
	}
	if !strings.HasPrefix(v.Figures, "what-if under FWO-USSM-CU-2025") || v.InvoicedUnder != "" {
		t.Errorf("figures %q invoiced_under %q", v.Figures, v.InvoicedUnder)
	}
	// The trader, which owned it at delivery, sells it for real.
	termsFrom(t, s, "demo/cu-2025.json", "T-TRADER", func(m map[string]any) { m["seller"] = traderParty })
	own, _, err := s.Value(ctx, "T-TRADER", lot)
	if err != nil {
		t.Fatal(err)
	}
	if own.WhatIf || own.WhyNot != "" {
		t.Errorf("the owner's contract: what_if %v (%s)", own.WhatIf, own.WhyNot)
	}
}

// Issue 13 (fix13i, 2): the planner's purchase contracts for a ledger lot
// are those that could invoice it. USSM buys copper concentrate under the
// demo contract (seller FWO) and under T-TRADER-BUY (seller a trader).
// Lot OWN-P was sold by FWO to the trader before its B/L, so FWO's
// contract can never invoice it: the only candidate is T-TRADER-BUY, and
// the lot is priced at its terms — not "ambiguous: 2 purchase contracts
// could buy it" and the price table.
func TestPlannerCandidatesAreContractsThatCanInvoiceTheLot(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:OWN-P"
	ownedLot(t, s, lot, "32", fwoParty, [3]string{"2025-08-30T09:00:00Z", fwoParty, traderParty})
	termsFrom(t, s, "demo/cu-2025.json", "T-TRADER-BUY", func(m map[string]any) { m["seller"] = traderParty })
	n := &plan.Network{
		ID: "buy", Title: "bought feed", Party: ussmParty, Periods: plan.Periods{Unit: "week", Count: 1, Start: "2026-01-05"},
		Commodities: []plan.Commodity{{ID: "copper_concentrate"}},
		Sites:       []plan.Site{{ID: "M", Kind: "mine", Country: "PAK"}, {ID: "S", Kind: "buyer", Country: "USA"}},
		Supplies: []plan.Supply{{ID: "own-p", Site: "M", Commodity: "copper_concentrate", OriginCountry: "PAK", Lot: lot,
			Grade: map[string]float64{"Cu": 0.24}, Tonnes: 92}},
		Lanes:      []plan.Lane{{ID: "MS", From: "M", To: "S", Mode: "truck", CostPerT: 10}},
		Contracts:  []plan.Contract{{ID: "smelter", Buyer: "S", Site: "S", Commodity: "copper_concentrate", MaxT: 60, PricePerT: 2500}},
		FeedPrices: []plan.FeedPrice{{Commodity: "copper_concentrate", PricePerT: 9536, PriceBasis: "contained", Element: "Cu", Source: "test table"}},
	}
	if _, _, err := s.PlanTerms(ctx, n, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if sp := n.Supplies[0]; sp.Terms != "T-TRADER-BUY" || sp.PriceFrom != plan.PriceFromContract {
		t.Errorf("supply priced from %q at %q terms (%s); want T-TRADER-BUY's terms", sp.PriceFrom, sp.Terms, sp.PriceSource)
	}
}
