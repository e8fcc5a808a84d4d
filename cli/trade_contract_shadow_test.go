package cli_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/sqlite"
)

// `critmin trade contract show ID` prints the contract's shadow prices
// from the newest successful plan job in the store, purchases included.
// Before any plan: priced [] and prices []. Then a stored job whose plan
// bought supply lot-CU at the purchase terms FWO-USSM-CU-2025 with a
// supply_max dual of 40 in period 3 and 20 in period 4: one purchase entry,
// 2 periods, largest 40, mean (40 + 20) / 2 = 30. Before, the command
// showed no shadow price at all.
func TestTradeContractShowShadowPrices(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	env := map[string]string{"CRITMIN_DB": db}
	if _, _, err := run(t, env, "trade", "demo"); err != nil {
		t.Fatal(err)
	}
	type shown struct {
		Shadow struct {
			Job    string   `json:"plan_job"`
			Priced []string `json:"priced"`
			Prices []struct {
				Side, Constraint string
				Ref              string  `json:"planning_ref"`
				Periods          int     `json:"periods"`
				Largest          float64 `json:"largest"`
				Mean             float64 `json:"mean"`
			} `json:"prices"`
		} `json:"shadow_prices"`
	}
	show := func() shown {
		t.Helper()
		out, _, err := run(t, env, "trade", "contract", "show", "FWO-USSM-CU-2025")
		var v shown
		if err != nil || json.Unmarshal([]byte(out), &v) != nil {
			t.Fatalf("show: %v\n%s", err, out)
		}
		return v
	}
	if v := show(); v.Shadow.Job != "" || v.Shadow.Priced == nil || len(v.Shadow.Priced) != 0 || v.Shadow.Prices == nil || len(v.Shadow.Prices) != 0 {
		t.Errorf("before any plan: %+v", v.Shadow)
	}
	p := &plan.Plan{Scenario: "baseline", SupplyPrices: []plan.SupplyPrice{{Supply: "lot-CU", Terms: "FWO-USSM-CU-2025"}},
		ShadowPrices: []plan.Shadow{{Kind: plan.RowSupplyMax, Ref: "lot-CU", Period: 3, Value: 40}, {Kind: plan.RowSupplyMax, Ref: "lot-CU", Period: 4, Value: 20}}}
	result, _ := json.Marshal([]*plan.Plan{p})
	input, _ := json.Marshal(&plan.Network{ID: "demo"})
	store, err := sqlite.Open(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	err = store.SavePlanJob(context.Background(), &critmin.PlanJob{ID: "plan-test", Network: "demo", Scenarios: []string{"baseline"}, Status: critmin.PlanSuccess,
		Created: now, Finished: &now, Result: result, Input: input, Request: []byte("{}"), Done: 1})
	store.Close()
	if err != nil {
		t.Fatal(err)
	}
	v := show()
	if v.Shadow.Job != "plan-test" || len(v.Shadow.Priced) != 1 || v.Shadow.Priced[0] != "lot-CU" || len(v.Shadow.Prices) != 1 {
		t.Fatalf("after the plan: %+v", v.Shadow)
	}
	if g := v.Shadow.Prices[0]; g.Side != "purchase" || g.Ref != "lot-CU" || g.Constraint != plan.RowSupplyMax || g.Periods != 2 || g.Largest != 40 || g.Mean != 30 {
		t.Errorf("purchase entry %+v, want supply_max over 2 periods, largest 40, mean 30", g)
	}
}
