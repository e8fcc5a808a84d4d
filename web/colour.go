package web

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"github.com/critmin/critmin/ledger"
)

// commodityColours is the one palette of commodities: every page and
// chart (lot timelines and genealogy, origin bars, the plan's flows and
// sales, the refinery's deportment, the risk pages) colours a commodity
// with commodityColour, which reads this map. Each commodity has its own
// colour; a family's members share a hue (purples and pinks for the rare
// earths, browns and oranges for antimony, teals for copper) so that a
// family still reads as one on a chart, but no two commodities are
// alike. Keys are the ledger's codes (ledger.Commodities, also the demo
// planning file's commodity IDs) and the reference data's commodity
// names (the risk pages').
var commodityColours = map[string]string{
	// Rare earths.
	"rare earths":     "#6941c6",
	"ree_concentrate": "#9e77ed",
	"ree_carbonate":   "#3e1c96",
	"ndpr_oxide":      "#c11574",
	"lace_carbonate":  "#ee46bc",
	// Antimony.
	"antimony":          "#b54708",
	"antimony_ore":      "#7a2e0e",
	"antimony_trioxide": "#f79009",
	"antimony_metal":    "#93370d",
	// Copper.
	"copper":             "#0b6e69",
	"copper_concentrate": "#2ed3b7",
	"copper_cathode":     "#134e48",
	"blister_copper":     "#107569",
	// Other critical minerals the reference data names.
	"lithium":   "#1570ef",
	"cobalt":    "#0040c1",
	"graphite":  "#344054",
	"nickel":    "#3f621a",
	"tungsten":  "#6172f3",
	"gallium":   "#0e7090",
	"germanium": "#854a0e",
	"chromium":  "#4e5ba6",
	"residue":   "#667085",
}

// noCommodityColour is for what has no single commodity (a lane that
// carries several, a residue stream); otherColours are for series that
// are not commodities (scenarios, indicators). None is a commodity's
// colour (TestCommodityColoursDistinct).
const noCommodityColour = "#98a2b3"

var otherColours = []string{"#b42318", "#101828", "#ca8504", "#98a2b3", "#4ca30d"}

// commodityColour is the colour of a commodity on every page: its entry
// in commodityColours (a ledger code, its IRI, or a reference-data name
// in any case); any other commodity gets a colour of its own derived
// from its name (the same on every page and every run), kept apart from
// the palette's hues by its lightness.
func commodityColour(commodity string) string {
	c := strings.ToLower(strings.TrimSpace(ledger.CanonicalCommodity(strings.TrimSpace(commodity))))
	if c == "" {
		return noCommodityColour
	}
	if col, ok := commodityColours[c]; ok {
		return col
	}
	h := fnv.New32a()
	h.Write([]byte(c))
	sum := h.Sum32()
	return hsl(float64(sum%360), 0.55, 0.30+0.08*float64((sum/360)%3))
}

// hsl is an sRGB hex colour.
func hsl(h, s, l float64) string {
	c := (1 - abs(2*l-1)) * s
	hp := h / 60
	x := c * (1 - abs(mod2(hp)-1))
	var r, g, b float64
	switch {
	case hp < 1:
		r, g = c, x
	case hp < 2:
		r, g = x, c
	case hp < 3:
		g, b = c, x
	case hp < 4:
		g, b = x, c
	case hp < 5:
		r, b = x, c
	default:
		r, b = c, x
	}
	m := l - c/2
	to := func(v float64) int { return int((v+m)*255 + 0.5) }
	return fmt.Sprintf("#%02x%02x%02x", to(r), to(g), to(b))
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func mod2(v float64) float64 {
	for v >= 2 {
		v -= 2
	}
	return v
}

// elementColours is the palette of elements (the refinery's deportment
// Sankeys and flowsheet): one colour per element, the same on every
// page. An element sold as one commodity takes that commodity's colour
// (Nd NdPr oxide, La La/Ce carbonate, Sb antimony, Cu copper …); the
// others have their own, in the hue of their family (Pr and Ce pinks
// beside Nd and La, Dy and Tb purples beside the rare earths, Th and U
// greens, Au gold, Ag silver, S yellow, Fe rust, As dark red) — never the
// grey of "no commodity", so that no two Sankeys of one page share a
// colour (TestElementColoursDistinct).
var elementColours = map[string]string{
	"Pr": "#dd2590",
	"Ce": "#f670c7",
	"Dy": "#7a5af8",
	"Tb": "#5925dc",
	"Th": "#669f2a",
	"U":  "#2b5314",
	"As": "#912018",
	"Au": "#eaaa08",
	"Ag": "#7d89b0",
	"S":  "#fac515",
	"Fe": "#c4320a",
}

// elementColour is an element's colour on every page: its commodity's
// (Nd NdPr oxide, La La/Ce carbonate, Sb antimony, Cu copper, Li lithium
// …), else its entry in elementColours, else a colour of its own derived
// from its symbol (commodityColour's rule for a name outside the
// palette) — never grey.
func elementColour(el string) string {
	switch el {
	case "Nd":
		return commodityColour("ndpr_oxide")
	case "La":
		return commodityColour("lace_carbonate")
	}
	if name, ok := map[string]string{"Sb": "antimony", "Cu": "copper", "Li": "lithium", "Co": "cobalt", "C": "graphite", "Ni": "nickel",
		"W": "tungsten", "Ga": "gallium", "Ge": "germanium", "Cr": "chromium"}[el]; ok {
		return commodityColour(name)
	}
	if col, ok := elementColours[el]; ok {
		return col
	}
	return commodityColour("element " + el)
}

// commodityKey is a legend of commodities for a page: each with its
// display name and colour, in the order given, without repeats.
type commodityKeyEntry struct{ Code, Name, Colour string }

func commodityKey(codes []string) []commodityKeyEntry {
	var out []commodityKeyEntry
	seen := map[string]bool{}
	for _, c := range codes {
		if c == "" || seen[c] {
			continue
		}
		seen[c] = true
		out = append(out, commodityKeyEntry{Code: c, Name: ledger.CommodityName(c), Colour: commodityColour(c)})
	}
	slices.SortStableFunc(out, func(a, b commodityKeyEntry) int { return strings.Compare(a.Name, b.Name) })
	return out
}
