package plan

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/critmin/critmin/solver"
	"github.com/critmin/critmin/units"
)

// Plan is a solved scenario: what moves, is processed, kept and sold in
// each period, what it earns and costs, what limits it and what could not
// be met.
type Plan struct {
	Network  string   `json:"network"`
	Scenario string   `json:"scenario"`
	Title    string   `json:"title"`
	Periods  []string `json:"periods"`
	Unit     string   `json:"unit"`
	Currency string   `json:"currency"`
	// Status is the solver's status of the MIP (or LP).
	Status    solver.Status `json:"status"`
	Objective float64       `json:"objective"`
	Gap       float64       `json:"gap"`
	Elastic   bool          `json:"elastic"`
	// StrictStatus is set when the strict model was infeasible and this
	// plan is its elastic version.
	StrictStatus solver.Status `json:"strict_status,omitempty"`
	Size         Size          `json:"size"`
	KPIs         KPIs          `json:"kpis"`
	Streams      []Stream      `json:"streams"`
	Purchases    []BuyT        `json:"purchases,omitempty"`
	// Owned is what enters whole at no purchase (an owned supply, or one
	// without a price): per site, stream and period, the tonnes the
	// balance rows take as given. With Purchases it is everything the
	// plan's sites receive from outside the network, so that a site's
	// inflows and outflows balance (the plan page's flow diagram).
	Owned []BuyT `json:"owned,omitempty"`
	// SupplyPrices is every supply's purchase price, where it came from
	// (planning file, purchase contract, price table, owned) and what the
	// plan bought of it.
	SupplyPrices []SupplyPrice `json:"supply_prices,omitempty"`
	Flows        []FlowT       `json:"flows"`
	Processing   []ProcT       `json:"processing"`
	Inventory    []InvT        `json:"inventory"`
	Sales        []SaleT       `json:"sales"`
	Shortfalls   []ShortT      `json:"shortfalls,omitempty"`
	Decisions    []Decision    `json:"decisions,omitempty"`
	// ShadowPrices: money per tonne of raising each capacity or contract
	// bound by one tonne, from the LP with integer decisions fixed.
	ShadowPrices []Shadow `json:"shadow_prices"`
	// Binding lists the non-balance constraints at their bound.
	Binding []Shadow `json:"binding"`
	// LaneOpenings: for each lane and period its minimum-shipment binary
	// keeps closed, what opening it would be worth (see LaneOpening).
	LaneOpenings []LaneOpening `json:"lane_openings,omitempty"`
	// Infeasibility is set when elastic slack was needed.
	Infeasibility *Report `json:"infeasibility,omitempty"`
	BuildSeconds  float64 `json:"build_seconds"`
	SolveSeconds  float64 `json:"solve_seconds"`
	// SolverLog is the solvers' raw logs of this plan, when
	// Options.Solver.KeepLog asked for them: CBC's log of the MIP (or
	// CLP's of an LP) and CLP's of the LP with the integers fixed that
	// gives the shadow prices, each under a "==== … ====" heading.
	SolverLog string `json:"solver_log,omitempty"`

	// MeasuredYields lists the line recoveries taken from a refinery's
	// closed period (WithRefineryYields), set by the caller.
	MeasuredYields []YieldChange `json:"measured_yields,omitempty"`

	// Warnings are the network's pricing warnings (Network.Warnings),
	// such as a contract whose term sheet is not stored and that was
	// priced at the planning file's price instead.
	Warnings []string `json:"warnings,omitempty"`
}

// Size is the model's dimensions.
type Size struct {
	Columns  int `json:"columns"`
	Rows     int `json:"rows"`
	Integers int `json:"integers"`
	Nonzeros int `json:"nonzeros"`
}

