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

// flowDiagram is the plan as a Sankey diagram of every flow the plan
// has, each a band whose width is the tonnes of one commodity in the
// period (or over the horizon when period is −1), in that commodity's
// colour (commodityColour, the palette of every page):
//
//   - supplies bought or owned entering at their sites (Purchases, Owned);
//   - lane flows between sites (Flows);
//   - a line's feed from its site, its products into the site's products
//     node ("<site>: products", so that feed and products do not form a
//     cycle), and what the line does not recover (feed − products);
//   - sales under each offtake contract and on each site's spot market;
//   - stock held at the end (inventory carried, a stockpile's holding
//     told apart), and in a period's view the stock brought forward and
//     the cargo under way across the period's start or end.
//
// So every node balances: what flows into a site, line or products node
// flows out of it (the plan's balance rows, docs/planning.md), and the
// sources and sinks are the plan's own figures (TestFlowDiagramBalances).
func flowDiagram(n *plan.Network, p *plan.Plan, period int) Chart {
	fd := newFlowDiagramBuilder(n, p, period)
	return fd.chart()
}

// flowNodeKind classes the nodes of the flow diagram: sites of the plan,
// its processing lines and products, and the sources and sinks that close
// the balance.
const (
	flowSource = "source" // supplies, stock brought forward, cargo arriving
	flowSink   = "sink"   // sales, stock held at the end, cargo under way, not recovered
)

type flowEdge struct{ from, to, kind, commodity string }

type flowDiagramBuilder struct {
	n        *plan.Network
	p        *plan.Plan
	period   int
	name     map[string]string // site ID → name
	siteKind map[string]string
	produced map[string]map[string]bool // site → commodities its lines produce
	com      map[string]string          // stream → commodity
	tonnes   map[flowEdge]float64
	nodes    map[string]Node // name → node
	order    []string        // node names in the order met
}

func newFlowDiagramBuilder(n *plan.Network, p *plan.Plan, period int) *flowDiagramBuilder {
	b := &flowDiagramBuilder{n: n, p: p, period: period, name: map[string]string{}, siteKind: map[string]string{},
		produced: map[string]map[string]bool{}, com: map[string]string{}, tonnes: map[flowEdge]float64{}, nodes: map[string]Node{}}
	if n != nil {
		for _, s := range n.Sites {
			b.name[s.ID], b.siteKind[s.ID] = s.Name, s.Kind
			if s.Name == "" {
				b.name[s.ID] = s.ID
			}
		}
		for _, l := range n.Lines {
			for _, o := range l.Outputs {
				b.produce(l.Site, o.Product)
			}
		}
	}
	for _, pr := range p.Processing {
		for c := range pr.Products {
			b.produce(pr.Site, c)
		}
	}
	for _, st := range p.Streams {
		b.com[st.ID] = st.Commodity
	}
	return b
}

func (b *flowDiagramBuilder) produce(site, commodity string) {
	if b.produced[site] == nil {
		b.produced[site] = map[string]bool{}
	}
	b.produced[site][commodity] = true
}

func (b *flowDiagramBuilder) in(t int) bool { return b.period < 0 || t == b.period }

func (b *flowDiagramBuilder) siteName(id string) string {
	if s, ok := b.name[id]; ok {
		return s
	}
	return id
}

// site is the node of a commodity at a site: the site's products node
// for a commodity one of its lines produces, else the site.
func (b *flowDiagramBuilder) site(id, commodity string) string {
	if b.produced[id][commodity] {
		return b.node(id+":products", b.siteName(id)+": products", "products")
	}
	return b.node(id, b.siteName(id), b.siteKind[id])
}

func (b *flowDiagramBuilder) node(id, name, kind string) string {
	if _, ok := b.nodes[name]; !ok {
		b.nodes[name] = Node{ID: id, Name: name, Kind: kind}
		b.order = append(b.order, name)
	}
	return name
}

func (b *flowDiagramBuilder) add(from, to, kind, commodity string, t float64) {
	if t <= 0 {
		return
	}
	b.tonnes[flowEdge{from, to, kind, commodity}] += t
}

// flowKinds name each kind of band in the table and the tooltip.
var flowKinds = map[string]string{
	"supply": "supply", "lane": "lane", "feed": "feed", "product": "product", "loss": "not recovered", "gain": "gained in processing",
	"contract": "offtake contract", "spot": "spot sale", "stock": "inventory carried", "stockpile": "stockpile", "opening": "inventory brought forward",
	"departing": "under way", "arriving": "under way",
}

