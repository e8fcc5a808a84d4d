package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
)

// TestClaimShareFollowsCappedContentSaysWhy (fix9q item 1): claims are
// stated as shares of the lot (cm:originClaim, cm:share), never as
// tonnes, so a claim of 100 % follows the lot's capped content — and says
// why it is smaller than the lot's assay, naming the run that gained.
// The OG13 case of TestClaimOnGainedRunCountsCappedFigure:
//
//	OG13 0.75 t at Nd 45 % + Pr 15 % = 0.3375 + 0.1125 = 0.45 t assayed;
//	RG13 put in 0.3 t Nd + 0.1 t Pr = 0.40 t (element_gain), so OG13 is
//	capped at 0.40 t and its 100 % Pakistan claim is 0.40 t, not 0.45 t:
//	Claimed.Capped states assayed 0.45 t, counted 0.40 t, run RG13 and
//	its event urn:t:ev:RG13, both figures with their unit.
func TestClaimShareFollowsCappedContentSaysWhy(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("F13", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("G13", "ree_concentrate", "PAK", 10, "Nd:3", "Pr:1"),
		runOf("RF13", "mb", "2025-10-04T00:00:00Z", []string{"F13:10"}, product{lot: "OF13", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:60"}}),
		runOf("RG13", "mb", "2025-10-05T00:00:00Z", []string{"G13:10"}, product{lot: "OG13", commodity: "ndpr_oxide", t: 0.75, assays: []string{"Nd:45", "Pr:15"}, extra: claimPAK}),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:OG13", false)
	if err != nil {
		t.Fatal(err)
	}
	cl := o.Claimed
	if cl == nil || cl.Status != custody.ClaimAccepted || math.Abs(cl.Tonnes-0.4) > 1e-9 {
		t.Fatalf("OG13's claim %+v, want accepted for 0.40 t", cl)
	}
	cp := cl.Capped
	if cp == nil || math.Abs(cp.Assayed-0.45) > 1e-9 || math.Abs(cp.Counted-0.4) > 1e-9 {
		t.Fatalf("OG13's claim says not why it is smaller: capped %+v, want assayed 0.45 t, counted 0.40 t", cp)
	}
	if !strings.Contains(strings.Join(cp.Events, " "), "urn:t:ev:RG13") ||
		!strings.Contains(cp.Text, "0.45 t Nd+Pr") || !strings.Contains(cp.Text, "0.4 t Nd+Pr") || !strings.Contains(cp.Text, "RG13") {
		t.Errorf("capped %+v: want the events naming RG13 and a text with both figures in t Nd+Pr", cp)
	}
}
