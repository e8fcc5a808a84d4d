package commercial

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// TestBestKnownSublotResultsUnsettled (issue 13, fix13z): an NSR column
// whose contract has exchange terms valued Ag at the loading assay while
// the columns of contracts without them read the newer sublot results.
// Lot: loaded 100 wmt at 10 % = 90 dmt, loading Ag 100 g/t, Cu 22 %.
// Sublots A 50 dmt and B 40 dmt (50 + 40 = 90), results of 2025-11-20:
//   - Ag: A seller 120, buyer 140; B seller 110, buyer 130 g/t. Under
//     umpire_final with limit 5 g/t, |120 − 140| = 20 > 5: the umpire is
//     awaited, nothing settles Ag. By the newest-assay rule sublot A is
//     (120 + 140) ÷ 2 = 130, B (110 + 130) ÷ 2 = 120, the lot
//     (50 × 130 + 40 × 120) ÷ 90 = 11 300 ÷ 90 = 125.5556 g/t.
//   - Cu: A 22.1 / 22.2, B 21.9 / 22.0 %, limit 0.2: A 22.15, B 21.95,
//     (50 × 22.15 + 40 × 21.95) ÷ 90 = (1107.5 + 878) ÷ 90 = 22.0611 %,
//     settled by the contract's own rule.
//
// Every column must read Ag at 125.5556, not at the loading 100.
func TestBestKnownSublotResultsUnsettled(t *testing.T) {
	d := decimal.RequireFromString
	t0 := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC)
	t1 := time.Date(2025, 11, 20, 10, 0, 0, 0, time.UTC)
	lf := &LotFacts{
		Lot:     "urn:critmin:test:lot:CU-13Z",
		Loading: Weighing{WMT: d("100"), MoisturePct: d("10"), Date: t0},
		Assays:  map[string]Grade{"Ag": {Value: d("100"), Unit: "g/t", at: t0}, "Cu": {Value: d("22"), Unit: "%", at: t0}},
		Sublots: []Sublot{{ID: "A", DMT: d("50")}, {ID: "B", DMT: d("40")}},
	}
	for _, r := range []struct{ sub, party, a, v, unit string }{
		{"A", Seller, "Ag", "120", "g/t"}, {"A", Buyer, "Ag", "140", "g/t"}, {"B", Seller, "Ag", "110", "g/t"}, {"B", Buyer, "Ag", "130", "g/t"},
		{"A", Seller, "Cu", "22.1", "%"}, {"A", Buyer, "Cu", "22.2", "%"}, {"B", Seller, "Cu", "21.9", "%"}, {"B", Buyer, "Cu", "22.0", "%"},
	} {
		lf.Results = append(lf.Results, AssayResult{Sublot: r.sub, Party: r.party, Analyte: r.a, Value: d(r.v), Unit: r.unit, EventID: r.sub + r.party, at: t1})
	}
	x := &AssayExchangeTerms{Rule: "umpire_final", Limits: []SplitLimit{{Analyte: "Cu", Limit: d("0.2"), Unit: "%"}, {Analyte: "Ag", Limit: d("5"), Unit: "g/t"}}}
	with, without := BestKnownGrades(lf, x), BestKnownGrades(lf, nil)
	for name, g := range map[string]map[string]Grade{"with exchange terms": with, "without": without} {
		if v := g["Ag"].Value; !v.Equal(d("125.5556")) {
			t.Errorf("%s: Ag = %s (%s), want 125.5556 g/t from the sublots' newest results", name, v, g["Ag"].Formula)
		}
	}
	if v := with["Cu"].Value; !v.Equal(d("22.0611")) {
		t.Errorf("with exchange terms: Cu = %s (%s), want the settled 22.0611 %%", v, with["Cu"].Formula)
	}
}
