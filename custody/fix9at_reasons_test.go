package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// fix9at (new-user check): the reasons a claim gives for going uncovered
// name only the events that changed its coverage, by their kind, in the
// order of cause and effect.
//
// The set-up, at site mb (declaration(): Nd + Pr at factor 0.9), each
// Pakistani feed 10 t at Nd 4 % + Pr 1 % (0.4 t Nd, 0.1 t Pr):
//
//	R1 (Oct 5): PK → O1 0.6 t at Nd 60 % + Pr 15 %: credit PAK
//	  min(0.4 × 0.9, 0.36) + min(0.1 × 0.9, 0.09) = 0.45 t.
//	R1b, R1c, R1d (Oct 6): PK2, PK3, PK4 → as O1: 0.45 t each.
//	R1b, R1c, R1d declared in error on Oct 8: PAK credits 0.45 t.
//	R2 (Oct 10, recorded Oct 10 12:00): CN 10 t → O2 0.25 t at Nd 60 %
//	  + Pr 20 % = 0.2 t, claiming Pakistan: 0.2 ≤ 0.45, accepted.
//
// The three declarations were recorded before the claim: they were in
// force when it was judged at capture, and no one of them can have left
// it short.
func fix9atStore(t *testing.T) (*sqldb.DB, *ledger.Service, map[string]string) {
	t.Helper()
	runOnly := func(ev string) string { return ev[:strings.Index(ev, `},{"type": "ObjectEvent"`)+1] }
	ev := map[string]string{
		"R1":  fix9aiRun("R1", "2025-10-05T00:00:00Z", "PK", "O1", 0.6, "Pr:15", ""),
		"R1b": fix9aiRun("R1b", "2025-10-06T00:00:00Z", "PK2", "O1b", 0.6, "Pr:15", ""),
		"R1c": fix9aiRun("R1c", "2025-10-06T01:00:00Z", "PK3", "O1c", 0.6, "Pr:15", ""),
		"R1d": fix9aiRun("R1d", "2025-10-06T02:00:00Z", "PK4", "O1d", 0.6, "Pr:15", ""),
		"R2":  fix9aiRun("R2", "2025-10-10T00:00:00Z", "CN", "O2", 0.25, "Pr:20", claimPAK),
	}
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, mbfxREE("PK", "PAK", 10), mbfxREE("PK2", "PAK", 10), mbfxREE("PK3", "PAK", 10),
		mbfxREE("PK4", "PAK", 10), mbfxREE("CN", "CHN", 10)))
	if err := custody.DeclareMassBalance(context.Background(), db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := mbfxService(db)
	mbfxCapture(t, svc, "2025-10-05T12:00:00Z", "R1", ev["R1"])
	mbfxCapture(t, svc, "2025-10-06T12:00:00Z", "R1b, R1c, R1d", ev["R1b"], ev["R1c"], ev["R1d"])
	for _, k := range []string{"R1b", "R1c", "R1d"} {
		retractEvent(t, svc, runOnly(ev[k]), "2025-10-08T00:00:00Z")
	}
	mbfxCapture(t, svc, "2025-10-10T12:00:00Z", "R2 (0.2 t on 0.45 t)", ev["R2"])
	for k := range ev {
		ev[k] = runOnly(ev[k])
	}
	return db, svc, ev
}

// fix9atRow is O2's statement row of October, read on Oct 20.
func fix9atRow(t *testing.T, db *sqldb.DB) custody.RefusedClaim {
	t.Helper()
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:O2" {
			return r
		}
	}
	t.Fatalf("O2 is no row of October's statement: %+v", st.Refused)
	return custody.RefusedClaim{}
}

