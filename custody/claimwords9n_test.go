package custody_test

import (
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// fix9n: a claim's error and history say what was left for THAT claim
// and which origin was short and repaid.

// TestBalanceHoldsIsThatClaims (fix9n item 1): every "balance holds"
// figure of a booked claim's error is what was left for that claim, so
// that claimed − holds = shortfall.
//
//	As TestDeficitRepaidCoversClaim: O2 and O3 claim 0.4 t PAK each;
//	  AS1 leaves R1's credit 0.25 t: deficit 0.8 − 0.25 = 0.55 t, from
//	  the last: O3 short 0.4 t (holds 0.4 − 0.4 = 0), O2 short 0.15 t
//	  (holds 0.4 − 0.15 = 0.25).
//	R4 (Oct 12): credit 0.45 t: deficit 0.55 − 0.45 = 0.1 t, O3's:
//	  O3 holds 0.4 − 0.1 = 0.3 t, never −0.15 t (what the balance read
//	  when O3 was replayed after O2 took the 0.25 t).
func TestBalanceHoldsIsThatClaims(t *testing.T) {
	svc, claim, stmt := setup9g(t)
	svc.Now = clockAt("2025-10-07T00:00:00Z")
	if err := capture(svc, oxide9g("R2", "2025-10-06T00:00:00Z", "O2", 0.5), oxide9g("R3", "2025-10-06T01:00:00Z", "O3", 0.5)); err != nil {
		t.Fatal(err)
	}
	svc.Now = clockAt("2025-10-08T00:00:00Z")
	if err := capture(svc, lateAssay9d("AS1", "2025-10-05T00:00:00Z", "urn:t:lot:O1", "5")); err != nil {
		t.Fatal(err)
	}
	check := func(when, lot, holds, short string) {
		t.Helper()
		cl := claim(lot)
		if !strings.Contains(cl.Error, "claims 0.4 t Nd+Pr of Pakistan origin but the balance holds "+holds+" t (shortfall "+short+" t") {
			t.Errorf("%s: %s's error %q, want holds %s t, shortfall %s t", when, lot, cl.Error, holds, short)
		}
		for _, r := range stmt("2025-10").Refused {
			if r.Lot == "urn:t:lot:"+lot && !strings.Contains(r.Error, "the balance holds "+holds+" t") {
				t.Errorf("%s: %s's statement row error %q, want holds %s t", when, lot, r.Error, holds)
			}
		}
	}
	check("after AS1", "O3", "0", "0.4")
	check("after AS1", "O2", "0.25", "0.15")
	svc.Now = clockAt("2025-10-12T12:00:00Z")
	if err := capture(svc, runOf("R4", "mb", "2025-10-12T00:00:00Z", []string{"PK2:10"}, product{lot: "O4", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}})); err != nil {
		t.Fatal(err)
	}
	check("after R4", "O3", "0.3", "0.1")
	if cl := claim("O3"); math.Abs(cl.Shortfall-0.1) > 1e-9 {
		t.Errorf("O3 shortfall %v, want 0.1 t", cl.Shortfall)
	}
}

// TestCoveredAgainNoteOnlyOnRepaidOrigin (fix9n item 4): a mixed claim
// covered again carries the "covered again … repaid by" note only on the
// entry of the origin that was short and repaid.
//
//	As mixed9j: PAK deficit 0.3 t (O2 0.2, O3 0.1); China never short.
//	R4 (Oct 10): PK2 10 t → O4 1 t at 80 %: credit min(10 × 5 % × 0.9 =
//	  0.45, 0.8) = 0.45 t ≥ 0.3: both covered again by R4. O2's PAK
//	  entry names R4; its CHN entry (CHN credited by R2, R3) does not.
func TestCoveredAgainNoteOnlyOnRepaidOrigin(t *testing.T) {
	claim, stmt, more := mixed9j(t)
	more(runOf("R4", "mb", "2025-10-10T00:00:00Z", []string{"PK2:10"}, product{lot: "O4", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}}))
	if cl := claim("O2"); cl.Status != custody.ClaimAccepted || !strings.Contains(cl.CoverageNote, "urn:t:ev:R4") {
		t.Fatalf("O2 after R4: status %s note %q, want covered again by R4", cl.Status, cl.CoverageNote)
	}
	es := claimEntries9j(stmt("2025-10"), "O2")
	if pk := es["PAK"]; !strings.Contains(pk.Note, "covered again") || !strings.Contains(pk.Note, "urn:t:ev:R4") {
		t.Errorf("O2's PAK entry note %q, want covered again by urn:t:ev:R4", pk.Note)
	}
	if cn := es["CHN"]; strings.Contains(cn.Note, "covered again") || strings.Contains(cn.Note, "urn:t:ev:R4") || cn.Shortfall != 0 {
		t.Errorf("O2's CHN entry: note %q shortfall %v, want no covered-again note (China was never short)", cn.Note, cn.Shortfall)
	}
}

