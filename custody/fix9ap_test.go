package custody_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// Tests of fix9ap (issue 9): each claim is one row of the statement's
// not-covered claims, with all its reasons; a claim a later period's
// credits repay in part says by how much; a claim whose lot was graded
// only after it says so.

// store9ap is TestCorrectiveAssayKeepsOtherClaimBooked's set-up with R72
// declared in error (fix9an). Site mb (factor 0.9), feeds PK7, PK8, PK10
// (PAK) and CN7 (CHN), 10 t each at Nd 4 % + Pr 1 %:
//
//	R71 (Oct 3): PK7 → X7 1 t, no assay; R72: PK8 → Y7 (declared in
//	  error Oct 8); R73: CN7 → Z7 0.5 t at Nd 60 % + Pr 20 % (0.4 t).
//	AS7 (Oct 4): X7 at Nd 30 % + Pr 10 % (0.4 t): declared in error Oct 6.
//	CLX (Oct 5 01:00): X7 PAK 100 % = 0.4 t, accepted; CLZ (Oct 5
//	  02:00): Z7 PAK 100 % = 0.4 t, accepted.
//	AS7c (dated and recorded Oct 9): X7 at Nd 20 % + Pr 5 %: R71 credits
//	  min(0.36, 0.2) + min(0.09, 0.05) = 0.25 t.
//
// PAK, October: 0 + 0.25 − 0.8 − 0 = −0.55 t, shared from the last
// booked claim back (allocate): Z7 min(0.4, 0.55) = 0.4 t, X7 0.55 − 0.4
// = 0.15 t.
func store9ap(t *testing.T) *sqldb.DB {
	t.Helper()
	oxide := func(id, in, lot string, tonnes float64, assays []string) string {
		return runOf(id, "mb", "2025-10-03T00:00:00Z", []string{in + ":10"}, product{lot: lot, commodity: "ndpr_oxide", t: tonnes, assays: assays})
	}
	r72 := oxide("R72", "PK8", "Y7", 1, []string{"Nd:60", "Pr:20"})
	as7 := assay9an("AS7", "2025-10-04T00:00:00Z", "X7", "30", "10")
	db := mbfxStore(t, false, mbfxREE("PK7", "PAK", 10), mbfxREE("PK8", "PAK", 10), mbfxREE("PK10", "PAK", 10), mbfxREE("CN7", "CHN", 10))
	svc := mbfxService(db)
	mbfxCapture(t, svc, "2025-10-03T01:00:00Z", "R71–R73", oxide("R71", "PK7", "X7", 1, nil), r72, oxide("R73", "CN7", "Z7", 0.5, []string{"Nd:60", "Pr:20"}))
	mbfxCapture(t, svc, "2025-10-04T01:00:00Z", "AS7", as7)
	mbfxCapture(t, svc, "2025-10-05T01:30:00Z", "X7's claim of 0.4 t on 0.84 t", claim9aj("CLX", "2025-10-05T01:00:00Z", "X7", 1))
	mbfxCapture(t, svc, "2025-10-05T02:30:00Z", "Z7's claim of 0.4 t on 0.44 t", claim9aj("CLZ", "2025-10-05T02:00:00Z", "Z7", 1))
	retractEvent(t, svc, as7, "2025-10-06T00:00:00Z")
	retractEvent(t, svc, r72[:strings.Index(r72, `,{"type": "ObjectEvent"`)], "2025-10-08T00:00:00Z")
	mbfxCapture(t, svc, "2025-10-09T01:00:00Z", "AS7c", assay9an("AS7c", "2025-10-09T00:00:00Z", "X7", "20", "5"))
	return db
}

