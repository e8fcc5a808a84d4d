package plan

import (
	"maps"
	"slices"
	"strings"

	"github.com/critmin/critmin/units"
)

// CompareRow is one KPI across the scenarios of a comparison, formatted.
type CompareRow struct {
	Name   string   `json:"name"`
	Values []string `json:"values"`
}

// Compare lays plans side by side, the first as the reference: status,
// margin and its difference from the first plan ("n.s." when smaller
// than the MIP gaps allow, see MarginDifference), revenue, each cost,
// tonnes sold, elastic slack, end-of-horizon inventory and its value, and
// for every contract of any plan — contracts a scenario adds included —
// tonnes delivered, tonnes below its minimums, shortfall penalties and
// fill of the minimum ("—" where the scenario has no such contract or
// the contract no minimum). The CLI and the plan page print it.
func Compare(plans []*Plan) []CompareRow {
	if len(plans) == 0 {
		return nil
	}
	money := func(v float64) string { return group(units.Fixed(v, 0)) }
	// A non-zero mass never prints as 0.0 and a fill short of its
	// minimum never as 100 (units.Bound, the rule every page follows).
	tonnes := func(v float64) string {
		if b, ok := units.Bound(v, 1, 0); ok {
			return b
		}
		whole, frac, _ := strings.Cut(units.Fixed(v, 1), ".")
		return group(whole) + "." + frac
	}
	// Every row names its unit: money in the plans' currency, masses in
	// tonnes ("sold (t)"); a contract's rows name the contract.
	cur := base0Currency(plans)
	var rows []CompareRow
	row := func(name string, f func(*Plan) string) {
		r := CompareRow{Name: name}
		for _, p := range plans {
			if !p.Status.HasSolution() && name != "status" {
				r.Values = append(r.Values, "—")
				continue
			}
			r.Values = append(r.Values, f(p))
		}
		rows = append(rows, r)
	}
	base := plans[0]
	row("status", func(p *Plan) string { return string(p.Status) })
	row("margin ("+cur+")", func(p *Plan) string { return money(p.KPIs.Margin) })
	row("Δ margin vs "+base.Scenario+" ("+cur+")", func(p *Plan) string {
		d, sig := MarginDifference(base, p)
		if p == base {
			return "0"
		}
		if !sig {
			return money(d) + " (n.s.)"
		}
		return money(d)
	})
	row("revenue ("+cur+")", func(p *Plan) string { return money(p.KPIs.Revenue) })
	for _, c := range []string{"feed", "transport", "processing", "holding", "fixed", "penalty"} {
		row(c+" cost ("+cur+")", func(p *Plan) string { return money(p.KPIs.Costs[c]) })
	}
	row("sold (t)", func(p *Plan) string { return tonnes(p.KPIs.SoldT) })
	row("elastic slack (t)", func(p *Plan) string { return tonnes(p.KPIs.ElasticSlack) })
	row("end inventory value ("+cur+")", func(p *Plan) string { return money(p.KPIs.EndInventoryValue) })
	ids := map[string]bool{}
	for _, p := range plans {
		for id := range p.KPIs.ContractUnmet {
			ids[id] = true
		}
		for id := range p.KPIs.ContractTonnes {
			ids[id] = true
		}
	}
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		has := func(p *Plan) bool { _, ok := p.KPIs.ContractUnmet[id]; return ok }
		row("contract "+id+": delivered (t)", func(p *Plan) string {
			if !has(p) {
				return "—"
			}
			return tonnes(p.KPIs.ContractTonnes[id])
		})
		row("contract "+id+": below minimum (t)", func(p *Plan) string {
			if !has(p) {
				return "—"
			}
			return tonnes(p.KPIs.ContractUnmet[id])
		})
		row("contract "+id+": shortfall penalty ("+cur+")", func(p *Plan) string {
			if !has(p) {
				return "—"
			}
			return money(p.KPIs.ContractPenalty[id])
		})
		row("contract "+id+": fill of minimum (%)", func(p *Plan) string {
			f, ok := p.KPIs.ContractFill[id]
			if !ok {
				return "—"
			}
			if b, ok := units.Bound(100*f, 1, 100); ok {
				return b
			}
			return strings.TrimSuffix(units.Fixed(100*f, 1), ".0")
		})
	}
	return rows
}

