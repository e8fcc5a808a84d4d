package refinery

import (
	"strconv"
	"strings"

	"github.com/critmin/critmin"
)

// PeriodForm is the form of a period, as every message states it.
const PeriodForm = "a month YYYY-MM (for example 2026-03)"

// TimeZoneForm is the form of a site's time zone, as every message
// states it.
const TimeZoneForm = "an IANA name (Asia/Karachi) or an offset ±HH:MM (+05:00)"

// PeriodError is the EINVALID error of a period given as s at field (a
// JSON pointer, a query parameter or a flag): it names the field and
// the form expected, and says when the value is empty rather than
// quoting "" back.
func PeriodError(field, s string) error {
	return critmin.FieldErrorf(field, "%s", PeriodReason(s))
}

// PeriodReason is PeriodError's reason, for a list of field errors.
func PeriodReason(s string) string {
	if strings.TrimSpace(s) == "" {
		return "the period is empty: give " + PeriodForm
	}
	return strconv.Quote(s) + " is not a period: give " + PeriodForm
}
