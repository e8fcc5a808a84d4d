package commercial_test

import (
	"context"
	"testing"
	"time"

	"github.com/critmin/critmin/commercial"
	"github.com/shopspring/decimal"
)

// As-of views rebuild the state of that date from dated records (issue
// 13's new-user check). The demo invoices the copper lot finally on
// 5 Nov 2025 and the antimony lot on 10 Nov 2025; both had provisional
// invoices from early September. On 15 Oct 2025 both were still
// provisional-only, so the exposure of that date counts them; on
// 1 Dec 2025 both are final and out of it.
func TestExposureAsOfIssueDates(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	has := func(asOf string) map[string]bool {
		at, _ := time.Parse(time.DateOnly, asOf)
		ex, err := s.Exposure(ctx, at, "")
		if err != nil {
			t.Fatalf("exposure as of %s: %v", asOf, err)
		}
		out := map[string]bool{}
		for _, l := range ex.Lots {
			out[l.Contract] = true
		}
		return out
	}
	oct := has("2025-10-15")
	if !oct["FWO-USSM-CU-2025"] || !oct["FWO-USSM-SB-2025"] {
		t.Errorf("exposure on 2025-10-15 has contracts %v; want the copper and antimony lots, finally invoiced only in November", oct)
	}
	dec := has("2025-12-01")
	if dec["FWO-USSM-CU-2025"] || dec["FWO-USSM-SB-2025"] {
		t.Errorf("exposure on 2025-12-01 has contracts %v; the copper and antimony lots are final by then", dec)
	}
}

// The memorandum was signed (milestone M1 achieved) on 8 Sep 2025; as of
// 1 Jan 2024 it was not yet: due, not "achieved 2025-09-08".
func TestAgreementMilestonesAsOf(t *testing.T) {
	s := MustDemo(t)
	ctx := context.Background()
	p, err := s.Progress(ctx, commercial.DemoAgreement, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range p.Agreement.Milestones {
		if m.Achieved != "" || m.Status != "due" {
			t.Errorf("milestone %s as of 2024-01-01: achieved %q, status %s; want not achieved, due", m.ID, m.Achieved, m.Status)
		}
	}
	if !p.Shipped.IsZero() || !p.Invoiced.IsZero() || !p.Paid.IsZero() {
		t.Errorf("as of 2024-01-01 shipped %s, invoiced %s, paid %s; want nothing yet", p.Shipped, p.Invoiced, p.Paid)
	}
	// Committed follows the signature too: nothing the day before (7 Sep
	// 2025; it showed the 10 000 000 USD of the tranches), and on the day
	// the three illustrative tranches: copper 6 000 000 + antimony
	// 1 500 000 + rare earths 2 500 000 = 10 000 000 USD.
	for _, c := range []struct {
		day  time.Time
		want string
	}{{time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), "0"}, {time.Date(2025, 9, 7, 0, 0, 0, 0, time.UTC), "0"}, {time.Date(2025, 9, 8, 0, 0, 0, 0, time.UTC), "10000000"}} {
		q, err := s.Progress(ctx, commercial.DemoAgreement, c.day)
		if err != nil {
			t.Fatal(err)
		}
		if !q.Committed.Equal(decimal.RequireFromString(c.want)) {
			t.Errorf("committed as of %s = %s; want %s (signed 2025-09-08)", c.day.Format(time.DateOnly), q.Committed, c.want)
		}
	}
	p, err = s.Progress(ctx, commercial.DemoAgreement, time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range p.Agreement.Milestones {
		if m.ID == "M1" && (m.Achieved != "2025-09-08" || m.Status != "on_time") {
			t.Errorf("M1 as of 2025-12-01: achieved %q, status %s; want 2025-09-08 on time", m.Achieved, m.Status)
		}
	}
}
