package risk_test

import (
	"context"
	"strings"
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
	// 25,000,000 / 50 years / 100 end uses = 5,000 draws at most.
	if critmin.ErrorCode(err) != critmin.EINVALID || len(fields) != 1 || fields[0].Pointer != "draws" || !strings.Contains(fields[0].Reason, "at most 5000") {
		t.Fatalf("5×10⁸ end-use-years: %v %+v; want EINVALID on draws", err, fields)
	}
	// At the bound (5,000 × 50 × 100 = 2.5×10⁷) the input is valid: the
	// cancelled context is what stops it.
	in.Draws = 5000
	if _, err := risk.StockpileContext(ctx, in); critmin.ErrorCode(err) == critmin.EINVALID {
		t.Errorf("input at the bound refused: %v", err)
	}
}
