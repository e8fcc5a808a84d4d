package plan

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"

	"github.com/critmin/critmin/solver"
)

// Stream is material of one kind and one provenance: a supply (its own
// grade and origin) or a product from one origin country.
//
// A supply stream has one origin country. A product stream is a pool:
// everything one origin class (see Unrestricted) made of the commodity;
// its Origin is the class label and Origins lists the countries whose
// feed can reach it. Origin is always the restriction class the stream
// is planned under (a ledger lot with any covered content reads that
// covered country, docs/planning.md), never its origin share: that is
// Shares.
type Stream struct {
	ID        string   `json:"id"`
	Commodity string   `json:"commodity"`
	Origin    string   `json:"origin"`
	Class     string   `json:"class"`
	Pool      bool     `json:"pool,omitempty"`
	Origins   []string `json:"origins,omitempty"`
	// Shares is a ledger lot's physical origin, share by country
	// (Supply.OriginShares, summing to 1); empty for a stream of one
	// origin (Origin). Flows, stock, sales and the origin-share limit
	// carry a blend by these shares, never as its largest origin.
	Shares map[string]float64 `json:"origin_shares,omitempty"`
	Mine   string             `json:"mine,omitempty"`
	Grade  map[string]float64 `json:"grade"`
	Supply string             `json:"supply,omitempty"`
	Lot    string             `json:"lot,omitempty"`
}

// Options control how a plan is built and solved.
type Options struct {
	// Elastic adds penalised slack to contract minimums, capacities,
	// stockpile targets and policy rows, so that a plan always exists and
	// the slack used reports what could not be met.
	Elastic bool
	// ElasticPenalty is the cost per tonne of slack (default 1e6): far
	// above any margin, so slack is used only where nothing else works.
	ElasticPenalty float64
	// Strict reports an infeasible model as such; by default Run plans
	// an infeasible scenario again in elastic mode.
	Strict bool
	Solver solver.Options
	// GapSet says Solver.Gap is meant as given, 0 included (solve to
	// proven optimality); without it a zero Solver.Gap means DefaultGap.
	GapSet bool
	// Worker, when set, solves each MIP in a worker process (critmin
	// solve): several scenarios' MIPs then run at once, and cancelling
	// kills a solve in progress. Empty: in process, one MIP at a time.
	Worker solver.Worker
}

// column kinds
const (
	kFlow = iota
	kInv
	kProc
	kSale
	kSpot
	kShort
	kOpen
	kExpand
	kShip
	kSlack
	kBuy
	kCampaign
)

// col describes a model column so that results and KPIs can be read back.
type col struct {
	kind    int
	ref     int // lane, site, line, contract, spot, stockpile index
	stream  int
	t       int
	revenue float64 // per unit, in money
	cost    float64 // per unit, in money
	costKey string  // transport, processing, holding, fixed, penalty
}

// row kinds named in shadow prices and reports
const (
	RowBalance      = "balance"
	RowLineCapacity = "line_capacity"
	RowLaneCapacity = "lane_capacity"
	RowLaneMin      = "lane_min_shipment"
	RowStorage      = "storage_capacity"
	RowContractMin  = "contract_min"
	RowContractMax  = "contract_max"
	RowStockpile    = "stockpile_target"
	RowOriginShare  = "origin_share"
	RowSpotMax      = "spot_max"
	RowCampaign     = "campaign"
	// RowSupplyMax is a priced supply's offer in a period: bought ≤ its
	// tonnes. It is a column bound, not a row: its shadow price is the
	// purchase column's reduced cost (Plan.ShadowPrices, Ref the supply).
	RowSupplyMax = "supply_max"
)

// rowInfo says what a row is.
type rowInfo struct {
	kind   string
	ref    string // id of the lane, line, contract, site…
	t      int    // -1 for horizon-wide rows
	detail string
	// bin is the minimum-shipment binary a lane capacity row is scaled
	// by, when hasBin.
	bin    int
	hasBin bool
	// binCap is the binary's coefficient magnitude in the row (the lane's
	// capacity, or the total supply where the lane has none).
	binCap float64
}

