package epcis

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
)

// Schedule is a parsed subscription schedule (EPCIS 2.0 §8.2.5.3 and the
// REST binding's QueryScheduleSubscription / query-schedule.json): six
// cron-like fields, each a comma-separated list of elements — a number,
// a range "[low-high]" (or "low-high"), "*" for any, and "*/step" or
// "start/step" for every step-th value from start. Times are UTC.
//
// A field left out means "any value" when it is coarser than the finest
// field given and its minimum when finer, so {"hour": "1", "minute": "5"}
// runs once a day at 01:05:00, as the binding's example says ("every
// morning at 1.05am"), and {"second": "0/30"} twice a minute.
type Schedule struct {
	fields [6]fieldSet // second, minute, hour, dayOfMonth, month, dayOfWeek
}

type fieldSet map[int]bool // nil: any value

var scheduleFields = []struct {
	name     string
	min, max int
}{{"second", 0, 59}, {"minute", 0, 59}, {"hour", 0, 23}, {"dayOfMonth", 1, 31}, {"month", 1, 12}, {"dayOfWeek", 1, 7}}

// ParseSchedule checks a schedule and returns it parsed; each bad field
// is an error naming it (pointer prefix + field name).
func ParseSchedule(s *critmin.Schedule, pointer string) (*Schedule, error) {
	raw := [6]string{s.Second, s.Minute, s.Hour, s.DayOfMonth, s.Month, s.DayOfWeek}
	out := &Schedule{}
	var errs []critmin.FieldError
	finest := -1
	for i, v := range raw {
		if strings.TrimSpace(v) != "" && finest < 0 {
			finest = i
		}
	}
	if finest < 0 {
		return nil, critmin.FieldErrorf(pointer, "a schedule needs at least one of second, minute, hour, dayOfMonth, month, dayOfWeek")
	}
	for i, v := range raw {
		f := scheduleFields[i]
		v = strings.TrimSpace(v)
		if v == "" {
			if i < finest && i <= 2 {
				out.fields[i] = fieldSet{f.min: true} // finer than given: its minimum
			}
			continue
		}
		set, err := parseField(v, f.min, f.max)
		if err != nil {
			errs = append(errs, critmin.FieldError{Pointer: pointer + "/" + f.name, Reason: err.Error()})
			continue
		}
		out.fields[i] = set
	}
	if len(errs) == 0 && !out.canFire() {
		// EPCIS 2.0 §8.2.5.3: a schedule selecting no time at all (31
		// February, 30 or 31 of February only, 31 of months of 30 days
		// only) would never notify; it is a SubscriptionControlsException.
		errs = append(errs, critmin.FieldError{Pointer: pointer + "/dayOfMonth",
			Reason: "no month given has such a day (dayOfMonth " + raw[3] + ", month " + raw[4] + "): the schedule would never fire"})
	}
	if len(errs) > 0 {
		return nil, &critmin.Error{Code: critmin.EINVALID, Message: errs[0].Pointer + ": " + errs[0].Reason, Fields: errs}
	}
	return out, nil
}

func parseField(v string, lo, hi int) (fieldSet, error) {
	set := fieldSet{}
	num := func(s string) (int, error) {
		n, err := strconv.Atoi(s)
		if err != nil || n < lo || n > hi {
			return 0, fmt.Errorf("%q is not a number from %d to %d", s, lo, hi)
		}
		return n, nil
	}
	for _, el := range strings.Split(v, ",") {
		el = strings.TrimSpace(el)
		start, end, step := lo, hi, 1
		base, stepStr, hasStep := strings.Cut(el, "/")
		if hasStep {
			n, err := strconv.Atoi(stepStr)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("%q: the step after / must be a positive number", el)
			}
			step = n
		}
		switch {
		case base == "*":
		case strings.HasPrefix(base, "[") && strings.HasSuffix(base, "]"), strings.Contains(base, "-"):
			a, b, ok := strings.Cut(strings.Trim(base, "[]"), "-")
			if !ok {
				return nil, fmt.Errorf("%q is not a range [low-high]", el)
			}
			var err error
			if start, err = num(a); err != nil {
				return nil, err
			}
			if end, err = num(b); err != nil {
				return nil, err
			}
			if start > end {
				return nil, fmt.Errorf("%q: low is above high", el)
			}
		default:
			n, err := num(base)
			if err != nil {
				return nil, err
			}
			start = n
			if !hasStep {
				end = n
			}
		}
		for x := start; x <= end; x += step {
			set[x] = true
		}
	}
	return set, nil
}

func (f fieldSet) match(v int) bool { return f == nil || f[v] }

// daysIn is the most days each month can have (February 29 in leap years).
var daysIn = [13]int{0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// canFire reports whether some month selected has a day selected. Each
// date recurs on every weekday (the Gregorian calendar repeats its
// weekdays), so dayOfWeek restricts when, never whether, a schedule
// fires; the time-of-day fields always select some time.
func (s *Schedule) canFire() bool {
	for m := 1; m <= 12; m++ {
		if !s.fields[4].match(m) {
			continue
		}
		for d := 1; d <= daysIn[m]; d++ {
			if s.fields[3].match(d) {
				return true
			}
		}
	}
	return false
}

// Next returns the first time strictly after t (to the second, UTC) that
// the schedule selects; ok is false when none comes within eight years
// (a schedule such as 31 February).
func (s *Schedule) Next(t time.Time) (time.Time, bool) {
	t = t.UTC().Truncate(time.Second).Add(time.Second)
	limit := t.AddDate(8, 0, 0)
	sec, min, hour, dom, mon, dow := s.fields[0], s.fields[1], s.fields[2], s.fields[3], s.fields[4], s.fields[5]
	for t.Before(limit) {
		y, m, d := t.Date()
		switch {
		case !mon.match(int(m)):
			t = time.Date(y, m+1, 1, 0, 0, 0, 0, time.UTC)
		case !dom.match(d) || !dow.match(isoWeekday(t)):
			t = time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
		case !hour.match(t.Hour()):
			t = time.Date(y, m, d, t.Hour()+1, 0, 0, 0, time.UTC)
		case !min.match(t.Minute()):
			t = time.Date(y, m, d, t.Hour(), t.Minute()+1, 0, 0, time.UTC)
		case !sec.match(t.Second()):
			t = t.Add(time.Second)
		default:
			return t, true
		}
	}
	return time.Time{}, false
}

// isoWeekday is 1 for Monday … 7 for Sunday (EPCIS 1.2 §8.2.5.3).
func isoWeekday(t time.Time) int {
	if w := int(t.Weekday()); w != 0 {
		return w
	}
	return 7
}
