package custody_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestClaimOnGainedRunCountsAssayedFigure (fix9p gap 1, the new-user
// case OG13, restated by fix9y item 1): a claim on a lot whose making run
// gained element is booked at the lot's assayed contained element — the
// metal it is said to contain — while its physical origin and the
// credits count the capped figure (a gain never earns credit). At site
// mb (REE → NdPr oxide on Nd + Pr, factor 0.9):
//
//	F13, Pakistan, 10 t at Nd 4 % + Pr 1 % = 0.5 t Nd+Pr
//	RF13 (Oct 4): F13 10 t → OF13 0.6 t at Nd 64 % + Pr 16 % = 0.48 t
//	  (no claim; it holds the credit, fix9c)
//	  credit PAK 0.5 × 0.9 = 0.45 t
//	G13, Pakistan, 10 t at Nd 3 % + Pr 1 % = 0.3 t Nd + 0.1 t Pr = 0.4 t
//	RG13 (Oct 5): G13 10 t → OG13 0.75 t at Nd 45 % + Pr 15 %
//	  = 0.3375 t Nd + 0.1125 t Pr = 0.45 t assayed, more than the 0.3 t
//	  Nd and 0.1 t Pr in (> 0.5 % tolerance): element_gain on RG13, OG13's
//	  physical figure capped at 0.3 t Nd + 0.1 t Pr = 0.40 t
//	  credit PAK 0.4 × 0.9 = 0.36 t (capped); PAK balance 0.45 + 0.36 = 0.81 t
//	OG13 claims Pakistan 100 %: 0.45 t (its assayed figure), accepted,
//	  balance 0.81 − 0.45 = 0.36 t. (fix9p booked the capped 0.40 t, while
//	  the capture checked 0.45 t: the two paths disagreed.)
func TestClaimOnGainedRunCountsAssayedFigure(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("F13", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("G13", "ree_concentrate", "PAK", 10, "Nd:3", "Pr:1"),
		runOf("RF13", "mb", "2025-10-04T00:00:00Z", []string{"F13:10"}, product{lot: "OF13", commodity: "ndpr_oxide", t: 0.6, assays: []string{"Nd:64", "Pr:16"}}),
		runOf("RG13", "mb", "2025-10-05T00:00:00Z", []string{"G13:10"}, product{lot: "OG13", commodity: "ndpr_oxide", t: 0.75, assays: []string{"Nd:45", "Pr:15"}, extra: claimPAK}),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:OG13", false)
	if err != nil {
		t.Fatal(err)
	}
	if !near(o.Elements["Nd"].Recorded(), 0.3) || !near(o.Elements["Pr"].Recorded(), 0.1) {
		t.Fatalf("OG13: Nd %v, Pr %v t recorded, want capped at 0.3 and 0.1", o.Elements["Nd"].Recorded(), o.Elements["Pr"].Recorded())
	}
	cl := o.Claimed
	if cl == nil || cl.Status != custody.ClaimAccepted || math.Abs(cl.Tonnes-0.45) > 1e-9 || math.Abs(cl.Contains-0.4) > 1e-9 || cl.NotCovered != 0 {
		// The claim is of the assayed 0.45 t; what OG13 contains now is
		// its physical figure, 0.3 + 0.1 = 0.4 t (fix9ab).
		t.Fatalf("OG13's claim %+v, want accepted for its assayed 0.45 t, not the capped 0.40 t; containing the capped 0.4 t", cl)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if l := line(t, st, "ree", "PAK"); math.Abs(l.Credits-0.81) > 1e-9 || math.Abs(l.Claims-0.45) > 1e-9 || math.Abs(l.Closing-0.36) > 1e-9 {
		t.Fatalf("PAK line %+v, want credits 0.81, claims 0.45, closing 0.36", l)
	}
}
