package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestShortfallNamesExpiredCredit (issue 9, new-user check 4): at site mb
// with a carry-forward of 0 periods, run R in November takes F (Pakistan,
// 10 t at 4 % Nd + 1 % Pr = 0.5 t Nd+Pr) and makes NdPr oxide RO (0.6 t
// at 64 % Nd + 16 % Pr = 0.48 t, which holds the credit, fix9c; a run earns credit only where it makes
// the category's product, fix9r — before, R made a concentrate residue
// and earned the same credit): credit 0.5 × 0.9 = 0.45 t. It
// expires unclaimed at the end of November. In December, OX (0.5 t at
// 60 % Nd + 20 % Pr = 0.4 t, made from Chinese C) claims Pakistan 100 %:
// the balance holds 0 t (shortfall 0.4 t), and the refusal says that
// 0.45 t of Pakistani credit earned in 2025-11 expired at the end of
// 2025-11.
func TestShortfallNamesExpiredCredit(t *testing.T) {
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("F", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		runOf("R", "mb", "2025-11-10T00:00:00Z", []string{"F:10"}, product{lot: "RO", commodity: "ndpr_oxide", t: 0.6, assays: []string{"Nd:64", "Pr:16"}}),
		runOf("X", "mb", "2025-12-05T00:00:00Z", []string{"C:10"}, product{lot: "OX", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"},
			extra: `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 1}]`}),
	))
	ctx := context.Background()
	d := declaration("urn:t:site:mb")
	d.CarryForward = 0
	d.Periods = []critmin.ClaimPeriod{{ID: "2025-11", From: "2025-11-01", To: "2025-12-01"}, {ID: "2025-12", From: "2025-12-01", To: "2026-01-01"}}
	if err := custody.DeclareMassBalance(ctx, db, d, time.Date(2025, 10, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	c, err := custody.Origin(ctx, db, "urn:t:lot:OX")
	if err != nil {
		t.Fatal(err)
	}
	if c.Claimed == nil || c.Claimed.Status != custody.ClaimRefused {
		t.Fatalf("OX's claim %+v, want refused", c.Claimed)
	}
	for _, want := range []string{"balance holds 0 t (shortfall 0.4 t)", "0.45 t earned in 2025-11 expired at the end of period 2025-11", "carry-forward of 0"} {
		if !strings.Contains(c.Claimed.Error, want) {
			t.Errorf("refusal %q does not say %q", c.Claimed.Error, want)
		}
	}
}
