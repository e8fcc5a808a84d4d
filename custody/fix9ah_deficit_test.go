package custody_test

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// fix9ah items a and b: a claim belongs to the statement of the period it
// was made in; its error names that period and where the deficit it
// carries into later periods still stands; a later statement shows the
// carried deficit in its opening line, not the claim rows again.
//
// At site mb (REE → NdPr oxide on Nd+Pr, factor 0.9, carry-forward 1;
// periods 2025-10, 2025-11, 2025-12), as TestDeficitClauseIsClosingDeficit:
//
//	PK, PK2, PK3 (Pakistan) 50, 50, 10 t at Nd 4 % + Pr 1 %: 2.5, 2.5,
//	  0.5 t Nd+Pr; CN, CN2 (China) 10 t, 40 t: 0.5, 2 t.
//	a (Oct 5 00:00, run tA): PK 50 → OA 2 t × 80 % = 1.6 t, claim PAK.
//	c (Oct 5 12:00, run tC): PK2 50 → OC 0.5 t × 80 % = 0.4 t, claim
//	  PAK. Both accepted at capture.
//	a2, c2 (Oct 6): + CN 10 to tA, + CN2 40 to tC: PAK credits 1.6 ×
//	  2.5/3 = 1.333333 and 0.4 × 2.5/4.5 = 0.222222.
//	October closes PAK 1.333333 + 0.222222 − 1.6 − 0.4 = −0.444444 t:
//	  OC's share 0.4 t, OA's 0.044444 t (from the last claim back).
//	n (Nov 10, run tN): PK3 10 t → ON 0.5 t at Nd 60 % + Pr 20 % (Nd
//	  0.3 t, Pr 0.1 t), no claim: credit, element by element (the
//	  product bound), Nd min(0.4 × 0.9 = 0.36, 0.3) = 0.3 + Pr
//	  min(0.1 × 0.9 = 0.09, 0.1) = 0.09 = 0.39 t PAK, which repays the
//	  deficit first: 0.444444 − 0.39 = 0.054444 t left, shared from the
//	  last claim back: OC min(0.4, 0.054444) = 0.054444 t, OA 0 (covered
//	  again by n).
//	November: PAK opening −0.444444 + credits 0.39 − claims 0 − expired
//	  0 = closing −0.054444 t, all of it owed by October's OC: carried
//	  deficit 0.054444 t, and no not-covered row (OC and OA are
//	  October's). December: opening = closing = −0.054444 t, carried
//	  0.054444 t, no row.
//	October's statement keeps its rows: OC 0.4 + OA 0.044444 =
//	  0.444444 t = its deficit, nothing carried into it.
//
// OC's claim (lot API, certificate) reads its own period, October,
// closing in deficit by 0.444444 t, and the deficit still 0.054444 t at
// December's close — not "closes period 2025-12 in deficit" as if the
// claim were December's.
func TestClaimDeficitNamesItsOwnPeriod(t *testing.T) {
	db := mbfxStore(t, false, mbfxREE("PK", "PAK", 50), mbfxREE("PK2", "PAK", 50), mbfxREE("PK3", "PAK", 10), mbfxREE("CN", "CHN", 10), mbfxREE("CN2", "CHN", 40))
	svc := mbfxService(db)
	for _, s := range []struct{ now, ev string }{
		{"2025-10-05T01:00:00Z", run9p("a", "tA", "2025-10-05T00:00:00Z", []string{"PK:50"}, "OA", 2, claimPAK)},
		{"2025-10-05T13:00:00Z", run9p("c", "tC", "2025-10-05T12:00:00Z", []string{"PK2:50"}, "OC", 0.5, claimPAK)},
		{"2025-10-06T01:00:00Z", run9p("a2", "tA", "2025-10-06T00:00:00Z", []string{"CN:10"}, "", 0, "")},
		{"2025-10-06T13:00:00Z", run9p("c2", "tC", "2025-10-06T12:00:00Z", []string{"CN2:40"}, "", 0, "")},
		{"2025-11-10T01:00:00Z", run9p("n", "tN", "2025-11-10T00:00:00Z", []string{"PK3:10"}, "ON", 0.5, "")},
	} {
		mbfxCapture(t, svc, s.now, "", s.ev)
	}
	after := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // every period ended
	rows := func(st *custody.Statement) map[string]float64 {
		out := map[string]float64{}
		for _, r := range st.Refused {
			out[strings.TrimPrefix(r.Lot, "urn:t:lot:")] += r.Shortfall
		}
		return out
	}
	const d0, d1 = 0.4 / 0.9, 0.4/0.9 - 0.39 // 0.444444, 0.054444
	for _, c := range []struct {
		period                        string
		opening, credits, closing, cd float64
		rows                          map[string]float64
	}{
		{"2025-10", 0, 1.6/3*2.5 + 0.4/4.5*2.5, -d0, 0, map[string]float64{"OC": 0.4, "OA": d0 - 0.4}},
		{"2025-11", -d0, 0.39, -d1, d1, map[string]float64{}},
		{"2025-12", -d1, 0, -d1, d1, map[string]float64{}},
	} {
		st := mbfxStatement(t, db, c.period, after)
		l := line(t, st, "ree", "PAK")
		if !near(l.Opening, c.opening) || !near(l.Credits, c.credits) || !near(l.Closing, c.closing) || !near(l.CarriedDeficit, c.cd) {
			t.Errorf("%s PAK line %+v, want opening %.6f credits %.6f closing %.6f carried deficit %.6f", c.period, l, c.opening, c.credits, c.closing, c.cd)
		}
		got := rows(st)
		if len(got) != len(c.rows) {
			t.Errorf("%s not-covered rows %v, want %v (a claim is a row of its own period's statement only)", c.period, got, c.rows)
		}
		for lot, v := range c.rows {
			if !near(got[lot], v) {
				t.Errorf("%s row of %s: shortfall %.6f, want %.6f", c.period, lot, got[lot], v)
			}
		}
		if c.cd > 0 {
			want := "0.054444 t of it carried forward in the opening balance from period 2025-10, owed by the claim(s) on lot urn:t:lot:OC"
			found := false
			for _, n := range l.Notes {
				found = found || strings.Contains(n, want)
			}
			if !found {
				t.Errorf("%s PAK line notes %q lack %q", c.period, l.Notes, want)
			}
			// The CSV (API and CLI): the PAK balance row says so; no
			// claim row.
			for _, r := range custody.StatementRows(st) {
				if r[13] == "balance" && r[5] == "PAK" && !strings.Contains(r[18], want) {
					t.Errorf("%s CSV PAK row's reason %q lacks %q", c.period, r[18], want)
				}
				if r[13] != "balance" {
					t.Errorf("%s CSV has a claim row %v; October's claims are rows of October's statement", c.period, r)
				}
			}
		}
		if err := custody.CheckStatement(st); err != nil {
			t.Errorf("%s: %v", c.period, err)
		}
	}
	// The statement's arithmetic holds with the rows gone: November
	// with OC's row put back (the old form) double-counts the carried
	// deficit, which CheckStatement refuses.
	nov := mbfxStatement(t, db, "2025-11", after)
	nov.Refused = append(nov.Refused, custody.RefusedClaim{Lot: "urn:t:lot:OC", Category: "ree", Country: "PAK", Claimed: 0.4, Available: 0.4 - d1, Shortfall: d1, Booked: true})
	if err := custody.CheckStatement(nov); err == nil {
		t.Error("November with October's claim row again: CheckStatement accepts a deficit counted twice")
	}

	oc := mbfxClaim(t, db, "OC")
	if oc.Status != custody.ClaimNotCovered || math.Abs(oc.Shortfall-d1) > 1e-6 || oc.Period != "2025-10" {
		t.Errorf("OC: status %s shortfall %v period %s, want not_covered 0.054444 of 2025-10", oc.Status, oc.Shortfall, oc.Period)
	}
	const want = "the Pakistan balance closes the claim's period 2025-10 in deficit by 0.444444 t (that period's statement closing); the deficit carries forward, and the Pakistan balance is still in deficit by 0.054444 t at the close of period 2025-12, all of it this claim's own shortfall, booked in full (a claim already stated to a buyer keeps the credits it took)"
	if !strings.Contains(oc.Error, want) || strings.Contains(oc.Error, "closes period 2025-12") {
		t.Errorf("OC's error lacks %q:\n%s", want, oc.Error)
	}
	// OA is covered again: c's credit (October) and n's repaid its share.
	if oa := mbfxClaim(t, db, "OA"); oa.Status != custody.ClaimAccepted || !slices.Contains(oa.CoveredBy, "urn:t:ev:n") {
		t.Errorf("OA: status %s covered by %v, want accepted again, by urn:t:ev:n among others", oa.Status, oa.CoveredBy)
	}
	// The certificate states the same reason.
	var cert map[string]any
	if err := json.Unmarshal(mbfxCert(t, svc, "urn:t:lot:OC", after), &cert); err != nil {
		t.Fatal(err)
	}
	rc, _ := cert["credentialSubject"].(map[string]any)["cm:refusedClaim"].(map[string]any)
	if reason, _ := rc["reason"].(string); !strings.Contains(reason, want) {
		t.Errorf("certificate's refused claim reason lacks %q:\n%s", want, reason)
	}
}
