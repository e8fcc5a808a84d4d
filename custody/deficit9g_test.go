package custody_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// fix9g: a booked claim's shortfall is its share of the balance's
// deficit now, allocated from the last booked claim back (docs/origin.md
// "A deficit and its claims"), and a claim keeps what it took at capture.

// setup9g is site mb with PAK feeds PK and PK2 (100 t each at Nd 4 % +
// Pr 1 %) and CN (CHN, 100 t), and R1 (Oct 5): PK 100 t → O1, 1 t at
// Nd 60 % + Pr 20 %: credit min(100 × 5 % × 0.9 = 4.5, 1 × 80 % = 0.8)
// = 0.8 t PAK. Claims are checked at capture.
func setup9g(t *testing.T) (*ledger.Service, func(lot string) *custody.Claim, func(period string) *custody.Statement) {
	t.Helper()
	db := mbfxStore(t, false, mbfxREE("PK", "PAK", 100), mbfxREE("PK2", "PAK", 100), mbfxREE("CN", "CHN", 100),
		mbfxOxide("R1", "2025-10-05T00:00:00Z", []string{"PK:100"}, "O1", 1, ""))
	claim := func(lot string) *custody.Claim {
		t.Helper()
		return mbfxClaim(t, db, lot)
	}
	stmt := func(period string) *custody.Statement {
		t.Helper()
		return mbfxStatement(t, db, period, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	}
	return mbfxService(db), claim, stmt
}

// oxide9g is a run at mb on when taking t of CN (CHN), making lot of
// tonnes at Nd 60 % + Pr 20 % (80 % Nd+Pr) claiming Pakistan 100 %.
func oxide9g(id, when, lot string, tonnes float64) string {
	return mbfxOxide(id, when, []string{"CN:10"}, lot, tonnes, claimPAK)
}

// shortfalls9g sums the statement's booked refused claims' shortfalls by
// lot.
func shortfalls9g(st *custody.Statement) map[string]float64 {
	out := map[string]float64{}
	for _, r := range st.Refused {
		if r.Booked {
			out[r.Lot] += r.Shortfall
		}
	}
	return out
}

// TestDeficitAllocatedFromLast (fix9g defect 2): the deficit a later
// fact leaves is allocated to the booked claims from the last made back,
// each at most its own claim, so that their shortfalls add up to it.
//
//	R2 (Oct 6 00:00): CN → O2, 0.5 t × 80 % = 0.4 t claiming PAK:
//	  0.4 ≤ 0.8, accepted; R3 (Oct 6 01:00): O3 likewise, 0.4 ≤ 0.4.
//	AS1 (dated Oct 5, recorded Oct 8): O1 is Nd 5 %: it holds 1 × (5 +
//	  20) % = 0.25 t, R1 credits 0.25 t. Deficit 0.4 + 0.4 − 0.25 = 0.55 t.
//	From the last: O3 short min(0.4, 0.55) = 0.4 t; O2 short
//	  min(0.4, 0.55 − 0.4) = 0.15 t; 0.4 + 0.15 = 0.55 t.
//	Before: O2 read 0.4 − 0.25 = 0.15 and O3 0.4 − (0.25 − 0.4) = 0.55
//	  (0.70 t of shortfall for 0.55 t of deficit).
//	Statement Oct PAK: opening 0, credits 0.25, claims 0.8, closing −0.55.
func TestDeficitAllocatedFromLast(t *testing.T) {
	svc, claim, stmt := setup9g(t)
	mbfxDeficit9g(t, svc)
	for lot, want := range map[string]float64{"O2": 0.15, "O3": 0.4} {
		if cl := claim(lot); cl.Status != custody.ClaimNotCovered || math.Abs(cl.Shortfall-want) > 1e-9 {
			t.Errorf("%s: status %s shortfall %v, want not covered, shortfall %v t", lot, cl.Status, cl.Shortfall, want)
		}
	}
	st := stmt("2025-10")
	sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.25, 0.8, 0, -0.55)
	sf := shortfalls9g(st)
	if math.Abs(sf["urn:t:lot:O2"]-0.15) > 1e-9 || math.Abs(sf["urn:t:lot:O3"]-0.4) > 1e-9 {
		t.Errorf("statement shortfalls %v, want O2 0.15 t, O3 0.4 t", sf)
	}
	// CheckStatement holds the invariants: a shortfall above its claim,
	// or shortfalls not adding up to the deficit, are refused.
	if err := custody.CheckStatement(st); err != nil {
		t.Fatalf("CheckStatement: %v", err)
	}
	for i := range st.Refused {
		if st.Refused[i].Lot == "urn:t:lot:O2" {
			st.Refused[i].Shortfall = 0.55 // 0.55 > O2's 0.4 t claimed; sum 0.95 ≠ 0.55
		}
	}
	if err := custody.CheckStatement(st); err == nil || !strings.Contains(err.Error(), "shortfall") {
		t.Errorf("CheckStatement of shortfalls adding to 0.95 t for a 0.55 t deficit: %v, want refused", err)
	}
}

