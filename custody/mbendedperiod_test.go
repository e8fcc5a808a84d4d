package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestDeclarationOpensNoEndedPeriod (issue 9, new-user check 2): the
// account of an ended claim period does not hang on whether its runs were
// captured before or after the declaration. Site mb runs R in November
// 2025 (F, Pakistan, 100 t at 4 % Nd + 1 % Pr: 5 t Nd+Pr, credit
// 5 × 0.9 = 4.5 t). Captured after November ended and then declared on
// 1 December with period 2025-11, the declaration is refused — naming the
// site, the period and its end — as capturing R after such a declaration
// is ("an ended period's statement is final"); nothing is stored, so no
// December claim can draw on 4.5 t of November credit. Declared on
// 20 November (period open), a redeclaration on 1 December may list
// 2025-11 unchanged, but not add the ended period 2025-10.
func TestDeclarationOpensNoEndedPeriod(t *testing.T) {
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("F", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		runOf("R", "mb", "2025-11-10T00:00:00Z", []string{"F:100"}, product{lot: "RES", commodity: "ree_concentrate", t: 90, assays: []string{"Nd:1"}}),
	))
	ctx := context.Background()
	nov := critmin.ClaimPeriod{ID: "2025-11", From: "2025-11-01", To: "2025-12-01"}
	dec := critmin.ClaimPeriod{ID: "2025-12", From: "2025-12-01", To: "2026-01-01"}
	decl := func(ps ...critmin.ClaimPeriod) *critmin.MassBalanceDeclaration {
		d := declaration("urn:t:site:mb")
		d.Periods = ps
		return d
	}
	dec1 := time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)
	err := custody.DeclareMassBalance(ctx, db, decl(nov, dec), dec1)
	if critmin.ErrorCode(err) != critmin.EINVALID || len(critmin.ErrorFields(err)) == 0 || critmin.ErrorFields(err)[0].Pointer != "/periods/0" {
		t.Fatalf("declaring the ended period 2025-11 on 1 December: %v, want refused at /periods/0", err)
	}
	for _, want := range []string{"urn:t:site:mb", "2025-11", "ended on 2025-12-01", "statement is final"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not say %q", err, want)
		}
	}
	if _, err := db.FindMassBalance(ctx, "urn:t:site:mb"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("a refused declaration was stored: %v", err)
	}
	// Declared while November was open, the account stands; on 1 December
	// it may be restated with 2025-11 unchanged, not widened backwards.
	if err := custody.DeclareMassBalance(ctx, db, decl(nov, dec), time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	if err := custody.DeclareMassBalance(ctx, db, decl(nov, dec), dec1); err != nil {
		t.Errorf("redeclaring with the ended period unchanged: %v", err)
	}
	oct := critmin.ClaimPeriod{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}
	if err := custody.DeclareMassBalance(ctx, db, decl(oct, nov, dec), dec1); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "period 2025-10") {
		t.Errorf("adding the ended period 2025-10: %v, want refused", err)
	}
}
