package commercial

import (
	"time"

	"testing"

	"github.com/shopspring/decimal"
)

// Item 5 of the second new-user check: exposure days the series has not
// published are unpriced, even before today. A daily series published 1–5
// Dec, 8 Dec a holiday, nothing since; as of 10 Dec, 10 kg over the 7
// fixings 1–5, 9, 10 Dec: 10 ÷ 7 → 1.429 a day, the last 1.426. Priced the
// five published days, 5 × 1.429 = 7.145; unpriced 9 and 10 Dec, 1.429 +
// 1.426 = 2.855 (all 10 kg were priced before).
func TestExposureUnpublishedDaysUnpriced(t *testing.T) {
	p := func(date string, published bool) PricePoint {
		return PricePoint{Date: date, Value: decimal.NewFromInt(1), Published: published}
	}
	daily := &PriceSeries{Frequency: Daily, Points: []PricePoint{p("2025-12-01", true), p("2025-12-02", true), p("2025-12-03", true), p("2025-12-04", true), p("2025-12-05", true), p("2025-12-08", false)}}
	days := map[[2]string]*ExposureDay{}
	spread(days, "Cu", decimal.NewFromInt(10), fixingDays(daily, mustDay("2025-12-01"), mustDay("2025-12-10")), "2025-12-10", "2025-12-10", daily)
	priced, unpriced := decimal.Zero, decimal.Zero
	for _, d := range days {
		priced, unpriced = priced.Add(d.PricedKg), unpriced.Add(d.UnpricedKg)
	}
	if priced.String() != "7.145" || unpriced.String() != "2.855" {
		t.Errorf("priced %s unpriced %s, want 7.145 and 2.855", priced, unpriced)
	}
}

func mustDay(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}