// TestDeclarationBeforeClaimNeverBrokeIt (fix9at item 1): only a
// declaration recorded after the claim is named as what left it short.
//
//	R1 declared in error on Oct 12, after the claim: PAK credits 0, O2
//	  not covered, shortfall 0.2 − 0 = 0.2 t — R1 alone broke it.
//	Or AS1 (assay of PK dated Oct 4, recorded Oct 12) puts PK at Nd 1 %:
//	  R1 credits Nd min(0.1 × 0.9, 0.36) + Pr 0.09 = 0.18 t, O2 short
//	  0.2 − 0.18 = 0.02 t — the assay broke it, no declaration did.
//
// Before, putting back R1b, R1c or R1d (each 0.45 t) alone covered O2
// too, so the error read "covered until the retraction of R1, R1b, R1c,
// R1d" (and "of R1b, R1c, R1d" after the assay), though those were
// declared before O2 was made.
func TestDeclarationBeforeClaimNeverBrokeIt(t *testing.T) {
	for _, c := range []struct {
		name      string
		later     func(*testing.T, *ledger.Service, map[string]string)
		shortfall float64
		retracted string
		want      string
	}{
		{"R1 declared after the claim", func(t *testing.T, svc *ledger.Service, ev map[string]string) {
			retractEvent(t, svc, ev["R1"], "2025-10-12T00:00:00Z")
		}, 0.2, "urn:t:ev:R1", "the claim was covered until the retraction of the run of event urn:t:ev:R1 (no transformationID, 2025-10-05) declared in error on 2025-10-12T00:00:00Z (reason incorrect_data): the credits it rested on were removed, so it no longer stands"},
		{"an assay recorded after the claim", func(t *testing.T, svc *ledger.Service, _ map[string]string) {
			mbfxCapture(t, svc, "2025-10-12T00:00:00Z", "AS1", lateAssay9d("AS1", "2025-10-04T00:00:00Z", "urn:t:lot:PK", "1"))
		}, 0.02, "", "no longer covered since assay urn:t:ev:AS1 of lot urn:t:lot:PK"},
	} {
		t.Run(c.name, func(t *testing.T) {
			db, svc, ev := fix9atStore(t)
			c.later(t, svc, ev)
			r := fix9atRow(t, db)
			if r.Status != custody.ClaimNotCovered || !near(r.Shortfall, c.shortfall) {
				t.Fatalf("O2: status %s shortfall %v, want not covered, %v t", r.Status, r.Shortfall, c.shortfall)
			}
			if got := strings.Join(r.RetractedBy, " "); got != c.retracted {
				t.Errorf("O2 retractedBy %q, want %q", got, c.retracted)
			}
			if !strings.Contains(r.Error, c.want) {
				t.Errorf("O2's error lacks %q:\n%s", c.want, r.Error)
			}
			for _, before := range []string{"urn:t:ev:R1b", "urn:t:ev:R1c", "urn:t:ev:R1d"} {
				if strings.Contains(r.Error, before) {
					t.Errorf("O2's error names %s, declared in error before the claim was made:\n%s", before, r.Error)
				}
			}
			if cl := mbfxClaim(t, db, "O2"); strings.Join(cl.RetractedBy, " ") != c.retracted || strings.Contains(custody.RefusedClaimText(cl), "R1b") {
				t.Errorf("O2's origin names %v: %s", cl.RetractedBy, custody.RefusedClaimText(cl))
			}
		})
	}
}

// TestCoveredAgainNamesCreditNotAssay (fix9at item 1): a claim covered
// again by a later assay that re-figured a credit names the credit's own
// event and the assay as an assay.
//
//	R1 (Oct 5): PK → O1, credit 0.45 t. R2 (Oct 10): O2 claims 0.2 t,
//	  accepted.
//	AS1 (assay of PK dated Oct 4, recorded Oct 12): Nd 1 %: credit
//	  0.09 + 0.09 = 0.18 t, O2 short 0.02 t.
//	AS2 (assay of PK dated Oct 15, recorded Oct 16): Nd 4 %: R1's credit
//	  re-figured to 0.36 + 0.09 = 0.45 t, O2 covered again.
//	AS2 declared in error (Oct 18): 0.18 t again, O2 short 0.02 t.
//
// Before, the error read "covered again by credit(s) urn:t:ev:AS2 until
// the retraction of event urn:t:ev:AS2 (assay …)": AS2 is no credit.
func TestCoveredAgainNamesCreditNotAssay(t *testing.T) {
	r1 := fix9aiRun("R1", "2025-10-05T00:00:00Z", "PK", "O1", 0.6, "Pr:15", "")
	r2 := fix9aiRun("R2", "2025-10-10T00:00:00Z", "CN", "O2", 0.25, "Pr:20", claimPAK)
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, mbfxREE("PK", "PAK", 10), mbfxREE("CN", "CHN", 10)))
	if err := custody.DeclareMassBalance(context.Background(), db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := mbfxService(db)
	mbfxCapture(t, svc, "2025-10-05T12:00:00Z", "R1", r1)
	mbfxCapture(t, svc, "2025-10-10T12:00:00Z", "R2", r2)
	mbfxCapture(t, svc, "2025-10-12T00:00:00Z", "AS1", lateAssay9d("AS1", "2025-10-04T00:00:00Z", "urn:t:lot:PK", "1"))
	as2 := lateAssay9d("AS2", "2025-10-15T00:00:00Z", "urn:t:lot:PK", "4")
	mbfxCapture(t, svc, "2025-10-16T00:00:00Z", "AS2", as2)
	if cl := mbfxClaim(t, db, "O2"); cl.Status != custody.ClaimAccepted {
		t.Fatalf("O2 after AS2: %s, want covered again", cl.Status)
	}
	mbfxCapture(t, svc, "2025-10-18T00:00:00Z", "AS2 declared in error", declared9d(as2, "2025-10-18T00:00:00Z"))
	r := fix9atRow(t, db)
	if r.Status != custody.ClaimNotCovered || !near(r.Shortfall, 0.02) || strings.Join(r.RetractedBy, " ") != "urn:t:ev:AS2" {
		t.Fatalf("O2: status %s shortfall %v retractedBy %v, want not covered 0.02 t, AS2", r.Status, r.Shortfall, r.RetractedBy)
	}
	const want = "the claim was covered again by credit(s) urn:t:ev:R1, figured with the assay urn:t:ev:AS2, until the retraction of event urn:t:ev:AS2 (assay of lot urn:t:lot:PK, 2025-10-15) declared in error on 2025-10-18T00:00:00Z (reason incorrect_data): without the assay the credits that had repaid its share of the deficit are lower, so it is short again"
	if !strings.Contains(r.Error, want) || strings.Contains(r.Error, "credit(s) urn:t:ev:AS2") {
		t.Errorf("O2's error:\n%s\nwant %q", r.Error, want)
	}
	if !strings.Contains(r.Error, "no longer covered since assay urn:t:ev:AS1") {
		t.Errorf("O2's error lost the assay that first left it short:\n%s", r.Error)
	}
}

