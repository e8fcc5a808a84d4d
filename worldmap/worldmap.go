// Package worldmap draws the world's countries as SVG, server-side, from
// the Natural Earth 1:110m boundaries in the world-atlas TopoJSON
// (countries-110m.json, ISC licence, see LICENSE-world-atlas; Natural
// Earth is in the public domain). It needs no JavaScript and no network.
package worldmap

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"math"
	"strings"
	"sync"

	"github.com/critmin/critmin/country"
)

//go:embed countries-110m.json
var topoJSON []byte

// Bounds of the drawn map: Antarctica is cut off below 58° S.
const (
	minLat, maxLat = -58.0, 84.0
)

type topology struct {
	Transform struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Arcs    [][][2]float64 `json:"arcs"`
	Objects struct {
		Countries struct {
			Geometries []struct {
				Type       string          `json:"type"`
				Arcs       json.RawMessage `json:"arcs"`
				ID         string          `json:"id"`
				Properties struct {
					Name string `json:"name"`
				} `json:"properties"`
			} `json:"geometries"`
		} `json:"countries"`
	} `json:"objects"`
}

// Shape is one country's outline as rings of lon/lat points.
type Shape struct {
	Alpha3 string
	Name   string
	Rings  [][][2]float64
}

var (
	once   sync.Once
	shapes []Shape
	errMap error
)

// Shapes decodes the embedded TopoJSON once.
func Shapes() ([]Shape, error) {
	once.Do(func() { shapes, errMap = decode(topoJSON) })
	return shapes, errMap
}

func decode(b []byte) ([]Shape, error) {
	var t topology
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, fmt.Errorf("worldmap: %w", err)
	}
	// Arcs are quantised and delta-encoded (TopoJSON spec §2.1.4).
	arcs := make([][][2]float64, len(t.Arcs))
	for i, a := range t.Arcs {
		var x, y float64
		pts := make([][2]float64, len(a))
		for j, d := range a {
			x += d[0]
			y += d[1]
			pts[j] = [2]float64{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]}
		}
		arcs[i] = pts
	}
	ring := func(idx []int) [][2]float64 {
		var out [][2]float64
		for k, i := range idx {
			var pts [][2]float64
			if i >= 0 {
				pts = arcs[i]
			} else {
				src := arcs[^i]
				pts = make([][2]float64, len(src))
				for j := range src {
					pts[j] = src[len(src)-1-j]
				}
			}
			if k > 0 && len(pts) > 0 {
				pts = pts[1:]
			}
			out = append(out, pts...)
		}
		return out
	}
	var out []Shape
	for _, g := range t.Objects.Countries.Geometries {
		s := Shape{Name: g.Properties.Name}
		if c, ok := country.ByNumeric(g.ID); ok {
			s.Alpha3 = c.Alpha3
		}
		switch g.Type {
		case "Polygon":
			var rings [][]int
			if err := json.Unmarshal(g.Arcs, &rings); err != nil {
				return nil, err
			}
			for _, r := range rings {
				s.Rings = append(s.Rings, ring(r))
			}
		case "MultiPolygon":
			var polys [][][]int
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return nil, err
			}
			for _, p := range polys {
				for _, r := range p {
					s.Rings = append(s.Rings, ring(r))
				}
			}
		default:
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

// Projection maps lon/lat to SVG coordinates (equirectangular).
type Projection struct {
	Width, Height float64
}

// Point projects a longitude and latitude.
func (p Projection) Point(lon, lat float64) (x, y float64) {
	return (lon + 180) / 360 * p.Width, (maxLat - lat) / (maxLat - minLat) * p.Height
}

// Fill says how to draw one country: its fill colour and tooltip. An
// empty colour draws the country in the neutral land colour.
type Fill func(alpha3 string) (colour, title string)

// SVG draws the world map with countries filled by fill, then overlay
// (already-projected SVG elements, e.g. sites and flows) on top.
func SVG(id string, p Projection, fill Fill, overlay template.HTML) (template.HTML, error) {
	ss, err := Shapes()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="map worldmap" id="%s" viewBox="0 0 %g %g" role="img" aria-label="World map">`, template.HTMLEscapeString(id), p.Width, p.Height)
	fmt.Fprintf(&b, `<rect width="%g" height="%g" fill="#eef4f8"/>`, p.Width, p.Height)
	for _, s := range ss {
		colour, title := "", ""
		if fill != nil {
			colour, title = fill(s.Alpha3)
		}
		cls := "country"
		if colour == "" {
			colour = "#dde3ea"
		} else {
			cls += " filled"
		}
		fmt.Fprintf(&b, `<path class="%s" data-iso3="%s" fill="%s" stroke="#fff" stroke-width=".5" d="`, cls, s.Alpha3, colour)
		for _, raw := range s.Rings {
			// Rings across the antimeridian are cut at the map's edges
			// (PlanarRings), never a stripe across it.
			for _, r := range PlanarRings(raw) {
				for i, pt := range r {
					x, y := p.Point(pt[0], pt[1])
					if i == 0 {
						fmt.Fprintf(&b, "M%.1f %.1f", x, y)
					} else {
						fmt.Fprintf(&b, "L%.1f %.1f", x, y)
					}
				}
				b.WriteByte('Z')
			}
		}
		b.WriteString(`">`)
		if title == "" {
			title = s.Name
		}
		fmt.Fprintf(&b, `<title>%s</title></path>`, template.HTMLEscapeString(title))
	}
	b.WriteString(string(overlay))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()), nil
}

