package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestRecirculatedInputEarnsNoCredit (issue 9, check nu9i; re-derived
// for fix9r): qualifying material earns credit once, where it enters the
// site's account (ISO 22095:2020 §11), not again each time the site
// re-runs it; and only a run that makes the category's product earns
// credit (the conversion factor is the ratio of product to input of that
// process). At site mb in October (all feeds dry, category ree:
// ree_concentrate → ndpr_oxide on Nd+Pr, factor 0.9):
//
//	Oct 5  E1: P (Pakistan, 10 t at 5 % Nd + 1 % Pr = 0.6 t Nd+Pr) →
//	           O1 (oxide, 0.7 t at 65 % Nd + 13 % Pr = 0.546 t, which
//	           holds the credit element by element, fix9c, fix9ad: Nd
//	           0.455 ≥ 10 × 5 % × 0.9 = 0.45, Pr 0.091 ≥ 0.09) and I
//	           (ree_concentrate, 0.5 t at the feed's grade = 0.03 t): E1
//	           makes the product, credit PAK 10 × 6 % × 0.9 = 0.54 t (Nd
//	           out 0.455 + 0.025 ≤ 0.5, Pr 0.091 + 0.005 ≤ 0.1).
//	Oct 6  E2: I → I2 (oxide, 0.03 t at 80 % = 0.024 t): I was made here
//	           by E1, a run that earned credit on P: no credit (else
//	           0.5 × 6 % × 0.9 = 0.027 t, bounded by I2's 0.024 t, again:
//	           0.564 t in all, shortfall 0.236 t below).
//	Oct 10 E3: C (China, 20 t) → K, 1 t of oxide at 60 % Nd + 20 % Pr =
//	           0.8 t Nd+Pr, claimed Pakistani: 0.8 > 0.54, refused with a
//	           shortfall of 0.8 − 0.54 = 0.26 t.
//
// (Before fix9r E1 and E2 made concentrate only and each earned 0.54 t
// and 0 t; a run that makes no product now earns nothing, so the runs
// here make oxide to keep the figures.)
//
// And the other side: R, residue (not an input of the category) refined
// at the site to ree_concentrate J (F1, no product: no credit), earns
// credit when J is first fed to a run that makes the product (F2, J →
// oxide J2, 0.75 t at 64 % + 12 % = 0.57 t, which holds the credit:
// Nd 0.48 ≥ 0.45, Pr 0.09 ≥ 0.09):
// 10 t × 6 % × 0.9 = 0.54 t.
func TestRecirculatedInputEarnsNoCredit(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("P", "ree_concentrate", "PAK", 10, "Nd:5", "Pr:1"),
		feed("C", "ree_concentrate", "CHN", 20, "Nd:5", "Pr:1"),
		runOf("E1", "mb", "2025-10-05T00:00:00Z", []string{"P:10"}, product{lot: "O1", commodity: "ndpr_oxide", t: 0.7, assays: []string{"Nd:65", "Pr:13"}},
			product{lot: "I", commodity: "ree_concentrate", t: 0.5, assays: []string{"Nd:5", "Pr:1"}}),
		runOf("E2", "mb", "2025-10-06T00:00:00Z", []string{"I:0.5"}, product{lot: "I2", commodity: "ndpr_oxide", t: 0.03, assays: []string{"Nd:60", "Pr:20"}}),
	))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", custody.DeclaredFactors{}, now)
	if err != nil {
		t.Fatal(err)
	}
	credits := func(st *custody.Statement, c string) float64 {
		for _, cat := range st.Categories {
			if cat.Category.ID != "ree" {
				continue
			}
			for _, l := range cat.Lines {
				if l.Country == c {
					return l.Credits
				}
			}
		}
		return 0
	}
	if got := credits(st, "PAK"); math.Abs(got-0.54) > 1e-9 {
		t.Errorf("PAK credits %.6f t, want 0.54 (P once; I, made here from P, earns nothing)", got)
	}
	// The credit entry names the input lot behind it as well as its event.
	for _, cat := range st.Categories {
		for _, e := range cat.Entries {
			if e.Kind == "credit" && (e.Lot != "urn:t:lot:P" || !strings.HasSuffix(e.Event, "E1")) {
				t.Errorf("credit entry %+v, want lot urn:t:lot:P and event E1", e)
			}
		}
	}
	svc := ledger.NewService(db)
	svc.Now = func() time.Time { return now }
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("E3", "mb", "2025-10-10T00:00:00Z", []string{"C:20"}, product{lot: "K", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK}))})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.26 t") {
		t.Fatalf("claim of 0.8 t on 0.54 t of credit: %v, want EINVALID with shortfall 0.26 t", err)
	}

	// Material from outside the category refined here earns credit when
	// first fed as the category's input.
	db2 := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("R", "residue", "PAK", 20, "Nd:3", "Pr:0.5"),
		runOf("F1", "mb", "2025-10-05T00:00:00Z", []string{"R:20"}, product{lot: "J", commodity: "ree_concentrate", t: 10, assays: []string{"Nd:5", "Pr:1"}}),
		runOf("F2", "mb", "2025-10-06T00:00:00Z", []string{"J:10"}, product{lot: "J2", commodity: "ndpr_oxide", t: 0.75, assays: []string{"Nd:64", "Pr:12"}}),
	))
	if err := custody.DeclareMassBalance(ctx, db2, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	st2, err := custody.StatementOf(ctx, db2, "urn:t:site:mb", "2025-10", custody.DeclaredFactors{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := credits(st2, "PAK"); math.Abs(got-0.54) > 1e-9 {
		t.Errorf("PAK credits %.6f t, want 0.54 (J, refined here from residue, earns its credit when first fed)", got)
	}
}

// TestRecirculatedThroughContainerOrToll (issue 9, check nu9j; re-derived
// for fix9r): the site's own intermediate earns its credit once whether it
// comes back in a container or after a toll run at another site. P
// (Pakistan, 10 t at 5 % Nd) → E1 at mb → I, concentrate: E1 makes no
// oxide, so no credit there (fix9r; before, E1 earned the 0.45 t). Then
//
//	container: I packed into SSCC KK at mb; E2 at mb feeds KK whole
//	           (inputEPCList) → I2; E3 at mb feeds I2 → oxide.
//	toll:      E2 at tp (another site) turns I into I2; E3 at mb feeds I2.
//
// Either way the credit is earned once, by E3, the run that makes the
// product: I2 10 t × 5 % × 0.9 = 0.45 t PAK (never 0.9 t; E3's oxide OX0,
// 0.6 t at 80 % Nd = 0.48 t, holds it, fix9c), so a 0.8 t
// claim on Chinese oxide is short by 0.8 − 0.45 = 0.35 t.
func TestRecirculatedThroughContainerOrToll(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC)
	const kk = "urn:epc:id:sscc:0614141.1234567890"
	i2 := product{lot: "I2", commodity: "ree_concentrate", t: 10, assays: []string{"Nd:5"}}
	container := []string{
		`{"type": "AggregationEvent", "eventID": "urn:t:ev:PACK", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
		  "parentID": "` + kk + `", "childQuantityList": [{"epcClass": "urn:t:lot:I", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:mb"}}`,
		strings.Replace(runOf("E2", "mb", "2025-10-04T00:00:00Z", nil, i2), `"inputQuantityList": []`, `"inputEPCList": ["`+kk+`"], "inputQuantityList": []`, 1),
	}
	if !strings.Contains(container[1], `"inputEPCList"`) {
		t.Fatal("test set-up: inputEPCList not written")
	}
	toll := []string{runOf("E2", "tp", "2025-10-04T00:00:00Z", []string{"I:10"}, i2)}
	for name, middle := range map[string][]string{"container": container, "toll": toll} {
		t.Run(name, func(t *testing.T) {
			evs := append([]string{
				feed("P", "ree_concentrate", "PAK", 10, "Nd:5", "Pr:0"),
				feed("C", "ree_concentrate", "CHN", 20, "Nd:5", "Pr:0"),
				runOf("E1", "mb", "2025-10-02T00:00:00Z", []string{"P:10"}, product{lot: "I", commodity: "ree_concentrate", t: 10, assays: []string{"Nd:5", "Pr:0"}}),
			}, middle...)
			evs = append(evs, runOf("E3", "mb", "2025-10-05T00:00:00Z", []string{"I2:10"}, product{lot: "OX0", commodity: "ndpr_oxide", t: 0.6, assays: []string{"Nd:80", "Pr:0"}}))
			db := store(t, doc(map[string]string{"mb": "mass_balance", "tp": "controlled_blending"}, evs...))
			if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
				t.Fatal(err)
			}
			svc := ledger.NewService(db)
			svc.Now = func() time.Time { return now }
			svc.ClaimCheck = custody.CaptureClaimCheck(db)
			_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(runOf("E4", "mb", "2025-10-10T00:00:00Z", []string{"C:10"}, product{lot: "OX", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:80", "Pr:0"}, extra: claimPAK}))})
			if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.35 t") {
				t.Fatalf("claim of 0.8 t on 0.45 t of credit: %v, want EINVALID with shortfall 0.35 t", err)
			}
		})
	}
}
