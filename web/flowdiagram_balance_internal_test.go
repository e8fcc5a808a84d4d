package web

import (
	"math"
	"testing"

	"github.com/critmin/critmin/plan"
)

// flowTestPlan is a two-week plan worked by hand: a mine M buys 100 t of
// ore in week 0, trucks 90 t to port P at once and keeps 10 t, which
// goes to P in week 1 and stays there; P ships the 90 t to refinery R
// (one week at sea, arriving in week 1). At R an owned 5 t of ore enters
// in week 1; line L feeds 80 t and makes 20 t of oxide (60 t not
// recovered), 15 t of ore stays at R. Of the oxide 4 t are sold spot at
// R, 10 t go to buyer B under contract C, 6 t to stockpile S, held there.
//
// R in week 1: in 90 arriving + 5 owned + 20 products = 115; out 80 fed
// + 15 kept + 4 spot + 10 + 6 = 115.
func flowTestPlan() (*plan.Network, *plan.Plan) {
	n := &plan.Network{
		Sites: []plan.Site{{ID: "m", Name: "Mine M", Kind: "mine"}, {ID: "p", Name: "Port P", Kind: "port"}, {ID: "r", Name: "Refinery R", Kind: "refinery"},
			{ID: "b", Name: "Buyer B", Kind: "buyer"}, {ID: "s", Name: "Stockpile S", Kind: "stockpile"}},
		Lines: []plan.Line{{ID: "l", Name: "Line L", Site: "r", Feed: "antimony_ore", Outputs: []plan.Output{{Product: "antimony_trioxide", Element: "Sb", Recovery: 0.9}}}},
	}
	p := &plan.Plan{Periods: []string{"2026-01-05", "2026-01-12"}, Unit: "week",
		Streams:   []plan.Stream{{ID: "supply:m", Commodity: "antimony_ore"}, {ID: "supply:o", Commodity: "antimony_ore"}, {ID: "pool:ox", Commodity: "antimony_trioxide"}},
		Purchases: []plan.BuyT{{Supply: "m", Site: "m", Stream: "supply:m", Period: 0, Tonnes: 100}},
		Owned:     []plan.BuyT{{Supply: "o", Site: "r", Stream: "supply:o", Period: 1, Tonnes: 5}},
		Flows: []plan.FlowT{
			{From: "m", To: "p", Period: 0, Arrive: 0, Stream: "supply:m", Commodity: "antimony_ore", Tonnes: 90},
			{From: "p", To: "r", Period: 0, Arrive: 1, Stream: "supply:m", Commodity: "antimony_ore", Tonnes: 90},
			{From: "m", To: "p", Period: 1, Arrive: 1, Stream: "supply:m", Commodity: "antimony_ore", Tonnes: 10},
			{From: "r", To: "b", Period: 1, Arrive: 1, Stream: "pool:ox", Commodity: "antimony_trioxide", Tonnes: 10},
			{From: "r", To: "s", Period: 1, Arrive: 1, Stream: "pool:ox", Commodity: "antimony_trioxide", Tonnes: 6},
		},
		Processing: []plan.ProcT{{Line: "l", Site: "r", Period: 1, Stream: "supply:m", FeedT: 80, Products: map[string]float64{"antimony_trioxide": 20}}},
		Inventory: []plan.InvT{
			{Site: "m", Period: 0, Stream: "supply:m", Commodity: "antimony_ore", Tonnes: 10},
			{Site: "p", Period: 1, Stream: "supply:m", Commodity: "antimony_ore", Tonnes: 10},
			{Site: "r", Period: 1, Stream: "supply:m", Commodity: "antimony_ore", Tonnes: 15},
			{Site: "s", Period: 1, Stream: "pool:ox", Commodity: "antimony_trioxide", Tonnes: 6},
		},
		Sales: []plan.SaleT{
			{Contract: "spot-ox", Buyer: "spot", Spot: true, Site: "r", Period: 1, Stream: "pool:ox", Commodity: "antimony_trioxide", Tonnes: 4},
			{Contract: "C", Buyer: "Buyer B", Site: "b", Period: 1, Stream: "pool:ox", Commodity: "antimony_trioxide", Tonnes: 10},
		},
	}
	return n, p
}

