package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// declAB declares the two mass-balance sites of TestMassBalanceAttributeOnce:
// mbA turns REE concentrate into carbonate (category carb), mbB carbonate
// into NdPr oxide (category ree), both on Nd+Pr at a factor of 1, monthly
// periods October to December 2025.
func declAB(t *testing.T, db critmin.Store) {
	t.Helper()
	periods := []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}, {ID: "2025-11", From: "2025-11-01", To: "2025-12-01"}, {ID: "2025-12", From: "2025-12-01", To: "2026-01-01"}}
	for _, d := range []*critmin.MassBalanceDeclaration{
		{Site: "urn:t:site:mbA", CarryForward: 1, Periods: periods, Categories: []critmin.MaterialCategory{
			{ID: "carb", Inputs: []string{"ree_concentrate"}, Product: "ree_carbonate", Elements: []string{"Nd", "Pr"}, ConversionFactor: 1}}},
		{Site: "urn:t:site:mbB", CarryForward: 1, Periods: periods, Categories: []critmin.MaterialCategory{
			{ID: "ree", Inputs: []string{"ree_carbonate"}, Product: "ndpr_oxide", Elements: []string{"Nd", "Pr"}, ConversionFactor: 1}}},
	} {
		if err := custody.DeclareMassBalance(context.Background(), db, d, clockAt("2025-09-30T00:00:00Z")()); err != nil {
			t.Fatal(err)
		}
	}
}

// TestMassBalanceAttributeOnce (issue 9, mbattr item 2): a characteristic
// is attributed once (ISO 22095:2020 mass balance). Site mbA (carb:
// ree_concentrate → ree_carbonate, factor 1):
//
//	Oct 5 EA1: P, 10 t Pakistani concentrate at Nd 4 % + Pr 1 % = 0.5 t
//	           Nd+Pr → X, 1 t carbonate at Nd 40 % + Pr 10 % = 0.5 t, no
//	           claim: mbA credits PAK 0.5 t.
//	Oct 6 EA2: C, 10 t Chinese concentrate (0.5 t) → Y, 1 t carbonate at
//	           40 % + 10 % = 0.5 t, claiming Pakistan 100 %: 0.5 ≤ 0.5,
//	           accepted; mbA's PAK balance closes 0 (CHN credit 0.5).
//
// Site mbB (ree: ree_carbonate → ndpr_oxide, factor 1):
//
//	Oct 10 EB1: the carbonate fed (X or Y), 1 t → W, 0.7 t oxide at
//	            Nd 57 % + Pr 14 % = 0.399 + 0.098 = 0.497 t.
//	Oct 11 EB2: CC, 1 t Chinese carbonate (0.5 t) → Z, 0.5 t oxide at
//	            Nd 64 % + Pr 16 % = 0.4 t, claiming Pakistan 100 %.
//
// Fed X (unclaimed output of mbA, whose PAK attribute mbA's account
// took): X earns no PAK credit at mbB — PAK credit 0, the line's note
// "attribute allocated at site urn:t:site:mbA" — so Z's 0.4 t claim is
// refused, shortfall 0.4 − 0 = 0.4 t. Before: mbB credited 0.497 t PAK
// from X's physical origin and accepted Z: 0.5 t of Pakistani Nd+Pr in,
// 0.9 t of Pakistani claims accepted.
//
// Fed Y (output of mbA carrying its accepted claim, Pakistan 100 %): Y
// earns its claimed share × content, 1 × 0.5 t × factor 1 = 0.5 t,
// bounded by W's 0.497 t (productBound) → PAK credit 0.497 t, no CHN
// credit (Y's Chinese physical origin was credited at mbA); Z's 0.4 ≤
// 0.497 is accepted.
func TestMassBalanceAttributeOnce(t *testing.T) {
	for _, tc := range []struct {
		name, fed string
		pak       float64
		refused   bool
	}{
		{name: "unclaimed output carries nothing", fed: "X", pak: 0, refused: true},
		{name: "claimed output carries its claim", fed: "Y", pak: 0.497},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := store(t, doc(map[string]string{"mbA": "mass_balance", "mbB": "mass_balance"},
				feed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
				feed("C", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
				feed("CC", "ree_carbonate", "CHN", 1, "Nd:40", "Pr:10"),
				runOf("EA1", "mbA", "2025-10-05T00:00:00Z", []string{"P:10"}, product{lot: "X", commodity: "ree_carbonate", t: 1, assays: []string{"Nd:40", "Pr:10"}}),
				runOf("EA2", "mbA", "2025-10-06T00:00:00Z", []string{"C:10"}, product{lot: "Y", commodity: "ree_carbonate", t: 1, assays: []string{"Nd:40", "Pr:10"}, extra: claimPAK}),
				runOf("EB1", "mbB", "2025-10-10T00:00:00Z", []string{tc.fed + ":1"}, product{lot: "W", commodity: "ndpr_oxide", t: 0.7, assays: []string{"Nd:57", "Pr:14"}}),
			))
			declAB(t, db)
			now := time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)
			a, err := custody.StatementOf(ctx, db, "urn:t:site:mbA", "2025-10", nil, now)
			if err != nil {
				t.Fatal(err)
			}
			// mbA: PAK 0 + 0.5 − 0.5 = 0 (Y's claim accepted).
			sameLine(t, "mbA 2025-10", line(t, a, "carb", "PAK"), 0, 0.5, 0.5, 0, 0)
			b, err := custody.StatementOf(ctx, db, "urn:t:site:mbB", "2025-10", nil, now)
			if err != nil {
				t.Fatal(err)
			}
			pak := line(t, b, "ree", "PAK")
			sameLine(t, "mbB 2025-10", pak, 0, tc.pak, 0, 0, tc.pak)
			if c := line(t, b, "ree", "CHN"); c.Credits > 1e-9 {
				t.Errorf("mbB CHN line %+v, want no CHN credit: the fed carbonate's physical origin was credited at mbA", c)
			}
			if !strings.Contains(strings.Join(pak.Notes, "; "), "attribute allocated at site urn:t:site:mbA") {
				t.Errorf("mbB PAK notes %q, want the reason: attribute allocated at site urn:t:site:mbA", pak.Notes)
			}
			svc := ledger.NewService(db)
			svc.ClaimCheck = custody.CaptureClaimCheck(db)
			svc.Now = clockAt("2025-10-20T00:00:00Z")
			before, _ := db.CountEvents(ctx)
			_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(map[string]string{"mbA": "mass_balance", "mbB": "mass_balance"},
				runOf("EB2", "mbB", "2025-10-11T00:00:00Z", []string{"CC:1"}, product{lot: "Z", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:64", "Pr:16"}, extra: claimPAK})))})
			after, _ := db.CountEvents(ctx)
			if !tc.refused {
				if err != nil {
					t.Fatalf("Z's 0.4 t claim on 0.497 t: %v", err)
				}
				return
			}
			if critmin.ErrorCode(err) != critmin.EINVALID {
				t.Fatalf("Z's claim: %v, want EINVALID (over-claim)", err)
			}
			for _, want := range []string{"urn:t:lot:Z", "site urn:t:site:mbB", "category ree", "period 2025-10", "shortfall 0.4 t"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("refusal lacks %q: %v", want, err)
				}
			}
			if after != before {
				t.Errorf("events %d → %d, want nothing stored", before, after)
			}
		})
	}
}