// KPIs summarise a plan.
type KPIs struct {
	Margin  float64            `json:"margin"`
	Revenue float64            `json:"revenue"`
	Costs   map[string]float64 `json:"costs"` // transport, processing, holding, fixed, penalty
	SoldT   float64            `json:"sold_t"`
	// ElasticSlack is the tonnage of elastic slack used (0 when the plan
	// is feasible without relaxing anything): the slack of an elastic
	// re-solve, not a contract's shortfall (see ContractUnmet). Named
	// unmet_t before 2026-11; renamed because it read as "nothing unmet"
	// beside contracts that missed their minimums.
	ElasticSlack float64 `json:"elastic_slack_t"`
	// ContractUnmet is, per contract, the tonnes by which deliveries fell
	// below its minimums over the horizon (penalised shortfall plus
	// elastic slack); ContractPenalty the shortfall penalties it cost.
	// Every contract of the scenario has an entry, 0 when met.
	ContractUnmet   map[string]float64 `json:"contract_unmet_t"`
	ContractPenalty map[string]float64 `json:"contract_penalty"`
	// StockpileUnmet is, per stockpile target, the tonne-periods below
	// target (Σ_t shortfall in t).
	StockpileUnmet map[string]float64 `json:"stockpile_unmet_t"`
	// EndInventoryT is what is held at the horizon's end, by commodity;
	// EndInventoryValue values it at each commodity's spot price (the
	// highest spot market for it at the horizon's end, or 0 without one).
	// It is not in Margin: the plan does not sell it.
	EndInventoryT     map[string]float64 `json:"end_inventory_t"`
	EndInventoryValue float64            `json:"end_inventory_value"`
	EndInventoryBasis string             `json:"end_inventory_basis"`
	LineUtil          map[string]float64 `json:"line_utilisation"` // feed / capacity over the horizon
	LaneUtil          map[string]float64 `json:"lane_utilisation"` // where capacity is finite
	// ContractFill is, per contract with a minimum, the share of its
	// minimums met: (Σ_t min − unmet) / Σ_t min, 1 when every period's
	// minimum was met; deliveries above a period's minimum do not make up
	// another period's shortfall (ContractTonnes gives what was delivered).
	ContractFill map[string]float64 `json:"contract_fill"`
	// ContractMin is Σ_t min over the contract's periods in the horizon.
	ContractMin    map[string]float64            `json:"contract_min_t"`
	ContractTonnes map[string]float64            `json:"contract_tonnes"` // delivered over the horizon
	OriginShares   map[string]map[string]float64 `json:"origin_shares"`   // commodity → origin → share of sales
}

// FlowT is tonnes of one stream leaving on a lane in a period.
type FlowT struct {
	Lane      string  `json:"lane"`
	From      string  `json:"from"`
	To        string  `json:"to"`
	Mode      string  `json:"mode"`
	Period    int     `json:"period"`
	Arrive    int     `json:"arrive"`
	Stream    string  `json:"stream"`
	Commodity string  `json:"commodity"`
	Origin    string  `json:"origin"`
	Tonnes    float64 `json:"t"`
	// Origins is the tonnes by origin country of the flow, traced
	// through every blend (see tracer).
	Origins Mix `json:"origins"`
}

// BuyT is tonnes of a priced supply bought in a period.
type BuyT struct {
	Supply string  `json:"supply"`
	Site   string  `json:"site"`
	Stream string  `json:"stream"`
	Origin string  `json:"origin"`
	Period int     `json:"period"`
	Tonnes float64 `json:"t"`
	Cost   float64 `json:"cost"`
}

// SupplyPrice is one supply's purchase price: PricePerT per tonne of
// supply or, with Basis "contained", per tonne of Element contained;
// UnitCost per tonne of supply either way. From and Source say where it
// came from, Terms names the purchase term sheet. BoughtT and Cost are
// what the plan bought of it (an owned supply: its tonnes, cost 0).
type SupplyPrice struct {
	Supply    string  `json:"supply"`
	Commodity string  `json:"commodity"`
	Lot       string  `json:"lot,omitempty"`
	PricePerT float64 `json:"price_per_t"`
	Basis     string  `json:"price_basis"`
	Element   string  `json:"element,omitempty"`
	UnitCost  float64 `json:"unit_cost_per_t"`
	From      string  `json:"from"`
	Source    string  `json:"source"`
	Terms     string  `json:"terms,omitempty"`
	BoughtT   float64 `json:"bought_t"`
	Cost      float64 `json:"cost"`
}

// ProcT is feed of one stream processed on a line in a period, with the
// products it made.
type ProcT struct {
	Line     string             `json:"line"`
	Site     string             `json:"site"`
	Period   int                `json:"period"`
	Stream   string             `json:"stream"`
	Origin   string             `json:"origin"`
	FeedT    float64            `json:"feed_t"`
	Products map[string]float64 `json:"products_t"`
	// Class is the origin class the line ran in the period (its
	// campaign); Pool names the stream each product went into.
	Class string            `json:"class"`
	Pool  map[string]string `json:"pool"`
}

