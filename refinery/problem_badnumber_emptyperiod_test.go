package refinery_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
)

// twoProduct is the plain problem with %s in place of the feed's
// mass value and %s for members added at the top.
const twoProductTmpl = `{%s"elements": ["Cu"],
 "nodes": [{"id": "flotation"}],
 "streams": [
   {"id": "feed", "to": "flotation", "mass_t": %s, "grade_pct": {"Cu": {"value": 1.0, "sd": 0.03}}},
   {"id": "conc", "from": "flotation", "mass_t": {"value": 8, "sd": 0.3}, "grade_pct": {"Cu": {"value": 10.0, "sd": 0.2}}},
   {"id": "tail", "from": "flotation", "mass_t": {"value": 92, "sd": 2}, "grade_pct": {"Cu": {"value": 0.2, "sd": 0.01}}}]}`

func fieldOf(err error) string {
	var e *critmin.Error
	if ce, ok := err.(*critmin.Error); ok {
		e = ce
	}
	if e == nil || len(e.Fields) == 0 {
		return ""
	}
	return e.Fields[0].Pointer
}

// TestOutOfRangeNumberNamesItsField: 1e400 overflows a float64 (max ≈
// 1.8e308); the refusal names the member that holds it, wherever it is —
// a quantity's value or sd, a bare (fixed) quantity, a top-level number —
// not the document ("/").
func TestOutOfRangeNumberNamesItsField(t *testing.T) {
	for _, c := range []struct{ top, feed, ptr string }{
		{"", `{"value": 1e400, "sd": 2}`, "/streams/0/mass_t/value"},
		{"", `{"value": 100, "sd": -1e999}`, "/streams/0/mass_t/sd"},
		{"", `1e400`, "/streams/0/mass_t"},
		{`"confidence": 1e400, `, `{"value": 100, "sd": 2}`, "/confidence"},
	} {
		doc := strings.Replace(strings.Replace(twoProductTmpl, "%s", c.top, 1), "%s", c.feed, 1)
		_, err := refinery.DecodeProblem(strings.NewReader(doc))
		if critmin.ErrorCode(err) != critmin.EINVALID || fieldOf(err) != c.ptr || !strings.Contains(err.Error(), "out of range") {
			t.Errorf("%s / %s: got %v (field %q), want EINVALID at %s saying out of range", c.top, c.feed, err, fieldOf(err), c.ptr)
		}
	}
	// 1e300 is in range: not refused for its size as a number (the
	// problem's own bound on tonnes names it instead, as a power of ten:
	// units.Plain, fix15zi).
	doc := strings.Replace(strings.Replace(twoProductTmpl, "%s", "", 1), "%s", `{"value": 1e300, "sd": 2}`, 1)
	if _, err := refinery.DecodeProblem(strings.NewReader(doc)); err == nil || strings.Contains(err.Error(), "out of range") || !strings.Contains(err.Error(), "/streams/0/mass_t/value: 1 × 10³⁰⁰ t is over") {
		t.Errorf("1e300: %v", err)
	}
}

// TestEmptyPeriodNamesFieldAndForm: a period given as "" (problem file,
// reopen, PeriodBounds) is refused naming the field and the form
// YYYY-MM — not read as "no period", nor quoted back as `""`.
func TestEmptyPeriodNamesFieldAndForm(t *testing.T) {
	doc := strings.Replace(strings.Replace(twoProductTmpl, "%s", `"period": "", `, 1), "%s", `{"value": 100, "sd": 2}`, 1)
	_, err := refinery.DecodeProblem(strings.NewReader(doc))
	if fieldOf(err) != "/period" || !strings.Contains(err.Error(), "empty") || !strings.Contains(err.Error(), "YYYY-MM") {
		t.Errorf("problem period \"\": %v", err)
	}
	doc = strings.Replace(strings.Replace(twoProductTmpl, "%s", `"period": "2026-3", `, 1), "%s", `{"value": 100, "sd": 2}`, 1)
	if _, err := refinery.DecodeProblem(strings.NewReader(doc)); fieldOf(err) != "/period" || !strings.Contains(err.Error(), `"2026-3" is not a period: give a month YYYY-MM`) {
		t.Errorf("problem period 2026-3: %v", err)
	}
	doc = strings.Replace(strings.Replace(twoProductTmpl, "%s", `"time_zone": " ", `, 1), "%s", `{"value": 100, "sd": 2}`, 1)
	if _, err := refinery.DecodeProblem(strings.NewReader(doc)); fieldOf(err) != "/time_zone" || !strings.Contains(err.Error(), "IANA name") || !strings.Contains(err.Error(), "±HH:MM") {
		t.Errorf("time_zone \" \": %v", err)
	}
	if _, _, err := refinery.PeriodBounds("", "UTC"); fieldOf(err) != "period" || !strings.Contains(err.Error(), "empty") || !strings.Contains(err.Error(), "YYYY-MM") {
		t.Errorf("PeriodBounds(\"\"): %v", err)
	}
}
