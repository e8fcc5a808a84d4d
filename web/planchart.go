package web

import (
	"html/template"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/plan"
)

// planColour is the colour of a planning commodity: the commodity's own
// (commodityColour), the same as on every other page; the planning
// file's family does not colour it, so that NdPr oxide and La/Ce
// carbonate, both rare earths, are told apart.
func planColour(commodity string) string { return commodityColour(commodity) }

// flowDiagram is the plan as a Sankey diagram: sites (mines, export
// ports, import port, refinery, buyers) as nodes, one band per lane whose
// width is the tonnes of one commodity it carries in the period (or the
// horizon when period is −1), in the colour of that commodity: a lane of
// several commodities draws one band for each.
func flowDiagram(n *plan.Network, p *plan.Plan, period int) Chart {
	name := map[string]string{}
	for _, s := range n.Sites {
		name[s.ID] = s.Name
		if s.Name == "" {
			name[s.ID] = s.ID
		}
	}
	in := func(t int) bool { return period < 0 || t == period }
	type edge struct{ from, to, commodity string }
	tonnes := map[edge]float64{}
	for _, f := range p.Flows {
		if in(f.Period) && f.Tonnes > 0 {
			tonnes[edge{f.From, f.To, f.Commodity}] += f.Tonnes
		}
	}
	edges := slices.SortedFunc(maps.Keys(tonnes), func(a, b edge) int {
		return strings.Compare(a.from+"\x00"+a.to+"\x00"+a.commodity, b.from+"\x00"+b.to+"\x00"+b.commodity)
	})
	c := Chart{ID: "flow-diagram", Kind: "sankey", Title: "Flows from sources to buyers (t)", Header: []string{"from", "to", "commodity", "tonnes (t)"}}
	used := map[string]bool{}
	for _, e := range edges {
		used[e.from], used[e.to] = true, true
		c.Rows = append(c.Rows, []string{name[e.from], name[e.to], ledger.CommodityName(e.commodity), formatNum(tonnes[e], 1)})
		// One band per lane and commodity, in the commodity's colour: a
		// lane that carries two commodities (Port Qasim → Houston) draws
		// two bands side by side, never one grey band.
		c.Links = append(c.Links, Link{From: name[e.from], To: name[e.to], Value: roundTo(tonnes[e], 3), Colour: planColour(e.commodity), Note: ledger.CommodityName(e.commodity)})
	}
	for _, s := range n.Sites {
		if used[s.ID] {
			c.Nodes = append(c.Nodes, Node{ID: s.ID, Name: name[s.ID], Kind: s.Kind})
		}
	}
	return c
}

func roundTo(v float64, prec int) float64 {
	p := math.Pow(10, float64(prec))
	return math.Round(v*p) / p
}

// planCharts draws per-period charts on a date axis (each period's first
// day): refinery feed by line, coloured by the commodity it is fed, and
// sales by commodity.
func planCharts(n *plan.Network, p *plan.Plan) map[string]template.HTML {
	T := len(p.Periods)
	xs := make([]any, T)
	for t := range xs {
		xs[t] = p.Periods[t]
	}
	streamCommodity := map[string]string{}
	for _, f := range p.Flows {
		streamCommodity[f.Stream] = f.Commodity
	}
	proc := map[string][]float64{}
	lineComm := map[string]map[string]bool{}
	for _, pr := range p.Processing {
		if proc[pr.Line] == nil {
			proc[pr.Line] = make([]float64, T)
			lineComm[pr.Line] = map[string]bool{}
		}
		proc[pr.Line][pr.Period] += pr.FeedT
		if c := streamCommodity[pr.Stream]; c != "" {
			lineComm[pr.Line][c] = true
		}
	}
	sales := map[string][]float64{}
	for _, s := range p.Sales {
		if sales[s.Commodity] == nil {
			sales[s.Commodity] = make([]float64, T)
		}
		sales[s.Commodity][s.Period] += s.Tonnes
	}
	x := Axis{Name: p.Unit + " starting", Type: "time"}
	out := map[string]template.HTML{}
	if len(proc) > 0 {
		feed, names := map[string]string{}, map[string]string{}
		if n != nil {
			for _, l := range n.Lines {
				feed[l.ID] = l.Feed
				names[l.ID] = lineName(n, l)
			}
		}
		for l, cs := range lineComm {
			if feed[l] == "" && len(cs) == 1 {
				feed[l] = slices.Sorted(maps.Keys(cs))[0]
			}
		}
		out["Processing"] = feedPanels(p.Unit, x, xs, proc, feed, names)
	}
	if len(sales) > 0 {
		out["Sales"] = salesPanels(p.Unit, x, xs, sales)
	}
	return out
}

