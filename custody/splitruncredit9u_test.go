package custody_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestSplitRunEachEventItsOwnCredit (fix9u defect 2): when a later event
// of a run consumes more of a lot the run already consumed, each
// consuming event is its own credit entry, naming that event and dated at
// it, in the period of its own time. Site mb (declaration(): REE → NdPr
// oxide on Nd + Pr, factor 0.9, credits carried one period). PK5
// (Pakistan) 20 t at Nd 4 % + Pr 1 % (Nd 0.8 t, Pr 0.2 t). Run R5: event
// R5a consumes 10 t of PK5 → O5 1 t at Nd 60 % + Pr 20 % = Nd 0.6 t +
// Pr 0.2 t (the run's credit bound, element by element, fix9ad); event
// R5b consumes 10 t more of PK5, no output. Each event's inputs × factor:
// Nd 10 × 4 % × 0.9 = 0.36 t, Pr 10 × 1 % × 0.9 = 0.09 t (0.45 t); the
// run's credit min(0.72, 0.6) + min(0.18, 0.2) = 0.78 t.
//
// Same period (R5a Oct 5, R5b Oct 8): the bound scales each element's
// credits of the run in the period alike, Nd by 0.6 / 0.72, Pr not at
// all: R5a 0.36 × 0.6/0.72 + 0.09 = 0.3 + 0.09 = 0.39 t (Oct 5), R5b
// 0.39 t (Oct 8); October PAK credits 0.78. Before fix9u: one entry
// naming R5a at Oct 5.
//
// Different periods (R5a Oct 5, R5b Nov 8): October's statement is final
// when R5b comes, so R5a earns its 0.45 t in October (Nd 0.36 ≤ 0.6, Pr
// 0.09 ≤ 0.2); R5b earns, per element, what the bound leaves: Nd
// min(0.36, 0.6 − 0.36 = 0.24) + Pr min(0.09, 0.2 − 0.09 = 0.11) = 0.24
// + 0.09 = 0.33 t, in November at Nov 8. October: credits 0.45, closing
// 0.45. November: opening 0.45, credits 0.33, expired 0.45 (October's,
// carried one period), closing 0.33. Before fix9u: November credited
// nothing (R5b's 10 t were taken for the October input again) — 0.45 t in
// all instead of the run's 0.78.
func TestSplitRunEachEventItsOwnCredit(t *testing.T) {
	type want struct {
		event, period string
		at            string
		tonnes        float64
	}
	for _, c := range []struct {
		name, r5b, now string
		credits        []want
		lines          map[string][5]float64 // period → opening, credits, claims, expired, closing
	}{
		{"same period", "2025-10-08T00:00:00Z", "2025-10-09T00:00:00Z",
			[]want{{"urn:t:ev:R5a", "2025-10", "2025-10-05T00:00:00Z", 0.39}, {"urn:t:ev:R5b", "2025-10", "2025-10-08T00:00:00Z", 0.39}},
			map[string][5]float64{"2025-10": {0, 0.78, 0, 0, 0.78}}},
		{"different periods", "2025-11-08T00:00:00Z", "2025-11-09T00:00:00Z",
			[]want{{"urn:t:ev:R5a", "2025-10", "2025-10-05T00:00:00Z", 0.45}, {"urn:t:ev:R5b", "2025-11", "2025-11-08T00:00:00Z", 0.33}},
			map[string][5]float64{"2025-10": {0, 0.45, 0, 0, 0.45}, "2025-11": {0.45, 0.33, 0, 0.45, 0.33}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.Background()
			db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("PK5", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1")))
			if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			svc := ledger.NewService(db)
			svc.ClaimCheck = custody.CaptureClaimCheck(db)
			svc.Now = clockAt("2025-10-05T01:00:00Z")
			if err := capture(svc, run9p("R5a", "R5", "2025-10-05T00:00:00Z", []string{"PK5:10"}, "O5", 1, "")); err != nil {
				t.Fatal(err)
			}
			svc.Now = clockAt(c.now)
			if err := capture(svc, run9p("R5b", "R5", c.r5b, []string{"PK5:10"}, "", 0, "")); err != nil {
				t.Fatal(err)
			}
			got := map[string][]custody.Entry{}
			for _, p := range []string{"2025-10", "2025-11"} {
				st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", p, nil, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
				if err != nil {
					t.Fatal(err)
				}
				if err := custody.CheckStatement(st); err != nil {
					t.Error(err)
				}
				got[p] = line9gEntries(st, "credit")
				if l, ok := c.lines[p]; ok {
					sameLine(t, p, line(t, st, "ree", "PAK"), l[0], l[1], l[2], l[3], l[4])
				}
			}
			n := 0
			for _, w := range c.credits {
				found := false
				for _, e := range got[w.period] {
					if e.Event == w.event && e.Lot == "urn:t:lot:PK5" && e.Country == "PAK" && math.Abs(e.Tonnes-w.tonnes) < 1e-9 && e.Time.UTC().Format(time.RFC3339) == w.at {
						found = true
					}
				}
				if !found {
					t.Errorf("%s: no credit entry %s of %v t at %s; got %+v", w.period, w.event, w.tonnes, w.at, got[w.period])
				}
			}
			for _, es := range got {
				n += len(es)
			}
			if n != len(c.credits) {
				t.Errorf("%d credit entries, want %d (one per consuming event): %+v", n, len(c.credits), got)
			}
		})
	}
}
