package web_test

import (
	"html"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRefusedClaimOneWording (issue 9, new-user check 6): a refused claim
// was worded three ways ("refused: PAK 100.0 %", "claimed (refused): PAK
// 100 %", "Claim refused — stated Pakistan 100.0 %"). Every view now
// prints custody.RefusedClaimText. O1's claim (as in
// TestLotPageRefusedClaimNoShares: 1.6 t claimed of 0.05 t credit) is
// refused.
func TestRefusedClaimOneWording(t *testing.T) {
	ts := MustServeUnchecked(t, true, nil)
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(mbDoc)}); err != nil {
		t.Fatal(err)
	}
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", CarryForward: 1,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 0.01}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if err := custody.DeclareMassBalance(t.Context(), ts.Store, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	const want = "claim refused: stated Pakistan 100.0 % — the claim attributes nothing; the physical origin stands"
	o1 := url.PathEscape("urn:t:lot:O1")
	for _, v := range []struct{ name, path, accept string }{
		{"lot page", "/lots/" + o1, "text/html"},
		{"lot list", "/lots?commodity=ndpr_oxide", "text/html"},
		{"lots CSV", "/api/v1/lots?commodity=ndpr_oxide&format=csv", "text/csv"},
	} {
		resp, b := do(t, "GET", ts.URL+v.path, "", nil, map[string]string{"Accept": v.accept})
		body := html.UnescapeString(string(b))
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("%s (%d) lacks %q:\n%.4000s", v.name, resp.StatusCode, want, body)
		}
		for _, old := range []string{"refused: PAK", "claimed (refused)", "Claim refused — stated"} {
			if strings.Contains(body, old) {
				t.Errorf("%s still words the refusal %q", v.name, old)
			}
		}
	}
}
