package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestUpstreamRetractionNamedOnRefusedClaim (issue 9, fix9r item 4): a
// claim refused because a retraction UPSTREAM of its credit lot turned the
// credit's origin unknown names that retraction, as a retraction of the
// site's own run input does. Site mb (declaration(): ree, factor 0.9):
//
//	X, Pakistan, 10 t dry at Nd 4 % + Pr 1 %, commissioned Oct 1 (event X)
//	T (Oct 3, at mb): X 10 t → Y, 10 t ree_concentrate, Nd 4 % + Pr 1 %:
//	  T makes no oxide, so no credit (a run earns credit only where it
//	  makes the category's product), and Y is not recirculated credit
//	E1 (Oct 5, at mb): Y 10 t → O, 0.5 t oxide at Nd 62 % + Pr 18 % =
//	  0.4 t, claims Pakistan: Y earns its credit here, PAK, bounded per
//	  element by O (fix9ad), Nd min(10 × 4 % × 0.9 = 0.36, 0.31) + Pr
//	  min(0.09, 0.09) = 0.4 ≥ 0.4, accepted
//	X's commissioning declared in error (Oct 20): Y's origin is unknown,
//	  so the 0.4 t credit is of unknown origin; the PAK balance is 0 and
//	  O's claim is refused (shortfall 0.4 t), retractedBy event X, its
//	  error saying it was covered until the retraction of event X.
func TestUpstreamRetractionNamedOnRefusedClaim(t *testing.T) {
	ctx := context.Background()
	x := feed("X", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1")
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		x,
		runOf("T", "mb", "2025-10-03T00:00:00Z", []string{"X:10"}, product{lot: "Y", commodity: "ree_concentrate", t: 10, assays: []string{"Nd:4", "Pr:1"}}),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-06T00:00:00Z")
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("E1", "mb", "2025-10-05T00:00:00Z", []string{"Y:10"}, product{lot: "O", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:62", "Pr:18"}, extra: claimPAK}))}); err != nil {
		t.Fatal(err)
	}
	retractEvent(t, svc, x, "2025-10-20T00:00:00Z")
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", nil, time.Date(2025, 10, 25, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want := "the claim was covered until the retraction of event urn:t:ev:X (commissioning of lot urn:t:lot:X, 2025-10-01) declared in error on 2025-10-20T00:00:00Z (reason incorrect_data)"
	found := false
	for _, r := range st.Refused {
		if r.Lot == "urn:t:lot:O" {
			found = true
			if !near(r.Shortfall, 0.4) || strings.Join(r.RetractedBy, " ") != "urn:t:ev:X" || !strings.Contains(r.Error, want) {
				t.Errorf("O refused %+v,\nwant shortfall 0.4 t, retractedBy urn:t:ev:X, error with %q", r, want)
			}
		}
	}
	if !found {
		t.Errorf("October's refused claims %+v, want O", st.Refused)
	}
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O", false)
	if err != nil {
		t.Fatal(err)
	}
	if cl := o.Claimed; cl == nil || cl.Status != custody.ClaimNotCovered /* accepted at capture: not covered, never refused (fix9h) */ || strings.Join(cl.RetractedBy, " ") != "urn:t:ev:X" || !strings.Contains(cl.Error, want) {
		t.Errorf("O's claim %+v, want refused, retractedBy urn:t:ev:X, error with %q", cl, want)
	}
}
