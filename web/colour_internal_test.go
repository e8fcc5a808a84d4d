package web

import (
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
	if elementColour("Nd") != commodityColours["ndpr_oxide"] || elementColour("La") != commodityColours["lace_carbonate"] || elementColour("Th") != noCommodityColour {
		t.Errorf("element colours: Nd %s La %s Th %s", elementColour("Nd"), elementColour("La"), elementColour("Th"))
	}
}
