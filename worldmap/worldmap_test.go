package worldmap_test

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/worldmap"
)

func TestShapes(t *testing.T) {
	ss, err := worldmap.Shapes()
	if err != nil {
		t.Fatal(err)
	}
	byISO := map[string]worldmap.Shape{}
	for _, s := range ss {
		byISO[s.Alpha3] = s
	}
	if len(ss) < 170 {
		t.Fatalf("%d countries decoded", len(ss))
	}
	pak, ok := byISO["PAK"]
	if !ok || pak.Name != "Pakistan" {
		t.Fatalf("Pakistan missing: %+v", pak.Name)
	}
	// Every point of Pakistan lies in its bounding box (60–78° E, 23–38° N).
	for _, r := range pak.Rings {
		for _, p := range r {
			if p[0] < 60 || p[0] > 78 || p[1] < 23 || p[1] > 38 {
				t.Fatalf("Pakistan point %v outside its box", p)
			}
		}
	}
	for _, iso := range []string{"CHN", "USA", "AUS", "MMR", "MYS", "CHL"} {
		if _, ok := byISO[iso]; !ok {
			t.Errorf("%s missing", iso)
		}
	}
}

func TestSVG(t *testing.T) {
	p := worldmap.Projection{Width: 720, Height: 284}
	if x, y := p.Point(0, 84); x != 360 || y != 0 {
		t.Errorf("Point(0, 84) = %v, %v", x, y)
	}
	svg, err := worldmap.SVG("m", p, func(iso string) (string, string) {
		if iso == "CHN" {
			return "#b42318", "China: 69 %"
		}
		return "", ""
	}, "")
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if strings.Count(s, `class="country filled"`) != 1 || !strings.Contains(s, "<title>China: 69 %</title>") || !strings.HasPrefix(s, `<svg`) {
		t.Error("China not filled with its title")
	}
}