func (b *flowDiagramBuilder) chart() Chart {
	p, unit := b.p, b.p.Unit
	if unit == "" {
		unit = "period"
	}
	last := len(p.Periods) - 1
	supplies := b.node("supplies", "Supplies bought or owned", flowSource)
	for _, rs := range [][]plan.BuyT{p.Purchases, p.Owned} {
		for _, x := range rs {
			if b.in(x.Period) {
				c := b.com[x.Stream]
				b.add(supplies, b.site(x.Site, c), "supply", c, x.Tonnes)
			}
		}
	}
	for _, f := range p.Flows {
		from, to := b.site(f.From, f.Commodity), b.site(f.To, f.Commodity)
		switch {
		case b.period < 0 || f.Period == b.period && f.Arrive == b.period:
			b.add(from, to, "lane", f.Commodity, f.Tonnes)
		case f.Period == b.period:
			// Left in the period, arrives after it: under way at its end.
			b.add(from, b.node("under-way-end", "Under way at the "+unit+"'s end", flowSink), "departing", f.Commodity, f.Tonnes)
		case f.Arrive == b.period:
			b.add(b.node("under-way-start", "Arriving from earlier "+unit+"s", flowSource), to, "arriving", f.Commodity, f.Tonnes)
		}
	}
	lines := map[string]string{}
	if b.n != nil {
		for _, l := range b.n.Lines {
			lines[l.ID] = lineName(b.n, l)
		}
	}
	for _, pr := range p.Processing {
		if !b.in(pr.Period) {
			continue
		}
		name := lines[pr.Line]
		if name == "" {
			name = humanID(pr.Line)
		}
		line := b.node("line:"+pr.Line, name, "line")
		feed := b.com[pr.Stream]
		b.add(b.site(pr.Site, feed), line, "feed", feed, pr.FeedT)
		out := 0.0
		for _, c := range slices.Sorted(maps.Keys(pr.Products)) {
			b.add(line, b.site(pr.Site, c), "product", c, pr.Products[c])
			out += pr.Products[c]
		}
		// What the line does not recover (tailings, residue) leaves it; a
		// product heavier than its feed (oxygen taken up) gains.
		if loss := pr.FeedT - out; loss > 0 {
			b.add(line, b.node("not-recovered", "Not recovered in processing", flowSink), "loss", "residue", loss)
		} else if loss < 0 {
			b.add(b.node("gained", "Gained in processing", flowSource), line, "gain", "residue", -loss)
		}
	}
	for _, s := range p.Sales {
		if !b.in(s.Period) {
			continue
		}
		if s.Spot {
			b.add(b.site(s.Site, s.Commodity), b.node("spot:"+s.Site, "Spot sales at "+b.siteName(s.Site), flowSink), "spot", s.Commodity, s.Tonnes)
			continue
		}
		to := b.node("contract:"+s.Contract, "Sold to "+s.Buyer+" under "+s.Contract, flowSink)
		b.add(b.site(s.Site, s.Commodity), to, "contract", s.Commodity, s.Tonnes)
	}
	// Stock: what is held at the end of the view (the horizon's last
	// period, or the period shown), and in a period's view what was held
	// at the end of the one before.
	end := last
	if b.period >= 0 {
		end = b.period
	}
	closing := "the horizon's end"
	if b.period >= 0 {
		closing = "the " + unit + "'s end"
	}
	for _, iv := range p.Inventory {
		switch {
		case iv.Period == end:
			kind, name, id := "stock", "In stock at "+closing, "stock-end"
			if b.siteKind[iv.Site] == "stockpile" {
				kind, name, id = "stockpile", "Held in stockpile at "+closing, "stockpile-end"
			}
			b.add(b.site(iv.Site, iv.Commodity), b.node(id, name, flowSink), kind, iv.Commodity, iv.Tonnes)
		case b.period >= 0 && iv.Period == b.period-1:
			b.add(b.node("stock-start", "In stock at the "+unit+"'s start", flowSource), b.site(iv.Site, iv.Commodity), "opening", iv.Commodity, iv.Tonnes)
		}
	}
	edges := slices.SortedFunc(maps.Keys(b.tonnes), func(x, y flowEdge) int {
		return strings.Compare(x.from+"\x00"+x.to+"\x00"+x.kind+"\x00"+x.commodity, y.from+"\x00"+y.to+"\x00"+y.kind+"\x00"+y.commodity)
	})
	c := Chart{ID: "flow-diagram", Kind: "sankey", Title: "Flows from supplies to buyers and stock (t)", Header: []string{"from", "to", "flow", "commodity", "tonnes (t)"}}
	used := map[string]bool{}
	for _, e := range edges {
		used[e.from], used[e.to] = true, true
		com := ledger.CommodityName(e.commodity)
		if e.kind == "loss" || e.kind == "gain" {
			com = "not recovered (residue)"
			if e.kind == "gain" {
				com = "taken up in processing"
			}
		}
		c.Rows = append(c.Rows, []string{e.from, e.to, flowKinds[e.kind], com, formatNum(b.tonnes[e], 1)})
		// One band per pair of nodes, kind and commodity, in the
		// commodity's colour: a lane that carries two commodities (Port
		// Qasim → Houston) draws two bands side by side, never one grey
		// band.
		c.Links = append(c.Links, Link{From: e.from, To: e.to, Value: roundTo(b.tonnes[e], 3), Colour: planColour(e.commodity), Note: com + ", " + flowKinds[e.kind], Kind: e.kind})
	}
	for _, name := range b.order {
		if used[name] {
			c.Nodes = append(c.Nodes, b.nodes[name])
		}
	}
	// Sites first in the planning file's order, then lines and the
	// sources and sinks in the order met: the table reads as the corridor.
	rank := map[string]int{}
	if b.n != nil {
		for i, s := range b.n.Sites {
			rank[s.ID] = i
		}
	}
	slices.SortStableFunc(c.Nodes, func(x, y Node) int {
		rx, okx := rank[strings.TrimSuffix(x.ID, ":products")]
		ry, oky := rank[strings.TrimSuffix(y.ID, ":products")]
		switch {
		case okx && oky:
			return rx - ry
		case okx:
			return -1
		case oky:
			return 1
		}
		return 0
	})
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
