package plan_test

import (
	"context"
	"math"
	"testing"

	"github.com/critmin/critmin/plan"
)

// TestBlendSupplyCarriesItsShares (issue 9, second new-user check, 3): a
// ledger lot that is a blend carries its physical origin shares through
// the plan. The demo's REE concentrate at Loe Shilman (40 t per period) is
// made a blend of 76.9 % Pakistan and 23.1 % Myanmar by contained value,
// and the Russian trader's lot is dropped: every REE flow from Loe
// Shilman then holds Myanmar material at 23.1 % of its tonnes (a 10 t
// flow: 2.31 t MMR, 7.69 t PAK), and the NdPr oxide sold is 23.1 %
// Myanmar — never 100 % of the largest origin. A limit of 80 % from one
// origin on NdPr oxide holds (76.9 % ≤ 80 %), one of 70 % cannot without
// selling nothing: Pakistan is 76.9 % of every tonne made.
func TestBlendSupplyCarriesItsShares(t *testing.T) {
	ctx := context.Background()
	n := plan.Demo()
	var keep []plan.Supply
	for _, s := range n.Supplies {
		if s.ID == "trader-ru-carbonate" {
			continue
		}
		if s.ID == "loe-shilman-forecast" {
			s.OriginShares = map[string]float64{"PAK": 0.769, "MMR": 0.231}
		}
		keep = append(keep, s)
	}
	n.Supplies = keep
	p, err := plan.Run(ctx, n, plan.Baseline, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Check(n, p); err != nil {
		t.Fatalf("check: %v", err)
	}
	flows := 0
	for _, f := range p.Flows {
		if f.Stream != "supply:loe-shilman-forecast" || f.Tonnes <= 1e-6 {
			continue
		}
		flows++
		if math.Abs(f.Origins["MMR"]-0.231*f.Tonnes) > 1e-6*f.Tonnes || math.Abs(f.Origins["PAK"]-0.769*f.Tonnes) > 1e-6*f.Tonnes {
			t.Errorf("flow %s period %d: %v of %v t, want 23.1 %% MMR, 76.9 %% PAK", f.Lane, f.Period, f.Origins, f.Tonnes)
		}
	}
	if flows == 0 {
		t.Fatal("no flow of the blend")
	}
	sh := p.KPIs.OriginShares["ndpr_oxide"]
	if math.Abs(sh["MMR"]-0.231) > 1e-6 || math.Abs(sh["PAK"]-0.769) > 1e-6 {
		t.Errorf("NdPr oxide origin shares %v, want MMR 0.231, PAK 0.769", sh)
	}
	soldOxide := func(p *plan.Plan) float64 {
		v := 0.0
		for _, s := range p.Sales {
			if s.Commodity == "ndpr_oxide" {
				v += s.Tonnes
			}
		}
		return v
	}
	n.Policy.MaxOriginShare = []plan.OriginShare{{Commodity: "ndpr_oxide", Share: 0.8}}
	p80, err := plan.Run(ctx, n, plan.Baseline, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(soldOxide(p80)-soldOxide(p)) > 1e-6 {
		t.Errorf("80 %% limit: %v t of oxide sold, want %v as without it (76.9 %% ≤ 80 %%)", soldOxide(p80), soldOxide(p))
	}
	n.Policy.MaxOriginShare = []plan.OriginShare{{Commodity: "ndpr_oxide", Share: 0.7}}
	p70, err := plan.Run(ctx, n, plan.Baseline, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if soldOxide(p70) > 1e-6 {
		t.Errorf("70 %% limit: %v t of oxide sold, each 76.9 %% Pakistan", soldOxide(p70))
	}
	if err := plan.Check(n, p70); err != nil {
		t.Errorf("check under the 70 %% limit: %v", err)
	}
}
