package custody_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestChainedCategoriesRefused (issue 9, fix9t item 1): a category whose
// input is another category's product, on a shared qualifying element,
// counts that element twice. With sb1 antimony_ore → antimony_trioxide
// (Sb, 0.8) and sb2 antimony_trioxide → antimony_metal (Sb, 0.95), 10 t
// of Pakistani ore at 40 % Sb holds 10 × 0.40 = 4 t Sb; sb1 credits
// 4 × 0.8 = 3.2 t, and when 4 t of its trioxide at 83.5 % Sb (3.34 t Sb)
// is fed to metal, sb2 credits 3.34 × 0.95 = 3.173 t again: 4 t of
// Pakistani Sb would back 3.2 + 3.173 = 6.373 t of claims. The
// declaration is refused at the downstream category's input, in either
// order of the categories, and nothing is stored; a chain on disjoint
// elements is accepted (each counts only its own element).
func TestChainedCategoriesRefused(t *testing.T) {
	db := store(t, doc(map[string]string{"chain": "mass_balance", "disj": "mass_balance"}))
	ctx := context.Background()
	at := time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)
	periods := []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}
	sb1 := critmin.MaterialCategory{ID: "sb1", Inputs: []string{"antimony_ore"}, Product: "antimony_trioxide", Elements: []string{"Sb"}, ConversionFactor: 0.8}
	sb2 := critmin.MaterialCategory{ID: "sb2", Inputs: []string{"antimony_trioxide"}, Product: "antimony_metal", Elements: []string{"Sb"}, ConversionFactor: 0.95}
	for _, tc := range []struct {
		name, field string
		cats        []critmin.MaterialCategory
	}{
		{"upstream first", "/categories/1/inputs/0", []critmin.MaterialCategory{sb1, sb2}},
		{"downstream first", "/categories/0/inputs/0", []critmin.MaterialCategory{sb2, sb1}},
	} {
		cats := make([]critmin.MaterialCategory, len(tc.cats))
		for i, c := range tc.cats {
			c.Inputs = append([]string(nil), c.Inputs...)
			c.Elements = append([]string(nil), c.Elements...)
			cats[i] = c
		}
		err := custody.DeclareMassBalance(ctx, db, &critmin.MassBalanceDeclaration{Site: "urn:t:site:chain", Categories: cats, Periods: periods}, at)
		f := critmin.ErrorFields(err)
		if critmin.ErrorCode(err) != critmin.EINVALID || len(f) == 0 || f[0].Pointer != tc.field ||
			!strings.Contains(f[0].Reason, `"antimony_trioxide" is the product of category "sb1"`) || !strings.Contains(f[0].Reason, "counted twice") {
			t.Errorf("%s: %v (%+v), want %s saying antimony_trioxide is sb1's product and Sb would be counted twice", tc.name, err, f, tc.field)
		}
		if _, err := db.FindMassBalance(ctx, "urn:t:site:chain"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: stored: %v", tc.name, err)
		}
	}
	// Disjoint elements: the metal category qualifies no Sb, so the chain
	// counts nothing twice.
	other := sb2
	other.Elements = []string{"As"}
	if err := custody.DeclareMassBalance(ctx, db, &critmin.MassBalanceDeclaration{Site: "urn:t:site:disj", Categories: []critmin.MaterialCategory{sb1, other}, Periods: periods}, at); err != nil {
		t.Errorf("a chain on disjoint elements: %v", err)
	}
}

// TestChainedCategoryEarnsOnce (fix9t item 1): a declaration stored
// before chains were refused keeps working, and the element is counted
// once. Site mb, stored categories sb1 antimony_ore → antimony_trioxide
// (Sb, 0.8) and sb2 antimony_trioxide → antimony_metal (Sb, 0.95):
//
//	Oct 5 R1: P (Pakistan, 10 t ore at 40 % Sb = 4 t Sb) → T1, 4 t
//	          trioxide at 83.5 % Sb = 3.34 t: sb1 PAK 4 × 0.8 = 3.2 t.
//	Oct 6 R2: T1 → M1, 3 t metal at 99 % Sb: T1 was made here by R1,
//	          which earned Sb credit (in sb1): sb2 earns nothing (before
//	          fix9t 3.34 × 0.95 = 3.173 t again, 6.373 t backed by 4 t).
func TestChainedCategoryEarnsOnce(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"mb": "mass_balance"},
		feed("P", "antimony_ore", "PAK", 10, "Sb:40"),
		runOf("R1", "mb", "2025-10-05T00:00:00Z", []string{"P:10"}, product{lot: "T1", commodity: "antimony_trioxide", t: 4, assays: []string{"Sb:83.5"}}),
		runOf("R2", "mb", "2025-10-06T00:00:00Z", []string{"T1:4"}, product{lot: "M1", commodity: "antimony_metal", t: 3, assays: []string{"Sb:99"}}),
	))
	d := &critmin.MassBalanceDeclaration{Site: "urn:t:site:mb", Method: critmin.MassBalanceCredit, DeclaredAt: time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC),
		Categories: []critmin.MaterialCategory{
			{ID: "sb1", Inputs: []string{"antimony_ore"}, Product: "antimony_trioxide", Elements: []string{"Sb"}, ConversionFactor: 0.8},
			{ID: "sb2", Inputs: []string{"antimony_trioxide"}, Product: "antimony_metal", Elements: []string{"Sb"}, ConversionFactor: 0.95},
		},
		Periods: []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2025-11-01"}}}
	if err := db.SaveMassBalance(ctx, d); err != nil { // as stored before fix9t
		t.Fatal(err)
	}
	st, err := custody.StatementOf(ctx, db, "urn:t:site:mb", "2025-10", custody.DeclaredFactors{}, time.Date(2025, 10, 20, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, cat := range st.Categories {
		for _, l := range cat.Lines {
			if l.Country == "PAK" {
				got[cat.Category.ID] += l.Credits
			}
		}
	}
	if math.Abs(got["sb1"]-3.2) > 1e-9 || got["sb2"] != 0 {
		t.Errorf("PAK credits %v, want sb1 3.2 t and sb2 0 (T1's Sb earned its credit in sb1)", got)
	}
}