// TestNotCoveredClaimIsOneRow (fix9ap item 1): a claim short of the
// balance and of its grade is ONE not-covered row with both reasons. At
// store9ap, X7 is short of the balance by its share 0.15 t and of its
// grade (its lot as claimed has no assay: all 0.4 t it claims):
//
//	X7: one row, claimed 0.4, shortfall max(0.15, 0.4) = 0.4, available
//	  0, deficit share 0.15, "short of the balance by 0.15 t; graded only
//	  after the claim";
//	Z7: one row, claimed 0.4, shortfall = deficit share 0.4.
//
// The deficit shares add up to the line's deficit, 0.15 + 0.4 = 0.55 =
// −(0 + 0.25 − 0.8 − 0); the shortfalls to the deficit plus what X7 is
// short beyond its share, 0.55 + (0.4 − 0.15) = 0.8 t = 0.4 + 0.4. Before
// fix9ap X7 had two rows (0.15 and 0.4) and the rows added up to 0.95 t
// against the 0.55 t deficit, which CheckStatement did not see: a
// statement listing X7 twice now fails it.
func TestNotCoveredClaimIsOneRow(t *testing.T) {
	db := store9ap(t)
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 9, 12, 0, 0, 0, time.UTC))
	sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.25, 0.8, 0, -0.55)
	want := map[string][3]float64{ // claimed, shortfall, deficit share
		"urn:t:lot:X7": {0.4, 0.4, 0.15},
		"urn:t:lot:Z7": {0.4, 0.4, 0.4},
	}
	n := map[string]int{}
	var short, shares float64
	for _, r := range st.Refused {
		n[r.Lot]++
		w, ok := want[r.Lot]
		if !ok {
			t.Errorf("unexpected row %+v", r)
			continue
		}
		short += r.Shortfall
		shares += r.DeficitShare
		if r.Status != custody.ClaimNotCovered || !near(r.Claimed, w[0]) || !near(r.Shortfall, w[1]) || !near(r.DeficitShare, w[2]) || !near(r.Available, w[0]-w[1]) {
			t.Errorf("%s's row: %s claimed %v shortfall %v deficit share %v available %v; want not covered, %v", r.Lot, r.Status, r.Claimed, r.Shortfall, r.DeficitShare, r.Available, w)
		}
	}
	for lot := range want {
		if n[lot] != 1 {
			t.Errorf("%s has %d not-covered rows, want 1: %+v", lot, n[lot], st.Refused)
		}
	}
	if !near(shares, 0.55) || !near(short, 0.8) {
		t.Errorf("rows: deficit shares %v (want 0.55, the line's deficit), shortfalls %v (want 0.55 + 0.25 = 0.8)", shares, short)
	}
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:X7" {
			if got := strings.Join(r.Reasons, "; "); !strings.HasPrefix(got, "short of the balance by 0.15 t; graded only after the claim") {
				t.Errorf("X7's reasons %q, want short of the balance by 0.15 t, then graded only after the claim", got)
			}
		}
	}
	if err := custody.CheckStatement(st); err != nil {
		t.Fatalf("CheckStatement: %v", err)
	}
	// X7 split again into a deficit row and a grade row, as before
	// fix9ap: CheckStatement refuses it.
	dup := *st
	dup.Refused = nil
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:X7" {
			d := r
			d.ShortOf, d.Shortfall, d.Available, d.Reasons = "", 0.15, 0.25, nil
			dup.Refused = append(dup.Refused, d)
			r.DeficitShare = 0
		}
		dup.Refused = append(dup.Refused, r)
	}
	if err := custody.CheckStatement(&dup); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("CheckStatement on X7 listed twice: %v, want an error saying so", err)
	}
}

// TestGradedOnlyAfterClaim (fix9ap item 3): X7's claim (Oct 5) was
// accepted on AS7 (Oct 4), since declared in error; AS7c measures X7 but
// is dated Oct 9, after the claim. A claim is judged on its lot as it
// stood when claimed (docs/origin.md: an assay dated after the claim
// changes the lot from then on and never the claim), so X7 stays short
// of its grade — yet its lot is measured now, and it must not read
// "grade not measured": "graded only after the claim (assay
// urn:t:ev:AS7c dated 2025-10-09)".
func TestGradedOnlyAfterClaim(t *testing.T) {
	db := store9ap(t)
	for i, cl := range claimViews9ae(t, db, "X7") {
		if cl.Status != custody.ClaimNotCovered || cl.ShortOf != custody.ShortOfGrade || !near(cl.Tonnes, 0.4) || !near(cl.Shortfall, 0.4) {
			t.Errorf("X7 (%d): %s shortOf %s %v t short %v; want not covered, grade, 0.4 t short 0.4 t", i, cl.Status, cl.ShortOf, cl.Tonnes, cl.Shortfall)
		}
		if strings.Contains(cl.Error, "grade not measured") || strings.Contains(cl.Error, "no assay of Nd+Pr now") ||
			!strings.Contains(cl.Error, "graded only after the claim (assay urn:t:ev:AS7c dated 2025-10-09)") {
			t.Errorf("X7 (%d)'s error: %s; want graded only after the claim (assay urn:t:ev:AS7c dated 2025-10-09), not \"grade not measured\"", i, cl.Error)
		}
		if cl.GradedAfter != "graded only after the claim (assay urn:t:ev:AS7c dated 2025-10-09)" {
			t.Errorf("X7 (%d)'s gradedAfter %q", i, cl.GradedAfter)
		}
	}
}

