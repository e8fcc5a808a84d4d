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

// TestCreditOnlyInARunThatMakesTheProduct (issue 9, fix9r item 3): ISO
// 22095 mass balance takes the conversion factor as the ratio of product
// to input of the process that makes the product, so a category input
// earns credit only in a run that makes the category's product (one run
// per transformationID: any of its outputs of the product commodity).
// Site mb, category ree (ree_concentrate → ndpr_oxide on Nd+Pr, factor
// 0.9), November (all lots dry):
//
//	Nov 5  R1: PK (Pakistan, 10 t at Nd 4 % + Pr 1 %) → CC, 10 t of
//	           ree_concentrate at the same grade. R1 makes no oxide: no
//	           credit (before: 10 × 5 % × 0.9 = 0.45 t PAK).
//	Nov 6  R2: PK2 (Pakistan, 10 t, 5 %) → RS, 9.5 t of residue: no
//	           oxide, no credit (before: 0.45 t PAK).
//	Nov 7  R3: CN (China, 10 t, 5 %) → OX, 0.5 t oxide at Nd 60 % + Pr
//	           20 % = 0.4 t Nd+Pr, claimed Pakistani: credit CHN
//	           10 × 5 % × 0.9 = 0.45 t; the PAK balance is 0, so the
//	           claim is refused, shortfall 0.4 t (before: accepted,
//	           0.4 ≤ 0.9).
//	Nov 8  R4: CC (made by R1, a run that made no product: not material
//	           that already earned credit) → OX4, 0.5 t oxide, no claim:
//	           CC earns its credit now, 10 × 5 % × 0.9 = 0.45 t PAK.
//
// R3 also makes OXR, 0.1 t at Nd 60 % (0.06 t, no claim), and R4's OX4 is
// 0.6 t at Nd 64 % + Pr 16 % (0.48 t): each run's products hold its 0.45 t
// credit (0.46, 0.48 ≥ 0.45; fix9c), each element within its input.
//
// November: PAK credits 0.45 (R4 on CC), claims 0, closing 0.45; CHN
// credits 0.45. The statement and the capture-time check agree: the claim
// captured as a document is refused with the same shortfall.
func TestCreditOnlyInARunThatMakesTheProduct(t *testing.T) {
	ctx := context.Background()
	r3 := runOf("R3", "mb", "2025-11-07T00:00:00Z", []string{"CN:10"}, product{lot: "OX", commodity: "ndpr_oxide", t: 0.5, assays: []string{"Nd:60", "Pr:20"}, extra: claimPAK},
		product{lot: "OXR", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:60", "Pr:0"}})
	events := []string{
		feed("PK", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("PK2", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		feed("CN", "ree_concentrate", "CHN", 10, "Nd:4", "Pr:1"),
		runOf("R1", "mb", "2025-11-05T00:00:00Z", []string{"PK:10"}, product{lot: "CC", commodity: "ree_concentrate", t: 10, assays: []string{"Nd:4", "Pr:1"}}),
		runOf("R2", "mb", "2025-11-06T00:00:00Z", []string{"PK2:10"}, product{lot: "RS", commodity: "residue", t: 9.5, assays: []string{"Nd:0.1", "Pr:0.02"}}),
	}
	db := store(t, doc(map[string]string{"mb": "mass_balance"}, append(events, r3,
		runOf("R4", "mb", "2025-11-08T00:00:00Z", []string{"CC:10"}, product{lot: "OX4", commodity: "ndpr_oxide", t: 0.6, assays: []string{"Nd:64", "Pr:16"}}))...))
	if err := custody.DeclareMassBalance(ctx, db, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-11", custody.DeclaredFactors{}, time.Date(2025, 11, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	sameLine(t, "Nov", line(t, st, "ree", "PAK"), 0, 0.45, 0, 0, 0.45)
	sameLine(t, "Nov", line(t, st, "ree", "CHN"), 0, 0.45, 0, 0, 0.45)
	for _, c := range st.Categories {
		for _, e := range c.Entries {
			if e.Kind == "credit" && e.Country == "PAK" && e.Lot != "urn:t:lot:CC" {
				t.Errorf("PAK credit entry %+v, want only CC's (fed to R4, which makes oxide)", e)
			}
		}
	}
	if len(st.Refused) != 1 || st.Refused[0].Lot != "urn:t:lot:OX" || !near(st.Refused[0].Shortfall, 0.4) {
		t.Errorf("refused %+v, want OX short by 0.4 t", st.Refused)
	}
	if err := custody.CheckStatement(st); err != nil {
		t.Error(err)
	}
	// At capture: the same store without R3 and R4; R3's claim is refused
	// with the shortfall the statement gives.
	db2 := store(t, doc(map[string]string{"mb": "mass_balance"}, events...))
	if err := custody.DeclareMassBalance(ctx, db2, declaration("urn:t:site:mb"), time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	svc := ledger.NewService(db2)
	svc.Now = clockAt("2025-11-20T00:00:00Z")
	svc.ClaimCheck = custody.CaptureClaimCheck(db2)
	_, err = svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(r3)})
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "shortfall 0.4 t") {
		t.Fatalf("claim of 0.4 t with no PAK credit: %v, want EINVALID with shortfall 0.4 t", err)
	}
}
