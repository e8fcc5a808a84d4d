package custody_test

import (
	"context"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestHeadlineOwnAssayIsNotNoAssay (fix9ah item c): Z, NdPr oxide made
// from P (Pakistan, 10 t at Nd 4 % + Pr 1 %, no Sb assay), has an assay
// of its own — Sb 2 % — and none of Nd or Pr. Its headline said "no assay
// of its own, so its Nd, Pr … unknown"; what is unmeasured is Nd and Pr
// only, and its own Sb assay is named. Sb's shares are unknown too (P's
// grade of Sb was never measured), said as before. No share is stated:
// the dry-mass countries go beside (Pakistan 10/10 = 100.0 %).
func TestHeadlineOwnAssayIsNotNoAssay(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"P:10"}, product{lot: "Z", commodity: "ndpr_oxide", t: 2, assays: []string{"Sb:2"}}),
	))
	c, err := custody.OriginOf(ctx, db, "urn:t:lot:Z", true)
	if err != nil {
		t.Fatal(err)
	}
	h := c.Headline()
	const want = "contained value not measured (grade not measured): its own assays measure Sb but not Nd, Pr, which its feed carried, so the grade and origin shares of its Nd, Pr are unknown (not inherited from its feed); a feed's grade of Sb is not measured, so the origin shares of its Sb are unknown; physical countries by dry mass: Pakistan 100.0 %"
	if h.Text != want || h.Basis != "grade_not_measured" || len(h.ByCountry) != 0 || !reflect.DeepEqual(h.NotMeasured, []string{"Nd", "Pr"}) {
		t.Errorf("headline %+v,\nwant text %q", h, want)
	}
	if strings.Contains(h.Text, "no assay of its own") {
		t.Errorf("Z has its own Sb assay, yet its headline says it has none: %q", h.Text)
	}
}

// TestHeadlineByProductsNotGradeNotMeasured (fix9ah item d): P
// (Pakistan, 10 t at Nd 6 %, Pr 2 %, La 1 %, Ce 1 %: 0.6 t Nd, 0.2 t Pr,
// 0.1 t La, 0.1 t Ce) feeds one product per case. An element the
// product's feed carried that its own assays leave out reads "grade not
// measured" in the headline only when its commodity is valued on it
// (ledger.PayableElements: NdPr oxide on Nd and Pr, La/Ce carbonate on La
// and Ce; rare-earth carbonate has no list, so every element counts).
// The rest are by-products not assayed: still not measured
// (Composition.NotMeasured), named apart (UnassayedByProducts), and the
// covered-country rule's detail says "not assayed", not "grade not
// measured". Every product's measured elements are wholly Pakistani:
// "Pakistan 100.0 % (by contained value)".
func TestHeadlineByProductsNotGradeNotMeasured(t *testing.T) {
	ctx := context.Background()
	const pak = "Pakistan 100.0 % (by contained value)"
	for _, c := range []struct {
		name, commodity string
		assays          []string
		text            string
		flagged, byProd []string
	}{
		// 1 t at Nd 50 % + Pr 15 % = 0.5 t Nd ≤ 0.6, 0.15 t Pr ≤ 0.2.
		{"NdPr oxide assayed for Nd and Pr", "ndpr_oxide", []string{"Nd:50", "Pr:15"}, pak, nil, []string{"Ce", "La"}},
		{"NdPr oxide assayed for Nd only", "ndpr_oxide", []string{"Nd:50"}, pak + "; grade not measured: Pr (shares unknown, not inherited from its feed; the part of the lot's contained value they hold is not measured, so the shares above are of Nd only)", []string{"Pr"}, []string{"Ce", "La"}},
		// 1 t at La 5 % + Ce 5 % = 0.05 t each ≤ 0.1.
		{"La/Ce carbonate assayed for La and Ce", "lace_carbonate", []string{"La:5", "Ce:5"}, pak, nil, []string{"Nd", "Pr"}},
		{"rare-earth carbonate (no payable list)", "ree_carbonate", []string{"Nd:50", "Pr:15"}, pak + "; grade not measured: Ce, La (shares unknown, not inherited from its feed; the part of the lot's contained value they hold is not measured, so the shares above are of Nd, Pr only)", []string{"Ce", "La"}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Site cb is in the USA, so that the covered-country rule
			// reads the element shares (a site without a country fails
			// it as unknown first).
			d := doc(map[string]string{"cb": "controlled_blending"},
				feed("P", "ree_concentrate", "PAK", 10, "Nd:6", "Pr:2", "La:1", "Ce:1"),
				runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"P:10"}, product{lot: "Z", commodity: c.commodity, t: 1, assays: c.assays}),
			)
			d = strings.Replace(d, `"attribute": "cb"}`, `"attribute": "cb"}, {"id": "urn:epcglobal:cbv:mda#countryCode", "attribute": "US"}`, 1)
			db := store(t, d)
			comp, err := custody.OriginOf(ctx, db, "urn:t:lot:Z", true)
			if err != nil {
				t.Fatal(err)
			}
			h := comp.Headline()
			if h.Text != c.text || h.GradeNotMeasured {
				t.Errorf("headline %q (gradeNotMeasured %v),\nwant %q", h.Text, h.GradeNotMeasured, c.text)
			}
			if got := comp.GradeNotMeasured(); len(got)+len(c.flagged) > 0 && !reflect.DeepEqual(got, c.flagged) {
				t.Errorf("grade not measured %v, want %v", got, c.flagged)
			}
			if got := comp.UnassayedByProducts(); len(got)+len(c.byProd) > 0 && !reflect.DeepEqual(got, c.byProd) {
				t.Errorf("by-products not assayed %v, want %v", got, c.byProd)
			}
			if len(comp.NotMeasured) != len(c.flagged)+len(c.byProd) {
				t.Errorf("not measured %v, want %v and %v", comp.NotMeasured, c.flagged, c.byProd)
			}
			vs, err := custody.Evaluate(ctx, db, "urn:t:lot:Z", custody.DefaultPack())
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vs {
				if v.Rule != "dfars-covered-countries" {
					continue
				}
				if m := gradeNotMeasuredFor.FindStringSubmatch(v.Detail); m != nil {
					for _, e := range c.byProd {
						if strings.Contains(m[1], e) {
							t.Errorf("DFARS detail calls by-product %s's grade not measured: %s", e, v.Detail)
						}
					}
				}
				if len(c.byProd) > 0 && !strings.Contains(v.Detail, strings.Join(c.byProd, ", ")+" not assayed") {
					t.Errorf("DFARS detail does not name the by-products not assayed: %s", v.Detail)
				}
			}
		})
	}
}

// gradeNotMeasuredFor finds the elements a rule's detail calls "grade not
// measured for …".
var gradeNotMeasuredFor = regexp.MustCompile(`grade not measured for ([A-Za-z, ]+)`)
