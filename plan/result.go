package plan

import (
	"context"
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/critmin/critmin/solver"
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
	// Infeasibility is set when elastic slack was needed.
	Infeasibility *Report `json:"infeasibility,omitempty"`
	BuildSeconds  float64 `json:"build_seconds"`
	SolveSeconds  float64 `json:"solve_seconds"`

	// MeasuredYields lists the line recoveries taken from a refinery's
	// closed period (WithRefineryYields), set by the caller.
	MeasuredYields []YieldChange `json:"measured_yields,omitempty"`
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
	// Unmet is the tonnage of elastic slack used (0 when feasible).
	Unmet          float64                       `json:"unmet_t"`
	LineUtil       map[string]float64            `json:"line_utilisation"` // feed / capacity over the horizon
	LaneUtil       map[string]float64            `json:"lane_utilisation"` // where capacity is finite
	ContractFill   map[string]float64            `json:"contract_fill"`    // delivered / minimum (1 = met)
	ContractTonnes map[string]float64            `json:"contract_tonnes"`  // delivered over the horizon
	OriginShares   map[string]map[string]float64 `json:"origin_shares"`    // commodity → origin → share of sales
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
}

// InvT is tonnes of a stream held at a site at the end of a period.
type InvT struct {
	Site      string  `json:"site"`
	Period    int     `json:"period"`
	Stream    string  `json:"stream"`
	Commodity string  `json:"commodity"`
	Tonnes    float64 `json:"t"`
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
}

// ShortT is a contract's or stockpile's shortfall, paid as a penalty.
type ShortT struct {
	Ref    string  `json:"ref"`
	Period int     `json:"period"`
	Tonnes float64 `json:"t"`
}

// Decision is an integer decision's value.
type Decision struct {
	Kind   string  `json:"kind"` // open, expand, ship
	Ref    string  `json:"ref"`
	Period int     `json:"period"`
	Value  float64 `json:"value"`
}

// Shadow is a constraint's dual value.
type Shadow struct {
	Kind     string  `json:"kind"`
	Ref      string  `json:"ref"`
	Detail   string  `json:"detail,omitempty"`
	Period   int     `json:"period"`
	Value    float64 `json:"value"` // money per tonne
	Activity float64 `json:"activity"`
	Bound    float64 `json:"bound"`
}

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
	if !r.Status.HasSolution() {
		p.SolveSeconds = time.Since(start).Seconds()
		return p, nil
	}
	p.Objective = r.Objective
	// Duals of the LP with integer decisions fixed.
	duals := r.Duals
	activity := r.RowActivity
	if m.lp.IsMIP() {
		f, err := solver.Solve(m.lp.FixIntegers(r.X), solver.Options{TimeLimit: opt.Solver.TimeLimit})
		if err != nil {
			return nil, err
		}
		if f.Status == solver.Optimal {
			// The LP's values are exact for this model (a worker's pass
			// through MPS text rounds coefficients); report them.
			duals, activity = f.Duals, f.RowActivity
			r.X = f.X
		}
	}
	p.SolveSeconds = time.Since(start).Seconds()
	m.read(p, r.X)
	m.prices(p, duals, activity)
	if opt.Elastic {
		m.report(p, r.X)
	}
	return p, nil
}

func (m *model) read(p *Plan, x []float64) {
	n := m.net
	k := &p.KPIs
	k.Costs = map[string]float64{"transport": 0, "processing": 0, "holding": 0, "fixed": 0, "penalty": 0}
	k.LineUtil, k.LaneUtil, k.ContractFill, k.ContractTonnes = map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	k.OriginShares = map[string]map[string]float64{}
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
			k.Unmet += v
		} else if c.costKey != "" {
			k.Costs[c.costKey] += v * c.cost
		}
		var st Stream
		if c.kind == kFlow || c.kind == kInv || c.kind == kProc || c.kind == kSale || c.kind == kSpot {
			st = m.streams[c.stream]
		}
		switch c.kind {
		case kFlow:
			l := n.Lanes[c.ref]
			p.Flows = append(p.Flows, FlowT{Lane: l.ID, From: l.From, To: l.To, Mode: l.Mode, Period: c.t, Arrive: c.t + l.TransitPeriods, Stream: st.ID, Commodity: st.Commodity, Origin: st.Origin, Tonnes: v})
			laneT[c.ref] += v
		case kInv:
			p.Inventory = append(p.Inventory, InvT{Site: n.Sites[c.ref].ID, Period: c.t, Stream: st.ID, Commodity: st.Commodity, Tonnes: v})
		case kProc:
			l := n.Lines[c.ref]
			pr := ProcT{Line: l.ID, Site: l.Site, Period: c.t, Stream: st.ID, Origin: st.Origin, FeedT: v, Products: map[string]float64{}}
			for _, o := range l.Outputs {
				pr.Products[o.Product] += v * st.Grade[o.Element] * o.Recovery / m.comIdx[o.Product].Content[o.Element]
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
			ref := "stockpile"
			if c.ref >= 0 {
				ref = n.Contracts[c.ref].ID
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
			k.ContractFill[c.ID] = k.ContractTonnes[c.ID] / min
		}
	}
	bySale := map[string]map[string]float64{}
	for _, s := range p.Sales {
		if bySale[s.Commodity] == nil {
			bySale[s.Commodity] = map[string]float64{}
		}
		bySale[s.Commodity][s.Origin] += s.Tonnes
	}
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

func (m *model) prices(p *Plan, duals, activity []float64) {
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
		if info.kind == RowLineCapacity || info.kind == RowLaneCapacity || info.kind == RowContractMin || info.kind == RowContractMax || info.kind == RowStockpile {
			p.ShadowPrices = append(p.ShadowPrices, s)
		}
		if atBound[i] && s.Value != 0 {
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
	return strconv.FormatFloat(v, 'f', 1, 64) + " t"
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
