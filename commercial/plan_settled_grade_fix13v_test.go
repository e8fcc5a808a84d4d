package commercial_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
)

// fix13v item 2: the planner's supply of the demo copper lot took the
// ledger's newest Cu assay — the umpire's 21.9 % alone — where the
// contract settles it (umpire_closer_mean: umpire 21.90, closer party the
// buyer's 21.80) at (21.90 + 21.80) ÷ 2 = 21.85 %, the grade its price,
// NSR, exposure and invoices read (BestKnownGrades). After PlanTerms the
// supply's Cu fraction is 0.2185 (dry basis: the lot's dry mass is
// known) and Au 4.025 g/t = 0.000004025, not 0.219 and 0.000004.
func TestPlannerSupplyOnSettledGrade(t *testing.T) {
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
	if math.Abs(sp.Grade["Cu"]-0.219) > 1e-12 {
		t.Fatalf("pulled Cu %v; this test expects the ledger's umpire 0.219", sp.Grade["Cu"])
	}
	if _, _, err := s.PlanTerms(ctx, n, time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if math.Abs(sp.Grade["Cu"]-0.2185) > 1e-12 {
		t.Errorf("supply Cu %v; want the settled 21.85 %% = 0.2185", sp.Grade["Cu"])
	}
	if au, ok := sp.Grade["Au"]; ok && math.Abs(au-0.000004025) > 1e-15 {
		t.Errorf("supply Au %v; want the settled 4.025 g/t = 0.000004025", au)
	}
}