// TestShortWhenMade (fix9at item 1): a claim stored without the capture
// check (history recorded late) after the credit run it would rest on
// was declared in error was never covered: it is refused and says it was
// short when made, never "covered until the retraction".
//
//	R1 (Oct 5): PK → O1, credit 0.45 t; R1 declared in error Oct 8:
//	  PAK credits 0.
//	R2 (Oct 10, recorded Oct 10 12:00 unchecked): O2 claims 0.2 t of
//	  Pakistan on 0 t: refused, shortfall 0.2 t, takes nothing.
//	October PAK: opening 0, credits 0, claims 0, expired 0, closing 0.
//
// Before, the account read R1's retraction as what broke it, booked the
// claim as accepted at capture — not covered, PAK claims 0.2 t, closing
// −0.2 t — and its error read "covered until the retraction of … R1".
func TestShortWhenMade(t *testing.T) {
	r1 := fix9aiRun("R1", "2025-10-05T00:00:00Z", "PK", "O1", 0.6, "Pr:15", "")
	r2 := fix9aiRun("R2", "2025-10-10T00:00:00Z", "CN", "O2", 0.25, "Pr:20", claimPAK)
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, mbfxREE("PK", "PAK", 10), mbfxREE("CN", "CHN", 10)))
	if err := custody.DeclareMassBalance(context.Background(), db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := mbfxService(db)
	mbfxCapture(t, svc, "2025-10-05T12:00:00Z", "R1", r1)
	retractEvent(t, svc, r1[:strings.Index(r1, `},{"type": "ObjectEvent"`)+1], "2025-10-08T00:00:00Z")
	unchecked := ledger.NewService(db) // no ClaimCheck: history recorded as it was
	unchecked.Now = clockAt("2025-10-10T12:00:00Z")
	if err := capture(unchecked, r2); err != nil {
		t.Fatal(err)
	}
	st := mbfxStatement(t, db, "2025-10", time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	sameLine(t, "Oct", line(t, st, "ree", "PAK"), 0, 0, 0, 0, 0)
	r := fix9atRow(t, db)
	if r.Status != custody.ClaimRefused || r.Booked || len(r.RetractedBy) != 0 || !near(r.Shortfall, 0.2) {
		t.Fatalf("O2: status %s booked %v retractedBy %v shortfall %v, want refused, not booked, naming no retraction, 0.2 t", r.Status, r.Booked, r.RetractedBy, r.Shortfall)
	}
	const want = "the claim was short when made (recorded 2025-10-10T12:00:00Z): the retraction of the run of event urn:t:ev:R1 (no transformationID, 2025-10-05) declared in error on 2025-10-08T00:00:00Z (reason incorrect_data), recorded before it, had already removed the credits it would rest on, so it was never covered"
	if !strings.Contains(r.Error, want) || strings.Contains(r.Error, "covered until") {
		t.Errorf("O2's error:\n%s\nwant %q", r.Error, want)
	}
}
