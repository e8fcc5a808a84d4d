package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
)

// Issue 13 (fix13j, 3): the planner bought the demo copper lot at 54.509 t
// while its invoices settle 54.6 dmt. Both are right, for different
// things. The lot holds what was received: the corrected receipt of
// 59 900 kg at 9 % moisture, 59.9 wmt × (1 − 0.09) = 54.509 dmt — its
// available dry mass, what the planner may buy (Lot.RemainingDryTonnes).
// The contract pays on the loading weight: the outturn 59.9 wmt is within
// the 0.5 % weight franchise (60 × 0.995 = 59.7 ≤ 59.9), so the invoice
// settles 60 wmt × (1 − 0.09) = 54.6 dmt. No rounding and no moisture
// error: the planner's quantity stays the available dry mass, and the
// supply's price source now says why the invoice's dmt differs.
func TestPlannerBuysLotsAvailableDryMassNotInvoicedDMT(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	n := plan.Demo()
	if err := n.PullLedger(ctx, s.Store); err != nil {
		t.Fatal(err)
	}
	var sp *plan.Supply
	for i := range n.Supplies {
		if n.Supplies[i].Lot == commercial.DemoCopperLot {
			sp = &n.Supplies[i]
		}
	}
	if sp == nil {
		t.Fatal("the demo copper lot is no supply of the plan")
	}
	if sp.Tonnes != 54.509 {
		t.Errorf("supply %s offers %v t; want the lot's available dry mass 59.9 × (1 − 0.09) = 54.509", sp.ID, sp.Tonnes)
	}
	if _, _, err := s.PlanTerms(ctx, n, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if sp.PriceFrom != plan.PriceFromInvoice || sp.Tonnes != 54.509 {
		t.Fatalf("supply %s: %v t from %q; want 54.509 t at the final invoice", sp.ID, sp.Tonnes, sp.PriceFrom)
	}
	if !strings.Contains(sp.PriceSource, "the invoice settles 54.6 dmt at the contract's weighing point, the lot holds 54.509 dmt available") {
		t.Errorf("price source %q; want it to say the invoice settles 54.6 dmt and the lot holds 54.509", sp.PriceSource)
	}
}
