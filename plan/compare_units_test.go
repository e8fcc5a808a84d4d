package plan

import (
	"testing"

	"github.com/critmin/critmin/solver"
)

// TestCompareRowsNameUnits (nu15 #11): every comparison row names its
// unit — money in the plan's currency, masses in tonnes — a contract's
// rows say "contract", and tonnes carry thousands separators: 68,227.2
// sold, not 68227.2; a fill of 0.5 is 50 under "(%)".
func TestCompareRowsNameUnits(t *testing.T) {
	p := &Plan{Scenario: "baseline", Status: solver.Optimal, Currency: "USD"}
	p.KPIs.Margin, p.KPIs.SoldT = 1234567, 68227.2
	p.KPIs.ContractUnmet = map[string]float64{"dla-sb2o3": 0}
	p.KPIs.ContractTonnes = map[string]float64{"dla-sb2o3": 1200}
	p.KPIs.ContractFill = map[string]float64{"dla-sb2o3": 0.5}
	got := map[string]string{}
	for _, r := range Compare([]*Plan{p}) {
		got[r.Name] = r.Values[0]
	}
	for name, want := range map[string]string{"margin (USD)": "1,234,567", "sold (t)": "68,227.2",
		"contract dla-sb2o3: delivered (t)": "1,200.0", "contract dla-sb2o3: fill of minimum (%)": "50"} {
		if got[name] != want {
			t.Errorf("%s = %q, want %q (rows %v)", name, got[name], want, got)
		}
	}
}
