package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestHeadlineUnassayedProductIsGradeNotMeasured (issue 9 item 5, fix9g):
// a product without an assay of its own has unknown element shares, and
// every view's one-line origin (Headline: lot list, lots CSV, identity
// card, planner) says so, as the lot page does — never the dry-mass
// origin in its place.
//
//	P (Pakistan, 10 t, Nd 4 % = 0.4 t Nd) → run R → Z, 2 t, no assay.
//
// Z's Nd is not measured: headline basis grade_not_measured, no share
// (its contained value is not measured), and the countries the genealogy proves by dry mass beside it
// (Pakistan 10 / 10 = 100.0 %), labelled. The lot list's Origins (kept
// mix) gives the same headline as the lot page's OriginOf.
func TestHeadlineUnassayedProductIsGradeNotMeasured(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("P", "ree_concentrate", "PAK", 10, "Nd:4"),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"P:10"}, product{lot: "Z", commodity: "ndpr_oxide", t: 2}),
	))
	page, err := custody.OriginOf(ctx, db, "urn:t:lot:Z", true)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.NotMeasured) != 1 || page.NotMeasured[0] != "Nd" {
		t.Fatalf("not measured %v, want [Nd]", page.NotMeasured)
	}
	h := page.Headline()
	// fix9j 5: Z's contained value is not measured, so the headline
	// states no share — not "unknown 100 %", a figure nobody measured —
	// and flags it (gradeNotMeasured, notMeasured); the overall origin's
	// basis says the same.
	want := "contained value not measured (grade not measured): no assay of its own, so its Nd and their origin shares are unknown (not inherited from its feed); physical countries by dry mass: Pakistan 100.0 %"
	if h.Basis != "grade_not_measured" || len(h.ByCountry) != 0 || !h.GradeNotMeasured || len(h.NotMeasured) != 1 || h.Text != want || strings.Contains(h.Text, "100.0 % (by contained") {
		t.Errorf("headline %+v,\nwant basis grade_not_measured, no share, flagged, text %q", h, want)
	}
	if page.Overall.Basis != "grade_not_measured" || len(page.Overall.ByCountry) != 0 || page.Overall.Label() != "contained value not measured (grade not measured)" {
		t.Errorf("overall %+v (%s), want basis grade_not_measured without shares", page.Overall, page.Overall.Label())
	}
	l, err := db.FindLot(ctx, "urn:t:lot:Z")
	if err != nil {
		t.Fatal(err)
	}
	list, err := custody.Origins(ctx, db, []*critmin.Lot{l})
	if err != nil {
		t.Fatal(err)
	}
	if got := list[l.ID].Headline(); got.Text != h.Text || got.Basis != h.Basis {
		t.Errorf("lot list headline %q (%s), lot page %q (%s)", got.Text, got.Basis, h.Text, h.Basis)
	}
}

// TestHeadlinePartlyMeasuredNamesTheRest: Z is assayed for Nd only
// while its feed carried Nd and Pr. Its headline is by Nd (Pakistan
// 100 %) and names Pr as not measured, as the lot page does.
func TestHeadlinePartlyMeasuredNamesTheRest(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("P", "ree_concentrate", "PAK", 10, "Nd:4", "Pr:1"),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"P:10"}, product{lot: "Z", commodity: "ndpr_oxide", t: 2, assays: []string{"Nd:15"}}),
	))
	c, err := custody.OriginOf(context.Background(), db, "urn:t:lot:Z", true)
	if err != nil {
		t.Fatal(err)
	}
	h := c.Headline()
	if !strings.HasPrefix(h.Text, "Pakistan 100.0 % (by contained") || !strings.HasSuffix(h.Text, "; grade not measured: Pr (shares unknown, not inherited from its feed; the part of the lot's contained value they hold is not measured, so the shares above are of Nd only)") {
		t.Errorf("headline %q", h.Text)
	}
}
