package web

import (
	"encoding/json"
	"html"
	"regexp"
	"testing"

	"github.com/critmin/critmin"
)

// TestCorridorMapLanesByCommodity: the overview map colours each lane by
// its commodity with commodityColour (every lane was one slate #486581,
// the plan Sankey colours by commodity): a route that carried two
// commodities is two lines, one in each commodity's colour, curved apart
// (each commodity's curve is its place in the legend, names in
// alphabetical order: Antimony ore 0, Copper concentrate 1, so that
// copper from two neighbouring ports shares one curve and never lies
// under antimony); a shipment in transit is its own line of kind
// "transit" (dashed on the map) to its destination; the legend (lanes)
// names each commodity once in its colour.
func TestCorridorMapLanesByCommodity(t *testing.T) {
	lat := func(v float64) *float64 { return &v }
	sites := []*critmin.Site{
		{ID: "urn:s:mine", Name: "Mine", Kind: critmin.SiteMine, Lat: lat(29.1), Lon: lat(61.5)},
		{ID: "urn:s:port", Name: "Port", Kind: critmin.SitePort, Lat: lat(24.8), Lon: lat(67.3)},
		{ID: "urn:s:far", Name: "Far", Kind: critmin.SitePort, Lat: lat(29.7), Lon: lat(-95.0)},
	}
	// 30 t copper + 12 t antimony moved mine → port: 42 t in two lines.
	flows := []critmin.Flow{{From: "urn:s:mine", To: "urn:s:port", Tonnes: 42, Lots: 3, ByCommodity: []critmin.CommodityTonnes{
		{Commodity: "copper_concentrate", Tonnes: 30}, {Commodity: "antimony_ore", Tonnes: 12}}}}
	atSea := []critmin.Flow{{From: "urn:s:port", To: "urn:s:far", Tonnes: 20, Lots: 1, ByCommodity: []critmin.CommodityTonnes{
		{Commodity: "copper_concentrate", Tonnes: 20}}}}
	out := string(corridorMap(sites, flows, atSea))
	m := regexp.MustCompile(`data-chart="([^"]*)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no chart in %s", out)
	}
	var c Chart
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &c); err != nil {
		t.Fatal(err)
	}
	type lane struct {
		from, to, colour, kind string
		value                  float64
		n                      int
	}
	want := []lane{
		{"urn:s:mine", "urn:s:port", commodityColour("copper_concentrate"), "moved", 30, 1},
		{"urn:s:mine", "urn:s:port", commodityColour("antimony_ore"), "moved", 12, 0},
		{"urn:s:port", "urn:s:far", commodityColour("copper_concentrate"), "transit", 20, 1},
	}
	if len(c.Links) != len(want) {
		t.Fatalf("%d lines %+v; want %d", len(c.Links), c.Links, len(want))
	}
	for i, w := range want {
		l := c.Links[i]
		if got := (lane{l.From, l.To, l.Colour, l.Kind, l.Value, l.Lane}); got != w {
			t.Errorf("line %d = %+v; want %+v", i, got, w)
		}
	}
	if commodityColour("copper_concentrate") == commodityColour("antimony_ore") {
		t.Fatal("copper and antimony share a colour")
	}
	if len(c.Lanes) != 2 {
		t.Fatalf("legend %+v; want antimony and copper once each", c.Lanes)
	}
	for _, k := range c.Lanes {
		if k.Colour != commodityColour(k.ID) || k.Name == "" {
			t.Errorf("legend entry %+v; want its commodity's name and colour %s", k, commodityColour(k.ID))
		}
	}
}