// InvT is tonnes of a stream held at a site at the end of a period.
type InvT struct {
	Site      string  `json:"site"`
	Period    int     `json:"period"`
	Stream    string  `json:"stream"`
	Commodity string  `json:"commodity"`
	Tonnes    float64 `json:"t"`
	Origins   Mix     `json:"origins"`
}

// SaleT is tonnes of a stream sold under a contract or on spot.
type SaleT struct {
	Contract  string  `json:"contract"`
	Buyer     string  `json:"buyer"`
	Spot      bool    `json:"spot,omitempty"`
	Site      string  `json:"site"`
	Period    int     `json:"period"`
	Stream    string  `json:"stream"`
	Commodity string  `json:"commodity"`
	Origin    string  `json:"origin"`
	Tonnes    float64 `json:"t"`
	Revenue   float64 `json:"revenue"`
	Origins   Mix     `json:"origins"`
}

// ShortT is a contract's or stockpile's shortfall, paid as a penalty.
type ShortT struct {
	Ref    string  `json:"ref"`
	Period int     `json:"period"`
	Tonnes float64 `json:"t"`
}

// Decision is an integer decision's value.
type Decision struct {
	Kind   string  `json:"kind"` // open, expand, ship (a line's campaign is ProcT.Class)
	Ref    string  `json:"ref"`
	Period int     `json:"period"`
	Value  float64 `json:"value"`
}

// Shadow is a constraint's dual value.
type Shadow struct {
	Kind   string  `json:"kind"`
	Ref    string  `json:"ref"`
	Detail string  `json:"detail,omitempty"`
	Period int     `json:"period"`
	Value  float64 `json:"value"` // money per tonne
	// Activity and Bound are the row's left-hand side and bound; for a
	// lane with a minimum-shipment binary, the tonnes shipped and the
	// capacity open in the period (0 when closed).
	Activity float64 `json:"activity"`
	Bound    float64 `json:"bound"`
	// Closed marks a lane capacity row whose minimum-shipment binary is 0
	// in this plan: the row reads Σx ≤ 0 and its dual is not a capacity
	// value, so Value is 0; LaneOpenings says what opening is worth.
	Closed bool `json:"closed,omitempty"`
}

// LaneOpening is the value of opening a lane in a period where the plan
// keeps it closed: the LP re-solved with that minimum-shipment binary
// forced to 1 and every other integer decision fixed at the plan's
// value, minus the plan's objective (money; negative when opening — and
// so shipping at least the minimum — would cost). Feasible is false when
// the forced minimum cannot be shipped.
type LaneOpening struct {
	Lane     string  `json:"lane"`
	Period   int     `json:"period"`
	Feasible bool    `json:"feasible"`
	Value    float64 `json:"value"`
	Basis    string  `json:"basis"`
}

// OpeningBasis labels a LaneOpening's value.
const OpeningBasis = "closed in this plan; value of opening = LP re-solve with the lane's binary = 1, other integer decisions fixed"

// Report says what an elastic plan could not meet.
type Report struct {
	Unmet []Unmet `json:"unmet"`
	// Collisions are the hard constraints binding in the elastic plan
	// with the largest duals: the ones the unmet targets run into.
	Collisions []Shadow `json:"collisions"`
	Summary    string   `json:"summary"`
}

// Unmet is one relaxed constraint and by how many tonnes.
type Unmet struct {
	Kind   string  `json:"kind"`
	Ref    string  `json:"ref"`
	Detail string  `json:"detail,omitempty"`
	Period int     `json:"period"`
	Tonnes float64 `json:"t"`
	Bound  float64 `json:"bound"`
}

const eps = 1e-6