// TestDeficitRepaidCoversClaim (fix9g defect 3): later credits repay the
// deficit, and a booked claim they cover reads covered again, naming the
// credit; the shortfall left is recomputed, never stale.
//
//	As TestDeficitAllocatedFromLast: deficit 0.55 t, O3 0.4, O2 0.15.
//	R4 (Oct 12): PK2 10 t → O4 1 t at 80 %: credit min(10 × 5 % × 0.9 =
//	  0.45, 0.8) = 0.45 t repays the deficit: 0.55 − 0.45 = 0.10 t left,
//	  from the last: O3 min(0.4, 0.1) = 0.1 t, O2 0 → covered by R4.
//	  Statement Oct PAK: credits 0.25 + 0.45 = 0.7, claims 0.8, closing −0.1.
//	R5 (Oct 14): PK2 10 t → O5, credit 0.45: deficit 0, 0.35 t over;
//	  O3 covered, naming R4 (its share 0.4 → 0.1 t) and R5 (0.1 → 0).
//	  A new claim R6 (Oct 15): O6 0.25 t × 80 % = 0.2 t
//	  ≤ 0.35, accepted. Statement: credits 1.15, claims 1.0, closing 0.15.
func TestDeficitRepaidCoversClaim(t *testing.T) {
	svc, claim, stmt := setup9g(t)
	mbfxDeficit9g(t, svc)
	mbfxCapture(t, svc, "2025-10-12T12:00:00Z", "", mbfxOxide("R4", "2025-10-12T00:00:00Z", []string{"PK2:10"}, "O4", 1, ""))
	if cl := claim("O2"); cl.Status != custody.ClaimAccepted || cl.Shortfall != 0 || strings.Join(cl.CoveredBy, " ") != "urn:t:ev:R4" || !strings.Contains(cl.CoverageNote, "urn:t:ev:R4") {
		t.Errorf("O2 after R4: status %s shortfall %v coveredBy %v note %q, want covered again by urn:t:ev:R4", cl.Status, cl.Shortfall, cl.CoveredBy, cl.CoverageNote)
	}
	if cl := claim("O3"); cl.Status != custody.ClaimNotCovered || math.Abs(cl.Shortfall-0.1) > 1e-9 || !strings.Contains(cl.Error, "shortfall 0.1 t") {
		t.Errorf("O3 after R4: status %s shortfall %v error %q, want not covered, shortfall 0.1 t", cl.Status, cl.Shortfall, cl.Error)
	}
	st := stmt("2025-10")
	pak := line(t, st, "ree", "PAK")
	sameLine(t, "Oct after R4", pak, 0, 0.7, 0.8, 0, -0.1)
	if strings.Join(pak.DeficitBy, " ") != "urn:t:lot:O3" {
		t.Errorf("deficitBy %v, want O3 alone", pak.DeficitBy)
	}
	if sf := shortfalls9g(st); len(sf) != 1 || math.Abs(sf["urn:t:lot:O3"]-0.1) > 1e-9 {
		t.Errorf("statement shortfalls %v, want O3 0.1 t alone", sf)
	}
	mbfxCapture(t, svc, "2025-10-14T12:00:00Z", "", mbfxOxide("R5", "2025-10-14T00:00:00Z", []string{"PK2:10"}, "O5", 1, ""))
	if cl := claim("O3"); cl.Status != custody.ClaimAccepted || strings.Join(cl.CoveredBy, " ") != "urn:t:ev:R4 urn:t:ev:R5" {
		t.Errorf("O3 after R5: status %s coveredBy %v, want covered again by urn:t:ev:R4 (0.4 → 0.1 t) and urn:t:ev:R5 (0.1 → 0)", cl.Status, cl.CoveredBy)
	}
	svc.Now = clockAt("2025-10-15T12:00:00Z")
	if err := capture(svc, oxide9g("R6", "2025-10-15T00:00:00Z", "O6", 0.25)); err != nil {
		t.Fatalf("O6's 0.2 t on 0.35 t: %v, want accepted", err)
	}
	st = stmt("2025-10")
	pak = line(t, st, "ree", "PAK")
	sameLine(t, "Oct after R6", pak, 0, 1.15, 1.0, 0, 0.15)
	if len(pak.DeficitBy) != 0 || len(shortfalls9g(st)) != 0 {
		t.Errorf("deficitBy %v, refused %+v, want none", pak.DeficitBy, st.Refused)
	}
	for _, e := range line9gEntries(st, "claim") {
		if e.Lot == "urn:t:lot:O2" && !strings.Contains(e.Note, "urn:t:ev:R4") {
			t.Errorf("O2's claim entry note %q, want covered by urn:t:ev:R4", e.Note)
		}
	}
}

