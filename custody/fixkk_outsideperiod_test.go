package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestCreditsOutsideAnyDeclaredPeriod (fixKk, found by a new user):
// credits of runs in a span no declared claim period holds are listed on
// the next period's statement as outside any declared claim period, with
// their tonnes — never silently dropped — and change no balance; the
// credits of declared periods carry forward and expire by the declared
// carry-forward (1 period), counted in declared periods. Site mb
// (declaration(): REE category, factor 0.9, carry-forward 1) declares
// 2026-10, 2026-12 and 2027-01 (November undeclared) on 2026-09-10;
// each run is captured the day after it ran (clock injected), each feed
// is 10 or 20 t dry at Nd 4 % + Pr 1 % (5 % Nd+Pr), each product 1.2 t
// at Nd 64 % + Pr 16 % (0.96 t Nd+Pr, above every credit: no product
// bound):
//
//	Sep 20 W: A0 (PAK, 10 t) — before the first period: outside,
//	          10 × 5 % × 0.9 = 0.45 t PAK, on 2026-10's statement.
//	Oct 5  V: A3 (PAK, 10 t) — credit PAK 0.45 t in 2026-10.
//	Nov 15 X: C (CHN, 10 t) — November undeclared: outside, 0.45 t CHN,
//	          on 2026-12's statement (span 2026-11-01 to 2026-12-01).
//	Dec 2  Y: A2 (PAK, 20 t) — credit PAK 20 × 5 % × 0.9 = 0.9 t.
//
// 2026-10 PAK: opening 0 + credits 0.45 − claims 0 − expired 0 = 0.45
// (W's 0.45 t is not in it).
// 2026-12 PAK: opening 0.45 (carried one period) + 0.9 − 0 − 0.45 (V's
// credit, carried its one period, expires at December's end) = 0.9; no
// CHN line: X's 0.45 t is outside.
// 2027-01 PAK: opening 0.9, closing 0.9, of which 0.9 expires at the
// period's end (Y's, carried its one period); nothing outside (2026-12
// ended on 2027-01-01, where 2027-01 begins).
func TestCreditsOutsideAnyDeclaredPeriod(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("A0", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("A3", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		feed("A2", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1")))
	d := declaration("urn:t:site:mb")
	// carryForward 0: a gap (November) between declared periods is
	// allowed only without carry-forward (nuq9), so each period's credits
	// expire at its own end: October 0 + 0.45 − 0.45 expired = 0;
	// December 0 + 0.9 − 0.9 = 0; January 0.
	d.CarryForward = 0
	d.Periods = []critmin.ClaimPeriod{{ID: "2026-10", From: "2026-10-01", To: "2026-11-01"}, {ID: "2026-12", From: "2026-12-01", To: "2027-01-01"}, {ID: "2027-01", From: "2027-01-01", To: "2027-02-01"}}
	if err := custody.DeclareMassBalance(ctx, db, d, time.Date(2026, 9, 10, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	for _, c := range []struct{ at, run string }{
		{"2026-09-21T00:00:00Z", runOf("W", "mb", "2026-09-20T00:00:00Z", []string{"A0:10"}, product{lot: "LW", commodity: "ndpr_oxide", t: 1.2, assays: []string{"Nd:64", "Pr:16"}})},
		{"2026-10-06T00:00:00Z", runOf("V", "mb", "2026-10-05T00:00:00Z", []string{"A3:10"}, product{lot: "LV", commodity: "ndpr_oxide", t: 1.2, assays: []string{"Nd:64", "Pr:16"}})},
		{"2026-11-16T00:00:00Z", runOf("X", "mb", "2026-11-15T00:00:00Z", []string{"C:10"}, product{lot: "LX", commodity: "ndpr_oxide", t: 1.2, assays: []string{"Nd:64", "Pr:16"}})},
		{"2026-12-03T00:00:00Z", runOf("Y", "mb", "2026-12-02T00:00:00Z", []string{"A2:20"}, product{lot: "LY", commodity: "ndpr_oxide", t: 1.2, assays: []string{"Nd:64", "Pr:16"}})},
	} {
		svc.Now = clockAt(c.at)
		if err := capture(svc, c.run); err != nil {
			t.Fatal(err)
		}
	}
	type want struct {
		opening, credits, expired, closing, expiresAtEnd float64
		outside                                          []custody.OutsideCredit
	}
	wants := map[string]want{
		"2026-10": {0, 0.45, 0.45, 0, 0, []custody.OutsideCredit{{Category: "ree", Country: "PAK", Tonnes: 0.45, Factor: 0.9, Lot: "urn:t:lot:A0", Event: "urn:t:ev:W", To: "2026-10-01"}}},
		"2026-12": {0, 0.9, 0.9, 0, 0, []custody.OutsideCredit{{Category: "ree", Country: "CHN", Tonnes: 0.45, Factor: 0.9, Lot: "urn:t:lot:C", Event: "urn:t:ev:X", From: "2026-11-01", To: "2026-12-01"}}},
		"2027-01": {0, 0, 0, 0, 0, nil},
	}
	for _, p := range []string{"2026-10", "2026-12", "2027-01"} {
		w := wants[p]
		st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", p, nil, time.Date(2027, 1, 21, 0, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		if l := line(t, st, "ree", "PAK"); !near(l.Opening, w.opening) || !near(l.Credits, w.credits) || !near(l.Expired, w.expired) || !near(l.Closing, w.closing) || !near(l.ExpiresAtPeriodEnd, w.expiresAtEnd) {
			t.Errorf("%s PAK line %+v, want opening %v + credits %v − expired %v = %v, %v expiring at the end", p, l, w.opening, w.credits, w.expired, w.closing, w.expiresAtEnd)
		}
		if l := line(t, st, "ree", "CHN"); l.Credits != 0 || l.Closing != 0 {
			t.Errorf("%s CHN line %+v: X's credit is outside any declared period, in no line", p, l)
		}
		if len(st.Outside) != len(w.outside) {
			t.Fatalf("%s outside %+v, want %+v", p, st.Outside, w.outside)
		}
		for i, o := range st.Outside {
			x := w.outside[i]
			if o.Category != x.Category || o.Country != x.Country || !near(o.Tonnes, x.Tonnes) || o.Factor != x.Factor || o.Lot != x.Lot || o.Event != x.Event || o.From != x.From || o.To != x.To {
				t.Errorf("%s outside %+v, want %+v", p, o, x)
			}
		}
		// The CSV (API and CLI) gives each as a row of its own, status
		// outside_any_period, the credit in credits_t (column 7).
		n := 0
		for _, r := range custody.StatementRows(st) {
			if r[13] != custody.StatusOutsideAnyPeriod {
				continue
			}
			x := w.outside[n]
			n++
			if r[5] != x.Country || r[7] != "0.45" || r[6] != "" || r[11] != "" || r[15] != x.Event || !strings.Contains(r[18], "outside any declared claim period") {
				t.Errorf("%s CSV row %q, want %s 0.45 t outside any declared claim period, no balance figure", p, r, x.Country)
			}
		}
		if n != len(w.outside) {
			t.Errorf("%s: %d outside rows in the CSV, want %d", p, n, len(w.outside))
		}
	}
}