// solve solves a built model and reads the plan back.
func (m *model) solve(ctx context.Context, opt Options, buildSeconds float64) (*Plan, error) {
	n := m.net
	p := &Plan{Network: n.ID, Scenario: "baseline", Title: n.Title, Unit: n.Periods.Unit, Currency: n.Currency, Elastic: opt.Elastic, BuildSeconds: buildSeconds}
	p.Warnings = append(slices.Clone(n.Warnings), m.warnings...)
	if p.Currency == "" {
		p.Currency = "USD"
	}
	for t := 0; t < m.T; t++ {
		p.Periods = append(p.Periods, n.PeriodLabel(t))
	}
	p.Size = Size{Columns: m.lp.NumCols(), Rows: m.lp.NumRows()}
	for j, isInt := range m.lp.Integer {
		if isInt {
			p.Size.Integers++
		}
		_ = j
	}
	for i := 0; i < m.lp.NumRows(); i++ {
		p.Size.Nonzeros += len(m.lp.Row(i))
	}
	start := time.Now()
	r, err := solver.SolveIn(ctx, opt.Worker, m.lp, opt.Solver)
	if err != nil {
		return nil, err
	}
	p.Status, p.Gap = r.Status, r.Gap
	p.Streams = m.streams
	if opt.Solver.KeepLog {
		kind := "LP (CLP)"
		if m.lp.IsMIP() {
			kind = "MIP (CBC)"
		}
		p.SolverLog = logSection(fmt.Sprintf("%s, %d columns × %d rows, %d integer: %s", kind, p.Size.Columns, p.Size.Rows, p.Size.Integers, r.Status), r.Log)
	}
	if !r.Status.HasSolution() {
		p.SolveSeconds = time.Since(start).Seconds()
		return p, nil
	}
	p.Objective = r.Objective
	// Duals of the LP with integer decisions fixed.
	duals := r.Duals
	activity := r.RowActivity
	reduced := r.ReducedCosts
	fixedObj, fixedOK := r.Objective, !m.lp.IsMIP()
	if m.lp.IsMIP() {
		f, err := solver.Solve(m.lp.FixIntegers(r.X), solver.Options{TimeLimit: opt.Solver.TimeLimit, KeepLog: opt.Solver.KeepLog})
		if err != nil {
			return nil, err
		}
		if opt.Solver.KeepLog {
			p.SolverLog += logSection(fmt.Sprintf("LP with the integer decisions fixed, for shadow prices (CLP): %s", f.Status), f.Log)
		}
		if f.Status == solver.Optimal {
			// The LP's values are exact for this model (a worker's pass
			// through MPS text rounds coefficients); report them.
			duals, activity, reduced = f.Duals, f.RowActivity, f.ReducedCosts
			r.X = f.X
			fixedObj, fixedOK = f.Objective, true
		}
	}
	m.read(p, r.X)
	m.supplyPrices(p)
	m.prices(p, r.X, duals, activity)
	m.supplyShadows(p, r.X, reduced)
	if fixedOK {
		if err := m.openings(ctx, p, r.X, fixedObj, opt); err != nil {
			return nil, err
		}
	}
	p.SolveSeconds = time.Since(start).Seconds()
	if opt.Elastic {
		m.report(p, r.X)
	}
	return p, nil
}

