package commercial

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// TestNewestGradesReadSublots (fix1213c item 4): without exchange terms a
// lot exchanged by sublots is valued on each sublot's own newest result,
// else on the lot's (its parent's) grade, weighted by dry weight.
//
// Lot assay (loading, 1 Oct) Cu 22 %. Sublot A 10 dmt: the seller's 21 %
// (5 Oct), then the seller's 20 % and the buyer's 21 % at one instant
// (6 Oct): A's newest is their mean, 20.5 %. Sublot B 15 dmt: no result,
// so the lot's 22 %. Lot Cu = (10 × 20.5 + 15 × 22) ÷ 25 = (205 + 330) ÷
// 25 = 535 ÷ 25 = 21.4 %.
//
// Au: sublot A's 4 g/t of 5 Oct is older than a whole-lot assay of 7 Oct
// at 5 g/t, so A stands on the lot's 5 g/t as B does: no sublot's own
// result stands and the lot's 5 g/t is kept as it is.
//
// Ag: no lot grade; sublot A has 30 g/t, B nothing: B has no grade, so
// no lot grade is made from A alone (Ag stays absent).
func TestNewestGradesReadSublots(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2025, 10, d, 0, 0, 0, 0, time.UTC) }
	dec := decimal.RequireFromString
	lf := &LotFacts{
		Assays: map[string]Grade{"Cu": {Value: dec("22"), Unit: "%", at: day(1)}},
		Latest: map[string]Grade{"Au": {Value: dec("5"), Unit: "g/t", at: day(7)}},
		Sublots: []Sublot{
			{ID: "A", DMT: dec("10")},
			{ID: "B", DMT: dec("15")},
		},
		Results: []AssayResult{
			{Party: "seller", Analyte: "Cu", Sublot: "A", Value: dec("21"), Unit: "%", EventID: "e1", at: day(5)},
			{Party: "seller", Analyte: "Cu", Sublot: "A", Value: dec("20"), Unit: "%", EventID: "e2", at: day(6)},
			{Party: "buyer", Analyte: "Cu", Sublot: "A", Value: dec("21"), Unit: "%", EventID: "e3", at: day(6)},
			{Party: "seller", Analyte: "Au", Sublot: "A", Value: dec("4"), Unit: "g/t", EventID: "e4", at: day(5)},
			{Party: "seller", Analyte: "Ag", Sublot: "A", Value: dec("30"), Unit: "g/t", EventID: "e5", at: day(5)},
		},
	}
	g, _ := newestGrades(lf)
	if cu := g["Cu"]; !cu.Value.Equal(dec("21.4")) || cu.Unit != "%" {
		t.Errorf("Cu = %s %s, want 21.4 %%", cu.Value, cu.Unit)
	} else if !strings.Contains(cu.Formula, "sublot A 10 dmt") || !strings.Contains(cu.Formula, "sublot B 15 dmt × the lot's 22 %") {
		t.Errorf("Cu formula %q does not show both sublots", cu.Formula)
	}
	if au := g["Au"]; !au.Value.Equal(dec("5")) {
		t.Errorf("Au = %s, want the lot's newer 5 g/t", au.Value)
	}
	if ag, ok := g["Ag"]; ok {
		t.Errorf("Ag = %s from sublot A alone, want no grade", ag.Value)
	}
}
