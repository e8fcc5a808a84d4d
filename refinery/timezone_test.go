package refinery_test

import (
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/refinery"
)

// TestPeriodInSiteTimeZone (nu12 item 5): a conc sensor report at
// 2025-10-01 03:00 +05:00 (= 2025-09-30 22:00 UTC) belongs to October
// at a site in Pakistan. With the flowsheet's time_zone "Asia/Karachi"
// October runs from 2025-09-30 19:00 UTC to 2025-10-31 19:00 UTC, so
// conc sums 20 t (that report) + 5 t (26 Oct) = 25 t; without a
// time_zone the month is UTC's and conc is 5 t — the report states the
// UTC window so that the 5-hour shift is visible. The closing survey of
// 31 Oct 18:00 UTC (23:00 at the site) stays in October either way.
func TestPeriodInSiteTimeZone(t *testing.T) {
	from, to, err := refinery.PeriodBounds("2025-10", "Asia/Karachi")
	if err != nil || !from.Equal(time.Date(2025, 9, 30, 19, 0, 0, 0, time.UTC)) || !to.Equal(time.Date(2025, 10, 31, 19, 0, 0, 0, time.UTC)) {
		t.Fatalf("bounds %v – %v, %v", from, to, err)
	}
	if f, _, _ := refinery.PeriodBounds("2025-10", "+05:00"); !f.Equal(from) {
		t.Errorf("offset +05:00 gives %v", f)
	}
	if _, _, err := refinery.PeriodBounds("2025-10", "Mars/Olympus"); err == nil || !strings.Contains(err.Error(), "IANA") {
		t.Errorf("unknown zone: %v", err)
	}
	for _, tz := range []string{"", "Asia/Karachi"} {
		ctx, store, svc, flow := sensorStore(t)
		flow.TimeZone = tz
		rpS, rpF, rpR, rpC := "urn:critmin:test:rp:stockpile", "urn:critmin:test:rp:feed", "urn:critmin:test:rp:reclaim", "urn:critmin:test:rp:conc"
		captureEvents(t, ctx, svc,
			sensorEvent("s1", "2025-09-30T18:00:00Z", "stock_taking", rpS, mass(500, "TNE", 5), conc("Cu", 2.0, 0.05)),
			sensorEvent("s2", "2025-10-31T18:00:00Z", "stock_taking", rpS, mass(600, "TNE"), conc("Cu", 1.8)),
			sensorEvent("f1", "2025-10-05T08:00:00Z", "", rpF, mass(300, "TNE"), conc("Cu", 2.5)),
			sensorEvent("r1", "2025-10-25T08:00:00Z", "", rpR, mass(200, "TNE"), conc("Cu", 2.4)),
			sensorEvent("c0", "2025-09-30T22:00:00Z", "", rpC, mass(20, "TNE"), conc("Cu", 17)),
			sensorEvent("c1", "2025-10-26T08:00:00Z", "", rpC, mass(5, "TNE"), conc("Cu", 17)),
		)
		p, err := refinery.FromLedger(ctx, store, flow, sensorSite, "2025-10", refinery.Precision{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]float64{"": 5, "Asia/Karachi": 25}[tz]
		for _, s := range p.Streams {
			if s.ID == "conc" && (s.Mass == nil || s.Mass.Value != want) {
				t.Errorf("time zone %q: conc %+v, want %g t", tz, s.Mass, want)
			}
		}
		r, err := refinery.Reconcile(p)
		if err != nil {
			t.Fatal(err)
		}
		rep := refinery.NewReport(p, r, nil, time.Now())
		wantWin := map[string]string{"": "2025-10-01 00:00 +00:00 to 2025-11-01 00:00 +00:00 (UTC (the flowsheet declares no time_zone)",
			"Asia/Karachi": "2025-10-01 00:00 +05:00 to 2025-11-01 00:00 +05:00 (Asia/Karachi; 2025-09-30 19:00 to 2025-10-31 19:00 UTC)"}[tz]
		if rep.Window == nil || !strings.HasPrefix(rep.Window.String(), wantWin) {
			t.Errorf("time zone %q: window %v, want %q", tz, rep.Window, wantWin)
		}
	}
}

// TestTimeZoneOffsetRange (nu12b-2 item 6): an offset ±HH:MM has minutes
// 00–59 and lies within −12:00 … +14:00; +05:60 (which time.Parse reads
// as +06:00) and +14:59 are refused at /time_zone, +14:00 and −12:00
// are kept: PeriodBounds of 2025-10 at +14:00 starts 2025-09-30 10:00 UTC.
func TestTimeZoneOffsetRange(t *testing.T) {
	for _, tz := range []string{"+05:60", "+14:59", "-12:30", "+1a:00"} {
		if _, _, err := refinery.PeriodBounds("2025-10", tz); err == nil || !strings.Contains(err.Error(), "/time_zone") {
			t.Errorf("%s: %v, want refused at /time_zone", tz, err)
		}
	}
	from, _, err := refinery.PeriodBounds("2025-10", "+14:00")
	if err != nil || !from.Equal(time.Date(2025, 9, 30, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("+14:00: %v %v, want 2025-09-30 10:00 UTC", from.UTC(), err)
	}
	if _, _, err := refinery.PeriodBounds("2025-10", "-12:00"); err != nil {
		t.Errorf("-12:00: %v", err)
	}
	// "time_zone": "" is refused, not read as UTC.
	for _, dec := range []func(string) error{
		func(doc string) error { _, err := refinery.DecodeProblem(strings.NewReader(doc)); return err },
		func(doc string) error {
			_, err := refinery.DecodeProblemUnvalidated(strings.NewReader(doc))
			return err
		},
	} {
		err := dec(`{"time_zone": "", "elements": ["Cu"], "nodes": [{"id": "n"}], "streams": [{"id": "a", "to": "n", "mass_t": {"value": 1, "sd": 0.1}}, {"id": "b", "from": "n", "mass_t": {"value": 1, "sd": 0.1}}]}`)
		if err == nil || !strings.Contains(err.Error(), "/time_zone") {
			t.Errorf(`"time_zone": "": %v, want refused at /time_zone`, err)
		}
	}
}
