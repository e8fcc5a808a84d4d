package web

import (
	"fmt"
	"html/template"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/critmin/critmin/plan"
)

// commodityColour gives each commodity family a fixed colour across the
// flow diagram and the charts.
func commodityColour(n *plan.Network, commodity string) string {
	fam := commodity
	for _, c := range n.Commodities {
		if c.ID == commodity && c.Family != "" {
			fam = c.Family
		}
	}
	switch {
	case strings.Contains(fam, "rare"):
		return "#6941c6"
	case strings.Contains(fam, "antimony"):
		return "#b54708"
	case strings.Contains(fam, "copper"):
		return "#0b6e69"
	}
	return "#475467"
}

// flowDiagram draws the plan as a left-to-right network: sites in columns
// by their depth along the lanes (mines, export ports, import port,
// refinery, buyers), one band per lane and commodity whose width grows
// with the tonnes it carries in the period (or the horizon when period is
// −1). Each site shows what it processed and sold.
func flowDiagram(n *plan.Network, p *plan.Plan, period int) template.HTML {
	depth := map[string]int{}
	for _, s := range n.Sites {
		depth[s.ID] = 0
	}
	for i := 0; i < len(n.Sites); i++ {
		for _, l := range n.Lanes {
			if depth[l.To] < depth[l.From]+1 {
				depth[l.To] = depth[l.From] + 1
			}
		}
	}
	cols := map[int][]string{}
	maxD := 0
	for _, s := range n.Sites {
		d := depth[s.ID]
		cols[d] = append(cols[d], s.ID)
		maxD = max(maxD, d)
	}
	maxRows := 1
	for _, c := range cols {
		maxRows = max(maxRows, len(c))
	}
	const W, nodeW, nodeH = 1100.0, 150.0, 46.0
	H := math.Max(260, float64(maxRows)*95+40)
	pos := map[string][2]float64{}
	for d := 0; d <= maxD; d++ {
		ids := cols[d]
		gap := H / float64(len(ids)+1)
		for i, id := range ids {
			x := 10 + float64(d)*(W-nodeW-20)/math.Max(1, float64(maxD))
			pos[id] = [2]float64{x, gap*float64(i+1) - nodeH/2}
		}
	}
	in := func(t int) bool { return period < 0 || t == period }
	type edge struct{ from, to, commodity string }
	tonnes := map[edge]float64{}
	for _, f := range p.Flows {
		if in(f.Period) {
			tonnes[edge{f.From, f.To, f.Commodity}] += f.Tonnes
		}
	}
	maxT := 0.0
	var edges []edge
	for e, t := range tonnes {
		edges = append(edges, e)
		maxT = math.Max(maxT, t)
	}
	sort.Slice(edges, func(i, j int) bool {
		if edges[i].from != edges[j].from {
			return edges[i].from < edges[j].from
		}
		if edges[i].to != edges[j].to {
			return edges[i].to < edges[j].to
		}
		return edges[i].commodity < edges[j].commodity
	})
	sold := map[string]float64{}
	processed := map[string]float64{}
	for _, s := range p.Sales {
		if in(s.Period) {
			sold[s.Site] += s.Tonnes
		}
	}
	for _, pr := range p.Processing {
		if in(pr.Period) {
			processed[pr.Site] += pr.FeedT
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart flow" id="flow-diagram" viewBox="0 0 %g %g" role="img" aria-label="flows from sources to buyers">`, W, H)
	// Parallel bands between the same two sites are offset so each shows.
	offset := map[[2]string]int{}
	for _, e := range edges {
		a, z := pos[e.from], pos[e.to]
		k := [2]string{e.from, e.to}
		off := float64(offset[k]) * 8
		offset[k]++
		w := 2 + 16*math.Sqrt(tonnes[e]/maxT)
		x1, y1 := a[0]+nodeW, a[1]+nodeH/2+off
		x2, y2 := z[0], z[1]+nodeH/2+off
		mx := (x1 + x2) / 2
		fmt.Fprintf(&b, `<path class="flow-edge" data-from="%s" data-to="%s" d="M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f" stroke="%s" stroke-width="%.1f" stroke-opacity="0.55" fill="none"><title>%s → %s: %s t of %s</title></path>`,
			template.HTMLEscapeString(e.from), template.HTMLEscapeString(e.to), x1, y1, mx, y1, mx, y2, x2, y2, commodityColour(n, e.commodity), w,
			template.HTMLEscapeString(e.from), template.HTMLEscapeString(e.to), formatNum(tonnes[e], 1), template.HTMLEscapeString(e.commodity))
	}
	for _, s := range n.Sites {
		xy := pos[s.ID]
		name := s.Name
		if name == "" {
			name = s.ID
		}
		if len(name) > 24 {
			name = name[:23] + "…"
		}
		fmt.Fprintf(&b, `<g class="flow-node" data-site="%s"><rect x="%.1f" y="%.1f" width="%g" height="%g" rx="6" fill="#fff" stroke="#98a2b3"/>`, template.HTMLEscapeString(s.ID), xy[0], xy[1], nodeW, nodeH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" font-weight="600">%s</text>`, xy[0]+6, xy[1]+15, template.HTMLEscapeString(name))
		var note []string
		if v := processed[s.ID]; v > 0 {
			note = append(note, "refined "+formatNum(v, 0)+" t")
		}
		if v := sold[s.ID]; v > 0 {
			note = append(note, "sold "+formatNum(v, 1)+" t")
		}
		if len(note) == 0 {
			note = append(note, s.Kind+", "+s.Country)
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" fill="#475467">%s</text></g>`, xy[0]+6, xy[1]+32, template.HTMLEscapeString(strings.Join(note, " · ")))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// planCharts draws per-period charts: processing by line and sales by
// commodity.
func planCharts(p *plan.Plan) map[string]template.HTML {
	T := len(p.Periods)
	xs := make([]float64, T)
	for t := range xs {
		xs[t] = float64(t)
	}
	palette := []string{"#6941c6", "#b54708", "#0b6e69", "#475467", "#c11574", "#1570ef"}
	build := func(keyed map[string][]float64) []series {
		var out []series
		for i, k := range slices.Sorted(maps.Keys(keyed)) {
			out = append(out, series{Name: k, Colour: palette[i%len(palette)], X: xs, Y: keyed[k]})
		}
		return out
	}
	proc := map[string][]float64{}
	for _, pr := range p.Processing {
		if proc[pr.Line] == nil {
			proc[pr.Line] = make([]float64, T)
		}
		proc[pr.Line][pr.Period] += pr.FeedT
	}
	sales := map[string][]float64{}
	for _, s := range p.Sales {
		if sales[s.Commodity] == nil {
			sales[s.Commodity] = make([]float64, T)
		}
		sales[s.Commodity][s.Period] += s.Tonnes
	}
	out := map[string]template.HTML{}
	if len(proc) > 0 {
		out["Processing"] = lineChart("processing-chart", build(proc), nil, nil, "feed t per "+p.Unit)
	}
	if len(sales) > 0 {
		out["Sales"] = lineChart("sales-chart", build(sales), nil, nil, "t sold per "+p.Unit)
	}
	return out
}
