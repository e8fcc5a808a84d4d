package custody_test

import (
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestShareOfLotWording (fix9am; new-user check nu9h 7): an accepted
// claim at share 0.75 on a lot holding 0.4 t Nd+Pr (P3: 1 t at Nd 30 % +
// Pr 10 %) claims 0.75 × 0.4 = 0.3 t; 0.1 t, 25 %, is unclaimed — said
// beside the shares (lots CSV, CLI, lot page), never plain "Pakistan
// 75.0 %" as if the claim covered the lot. A claim of the whole lot reads
// as before.
func TestShareOfLotWording(t *testing.T) {
	cl := &custody.Claim{Status: custody.ClaimAccepted, Tonnes: 0.4, Elements: []string{"Nd", "Pr"},
		ByCountry: []custody.Share{{Key: "PAK", Name: "Pakistan", Tonnes: 0.3, Share: 0.75}}}
	if got, want := cl.SharesText(), "Pakistan 75.0 %; claims 75.0 % of the lot (0.3 t of 0.4 t Nd+Pr); 25.0 % unclaimed"; got != want {
		t.Errorf("shares text %q, want %q", got, want)
	}
	cl.ByCountry[0].Share, cl.ByCountry[0].Tonnes = 1, 0.4
	if got, want := cl.SharesText(), "Pakistan 100.0 %"; got != want {
		t.Errorf("whole-lot claim %q, want %q", got, want)
	}
}
