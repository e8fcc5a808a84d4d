package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
)

// Issue 13, new-user check (fix13h, 4): the planner priced a lot that
// already has its final invoice at today's spot through the contract's
// terms. A lot whose value a final invoice settled is valued at the
// invoiced figure. The demo copper lot's final invoice under
// FWO-USSM-CU-2025 settles 129 330.80 USD on 54.600 dmt:
// 129 330.80 ÷ 54.6 = 2 368.695970… (54.6 × 2 368 = 129 292.80; the
// remaining 38.00 ÷ 54.6 = 0.695970…), 2 368.6960 USD per dmt to 4
// places — whatever the spot prices of the planning day.
func TestPlannerValuesFinallyInvoicedLotAtInvoice(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	n := &plan.Network{
		ID: "buy", Title: "bought feed", Party: "urn:critmin:demo:party:ussm", Periods: plan.Periods{Unit: "week", Count: 1, Start: "2026-01-05"},
		Commodities: []plan.Commodity{{ID: "copper_concentrate"}},
		Sites:       []plan.Site{{ID: "M", Kind: "mine", Country: "PAK"}, {ID: "S", Kind: "buyer", Country: "USA"}},
		Supplies: []plan.Supply{{ID: "cu-lot", Site: "M", Commodity: "copper_concentrate", OriginCountry: "PAK", Lot: commercial.DemoCopperLot,
			Grade: map[string]float64{"Cu": 0.24}, Tonnes: 54.6}},
		Lanes:     []plan.Lane{{ID: "MS", From: "M", To: "S", Mode: "truck", CostPerT: 10}},
		Contracts: []plan.Contract{{ID: "smelter", Buyer: "S", Site: "S", Commodity: "copper_concentrate", MaxT: 60, PricePerT: 2500}},
	}
	_, supplies, err := s.PlanTerms(ctx, n, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	sp := n.Supplies[0]
	if len(supplies) != 1 || sp.PricePerT != 2368.696 || sp.PriceFrom != plan.PriceFromInvoice || sp.Terms != "FWO-USSM-CU-2025" {
		t.Fatalf("priced %v: %v from %q terms %q (%s), want 2368.696 from the final invoice", supplies, sp.PricePerT, sp.PriceFrom, sp.Terms, sp.PriceSource)
	}
	if !strings.Contains(sp.PriceSource, "final invoice INV-FWO-USSM-CU-2025-") || !strings.Contains(sp.PriceSource, "2368.70 USD/dmt") {
		t.Errorf("price source %q, want the final invoice and its figure", sp.PriceSource)
	}
}