// model is a built planning model with what is needed to read it back.
type model struct {
	net     *Network
	lp      *solver.Model
	cols    []col
	rows    []rowInfo
	streams []Stream
	// slackRow maps a slack column to the row it relaxes.
	slackRow map[int]int
	supply   map[[3]int]float64 // site, stream, t → tonnes entering
	classes  *classes
	// purchasable is the tonnes priced supplies offer over the horizon.
	purchasable float64
	// supplies are the network's supplies, each with its purchase price
	// (Network.PriceFeeds).
	supplies []Supply
	warnings []string // PriceFeeds' notes on this network's supplies
	T        int
	siteIdx  map[string]int
	comIdx   map[string]*Commodity
}

// build turns an effective network (variant applied, ledger pulled) into
// a model.
func build(n *Network, opt Options) (*model, error) {
	T := n.Periods.Count
	m := &model{net: n, T: T, siteIdx: map[string]int{}, comIdx: map[string]*Commodity{}, slackRow: map[int]int{}, supply: map[[3]int]float64{}, classes: n.originClasses()}
	cl := m.classes
	for i, s := range n.Sites {
		m.siteIdx[s.ID] = i
	}
	for i := range n.Commodities {
		m.comIdx[n.Commodities[i].ID] = &n.Commodities[i]
	}
	big := opt.ElasticPenalty
	if big == 0 {
		big = 1e6
	}
	sense := solver.Maximize
	if n.Objective == "cost" {
		sense = solver.Minimize
	}
	m.lp = solver.NewModel(n.ID, sense)

	// Streams: one per supply, then products per origin as lines make them.
	streamIdx := map[string]int{}
	addStream := func(s Stream) int {
		if i, ok := streamIdx[s.ID]; ok {
			return i
		}
		streamIdx[s.ID] = len(m.streams)
		m.streams = append(m.streams, s)
		return len(m.streams) - 1
	}
	S := len(n.Sites)
	avail := make([]map[int]bool, S)
	for i := range avail {
		avail[i] = map[int]bool{}
	}
	// Priced supplies are bought by purchase columns (added with the
	// flows); unpriced ones enter whole as the balance rows' right-hand
	// side.
	type purchase struct {
		site, stream, t int
		tonnes, cost    float64
		supply          string
	}
	var purchases []purchase
	// Every supply has a purchase price (PriceFeeds), on a copy: the
	// baseline network is shared by concurrent scenarios.
	priced := &Network{Supplies: append([]Supply(nil), n.Supplies...), FeedPrices: n.FeedPrices}
	if err := priced.PriceFeeds(); err != nil {
		return nil, err
	}
	m.supplies = priced.Supplies
	m.warnings = priced.Warnings // ledger lots PriceFeeds left out, named
	for _, sp := range m.supplies {
		shares := normShares(sp.OriginShares, sp.OriginCountry)
		origins := []string{sp.OriginCountry}
		if shares != nil {
			origins = slices.Sorted(maps.Keys(shares))
			if !slices.Contains(origins, sp.OriginCountry) {
				// The class's country (a covered one the lot holds in
				// any view) is always among the stream's origins.
				origins = append(origins, sp.OriginCountry)
				sort.Strings(origins)
			}
		}
		si := addStream(Stream{ID: "supply:" + sp.ID, Commodity: sp.Commodity, Origin: sp.OriginCountry, Class: cl.classOf(origins), Origins: origins, Shares: shares, Mine: sp.OriginMine, Grade: sp.Grade, Supply: sp.ID, Lot: sp.Lot})
		site := m.siteIdx[sp.Site]
		avail[site][si] = true
		to := sp.From
		if sp.To != nil {
			to = *sp.To
		} else if sp.Forecast {
			to = T - 1
		}
		for t := sp.From; t <= to && t < T; t++ {
			if sp.PricePerT > 0 {
				purchases = append(purchases, purchase{site, si, t, sp.Tonnes, sp.unitCost(), sp.ID})
			} else {
				m.supply[[3]int{site, si, t}] += sp.Tonnes
			}
		}
	}
	sorted := func(set map[int]bool) []int {
		out := make([]int, 0, len(set))
		for s := range set {
			out = append(out, s)
		}
		sort.Ints(out)
		return out
	}
	// Reachability: streams flow along lanes; lines turn feed streams into
	// product streams of the same origin. Iterate to a fixpoint.
	for changed := true; changed; {
		changed = false
		for _, l := range n.Lanes {
			from, to := m.siteIdx[l.From], m.siteIdx[l.To]
			for _, s := range sorted(avail[from]) {
				if !avail[to][s] {
					avail[to][s], changed = true, true
				}
			}
		}
		for _, l := range n.Lines {
			site := m.siteIdx[l.Site]
			// Sorted, so that product streams — and so columns — come in
			// the same order on every build: CBC's search depends on it.
			for _, s := range sorted(avail[site]) {
				st := m.streams[s]
				if st.Commodity != l.Feed {
					continue
				}
				for _, o := range l.Outputs {
					p := addStream(productStream(m.comIdx[o.Product], st.Class))
					for _, c := range st.Origins {
						if !slices.Contains(m.streams[p].Origins, c) {
							m.streams[p].Origins = append(m.streams[p].Origins, c)
							sort.Strings(m.streams[p].Origins)
						}
					}
					if !avail[site][p] {
						avail[site][p], changed = true, true
					}
				}
			}
		}
	}
	// Usefulness: a site can use a commodity if a line there consumes it,
	// a contract, spot market or stockpile there takes it, or a lane leads
	// to a site that can. Flows of a commodity go only to sites that can
	// use it, which keeps concentrate off the lanes to magnet makers.
	useful := make([]map[string]bool, S)
	for i := range useful {
		useful[i] = map[string]bool{}
	}
	for _, l := range n.Lines {
		useful[m.siteIdx[l.Site]][l.Feed] = true
	}
	for _, c := range n.Contracts {
		useful[m.siteIdx[c.Site]][c.Commodity] = true
	}
	for _, sp := range n.Spot {
		useful[m.siteIdx[sp.Site]][sp.Commodity] = true
	}
	for _, sp := range n.Stockpiles {
		useful[m.siteIdx[sp.Site]][sp.Commodity] = true
	}
	for changed := true; changed; {
		changed = false
		for _, l := range n.Lanes {
			from, to := m.siteIdx[l.From], m.siteIdx[l.To]
			for c := range useful[to] {
				if !useful[from][c] {
					useful[from][c], changed = true, true
				}
			}
		}
	}
	lp := m.lp
	addCol := func(name string, lo, up float64, integer bool, c col) int {
		obj := 0.0
		if sense == solver.Maximize {
			obj = c.revenue - c.cost
		} else {
			obj = c.cost
		}
		j := lp.AddCol(name, lo, up, obj, integer)
		m.cols = append(m.cols, c)
		return j
	}
	addRow := func(info rowInfo, lo, up float64, terms []solver.Term) int {
		name := info.kind + "|" + info.ref
		if info.t >= 0 {
			name += fmt.Sprintf("|%d", info.t)
		}
		if info.detail != "" {
			name += "|" + info.detail
		}
		m.rows = append(m.rows, info)
		return lp.AddRow(name, lo, up, terms)
	}
	// slack adds a penalised elastic column to a row: sign +1 relaxes a ≥
	// row, −1 a ≤ row.
	slack := func(row int, sign float64, terms *[]solver.Term) {
		// terms are appended before the row exists; record after.
		j := addCol(fmt.Sprintf("slack|%d", len(m.cols)), 0, solver.Inf, false, col{kind: kSlack, ref: row, t: -1, cost: big, costKey: "elastic"})
		*terms = append(*terms, solver.Term{Col: j, Coef: sign})
		m.slackRow[j] = row
	}
	nextRow := func() int { return lp.NumRows() }

	// Per site, stream and period: the terms of the balance row.
	type key [3]int
	bal := map[key][]solver.Term{}
	addBal := func(site, s, t int, j int, coef float64) {
		k := key{site, s, t}
		bal[k] = append(bal[k], solver.Term{Col: j, Coef: coef})
	}

	// Purchases of priced supplies.
	for _, b := range purchases {
		m.purchasable += b.tonnes
		j := addCol(fmt.Sprintf("buy|%s|%d", b.supply, b.t), 0, b.tonnes, false, col{kind: kBuy, ref: b.site, stream: b.stream, t: b.t, cost: b.cost, costKey: "feed"})
		addBal(b.site, b.stream, b.t, j, -1)
	}
	// Flows.
	var binaries int
	for li, l := range n.Lanes {
		from, to := m.siteIdx[l.From], m.siteIdx[l.To]
		var streams []int
		for _, s := range sorted(avail[from]) {
			if useful[to][m.streams[s].Commodity] && !m.barredAt(l.To, m.streams[s]) {
				streams = append(streams, s)
			}
		}
		for t := 0; t < T; t++ {
			if l.TransitPeriods+t >= T || n.closed(l.ID, t) {
				continue
			}
			var terms []solver.Term
			for _, s := range streams {
				j := addCol(fmt.Sprintf("flow|%s|%s|%d", l.ID, m.streams[s].ID, t), 0, solver.Inf, false, col{kind: kFlow, ref: li, stream: s, t: t, cost: l.CostPerT, costKey: "transport"})
				addBal(from, s, t, j, 1) // leaves
				addBal(to, s, t+l.TransitPeriods, j, -1)
				terms = append(terms, solver.Term{Col: j, Coef: 1})
			}
			if len(terms) == 0 {
				continue
			}
			switch {
			case l.MinShipmentT > 0:
				binaries++
				u := l.CapacityT
				if u == 0 {
					u = m.totalSupply()
				}
				y := addCol(fmt.Sprintf("ship|%s|%d", l.ID, t), 0, 1, true, col{kind: kShip, ref: li, t: t})
				up := append(append([]solver.Term(nil), terms...), solver.Term{Col: y, Coef: -u})
				if opt.Elastic && l.CapacityT > 0 {
					slack(nextRow(), -1, &up)
				}
				addRow(rowInfo{kind: RowLaneCapacity, ref: l.ID, t: t, bin: y, hasBin: true, binCap: u}, math.Inf(-1), 0, up)
				lo := append(append([]solver.Term(nil), terms...), solver.Term{Col: y, Coef: -l.MinShipmentT})
				addRow(rowInfo{kind: RowLaneMin, ref: l.ID, t: t}, 0, solver.Inf, lo)
			case l.CapacityT > 0:
				if opt.Elastic {
					slack(nextRow(), -1, &terms)
				}
				addRow(rowInfo{kind: RowLaneCapacity, ref: l.ID, t: t}, math.Inf(-1), l.CapacityT, terms)
			}
		}
	}
	// Inventories. A buyer's site holds no stock: what arrives there is
	// sold on arrival (a stockpile or warehouse holds stock).
	for si, site := range n.Sites {
		if site.Kind == "buyer" {
			continue
		}
		streams := sorted(avail[si])
		for t := 0; t < T; t++ {
			var terms []solver.Term
			for _, s := range streams {
				j := addCol(fmt.Sprintf("inv|%s|%s|%d", site.ID, m.streams[s].ID, t), 0, solver.Inf, false, col{kind: kInv, ref: si, stream: s, t: t, cost: site.HoldingCost, costKey: "holding"})
				addBal(si, s, t, j, 1)
				if t+1 < T {
					addBal(si, s, t+1, j, -1)
				}
				terms = append(terms, solver.Term{Col: j, Coef: 1})
			}
			if site.StorageT > 0 && len(terms) > 0 {
				if opt.Elastic {
					slack(nextRow(), -1, &terms)
				}
				addRow(rowInfo{kind: RowStorage, ref: site.ID, t: t}, math.Inf(-1), site.StorageT, terms)
			}
		}
	}
	// Processing.
	var policyProd []prodTerm
	for li, l := range n.Lines {
		site := m.siteIdx[l.Site]
		var feeds []int
		for _, s := range sorted(avail[site]) {
			if m.streams[s].Commodity == l.Feed {
				feeds = append(feeds, s)
			}
		}
		open, expand := -1, -1
		if l.OpenCost != nil {
			binaries++
			open = addCol("open|"+l.ID, 0, 1, true, col{kind: kOpen, ref: li, t: -1, cost: *l.OpenCost, costKey: "fixed"})
		}
		if l.Expansion != nil {
			binaries++
			expand = addCol("expand|"+l.ID, 0, 1, true, col{kind: kExpand, ref: li, t: -1, cost: l.Expansion.FixedCost, costKey: "fixed"})
		}
		// Feeds by origin class: with more than one class the line runs
		// one class's campaign per period.
		classOf := map[string][]int{}
		var classList []string
		for _, s := range feeds {
			c := m.streams[s].Class
			if classOf[c] == nil {
				classList = append(classList, c)
			}
			classOf[c] = append(classOf[c], s)
		}
		sort.Strings(classList)
		for t := 0; t < T; t++ {
			cap := lineCapacity(l, t)
			var terms []solver.Term
			procOf := map[int]int{}
			for _, s := range feeds {
				j := addCol(fmt.Sprintf("proc|%s|%s|%d", l.ID, m.streams[s].ID, t), 0, solver.Inf, false, col{kind: kProc, ref: li, stream: s, t: t, cost: l.CostPerT, costKey: "processing"})
				procOf[s] = j
				addBal(site, s, t, j, 1) // consumed
				st := m.streams[s]
				for _, o := range l.Outputs {
					p := streamIdx[productStream(m.comIdx[o.Product], st.Class).ID]
					y := st.Grade[o.Element] * o.Recovery / m.comIdx[o.Product].Content[o.Element]
					if y > 0 {
						addBal(site, p, t, j, -y) // produced
						for _, os := range st.originShares() {
							policyProd = append(policyProd, prodTerm{col: j, commodity: o.Product, origin: os.origin, pool: st.Pool, coef: y * os.share})
						}
					}
				}
				terms = append(terms, solver.Term{Col: j, Coef: 1})
			}
			if len(terms) == 0 {
				continue
			}
			if len(classList) > 1 {
				// Campaign, M the most the line can take in t: with two
				// classes one binary z, Σ_{k in A} p ≤ M·z and Σ_{k in B} p
				// ≤ M·(1 − z); with more, w[g] per class, Σ_{k in g} p ≤
				// M·w[g] and Σ_g w[g] ≤ 1.
				bigM := cap
				if l.Expansion != nil {
					bigM += l.Expansion.CapacityT
				}
				if opt.Elastic {
					bigM = math.Max(bigM, m.totalSupply())
				}
				if bigM > 0 {
					classRow := func(c string, ct []solver.Term, rhs float64) {
						for _, s := range classOf[c] {
							ct = append(ct, solver.Term{Col: procOf[s], Coef: 1})
						}
						addRow(rowInfo{kind: RowCampaign, ref: l.ID, t: t, detail: c}, math.Inf(-1), rhs, ct)
					}
					if len(classList) == 2 {
						binaries++
						z := addCol(fmt.Sprintf("campaign|%s|%s|%d", l.ID, classList[0], t), 0, 1, true, col{kind: kCampaign, ref: li, t: t})
						classRow(classList[0], []solver.Term{{Col: z, Coef: -bigM}}, 0)
						classRow(classList[1], []solver.Term{{Col: z, Coef: bigM}}, bigM)
					} else {
						var one []solver.Term
						for _, c := range classList {
							binaries++
							w := addCol(fmt.Sprintf("campaign|%s|%s|%d", l.ID, c, t), 0, 1, true, col{kind: kCampaign, ref: li, t: t})
							one = append(one, solver.Term{Col: w, Coef: 1})
							classRow(c, []solver.Term{{Col: w, Coef: -bigM}}, 0)
						}
						addRow(rowInfo{kind: RowCampaign, ref: l.ID, t: t, detail: "one class"}, math.Inf(-1), 1, one)
					}
				}
			}
			rhs := cap
			if open >= 0 {
				terms = append(terms, solver.Term{Col: open, Coef: -cap})
				rhs = 0
			}
			if expand >= 0 && t >= l.Expansion.From && t >= l.Start {
				terms = append(terms, solver.Term{Col: expand, Coef: -l.Expansion.CapacityT})
			}
			if opt.Elastic {
				slack(nextRow(), -1, &terms)
			}
			addRow(rowInfo{kind: RowLineCapacity, ref: l.ID, t: t}, math.Inf(-1), rhs, terms)
		}
	}
	// Sales under contracts, shortfalls, spot.
	salesOf := map[string][]int{} // commodity → sale columns, for policy
	for ci, c := range n.Contracts {
		site := m.siteIdx[c.Site]
		to := T - 1
		if c.To != nil {
			to = *c.To
		}
		for t := c.From; t <= to; t++ {
			var terms []solver.Term
			for _, s := range sorted(avail[site]) {
				st := m.streams[s]
				if st.Commodity != c.Commodity || excludesClass(c.ExcludedOrigins, cl, st.Class) {
					continue
				}
				price := c.PricePerT
				if c.PriceBasis == "contained" {
					price = c.PricePerT * st.Grade[c.Element]
				}
				j := addCol(fmt.Sprintf("sale|%s|%s|%d", c.ID, st.ID, t), 0, solver.Inf, false, col{kind: kSale, ref: ci, stream: s, t: t, revenue: price})
				addBal(site, s, t, j, 1)
				terms = append(terms, solver.Term{Col: j, Coef: 1})
				salesOf[c.Commodity] = append(salesOf[c.Commodity], j)
			}
			maxTerms := append([]solver.Term(nil), terms...)
			if len(maxTerms) > 0 {
				addRow(rowInfo{kind: RowContractMax, ref: c.ID, t: t}, math.Inf(-1), c.MaxT, maxTerms)
			}
			if c.MinT > 0 {
				if c.ShortfallPenalty > 0 {
					j := addCol(fmt.Sprintf("short|%s|%d", c.ID, t), 0, c.MinT, false, col{kind: kShort, ref: ci, t: t, cost: c.ShortfallPenalty, costKey: "penalty"})
					terms = append(terms, solver.Term{Col: j, Coef: 1})
				} else if opt.Elastic {
					slack(nextRow(), 1, &terms)
				}
				addRow(rowInfo{kind: RowContractMin, ref: c.ID, t: t}, c.MinT, solver.Inf, terms)
			}
		}
	}
	for ki, sp := range n.Spot {
		site := m.siteIdx[sp.Site]
		for t := 0; t < T; t++ {
			var terms []solver.Term
			for _, s := range sorted(avail[site]) {
				st := m.streams[s]
				if st.Commodity != sp.Commodity {
					continue
				}
				j := addCol(fmt.Sprintf("spot|%s|%s|%d", sp.ID, st.ID, t), 0, solver.Inf, false, col{kind: kSpot, ref: ki, stream: s, t: t, revenue: n.spotPrice(sp, t)})
				addBal(site, s, t, j, 1)
				terms = append(terms, solver.Term{Col: j, Coef: 1})
				salesOf[sp.Commodity] = append(salesOf[sp.Commodity], j)
			}
			if sp.MaxT > 0 && len(terms) > 0 {
				addRow(rowInfo{kind: RowSpotMax, ref: sp.ID, t: t}, math.Inf(-1), sp.MaxT, terms)
			}
		}
	}
	// Balance rows: what leaves, is consumed, sold or kept, minus what
	// arrives or is produced, equals what enters as supply.
	keys := make([]key, 0, len(bal))
	for k := range bal {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if keys[a][2] != keys[b][2] {
			return keys[a][2] < keys[b][2]
		}
		if keys[a][0] != keys[b][0] {
			return keys[a][0] < keys[b][0]
		}
		return keys[a][1] < keys[b][1]
	})
	for _, k := range keys {
		rhs := m.supply[[3]int(k)]
		addRow(rowInfo{kind: RowBalance, ref: n.Sites[k[0]].ID, t: k[2], detail: m.streams[k[1]].ID}, rhs, rhs, bal[k])
	}
	// Supplies at sites where nothing can happen to them still need a row
	// (an inventory column always exists, so every supply has one).

	// Stockpile targets.
	invCols := map[[2]int][]int{}
	for j, c := range m.cols {
		if c.kind == kInv {
			invCols[[2]int{c.ref, c.t}] = append(invCols[[2]int{c.ref, c.t}], j)
		}
	}
	for spi, sp := range n.Stockpiles {
		site := m.siteIdx[sp.Site]
		for t := sp.By; t < T; t++ {
			var terms []solver.Term
			for _, j := range invCols[[2]int{site, t}] {
				if st := m.streams[m.cols[j].stream]; st.Commodity == sp.Commodity && !excludesClass(sp.ExcludedOrigins, cl, st.Class) {
					terms = append(terms, solver.Term{Col: j, Coef: 1})
				}
			}
			if sp.Penalty > 0 {
				j := addCol(fmt.Sprintf("stockshort|%s|%d", sp.ID, t), 0, sp.TargetT, false, col{kind: kShort, ref: -1 - spi, t: t, cost: sp.Penalty, costKey: "penalty"})
				terms = append(terms, solver.Term{Col: j, Coef: 1})
			} else if opt.Elastic {
				slack(nextRow(), 1, &terms)
			}
			addRow(rowInfo{kind: RowStockpile, ref: sp.ID, t: t}, sp.TargetT, solver.Inf, terms)
		}
	}
	// Origin shares over the horizon. A pool's tonnes are a blend, so a
	// pooled product's origin is counted where it is made: the product a
	// line makes from feed of origin o. Supply streams sold as they are
	// count by their own origin. For each origin o:
	// Σ_{contributions of o} v − share·Σ_{all contributions} v ≤ 0.
	for _, p := range n.Policy.MaxOriginShare {
		type contrib struct {
			col    int
			origin string
			coef   float64
		}
		var cs []contrib
		for _, j := range salesOf[p.Commodity] {
			if st := m.streams[m.cols[j].stream]; !st.Pool {
				for _, os := range st.originShares() {
					cs = append(cs, contrib{j, os.origin, os.share})
				}
			}
		}
		for _, pt := range policyProd {
			if pt.commodity == p.Commodity && !pt.pool {
				cs = append(cs, contrib{pt.col, pt.origin, pt.coef})
			}
		}
		origins := map[string]bool{}
		for _, c := range cs {
			origins[c.origin] = true
		}
		var os []string
		for o := range origins {
			os = append(os, o)
		}
		sort.Strings(os)
		for _, o := range os {
			coefOf := map[int]float64{}
			var order []int
			for _, c := range cs {
				if _, ok := coefOf[c.col]; !ok {
					order = append(order, c.col)
				}
				coefOf[c.col] -= p.Share * c.coef
				if c.origin == o {
					coefOf[c.col] += c.coef
				}
			}
			var terms []solver.Term
			for _, j := range order {
				if coefOf[j] != 0 {
					terms = append(terms, solver.Term{Col: j, Coef: coefOf[j]})
				}
			}
			if opt.Elastic {
				slack(nextRow(), -1, &terms)
			}
			addRow(rowInfo{kind: RowOriginShare, ref: p.Commodity, t: -1, detail: o}, math.Inf(-1), 0, terms)
		}
	}
	return m, nil
}