// PlanarRings is a ring as polygons that stay within longitudes −180° to
// 180°, for a flat map (an SVG path, a GeoJSON drawn by a charting
// library). Natural Earth keeps Russia's Chukotka and Fiji's eastern
// islands in rings that cross the antimeridian, and Antarctica in a ring
// that runs round the pole from −180° to 180°; drawn as they are, each
// jump from 180° to −180° is a stripe across the whole map. The ring is
// unwrapped (each step the short way), a ring round a pole is closed
// along the pole, and the result is cut at ±180°: the part beyond one
// edge is drawn at the other (Sutherland–Hodgman clipping against each
// edge, of the ring and of its copies shifted by ±360°).
func PlanarRings(r [][2]float64) [][][2]float64 {
	if len(r) == 0 {
		return nil
	}
	u := make([][2]float64, len(r))
	prev, latSum := 0.0, 0.0
	for i, pt := range r {
		lon := pt[0]
		if i > 0 {
			for lon-prev > 180 {
				lon -= 360
			}
			for lon-prev < -180 {
				lon += 360
			}
		}
		prev = lon
		latSum += pt[1]
		u[i] = [2]float64{lon, pt[1]}
	}
	if first, last := u[0], u[len(u)-1]; math.Abs(last[0]-first[0]) > 180 {
		pole := 90.0
		if latSum < 0 {
			pole = -90
		}
		u = append(u, [2]float64{last[0], pole}, [2]float64{first[0], pole})
	}
	minLon, maxLon := u[0][0], u[0][0]
	for _, pt := range u {
		minLon, maxLon = math.Min(minLon, pt[0]), math.Max(maxLon, pt[0])
	}
	if minLon >= -180 && maxLon <= 180 {
		return [][][2]float64{u}
	}
	var out [][][2]float64
	for _, shift := range []float64{0, -360, 360} {
		s := make([][2]float64, len(u))
		for i, pt := range u {
			s[i] = [2]float64{pt[0] + shift, pt[1]}
		}
		s = clipLon(s, -180, true)
		s = clipLon(s, 180, false)
		if len(s) >= 3 {
			out = append(out, s)
		}
	}
	return out
}

// clipLon keeps the part of polygon p east of lon (east true) or west of
// it, adding the crossing points on the meridian.
func clipLon(p [][2]float64, lon float64, east bool) [][2]float64 {
	inside := func(pt [2]float64) bool {
		if east {
			return pt[0] >= lon
		}
		return pt[0] <= lon
	}
	var out [][2]float64
	for i, cur := range p {
		prev := p[(i+len(p)-1)%len(p)]
		cross := func() [2]float64 {
			t := (lon - prev[0]) / (cur[0] - prev[0])
			return [2]float64{lon, prev[1] + t*(cur[1]-prev[1])}
		}
		switch {
		case inside(cur) && !inside(prev):
			out = append(out, cross(), cur)
		case inside(cur):
			out = append(out, cur)
		case inside(prev):
			out = append(out, cross())
		}
	}
	return out
}
