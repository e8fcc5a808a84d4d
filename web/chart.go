package web

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// Charts are drawn server-side as inline SVG: no JavaScript, no network,
// and the numbers are in the page for a browser test (and a screen reader)
// to read. Each chart takes plain values; the handlers do the maths.

// bar is one labelled value.
type bar struct {
	Label string
	Value float64
	Note  string
}

// barChart draws horizontal bars, values as percentages of max 1.
func barChart(id string, bars []bar, format func(float64) string) template.HTML {
	const W, rowH, labelW = 560.0, 24.0, 170.0
	H := rowH*float64(len(bars)) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" id="%s" viewBox="0 0 %g %g" role="img">`, id, W, H)
	max := 0.0
	for _, x := range bars {
		max = math.Max(max, x.Value)
	}
	for i, x := range bars {
		y := float64(i)*rowH + 5
		w := 0.0
		if max > 0 {
			w = (W - labelW - 80) * x.Value / max
		}
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="end">%s</text>`, labelW-8, y+15, template.HTMLEscapeString(x.Label))
		fmt.Fprintf(&b, `<rect class="bar" x="%g" y="%g" width="%.1f" height="%g" fill="#0b6e69"><title>%s: %s</title></rect>`, labelW, y+3, w, rowH-8, template.HTMLEscapeString(x.Label), format(x.Value))
		fmt.Fprintf(&b, `<text x="%.1f" y="%g">%s</text>`, labelW+w+6, y+15, format(x.Value))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// series is one line of a line chart.
type series struct {
	Name   string
	Colour string
	X      []float64
	Y      []float64
}

// band is a shaded range under a line chart (Monte Carlo percentiles).
type band struct {
	X, Low, High []float64
}

// lineChart draws lines over shared axes, optional bands behind them and
// horizontal reference lines (e.g. the HHI thresholds 1,500 and 2,500).
func lineChart(id string, lines []series, bands []band, refs map[float64]string, yLabel string) template.HTML {
	const W, H, L, R, T, B = 560.0, 240.0, 60.0, 20.0, 16.0, 30.0
	minX, maxX, maxY := math.Inf(1), math.Inf(-1), 0.0
	for _, s := range lines {
		for i := range s.X {
			minX, maxX, maxY = math.Min(minX, s.X[i]), math.Max(maxX, s.X[i]), math.Max(maxY, s.Y[i])
		}
	}
	for _, bd := range bands {
		for i := range bd.X {
			maxY = math.Max(maxY, bd.High[i])
		}
	}
	for v := range refs {
		maxY = math.Max(maxY, v)
	}
	if math.IsInf(minX, 1) {
		return template.HTML(`<p class="muted">No data.</p>`)
	}
	if maxX == minX {
		minX, maxX = minX-1, maxX+1
	}
	if maxY == 0 {
		maxY = 1
	}
	maxY *= 1.1
	x := func(v float64) float64 { return L + (v-minX)/(maxX-minX)*(W-L-R) }
	y := func(v float64) float64 { return H - B - v/maxY*(H-T-B) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" id="%s" viewBox="0 0 %g %g" role="img">`, id, W, H)
	for i := 0; i <= 4; i++ {
		v := maxY / 1.1 * float64(i) / 4
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#e6ebf1"/><text x="%g" y="%.1f" text-anchor="end">%s</text>`, L, W-R, y(v), y(v), L-6, y(v)+4, formatNum(v, 2))
	}
	for xv := math.Ceil(minX); xv <= maxX; xv++ {
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle">%g</text>`, x(xv), H-10, xv)
	}
	for _, bd := range bands {
		var pts []string
		for i := range bd.X {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(bd.X[i]), y(bd.High[i])))
		}
		for i := len(bd.X) - 1; i >= 0; i-- {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(bd.X[i]), y(bd.Low[i])))
		}
		fmt.Fprintf(&b, `<polygon class="band" points="%s" fill="#0b6e69" fill-opacity=".18"/>`, strings.Join(pts, " "))
	}
	for v, label := range refs {
		fmt.Fprintf(&b, `<line x1="%g" x2="%g" y1="%.1f" y2="%.1f" stroke="#b54708" stroke-dasharray="4 3"/><text x="%g" y="%.1f" fill="#b54708">%s</text>`, L, W-R, y(v), y(v), L+4, y(v)-4, template.HTMLEscapeString(label))
	}
	for _, s := range lines {
		var pts []string
		for i := range s.X {
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(s.X[i]), y(s.Y[i])))
		}
		fmt.Fprintf(&b, `<polyline class="line" points="%s" fill="none" stroke="%s" stroke-width="2.5"><title>%s</title></polyline>`, strings.Join(pts, " "), s.Colour, template.HTMLEscapeString(s.Name))
		for i := range s.X {
			fmt.Fprintf(&b, `<circle class="point" cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s %g: %s</title></circle>`, x(s.X[i]), y(s.Y[i]), s.Colour, template.HTMLEscapeString(s.Name), s.X[i], formatNum(s.Y[i], 2))
		}
	}
	// Legend, top right, one entry per line.
	for i, s := range lines {
		lx, ly := W-R-190, T+4+float64(i)*14
		fmt.Fprintf(&b, `<rect x="%g" y="%g" width="10" height="4" fill="%s"/><text x="%g" y="%g">%s</text>`, lx, ly, s.Colour, lx+14, ly+5, template.HTMLEscapeString(s.Name))
	}
	fmt.Fprintf(&b, `<text x="4" y="12">%s</text></svg>`, template.HTMLEscapeString(yLabel))
	return template.HTML(b.String())
}

// shareColour maps a share in [0, 1] to a sequential teal scale.
func shareColour(s float64) string {
	s = math.Max(0, math.Min(1, s))
	t := math.Sqrt(s) // small producers stay visible
	r := int(math.Round(214 - t*(214-11)))
	g := int(math.Round(236 - t*(236-80)))
	bl := int(math.Round(232 - t*(232-76)))
	return fmt.Sprintf("#%02x%02x%02x", r, g, bl)
}
