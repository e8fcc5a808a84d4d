package custody_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestOpenPeriodExpiryIsProjection (fix9o item 7): expiry happens at the
// period's end, so a statement of a period still open shows what will
// expire then as a projection, never as expired. Site mb, rolling
// average, carry-forward 0 (REE, Nd + Pr, factor 0.9):
//
//	F7, Pakistan, 10 t dry at Nd 4 %, Pr 1 %
//	E7 (Oct 5): F7 10 t → O7 0.5 t at Nd 40 %, Pr 10 % = 0.25 t, claims
//	  Pakistan 100 %: credits 10 × 5 % × 0.9 = 0.45 t, claims 0.25 t;
//	  E7 also makes O7R, 0.3 t at Nd 64 % + Pr 16 % = 0.24 t, no claim, so
//	  its products hold 0.49 ≥ 0.45 t (fix9c; Nd 0.392 ≤ 0.4, Pr 0.098 ≤ 0.1)
//
// On Oct 25 (October open): expired 0, expires at period end 0.45 −
// 0.25 = 0.2 t (projection), closing 0.2 t. On Nov 5 (October ended):
// expired 0.2 t, closing 0.
func TestOpenPeriodExpiryIsProjection(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("F7", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
	))
	d := declaration("urn:t:site:mb")
	d.Method, d.CarryForward = critmin.MassBalanceRollingAverage, 0
	if err := custody.DeclareMassBalance(ctx, db, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-06T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("E7", "mb", "2025-10-05T00:00:00Z", []string{"F7:10"}, product{lot: "O7", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:40", "Pr:10"}, extra: claimPAK}, product{lot: "O7R", commodity: "ndpr_oxide", t: 0.3, assays: []string{"Nd:64", "Pr:16"}}))}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		now                         time.Time
		expired, projected, closing float64
	}{
		{time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC), 0, 0.2, 0.2},
		{time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC), 0.2, 0, 0},
	} {
		st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, c.now)
		if err != nil {
			t.Fatal(err)
		}
		l := line(t, st, "ree", "PAK")
		if math.Abs(l.Credits-0.45) > 1e-9 || math.Abs(l.Claims-0.25) > 1e-9 || math.Abs(l.Expired-c.expired) > 1e-9 || math.Abs(l.ExpiresAtPeriodEnd-c.projected) > 1e-9 || math.Abs(l.Closing-c.closing) > 1e-9 {
			t.Errorf("October PAK on %s: %+v, want credits 0.45, claims 0.25, expired %v, expires at period end %v (projection), closing %v", c.now.Format(time.DateOnly), l, c.expired, c.projected, c.closing)
		}
	}
}
