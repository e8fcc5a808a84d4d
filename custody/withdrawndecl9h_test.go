package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestWithdrawnDeclarationNeverNamed (issue 9, fix9h defect 5): a claim's
// coveredAgainBy names only an effective declaration. The new user's
// case: G1 is left short by the late assay AS2 (TestLateInputAssay-
// UncoversClaim: 2.5 t claimed against 2.24 t, 0.26 t short), AS2 is
// declared in error (D1, Nov 27) and G1 is covered again, naming AS2.
// The user then "withdraws" D1 by declaring AS2 in error again (D2, Nov
// 28, another reason). EPCIS 2.0 §7.4.1.2 has no withdrawal of a
// declaration — a second declaration would only be stored silently while
// the claim went on naming D1's withdrawal as if it were the user's
// intent. D2 is refused (ECONFLICT naming errorDeclaration and the
// existing declaration) and nothing is stored; the remedy the refusal
// names — the assay captured again under a new eventID, AS2b — leaves G1
// not covered again (0.26 t short, as with AS2), naming AS2b, and
// coveredAgainBy no longer names AS2.
func TestWithdrawnDeclarationNeverNamed(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, oxideRunFrom("G1", "2025-11-20T00:00:00Z", "G1", 3.125, claimPAK, "CBIG", 100)); err != nil {
		t.Fatalf("G1: %v", err)
	}
	claim := func() *custody.Claim {
		t.Helper()
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:G1", false)
		if err != nil || o.Claimed == nil {
			t.Fatalf("G1 origin: %+v %v", o, err)
		}
		return o.Claimed
	}
	svc.Now = clockAt("2025-11-26T00:00:00Z")
	as2 := lateAssay9d("AS2", "2025-11-09T00:00:00Z", "urn:t:lot:A2", "2")
	if err := capture(svc, as2); err != nil {
		t.Fatal(err)
	}
	svc.Now = clockAt("2025-11-27T00:00:00Z")
	if err := capture(svc, declared9d(as2, "2025-11-27T00:00:00Z")); err != nil {
		t.Fatal(err)
	}
	if cl := claim(); cl.Status != custody.ClaimAccepted || strings.Join(cl.CoveredAgainBy, " ") != "urn:t:ev:AS2" {
		t.Fatalf("G1 after D1: %+v, want accepted, covered again by AS2's declaration", cl)
	}
	svc.Now = clockAt("2025-11-28T00:00:00Z")
	d2 := strings.Replace(declared9d(as2, "2025-11-28T00:00:00Z"), `"incorrect_data"`, `"did_not_occur"`, 1)
	err := capture(svc, d2)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "already declared in error") || !strings.Contains(err.Error(), "2025-11-27") {
		t.Fatalf("D2, a second declaration of AS2: %v; want ECONFLICT naming the existing declaration of 2025-11-27", err)
	}
	// The remedy: the assay again under a new eventID.
	svc.Now = clockAt("2025-11-29T00:00:00Z")
	if err := capture(svc, lateAssay9d("AS2b", "2025-11-09T00:00:00Z", "urn:t:lot:A2", "2")); err != nil {
		t.Fatal(err)
	}
	// A2 at Nd 2 % again: credits 20 × 3 % × 0.9 = 0.54 t, G1 2.5 − 2.24
	// = 0.26 t short, named by AS2b; AS2's declaration is no cause of
	// its coverage any more.
	cl := claim()
	if cl.Status != custody.ClaimNotCovered || strings.Join(cl.AssayedBy, " ") != "urn:t:ev:AS2b" || !near(cl.Shortfall, 0.26) {
		t.Errorf("G1 after AS2b: status %s assayedBy %v shortfall %v, want not_covered naming AS2b, 0.26 t short", cl.Status, cl.AssayedBy, cl.Shortfall)
	}
	if len(cl.CoveredAgainBy) > 0 {
		t.Errorf("G1 after AS2b names coveredAgainBy %v, want none: it is not covered", cl.CoveredAgainBy)
	}
}