// TestPartialRepaymentByLaterPeriod (fix9ap item 2). fix9aiStore at
// carry-forward 1 without R4: R1 (PAK 0.45 t) declared in error Dec 20,
// October closes 0 − 0.4 = −0.4 t: O2 and O3 0.2 t short each. R4s (Dec
// 5): PK2 10 t → O4 0.2 t at Nd 60 % + Pr 15 % (0.12 + 0.03 t): credit
// PAK Nd min(10 × 4 % × 0.9 = 0.36, 0.12) + Pr min(0.09, 0.03) = 0.15 t,
// which repays O2 first (first in, first covered): O2 0.2 − 0.15 = 0.05
// t short, O3 0.2 t; December closes −0.4 + 0.15 = −0.25 t.
//
// O2 reads "covered 0.15 t by the credits of period 2025-12 (credit(s)
// urn:t:ev:R4s), still short 0.05 t" (0.15 + 0.05 = 0.2 t, its
// shortfall at its own period's close) — before, "the balance holds
// 0.15 t", a figure no period's balance held (October −0.4, December
// −0.25). October's statement keeps O2 not covered at 0.2 t and says it
// was partly repaid later, naming R4s and 2025-12.
func TestPartialRepaymentByLaterPeriod(t *testing.T) {
	db, svc, ev := fix9aiStore(t, 1, false)
	mbfxCapture(t, svc, "2025-12-05T12:00:00Z", "R4s", fix9aiRun("R4s", "2025-12-05T00:00:00Z", "PK2", "O4", 0.2, "Pr:15", ""))
	retractEvent(t, svc, ev["R1"], "2025-12-20T00:00:00Z")
	sts := fix9aiStatements(t, db, "R1 declared in error, R4s")
	sameLine(t, "Dec", fix9aiPAK(sts[2]), -0.4, 0.15, 0, 0, -0.25)
	cl := mbfxClaim(t, db, "O2")
	if cl.Status != custody.ClaimNotCovered || !near(cl.Shortfall, 0.05) {
		t.Fatalf("O2: %s shortfall %v (%s), want not covered, 0.05 t", cl.Status, cl.Shortfall, cl.Error)
	}
	if strings.Contains(cl.Error, "the balance holds 0.15 t") || !strings.Contains(cl.Error, "covered 0.15 t by the credits of period 2025-12 (credit(s) urn:t:ev:R4s), still short 0.05 t") {
		t.Errorf("O2's error: %s; want covered 0.15 t by the credits of period 2025-12 (credit(s) urn:t:ev:R4s), still short 0.05 t", cl.Error)
	}
	if o3 := mbfxClaim(t, db, "O3"); o3.Status != custody.ClaimNotCovered || !near(o3.Shortfall, 0.2) || strings.Contains(o3.Error, "by the credits of period") {
		t.Errorf("O3: %s shortfall %v (%s), want not covered, 0.2 t, nothing repaid", o3.Status, o3.Shortfall, o3.Error)
	}
	var o2 *custody.Entry
	for _, c := range sts[0].Categories {
		for i, e := range c.Entries {
			if e.Kind == "claim" && e.Lot == "urn:t:lot:O2" {
				o2 = &c.Entries[i]
			}
		}
	}
	if o2 == nil || o2.Status != custody.ClaimNotCovered || math.Abs(o2.Shortfall-0.2) > 1e-9 || strings.Join(o2.RepaidLaterBy, " ") != "urn:t:ev:R4s" || strings.Join(o2.RepaidLaterIn, " ") != "2025-12" ||
		!strings.Contains(o2.Note, "partly repaid later: credit(s) urn:t:ev:R4s of period 2025-12 covered 0.15 t of it; still short 0.05 t") {
		t.Errorf("Oct entry O2: %+v, want not covered 0.2 t at the close, partly repaid later by urn:t:ev:R4s in 2025-12 (0.15 t), still short 0.05 t", o2)
	}
}
