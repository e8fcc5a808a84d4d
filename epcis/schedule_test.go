package epcis_test

import (
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/epcis"
)

func TestScheduleNext(t *testing.T) {
	// 2025-03-05 is a Wednesday (ISO day 3).
	from := time.Date(2025, 3, 5, 10, 20, 30, 0, time.UTC)
	cases := []struct {
		name string
		s    critmin.Schedule
		want time.Time
	}{
		// The binding's example: every day at 01:05:00 (second defaults
		// to 0, being finer than minute); 10:20 is past, so tomorrow.
		{"daily 1.05", critmin.Schedule{Hour: "1", Minute: "5"}, time.Date(2025, 3, 6, 1, 5, 0, 0, time.UTC)},
		// Every 30 seconds from 0: 10:20:30 is excluded (strictly after), next 10:21:00.
		{"second 0/30", critmin.Schedule{Second: "0/30"}, time.Date(2025, 3, 5, 10, 21, 0, 0, time.UTC)},
		// A range of minutes at second 0: 10:25:00.
		{"minutes [25-27]", critmin.Schedule{Minute: "[25-27]"}, time.Date(2025, 3, 5, 10, 25, 0, 0, time.UTC)},
		// Mondays (ISO 1) at midnight: Monday 2025-03-10.
		{"monday", critmin.Schedule{DayOfWeek: "1"}, time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)},
		// The 1st of the month at 06:00: 2025-04-01.
		{"first of month", critmin.Schedule{DayOfMonth: "1", Hour: "6"}, time.Date(2025, 4, 1, 6, 0, 0, 0, time.UTC)},
		// Lists: hours 9 or 11 at minute 0 → 11:00 today.
		{"list", critmin.Schedule{Hour: "9,11", Minute: "0"}, time.Date(2025, 3, 5, 11, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		s, err := epcis.ParseSchedule(&c.s, "/schedule")
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, ok := s.Next(from)
		if !ok || !got.Equal(c.want) {
			t.Errorf("%s: next %v (%v), want %v", c.name, got, ok, c.want)
		}
	}
	// 31 February never comes: refused by ParseSchedule
	// (TestScheduleThatCannotFire).
	for _, bad := range []struct {
		s     critmin.Schedule
		field string
	}{
		{critmin.Schedule{}, "/schedule"},
		{critmin.Schedule{Hour: "24"}, "/schedule/hour"},
		{critmin.Schedule{Minute: "[30-10]"}, "/schedule/minute"},
		{critmin.Schedule{DayOfWeek: "0"}, "/schedule/dayOfWeek"},
		{critmin.Schedule{Second: "*/0"}, "/schedule/second"},
	} {
		_, err := epcis.ParseSchedule(&bad.s, "/schedule")
		f := critmin.ErrorFields(err)
		if len(f) != 1 || f[0].Pointer != bad.field {
			t.Errorf("%+v: got %v, want one error at %s", bad.s, err, bad.field)
		}
	}
}

// TestScheduleThatCannotFire: a schedule selecting no date (31 February,
// 30|31 of February, 31 of April|June) is refused at /schedule/dayOfMonth;
// 29 February fires (leap years) and so does 31 of April|May (May 31).
func TestScheduleThatCannotFire(t *testing.T) {
	for _, s := range []critmin.Schedule{{DayOfMonth: "31", Month: "2"}, {DayOfMonth: "30,31", Month: "2"}, {DayOfMonth: "31", Month: "4,6"}, {Hour: "1", DayOfMonth: "[30-31]", Month: "2", DayOfWeek: "1"}} {
		_, err := epcis.ParseSchedule(&s, "/schedule")
		f := critmin.ErrorFields(err)
		if len(f) != 1 || f[0].Pointer != "/schedule/dayOfMonth" {
			t.Errorf("%+v: got %v, want one error at /schedule/dayOfMonth", s, err)
		}
	}
	for _, s := range []critmin.Schedule{{DayOfMonth: "29", Month: "2"}, {DayOfMonth: "31", Month: "4,5"}, {DayOfMonth: "31"}} {
		if _, err := epcis.ParseSchedule(&s, "/schedule"); err != nil {
			t.Errorf("%+v: %v", s, err)
		}
	}
}
