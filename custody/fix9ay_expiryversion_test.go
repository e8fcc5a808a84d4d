package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestExpiryNamesVersionInForce (new-user check fix9ay, 3): a refusal
// names the declaration version and carry-forward that governed the
// period it speaks of. Site mb, version 1 (declared 2025-10-30):
// carry-forward 0, periods 2025-11, 2025-12, 2026-01. Version 2
// (declared 2025-11-05, effective 2026-01-01): carry-forward 2.
//
//	Nov 10 R: F (Pakistan, 10 t at 4 % Nd + 1 % Pr = 0.5 t Nd+Pr) → RO
//	          (0.6 t at 64 % + 16 % = 0.48 t, holds the credit): credit
//	          PAK 0.5 × 0.9 = 0.45 t. Under version 1 (carry-forward 0)
//	          it expires at the end of 2025-11.
//	Jan 5  X: C (China, 10 t) → OX, 0.5 t at 60 % Nd + 20 % Pr = 0.4 t,
//	          claims Pakistan 100 %: the balance holds 0 t, refused,
//	          shortfall 0.4 − 0 = 0.4 t.
//
// The refusal must say the 0.45 t expired under version 1's carry-forward
// of 0 — before the fix it named the claim period's version 2 value, "the
// site's carry-forward of 2 period(s)", under which the credit would not
// have expired. The statements name each period's own version: 2025-11
// version 1, carry-forward 0, 0.45 t expired; 2026-01 version 2,
// carry-forward 2.
func TestExpiryNamesVersionInForce(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("F", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		runOf("R", "mb", "2025-11-10T00:00:00Z", []string{"F:10"}, product{lot: "RO", commodity: "ndpr_oxide", t: 0.6, assays: []string{"Nd:64", "Pr:16"}}),
	))
	periods := []critmin.ClaimPeriod{{ID: "2025-11", From: "2025-11-01", To: "2025-12-01"}, {ID: "2025-12", From: "2025-12-01", To: "2026-01-01"}, {ID: "2026-01", From: "2026-01-01", To: "2026-02-01"}}
	v1 := declaration("urn:t:site:mb")
	v1.CarryForward, v1.Periods = 0, periods
	if err := custody.DeclareMassBalance(ctx, db, v1, time.Date(2025, 10, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	v2 := declaration("urn:t:site:mb")
	v2.CarryForward, v2.Periods, v2.EffectiveFrom = 2, periods, "2026-01-01"
	if err := custody.DeclareMassBalance(ctx, db, v2, time.Date(2025, 11, 5, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("X", "mb", "2026-01-05T00:00:00Z", []string{"C:10"}, product{lot: "OX", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"},
		extra: `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`}))}); err != nil {
		t.Fatal(err)
	}
	c, err := custody.Origin(ctx, db, "urn:t:lot:OX")
	if err != nil {
		t.Fatal(err)
	}
	if c.Claimed == nil || c.Claimed.Status != custody.ClaimRefused || c.Claimed.Period != "2026-01" {
		t.Fatalf("OX's claim %+v, want refused in 2026-01", c.Claimed)
	}
	for _, want := range []string{"shortfall 0.4 t", "0.45 t earned in 2025-11 expired at the end of period 2025-11 (2025-12-01) under declaration version 1's carry-forward of 0 period(s)"} {
		if !strings.Contains(c.Claimed.Error, want) {
			t.Errorf("refusal %q does not say %q", c.Claimed.Error, want)
		}
	}
	if strings.Contains(c.Claimed.Error, "carry-forward of 2") {
		t.Errorf("refusal %q names version 2's carry-forward for a credit that expired under version 1", c.Claimed.Error)
	}
	now := time.Date(2026, 2, 2, 0, 0, 0, 0, time.UTC)
	for _, w := range []struct {
		period      string
		version, cf int
		expiredPAK  float64
	}{{"2025-11", 1, 0, 0.45}, {"2026-01", 2, 2, 0}} {
		st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", w.period, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		if st.Version != w.version || st.CarryForward != w.cf || !near(line(t, st, "ree", "PAK").Expired, w.expiredPAK) {
			t.Errorf("statement %s: version %d carry-forward %d PAK expired %v; want version %d, carry-forward %d, expired %v",
				w.period, st.Version, st.CarryForward, line(t, st, "ree", "PAK").Expired, w.version, w.cf, w.expiredPAK)
		}
	}
}
