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

// TestCompareShortfallNotRounded (new-user check of ndpr-price-drop): a
// contract 0.0499 t below its minimum with a fill of 0.99869 is not met,
// so the comparison never says "0.0" t below or "100" % filled: 0.0499 t
// rounds to 0.0 at one decimal and prints "< 0.1"; 99.869 % prints
// "99.9"; a fill of 0.99996 (99.996 %, rounding to 100.0) prints "> 99.9".
func TestCompareShortfallNotRounded(t *testing.T) {
	for _, c := range []struct {
		unmet, fill        float64
		wantUnmet, wantPct string
	}{{0.0499, 0.99869, "< 0.1", "99.9"}, {0.002, 0.99996, "< 0.1", "> 99.9"}, {0, 1, "0.0", "100"}} {
		p := &Plan{Scenario: "ndpr-price-drop", Status: solver.Optimal, Currency: "USD"}
		p.KPIs.ContractUnmet = map[string]float64{"magnet-ndpr": c.unmet}
		p.KPIs.ContractTonnes = map[string]float64{"magnet-ndpr": 37.45}
		p.KPIs.ContractFill = map[string]float64{"magnet-ndpr": c.fill}
		got := map[string]string{}
		for _, r := range Compare([]*Plan{p}) {
			got[r.Name] = r.Values[0]
		}
		if g := got["contract magnet-ndpr: below minimum (t)"]; g != c.wantUnmet {
			t.Errorf("unmet %v: below minimum = %q, want %q", c.unmet, g, c.wantUnmet)
		}
		if g := got["contract magnet-ndpr: fill of minimum (%)"]; g != c.wantPct {
			t.Errorf("fill %v: fill of minimum = %q, want %q", c.fill, g, c.wantPct)
		}
	}
}
