package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestNotCoveredClaimStaysBooked (issue 9, fix9e F1): a claim accepted at
// capture that a later fact leaves not covered stays booked in full, so
// its credits are never free for a new claim (docs/origin.md "At
// capture": an accepted claim is a statement already made to a buyer).
//
//	R1 (Oct 5): PK, 100 t at Nd 4 % + Pr 1 % (PAK) → O1, 1 t at Nd 60 % +
//	  Pr 20 %: credit min(100 × 5 % × 0.9 = 4.5, 1 × 80 % = 0.8) = 0.8 t.
//	R2 (Oct 6): CN (CHN) 10 t → O2, 1 t at 80 %, claiming Pakistan:
//	  0.8 t ≤ 0.8 t → accepted at capture; balance 0.
//	AS1 (dated Oct 5, recorded Oct 8): O1 is Nd 30 %: it holds 1 × (30 +
//	  20) % = 0.5 t, so R1 credits 0.5 t; O2 is not covered, shortfall
//	  0.8 − 0.5 = 0.3 t, and stays booked: balance 0.5 − 0.8 = −0.3 t.
//	R3 (Oct 9): CN 10 t → O3, 0.5 t at 80 % = 0.4 t claiming Pakistan:
//	  refused, 0.4 − (−0.3) = 0.7 t short; nothing stored.
//	Statement Oct PAK: opening 0, credits 0.5, claims 0.8, closing −0.3,
//	  the deficit naming O2.
func TestNotCoveredClaimStaysBooked(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("PK", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("CN", "ree_concentrate", "CHN", 100, "Nd:4", "Pr:1"),
		runOf("R1", "mb", "2025-10-05T00:00:00Z", []string{"PK:100"}, product{lot: "O1", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}})))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-07T00:00:00Z")
	if err := capture(svc, runOf("R2", "mb", "2025-10-06T00:00:00Z", []string{"CN:10"}, product{lot: "O2", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK})); err != nil {
		t.Fatalf("O2's claim of 0.8 t on 0.8 t: %v, want accepted", err)
	}
	svc.Now = clockAt("2025-10-08T00:00:00Z")
	if err := capture(svc, lateAssay9d("AS1", "2025-10-05T00:00:00Z", "urn:t:lot:O1", "30")); err != nil {
		t.Fatalf("re-assay of O1: %v, want stored", err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O2", false)
	if err != nil || o.Claimed == nil {
		t.Fatalf("O2: %+v %v", o, err)
	}
	if cl := o.Claimed; cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || math.Abs(cl.Shortfall-0.3) > 1e-9 || !strings.Contains(cl.Error, "not covered") {
		t.Errorf("O2 after AS1: status %s shortfall %v error %q, want not covered, shortfall 0.3 t", cl.Status, cl.Shortfall, cl.Error)
	}
	svc.Now = clockAt("2025-10-09T12:00:00Z")
	err = capture(svc, runOf("R3", "mb", "2025-10-09T00:00:00Z", []string{"CN:10"}, product{lot: "O3", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK}))
	if err == nil || !strings.Contains(err.Error(), "shortfall 0.7 t") || !strings.Contains(err.Error(), "urn:t:lot:O2") {
		t.Fatalf("O3's claim of 0.4 t on a balance of −0.3 t: %v, want refused, shortfall 0.7 t, naming the deficit of O2", err)
	}
	if l, err := db.FindLot(ctx, "urn:t:lot:O3"); err == nil && l != nil && l.OriginClaim != nil {
		t.Errorf("refused claim stored: %+v", l)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	pak := line(t, st, "ree", "PAK")
	sameLine(t, "Oct", pak, 0, 0.5, 0.8, 0, -0.3)
	if strings.Join(pak.DeficitBy, " ") != "urn:t:lot:O2" {
		t.Errorf("PAK line deficitBy %v, want O2", pak.Notes)
	}
	if err := custody.CheckStatement(st); err != nil {
		t.Errorf("CheckStatement of a deficit left by a booked claim: %v", err)
	}
	booked := false
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:O2" && r.Booked && math.Abs(r.Shortfall-0.3) < 1e-9 {
			booked = true
		}
	}
	if !booked {
		t.Errorf("statement's refused %+v, want O2 booked, shortfall 0.3 t", st.Refused)
	}
	// A deficit with no booked claim behind it is still refused.
	for i := range st.Categories {
		for j := range st.Categories[i].Lines {
			st.Categories[i].Lines[j].DeficitBy = nil
		}
	}
	if err := custody.CheckStatement(st); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("CheckStatement of a negative closing with no booked claim: %v, want refused", err)
	}
}