// originShare is one origin's share of a stream.
type originShare struct {
	origin string
	share  float64
}

// originShares is a supply stream's origin by country, in country order:
// its Shares with a tonne in them (a country at share 0 carries none of
// the stream's tonnes), or all of it from Origin.
func (st Stream) originShares() []originShare {
	if len(st.Shares) == 0 {
		return []originShare{{st.Origin, 1}}
	}
	var out []originShare
	for _, o := range slices.Sorted(maps.Keys(st.Shares)) {
		if st.Shares[o] > 0 {
			out = append(out, originShare{o, st.Shares[o]})
		}
	}
	return out
}

// normShares scales a supply's origin shares to sum to 1. Every country
// given stays, a zero (or negative) share as 0: a country of the
// physical feed with no share of the basis is still in the lot (issue 9
// §5, fix9ay; dropping it left a Pakistani–Chinese blend with one
// origin, and the stream's Origin — China — then took all its tonnes).
// nil when no share is positive, or when the only country with a share
// is origin itself (the stream's Origin then says it all).
func normShares(in map[string]float64, origin string) map[string]float64 {
	total := 0.0
	for _, v := range in {
		if v > 0 {
			total += v
		}
	}
	if !(total > 0) || math.IsInf(total, 0) {
		return nil
	}
	out := map[string]float64{}
	for o, v := range in {
		out[o] = 0
		if v > 0 {
			out[o] = v / total
		}
	}
	if len(out) == 1 && out[origin] == 1 {
		return nil
	}
	return out
}