func (m *model) read(p *Plan, x []float64) {
	n := m.net
	k := &p.KPIs
	k.Costs = map[string]float64{"feed": 0, "transport": 0, "processing": 0, "holding": 0, "fixed": 0, "penalty": 0}
	k.LineUtil, k.LaneUtil, k.ContractFill, k.ContractTonnes, k.ContractMin = map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	k.OriginShares = map[string]map[string]float64{}
	k.ContractUnmet, k.ContractPenalty, k.StockpileUnmet, k.EndInventoryT = map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	for _, c := range n.Contracts {
		k.ContractUnmet[c.ID], k.ContractPenalty[c.ID] = 0, 0
	}
	for _, sp := range n.Stockpiles {
		k.StockpileUnmet[sp.ID] = 0
	}
	lineFeed := map[int]float64{}
	laneT := map[int]float64{}
	for j, c := range m.cols {
		v := x[j]
		if math.Abs(v) < eps {
			continue
		}
		k.Revenue += v * c.revenue
		if c.costKey == "elastic" {
			// Slack's penalty steers the solver; it is not money spent.
			k.ElasticSlack += v
		} else if c.costKey != "" {
			k.Costs[c.costKey] += v * c.cost
		}
		var st Stream
		if c.kind == kFlow || c.kind == kInv || c.kind == kProc || c.kind == kSale || c.kind == kSpot || c.kind == kBuy {
			st = m.streams[c.stream]
		}
		switch c.kind {
		case kBuy:
			p.Purchases = append(p.Purchases, BuyT{Supply: st.Supply, Site: n.Sites[c.ref].ID, Stream: st.ID, Origin: st.Origin, Period: c.t, Tonnes: v, Cost: v * c.cost})
		case kSlack:
			if info := m.rows[m.slackRow[j]]; info.kind == RowContractMin {
				k.ContractUnmet[info.ref] += v
			} else if info.kind == RowStockpile {
				k.StockpileUnmet[info.ref] += v
			}
		case kFlow:
			l := n.Lanes[c.ref]
			p.Flows = append(p.Flows, FlowT{Lane: l.ID, From: l.From, To: l.To, Mode: l.Mode, Period: c.t, Arrive: c.t + l.TransitPeriods, Stream: st.ID, Commodity: st.Commodity, Origin: st.Origin, Tonnes: v})
			laneT[c.ref] += v
		case kInv:
			p.Inventory = append(p.Inventory, InvT{Site: n.Sites[c.ref].ID, Period: c.t, Stream: st.ID, Commodity: st.Commodity, Tonnes: v})
		case kProc:
			l := n.Lines[c.ref]
			pr := ProcT{Line: l.ID, Site: l.Site, Period: c.t, Stream: st.ID, Origin: st.Origin, FeedT: v, Products: map[string]float64{}, Class: st.Class, Pool: map[string]string{}}
			for _, o := range l.Outputs {
				pr.Products[o.Product] += v * st.Grade[o.Element] * o.Recovery / m.comIdx[o.Product].Content[o.Element]
				pr.Pool[o.Product] = productStream(m.comIdx[o.Product], st.Class).ID
			}
			p.Processing = append(p.Processing, pr)
			lineFeed[c.ref] += v
		case kSale:
			ct := n.Contracts[c.ref]
			p.Sales = append(p.Sales, SaleT{Contract: ct.ID, Buyer: ct.Buyer, Site: ct.Site, Period: c.t, Stream: st.ID, Commodity: st.Commodity, Origin: st.Origin, Tonnes: v, Revenue: v * c.revenue})
			k.ContractTonnes[ct.ID] += v
			k.SoldT += v
		case kSpot:
			sp := n.Spot[c.ref]
			p.Sales = append(p.Sales, SaleT{Contract: sp.ID, Buyer: "spot", Spot: true, Site: sp.Site, Period: c.t, Stream: st.ID, Commodity: st.Commodity, Origin: st.Origin, Tonnes: v, Revenue: v * c.revenue})
			k.SoldT += v
		case kShort:
			var ref string
			if c.ref >= 0 {
				ref = n.Contracts[c.ref].ID
				k.ContractUnmet[ref] += v
				k.ContractPenalty[ref] += v * c.cost
			} else {
				ref = n.Stockpiles[-1-c.ref].ID
				k.StockpileUnmet[ref] += v
			}
			p.Shortfalls = append(p.Shortfalls, ShortT{Ref: ref, Period: c.t, Tonnes: v})
		case kOpen, kExpand, kShip:
			kind, ref := "open", ""
			switch c.kind {
			case kOpen:
				ref = n.Lines[c.ref].ID
			case kExpand:
				kind, ref = "expand", n.Lines[c.ref].ID
			case kShip:
				kind, ref = "ship", n.Lanes[c.ref].ID
			}
			p.Decisions = append(p.Decisions, Decision{Kind: kind, Ref: ref, Period: c.t, Value: math.Round(v)})
		}
	}
	for key, v := range m.supply {
		if v < eps {
			continue
		}
		st := m.streams[key[1]]
		p.Owned = append(p.Owned, BuyT{Supply: st.Supply, Site: n.Sites[key[0]].ID, Stream: st.ID, Origin: st.Origin, Period: key[2], Tonnes: v})
	}
	sort.Slice(p.Owned, func(i, j int) bool {
		a, b := p.Owned[i], p.Owned[j]
		if a.Period != b.Period {
			return a.Period < b.Period
		}
		if a.Site != b.Site {
			return a.Site < b.Site
		}
		return a.Stream < b.Stream
	})
	k.Margin = k.Revenue
	for _, v := range k.Costs {
		k.Margin -= v
	}
	expanded := map[string]bool{}
	for _, d := range p.Decisions {
		if d.Kind == "expand" && d.Value > 0.5 {
			expanded[d.Ref] = true
		}
	}
	for li, l := range n.Lines {
		cap := 0.0
		for t := 0; t < m.T; t++ {
			cap += lineCapacity(l, t)
			if expanded[l.ID] && t >= l.Expansion.From && t >= l.Start {
				cap += l.Expansion.CapacityT
			}
		}
		if cap > 0 {
			k.LineUtil[l.ID] = lineFeed[li] / cap
		}
	}
	for li, l := range n.Lanes {
		if l.CapacityT > 0 {
			k.LaneUtil[l.ID] = laneT[li] / (l.CapacityT * float64(m.T-l.TransitPeriods))
		}
	}
	for _, c := range n.Contracts {
		to := m.T - 1
		if c.To != nil {
			to = *c.To
		}
		if min := c.MinT * float64(to-c.From+1); min > 0 {
			k.ContractMin[c.ID] = min
			k.ContractFill[c.ID] = math.Max(0, min-k.ContractUnmet[c.ID]) / min
		}
	}
	m.traceInto(p)
	bySale := map[string]map[string]float64{}
	for _, s := range p.Sales {
		if bySale[s.Commodity] == nil {
			bySale[s.Commodity] = map[string]float64{}
		}
		for o, v := range s.Origins {
			bySale[s.Commodity][o] += v
		}
	}
	// End-of-horizon inventory, valued at spot.
	spot := map[string]float64{}
	for _, sp := range n.Spot {
		spot[sp.Commodity] = math.Max(spot[sp.Commodity], n.spotPrice(sp, m.T-1))
	}
	for _, iv := range p.Inventory {
		if iv.Period == m.T-1 {
			k.EndInventoryT[iv.Commodity] += iv.Tonnes
			k.EndInventoryValue += iv.Tonnes * spot[iv.Commodity]
		}
	}
	k.EndInventoryBasis = "stock held at the end of the last period × the commodity's highest spot price in the plan (0 where it has no spot market); not included in the margin"
	for c, m := range bySale {
		total := 0.0
		for _, v := range m {
			total += v
		}
		k.OriginShares[c] = map[string]float64{}
		for o, v := range m {
			k.OriginShares[c][o] = v / total
		}
	}
}

