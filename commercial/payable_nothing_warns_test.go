package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
)

// Issue 13, new-user check (fix13k, 6): off-spec warnings fired only when
// the whole lot was worth ≤ 0, so a payable that pays nothing in a lot
// worth something was dropped silently. The lot (bookLot): 100 000 kg at
// 8 % = 92 dmt, Cu 24 %, Au 4 g/t.
//   - T-AU5: Au min_grade 5 g/t; 4 < 5, Au pays nothing. Cu still pays
//     min(96.5 % × 24 = 23.16, 24 − 1 = 23) = 23 %, so the lot is worth
//     something and the warning says "Au pays nothing".
//   - T-CU30: Cu min_deduction 30 %, which contract add accepts; 24 − 30
//     < 0, Cu pays nothing. Au pays min(90 % × 4 = 3.6, 4 − 1 = 3) = 3
//     g/t; the warning says "Cu pays nothing" whatever the lot's value.
func TestPayablePayingNothingWarns(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	termsFrom(t, s, "demo/cu-2025.json", "T-AU5", func(m map[string]any) {
		delete(m, "assay_exchange")
		m["payables"].([]any)[1].(map[string]any)["min_grade"] = 5
	})
	termsFrom(t, s, "demo/cu-2025.json", "T-CU30", func(m map[string]any) {
		delete(m, "assay_exchange")
		m["payables"].([]any)[0].(map[string]any)["min_deduction"] = 30
	})
	lot := "urn:critmin:test:lot:NOTHING-A"
	bookLot(t, s, lot, 41, 100000)
	for c, want := range map[string]string{
		"T-AU5":  "Au pays nothing: Au 4 g/t is below the minimum payable grade (min_grade) 5 g/t",
		"T-CU30": "Cu pays nothing: Cu 24 % is at or below the minimum deduction (min_deduction) 30 %",
	} {
		v, _, err := s.Value(ctx, c, lot)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(strings.Join(v.Provisional.Warnings, "\n"), want) || !strings.Contains(strings.Join(v.Warnings, "\n"), want) {
			t.Errorf("%s settlement (value %s): warnings %q, want %q", c, v.Provisional.Value, v.Provisional.Warnings, want)
		}
	}
	eq(t, "T-AU5 Cu payable g/dmt", mustValue(t, s, "T-AU5", lot).Provisional.Payable["Cu"], "230000")
	eq(t, "T-CU30 Au payable g/dmt", mustValue(t, s, "T-CU30", lot).Provisional.Payable["Au"], "3")
	inv, err := s.IssueAt(ctx, "T-AU5", lot, commercial.Provisional, time.Date(2025, 9, 5, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if !inv.Total.IsPositive() || !strings.Contains(strings.Join(inv.Warnings, "\n"), "Au pays nothing") || !strings.Contains(inv.Warning(), "Au pays nothing") {
		t.Errorf("invoice %s (total %s): warnings %q, want Au pays nothing", inv.ID, inv.Total, inv.Warnings)
	}
}

func mustValue(t *testing.T, s *commercial.Service, contract, lot string) *commercial.Valuation {
	t.Helper()
	v, _, err := s.Value(context.Background(), contract, lot)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