// line9gEntries are the ree category's entries of kind.
func line9gEntries(st *custody.Statement, kind string) []custody.Entry {
	var out []custody.Entry
	for _, c := range st.Categories {
		if c.Category.ID != "ree" {
			continue
		}
		for _, e := range c.Entries {
			if e.Kind == kind {
				out = append(out, e)
			}
		}
	}
	return out
}

// TestLowerReassayKeepsClaim (fix9g defect 4): a later assay that lowers
// the claimed lot's content does not shrink the claim or free credits:
// the claim keeps what it took at capture and names the assay.
//
//	R1 credits 0.8 t PAK. R2 (Oct 6): O2, 0.5 t × 80 % = 0.4 t claiming
//	  PAK, accepted: 0.4 t left.
//	AS2 (dated Oct 6, recorded Oct 8): O2 is Nd 20 %: 0.5 × (20 + 20) %
//	  = 0.2 t now; the claim keeps 0.4 t; the balance stays 0.4 t.
//	R3 (Oct 9): O3, 0.625 t × 80 % = 0.5 t claiming PAK: 0.5 − 0.4 =
//	  0.1 t short, refused (before: 0.8 − 0.2 = 0.6 t freed, accepted).
//	Statement Oct PAK: credits 0.8, claims 0.4, closing 0.4.
func TestLowerReassayKeepsClaim(t *testing.T) {
	svc, claim, stmt := setup9g(t)
	mbfxCapture(t, svc, "2025-10-07T00:00:00Z", "", oxide9g("R2", "2025-10-06T00:00:00Z", "O2", 0.5))
	mbfxCapture(t, svc, "2025-10-08T00:00:00Z", "", lateAssay9d("AS2", "2025-10-06T00:00:00Z", "urn:t:lot:O2", "20"))
	cl := claim("O2")
	if cl.Status != custody.ClaimAccepted || math.Abs(cl.Tonnes-0.4) > 1e-9 || strings.Join(cl.ReassayedBy, " ") != "urn:t:ev:AS2" ||
		!strings.Contains(cl.ReassayNote, "claimed lot reassayed by urn:t:ev:AS2: it holds 0.2 t Nd+Pr by its assays now; the claim rests on the 0.4 t Nd+Pr it held when claimed") {
		t.Errorf("O2 after AS2: status %s tonnes %v reassayedBy %v note %q, want accepted, keeping 0.4 t, naming AS2", cl.Status, cl.Tonnes, cl.ReassayedBy, cl.ReassayNote)
	}
	err := mbfxTry(svc, "2025-10-09T12:00:00Z", mbfxOxide("R3", "2025-10-09T00:00:00Z", []string{"CN:10"}, "O3", 0.625, claimPAK))
	if err == nil || !strings.Contains(err.Error(), "shortfall 0.1 t") {
		t.Errorf("O3's 0.5 t on 0.4 t: %v, want refused, shortfall 0.1 t", err)
	}
	st := stmt("2025-10")
	sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.8, 0.4, 0, 0.4)
	for _, e := range line9gEntries(st, "claim") {
		if e.Lot == "urn:t:lot:O2" && !strings.Contains(e.Note, "urn:t:ev:AS2") {
			t.Errorf("O2's claim entry note %q, want naming AS2", e.Note)
		}
	}
}

