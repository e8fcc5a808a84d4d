package notify_test

import (
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/notify"
)

// TestApplySubscriptionInitialRecordTime: a run takes events recorded at
// or after the earlier of initialRecordTime and the subscription's
// creation (the REST binding: initialRecordTime "only applies the first
// time a subscriber receives events"). Created 2026-01-01: a past
// initialRecordTime (2025-01-01) is the bound as given; a future one
// (2099-01-01) is bounded by the creation, 2026-01-01, so events captured
// after subscribing are sent; none keeps no bound.
func TestApplySubscriptionInitialRecordTime(t *testing.T) {
	day := func(s string) *time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return &d
	}
	created := *day("2026-01-01")
	for _, c := range []struct {
		irt, want *time.Time
	}{
		{day("2025-01-01"), day("2025-01-01")},
		{day("2099-01-01"), day("2026-01-01")},
		{day("2026-01-01"), day("2026-01-01")},
		{nil, nil},
	} {
		var f critmin.EventFilter
		notify.ApplySubscription(&f, &critmin.Subscription{InitialRecordTime: c.irt, CreatedAt: created, LastSeq: 7}, 9)
		switch {
		case f.AfterSeq != 7 || f.UpToSeq != 9:
			t.Errorf("irt %v: seq window (%d, %d], want (7, 9]", c.irt, f.AfterSeq, f.UpToSeq)
		case c.want == nil && f.GERecordTime != nil:
			t.Errorf("no irt: GERecordTime %v, want none", f.GERecordTime)
		case c.want != nil && (f.GERecordTime == nil || !f.GERecordTime.Equal(*c.want)):
			t.Errorf("irt %v: GERecordTime %v, want %v", c.irt, f.GERecordTime, c.want)
		}
	}
}
