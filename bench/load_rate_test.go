package bench_test

import (
	"testing"
	"time"

	"github.com/critmin/critmin/bench"
)

// TestHighestRateUnder: the highest open-loop rate whose query p99 is
// under the limit with no error. Worked: rates 50 (p99 12 ms), 100
// (31 ms), 150 (49.9 ms, but 1 error), 200 (50 ms, not under), and a
// closed-loop run (rate 0, 3 ms) → 100; the 150 run is out for its error,
// 200 for p99 = limit, the closed loop for being no rate.
func TestHighestRateUnder(t *testing.T) {
	ms := func(f float64) time.Duration { return time.Duration(f * float64(time.Millisecond)) }
	runs := []*bench.LoadResult{
		{Rate: 50, QueryP99: ms(12)},
		{Rate: 200, QueryP99: ms(50)},
		{Rate: 150, QueryP99: ms(49.9), Errors: 1},
		{Rate: 100, QueryP99: ms(31)},
		{Rate: 0, QueryP99: ms(3)},
	}
	if got, ok := bench.HighestRateUnder(runs, ms(50)); !ok || got != 100 {
		t.Errorf("HighestRateUnder = %v, %v; want 100, true", got, ok)
	}
	if got, ok := bench.HighestRateUnder(runs[1:3], ms(50)); ok {
		t.Errorf("HighestRateUnder of runs all over the limit or failing = %v, true; want none", got)
	}
}
