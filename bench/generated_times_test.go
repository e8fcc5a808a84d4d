package bench

import (
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestGeneratedTimesStayInThePast: capture refuses an event time more
// than critmin.MaxClockSkew ahead of the clock, so a benchmark store of
// 1,000,000 generated events must end in the past. Each event steps
// 30–119 s: 20,000 events drawn here never step outside that, and
// 1,000,000 × 119 s = 119,000,000 s ≈ 3.77 years from GeneratedFrom
// (2021-01-01) is 2024-10-09 at the latest. Started at 2025-01-01 the
// bound was 2028-10, and at an average of 75 s the run passed the
// session's date (2026-12) after about 700,000 events: the verify
// benchmark of 1,000,000 events was refused while loading.
func TestGeneratedTimesStayInThePast(t *testing.T) {
	g := NewGenerator(11)
	prev := GeneratedFrom
	for i := 0; i < 20000; i++ {
		e := g.ev("ObjectEvent")
		at, err := time.Parse("2006-01-02T15:04:05.000Z07:00", e["eventTime"].(string))
		if err != nil {
			t.Fatal(err)
		}
		if step := at.Sub(prev); step < 30*time.Second || step > 119*time.Second {
			t.Fatalf("event %d steps %v after the one before; want 30–119 s", i+1, step)
		}
		prev = at
	}
	last := GeneratedFrom.Add(1_000_000 * 119 * time.Second)
	if !last.Before(time.Now().Add(-critmin.MaxClockSkew)) {
		t.Errorf("1,000,000 generated events may end at %v, in the future", last)
	}
}