// productStream is the pool of a product made from feed of one origin
// class.
func productStream(c *Commodity, class string) Stream {
	return Stream{ID: c.ID + ":" + class, Commodity: c.ID, Origin: class, Class: class, Pool: true, Grade: c.Content}
}

// barredAt reports whether a stockpile at site excludes the stream's
// class: then no lane delivers it there.
func (m *model) barredAt(site string, st Stream) bool {
	for _, sp := range m.net.Stockpiles {
		if sp.Site == site && sp.Commodity == st.Commodity && excludesClass(sp.ExcludedOrigins, m.classes, st.Class) {
			return true
		}
	}
	return false
}

// prodTerm is product made from one feed column, for origin-share rows.
type prodTerm struct {
	col       int
	commodity string
	origin    string
	pool      bool
	coef      float64
}

// lineCapacity is a line's feed capacity in period t without expansion:
// nothing before its start, then the ramp, then full rate.
func lineCapacity(l Line, t int) float64 {
	if t < l.Start {
		return 0
	}
	k := t - l.Start
	if k < len(l.Ramp) {
		return l.CapacityT * l.Ramp[k]
	}
	return l.CapacityT
}

func (m *model) totalSupply() float64 {
	sum := m.purchasable
	for _, v := range m.supply {
		sum += v
	}
	if sum == 0 {
		sum = 1
	}
	return sum
}