// TestCoveredAgainUntilRetraction (fix9n item 2): a claim covered again
// by a later credit goes short again when that credit's run is declared
// in error; its history names the retraction (retractedBy) and says it
// was covered by that credit until its retraction.
//
//	As TestDeficitRepaidCoversClaim: deficit 0.55 t (O3 0.4, O2 0.15);
//	  R4 (Oct 12) credits 0.45 t: 0.1 t left, O3's; O2 covered again.
//	R4 declared in error (Oct 20): credits 0.25 t again, deficit 0.55 t:
//	  O3 0.4, O2 0.15 t short again — because R4 was retracted.
//
// Either R4's run (its credit goes) or its output's assay event (O4 no
// longer assayed: no credit) declared in error leaves O2 short again.
// Either way the credit that had covered O2 again is R4's: the facts
// event is no credit, and is named by its kind (fix9at; before, the
// error read "covered again by credit(s) urn:t:ev:R4-facts-0").
func TestCoveredAgainUntilRetraction(t *testing.T) {
	r4 := runOf("R4", "mb", "2025-10-12T00:00:00Z", []string{"PK2:10"}, product{lot: "O4", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}})
	i := strings.Index(r4, `,{"type": "ObjectEvent"`)
	run, facts := r4[:i], r4[i+1:]
	t.Run("run", func(t *testing.T) {
		coveredAgainUntil(t, r4, declared9d(run, "2025-10-20T00:00:00Z"), "urn:t:ev:R4", "covered again by credit(s) urn:t:ev:R4 until the retraction of ")
	})
	t.Run("assay", func(t *testing.T) {
		coveredAgainUntil(t, r4, declared9d(facts, "2025-10-20T00:00:00Z"), "urn:t:ev:R4-facts-0",
			"covered again by credit(s) urn:t:ev:R4, figured with the commissioning urn:t:ev:R4-facts-0, until the retraction of ")
	})
}

func coveredAgainUntil(t *testing.T, r4, decl, id, again string) {
	svc, claim, stmt := setup9g(t)
	svc.Now = clockAt("2025-10-07T00:00:00Z")
	if err := capture(svc, oxide9g("R2", "2025-10-06T00:00:00Z", "O2", 0.5), oxide9g("R3", "2025-10-06T01:00:00Z", "O3", 0.5)); err != nil {
		t.Fatal(err)
	}
	svc.Now = clockAt("2025-10-08T00:00:00Z")
	if err := capture(svc, lateAssay9d("AS1", "2025-10-05T00:00:00Z", "urn:t:lot:O1", "5")); err != nil {
		t.Fatal(err)
	}
	svc.Now = clockAt("2025-10-12T12:00:00Z")
	if err := capture(svc, r4); err != nil {
		t.Fatal(err)
	}
	if cl := claim("O2"); cl.Status != custody.ClaimAccepted {
		t.Fatalf("O2 after R4: %s, want covered again", cl.Status)
	}
	svc.Now = clockAt("2025-10-20T12:00:00Z")
	if err := capture(svc, decl); err != nil {
		t.Fatal(err)
	}
	cl := claim("O2")
	if cl.Status != custody.ClaimNotCovered || math.Abs(cl.Shortfall-0.15) > 1e-9 {
		t.Fatalf("O2 after R4's retraction: %s shortfall %v, want not covered, 0.15 t", cl.Status, cl.Shortfall)
	}
	if strings.Join(cl.RetractedBy, " ") != id || !strings.Contains(cl.Error, again) ||
		!strings.Contains(cl.Error, "event "+id+" (") || !strings.Contains(cl.Error, "no longer covered since assay urn:t:ev:AS1") {
		t.Errorf("O2 after %s's retraction: retractedBy %v error %q, want it named, covered again until its retraction, and AS1 still named", id, cl.RetractedBy, cl.Error)
	}
	for _, r := range stmt("2025-10").Refused {
		if r.Lot == "urn:t:lot:O2" && strings.Join(r.RetractedBy, " ") != id {
			t.Errorf("O2's statement row retractedBy %v, want %s", r.RetractedBy, id)
		}
	}
}