// priced row kinds: what a negotiator asks about.
var priced = map[string]bool{RowLineCapacity: true, RowLaneCapacity: true, RowContractMin: true, RowContractMax: true, RowStockpile: true, RowStorage: true, RowOriginShare: true, RowSpotMax: true}

// openings values each lane-period a minimum-shipment binary keeps
// closed: the LP with that binary forced to 1 and every other integer
// fixed, against the plan's own fixed LP (objective base).
func (m *model) openings(ctx context.Context, p *Plan, x []float64, base float64, opt Options) error {
	for _, info := range m.rows {
		if !info.hasBin || info.kind != RowLaneCapacity || x[info.bin] >= 0.5 {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		forced := append([]float64(nil), x...)
		forced[info.bin] = 1
		r, err := solver.Solve(m.lp.FixIntegers(forced), solver.Options{TimeLimit: opt.Solver.TimeLimit})
		if err != nil {
			return err
		}
		o := LaneOpening{Lane: info.ref, Period: info.t, Basis: OpeningBasis}
		if r.Status == solver.Optimal {
			o.Feasible = true
			o.Value = r.Objective - base
			if m.lp.Sense == solver.Minimize {
				o.Value = base - r.Objective
			}
			if math.Abs(o.Value) < 1e-6 {
				o.Value = 0
			}
		}
		p.LaneOpenings = append(p.LaneOpenings, o)
	}
	return nil
}

func (m *model) prices(p *Plan, x, duals, activity []float64) {
	atBound := map[int]bool{}
	for _, i := range solver.Binding(m.lp, activity, 1e-6) {
		atBound[i] = true
	}
	for i, info := range m.rows {
		if !priced[info.kind] {
			continue
		}
		lo, up := m.lp.RowLower[i], m.lp.RowUpper[i]
		bound := up
		if math.IsInf(up, 1) {
			bound = lo
		}
		s := Shadow{Kind: info.kind, Ref: info.ref, Detail: info.detail, Period: info.t, Value: duals[i], Activity: activity[i], Bound: bound}
		if math.Abs(s.Value) < 1e-7 {
			s.Value = 0
		}
		if info.hasBin {
			// The row is Σx − cap·z ≤ 0: its activity is shipped − cap·z
			// (−2200 for 800 t shipped on a 3000 t lane), which is not a
			// figure anyone can read. Report the lane's terms instead:
			// tonnes shipped (activity + cap·z) against the capacity open
			// in the period (cap·z: the capacity when z = 1, 0 when the
			// lane is closed).
			z := math.Round(x[info.bin])
			s.Activity, s.Bound = activity[i]+info.binCap*z, info.binCap*z
			if math.Abs(s.Activity) < 1e-7 {
				s.Activity = 0
			}
			if z < 0.5 {
				// Σx ≤ cap·0: the dual prices the binary, not capacity.
				s.Closed, s.Value = true, 0
			}
		}
		if info.kind == RowLineCapacity || info.kind == RowLaneCapacity || info.kind == RowContractMin || info.kind == RowContractMax || info.kind == RowStockpile {
			p.ShadowPrices = append(p.ShadowPrices, s)
		}
		if atBound[i] && s.Value != 0 {
			p.Binding = append(p.Binding, s)
		}
	}
	sort.SliceStable(p.Binding, func(a, b int) bool { return math.Abs(p.Binding[a].Value) > math.Abs(p.Binding[b].Value) })
}

// supplyShadows adds each priced supply's shadow price per period to
// p.ShadowPrices: kind RowSupplyMax, Ref the supply, Activity the tonnes
// bought and Bound the tonnes offered. The offer is the purchase column's
// upper bound, so its dual is the column's reduced cost, in the rows'
// convention (money per tonne of raising the bound): what one more tonne
// offered under the supply's terms would add to the margin — the value
// of the bought tonne where it is used, less its purchase price at those
// terms. Zero unless the plan buys the whole offer. A purchase contract's
// shadow price beside its terms reads these (commercial.ContractShadows).
func (m *model) supplyShadows(p *Plan, x, reduced []float64) {
	if len(reduced) < len(m.cols) {
		return // a solve that reports no reduced costs
	}
	for j, c := range m.cols {
		if c.kind != kBuy {
			continue
		}
		st := m.streams[c.stream]
		s := Shadow{Kind: RowSupplyMax, Ref: st.Supply, Detail: m.net.Sites[c.ref].ID, Period: c.t, Value: reduced[j], Activity: x[j], Bound: m.lp.ColUpper[j]}
		if math.Abs(s.Value) < 1e-7 {
			s.Value = 0
		}
		if math.Abs(s.Activity) < 1e-7 {
			s.Activity = 0
		}
		p.ShadowPrices = append(p.ShadowPrices, s)
		if s.Value != 0 && s.Activity >= s.Bound-1e-6 {
			p.Binding = append(p.Binding, s)
		}
	}
	sort.SliceStable(p.Binding, func(a, b int) bool { return math.Abs(p.Binding[a].Value) > math.Abs(p.Binding[b].Value) })
}

func (m *model) report(p *Plan, x []float64) {
	rep := &Report{}
	for j, row := range m.slackRow {
		if x[j] < eps {
			continue
		}
		info := m.rows[row]
		bound := m.lp.RowUpper[row]
		if math.IsInf(bound, 1) {
			bound = m.lp.RowLower[row]
		}
		rep.Unmet = append(rep.Unmet, Unmet{Kind: info.kind, Ref: info.ref, Detail: info.detail, Period: info.t, Tonnes: x[j], Bound: bound})
	}
	if len(rep.Unmet) == 0 {
		return
	}
	sort.Slice(rep.Unmet, func(a, b int) bool {
		ua, ub := rep.Unmet[a], rep.Unmet[b]
		if ua.Kind != ub.Kind {
			return ua.Kind < ub.Kind
		}
		if ua.Ref != ub.Ref {
			return ua.Ref < ub.Ref
		}
		return ua.Period < ub.Period
	})
	// Binding hard rows: balance rows are physics, skip them.
	for _, b := range p.Binding {
		if b.Kind != RowBalance && len(rep.Collisions) < 20 {
			rep.Collisions = append(rep.Collisions, b)
		}
	}
	total := map[string]float64{}
	for _, u := range rep.Unmet {
		total[u.Kind+" "+u.Ref] += u.Tonnes
	}
	var keys []string
	for k := range total {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rep.Summary = "not met: "
	for i, k := range keys {
		if i > 0 {
			rep.Summary += "; "
		}
		rep.Summary += k + " by " + fmtT(total[k])
	}
	p.Infeasibility = rep
}

func fmtT(v float64) string {
	return units.Fixed(v, 1) + " t"
}

// ShadowSummary is one constraint's nonzero duals over the periods it
// binds: what a negotiator reads first.
type ShadowSummary struct {
	Kind, Ref     string
	Periods       int
	First, Last   int     // first and last period with a nonzero dual
	Largest, Mean float64 // money per tonne
}

// SummariseShadowPrices groups a plan's nonzero shadow prices by
// constraint, largest |dual| first.
func SummariseShadowPrices(p *Plan) []ShadowSummary {
	by := map[string]*ShadowSummary{}
	var order []string
	for _, s := range p.ShadowPrices {
		if s.Value == 0 {
			continue
		}
		k := s.Kind + "|" + s.Ref
		r := by[k]
		if r == nil {
			r = &ShadowSummary{Kind: s.Kind, Ref: s.Ref, First: s.Period}
			by[k] = r
			order = append(order, k)
		}
		r.Periods++
		r.Mean += s.Value
		r.Last = s.Period
		if math.Abs(s.Value) > math.Abs(r.Largest) {
			r.Largest = s.Value
		}
	}
	out := make([]ShadowSummary, 0, len(order))
	for _, k := range order {
		r := by[k]
		r.Mean /= float64(r.Periods)
		out = append(out, *r)
	}
	sort.SliceStable(out, func(i, j int) bool { return math.Abs(out[i].Largest) > math.Abs(out[j].Largest) })
	return out
}

// traceInto fills the origin composition of every flow, inventory and
// sale of p from its records (the same tracer Check uses).
func (m *model) traceInto(p *Plan) {
	tr := traceOrigins(m.traceInput(p))
	for i := range p.Flows {
		f := &p.Flows[i]
		f.Origins = tr.mix(poolKey{f.From, f.Stream, f.Period}, f.Tonnes)
	}
	for i := range p.Inventory {
		iv := &p.Inventory[i]
		iv.Origins = tr.mix(poolKey{iv.Site, iv.Stream, iv.Period}, iv.Tonnes)
	}
	for i := range p.Sales {
		s := &p.Sales[i]
		s.Origins = tr.mix(poolKey{s.Site, s.Stream, s.Period}, s.Tonnes)
	}
}

// traceInput gathers what enters pools as supply (owned supplies and
// purchases) with each supply stream's origin, and the plan's records.
func (m *model) traceInput(p *Plan) traceInput {
	in := traceInput{T: m.T, supply: map[poolKey]float64{}, origin: map[string]map[string]float64{}, flows: p.Flows, proc: p.Processing, inv: p.Inventory}
	for k, v := range m.supply {
		in.supply[poolKey{m.net.Sites[k[0]].ID, m.streams[k[1]].ID, k[2]}] += v
	}
	for _, b := range p.Purchases {
		in.supply[poolKey{b.Site, b.Stream, b.Period}] += b.Tonnes
	}
	for _, s := range m.streams {
		if !s.Pool {
			// Every country of the stream is traced, at 0 where it has
			// no share (a blend holds what went into it, fix9ay): Check
			// classes a line's traced feed as build classes the stream
			// (classes.classOf), zero shares included.
			f := map[string]float64{}
			for _, o := range s.Origins {
				f[o] = 0
			}
			for _, os := range s.originShares() {
				f[os.origin] = os.share
			}
			in.origin[s.ID] = f
		}
	}
	return in
}

// MarginDifference is p's margin minus base's, and whether the difference
// is larger than the solvers' uncertainty: a MIP stopped at relative gap
// g is within g·|objective| of its optimum, so two plans' optima may
// differ from their reported margins' difference by up to
// gap_p·|obj_p| + gap_base·|obj_base|. A smaller difference is not
// significant (it may come from where CBC stopped, not from the scenario).
func MarginDifference(base, p *Plan) (delta float64, significant bool) {
	delta = p.KPIs.Margin - base.KPIs.Margin
	noise := p.Gap*math.Abs(p.Objective) + base.Gap*math.Abs(base.Objective)
	return delta, math.Abs(delta) > noise+1e-6*(1+math.Abs(base.KPIs.Margin))
}

// supplyPrices lists each supply's purchase price with what was bought.
func (m *model) supplyPrices(p *Plan) {
	bought, cost := map[string]float64{}, map[string]float64{}
	for _, b := range p.Purchases {
		bought[b.Supply] += b.Tonnes
		cost[b.Supply] += b.Cost
	}
	for _, sp := range m.supplies {
		basis := sp.PriceBasis
		if basis == "" {
			basis = "tonne"
		}
		x := SupplyPrice{Supply: sp.ID, Commodity: sp.Commodity, Lot: sp.Lot, PricePerT: sp.PricePerT, Basis: basis, Element: sp.Element,
			UnitCost: sp.unitCost(), From: sp.PriceFrom, Source: sp.PriceSource, Terms: sp.Terms, BoughtT: bought[sp.ID], Cost: cost[sp.ID]}
		if sp.Owned {
			x.BoughtT = 0
		}
		p.SupplyPrices = append(p.SupplyPrices, x)
	}
}
