package web

import (
	"encoding/csv"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// chartCSV reads the CSV a chart's HTML links to (its data: URL).
func chartCSV(t *testing.T, out string) [][]string {
	t.Helper()
	m := regexp.MustCompile(`<a class="csv" href="data:text/csv;charset=utf-8,([^"]*)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no CSV link in %s", out)
	}
	text, err := url.PathUnescape(html.UnescapeString(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("%v in %q", err, text)
	}
	return rows
}

// TestCorridorMapCSVFull: the corridor map's CSV lists what the map
// draws, not only its sites: every site (a port as much as a mine, one
// without coordinates with none), and every route drawn — moved or in
// transit — with its origin, destination, commodity, tonnes and the
// leg's points. Worked: 30 t copper and 12 t antimony moved mine → port,
// 20 t copper in transit port → far: three routes, as the map's three
// lines (TestCorridorMapLanesByCommodity).
func TestCorridorMapCSVFull(t *testing.T) {
	lat := func(v float64) *float64 { return &v }
	sites := []*critmin.Site{
		{ID: "urn:s:mine", Name: "Mine", Kind: critmin.SiteMine, Lat: lat(29.1), Lon: lat(61.5)},
		{ID: "urn:s:port", Name: "Port", Kind: critmin.SitePort, Lat: lat(24.8), Lon: lat(67.3)},
		{ID: "urn:s:far", Name: "Far", Kind: critmin.SitePort, Lat: lat(29.7), Lon: lat(-95.0)},
		{ID: "urn:s:nowhere", Name: "Nowhere", Kind: critmin.SiteWarehouse},
	}
	flows := []critmin.Flow{{From: "urn:s:mine", To: "urn:s:port", Tonnes: 42, Lots: 3, ByCommodity: []critmin.CommodityTonnes{
		{Commodity: "copper_concentrate", Tonnes: 30}, {Commodity: "antimony_ore", Tonnes: 12}}}}
	atSea := []critmin.Flow{{From: "urn:s:port", To: "urn:s:far", Tonnes: 20, Lots: 1, ByCommodity: []critmin.CommodityTonnes{
		{Commodity: "copper_concentrate", Tonnes: 20}}},
		{From: "urn:s:far", To: "urn:s:mine", Tonnes: 5, Lots: 1, ByCommodity: []critmin.CommodityTonnes{
			{Commodity: "copper_concentrate", Tonnes: 5}}}}
	rows := chartCSV(t, string(corridorMap(sites, flows, atSea)))
	want := [][]string{
		{"record", "name", "kind", "latitude", "longitude", "from", "to", "commodity", "tonnes (t)", "route (WKT, lon lat)"},
		{"site", "Far", "port", "29.7", "-95", "", "", "", "", ""},
		{"site", "Mine", "mine", "29.1", "61.5", "", "", "", "", ""},
		{"site", "Port", "port", "24.8", "67.3", "", "", "", "", ""},
		{"site", "Nowhere", "warehouse", "", "", "", "", "", "", ""},
		{"route", "Mine → Port", "moved", "", "", "Mine", "Port", "Copper concentrate", "30", "LINESTRING(61.5 29.1, 67.3 24.8)"},
		{"route", "Mine → Port", "moved", "", "", "Mine", "Port", "Antimony ore", "12", "LINESTRING(61.5 29.1, 67.3 24.8)"},
		{"route", "Port → Far", "in transit", "", "", "Port", "Far", "Copper concentrate", "20", "LINESTRING(67.3 24.8, -95 29.7)"},
		// Starting at Far (lon −95), the cell once began "-95" and the
		// formula guard wrote it "'-95 29.7; …" (fix15m item 2).
		{"route", "Far → Mine", "in transit", "", "", "Far", "Mine", "Copper concentrate", "5", "LINESTRING(-95 29.7, 61.5 29.1)"},
	}
	if len(rows) != len(want) {
		t.Fatalf("CSV rows:\n%q\nwant %d", rows, len(want))
	}
	for i, w := range want {
		got := rows[i]
		if strings.Join(got, "\x00") != strings.Join(w, "\x00") {
			t.Errorf("row %d = %q; want %q", i, got, w)
		}
	}
}

// TestRouteWKT (fix15m item 2): a route's CSV cell is WKT in lon lat
// order; one drawn in two pieces across the antimeridian is a
// MULTILINESTRING of both, none is blank.
func TestRouteWKT(t *testing.T) {
	for _, c := range []struct {
		segs [][][2]float64
		want string
	}{
		{nil, ""},
		{[][][2]float64{{{67.3, 24.8}, {-95, 29.7}}}, "LINESTRING(67.3 24.8, -95 29.7)"},
		{[][][2]float64{{{150, -33.1}, {180, -20}}, {{-180, -20}, {-150, 10.5}}}, "MULTILINESTRING((150 -33.1, 180 -20), (-180 -20, -150 10.5))"},
	} {
		if got := routeWKT(c.segs); got != c.want {
			t.Errorf("routeWKT(%v) = %q; want %q", c.segs, got, c.want)
		}
	}
}