// TestCarriedDeficitRepaidCoversClaim (fix9g defect 3, carried): a
// deficit carried into the next period and repaid by its credits leaves
// the claim covered in the origin (which reads the balance now), while
// the earlier period's statement keeps the deficit it closed with.
//
//	As TestDeficitAllocatedFromLast: October closes −0.55 t, O3 0.4 and
//	  O2 0.15 t short.
//	R4 (Nov 3): PK2 20 t → O4 1 t at Nd 60 % + Pr 20 %: credit, element
//	  by element (fix9ad), Nd min(20 × 4 % × 0.9 = 0.72, 0.6) + Pr
//	  min(20 × 1 % × 0.9 = 0.18, 0.2) = 0.78 t, repaying 0.55 t: O2 and
//	  O3 covered by R4.
//	Statement Nov PAK: opening −0.55, credits 0.78, claims 0, closing
//	  0.23, no deficit; October's still closes −0.55 (O2 0.15 + O3 0.4).
func TestCarriedDeficitRepaidCoversClaim(t *testing.T) {
	svc, claim, stmt := setup9g(t)
	mbfxDeficit9g(t, svc)
	mbfxCapture(t, svc, "2025-11-03T12:00:00Z", "", mbfxOxide("R4", "2025-11-03T00:00:00Z", []string{"PK2:20"}, "O4", 1, ""))
	for _, lot := range []string{"O2", "O3"} {
		if cl := claim(lot); cl.Status != custody.ClaimAccepted || strings.Join(cl.CoveredBy, " ") != "urn:t:ev:R4" {
			t.Errorf("%s after R4: status %s shortfall %v coveredBy %v, want covered again by urn:t:ev:R4", lot, cl.Status, cl.Shortfall, cl.CoveredBy)
		}
	}
	nov := stmt("2025-11")
	sameLine(t, "Nov", line(t, nov, "ree", "PAK"), -0.55, 0.78, 0, 0, 0.23)
	if len(shortfalls9g(nov)) != 0 {
		t.Errorf("November refused %+v, want no booked claim short", nov.Refused)
	}
	oct := stmt("2025-10")
	sameLine(t, "Oct", line(t, oct, "ree", "PAK"), 0, 0.25, 0.8, 0, -0.55)
	if sf := shortfalls9g(oct); math.Abs(sf["urn:t:lot:O2"]-0.15) > 1e-9 || math.Abs(sf["urn:t:lot:O3"]-0.4) > 1e-9 {
		t.Errorf("October shortfalls %v, want O2 0.15, O3 0.4 t", sf)
	}
}

// TestLowerReassayWithClaimInOneDocument (fix9g defect 4, capture): the
// lower reassay of O2 and a new claim in one document — the capture check
// reads O2's claim as it was accepted too, so the reassay frees nothing
// for the claim beside it. As TestLowerReassayKeepsClaim: O2 keeps 0.4 t
// of 0.8 t; O3's 0.5 t is refused 0.5 − 0.4 = 0.1 t short.
func TestLowerReassayWithClaimInOneDocument(t *testing.T) {
	svc, _, _ := setup9g(t)
	mbfxCapture(t, svc, "2025-10-07T00:00:00Z", "", oxide9g("R2", "2025-10-06T00:00:00Z", "O2", 0.5))
	err := mbfxTry(svc, "2025-10-09T12:00:00Z", lateAssay9d("AS2", "2025-10-06T00:00:00Z", "urn:t:lot:O2", "20"),
		mbfxOxide("R3", "2025-10-09T00:00:00Z", []string{"CN:10"}, "O3", 0.625, claimPAK))
	if err == nil || !strings.Contains(err.Error(), "shortfall 0.1 t") {
		t.Errorf("O3's 0.5 t beside O2's reassay: %v, want refused, shortfall 0.1 t", err)
	}
}

// TestLaterLowerAssayNamed (fix9g defect 4, an assay dated after the
// claim): the claim keeps its 0.4 t (the lot as claimed) and names the
// assay that puts O2 at 0.5 × (20 + 20) % = 0.2 t now.
func TestLaterLowerAssayNamed(t *testing.T) {
	svc, claim, stmt := setup9g(t)
	mbfxCapture(t, svc, "2025-10-07T00:00:00Z", "", oxide9g("R2", "2025-10-06T00:00:00Z", "O2", 0.5))
	mbfxCapture(t, svc, "2025-10-08T00:00:00Z", "", lateAssay9d("AS3", "2025-10-07T00:00:00Z", "urn:t:lot:O2", "20"))
	cl := claim("O2")
	if cl.Status != custody.ClaimAccepted || math.Abs(cl.Tonnes-0.4) > 1e-9 || strings.Join(cl.ReassayedBy, " ") != "urn:t:ev:AS3" ||
		!strings.Contains(cl.ReassayNote, "claimed lot reassayed by urn:t:ev:AS3: it holds 0.2 t Nd+Pr by its assays now; the claim rests on the 0.4 t Nd+Pr it held when claimed") {
		t.Errorf("O2 after AS3: status %s tonnes %v reassayedBy %v note %q, want accepted, keeping 0.4 t, naming AS3", cl.Status, cl.Tonnes, cl.ReassayedBy, cl.ReassayNote)
	}
	// Credits 0.8, claims 0.4 (as taken), closing 0.4.
	sameLine(t, "Oct", line(t, stmt("2025-10"), "ree", "PAK"), 0, 0.8, 0.4, 0, 0.4)
}
