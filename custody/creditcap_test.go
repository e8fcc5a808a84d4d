package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestCreditsFromLotCappedAtItsContent (issue 9, new-user check fix9j 1):
// credits in from one lot, summed over every run that consumes it, never
// exceed the lot's contained qualifying element × the conversion factor.
//
// Site mb, declaration(): category ree, Nd+Pr, factor 0.9. Lot X,
// Pakistan, 20 t dry at Nd 4 % + Pr 1 %: contains 20 × 5 % = 1 t Nd+Pr,
// worth at most 1 × 0.9 = 0.9 t of credit.
//
//	Oct 10 R1 consumes 10 t of X:   10 × 5 % × 0.9 = 0.45 t.
//	Oct 12 R2 consumes 10.1 t of X (20.1 ≤ 20 × 1.005, within the 0.5 %
//	       consumption tolerance): uncapped 10.1 × 5 % × 0.9 = 0.4545 t,
//	       0.9045 t in all — more than X holds. Capped at the 20 − 10 =
//	       10 t left: 10 × 5 % × 0.9 = 0.45 t; credits in 0.9 t.
//
// Each run's oxide, 0.6 t at Nd 64 % + Pr 16 % = 0.48 t Nd+Pr (Nd 0.384
// ≤ 0.4, Pr 0.096 ≤ 0.1 in), holds its 0.45 t credit (fix9c).
func TestCreditsFromLotCappedAtItsContent(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("X", "ree_concentrate", "PAK", 20, "Nd:4", "Pr:1"),
		runOf("R1", "mb", "2025-10-10T00:00:00Z", []string{"X:10"}, product{lot: "P1", commodity: "ndpr_oxide", t: 0.6, assays: []string{"Nd:64", "Pr:16"}}),
		runOf("R2", "mb", "2025-10-12T00:00:00Z", []string{"X:10.1"}, product{lot: "P2", commodity: "ndpr_oxide", t: 0.6, assays: []string{"Nd:64", "Pr:16"}}),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	l := line(t, st, "ree", "PAK")
	if math.Abs(l.Credits-0.9) > 1e-9 {
		t.Fatalf("credits in %v t Nd+Pr, want 0.9 (X holds 1 t × 0.9)", l.Credits)
	}
	if len(l.Notes) != 1 || !strings.Contains(l.Notes[0], "capped at what lot urn:t:lot:X contains") || !strings.Contains(l.Notes[0], "consumed 10.1 dmt of a lot of 20 dmt") {
		t.Errorf("line notes %q, want the cap said", l.Notes)
	}
	var got []float64
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind == "credit" {
				got = append(got, e.Tonnes)
				if capped := e.Event == "urn:t:ev:R2"; capped != (e.Note != "") {
					t.Errorf("credit %+v: note %q", e, e.Note)
				}
			}
		}
	}
	if len(got) != 2 || math.Abs(got[0]-0.45) > 1e-9 || math.Abs(got[1]-0.45) > 1e-9 {
		t.Errorf("credits %v, want 0.45 (R1) and 0.45 (R2, capped)", got)
	}
}
