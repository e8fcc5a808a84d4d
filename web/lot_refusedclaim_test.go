package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestLotPageRefusedClaimNoShares: a refused claim attributes nothing, so
// the lot page shows it as refused with what it stated, never as a
// claimed origin. With a conversion factor of 0.01, October's Pakistani
// credit is lot A's 100 t × (4 % Nd + 1 % Pr) × 0.01 = 0.05 t; O1 claims
// 2 t × (60 % + 20 %) = 1.6 t of it: refused, shortfall 1.6 − 0.05 = 1.55 t.
//
// The capture check now refuses such a claim at capture (shortfall), so
// the server runs unchecked: the page must still show a refused claim
// stored before the check existed.
func TestLotPageRefusedClaimNoShares(t *testing.T) {
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
	resp, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:O1"), "", nil, nil)
	page := string(b)
	for _, want := range []string{"Claim refused — the claim attributes nothing; the physical origin above stands", "stated Pakistan 100.0 %", "shortfall 1.55 t"} {
		if resp.StatusCode != 200 || !strings.Contains(page, want) {
			t.Errorf("lot page lacks %q", want)
		}
	}
	if strings.Contains(page, "no origin, physical or claimed") {
		t.Error("lot page says the lot has no origin beside its physical origin")
	}
	if strings.Contains(page, "Claimed origin") {
		t.Error("lot page shows a refused claim as a claimed origin")
	}
}
