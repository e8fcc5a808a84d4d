package commercial

import (
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// fixingDays (issue 13 new-user check, item 3): the days a quotational
// period's average counts.
//   - A daily series over 1–10 Dec 2025 (8 weekdays: 1–5, 8–10) with 8 Dec
//     stored as not published (a holiday): 7 fixing days, 8 Dec not one;
//     the stored days end on the 5th, so 9 and 10 Dec are still expected.
//   - A weekly agency series assessed 2 and 9 Dec, QP December: past its
//     last assessment the next ones are projected at its 7-day interval,
//     16, 23 and 30 Dec: 5 fixings, not 23 weekdays.
//   - A series with one assessment has no interval: the weekdays after it.
func TestFixingDays(t *testing.T) {
	day := func(s string) time.Time { d, _ := time.Parse(time.DateOnly, s); return d }
	p := func(date string, published bool) PricePoint {
		return PricePoint{Date: date, Value: decimal.NewFromInt(1), Published: published}
	}
	daily := &PriceSeries{Frequency: Daily, Points: []PricePoint{p("2025-12-01", true), p("2025-12-02", true), p("2025-12-03", true), p("2025-12-04", true), p("2025-12-05", true), p("2025-12-08", false)}}
	if got := strings.Join(fixingDays(daily, day("2025-12-01"), day("2025-12-10")), " "); got != "2025-12-01 2025-12-02 2025-12-03 2025-12-04 2025-12-05 2025-12-09 2025-12-10" {
		t.Errorf("daily with a holiday: %s", got)
	}
	weekly := &PriceSeries{Frequency: Irregular, Points: []PricePoint{p("2025-11-25", true), p("2025-12-02", true), p("2025-12-09", true)}}
	if got := strings.Join(fixingDays(weekly, day("2025-12-01"), day("2025-12-31")), " "); got != "2025-12-02 2025-12-09 2025-12-16 2025-12-23 2025-12-30" {
		t.Errorf("weekly, projected: %s", got)
	}
	one := &PriceSeries{Frequency: Irregular, Points: []PricePoint{p("2025-12-29", true)}}
	if got := strings.Join(fixingDays(one, day("2025-12-29"), day("2025-12-31")), " "); got != "2025-12-29 2025-12-30 2025-12-31" {
		t.Errorf("one assessment: %s", got)
	}
	// Spread: 10 kg over the 7 daily fixings, priced by 4 Dec: 10 ÷ 7 =
	// 1.428571… → 1.429 a day, the last 10 − 6 × 1.429 = 1.426; priced 4 ×
	// 1.429 = 5.716, unpriced 1.429 × 2 + 1.426 = 4.284.
	days := map[[2]string]*ExposureDay{}
	spread(days, "Cu", decimal.NewFromInt(10), fixingDays(daily, day("2025-12-01"), day("2025-12-10")), "2025-12-10", "2025-12-04", daily)
	priced, unpriced := decimal.Zero, decimal.Zero
	for _, d := range days {
		priced, unpriced = priced.Add(d.PricedKg), unpriced.Add(d.UnpricedKg)
	}
	if priced.String() != "5.716" || unpriced.String() != "4.284" || days[[2]string{"2025-12-08", "Cu"}] != nil {
		t.Errorf("spread: priced %s unpriced %s, holiday %v", priced, unpriced, days[[2]string{"2025-12-08", "Cu"}])
	}
}
