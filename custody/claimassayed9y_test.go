package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestClaimOnGainedRunBookedAtAssay (issue 9, fix9y item 1, the new-user
// case): a claim on a lot whose run gained element is booked and checked
// at the lot's assayed contained element, the same figure at capture and
// when read — never at its capped figure. The cap stays on the credits
// (a gain never earns credit). In mbStore, captured on November 25, the
// Pakistani REE balance open on November 20 is October's 1.7 t left
// (4.5 − 1.6 O1 − 0.8 O3 − 0.4 K) + November's 0.9 t (A2) = 2.6 t.
//
// Runs G1..G4 (Nov 20) each take 1 t of C2 (Chinese, Nd 4 % + Pr 1 % =
// 0.05 t Nd+Pr in) and make 1 t of oxide at Nd 60 % + Pr 20 % = 0.8 t
// assayed, each claiming Pakistan 100 %: element_gain, the lot's
// physical figure capped at 0.05 t; credits CHN 0.05 × 0.9 = 0.045 t.
//
//	G1: 0.8 ≤ 2.6, accepted → 1.8 left
//	G2: 0.8 ≤ 1.8, accepted → 1.0 left
//	G3: 0.8 ≤ 1.0, accepted → 0.2 left
//	G4: 0.8 > 0.2, refused, shortfall 0.8 − 0.2 = 0.6 t
//
// Before, each accepted claim was booked at its capped 0.05 t while the
// capture checked the next at 0.8 t: all four passed, 3.2 t claimed
// against 2.6 t of credit.
func TestClaimOnGainedRunBookedAtAssay(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	for _, id := range []string{"G1", "G2", "G3"} {
		if err := capture(svc, oxideRunFrom(id, "2025-11-20T00:00:00Z", id, 1, claimPAK, "C2", 1)); err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		o, err := custody.OriginOf(ctx, db, "urn:t:lot:"+id, false)
		if err != nil {
			t.Fatal(err)
		}
		if cl := o.Claimed; cl == nil || cl.Status != custody.ClaimAccepted || math.Abs(cl.Tonnes-0.8) > 1e-9 || math.Abs(cl.Contains-0.05) > 1e-9 || cl.NotCovered != 0 {
			// Booked at its assayed 0.8 t; it contains now what its physical
			// origin counts, capped at 0.04 + 0.01 = 0.05 t (fix9ab).
			t.Fatalf("%s's claim %+v, want accepted for its assayed 0.8 t, containing the capped 0.05 t", id, cl)
		}
		if !near(o.Elements["Nd"].Recorded(), 0.04) || !near(o.Elements["Pr"].Recorded(), 0.01) {
			t.Errorf("%s physical: Nd %v, Pr %v t recorded, want capped at 0.04 and 0.01", id, o.Elements["Nd"].Recorded(), o.Elements["Pr"].Recorded())
		}
	}
	err := capture(svc, oxideRunFrom("G4", "2025-11-20T00:00:00Z", "G4", 1, claimPAK, "C2", 1))
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("G4: %v, want refused", err)
	}
	for _, want := range []string{"site urn:t:site:mb", "category ree", "period 2025-11", "lot urn:t:lot:G4 claims 0.8 t Nd+Pr", "shortfall 0.6 t"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("G4 refusal lacks %q: %v", want, err)
		}
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", nil, time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	// Claims PAK: O3 0.8 + K 0.4 + G1..G3 3 × 0.8 = 3.6 t; credits CHN
	// 0.45 (E6) + 3 × 0.045 = 0.585 t (the gain earns none).
	if l := line(t, st, "ree", "PAK"); math.Abs(l.Claims-3.6) > 1e-9 {
		t.Errorf("PAK line %+v, want claims 3.6 t", l)
	}
	if l := line(t, st, "ree", "CHN"); math.Abs(l.Credits-0.585) > 1e-9 {
		t.Errorf("CHN line %+v, want credits 0.585 t", l)
	}
}