// TestDeclaredProductAssayNamed (issue 9, fix9e F2a): the re-assay of
// the credit run's PRODUCT O1 that left O2 not covered (see
// TestNotCoveredClaimStaysBooked: credit 0.5 t, O2 0.3 t short) is
// declared in error on Oct 10: O1 is 80 % again, R1 credits 0.8 t, and
// O2's 0.8 t is covered again (0.8 ≤ 0.8), its coveredAgainBy and
// coverageNote naming AS1; the October PAK line closes 0.8 − 0.8 = 0.
func TestDeclaredProductAssayNamed(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("PK", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("CN", "ree_concentrate", "CHN", 100, "Nd:4", "Pr:1"),
		runOf("R1", "mb", "2025-10-05T00:00:00Z", []string{"PK:100"}, product{lot: "O1", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}})))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-07T00:00:00Z")
	if err := capture(svc, runOf("R2", "mb", "2025-10-06T00:00:00Z", []string{"CN:10"}, product{lot: "O2", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK})); err != nil {
		t.Fatal(err)
	}
	svc.Now = clockAt("2025-10-08T00:00:00Z")
	as1 := lateAssay9d("AS1", "2025-10-05T00:00:00Z", "urn:t:lot:O1", "30")
	if err := capture(svc, as1); err != nil {
		t.Fatal(err)
	}
	svc.Now = clockAt("2025-10-10T00:00:00Z")
	if err := capture(svc, declared9d(as1, "2025-10-10T00:00:00Z")); err != nil {
		t.Fatalf("declaring AS1 in error: %v", err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O2", false)
	if err != nil || o.Claimed == nil {
		t.Fatalf("O2: %+v %v", o, err)
	}
	cl := o.Claimed
	if cl.Status != custody.ClaimAccepted || strings.Join(cl.CoveredAgainBy, " ") != "urn:t:ev:AS1" || !strings.Contains(cl.CoverageNote, "declared in error") || !strings.Contains(cl.CoverageNote, "urn:t:lot:O1") {
		t.Errorf("O2 after AS1 declared in error: status %s coveredAgainBy %v note %q, want accepted, naming the declaration of AS1 (assay of lot O1)", cl.Status, cl.CoveredAgainBy, cl.CoverageNote)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0.8, 0.8, 0, 0)
}

// TestNotCoveredClaimText (fix9e F4): the one wording of a refused claim
// (RefusedClaimText: lot page, lot list, lots CSV, CLI) says "not
// covered" and names the event for a claim accepted at capture that a
// later fact left not covered, and "claim refused" for one refused at
// capture. The words follow Status (fix9ae): a refused claim naming a
// later fact reads "claim refused … refused since" it, never "not
// covered" beside a "refused" status.
func TestNotCoveredClaimText(t *testing.T) {
	cl := &custody.Claim{Status: custody.ClaimNotCovered, ByCountry: []custody.Share{{Key: "PAK", Name: "Pakistan", Share: 1, Tonnes: 0.8}}, AssayedBy: []string{"urn:t:ev:AS1"}}
	if got := custody.RefusedClaimText(cl); !strings.HasPrefix(got, "claim not covered: stated Pakistan 100.0 %") || !strings.Contains(got, "urn:t:ev:AS1") || strings.Contains(got, "refused") {
		t.Errorf("not covered claim reads %q, want not covered naming urn:t:ev:AS1", got)
	}
	cl.Status = custody.ClaimRefused
	if got := custody.RefusedClaimText(cl); !strings.HasPrefix(got, "claim refused: stated Pakistan 100.0 % — refused since urn:t:ev:AS1") || strings.Contains(got, "not covered") {
		t.Errorf("refused claim naming AS1 reads %q, want refused since urn:t:ev:AS1", got)
	}
	cl.AssayedBy = nil
	if got := custody.RefusedClaimText(cl); !strings.HasPrefix(got, "claim refused: stated Pakistan 100.0 %") {
		t.Errorf("claim refused at capture reads %q", got)
	}
}
