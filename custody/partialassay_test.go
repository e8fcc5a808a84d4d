package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestClaimNeedsEveryQualifyingElement (issue 9): a claim is on the
// category's qualifying content — for NdPr oxide, Nd + Pr. Site mb
// (declaration(): factor 0.9). December: feed P (Pakistan, 10 t dry at
// Nd 4 % + Pr 1 %) → Y, 0.6 t NdPr oxide assayed Nd 60 % and not Pr,
// claiming Pakistan.
//
//	credit PAK = 10 × 5 % × 0.9 = 0.45 t Nd+Pr
//	claim Y on Nd alone = 0.6 × 60 % = 0.36 t ≤ 0.45 — but Y's Pr is
//	unknown: at a usual 20 % Pr it holds 0.6 × 80 % = 0.48 t > 0.45.
//
// Before the fix the claim was counted on Nd alone and accepted; now it
// is refused: the lot has no assay of Pr. With both assayed (Nd 60 % +
// Pr 10 %: Nd 0.36 ≤ P's 0.4 t, Pr 0.06 ≤ P's 0.1 t; 0.42 t ≤ credits
// 0.45 and ≤ the bound 0.36 + 0.06 = 0.42) it is accepted. (Before
// fix9aa the assays were Nd 50 % + Pr 20 %: Pr 0.12 t out of 0.1 t in,
// bound min(0.3, 0.4) + min(0.12, 0.1) = 0.4 t < 0.42 — that claim
// passed at capture only because the capture path did not cap Pr.)
func TestClaimNeedsEveryQualifyingElement(t *testing.T) {
	for _, tc := range []struct {
		name, assays, refused string
	}{
		{name: "Pr not assayed", assays: `{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}`, refused: "has no assay of Pr, so the claim on Nd+Pr cannot be measured"},
		{name: "both assayed", assays: `{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := store(t, doc(map[string]string{"mb": "mass_balance"}, feed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1")))
			if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), clockAt("2025-09-30T00:00:00Z")()); err != nil {
				t.Fatal(err)
			}
			svc := ledger.NewService(db)
			svc.ClaimCheck = custody.CaptureClaimCheck(db)
			svc.Now = clockAt("2025-12-11T00:00:00Z")
			run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:y1", "eventTime": "2025-12-10T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
			 "inputQuantityList": [{"epcClass": "urn:t:lot:P", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:Y", "quantity": 0.6, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"},
			 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [` + tc.assays + `]` + claimPAK + `}}`
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(run)})
			if tc.refused == "" {
				if err != nil {
					t.Fatalf("claim of 0.42 t on 0.45 t: %v", err)
				}
				return
			}
			if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), tc.refused) {
				t.Fatalf("capture: %v, want EINVALID saying %q", err, tc.refused)
			}
		})
	}
}
