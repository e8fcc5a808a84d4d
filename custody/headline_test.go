package custody_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestHeadlineUnpricedElements (issue 9): a carbonate whose contained
// value is all in the one priced element it barely holds, beside an
// element with no price in custody/prices/elements.csv (Sm).
//
//	P (Pakistan, 10 t): Sm 0.5 % = 0.05 t, Nd 0.1 % = 0.010 t
//	M (Myanmar, 10 t):  Sm 8 %   = 0.80 t, Nd 0.06 % = 0.006 t
//	Z (2 t of carbonate): Sm 42.5 % = 0.85 t, Nd 0.8 % = 0.016 t
//
// Sm: Myanmar 0.80 / 0.85 = 94.1 %; Nd: Pakistan 0.010 / 0.016 = 62.5 %.
// Only Nd is priced, so the value-weighted overall is Nd's: Pakistan
// 62.5 %. The headline must not present that as the lot's origin: it
// names the element it covers (Nd), the unpriced one left out (Sm) and
// Sm's part of the contained element tonnes, 0.85 / (0.85 + 0.016) =
// 98.2 %.
func TestHeadlineUnpricedElements(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("P", "ree_concentrate", "PAK", 10, "Sm:0.5", "Nd:0.1"),
		feed("M", "ree_concentrate", "MMR", 10, "Sm:8", "Nd:0.06"),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"P:10", "M:10"}, product{lot: "Z", commodity: "ree_carbonate", t: 2, assays: []string{"Sm:42.5", "Nd:0.8"}}),
	))
	c, err := custody.OriginOf(context.Background(), db, "urn:t:lot:Z", true)
	if err != nil {
		t.Fatal(err)
	}
	o := c.Overall
	if o.Basis != "contained_value" || !slices.Equal(o.Covers, []string{"Nd"}) || !slices.Equal(o.Unpriced, []string{"Sm"}) || math.Abs(o.UnpricedShare-0.85/0.866) > 1e-9 {
		t.Fatalf("overall %+v", o)
	}
	if len(o.ByCountry) != 2 || o.ByCountry[0].Key != "PAK" || math.Abs(o.ByCountry[0].Share-0.625) > 1e-9 {
		t.Errorf("overall shares %+v, want Pakistan 62.5 %% (Nd's)", o.ByCountry)
	}
	h := c.Headline()
	want := "Pakistan 62.5 %, Myanmar 37.5 % (by contained value of priced elements: Nd; Sm unpriced (98.2 % of contained element tonnes), not counted — not the lot's whole origin)"
	if h.Text != want {
		t.Errorf("headline %q,\nwant %q", h.Text, want)
	}
	if !strings.Contains(o.Label(), "priced elements only (Nd") || !strings.Contains(o.Label(), "Sm unpriced") {
		t.Errorf("label %q", o.Label())
	}
	if sm := c.Elements["Sm"]; len(sm.ByCountry) == 0 || sm.ByCountry[0].Key != "MMR" || math.Abs(sm.ByCountry[0].Share-0.8/0.85) > 1e-9 {
		t.Errorf("Sm %+v, want Myanmar 94.1 %%", sm.ByCountry)
	}
}

// TestHeadlineLaCeCarbonatePriced (issue 9, check nu9i): La and Ce are
// priced (USGS MCS 2021: lanthanum and cerium oxide, 99.5 % min, 2 USD/kg
// in 2020), so a La/Ce carbonate is valued by the La it is made of, not
// by the trace of Nd it carries. P (Pakistan, 10 t: Nd 10 %, La 0 %) and
// C (China, 10 t: La 10 %, Nd 0 %) make Z, 1 t at La 90 %, Nd 0.5 %:
//
//	La 0.9 t, all Chinese:   900 kg × 2 / 0.852683 USD/kg = 2,110.98 USD
//	Nd 0.005 t, all Pakistani: 5 kg × 73 / 0.857356 USD/kg =   425.73 USD
//	China 2,110.98 / 2,536.71 = 83.2 %, Pakistan 16.8 %
//
// (Before La had a price the headline read "Pakistan 100.0 %, China
// 0.0 %", by Nd alone.)
func TestHeadlineLaCeCarbonatePriced(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("P", "ree_concentrate", "PAK", 10, "Nd:10", "La:0"),
		feed("C", "ree_concentrate", "CHN", 10, "La:10", "Nd:0"),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"P:10", "C:10"}, product{lot: "Z", commodity: "lace_carbonate", t: 1, assays: []string{"La:90", "Nd:0.5"}}),
	))
	c, err := custody.OriginOf(context.Background(), db, "urn:t:lot:Z", false)
	if err != nil {
		t.Fatal(err)
	}
	la, nd := 900*2/laOx, 5*73/ndOx
	o := c.Overall
	if o.Basis != "contained_value" || len(o.Unpriced) != 0 || len(o.ByCountry) != 2 || o.ByCountry[0].Key != "CHN" ||
		math.Abs(o.ByCountry[0].Share-la/(la+nd)) > 1e-6 || math.Abs(o.ValueUSD-(la+nd)) > 1e-3 {
		t.Fatalf("overall %+v, want China %.4f of %.2f USD", o, la/(la+nd), la+nd)
	}
	if h := c.Headline(); !strings.HasPrefix(h.Text, "China 83.2 %, Pakistan 16.8 % (by contained value") {
		t.Errorf("headline %q, want China 83.2 %% first", h.Text)
	}
}

// TestHeadlineUnknownShowsDryMass (issue 9, new-user check 5): when
// unknown leads the contained-element headline, the physical countries by
// dry mass go beside it. C (China, 30 t) has no Nd assay and P (Pakistan,
// 10 t) has Nd 4 %: Z's Nd shares are unknown (C brought an unknown
// amount). fix9p: the headline states no share and no value for them —
// it said "unknown 100.0 % (by contained value)", a value share computed
// where C's grade was never measured — but "grade not measured", and the
// dry-mass view follows: China 30 / 40 = 75.0 %, Pakistan 10 / 40 = 25.0 %.
func TestHeadlineUnknownShowsDryMass(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("C", "ree_concentrate", "CHN", 30),
		feed("P", "ree_concentrate", "PAK", 10, "Nd:4"),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"C:30", "P:10"}, product{lot: "Z", commodity: "ree_concentrate", t: 40, assays: []string{"Nd:2"}}),
	))
	c, err := custody.OriginOf(context.Background(), db, "urn:t:lot:Z", false)
	if err != nil {
		t.Fatal(err)
	}
	h := c.Headline()
	if len(h.ByCountry) != 0 || !h.GradeNotMeasured || !strings.Contains(h.Text, "grade not measured") || strings.Contains(h.Text, "unknown 100") ||
		c.Overall.ValueUSD != 0 || !strings.HasSuffix(h.Text, "; physical countries by dry mass: China 75.0 %, Pakistan 25.0 %") {
		t.Errorf("headline %q (%+v), overall %+v: want no share, no value, grade not measured and the dry-mass countries beside it", h.Text, h.ByCountry, c.Overall)
	}
}
