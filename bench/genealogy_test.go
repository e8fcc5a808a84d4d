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
// per final lot): mines = ⌈⌊200 / (2 + 1)⌋ / 8⌉ × 8 = ⌈66 / 8⌉ × 8 = 72
// (9 trees); events = 72 × 2 (commission, packing into its container) +
// shipping and receipt of the one voyage + 36 + 18 + 9 runs = 144 + 2 +
// 63 = 209; 9 final lots, each made from 8 mine lots.
func TestGenealogyCapturesWhole(t *testing.T) {
	res, err := bench.Genealogy(context.Background(), bench.Config{Events: 200, Dir: t.TempDir(), Queries: 7, Progress: io.Discard}, 3)
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != 209 || res.FinalLots != 9 || res.ClosureLots != 8 {
		t.Errorf("genealogy: %d events, %d final lots, %d origin lots per final; want 209, 9, 8", res.Events, res.FinalLots, res.ClosureLots)
	}
}
