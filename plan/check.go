package plan

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/critmin/critmin/units"
)

// Check recomputes a solved plan's invariants from its published flows,
// independently of the solver: mass balance per site, stream and period;
// purchases within what each supply offers; element balance through every
// line's yields; one origin class per line and period (the blending
// rule) with its products in that class's pool; line, lane and storage
// capacities; covered-country exclusions, from the origin composition
// traced through every blend (no excluded origin's content reaches a
// contract or a stockpile that excludes it); the published compositions;
// origin shares. An elastic plan may exceed capacities and shares by the
// slack it reports. It returns every violation found, joined.
func Check(n *Network, p *Plan) error {
	if !p.Status.HasSolution() {
		return nil
	}
	eff, _, err := n.Apply(p.Scenario)
	if err != nil {
		return err
	}
	m, err := build(eff, Options{Elastic: p.Elastic})
	if err != nil {
		return err
	}
	var bad []string
	fail := func(format string, args ...any) {
		if len(bad) < 20 {
			bad = append(bad, fmt.Sprintf(format, args...))
		}
	}
	tol := func(v float64) float64 { return 1e-5 * (1 + math.Abs(v)) }
	// Exclusions are compared as codes, so a code that is not an ISO
	// 3166-1 alpha-3 code ("chn", "XXX") would exclude nothing: refuse it
	// rather than pass a plan whose exclusion never matched.
	for _, c := range eff.Contracts {
		for _, o := range c.ExcludedOrigins {
			if checkCountry("", o, true) != nil {
				fail("contract %s excludes %q, which is not an ISO 3166-1 alpha-3 code: its exclusion cannot be checked", c.ID, o)
			}
		}
	}
	for _, sp := range eff.Stockpiles {
		for _, o := range sp.ExcludedOrigins {
			if checkCountry("", o, true) != nil {
				fail("stockpile %s excludes %q, which is not an ISO 3166-1 alpha-3 code: its exclusion cannot be checked", sp.ID, o)
			}
		}
	}
	for _, s := range eff.Supplies {
		if checkCountry("", s.OriginCountry, true) != nil {
			fail("supply %s has origin %q, which is not an ISO 3166-1 alpha-3 code: no exclusion can match it", s.ID, s.OriginCountry)
		}
	}
	stream := map[string]Stream{}
	for _, s := range m.streams {
		stream[s.ID] = s
	}
	type key struct {
		site, stream string
		t            int
	}
	net := map[key]float64{} // inflow − outflow − stock change
	for k, v := range m.supply {
		net[key{eff.Sites[k[0]].ID, m.streams[k[1]].ID, k[2]}] += v
	}
	offered := map[string]float64{} // supply|period → tonnes a priced supply offers
	for _, sp := range m.supplies {
		if sp.PricePerT <= 0 {
			continue
		}
		to := sp.From
		if sp.To != nil {
			to = *sp.To
		} else if sp.Forecast {
			to = m.T - 1
		}
		for t := sp.From; t <= to && t < m.T; t++ {
			offered[fmt.Sprintf("%s|%d", sp.ID, t)] += sp.Tonnes
		}
	}
	for _, b := range p.Purchases {
		if st := stream[b.Stream]; st.Supply != b.Supply {
			fail("purchase of %s in period %d names stream %s", b.Supply, b.Period, b.Stream)
		}
		if o := offered[fmt.Sprintf("%s|%d", b.Supply, b.Period)]; b.Tonnes > o+tol(o) {
			fail("buys %s t of %s in period %d, which offers %s t", units.Fixed(b.Tonnes, 3), b.Supply, b.Period, units.Fixed(o, 3))
		}
		net[key{b.Site, b.Stream, b.Period}] += b.Tonnes
	}
	tr := traceOrigins(m.traceInput(p))
	cl := m.classes
	campaign := map[string]string{} // line|period → class run
	for _, f := range p.Flows {
		net[key{f.From, f.Stream, f.Period}] -= f.Tonnes
		net[key{f.To, f.Stream, f.Arrive}] += f.Tonnes
	}
	lineFeed := map[string]float64{}
	comContent := map[string]map[string]float64{}
	for _, c := range eff.Commodities {
		comContent[c.ID] = c.Content
	}
	lines := map[string]Line{}
	for _, l := range eff.Lines {
		lines[l.ID] = l
	}
	for _, pr := range p.Processing {
		net[key{pr.Site, pr.Stream, pr.Period}] -= pr.FeedT
		lineFeed[fmt.Sprintf("%s|%d", pr.Line, pr.Period)] += pr.FeedT
		st := stream[pr.Stream]
		l := lines[pr.Line]
		if st.Commodity != l.Feed {
			fail("line %s period %d processes %s, not its feed %s", pr.Line, pr.Period, st.Commodity, l.Feed)
		}
		// Blending: the feed's traced origins all belong to the class the
		// line ran, and one class per line and period.
		// The feed is classed as the model classes a stream (classOf):
		// a blend holding covered content is covered content.
		if fed := slices.Sorted(maps.Keys(tr.frac[poolKey{pr.Site, pr.Stream, pr.Period}])); len(fed) > 0 {
			if c := cl.classOf(fed); c != pr.Class {
				fail("line %s period %d runs class %s but its feed %s holds %s content (class %s)", pr.Line, pr.Period, pr.Class, pr.Stream, strings.Join(fed, "+"), c)
			}
		}
		lk := fmt.Sprintf("%s|%d", pr.Line, pr.Period)
		if c, ok := campaign[lk]; ok && c != pr.Class {
			fail("line %s period %d blends origin classes %s and %s in one product", pr.Line, pr.Period, c, pr.Class)
		}
		campaign[lk] = pr.Class
		// Element balance: product tonnes × content = feed × grade × recovery.
		in := map[string]float64{}
		for _, o := range l.Outputs {
			in[o.Element] += pr.FeedT * st.Grade[o.Element] * o.Recovery
		}
		out := map[string]float64{}
		for prod, t := range pr.Products {
			for _, o := range l.Outputs {
				if o.Product == prod {
					out[o.Element] += t * comContent[prod][o.Element]
				}
			}
			net[key{pr.Site, prod + ":" + pr.Class, pr.Period}] += t
			if pr.Pool[prod] != prod+":"+pr.Class {
				fail("line %s period %d puts %s into %s, not the pool of class %s", pr.Line, pr.Period, prod, pr.Pool[prod], pr.Class)
			}
		}
		for e, v := range in {
			if math.Abs(v-out[e]) > tol(v) {
				fail("line %s period %d: %s in products %s ≠ %s recovered from feed", pr.Line, pr.Period, e, units.Fixed(out[e], 6), units.Fixed(v, 6))
			}
			if out[e] > pr.FeedT*st.Grade[e]+tol(v) {
				fail("line %s period %d: products hold more %s than the feed", pr.Line, pr.Period, e)
			}
		}
	}
	contracts := map[string]Contract{}
	for _, c := range eff.Contracts {
		contracts[c.ID] = c
	}
	// sold: origin-share basis — supply streams sold as they are, and
	// pooled products where they are made (see build).
	sold := map[string]map[string]float64{}
	addSold := func(c, o string, v float64) {
		if sold[c] == nil {
			sold[c] = map[string]float64{}
		}
		sold[c][o] += v
	}
	for _, pr := range p.Processing {
		if st := stream[pr.Stream]; !st.Pool {
			for prod, t := range pr.Products {
				for _, os := range st.originShares() {
					addSold(prod, os.origin, t*os.share)
				}
			}
		}
	}
	sameMix := func(what string, published, traced Mix) {
		for _, o := range slices.Sorted(maps.Keys(traced)) {
			if math.Abs(published[o]-traced[o]) > tol(traced[o]) {
				fail("%s: published %s t of %s origin, traced %s t", what, units.Fixed(published[o], 6), o, units.Fixed(traced[o], 6))
			}
		}
		for o, v := range published {
			if _, ok := traced[o]; !ok && v > tol(0) {
				fail("%s: published %s t of %s origin, traced none", what, units.Fixed(v, 6), o)
			}
		}
	}
	for _, s := range p.Sales {
		net[key{s.Site, s.Stream, s.Period}] -= s.Tonnes
		mix := tr.mix(poolKey{s.Site, s.Stream, s.Period}, s.Tonnes)
		sameMix(fmt.Sprintf("sale %s period %d", s.Contract, s.Period), s.Origins, mix)
		if c, ok := contracts[s.Contract]; ok && !s.Spot {
			for o, v := range mix {
				if slices.Contains(effectiveExcluded(c.ExcludedOrigins), o) && v > tol(0) {
					fail("contract %s period %d receives %s t of %s-origin content, which it excludes", s.Contract, s.Period, units.Fixed(v, 3), o)
				}
			}
		}
		if st := stream[s.Stream]; !st.Pool {
			addSold(s.Commodity, st.Origin, s.Tonnes)
		}
	}
	// Stockpiles with exclusions receive and hold no excluded content.
	for _, sp := range eff.Stockpiles {
		if len(sp.ExcludedOrigins) == 0 {
			continue
		}
		for _, f := range p.Flows {
			if f.To != sp.Site || f.Commodity != sp.Commodity {
				continue
			}
			for o, v := range tr.mix(poolKey{f.From, f.Stream, f.Period}, f.Tonnes) {
				if slices.Contains(effectiveExcluded(sp.ExcludedOrigins), o) && v > tol(0) {
					fail("stockpile %s receives %s t of %s-origin content in period %d, which it excludes", sp.ID, units.Fixed(v, 3), o, f.Arrive)
				}
			}
		}
		for _, iv := range p.Inventory {
			if iv.Site != sp.Site || iv.Commodity != sp.Commodity {
				continue
			}
			for o, v := range tr.mix(poolKey{iv.Site, iv.Stream, iv.Period}, iv.Tonnes) {
				if slices.Contains(effectiveExcluded(sp.ExcludedOrigins), o) && v > tol(0) {
					fail("stockpile %s holds %s t of %s-origin content in period %d, which it excludes", sp.ID, units.Fixed(v, 3), o, iv.Period)
				}
			}
		}
	}
	for _, f := range p.Flows {
		sameMix(fmt.Sprintf("flow %s period %d", f.Lane, f.Period), f.Origins, tr.mix(poolKey{f.From, f.Stream, f.Period}, f.Tonnes))
	}
	stock := map[key]float64{}
	for _, iv := range p.Inventory {
		stock[key{iv.Site, iv.Stream, iv.Period}] += iv.Tonnes
	}
	keys := map[key]bool{}
	for k := range net {
		keys[k] = true
	}
	for k := range stock {
		keys[k] = true
	}
	for k := range keys {
		prev := 0.0
		if k.t > 0 {
			prev = stock[key{k.site, k.stream, k.t - 1}]
		}
		if d := prev + net[k] - stock[k]; math.Abs(d) > tol(prev+stock[k]) {
			fail("mass balance at %s, %s, period %d is off by %s t", k.site, k.stream, k.t, units.Fixed(d, 6))
		}
	}
	elastic := map[string]bool{}
	if p.Infeasibility != nil {
		for _, u := range p.Infeasibility.Unmet {
			elastic[fmt.Sprintf("%s|%s|%d", u.Kind, u.Ref, u.Period)] = true
		}
	}
	expanded := map[string]bool{}
	for _, d := range p.Decisions {
		if d.Kind == "expand" && d.Value > 0.5 {
			expanded[d.Ref] = true
		}
	}
	for _, l := range eff.Lines {
		for t := range p.Periods {
			cap := lineCapacity(l, t)
			if expanded[l.ID] && t >= l.Expansion.From && t >= l.Start {
				cap += l.Expansion.CapacityT
			}
			if f := lineFeed[fmt.Sprintf("%s|%d", l.ID, t)]; f > cap+tol(cap) && !elastic[fmt.Sprintf("%s|%s|%d", RowLineCapacity, l.ID, t)] {
				fail("line %s period %d processes %s t over its capacity %s", l.ID, t, units.Fixed(f, 3), units.Fixed(cap, 3))
			}
		}
	}
	held := map[string]float64{}
	for _, iv := range p.Inventory {
		held[fmt.Sprintf("%s|%d", iv.Site, iv.Period)] += iv.Tonnes
	}
	for _, s := range eff.Sites {
		for t := range p.Periods {
			v := held[fmt.Sprintf("%s|%d", s.ID, t)]
			if s.Kind == "buyer" && v > tol(0) {
				fail("buyer %s holds %s t in period %d", s.ID, units.Fixed(v, 3), t)
			}
			if s.StorageT > 0 && v > s.StorageT+tol(s.StorageT) && !elastic[fmt.Sprintf("%s|%s|%d", RowStorage, s.ID, t)] {
				fail("site %s holds %s t in period %d, over its storage", s.ID, units.Fixed(v, 3), t)
			}
		}
	}
	laneT := map[string]float64{}
	for _, f := range p.Flows {
		laneT[fmt.Sprintf("%s|%d", f.Lane, f.Period)] += f.Tonnes
	}
	for _, l := range eff.Lanes {
		for t := range p.Periods {
			v := laneT[fmt.Sprintf("%s|%d", l.ID, t)]
			if eff.closed(l.ID, t) && v > 0 {
				fail("lane %s carries %s t in period %d while closed", l.ID, units.Fixed(v, 3), t)
			}
			if l.CapacityT > 0 && v > l.CapacityT+tol(l.CapacityT) && !elastic[fmt.Sprintf("%s|%s|%d", RowLaneCapacity, l.ID, t)] {
				fail("lane %s period %d carries %s t over its capacity", l.ID, t, units.Fixed(v, 3))
			}
			if l.MinShipmentT > 0 && v > tol(0) && v < l.MinShipmentT-tol(l.MinShipmentT) {
				fail("lane %s period %d ships %s t, below its minimum shipment", l.ID, t, units.Fixed(v, 3))
			}
		}
	}
	for _, ps := range eff.Policy.MaxOriginShare {
		total := 0.0
		for _, v := range sold[ps.Commodity] {
			total += v
		}
		for o, v := range sold[ps.Commodity] {
			if total > 0 && v > ps.Share*total+tol(total) && !elastic[fmt.Sprintf("%s|%s|-1", RowOriginShare, ps.Commodity)] {
				fail("%s from %s is %s %% of sales, above the %s %% limit", ps.Commodity, o, units.Fixed(100*v/total, 1), units.Fixed(100*ps.Share, 1))
			}
		}
	}
	m.checkMoney(p, fail, tol)
	if len(bad) > 0 {
		return fmt.Errorf("plan %s: %s", p.Scenario, strings.Join(bad, "; "))
	}
	return nil
}

