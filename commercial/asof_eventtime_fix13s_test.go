package commercial_test

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin"
)

// TestAsOfSelectsByEventTime (fix13s item 4) pins the opening-record
// side of the as-of rule of the trade views (docs/trade.md, "As-of
// views: what was known then"): the events of a lot's opening record
// (recorded within a day of its first record: a history loaded at once)
// count as of the days they are dated. The T-NOTE lot's receipt is dated
// 2025-10-04 and recorded with the lot when the test runs (after
// 2025-10-05, as the test checks): as of 2025-10-05 the settlement counts
// it as the discharge weighing — a ledger back-filled from spreadsheets
// is seen as of the days its events happened — and as of 2025-10-03,
// before it was dated, it does not. An event recorded after the opening
// record counts only from its record time (TestAsOfKnowsOnlyWhatWasRecorded).
func TestAsOfSelectsByEventTime(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	lot := "urn:critmin:test:lot:ASOF-ET"
	receipt := noteLot(t, s, lot)
	page, err := s.Store.FindEvents(ctx, critmin.EventFilter{EventIDs: []string{receipt}, Limit: 1})
	if err != nil || len(page.Events) != 1 {
		t.Fatalf("receipt %s: %v", receipt, err)
	}
	if rec := page.Events[0].RecordTime; !rec.After(time.Date(2025, 10, 6, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("the receipt was recorded %s; the test needs it recorded after 2025-10-05 (late-recorded, back-dated)", rec)
	}
	v, _, err := s.ValueAsOf(ctx, "T-NOTE", lot, asOfDay(t, "2025-10-05"))
	if err != nil {
		t.Fatal(err)
	}
	if d := v.Facts.Discharge; d == nil || d.EventID != receipt {
		t.Errorf("as of 2025-10-05 the discharge weighing is %+v; want the receipt %s dated 2025-10-04, recorded later", d, receipt)
	}
	v, _, err = s.ValueAsOf(ctx, "T-NOTE", lot, asOfDay(t, "2025-10-03"))
	if err != nil {
		t.Fatal(err)
	}
	if d := v.Facts.Discharge; d != nil {
		t.Errorf("as of 2025-10-03 the discharge weighing is %+v; want none (the receipt is dated 2025-10-04)", d)
	}
}
