package commercial_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
)

// A lot invoiced under one contract valued under another (a copy of the
// demo copper contract, T-CU-WHATIF) is a what-if: the valuation names
// the contract it is invoiced under, says its figures are hypothetical,
// and keeps them (so a reader can compare), never silently.
func TestSettlementUnderOtherContractIsWhatIf(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	b, err := os.ReadFile("demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveContract(ctx, []byte(strings.Replace(string(b), `"FWO-USSM-CU-2025"`, `"T-CU-WHATIF"`, 1))); err != nil {
		t.Fatal(err)
	}
	v, _, err := s.Value(ctx, "T-CU-WHATIF", commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	if !v.WhatIf || v.InvoicedUnder != "FWO-USSM-CU-2025" {
		t.Fatalf("what_if %v invoiced_under %q, want true and FWO-USSM-CU-2025", v.WhatIf, v.InvoicedUnder)
	}
	if len(v.Warnings) == 0 || !strings.Contains(v.Warnings[0], "invoiced under contract FWO-USSM-CU-2025") || !strings.Contains(v.Warnings[0], "what-if under T-CU-WHATIF") {
		t.Errorf("warnings %q, want the contract it is invoiced under and what-if", v.Warnings)
	}
	if !strings.HasPrefix(v.Figures, "what-if under T-CU-WHATIF") {
		t.Errorf("figures %q, want what-if under T-CU-WHATIF", v.Figures)
	}
	// Under its own contract the lot is no what-if.
	own, _, err := s.Value(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	if own.WhatIf || own.InvoicedUnder != "" {
		t.Errorf("own contract: what_if %v invoiced_under %q", own.WhatIf, own.InvoicedUnder)
	}
}

// The valuation's JSON says which settlement its headline figures come
// from: "final" once the final settlement computes (the demo copper lot
// has its final invoice), else "provisional"; warnings is a list, never
// null.
func TestSettlementJSONStatesBasis(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	v, _, err := s.Value(ctx, "FWO-USSM-CU-2025", commercial.DemoCopperLot)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	b, _ := json.Marshal(v)
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["basis"] != "final" {
		t.Errorf("basis %v, want final", got["basis"])
	}
	if _, ok := got["warnings"].([]any); !ok {
		t.Errorf("warnings %v, want a list", got["warnings"])
	}
}
