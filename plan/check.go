package plan

import (
	"fmt"
	"math"
	"strings"
)

// Check recomputes a solved plan's invariants from its published flows,
// independently of the solver: mass balance per site, stream and period;
// element balance through every line's yields; line, lane and storage
// capacities; covered-country exclusions; origin shares. An elastic plan
// may exceed capacities and shares by the slack it reports. It returns
// every violation found, joined.
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
			net[key{pr.Site, prod + ":" + st.Origin, pr.Period}] += t
		}
		for e, v := range in {
			if math.Abs(v-out[e]) > tol(v) {
				fail("line %s period %d: %s in products %.6f ≠ %.6f recovered from feed", pr.Line, pr.Period, e, out[e], v)
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
	sold := map[string]map[string]float64{}
	for _, s := range p.Sales {
		net[key{s.Site, s.Stream, s.Period}] -= s.Tonnes
		if c, ok := contracts[s.Contract]; ok && !s.Spot {
			for _, o := range c.ExcludedOrigins {
				if o == s.Origin {
					fail("contract %s period %d receives %.3f t of %s origin, which it excludes", s.Contract, s.Period, s.Tonnes, s.Origin)
				}
			}
		}
		if sold[s.Commodity] == nil {
			sold[s.Commodity] = map[string]float64{}
		}
		sold[s.Commodity][s.Origin] += s.Tonnes
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
			fail("mass balance at %s, %s, period %d is off by %.6f t", k.site, k.stream, k.t, d)
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
				fail("line %s period %d processes %.3f t over its capacity %.3f", l.ID, t, f, cap)
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
				fail("buyer %s holds %.3f t in period %d", s.ID, v, t)
			}
			if s.StorageT > 0 && v > s.StorageT+tol(s.StorageT) && !elastic[fmt.Sprintf("%s|%s|%d", RowStorage, s.ID, t)] {
				fail("site %s holds %.3f t in period %d, over its storage", s.ID, v, t)
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
				fail("lane %s carries %.3f t in period %d while closed", l.ID, v, t)
			}
			if l.CapacityT > 0 && v > l.CapacityT+tol(l.CapacityT) && !elastic[fmt.Sprintf("%s|%s|%d", RowLaneCapacity, l.ID, t)] {
				fail("lane %s period %d carries %.3f t over its capacity", l.ID, t, v)
			}
			if l.MinShipmentT > 0 && v > tol(0) && v < l.MinShipmentT-tol(l.MinShipmentT) {
				fail("lane %s period %d ships %.3f t, below its minimum shipment", l.ID, t, v)
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
				fail("%s from %s is %.1f %% of sales, above the %.1f %% limit", ps.Commodity, o, 100*v/total, 100*ps.Share)
			}
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("plan %s: %s", p.Scenario, strings.Join(bad, "; "))
	}
	return nil
}
