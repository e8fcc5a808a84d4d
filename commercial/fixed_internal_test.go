package commercial

import (
	"slices"
	"testing"
	"time"
)

// 0.07 × 100 is 7.000000000000001 in float64; in decimal it is 7. The
// same for 0.029 (2.9, float 2.9000000000000004) and 0.0833 (8.33).
func TestPercentOfIsExact(t *testing.T) {
	for f, want := range map[float64]string{0.07: "7", 0.029: "2.9", 0.0833: "8.33", 0.1: "10"} {
		if got := percentOf(f).String(); got != want {
			t.Errorf("percentOf(%v) = %s, want %s", f, got, want)
		}
	}
}

// TestFixingDays: an agency series with assessments on Thu 2 and 9 Oct
// 2025 and nothing stored after fixes October on 2, 9 and, the weekly
// cadence continued, 16, 23 and 30 Oct: 5 days. A daily series that marks
// Fri 3 Oct as not published fixes on October's 23 weekdays less that
// one: 22. A basket of the two fixes on their union (22 + 2 Thursdays
// already among the weekdays = 22); an unknown series on the 23 weekdays.
func TestFixingDays(t *testing.T) {
	from, to := time.Date(2025, 10, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 10, 31, 0, 0, 0, 0, time.UTC)
	agency := &PriceSeries{Frequency: "irregular", Points: []PricePoint{{Date: "2025-10-02", Published: true}, {Date: "2025-10-09", Published: true}}}
	got := fixingDays([]*PriceSeries{agency}, from, to)
	if want := []string{"2025-10-02", "2025-10-09", "2025-10-16", "2025-10-23", "2025-10-30"}; !slices.Equal(got, want) {
		t.Errorf("agency fixing days %v; want %v", got, want)
	}
	daily := &PriceSeries{Frequency: "daily", Points: []PricePoint{{Date: "2025-10-02", Published: true}, {Date: "2025-10-03"}}}
	if got := fixingDays([]*PriceSeries{daily}, from, to); len(got) != 22 || slices.Contains(got, "2025-10-03") {
		t.Errorf("daily fixing days %d %v; want 22 weekdays without 3 Oct", len(got), got)
	}
	if got := fixingDays([]*PriceSeries{daily, agency}, from, to); len(got) != 22 {
		t.Errorf("basket fixing days %d; want 22", len(got))
	}
	if got := fixingDays([]*PriceSeries{nil}, from, to); len(got) != 23 {
		t.Errorf("unknown series fixing days %d; want 23 weekdays", len(got))
	}
}
