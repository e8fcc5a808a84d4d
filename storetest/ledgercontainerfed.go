package storetest

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/risk"
)

// testLedgerSourcingContainerFed (issue 9, new-user check: a run fed a
// container whole reported lost_in_runs_tonnes 0 though its element
// balance lost metal): every per-run figure — what the run took of each
// lot, what it passed on within the row, what it lost, its element
// balance on the lot page — is the same whether a lot was fed by a
// quantity line or inside a container fed whole (inputEPCList; the run
// consumes the lots the container holds, ledger.WithContents).
//
// The same lots and runs twice, at site mb: in 2025-10 each run is fed a
// container whole, in 2025-11 (the twin) the same lots by quantity lines.
// Per month:
//
//	Ap ree_concentrate, Pakistan, 10 t dry at Nd 5 % = 0.5 t Nd
//	Ac ree_concentrate, China,    10 t dry at Nd 2 % = 0.2 t Nd
//	   (2025-10: both packed whole into S1 on Oct 2, Ac unpacked on
//	   Oct 3, run RA fed S1 whole on Oct 5; then the unpacking is
//	   declared in error: S1 held both at the run, which consumed both)
//	RA: Ap + Ac → XA ndpr_oxide 1 t at Nd 50 % = 0.5 t Nd
//	    in 0.5 + 0.2 = 0.7 t, out 0.5 t: lost 0.7 − 0.5 = 0.2 t
//	    (Ap 0.5 × 0.2 / 0.7, Ac 0.2 × 0.2 / 0.7 of it; XA Pakistan
//	    0.5 / 0.7 = 5/7, China 2/7)
//	Bp ree_concentrate, Pakistan, 10 t dry at Nd 5 % = 0.5 t Nd
//	   (2025-10: packed whole into S2, run RB fed S2 whole)
//	RB: Bp → XB ree_concentrate 5 t at Nd 8 % = 0.4 t Nd (same row)
//	    in 0.5 t, out 0.4 t: lost 0.1 t; Bp passes 0.4 / 0.5 = 80 % of
//	    its Nd on to XB and keeps 0.5 × 20 % = 0.1 t, the loss.
//
// ree_concentrate/Nd per month: Ap 0.5 + Ac 0.2 + Bp 0.1 + XB 0.4 =
// 1.2 t from 4 lots; Pakistan 0.5 + 0.1 + 0.4 = 1.0 t (1.0 / 1.2 = 5/6),
// China 0.2 t (1/6); lost in runs 0.2 (RA) + 0.1 (RB) = 0.3 t.
// ndpr_oxide/Nd per month: XA 0.5 t, Pakistan 5/7, China 2/7, nothing
// lost. Before the fix, once the unpacking was declared in error the
// run's contents were computed again from the lots' projection, in which
// Ap was already consumed — by RA itself: RA was given Ac alone, Ap went
// back in stock with no child, and the container-fed month read
// ree_concentrate 1.2 t with 0.1 t lost (RA: in 0.2, out 0.5, a gain)
// and ndpr_oxide 0.2 t of known origin and 0.2 t unknown.
func testLedgerSourcingContainerFed(t *testing.T, open Opener) {
	s := open(t)
	ctx := context.Background()
	cs := s.(custody.Store)
	svc := service(s)
	svc.ClaimCheck = custody.CaptureClaimCheck(cs)
	svc.Now = func() time.Time { return time.Date(2025, 12, 20, 0, 0, 0, 0, time.UTC) }
	const s1, s2 = "urn:epc:id:sscc:0614141.3200000001", "urn:epc:id:sscc:0614141.3200000002"
	// inMonth moves an event of 2025-10 to month m (its eventTime).
	inMonth := func(m, ev string) string { return strings.ReplaceAll(ev, `"2025-10-`, `"`+m+`-`) }
	// ree is cfRun making ree_concentrate at Nd nd % instead.
	ree := func(run, nd string) string {
		return strings.Replace(strings.Replace(run, `"cm:commodity": "ndpr_oxide"`, `"cm:commodity": "ree_concentrate"`, 1), `"cm:value": 50`, `"cm:value": `+nd, 1)
	}
	MustCapture(t, svc, ctDoc(
		cfLot("Ap", "PAK", 10000, "Nd:5"), cfLot("Ac", "CHN", 10000, "Nd:2"), cfLot("Bp", "PAK", 10000, "Nd:5"),
		ctPack("pa", "ADD", s1, 2, "Ap:10000", "Ac:10000"), ctPack("pd", "DELETE", s1, 3, "Ac:10000"), ctPack("pb", "ADD", s2, 2, "Bp:10000"),
		cfRun("RA", 5, []string{s1}, nil, "XA", 1000),
		ree(cfRun("RB", 6, []string{s2}, nil, "XB", 5000), "8"),
	))
	MustCapture(t, svc, ctDoc(ydDeclared(ctPack("pd", "DELETE", s1, 3, "Ac:10000"))))
	cfLotState(t, s, "after the unpacking declared in error", "Ap", critmin.LotConsumed, 0, "XA", true)
	cfLotState(t, s, "after the unpacking declared in error", "Ac", critmin.LotConsumed, 0, "XA", true)
	MustCapture(t, svc, ctDoc(
		inMonth("2025-11", cfLot("Ap2", "PAK", 10000, "Nd:5")), inMonth("2025-11", cfLot("Ac2", "CHN", 10000, "Nd:2")),
		inMonth("2025-11", cfLot("Bp2", "PAK", 10000, "Nd:5")),
		inMonth("2025-11", cfRun("RA2", 5, nil, []string{"Ap2:10000", "Ac2:10000"}, "XA2", 1000)),
		inMonth("2025-11", ree(cfRun("RB2", 6, nil, []string{"Bp2:10000"}, "XB2", 5000), "8")),
	))

	lots, _, err := s.FindLots(ctx, critmin.LotFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	ll, err := risk.LedgerLotsOf(ctx, cs, lots)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]risk.LedgerSourcing{}
	for _, r := range risk.LedgerSourcingOf(ll) {
		rows[r.Commodity+"/"+r.Period+"/"+r.Element] = r
	}
	share := func(r risk.LedgerSourcing, iso string) float64 {
		for _, sh := range r.Shares {
			if sh.ISO3 == iso {
				return sh.Share
			}
		}
		return 0
	}
	for _, m := range []struct{ month, how string }{{"2025-10", "containers fed whole"}, {"2025-11", "lots fed by line"}} {
		r := rows["ree_concentrate/"+m.month+"/Nd"]
		if !ctNear(r.ElementTonnes, 1.2) || r.Lots != 4 || !ctNear(share(r, "PAK"), 5.0/6) || !ctNear(share(r, "CHN"), 1.0/6) {
			t.Errorf("%s (%s): ree_concentrate/Nd %+v; want 0.5 + 0.2 + 0.1 + 0.4 = 1.2 t from 4 lots, PAK 1.0 / 1.2 = 5/6, CHN 0.2 / 1.2 = 1/6", m.month, m.how, r)
		}
		if !ctNear(r.LostTonnes, 0.3) {
			t.Errorf("%s (%s): ree_concentrate/Nd lost_in_runs_tonnes %v; want RA 0.7 − 0.5 = 0.2 + RB 0.5 − 0.4 = 0.1: 0.3 t", m.month, m.how, r.LostTonnes)
		}
		o := rows["ndpr_oxide/"+m.month+"/Nd"]
		if !ctNear(o.ElementTonnes, 0.5) || !ctNear(share(o, "PAK"), 5.0/7) || !ctNear(share(o, "CHN"), 2.0/7) || !ctNear(o.LostTonnes, 0) {
			t.Errorf("%s (%s): ndpr_oxide/Nd %+v; want XA 1 × 50 %% = 0.5 t, PAK 0.5 / 0.7 = 5/7, CHN 2/7, none lost", m.month, m.how, o)
		}
	}

	// Per lot: what each lot passed on and lost, the same both months.
	byLot := map[string]risk.LedgerLot{}
	for i, l := range lots {
		byLot[strings.TrimPrefix(l.ID, "urn:t:lot:")] = ll[i]
	}
	for _, c := range []struct {
		lot          string
		passed, lost float64
	}{
		{"Ap", 0, 0.2 / 0.7}, // RA lost 0.2 of the 0.7 t its inputs brought
		{"Ac", 0, 0.2 / 0.7},
		{"Bp", 0.8, 0.2}, // RB: 0.4 of Bp's 0.5 t on to XB, 0.1 lost
	} {
		for _, lot := range []string{c.lot, c.lot + "2"} {
			l, ok := byLot[lot]
			if !ok {
				t.Errorf("lot %s not read", lot)
				continue
			}
			if !ctNear(l.PassedOn["Nd"], c.passed) || !ctNear(l.Lost["Nd"], c.lost) {
				t.Errorf("lot %s: passed on %v, lost %v of its Nd; want %v, %v", lot, l.PassedOn["Nd"], l.Lost["Nd"], c.passed, c.lost)
			}
		}
	}

	// The lot page: the run's element balance, its inputs the lots, the
	// same both months (RA: in 0.7 t, out 0.5 t, checked).
	for _, x := range []struct{ out, a, c string }{{"XA", "Ap", "Ac"}, {"XA2", "Ap2", "Ac2"}} {
		o, err := custody.OriginOf(ctx, cs, "urn:t:lot:"+x.out, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Runs) != 1 {
			t.Fatalf("%s: %d runs on the lot page, want 1 (%+v)", x.out, len(o.Runs), o.Runs)
		}
		rb := o.Runs[0]
		ins := append([]string(nil), rb.Inputs...)
		sort.Strings(ins)
		if want := []string{"urn:t:lot:" + x.c, "urn:t:lot:" + x.a}; strings.Join(ins, " ") != strings.Join(want, " ") {
			t.Errorf("%s: run inputs %v, want %v", x.out, ins, want)
		}
		var nd *custody.ElementLine
		for i := range rb.Elements {
			if rb.Elements[i].Element == "Nd" {
				nd = &rb.Elements[i]
			}
		}
		if nd == nil || !ctNear(nd.In, 0.7) || nd.Out == nil || !ctNear(*nd.Out, 0.5) || !nd.Checked {
			t.Errorf("%s: run balance Nd %+v; want in 0.5 + 0.2 = 0.7 t, out 1 × 50 %% = 0.5 t, checked", x.out, nd)
		}
		if got := ctShare(o.Elements["Nd"].ByCountry, "CHN"); !ctNear(got, 2.0/7) {
			t.Errorf("%s: China's Nd share %v, want 0.2 / 0.7 = 2/7", x.out, got)
		}
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
