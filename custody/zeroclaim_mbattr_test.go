package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestClaimOnZeroContentRefused (issue 9, mbattr item 1): a claim must
// attribute something. In mbSvc (site mb, category ree: ree_concentrate →
// ndpr_oxide on Nd+Pr, factor 0.9; the Pakistani REE balance open on
// November 25 is 2.6 t, TestClaimOnGainedRunBookedAtAssay) a run on
// November 20 takes 10 t of C2 (Chinese, Nd 4 % + Pr 1 %, 0.5 t Nd+Pr in)
// and makes oxide Z0 claiming Pakistan:
//
//	zero by assay:  0.5 t × (0 % + 0 %) = 0 t Nd+Pr; PAK 1 × 0 = 0 t
//	zero by share:  0.5 t × (0.01 % + 0 %) = 0.00005 t; PAK 0.0001 ×
//	                0.00005 = 0.000000005 t, 0 at six decimals
//	                (CHN 0.9999 × 0.00005 = 0.0000499950 t)
//	tiny content:   0.5 t × (0.000001 % + 0 %) = 0.000000005 t → 0
//	zero mass:      0 t × (60 % + 0 %) = 0 t — refused already by the
//	                run check (an output of 0 makes nothing), EINVALID
//
// Each is refused EINVALID (400), as a claim whose content cannot be
// measured is (TestClaimNeedsEveryQualifyingElement), naming the lot,
// Nd+Pr and "holds 0 t"; nothing is stored. 0.5 t at Nd 1 % + Pr 0 %
// (0.005 t ≤ 2.6) claiming Pakistan 100 % is accepted.
func TestClaimOnZeroContentRefused(t *testing.T) {
	run := func(id, q, nd, claim string) string {
		return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:C2", "quantity": 10, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:` + id + `", "quantity": ` + q + `, "uom": "TNE"}],
	 "bizLocation": {"id": "urn:t:site:mb"},
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": ` + nd + `, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 0, "cm:unit": "%", "cm:basis": "dry"}]` + claim + `}}`
	}
	for _, tc := range []struct {
		name, q, nd, claim, holds string
		ok                        bool
	}{
		{name: "zero by assay", q: "0.5", nd: "0", claim: claimPAK, holds: "holds 0 t Nd+Pr"},
		{name: "share rounds to zero", q: "0.5", nd: "0.01", claim: `, "cm:originClaim": [{"cm:country": "PAK", "cm:share": 0.0001}, {"cm:country": "CHN", "cm:share": 0.9999}]`, holds: "0 t Nd+Pr of Pakistan origin"},
		{name: "content rounds to zero", q: "0.5", nd: "0.000001", claim: claimPAK, holds: "holds 0 t Nd+Pr"},
		{name: "zero mass", q: "0", nd: "60", claim: claimPAK, holds: "outputQuantityList/0/quantity: a run's output of 0 makes nothing"},
		{name: "some content", q: "0.5", nd: "1", claim: claimPAK, ok: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db, svc := mbSvc(t)
			ctx := context.Background()
			before, err := db.CountEvents(ctx)
			if err != nil {
				t.Fatal(err)
			}
			err = capture(svc, run("Z0", tc.q, tc.nd, tc.claim))
			if tc.ok {
				if err != nil {
					t.Fatalf("claim on 0.005 t: %v", err)
				}
				return
			}
			if critmin.ErrorCode(err) != critmin.EINVALID {
				t.Fatalf("capture: %v, want EINVALID", err)
			}
			wants := []string{"claim on lot urn:t:lot:Z0 refused", "Nd+Pr", tc.holds, "a claim must attribute"}
			if tc.q == "0" {
				// Refused before the claim is read: no run makes 0 t.
				wants = []string{tc.holds}
			}
			for _, want := range wants {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("refusal lacks %q: %v", want, err)
				}
			}
			after, err := db.CountEvents(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if after != before {
				t.Errorf("events %d → %d, want nothing stored", before, after)
			}
		})
	}
}