// nodeSums is each node's tonnes in and out of a flow diagram.
func nodeSums(c Chart) (in, out map[string]float64) {
	in, out = map[string]float64{}, map[string]float64{}
	for _, l := range c.Links {
		out[l.From] += l.Value
		in[l.To] += l.Value
	}
	return in, out
}

// TestFlowDiagramBalances: the plan's Sankey draws every flow the plan
// has — supplies bought and owned, lanes, a line's feed, products and
// what it does not recover, sales under the offtake contract and on the
// spot market, the stockpile's holding and the inventory carried — and
// every node balances: what flows into a site, line or products node
// flows out of it, and each source or sink carries the plan's own figure
// (hand-worked in flowTestPlan). The Sankey used to draw lanes only: the
// 4 t sold spot at the refinery were nowhere, nor the stock.
func TestFlowDiagramBalances(t *testing.T) {
	n, p := flowTestPlan()
	type want map[string][2]float64 // node → in, out
	for _, c := range []struct {
		period int
		nodes  want
	}{
		{-1, want{
			"Supplies bought or owned":               {0, 105}, // 100 bought + 5 owned
			"Mine M":                                 {100, 100},
			"Port P":                                 {100, 100}, // 90 + 10 in; 90 to R, 10 kept
			"Refinery R":                             {95, 95},   // 90 + 5 in; 80 fed, 15 kept
			"Line L":                                 {80, 80},   // 20 oxide + 60 not recovered
			"Refinery R: products":                   {20, 20},   // 4 spot + 10 + 6
			"Buyer B":                                {10, 10},
			"Stockpile S":                            {6, 6},
			"Not recovered in processing":            {60, 0},
			"Spot sales at Refinery R":               {4, 0},
			"Sold to Buyer B under C":                {10, 0},
			"In stock at the horizon's end":          {25, 0}, // 10 at P + 15 at R
			"Held in stockpile at the horizon's end": {6, 0},
		}},
		{0, want{
			"Supplies bought or owned":    {0, 100},
			"Mine M":                      {100, 100}, // 90 to P, 10 kept
			"Port P":                      {90, 90},   // 90 sail for R
			"Under way at the week's end": {90, 0},
			"In stock at the week's end":  {10, 0},
		}},
		{1, want{
			"In stock at the week's start":        {0, 10},
			"Arriving from earlier weeks":         {0, 90},
			"Supplies bought or owned":            {0, 5},
			"Mine M":                              {10, 10},
			"Port P":                              {10, 10},
			"Refinery R":                          {95, 95},
			"Line L":                              {80, 80},
			"Refinery R: products":                {20, 20},
			"Buyer B":                             {10, 10},
			"Stockpile S":                         {6, 6},
			"Not recovered in processing":         {60, 0},
			"Spot sales at Refinery R":            {4, 0},
			"Sold to Buyer B under C":             {10, 0},
			"In stock at the week's end":          {25, 0},
			"Held in stockpile at the week's end": {6, 0},
		}},
	} {
		d := flowDiagram(n, p, c.period)
		in, out := nodeSums(d)
		if len(d.Nodes) != len(c.nodes) {
			t.Errorf("period %d: nodes %+v; want %d", c.period, d.Nodes, len(c.nodes))
		}
		for _, nd := range d.Nodes {
			w, ok := c.nodes[nd.Name]
			if !ok {
				t.Errorf("period %d: unexpected node %q", c.period, nd.Name)
				continue
			}
			if math.Abs(in[nd.Name]-w[0]) > 1e-9 || math.Abs(out[nd.Name]-w[1]) > 1e-9 {
				t.Errorf("period %d: %s in %v out %v; want %v", c.period, nd.Name, in[nd.Name], out[nd.Name], w)
			}
		}
		if len(d.Rows) != len(d.Links) {
			t.Errorf("period %d: %d table rows for %d bands", c.period, len(d.Rows), len(d.Links))
		}
		for _, l := range d.Links {
			if l.Kind == "loss" {
				if l.Colour != commodityColour("residue") {
					t.Errorf("not-recovered band in %s", l.Colour)
				}
			} else if l.Colour == noCommodityColour {
				t.Errorf("period %d: grey band %+v", c.period, l)
			}
		}
	}
}

