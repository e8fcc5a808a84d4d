package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// TestNoValueShareWhereGradeNotMeasured (fix9p gap 3): at blending site b
// feed U, Pakistan, 10 t with no assay, runs into UO, 0.1 t at Nd 60 %
// (0.06 t Nd, assayed). The Nd UO holds is measured, but where it came
// from is not: U's grade was never measured, so Nd's shares by origin are
// unknown. No share and no contained value may be stated for it — not
// "unknown 100 % (by contained value of payable elements (US$…))" — and the
// headline says the feed's grade is not measured.
func TestNoValueShareWhereGradeNotMeasured(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("U", "ree_concentrate", "PAK", 10),
		runOf("RU", "b", "2025-10-05T00:00:00Z", []string{"U:10"}, product{lot: "UO", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:60"}}),
	))
	o, err := custody.OriginOf(ctx, db, "urn:t:lot:UO", false)
	if err != nil {
		t.Fatal(err)
	}
	h := o.Headline()
	t.Logf("overall %+v headline %+v els %+v notmeasured %v", o.Overall, h, o.Elements, o.NotMeasured)
	if o.Overall.ValueUSD != 0 || strings.Contains(h.Text, "US$") || strings.Contains(o.Overall.Label(), "US$") {
		t.Errorf("UO states a contained value where its feed's grade is not measured: overall %+v, headline %q, label %q", o.Overall, h.Text, o.Overall.Label())
	}
	for _, sh := range h.ByCountry {
		if sh.Key == custody.Unknown {
			t.Errorf("headline states a share of unknown origin %+v: %q", sh, h.Text)
		}
	}
	if !strings.Contains(h.Text, "grade not measured") {
		t.Errorf("headline %q does not say grade not measured", h.Text)
	}
	// The lot list reads the kept mix (custody.Origins): the same.
	l, err := db.FindLot(ctx, "urn:t:lot:UO")
	if err != nil {
		t.Fatal(err)
	}
	all, err := custody.Origins(ctx, db, []*critmin.Lot{l})
	if err != nil {
		t.Fatal(err)
	}
	if c := all["urn:t:lot:UO"]; c == nil || c.Overall.ValueUSD != 0 || c.Overall.Basis != "grade_not_measured" || c.Headline().Text != h.Text {
		t.Errorf("lot list's UO: %+v, want the lot page's %q", c, h.Text)
	}
}
