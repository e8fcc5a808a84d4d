package commercial

import (
	"testing"

	"github.com/shopspring/decimal"
)

// A basket lot whose exchange has settled is valued on the settled
// grades, as its final invoice is (second check of issue 13, nu13d item
// 1). Lot: commissioning sample (event 026) TREO 45.5 %, Nd2O3 5.2 %,
// Pr6O11 1.9 %. Exchange under umpire_final with limits TREO 0.5,
// Nd2O3 0.2, Pr6O11 0.1: seller 45.4 / 5.2 / 1.9, buyer 44.5 / 5.1 / 1.85,
// umpire TREO 44.9.
//   - TREO: |45.4 − 44.5| = 0.9 > 0.5 → umpire final, 44.9;
//   - Nd2O3: |5.2 − 5.1| = 0.1 ≤ 0.2 → split, (5.2 + 5.1) ÷ 2 = 5.15;
//   - Pr6O11: |1.9 − 1.85| = 0.05 ≤ 0.1 → split, 1.875.
//
// The three settled grades come from different events (umpire; seller
// and buyer), yet oneSample must keep them rather than fall back to the
// commissioning sample's 45.5 / 5.2 / 1.9.
func TestExchangedBasketGradesStand(t *testing.T) {
	d := decimal.RequireFromString
	pct := func(v string, ev string) Grade { return Grade{Value: d(v), Unit: "%", Events: []string{ev}} }
	lf := &LotFacts{
		Lot:    "urn:critmin:demo:lot:REE-2025-003",
		Assays: map[string]Grade{"TREO": pct("45.5", "e026"), "Nd2O3": pct("5.2", "e026"), "Pr6O11": pct("1.9", "e026")},
		Samples: []AssaySample{{EventID: "e026", AtLoading: true,
			Grades: map[string]Grade{"TREO": pct("45.5", "e026"), "Nd2O3": pct("5.2", "e026"), "Pr6O11": pct("1.9", "e026")}}},
	}
	for _, r := range []struct{ party, analyte, value, ev string }{
		{Seller, "TREO", "45.4", "s"}, {Seller, "Nd2O3", "5.2", "s"}, {Seller, "Pr6O11", "1.9", "s"},
		{Buyer, "TREO", "44.5", "b"}, {Buyer, "Nd2O3", "5.1", "b"}, {Buyer, "Pr6O11", "1.85", "b"},
		{Umpire, "TREO", "44.9", "u"},
	} {
		lf.Results = append(lf.Results, AssayResult{Party: r.party, Analyte: r.analyte, Value: d(r.value), Unit: "%", EventID: r.ev})
	}
	x := &AssayExchangeTerms{Rule: "umpire_final", Limits: []SplitLimit{
		{Analyte: "TREO", Limit: d("0.5"), Unit: "%"}, {Analyte: "Nd2O3", Limit: d("0.2"), Unit: "%"}, {Analyte: "Pr6O11", Limit: d("0.1"), Unit: "%"}}}
	g := BestKnownGrades(lf, x)
	b := &Basket{Basis: "TREO", Oxides: []BasketOxide{{Oxide: "Nd2O3"}, {Oxide: "Pr6O11"}}}
	if err := oneSample(b, g, lf.Samples, false, lf.Lot); err != nil {
		t.Fatal(err)
	}
	for a, want := range map[string]string{"TREO": "44.9", "Nd2O3": "5.15", "Pr6O11": "1.875"} {
		if !g[a].Value.Equal(d(want)) {
			t.Errorf("%s = %s %s, want the settled %s", a, g[a].Value, g[a].Formula, want)
		}
	}
	// Without an exchange the grades from different events still give
	// way to one sample (the one-lot-one-sample rule stands).
	mixed := map[string]Grade{"TREO": pct("44.6", "e021"), "Nd2O3": pct("5.3", "e005"), "Pr6O11": pct("1.95", "e005")}
	if err := oneSample(b, mixed, lf.Samples, false, lf.Lot); err != nil {
		t.Fatal(err)
	}
	if !mixed["TREO"].Value.Equal(d("45.5")) || !mixed["Nd2O3"].Value.Equal(d("5.2")) {
		t.Errorf("unexchanged mixed grades = %v, want the one sample e026", mixed)
	}
}