// checkMoney re-derives the plan's money from its published records and
// the model's prices and costs: each purchase's cost is tonnes × the
// supply's purchase price per tonne (its PriceFeeds price: planning file,
// purchase contract or price table), each sale's revenue tonnes × its
// price in that period, transport, processing, holding, fixed costs of
// the decisions and shortfall penalties likewise; the KPIs must equal
// these sums and the margin must be revenue − feed − transport −
// processing − holding − fixed − penalty.
func (m *model) checkMoney(p *Plan, fail func(string, ...any), tol func(float64) float64) {
	coef := map[string]col{}
	for j, name := range m.lp.ColNames {
		coef[name] = m.cols[j]
	}
	costs := map[string]float64{}
	revenue := 0.0
	add := func(name string, v float64, recorded *float64, what string) {
		c, ok := coef[name]
		if !ok {
			fail("%s: the model has no column %s", what, name)
			return
		}
		if recorded != nil {
			want := v * c.cost
			if c.revenue != 0 {
				want = v * c.revenue
			}
			if math.Abs(*recorded-want) > tol(want) {
				fail("%s: recorded %s, tonnes × price = %s × %s = %s", what, units.Fixed(*recorded, 2), units.Fixed(v, 3), units.Fixed(c.revenue+c.cost, 4), units.Fixed(want, 2))
			}
		}
		revenue += v * c.revenue
		if c.costKey != "" && c.costKey != "elastic" {
			costs[c.costKey] += v * c.cost
		}
	}
	for _, b := range p.Purchases {
		add(fmt.Sprintf("buy|%s|%d", b.Supply, b.Period), b.Tonnes, &b.Cost, fmt.Sprintf("purchase of %s in period %d", b.Supply, b.Period))
	}
	for _, f := range p.Flows {
		add(fmt.Sprintf("flow|%s|%s|%d", f.Lane, f.Stream, f.Period), f.Tonnes, nil, "flow on "+f.Lane)
	}
	for _, pr := range p.Processing {
		add(fmt.Sprintf("proc|%s|%s|%d", pr.Line, pr.Stream, pr.Period), pr.FeedT, nil, "feed of line "+pr.Line)
	}
	for _, iv := range p.Inventory {
		add(fmt.Sprintf("inv|%s|%s|%d", iv.Site, iv.Stream, iv.Period), iv.Tonnes, nil, "stock at "+iv.Site)
	}
	for _, sl := range p.Sales {
		kind := "sale"
		if sl.Spot {
			kind = "spot"
		}
		add(fmt.Sprintf("%s|%s|%s|%d", kind, sl.Contract, sl.Stream, sl.Period), sl.Tonnes, &sl.Revenue, fmt.Sprintf("sale under %s in period %d", sl.Contract, sl.Period))
	}
	stockpile := map[string]bool{}
	for _, sp := range m.net.Stockpiles {
		stockpile[sp.ID] = true
	}
	for _, sh := range p.Shortfalls {
		name := fmt.Sprintf("short|%s|%d", sh.Ref, sh.Period)
		if stockpile[sh.Ref] {
			name = fmt.Sprintf("stockshort|%s|%d", sh.Ref, sh.Period)
		}
		add(name, sh.Tonnes, nil, "shortfall of "+sh.Ref)
	}
	for _, d := range p.Decisions {
		switch d.Kind {
		case "open", "expand":
			add(d.Kind+"|"+d.Ref, d.Value, nil, d.Kind+" "+d.Ref)
		case "ship":
			add(fmt.Sprintf("ship|%s|%d", d.Ref, d.Period), d.Value, nil, "sailing "+d.Ref)
		}
	}
	k := p.KPIs
	if math.Abs(k.Revenue-revenue) > tol(revenue) {
		fail("revenue %s; the sales add up to %s", units.Fixed(k.Revenue, 2), units.Fixed(revenue, 2))
	}
	margin := revenue
	for key, v := range costs {
		margin -= v
		if math.Abs(k.Costs[key]-v) > tol(v) {
			fail("%s cost %s; the records add up to %s", key, units.Fixed(k.Costs[key], 2), units.Fixed(v, 2))
		}
	}
	for key, v := range k.Costs {
		if _, ok := costs[key]; !ok && math.Abs(v) > tol(0) {
			fail("%s cost %s; the records add up to 0", key, units.Fixed(v, 2))
		}
	}
	if math.Abs(k.Margin-margin) > tol(margin) {
		fail("margin %s; revenue − feed − transport − processing − holding − fixed − penalty = %s", units.Fixed(k.Margin, 2), units.Fixed(margin, 2))
	}
}
