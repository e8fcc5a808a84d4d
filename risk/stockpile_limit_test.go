package risk_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/risk"
)

// TestStockpileWorkBounded: a stockpile request's draws × years × end
// uses is bounded (risk.MaxStockpileWork), so the documented maxima of
// each (100,000 draws, 50 years, 100 end uses: 5×10⁸ end-use-years, 67 s
// of CPU) are refused up front with a 400 naming draws and the largest
// draw count that fits, before any computation — the context here is
// already cancelled, so a request that started computing would answer
// with the context's error instead.
func TestStockpileWorkBounded(t *testing.T) {
	in, err := risk.ExampleStockpile("antimony")
	if err != nil {
		t.Fatal(err)
	}
	for len(in.Demand) < risk.MaxEndUses {
		in.Demand = append(in.Demand, in.Demand[0])
	}
	in.Years, in.DisruptedYears, in.Draws = 50, 1, 100000
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = risk.StockpileContext(ctx, in)
	fields := critmin.ErrorFields(err)
	// 25,000,000 / 50 years / 100 end uses = 5,000 draws at most; every
	// figure reads grouped (issue 15, fix15za: "100000 draws × … is
	// 500000000 end-use-years, over the limit of 25000000"): 100,000 ×
	// 50 × 100 = 500,000,000.
	want := "100,000 draws × 50 years × 100 end uses is 500,000,000 end-use-years, over the limit of 25,000,000 per request: use fewer draws (at most 5,000 here)"
	if critmin.ErrorCode(err) != critmin.EINVALID || len(fields) != 1 || fields[0].Pointer != "draws" || fields[0].Reason != want {
		t.Fatalf("5×10⁸ end-use-years: %v %+v; want EINVALID on draws: %q", err, fields, want)
	}
	// At the bound (5,000 × 50 × 100 = 2.5×10⁷) the input is valid: the
	// cancelled context is what stops it.
	in.Draws = 5000
	if _, err := risk.StockpileContext(ctx, in); critmin.ErrorCode(err) == critmin.EINVALID {
		t.Errorf("input at the bound refused: %v", err)
	}
}
