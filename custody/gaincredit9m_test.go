package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestGainEarnsNoCredit (issue 9, fix9m item 1, the new-user check): the
// credit bound reads what a run's products contain (as the run made
// them), each element capped at what its inputs held of it where the
// run's element balance gains — the cap the physical origin reads — so a
// gain never earns credit. Site mb (mbSvc, captured on
// November 25; the Pakistani REE balance open on November 20 is 2.6 t:
// October's 1.7 t left + A2's 0.9 t, TestClaimOnGainedRunBookedAtAssay).
//
//	Q, Pakistan, 100 t at Nd 4 % + Pr 1 % → 4 t Nd, 1 t Pr in
//	run G (Nov 20): 100 t of Q → OG 6 t at Nd 10 % + Pr 60 %
//	  Nd out 6 × 10 % = 0.6 t ≤ 4 t; Pr out 6 × 60 % = 3.6 t > 1 t
//	  → element_gain on Pr; OG counts 0.6 t Nd + 1 t Pr (capped)
//	credit, element by element (fix9ad):
//	  Nd min(100 × 4 % × 0.9 = 3.6 t, 0.6 t) = 0.6 t
//	  Pr min(100 × 1 % × 0.9 = 0.9 t, capped 1 t) = 0.9 t
//	  = 1.5 t (fix9m: Σ min(4.5, 0.6 + 1.0) = 1.6 t; before fix9m
//	  bounded by the uncapped 6 × 70 % = 4.2 t, 2.6 t of it gain)
//	PAK balance: 2.6 + 1.5 = 4.1 t (before fix9m 2.6 + 4.2 = 6.8 t)
//	H (Nov 21): 100 t of Chinese CBIG → 6.25 t oxide at Nd 60 % + Pr 20 %
//	  = 5 t Nd+Pr (≤ 5 t in: no gain) claimed Pakistan 100 %:
//	  5 > 4.1, refused, shortfall 5 − 4.1 = 0.9 t (before fix9m: accepted)
//	H2 (Nov 21): the same at 5 t oxide = 4 t claimed ≤ 4.1: accepted.
func TestGainEarnsNoCredit(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, feedAtMB("Q", 100)); err != nil {
		t.Fatal(err)
	}
	g := strings.Replace(strings.Replace(runT("g", "G", "2025-11-20T00:00:00Z", "mb", "Q", 100, "OG", 6, ""),
		`"cm:value": 60`, `"cm:value": 10`, 1), `"cm:value": 20`, `"cm:value": 60`, 1)
	if err := capture(svc, g); err != nil {
		t.Fatal(err)
	}
	o, gains := gainsOf(t, db, "OG")
	if !near(o.Elements["Nd"].Recorded(), 0.6) || !near(o.Elements["Pr"].Recorded(), 1) || !strings.Contains(gains, "Pr") {
		t.Fatalf("OG: Nd %v, Pr %v t, gains %q; want 0.6 t Nd, Pr capped at 1 t, element_gain on Pr", o.Elements["Nd"].Recorded(), o.Elements["Pr"].Recorded(), gains)
	}
	e := novemberEntry(t, db, "credit", "urn:t:ev:g")
	if !near(e.Tonnes, 1.5) || !strings.Contains(e.Note, "Nd 0.6 t, Pr 1 t in 6 t of ndpr_oxide") || !strings.Contains(e.Note, "capped at what its inputs held") || !strings.Contains(e.Note, "Nd 3.6 t cut to 0.6 t, Pr 0.9 t kept") {
		t.Errorf("G's credit %+v, want 1.5 t, bounded by Nd 0.6 t, Pr 1 t in 6 t (capped at what its inputs held)", e)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if err := custody.CheckStatement(st); err != nil {
		t.Error(err)
	}
	err = capture(svc, oxideRunFrom("h", "2025-11-21T00:00:00Z", "H", 6.25, claimPAK, "CBIG", 100))
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("H, 5 t claimed on 4.1 t: %v, want refused", err)
	}
	for _, want := range []string{"lot urn:t:lot:H claims 5 t Nd+Pr", "shortfall 0.9 t"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("H's refusal lacks %q: %v", want, err)
		}
	}
	if err := capture(svc, oxideRunFrom("h2", "2025-11-21T00:00:00Z", "H2", 5, claimPAK, "CBIG", 100)); err != nil {
		t.Errorf("H2, 4 t claimed on 4.1 t: %v, want accepted", err)
	}
}

// TestRunLineOfZeroRefused (issue 9, fix9m item 2): a run's input line of
// 0 t was accepted and read as "no quantity" — the whole lot — so the
// product's origin became unknown 100 % while the account credited the
// run. It is refused at capture (400), naming the line's pointer; an
// output line of 0 likewise; nothing is stored. The same run with 100 t
// is accepted.
func TestRunLineOfZeroRefused(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, feedAtMB("Q", 100)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, ev, ptr, want string }{
		{"input", runT("z0", "Z0", "2025-11-20T00:00:00Z", "mb", "Q", 0, "OZ", 1, ""), "/epcisBody/eventList/0/inputQuantityList/0/quantity", "a run's input of 0 takes nothing; leave the lot out"},
		{"output", runT("z0", "Z0", "2025-11-20T00:00:00Z", "mb", "Q", 100, "OZ", 0, ""), "/epcisBody/eventList/0/outputQuantityList/0/quantity", "a run's output of 0 makes nothing; leave the lot out"},
	} {
		err := capture(svc, c.ev)
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), c.ptr) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s of 0: %v, want EINVALID at %s: %q", c.name, err, c.ptr, c.want)
		}
		if _, err := db.FindEventsByID(ctx, "urn:t:ev:z0"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s of 0: the refused event was stored (%v)", c.name, err)
		}
	}
	if err := capture(svc, runT("z0", "Z0", "2025-11-20T00:00:00Z", "mb", "Q", 100, "OZ", 1, "")); err != nil {
		t.Errorf("100 t of Q: %v", err)
	}
}
