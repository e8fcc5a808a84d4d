package commercial_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
)

// Issue 13, new-user check (fix13k, 5): `trade agreement --as-of
// 2030-01-01` was accepted and called milestones due 2026-12-31 and
// 2028-06-30 overdue, though they lie ahead of today. A report as of a
// day after today is refused, naming as_of (--as-of) and today's date,
// by every trade report taking an as-of day: the agreement's progress,
// the exposure and the NSR comparison. Today itself is accepted.
func TestAsOfAfterTodayIsRefused(t *testing.T) {
	s := MustDemo(t) // today: 2025-12-01
	ctx := context.Background()
	later := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	check := func(what string, err error) {
		t.Helper()
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "as_of") || !strings.Contains(err.Error(), "--as-of") ||
			!strings.Contains(err.Error(), "after today, 2025-12-01") {
			t.Errorf("%s as of 2030-01-01: %v; want EINVALID naming as_of and today", what, err)
		}
	}
	_, err := s.Progress(ctx, commercial.DemoAgreement, later)
	check("agreement", err)
	_, err = s.Exposure(ctx, later, "")
	check("exposure", err)
	_, err = s.NSRFor(ctx, "", commercial.DemoCopperLot, "", later, 10)
	check("nsr", err)
	today := time.Date(2025, 12, 1, 18, 0, 0, 0, time.UTC)
	if _, err := s.Progress(ctx, commercial.DemoAgreement, today); err != nil {
		t.Errorf("agreement as of today: %v", err)
	}
}