// checkFlowBalance is the balance of any plan's flow diagram against the
// plan's own figures: every node that is neither a source nor a sink
// balances, the supplies node gives out the plan's purchases and owned
// supplies, each sale's node takes in the plan's sales to it, and the
// stock nodes the inventory at the horizon's end.
func checkFlowBalance(t *testing.T, n *plan.Network, p *plan.Plan) {
	t.Helper()
	d := flowDiagram(n, p, -1)
	in, out := nodeSums(d)
	tol := func(a, b float64) bool { return math.Abs(a-b) <= 1e-3*math.Max(1, math.Abs(b)) }
	for _, nd := range d.Nodes {
		if nd.Kind != flowSource && nd.Kind != flowSink && !tol(in[nd.Name], out[nd.Name]) {
			t.Errorf("%s: %.3f t in, %.3f t out", nd.Name, in[nd.Name], out[nd.Name])
		}
	}
	supplied := 0.0
	for _, x := range append(append([]plan.BuyT(nil), p.Purchases...), p.Owned...) {
		supplied += x.Tonnes
	}
	if !tol(out["Supplies bought or owned"], supplied) {
		t.Errorf("supplies: %.3f t drawn, the plan's %.3f t", out["Supplies bought or owned"], supplied)
	}
	spot, contract := map[string]float64{}, map[string]float64{}
	for _, s := range p.Sales {
		if s.Spot {
			spot[s.Site] += s.Tonnes
		} else {
			contract[s.Buyer+" under "+s.Contract] += s.Tonnes
		}
	}
	names := map[string]string{}
	for _, s := range n.Sites {
		names[s.ID] = s.Name
	}
	for site, v := range spot {
		if got := in["Spot sales at "+names[site]]; !tol(got, v) {
			t.Errorf("spot sales at %s: %.3f t drawn, the plan's %.3f t", site, got, v)
		}
	}
	for k, v := range contract {
		if got := in["Sold to "+k]; !tol(got, v) {
			t.Errorf("sold to %s: %.3f t drawn, the plan's %.3f t", k, got, v)
		}
	}
	held := 0.0
	for _, iv := range p.Inventory {
		if iv.Period == len(p.Periods)-1 {
			held += iv.Tonnes
		}
	}
	if got := in["In stock at the horizon's end"] + in["Held in stockpile at the horizon's end"]; !tol(got, held) {
		t.Errorf("stock at the end: %.3f t drawn, the plan's %.3f t", got, held)
	}
}

// TestFlowDiagramBalancesDemo: the demo corridor's baseline plan, solved,
// draws a balanced Sankey whose sources and sinks are the plan's own
// figures, with the spot sales at the Missouri plant among its nodes.
func TestFlowDiagramBalancesDemo(t *testing.T) {
	n := plan.Demo()
	p, err := plan.Run(t.Context(), n, "", plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	checkFlowBalance(t, n, p)
	spot := 0.0
	for _, s := range p.Sales {
		if s.Spot {
			spot += s.Tonnes
		}
	}
	d := flowDiagram(n, p, -1)
	in, _ := nodeSums(d)
	if spot <= 0 || in["Spot sales at USSM processing plant, Missouri"] <= 0 {
		t.Errorf("the baseline sells %.1f t spot; the Sankey draws %.1f t", spot, in["Spot sales at USSM processing plant, Missouri"])
	}
	for period := range p.Periods {
		d := flowDiagram(n, p, period)
		in, out := nodeSums(d)
		for _, nd := range d.Nodes {
			if nd.Kind != flowSource && nd.Kind != flowSink && math.Abs(in[nd.Name]-out[nd.Name]) > 1e-3*math.Max(1, in[nd.Name]) {
				t.Errorf("%s %d: %s %.3f t in, %.3f t out", p.Unit, period, nd.Name, in[nd.Name], out[nd.Name])
			}
		}
	}
}