// base0Currency is the currency of the plans' money (the first plan's,
// as every scenario of one network shares it); "USD" when none is named.
func base0Currency(plans []*Plan) string {
	for _, p := range plans {
		if p.Currency != "" {
			return p.Currency
		}
	}
	return "USD"
}

// group puts thousands separators into an integer string.
func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg && s != "0" {
		return "-" + b.String()
	}
	return b.String()
}

// OriginRow is the origin composition of everything one contract, spot
// market or stockpile received over the horizon.
type OriginRow struct {
	Kind      string  `json:"kind"` // contract, spot, stockpile
	Ref       string  `json:"ref"`
	Commodity string  `json:"commodity"`
	Tonnes    float64 `json:"t"`
	Origins   Mix     `json:"origins"` // tonnes by origin country
}

// OriginSummary sums the traced origin composition of every sale by
// contract or spot market over the horizon, and gives each stockpile's
// holding at the end of the horizon (its site's stock in the streams its
// target counts) with its traced composition.
func OriginSummary(n *Network, p *Plan) []OriginRow {
	by := map[string]*OriginRow{}
	var order []string
	add := func(kind, ref, commodity string, t float64, mix Mix) {
		k := kind + "|" + ref + "|" + commodity
		r := by[k]
		if r == nil {
			r = &OriginRow{Kind: kind, Ref: ref, Commodity: commodity, Origins: Mix{}}
			by[k] = r
			order = append(order, k)
		}
		r.Tonnes += t
		for o, v := range mix {
			r.Origins[o] += v
		}
	}
	for _, s := range p.Sales {
		kind := "contract"
		if s.Spot {
			kind = "spot"
		}
		add(kind, s.Contract, s.Commodity, s.Tonnes, s.Origins)
	}
	eff := n
	if e, _, err := n.Apply(p.Scenario); err == nil {
		eff = e
	}
	// A stockpile is what it holds: the inventory at its site, in the
	// streams its target counts (those it does not exclude), at the end of
	// the horizon. That covers a depot filled by lanes and a stockpile kept
	// where the product is made (no lane delivers to it).
	class := map[string]string{}
	for _, st := range p.Streams {
		class[st.ID] = st.Class
	}
	last := len(p.Periods) - 1
	for _, iv := range p.Inventory {
		if iv.Period > last {
			last = iv.Period
		}
	}
	for _, sp := range eff.Stockpiles {
		add("stockpile", sp.ID, sp.Commodity, 0, nil)
		for _, iv := range p.Inventory {
			if iv.Site == sp.Site && iv.Commodity == sp.Commodity && iv.Period == last && !excludesClass(sp.ExcludedOrigins, nil, class[iv.Stream]) {
				add("stockpile", sp.ID, sp.Commodity, iv.Tonnes, iv.Origins)
			}
		}
	}
	out := make([]OriginRow, 0, len(order))
	for _, k := range order {
		out = append(out, *by[k])
	}
	slices.SortStableFunc(out, func(a, b OriginRow) int {
		return strings.Compare(a.Kind+a.Ref, b.Kind+b.Ref)
	})
	return out
}

// String writes a mix as "PAK 95.0 %, CHN 5.0 %", largest first.
func (m Mix) String() string {
	total := 0.0
	for _, v := range m {
		total += v
	}
	if total == 0 {
		return "—"
	}
	keys := slices.Sorted(maps.Keys(m))
	slices.SortStableFunc(keys, func(a, b string) int {
		switch {
		case m[a] > m[b]:
			return -1
		case m[a] < m[b]:
			return 1
		}
		return 0
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+" "+units.Fixed(100*m[k]/total, 1)+" %")
	}
	return strings.Join(parts, ", ")
}
