package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestSharesNotMeasuredWhenFeedsAssayedOtherElements (NU check of issue 9):
// a feed's grade of an element is "not measured" whether the feed has no
// assay at all or assays of other elements only. At blending site b:
//
//	C, Pakistan, 10 t dry, Nd 5 %, no Pr assay → Nd 0.5 t
//	D, China,    30 t dry, Nd 5 %, no Pr assay → Nd 1.5 t
//	R2: C + D → O 0.2 t NdPr oxide at Nd 60 %, Pr 20 %
//
// Nd: O holds 0.2 × 0.6 = 0.12 t, shared as its feeds' Nd: Pakistan
// 0.5 / (0.5 + 1.5) = 25 %, China 75 %. Pr: no feed measured it, so O's
// Pr shares rest on a grade never measured: SharesNotMeasured [Pr], no
// share and no contained value — the overall headline weighs Nd only
// (Pakistan 25 %), never "unknown … (by contained value)" for Pr. Before,
// Pr read "unknown 100 %" and the headline gave unknown 25.9 %.
func TestSharesNotMeasuredWhenFeedsAssayedOtherElements(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("C", "ree_concentrate", "PAK", 10, "Nd:5"),
		feed("D", "ree_concentrate", "CHN", 30, "Nd:5"),
		runOf("R2", "b", "2025-10-05T00:00:00Z", []string{"C:10", "D:30"}, product{lot: "O", commodity: "ndpr_oxide", t: 0.2, assays: []string{"Nd:60", "Pr:20"}}),
	))
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:O", false)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(o.SharesNotMeasured, ",") != "Pr" {
		t.Errorf("SharesNotMeasured %v, want [Pr]: no feed measured Pr", o.SharesNotMeasured)
	}
	nd := o.Elements["Nd"]
	if !near(nd.Tonnes, 0.12) {
		t.Errorf("Nd %v t, want 0.2 × 0.6 = 0.12", nd.Tonnes)
	}
	if !near(shareOf(nd, "PAK"), 0.25) || !near(shareOf(nd, "CHN"), 0.75) {
		t.Errorf("Nd shares %v, want PAK 0.25, CHN 0.75", nd.ByCountry)
	}
	if !o.Elements["Pr"].GradeNotMeasured {
		t.Errorf("Pr %+v: want grade not measured", o.Elements["Pr"])
	}
	h := o.Headline()
	if strings.Contains(h.Text, "unknown") && strings.Contains(h.Text, "by contained value") && !strings.Contains(h.Text, "grade not measured") {
		t.Errorf("headline %q states an unknown share by contained value for an unmeasured grade", h.Text)
	}
	if !strings.Contains(h.Text, "Pr") || !strings.Contains(h.Text, "grade not measured") {
		t.Errorf("headline %q does not say Pr's feed grade is not measured", h.Text)
	}
	pak := 0.0
	for _, s := range o.Overall.ByCountry {
		if s.Key == "PAK" {
			pak = s.Share
		}
	}
	// Pakistan is 25 % of the Nd, whose origin is known; Pr's part of
	// the contained value (OriginNotMeasured) is of unknown origin, so
	// Pakistan's share of the whole is 0.25 × (1 − that part): 0.25 ×
	// (1 − 0.2593) = 0.1852 (fixqt: shares of the whole, summing to 1
	// with the part of unknown origin).
	if p := o.Overall.OriginNotMeasured; p == nil || !near(pak, 0.25*(1-p.Share)) {
		t.Errorf("overall %v (origin not measured %+v), want Pakistan 25 %% of the Nd's part of the whole", o.Overall.ByCountry, p)
	}
}
