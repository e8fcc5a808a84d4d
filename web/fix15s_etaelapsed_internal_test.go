package web

import (
	"strings"
	"testing"
	"time"
)

// TestOverdueNoteSaysHoursUnderADay (issue 15, fix15s, cosmetic): an ETA
// that passed about 20 hours before read "passed 0 days ago" (whole days
// elapsed, rounded down). The time since the ETA is said in the largest
// unit it holds whole: 20 h → "20 hours", 1 h 30 min → "1 hour", 45 min
// → "45 minutes", 3 days 2 h → "3 days", 1 day → "1 day".
func TestOverdueNoteSaysHoursUnderADay(t *testing.T) {
	eta := time.Date(2025, 11, 20, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		since time.Duration
		want  string
	}{
		{20 * time.Hour, "passed 20 hours ago"},
		{90 * time.Minute, "passed 1 hour ago"},
		{45 * time.Minute, "passed 45 minutes ago"},
		{74 * time.Hour, "passed 3 days ago"},
		{24 * time.Hour, "passed 1 day ago"},
	} {
		if got := overdueNote(eta.Add(-30*24*time.Hour), &eta, eta.Add(c.since)); !strings.Contains(got, c.want) {
			t.Errorf("%v after the ETA: %q, want %q", c.since, got, c.want)
		}
	}
}