// salesPanels draws the sales per period as one chart per commodity (small
// multiples): tonnes of copper concentrate and of NdPr oxide differ by
// orders of magnitude and are not the same good, so one y axis would
// flatten the small ones to its floor. Each panel has its own axis in
// tonnes of its commodity, the commodity's colour, and its own table and
// CSV; panels are in the order of the commodities' names.
func salesPanels(unit string, x Axis, xs []any, sales map[string][]float64) template.HTML {
	codes := slices.SortedFunc(maps.Keys(sales), func(a, b string) int {
		return strings.Compare(ledger.CommodityName(a), ledger.CommodityName(b))
	})
	var b strings.Builder
	b.WriteString(`<div class="small-multiples" id="sales-charts">`)
	for _, c := range codes {
		name := ledger.CommodityName(c)
		y := Axis{Name: "sold per " + unit, Unit: "t", Type: "value"}
		b.WriteString(string(lineChart("sales-chart-"+chartIDPart(c), name, x, y, []Series{lineSeries(name, planColour(c), xs, sales[c])}, nil, nil).HTML()))
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String())
}

// feedPanels draws the refinery feed per period as one chart per
// processing line (small multiples, as salesPanels): each line is fed its
// own commodity, and a tonne of REE concentrate and a tonne of antimony
// ore are not one quantity, so no two lines share a y axis. Each panel's
// axis is in tonnes of its line's feed, the feed named in the panel's
// title as a sales panel names its commodity (an axis name that long
// does not fit beside a half-width panel), in the feed's colour (grey
// for a line whose feed is not known); panels are in the order of the
// lines' ids. A line is called by its name (lineName), its id only in
// the caption's title attribute: "ree-sx" says nothing to a reader.
func feedPanels(unit string, x Axis, xs []any, proc map[string][]float64, feed, names map[string]string) template.HTML {
	var b strings.Builder
	b.WriteString(`<div class="small-multiples" id="feed-charts">`)
	for _, l := range slices.Sorted(maps.Keys(proc)) {
		name := names[l]
		if name == "" {
			name = humanID(l)
		}
		colour, title := noCommodityColour, name
		if c := feed[l]; c != "" {
			colour, title = planColour(c), name+": "+ledger.CommodityName(c)
		}
		y := Axis{Name: "fed per " + unit, Unit: "t", Type: "value"}
		ch := lineChart("feed-chart-"+chartIDPart(l), title, x, y, []Series{lineSeries(name, colour, xs, proc[l])}, nil, nil)
		ch.TitleHint = "processing line " + l
		b.WriteString(string(ch.HTML()))
	}
	b.WriteString(`</div>`)
	return template.HTML(b.String())
}

// lineName is what a processing line is called on the plan page: its
// name in the planning file, else its feed's name and its site's
// ("REE concentrate line, USSM processing plant"), else its id in words.
func lineName(n *plan.Network, l plan.Line) string {
	if l.Name != "" {
		return l.Name
	}
	site := ""
	for _, s := range n.Sites {
		if s.ID == l.Site {
			site = s.Name
		}
	}
	if l.Feed != "" && site != "" {
		return ledger.CommodityName(l.Feed) + " line, " + site
	}
	return humanID(l.ID)
}

// humanID writes an identifier as words: "sb-roaster" → "Sb roaster".
func humanID(id string) string {
	s := strings.NewReplacer("-", " ", "_", " ").Replace(id)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// chartIDPart is s with every character other than a letter, a digit, "-"
// or "_" replaced by "-", for an element id.
func chartIDPart(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '-'
	}, s)
}
