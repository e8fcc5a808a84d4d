package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// A claim made at a site that is not a mass-balance site is refused with
// the reason itself: the site has no mass-balance declaration, which model
// it runs instead (or that it states none), and what to declare — the
// custody model mass_balance, then a declaration with a material category
// for the claimed product and claim periods. Before, capture said only
// "declares no material category … a claim needs one" (as if declaring a
// category would do, which DeclareMassBalance refuses at such a site) and
// the lot's origin said "does not run the mass-balance model", naming
// nothing to declare.
func TestClaimAtASiteWithoutMassBalance(t *testing.T) {
	ctx := context.Background()
	// seg runs segregated; bare states no custody model; mb2 is a
	// mass-balance site that has not declared.
	db := store(t, doc(map[string]string{"seg": "segregated", "mb2": "mass_balance"},
		feed("A", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		feed("B", "ree_concentrate", "PAK", 100, "Nd:4", "Pr:1"),
		runOf("E1", "seg", "2025-10-05T00:00:00Z", []string{"A:10"}, product{lot: "S1", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK}),
		runOf("E2", "bare", "2025-10-05T00:00:00Z", []string{"B:10"}, product{lot: "S2", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK}),
	))
	for lot, want := range map[string][]string{
		"urn:t:lot:S1": {"site urn:t:site:seg is not a mass-balance site and has no mass-balance declaration", "cm:custodyModel segregated",
			"declare the site's cm:custodyModel mass_balance", "critmin massbalance declare --site urn:t:site:seg", "material category whose product is ndpr_oxide", "claim periods"},
		"urn:t:lot:S2": {"site urn:t:site:bare is not a mass-balance site and has no mass-balance declaration", "states no cm:custodyModel",
			"declare the site's cm:custodyModel mass_balance", "material category whose product is ndpr_oxide"},
	} {
		o, err := custody.Origin(ctx, db, lot)
		if err != nil || o.Claimed == nil || o.Claimed.Status != custody.ClaimRefused {
			t.Fatalf("%s: %+v %v", lot, o, err)
		}
		for _, w := range want {
			if !strings.Contains(o.Claimed.Error, w) {
				t.Errorf("%s: refusal %q lacks %q", lot, o.Claimed.Error, w)
			}
		}
	}
	// At capture: the same reason, field cm:originClaim, nothing stored.
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-25T00:00:00Z")
	claimAt := func(site, out string) string {
		return doc(nil, runOf("E-"+out, site, "2025-10-20T00:00:00Z", []string{"A:1"}, product{lot: out, commodity: "ndpr_oxide", t: 0.05, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK}))
	}
	for site, want := range map[string][]string{
		"seg": {"site urn:t:site:seg is not a mass-balance site and has no mass-balance declaration", "cm:custodyModel segregated", "declare the site's cm:custodyModel mass_balance", "product is ndpr_oxide"},
		"mb2": {"site urn:t:site:mb2 has no mass-balance declaration", "declares no material category", "critmin massbalance declare --site urn:t:site:mb2", "product is ndpr_oxide", "claim periods"},
	} {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(claimAt(site, "P-"+site))})
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.HasSuffix(critmin.ErrorFields(err)[0].Pointer, "/ilmd/cm:originClaim") {
			t.Fatalf("claim at %s: %v", site, err)
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("claim at %s: %q lacks %q", site, err, w)
			}
		}
		if _, err := db.FindLot(ctx, "urn:t:lot:P-"+site); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("refused claim at %s stored its lot: %v", site, err)
		}
	}
}
