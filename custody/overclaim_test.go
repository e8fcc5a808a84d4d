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

// TestOverClaimInOwnCategory (issue 9): a plain over-claim is reported as
// one, even when another category holds credit of the claimed origin. At
// site mb in October:
//
//	ree: A (Pakistan, 20 t at 4 % Nd + 1 % Pr) → 20 × 5 % × 0.9 = 0.9 t Nd+Pr
//	sb:  SbP (Pakistan, 10 t at 10 % Sb) → 10 × 10 % × 0.8 = 0.8 t Sb
//
// Each run's product holds its credit (fix9c): O1 1.2 t at Nd 64 % + Pr
// 16 % = 0.96 t ≥ 0.9 (Nd 0.768 ≤ 0.8, Pr 0.192 ≤ 0.2); S1 1.1 t at
// Sb 80 % = 0.88 t ≥ 0.8 (≤ 1 t Sb in).
//
// K, 1.5 t of oxide at 60 % Nd + 20 % Pr = 1.2 t Nd+Pr claimed Pakistani
// (made from Chinese concentrate), is short in its own category by
// 1.2 − 0.9 = 0.3 t: "over-claim refused", not "claim against another
// material category". An antimony trioxide claim at a site whose sb
// category never earned Pakistani credit stays a cross-category refusal
// (TestMassBalanceClaims).
func TestOverClaimInOwnCategory(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("A", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1"),
		feed("SbP", "antimony_ore", "PAK", 10, "Sb:10"),
		feed("C", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		runOf("E1", "mb", "2025-10-05T00:00:00Z", []string{"A:20"}, product{lot: "O1", commodity: "ndpr_oxide", t: 1.2, assays: []string{"Nd:64", "Pr:16"}}),
		runOf("E2", "mb", "2025-10-05T00:00:00Z", []string{"SbP:10"}, product{lot: "S1", commodity: "antimony_trioxide", t: 1.1, assays: []string{"Sb:80"}}),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.Now = func() time.Time { return time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC) } // October still open
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("E3", "mb", "2025-10-10T00:00:00Z", []string{"C:10"}, product{lot: "K", commodity: "ndpr_oxide", t: 1.5, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK}))})
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Fatalf("over-claim: %v, want EINVALID", err)
	}
	for _, want := range []string{"over-claim refused: site urn:t:site:mb, category ree, period 2025-10", "claims 1.2 t Nd+Pr of Pakistan origin but the balance holds 0.9 t (shortfall 0.3 t)"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "another material category") {
		t.Errorf("an over-claim in its own category reported as a cross-category claim: %v", err)
	}
}
