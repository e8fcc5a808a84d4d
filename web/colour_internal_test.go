package web

import (
	"slices"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestCommodityColoursDistinct: every commodity has its own colour (no
// two entries of the palette alike, NdPr oxide and La/Ce carbonate
// included), none is the grey of "several commodities" or a colour kept
// for scenarios; every ledger commodity is in the palette; a code, its
// IRI and any case give one colour; a commodity outside the palette gets
// the same colour on every call, not grey.
func TestCommodityColoursDistinct(t *testing.T) {
	owner := map[string]string{}
	for c, col := range commodityColours {
		if o, ok := owner[col]; ok {
			t.Errorf("%s and %s share %s", o, c, col)
		}
		owner[col] = c
	}
	for _, col := range append([]string{noCommodityColour}, otherColours...) {
		if c, ok := owner[col]; ok {
			t.Errorf("%s is %s's colour and also kept for non-commodities", col, c)
		}
	}
	for code := range ledger.Commodities {
		if _, ok := commodityColours[code]; !ok {
			t.Errorf("ledger commodity %s has no colour of its own", code)
		}
	}
	if a, b := commodityColour("ndpr_oxide"), commodityColour("lace_carbonate"); a == b {
		t.Errorf("NdPr oxide and La/Ce carbonate both %s", a)
	}
	if got := commodityColour(ledger.CommodityBase + "ndpr_oxide"); got != commodityColours["ndpr_oxide"] {
		t.Errorf("the IRI of ndpr_oxide is %s, the code %s", got, commodityColours["ndpr_oxide"])
	}
	if got := commodityColour("Rare Earths"); got != commodityColours["rare earths"] {
		t.Errorf("Rare Earths is %s", got)
	}
	if a, b := commodityColour("tin"), commodityColour("tin"); a != b || a == noCommodityColour || len(a) != 7 {
		t.Errorf("tin is %s then %s", a, b)
	}
	if commodityColour("tin") == commodityColour("zinc") {
		t.Errorf("tin and zinc alike")
	}
	// hsl(0°, 100 %, 50 %) is pure red; hsl(240°, 100 %, 25 %) is navy
	// (0, 0, 0.5 × 255 = 127.5 → 128).
	if got := hsl(0, 1, 0.5); got != "#ff0000" {
		t.Errorf("hsl(0,1,.5) = %s", got)
	}
	if got := hsl(240, 1, 0.25); got != "#000080" {
		t.Errorf("hsl(240,1,.25) = %s", got)
	}
	if elementColour("Nd") != commodityColours["ndpr_oxide"] || elementColour("La") != commodityColours["lace_carbonate"] || elementColour("Sb") != commodityColours["antimony"] {
		t.Errorf("element colours: Nd %s La %s Sb %s", elementColour("Nd"), elementColour("La"), elementColour("Sb"))
	}
}

// TestElementColoursDistinct: the refinery's deportment Sankeys drew Th,
// U, As, Au, Ag, S and Fe in one grey and Nd/Pr, La/Ce, Dy/Tb in one
// colour each; every element the demo refinery tracks now has its own
// colour — none grey, none a colour kept for scenarios — distinct from
// every other element's and from the commodities' except the one it is
// sold as (Nd NdPr oxide, La La/Ce carbonate, Sb antimony, Cu copper);
// an element outside the palette (Sm) gets a colour of its own, the same
// on every call.
func TestElementColoursDistinct(t *testing.T) {
	sold := map[string]string{"Nd": "ndpr_oxide", "La": "lace_carbonate", "Sb": "antimony", "Cu": "copper"}
	commodity := map[string]string{}
	for c, col := range commodityColours {
		commodity[col] = c
	}
	owner := map[string]string{}
	for _, el := range []string{"Nd", "Pr", "La", "Ce", "Dy", "Tb", "Th", "U", "Sb", "As", "Cu", "Au", "Ag", "S", "Fe", "Sm"} {
		col := elementColour(el)
		if o, ok := owner[col]; ok {
			t.Errorf("%s and %s share %s", o, el, col)
		}
		owner[col] = el
		if col == noCommodityColour || slices.Contains(otherColours, col) {
			t.Errorf("%s is %s, a colour kept for non-commodities", el, col)
		}
		if c, ok := commodity[col]; ok && sold[el] != c {
			t.Errorf("%s is %s, the colour of %s", el, col, c)
		}
	}
	if elementColour("Sm") != elementColour("Sm") {
		t.Errorf("Sm's colour changes between calls")
	}
}
