package bench_test

import (
	"context"
	"io"
	"testing"

	"github.com/critmin/critmin/bench"
)

// TestGenealogyCapturesWhole: `critmin bench genealogy` captures its
// generated corridor through the custody service, every check included;
// before, its level-1 runs fed lots still at their mines and its upper
// runs took 5 t of 4 t lots, so every size failed with conflicts and
// stored nothing. At 200 events and 3 levels (a tree of 2³ = 8 mine lots
// per final lot): mines = ⌈200 / (3 + 1) / 8⌉ × 8 = 56 (7 trees); events
// = 56 × 3 (commission, bag, container) + 7 container loadings onto the
// voyage + shipping and receipt of the one voyage + 28 + 14 + 7 runs =
// 168 + 7 + 2 + 49 = 226; 7 final lots, each made from 8 mine lots.
func TestGenealogyCapturesWhole(t *testing.T) {
	res, err := bench.Genealogy(context.Background(), bench.Config{Events: 200, Dir: t.TempDir(), Queries: 7, Progress: io.Discard}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != 226 || res.FinalLots != 7 || res.ClosureLots != 8 {
		t.Errorf("genealogy: %d events, %d final lots, %d origin lots per final; want 226, 7, 8", res.Events, res.FinalLots, res.ClosureLots)
	}
}
