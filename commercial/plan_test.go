package commercial_test

import (
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
	"github.com/shopspring/decimal"
)

// A planning contract that names the worked copper term sheet is priced at
// the NSR of its reference grade (Cu 23.75 %, Au 4.05 g/t, Ag 49 g/t,
// As 0.34 %) at Cu 9800, Au 2000, Ag 25: 2338.9961 USD per dmt (see
// TestNetValuePerTonne), not at its flat price of 5000.
func TestApplyTerms(t *testing.T) {
	ts := MustTerms(t, mustFile(t, "testdata/cu-conc.json"))
	n := &plan.Network{Contracts: []plan.Contract{
		{ID: "flat", PricePerT: 5000},
		{ID: "termed", PricePerT: 5000, Terms: "TEST-CU-1", TermsGrade: map[string]float64{"Cu": 0.2375, "Au": 0.00000405, "Ag": 0.000049, "As": 0.0034}},
	}}
	spot := map[string]decimal.Decimal{"CU": d("9800"), "AU": d("2000"), "AG": d("25")}
	priced, err := commercial.ApplyTerms(n, map[string]*commercial.TermSheet{"TEST-CU-1": ts}, spot)
	if err != nil {
		t.Fatal(err)
	}
	if len(priced) != 1 || n.Contracts[0].PricePerT != 5000 || n.Contracts[1].PricePerT != 2338.9961 {
		t.Errorf("priced %v: flat %v, termed %v; want 5000 and 2338.9961", priced, n.Contracts[0].PricePerT, n.Contracts[1].PricePerT)
	}
	n.Contracts[1].TermsGrade = map[string]float64{"Cu": 0.2375}
	if _, err := commercial.ApplyTerms(n, map[string]*commercial.TermSheet{"TEST-CU-1": ts}, spot); !hasField(err, "contracts[1].terms") {
		t.Errorf("missing grade: err = %v", err)
	}
}
