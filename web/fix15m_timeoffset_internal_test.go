package web

import (
	"net/url"
	"strings"
	"testing"
)

// TestTimeWithSpacedOffset (issue 15, fix15m item 4): a date and time
// with a space before its offset — "2026-10-05 14:00 +05:00" or
// "2026-10-05T14:00 +0500" — is read in a CSV cell and in a form's time
// field as 2026-10-05T14:00 at +05:00 (the file's or form's own time zone
// is not needed then); garbage is still refused, naming the value.
func TestTimeWithSpacedOffset(t *testing.T) {
	for _, s := range []string{"2026-10-05 14:00 +05:00", "2026-10-05T14:00 +0500", "2026-10-05 14:00+0500", "2026-10-05 14:00:00 +05"} {
		when, tz, err := csvTime(s, "")
		if err != nil || when != "2026-10-05T14:00:00.000+05:00" || tz != "+05:00" {
			t.Errorf("csvTime(%q) = %q, %q, %v; want 2026-10-05T14:00:00.000+05:00, +05:00", s, when, tz, err)
		}
		v := url.Values{"time": {s}, "tz": {""}}
		if got := eventTime(v); got != "2026-10-05T14:00:00+05:00" {
			t.Errorf("form time %q = %q; want 2026-10-05T14:00:00+05:00", s, got)
		}
		if got := timeZoneOffset(v); got != "+05:00" {
			t.Errorf("form time %q: offset %q; want +05:00", s, got)
		}
	}
	// The form's own tz field written +0500 is read as +05:00.
	if got := eventTime(url.Values{"time": {"2026-10-05T14:00"}, "tz": {" +0500"}}); got != "2026-10-05T14:00:00+05:00" {
		t.Errorf("tz +0500: %q", got)
	}
	for _, s := range []string{"2026-10-05 2pm +05:00", "yesterday", "2026-10-05 14:00 +5 hours", "2026-13-05 14:00 +05:00"} {
		if _, _, err := csvTime(s, "+05:00"); err == nil || !strings.Contains(err.Error(), s) {
			t.Errorf("csvTime(%q): %v; want a refusal naming it", s, err)
		}
	}
}
