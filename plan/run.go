package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/critmin/critmin/jsonstrict"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/scenario"
	"github.com/critmin/critmin/solver"
	"github.com/critmin/critmin/units"
)

// solvedHook, when a test sets it, sees every solved plan before its
// invariant check (to prove that a plan breaking one is not published).
var solvedHook func(*Plan)

// Baseline is the name of the unchanged network.
const Baseline = "baseline"

// Run plans one scenario of n: the baseline, or a variant by id. The
// network must already hold its ledger supplies (see PullLedger).
func Run(ctx context.Context, n *Network, variant string, opt Options) (*Plan, error) {
	eff, title, err := n.Apply(variant)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opt = opt.withDefaults()
	start := time.Now()
	m, err := build(eff, opt)
	if err != nil {
		return nil, err
	}
	p, err := m.solve(ctx, opt, time.Since(start).Seconds())
	if err != nil {
		return nil, err
	}
	if p.Status == solver.Infeasible && !opt.Elastic && !opt.Strict {
		// Never a bare "infeasible": plan again with elastic slack and
		// report what could not be met.
		opt.Elastic = true
		start = time.Now()
		if m, err = build(eff, opt); err != nil {
			return nil, err
		}
		strict, strictLog := p.Status, p.SolverLog
		if p, err = m.solve(ctx, opt, time.Since(start).Seconds()); err != nil {
			return nil, err
		}
		p.StrictStatus = strict
		if opt.Solver.KeepLog {
			p.SolverLog = logSection("model as stated: "+string(strict), strictLog) + p.SolverLog
		}
	}
	p.Scenario, p.Title = variant, title
	if solvedHook != nil {
		solvedHook(p)
	}
	// Never hand out a plan that breaks its own invariants: Check
	// recomputes them from the published flows, independently of the
	// solver (mass and element balance, capacities, covered-country
	// exclusions traced through every blend). A solver or model defect
	// then fails loudly instead of publishing a wrong plan.
	if err := Check(n, p); err != nil {
		return nil, critmin.Errorf(critmin.EINTERNAL, "plan %q failed its invariant check and is not published: %v", variant, err)
	}
	return p, nil
}

// RunMany plans several scenarios of n, at most workers at once (1: one
// after another). Results come back in the order asked; a context
// cancellation stops scenarios not yet started.
func RunMany(ctx context.Context, n *Network, variants []string, opt Options, workers int, progress func(done int)) ([]*Plan, error) {
	if workers < 1 {
		workers = 1
	}
	plans := make([]*Plan, len(variants))
	errs := make([]error, len(variants))
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for i, v := range variants {
		wg.Add(1)
		go func(i int, v string) {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				errs[i] = ctx.Err()
				return
			}
			defer func() { <-sem }()
			plans[i], errs[i] = Run(ctx, n, v, opt)
			if errs[i] == nil && ctx.Err() != nil {
				// Stopped by the cancellation, not finished: not done.
				errs[i] = ctx.Err()
			}
			if errs[i] != nil {
				return
			}
			mu.Lock()
			done++
			if progress != nil {
				progress(done)
			}
			mu.Unlock()
		}(i, v)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("scenario %s: %w", variants[i], err)
		}
	}
	return plans, nil
}

// DefaultGap and DefaultTimeLimit apply when Options leave them zero: a
// corridor plan is a decision aid, and proving the last 0.5 % can take CBC
// hours where the plan itself takes a second.
const (
	DefaultGap       = 0.005
	DefaultTimeLimit = 120 * time.Second
)

func (o Options) withDefaults() Options {
	if o.Solver.Gap == 0 && !o.GapSet {
		o.Solver.Gap = DefaultGap
	}
	if o.Solver.TimeLimit == 0 {
		o.Solver.TimeLimit = DefaultTimeLimit
	}
	return o
}

// ExportMPS writes the model of one scenario as an MPS file.
func ExportMPS(n *Network, variant string, opt Options, path string) error {
	lp, err := BuildModel(n, variant, opt)
	if err != nil {
		return err
	}
	return solver.WriteMPS(lp, path)
}

// BuildModel builds the solver model of one scenario without solving it,
// for benchmarks and for tools that solve it elsewhere.
func BuildModel(n *Network, variant string, opt Options) (*solver.Model, error) {
	eff, _, err := n.Apply(variant)
	if err != nil {
		return nil, err
	}
	m, err := build(eff, opt)
	if err != nil {
		return nil, err
	}
	return m.lp, nil
}

// Clone deep-copies a network through JSON, so that a variant or a
// ledger pull never changes the baseline another goroutine is planning.
// Only the file's content is copied: a variant's applied measures are
// not (clone the baseline, then Apply).
func (n *Network) Clone() *Network {
	b, _ := json.Marshal(n)
	var c Network
	json.Unmarshal(b, &c)
	return &c
}

// Apply returns the network with a variant's measures applied, and the
// variant's title. Measures use the scenario format (package scenario):
//
//   - lane_closure: target is a lane id, or a site id to close every lane
//     into or out of it (a port); no flow leaves in the window.
//   - export_restriction: supplies whose origin is country (and whose
//     commodity or family is listed) lose share of their tonnes in the
//     window; ledger lots already in stock are affected too.
//   - refinery_delay: target is a line id or a site id (all its lines);
//     the start moves delay_periods later.
//   - price_shock: contracts and spot markets whose id is target, or whose
//     commodity or family is listed, are priced price_factor × in the
//     window, or at price_per_t (an absolute price on the target's basis,
//     which means the same whether the price came from the file or from
//     a term sheet).
//   - new_contract: contract holds the terms; target is its id.
//   - supply_addition: a country adds tonnes_per_year of a commodity; it
//     is not placed on a site, so the planner reports it and ignores it.
func (n *Network) Apply(variant string) (*Network, string, error) {
	if variant == "" || variant == Baseline {
		return n, n.Title, nil
	}
	v, err := n.Variant(variant)
	if err != nil {
		return nil, "", err
	}
	eff := n.Clone()
	for i, m := range v.Measures {
		if err := eff.apply(m); err != nil {
			return nil, "", fmt.Errorf("scenarios %s measures[%d]: %w", v.ID, i, err)
		}
	}
	// The scenarios themselves were checked with the baseline.
	if err := eff.validateCorridor(); err != nil {
		return nil, "", err
	}
	return eff, v.Title, nil
}

// window returns the periods [from, to] a measure covers, clipped to the
// horizon; ok is false when it misses the horizon.
func (n *Network) window(m scenario.Measure) (from, to int, ok bool) {
	f, t, err := m.Window()
	if err != nil {
		return 0, 0, false
	}
	from = n.PeriodOf(f)
	to = n.Periods.Count - 1
	if !t.IsZero() {
		to = n.PeriodOf(t.Add(-time.Nanosecond))
	}
	from = max(from, 0)
	to = min(to, n.Periods.Count-1)
	return from, to, from <= to
}

func (n *Network) matchesCommodity(list []string, id string) bool {
	if len(list) == 0 {
		return true
	}
	fam := ""
	for _, c := range n.Commodities {
		if c.ID == id {
			fam = c.Family
		}
	}
	return slices.Contains(list, id) || (fam != "" && slices.Contains(list, fam))
}

func (n *Network) apply(m scenario.Measure) error {
	from, to, ok := n.window(m)
	switch m.Kind {
	case scenario.LaneClosure:
		found := false
		var lanes []Lane
		for _, l := range n.Lanes {
			if l.ID != m.Target && l.From != m.Target && l.To != m.Target {
				lanes = append(lanes, l)
				continue
			}
			found = true
			if !ok {
				lanes = append(lanes, l)
				continue
			}
			// Split the lane's availability: a closed lane is a lane whose
			// capacity is zero in the window. Model it as an explicit
			// closure list.
			l2 := l
			lanes = append(lanes, l2)
			n.closures = append(n.closures, closure{lane: l.ID, from: from, to: to})
		}
		if !found {
			return critmin.FieldErrorf("/target", "no lane or site %q to close", m.Target)
		}
		n.Lanes = lanes
	case scenario.ExportRestriction:
		if !ok {
			return nil
		}
		var out []Supply
		for _, s := range n.Supplies {
			if s.OriginCountry != m.Country || !n.matchesCommodity(m.Commodities, s.Commodity) {
				out = append(out, s)
				continue
			}
			// Split the supply at the window: inside it, (1 − share) of
			// the tonnes remain.
			end := s.From
			if s.To != nil {
				end = *s.To
			} else if s.Forecast {
				end = n.Periods.Count - 1
			}
			for _, sp := range splitSpans(s.From, end, from, to, "") {
				part := s
				part.From, part.To, part.Forecast = sp.from, &sp.to, false
				part.ID += sp.suffix
				if sp.in {
					part.Tonnes *= 1 - m.Share
					part.ID += fmt.Sprintf("~restricted%d-%d", from, to)
				}
				if part.Tonnes > 0 {
					out = append(out, part)
				}
			}
		}
		n.Supplies = out
	case scenario.RefineryDelay:
		found := false
		for i := range n.Lines {
			if n.Lines[i].ID == m.Target || n.Lines[i].Site == m.Target {
				found = true
				n.Lines[i].Start = min(n.Lines[i].Start+m.Delay, n.Periods.Count-1)
				if n.Lines[i].Expansion != nil {
					n.Lines[i].Expansion.From = min(n.Lines[i].Expansion.From+m.Delay, n.Periods.Count-1)
				}
			}
		}
		if !found {
			return critmin.FieldErrorf("/target", "no line or refinery site %q to delay", m.Target)
		}
	case scenario.PriceShock:
		if !ok {
			return nil
		}
		hit := false
		var cs []Contract
		for _, c := range n.Contracts {
			if c.ID != m.Target && (m.Target != "" || !n.matchesCommodity(m.Commodities, c.Commodity)) {
				cs = append(cs, c)
				continue
			}
			hit = true
			end := n.Periods.Count - 1
			if c.To != nil {
				end = *c.To
			}
			for _, sp := range splitSpans(c.From, end, from, to, "~shock") {
				part := c
				part.From, part.To = sp.from, &sp.to
				part.ID += sp.suffix
				if sp.in {
					part.PricePerT = shockedPrice(part.PricePerT, m)
				}
				cs = append(cs, part)
			}
		}
		n.Contracts = cs
		for i, s := range n.Spot {
			if s.ID == m.Target || (m.Target == "" && n.matchesCommodity(m.Commodities, s.Commodity)) {
				hit = true
				// Spot is per period; a window shock is approximated over
				// the whole horizon only when it covers it.
				if from == 0 && to == n.Periods.Count-1 {
					n.Spot[i].PricePerT = shockedPrice(s.PricePerT, m)
				} else {
					n.spotShocks = append(n.spotShocks, spotShock{spot: s.ID, from: from, to: to, m: m})
				}
			}
		}
		if !hit {
			return critmin.FieldErrorf("/target", "no contract, spot market or commodity matches the price shock")
		}
	case scenario.NewContract:
		var c Contract
		if err := jsonstrict.Decode(m.Contract, &c); err != nil {
			// The pointer is within the contract: prefix it.
			if f := critmin.ErrorFields(err); len(f) == 1 && f[0].Pointer != "body" {
				return critmin.FieldErrorf("/contract"+f[0].Pointer, "%s", f[0].Reason)
			}
			return critmin.FieldErrorf("/contract", "not a contract: %s", critmin.ErrorMessage(err))
		}
		if c.ID == "" {
			c.ID = m.Target
		}
		if err := checkExcluded("contract.excluded_origins", c.ExcludedOrigins); err != nil {
			return err
		}
		n.Contracts = append(n.Contracts, c)
	case scenario.SupplyAddition:
		// Not placed on a site: nothing to add to the network.
	default:
		return critmin.FieldErrorf("/kind", "measure kind %q does not apply to a plan", m.Kind)
	}
	return nil
}

// span is a run of periods [from, to], inside or outside a measure's
// window, with the suffix that names the piece it makes.
type span struct {
	from, to int
	in       bool
	suffix   string
}

// splitSpans cuts the periods [start, end] at the window [from, to]: the
// part before (suffix ~before), inside (inSuffix) and after (~after). A
// run the window does not cut comes back whole, without a suffix.
func splitSpans(start, end, from, to int, inSuffix string) []span {
	var out []span
	add := func(a, b int, in bool, suffix string) {
		if a <= b {
			out = append(out, span{a, b, in, suffix})
		}
	}
	add(start, min(end, from-1), false, "~before")
	add(max(start, from), min(end, to), true, inSuffix)
	add(max(start, to+1), end, false, "~after")
	if len(out) == 1 {
		out[0].suffix = ""
	}
	return out
}

// PullLedger adds the ledger's lots in stock or in transit, of the
// commodities the network asks for, as supplies: one supply per holding
// of each lot (lotSupplies), each its own stream with its own mass, the
// grade of its own assays and the lot's origin.
//
// A lot's origin is its physical origin from custody.Origins — the one
// origin function the lot page, lists, certificate and risk view read.
func (n *Network) PullLedger(ctx context.Context, store custody.Store) error {
	if n.Ledger == nil || store == nil {
		return nil
	}
	bySite := map[string]string{}
	for _, s := range n.Sites {
		if s.Location != "" {
			bySite[epcis.Canonical(s.Location)] = s.ID
		}
	}
	for _, com := range n.Ledger.Commodities {
		for _, status := range []string{critmin.LotInStock, critmin.LotInTransit} {
			lots, _, err := store.FindLots(ctx, critmin.LotFilter{Commodity: com, Status: status, Limit: 10000})
			if err != nil {
				return err
			}
			// A lot not in the record is no supply, whatever its row
			// reads (custody.UnmadeLots; issue 8 §2, fixMm).
			if lots, err = custody.WithoutUnmade(ctx, store, lots); err != nil {
				return err
			}
			origins, err := custody.Origins(ctx, store, lots)
			if err != nil {
				return err
			}
			// Where a lot was processed classes it as where it was mined
			// (withProcessing): a store that cannot say so plans nothing,
			// rather than plan China-refined material as unrestricted.
			rs, ok := store.(custody.RuleStore)
			if !ok {
				return fmt.Errorf("plan: ledger store %T cannot list a lot's events, so where its lots were processed is unknown", store)
			}
			for _, l := range lots {
				ss := n.lotSupplies(l, origins[l.ID], bySite)
				if len(ss) > 0 {
					countries, unknown, err := custody.ProcessedIn(ctx, rs, l.ID)
					if err != nil {
						return err
					}
					n.withProcessing(ss, countries, unknown)
				}
				n.Supplies = append(n.Supplies, ss...)
			}
		}
	}
	n.uniqueLotSupplyIDs()
	return n.Validate()
}

// lotHolding is one holding of a lot the planner offers as a supply
// (lotSupplies): the body and/or received parts (indexes in Lot.Parts)
// of one owner and custodian at one network site, or what of the lot is
// in transit.
type lotHolding struct {
	site, siteID   string
	from           int
	body           bool
	parts          []int
	tonnes         float64
	owner          string
	transit, alone bool
}

// lotSupplies turns a lot into its supplies, one per holding, so that
// the supplies of a lot add up to what of it stands and is in transit
// (issue 9 part 5,
// issue 15, fix15r: a lot was offered as its body alone, at the grade of
// the whole lot, parts consumed by runs at another site included):
//   - each holding of ledger.StandsAt — per site, per owner and
//     custodian (SiteStanding.Holdings): the body where it stands
//     (Lot.RemainingWetTonnes: the lot's mass less what runs took and
//     the parts) and the received parts left where they were
//     received (LotPart.LeftTonnes), at a network site of that location;
//     a site the network lacks offers nothing;
//   - what is in transit (ledger.AtSea: the body in transit, and the
//     parts no receipt has closed), from the ledger pull's transit
//     periods, when the network names a transit site: the body there, a
//     part at the network site it is bound for (LotPart.To), else there;
//
// each in dry tonnes where the lot's dry mass is known (each holding by
// its own moisture, as the lot page's Remaining line), else wet; graded
// by its own assays and moisture (holdingGrade: the body's are the
// lot's, a part's its own where it was assayed, Lot.PartAssays); all
// with the lot's physical origin (lotOrigin). The body — or a lot's only
// holding — is "lot-" and the last segment of the lot's identifier; any
// other holding adds "@" and its network site, and "-" and its owner's
// last segment where several holdings stand at one site; parts in
// transit add "@transit" (at the transit site) or "@transit-" and the
// site they are bound for.
func (n *Network) lotSupplies(l *critmin.Lot, c *custody.Composition, bySite map[string]string) []Supply {
	dry := l.DryTonnes > 0
	var hs []lotHolding
	for _, st := range ledger.StandsAt(l) {
		site := bySite[epcis.Canonical(st.Site)]
		if site == "" {
			continue
		}
		for _, h := range st.Holdings {
			t := h.WetTonnes
			if dry {
				t = h.DryTonnes
			}
			if t > 1e-9 {
				hs = append(hs, lotHolding{site: st.Site, siteID: site, body: h.Body, parts: h.Parts, tonnes: t, owner: h.Owner, alone: len(st.Holdings) == 1})
			}
		}
	}
	if n.Ledger.TransitSite != "" {
		// In transit: the body at the transit site; each part at the
		// network site it is bound for (LotPart.To), else the transit
		// site; all from the transit periods.
		from := min(n.Ledger.TransitPeriods, n.Periods.Count-1)
		var transit []lotHolding
		at := func(siteID string) *lotHolding {
			for i := range transit {
				if transit[i].siteID == siteID {
					return &transit[i]
				}
			}
			transit = append(transit, lotHolding{siteID: siteID, from: from, transit: true, alone: true})
			return &transit[len(transit)-1]
		}
		if l.Status == critmin.LotInTransit && !ledger.NoBody(l) && l.RemainingWetTonnes() > 1e-9 {
			h := at(n.Ledger.TransitSite)
			h.body = true
			h.tonnes += l.RemainingWetTonnes()
			if dry {
				h.tonnes = l.RemainingDryTonnes()
			}
		}
		for i, p := range l.Parts {
			if p.Status == critmin.PartInTransit && !p.FromRetracted {
				site := bySite[epcis.Canonical(p.To)]
				if site == "" {
					site = n.Ledger.TransitSite
				}
				h := at(site)
				h.parts = append(h.parts, i)
				h.tonnes += partTonnes(l, p, dry)
			}
		}
		for _, h := range transit {
			if h.tonnes > 1e-9 {
				hs = append(hs, h)
			}
		}
	}
	origin, shares, basis := n.lotOrigin(l, c)
	capped := cappedRatios(l, c)
	id := l.ID
	if i := strings.LastIndexAny(id, ":/"); i >= 0 {
		id = id[i+1:]
	}
	var out []Supply
	for _, h := range hs {
		sid, what := "lot-"+id, "body"
		switch {
		case h.transit && !h.body && h.siteID != n.Ledger.TransitSite:
			sid, what = sid+"@transit-"+h.siteID, "in transit to "+h.siteID
		case h.transit && !h.body:
			sid, what = sid+"@transit", "in transit"
		case h.transit:
			what = "in transit"
		case !h.body || len(h.parts) > 0:
			what = "received parts at " + h.site
			if h.body {
				what = "body and received parts at " + h.site
			}
			if h.owner != "" {
				what += ", owner " + h.owner
			}
			if !h.body {
				sid += "@" + h.siteID
				if !h.alone {
					o := h.owner
					if i := strings.LastIndexAny(o, ":/"); i >= 0 {
						o = o[i+1:]
					}
					if o == "" {
						o = "no-owner"
					}
					sid += "-" + o
				}
			}
		default:
			what = "body at " + h.site
		}
		for k, base := 2, sid; slices.ContainsFunc(out, func(x Supply) bool { return x.ID == sid }); k++ {
			sid = fmt.Sprintf("%s-%d", base, k)
		}
		to := h.from
		out = append(out, Supply{ID: sid, Site: h.siteID, Commodity: l.Commodity, OriginCountry: origin, OriginShares: shares, OriginBasis: basis, OriginMine: l.OriginMine,
			Grade: n.Ledger.holdingGrade(l, h.body, h.parts, dry, capped), Tonnes: math.Round(h.tonnes*1000) / 1000, From: h.from, To: &to, Lot: l.ID, Holding: what})
	}
	if w := notMeasuredWarning(l.ID, c, shares); w != "" && len(out) > 0 {
		n.Warnings = append(n.Warnings, w)
	}
	return out
}

// notMeasuredWarning explains a ledger lot planned with a part of
// unknown origin (UnknownOrigin among shares, above 0) only because a
// grade is not measured — its own (Headline.GradeNotMeasured) or a
// feed's (Headline.OriginNotMeasured) — while every country of its
// material is known (custody.Composition.PhysicalCountries): the
// covered-country rule passes on such a lot by dry mass, but the planner
// cannot state that part's shares, so buyers and stockpiles that exclude
// any origin do not take the lot. The plan says so rather than barring
// it silently (docs/planning.md, "Unknown origin"); "" otherwise.
func notMeasuredWarning(lot string, c *custody.Composition, shares map[string]float64) string {
	if c == nil || shares[UnknownOrigin] <= 0 {
		return ""
	}
	countries, unknown := c.PhysicalCountries()
	if unknown || len(countries) == 0 {
		return ""
	}
	h := c.Headline()
	why := ""
	switch {
	case h.GradeNotMeasured && len(h.NotMeasured) > 0:
		why = fmt.Sprintf("its grade of %s is not measured", strings.Join(h.NotMeasured, ", "))
	case h.OriginNotMeasured != nil && h.OriginNotMeasured.Share > 0:
		why = fmt.Sprintf("a feed's grade of %s is not measured", strings.Join(h.OriginNotMeasured.Elements, ", "))
	default:
		return ""
	}
	names := make([]string, len(countries))
	for i, k := range countries {
		names[i] = country.Name(k)
	}
	return fmt.Sprintf("ledger lot %s planned with %s of unknown origin (UNK): %s, so the origin shares of that part are unknown; buyers and stockpiles that exclude any origin do not take it, though every feed's country is known by dry mass (%s)",
		lot, units.Fixed(shares[UnknownOrigin]*100, 1)+" %", why, strings.Join(names, ", "))
}

// withProcessing classes a lot's supplies ss by where its material was
// processed as well as where it was mined, as dfars-covered-countries
// reads both stages (custody.ProcessedIn: the countries of the runs of
// its genealogy, and whether one ran at a site of no known country). A
// country some buyer or stockpile excludes that a run ran in joins the
// supplies' origins at 0 and names them — Pakistani concentrate refined
// in China is planned in China's covered class, never as unrestricted —
// and a run at a site of no known country adds UnknownOrigin at 0 (the
// rule cannot show exclusion). The shares are unchanged: nothing was
// mined there (issue 9 §5, fixPj).
func (n *Network) withProcessing(ss []Supply, countries []string, unknown bool) {
	excluded := n.excludedOrigins()
	var add []string
	for _, k := range countries {
		if excluded[k] {
			add = append(add, k)
		}
	}
	if unknown {
		add = append(add, UnknownOrigin)
	}
	if len(add) == 0 || len(ss) == 0 {
		return
	}
	origin := ss[0].OriginCountry
	shares := maps.Clone(ss[0].OriginShares)
	if shares == nil {
		shares = map[string]float64{origin: 1}
	}
	for _, k := range add {
		if _, ok := shares[k]; !ok {
			shares[k] = 0
		}
	}
	if !excluded[origin] && add[0] != UnknownOrigin {
		origin = add[0]
	}
	for i := range ss {
		ss[i].OriginCountry, ss[i].OriginShares = origin, shares
	}
}

// partTonnes is what of part p of lot l a supply offers: what is left
// of it where it was received (LotPart.LeftTonnes), or its shipped
// tonnes in transit, wet; dry by its own moisture (Lot.PartMoisture;
// none known: taken as dry) when dry is true.
func partTonnes(l *critmin.Lot, p critmin.LotPart, dry bool) float64 {
	t := p.Mass()
	if p.Status == critmin.PartReceived {
		t = p.LeftTonnes()
	}
	if m := l.PartMoisture(p); dry && m != nil {
		t *= 1 - *m
	}
	return t
}

// lotOrigin is the origin a lot's supplies carry: its physical origin
// (custody.Composition's headline, by contained value where measured),
// all shares, named by an origin some buyer or stockpile excludes
// whenever such an origin has any share — a blend with covered content
// is covered content (DFARS 252.225-7052 reads where material was mined)
// — and otherwise by the largest share (UNK where unknown leads: the
// stated country is never read where the origin function gives one, so
// a lot whose stated origin master data contradicts is UNK, fixBb); a
// covered country the lot's material was first recorded in
// (custody.Composition.CommissionedIn) names it too; the lot's stated
// origin country (else "UNK") only without a composition. basis is the headline's basis
// (custody.Headline.Basis: contained_value, contained_element,
// grade_not_measured or dry_mass), as the lot page labels the shares.
//
// Every country of the physical feed stays in the shares, at 0 where
// the headline gives it none (issue 9 §5, fix9ay): a Chinese feed of
// no Nd blended with Pakistani feed of 4 % Nd is 0 % of the blend's Nd,
// but it is in the blend, so the supply stays named by (planned in the
// class of) the covered country and lists it among its origins; before,
// the zero share was dropped and the supply went to the planner as
// 100 % China.
func (n *Network) lotOrigin(l *critmin.Lot, c *custody.Composition) (origin string, shares map[string]float64, basis string) {
	origin = l.OriginCountry
	if c != nil {
		h := c.Headline()
		basis = h.Basis
		shares = map[string]float64{}
		for _, sh := range h.ByCountry {
			k := sh.Key
			if k == custody.Unknown {
				k = UnknownOrigin
			}
			shares[k] += sh.Share
		}
		if h.GradeNotMeasured {
			// No share is stated for a lot whose grade is not measured:
			// to the planner all of it is of unknown origin.
			shares[UnknownOrigin] = 1
		} else {
			// Measured metal of unknown origin (a feed's assay missing,
			// or metal of no recorded input: a run's element_gain): the
			// headline's shares are of the whole (custody.Overall
			// SharesOfWhole, fixqt), and that part is of unknown origin
			// (fixKk, nu37a) — never dropped.
			var part float64
			for _, p := range []*custody.NotMeasuredPart{h.OriginNotMeasured, h.OriginUnknown} {
				if p != nil && p.Share > 0 {
					part += p.Share
				}
			}
			if part > 0 {
				shares[UnknownOrigin] += part
			}
		}
		for _, k := range physicalCountries(c) {
			if _, ok := shares[k]; !ok {
				shares[k] = 0
			}
		}
		// The origin function, never the stored, stated country: a lot
		// whose stated origin master data contradicts (origin_conflict)
		// is of unknown origin to the planner (issue 9 §5, fixBb).
		origin = UnknownOrigin
		if len(h.ByCountry) > 0 && h.ByCountry[0].Key != custody.Unknown {
			origin = h.ByCountry[0].Key
		}
		if covered := coveredOrigin(c, n.excludedOrigins()); covered != "" {
			origin = covered
		}
		// Material first recorded in a country other than the one stated
		// (commissioning_country_differs) is not shown to lie outside
		// it: a covered such country names the supply, which lists it
		// among its origins, so it is planned in the covered class and
		// never stocked as compliant (fixBb).
		for _, k := range c.CommissionedIn {
			if _, ok := shares[k]; !ok {
				shares[k] = 0
			}
			if n.excludedOrigins()[k] {
				origin = k
				break
			}
		}
	}
	if origin == "" {
		origin = "UNK"
	}
	return origin, shares, basis
}

// physicalCountries is every country with material in a lot's physical
// origin, as the planner names it: the countries of the origin function
// the covered-country rule reads (custody.Composition.PhysicalCountries,
// issue 9 §5), and UnknownOrigin where that function says some of the
// lot's material is of no known country. An analyte whose shares are
// unknown while every feed's country is known (a TREO assayed on the lot
// alone, after a move) adds no UnknownOrigin: the rule passes on it, and
// an UNK at 0 among the supply's origins classed it UNK (n9a-3).
func physicalCountries(c *custody.Composition) []string {
	countries, unknown := c.PhysicalCountries()
	if unknown {
		countries = append(countries, UnknownOrigin)
		sort.Strings(countries)
	}
	return countries
}

// uniqueLotSupplyIDs names each ledger lot's supply uniquely. A lot's
// supply is "lot-" and the last segment of its identifier (lot-HBL for
// urn:critmin:t:lot:HBL); where two lots share that segment
// (urn:critmin:t:lot:HBL and urn:critmin:u:lot:HBL, or two Digital Links
// with batch LOT1), or a supply of the file already has the name, each of
// them takes the first 8 hex digits of the SHA-256 of its full identifier
// as a suffix (lot-HBL-1a2b3c4d): stable across runs, and the plan still
// names the lot (Supply.Lot).
func (n *Network) uniqueLotSupplyIDs() {
	count := map[string]int{}
	for _, s := range n.Supplies {
		count[s.ID]++
	}
	for i := range n.Supplies {
		s := &n.Supplies[i]
		if s.Lot == "" || count[s.ID] < 2 {
			continue
		}
		sum := sha256.Sum256([]byte(s.Lot))
		s.ID += "-" + hex.EncodeToString(sum[:4])
	}
}

// holdingGrade grades one holding of lot l (lotSupplies): the body (when
// body) read at the lot's assays and moisture (Lot.Assays, Lot.Moisture)
// and each part of parts (indexes in Lot.Parts) at its own (Lot.PartAssays,
// Lot.PartMoisture: a part assayed where it was received reads that
// assay, issue 15, fix15e; docs/origin.md). Over several, each group's
// fraction is Σ tᵢ × fractionᵢ ÷ Σ tᵢ, tᵢ each one's tonnes on the
// supply's basis (partTonnes; the body's remainder), so that the
// supply's tonnes × fraction is what its members contain; a group one of
// them holding tonnes has no grade of is not graded. A whole-lot
// average would grade the body at a part's assay taken at another site,
// or at that of a part a run there already consumed (issue 9 part 5,
// fix15r: NU-A1's body, TREO 12 %, read 11.9 % for a part consumed at
// the refinery at 11.5 %).
func (p *LedgerPull) holdingGrade(l *critmin.Lot, body bool, parts []int, dry bool, capped map[string]float64) map[string]float64 {
	type member struct {
		assays   []critmin.Assay
		moisture *float64
		tonnes   float64
	}
	var ms []member
	if body {
		t := l.RemainingWetTonnes()
		if dry {
			t = l.RemainingDryTonnes()
		}
		ms = append(ms, member{l.Assays, l.Moisture, t})
	}
	for _, i := range parts {
		q := l.Parts[i]
		ms = append(ms, member{l.PartAssays(q), l.PartMoisture(q), partTonnes(l, q, dry)})
	}
	if len(ms) == 1 {
		return p.gradeOfAssays(ms[0].assays, ms[0].moisture, dry, capped)
	}
	sum, have := map[string]float64{}, map[string]int{}
	var w float64
	n := 0
	for _, m := range ms {
		if m.tonnes <= 1e-9 {
			continue
		}
		n++
		w += m.tonnes
		for g, f := range p.gradeOfAssays(m.assays, m.moisture, dry, capped) {
			sum[g] += m.tonnes * f
			have[g]++
		}
	}
	grade := map[string]float64{}
	for g, s := range sum {
		if have[g] == n {
			grade[g] = s / w
		}
	}
	return grade
}

// gradeOfAssays converts one set of assays read at one moisture (a lot's
// own, or a part's) into element-group mass fractions on the
// basis of the tonnes the supply uses (dry when dry is true, as received
// otherwise):
//
//   - the newest assay of each analyte counts whatever its basis
//     (ledger.LatestAssays: a later as-received assay replaces an earlier
//     dry one, and the reverse);
//   - a value in % is divided by 100, in g/t or ppm by 10⁶; another unit
//     is not a mass fraction and is skipped;
//   - an assay on the other basis is converted with the moisture m
//     measured with it, else the lot's: dry = as received ÷ (1 − m), as
//     received = dry × (1 − m); without a moisture its grade is unknown
//     and skipped (an older assay does not stand in);
//   - an element is read however it is spelled, through the element
//     function the origin uses (units.ElementFraction, as
//     custody.GradesOf): an assay of Nd or of Nd2O3 is Nd, times the
//     IUPAC stoichiometric factor (Nd2O3 → Nd 0.857356), and goes to the
//     group the map gives any spelling of Nd (Nd2O3 → NdPr sends Nd too);
//     ledger.LatestAssays keeps the newest assay of each element, so an
//     element and its oxide count once;
//   - an analyte that reports no one element (TREO) is read by the map's
//     own entry and factor;
//   - each element adds its fraction to its group, so every element
//     mapping to a group is summed: Nd and Pr both feed NdPr.
//
// capped scales an element's fraction where the lot holds less of it
// than its own assay says (cappedRatios): a plan stocks no more of an
// element from a lot than the lot holds.
func (p *LedgerPull) gradeOfAssays(assays []critmin.Assay, moisture *float64, dry bool, capped map[string]float64) map[string]float64 {
	l := &critmin.Lot{Assays: assays, Moisture: moisture}
	grade := map[string]float64{}
	for _, a := range ledger.LatestAssays(l.Assays) {
		conv, ok := p.conversion(a.Analyte)
		if !ok {
			continue
		}
		scale := 1.0
		if el, _, isEl := units.ElementFraction(a.Analyte); isEl {
			if r, ok := capped[el]; ok {
				scale = r
			}
		}
		// Converted with the moisture measured with the assay, else the
		// lot's (ledger.OnBasis); none known: the grade is unknown, and
		// an older assay on the wanted basis does not stand in.
		frac, ok := ledger.OnBasis(a, l.Moisture, dry)
		if !ok {
			continue
		}
		pct, err := units.ConvertGrade(frac, a.Unit, units.Percent)
		if err != nil {
			continue // not a mass fraction
		}
		grade[conv.Element] += pct / 100 * conv.Factor * scale
	}
	return grade
}

// cappedRatios are, for each element a lot's origin accounts for less
// of than its own assay × dry tonnes, the ratio of the two (< 1). The
// origin accounts for what its recorded inputs supply
// (Composition.Elements' Recorded, the figure runs' balances and the
// mass-balance credits read) and for what came from no recorded input
// (Breakdown.UnknownOrigin: a run's element_gain, of unknown origin):
// both are in the lot, as the lot page states them, so the supply offers
// both, and lotOrigin's shares — of the whole, the unknown part
// included — apply to that measured content (issue 9 §5, nu38b-5).
// Before, the grade was capped to the recorded part and the shares,
// whose unknown part is of the whole, applied to it: a lot 80 %
// Pakistani by the lot page was planned as 0.8 × 0.8 = 64 % of its
// metal Pakistani, and part of its unknown-origin metal was not planned
// at all.
func cappedRatios(l *critmin.Lot, c *custody.Composition) map[string]float64 {
	if c == nil || l.DryTonnes <= 0 {
		return nil
	}
	var out map[string]float64
	for el, g := range custody.GradesOf(l) {
		b, ok := c.Elements[el]
		full := l.DryTonnes * g
		held := b.Recorded() + b.UnknownOrigin
		if !ok || full <= 0 || held >= full*(1-1e-9) {
			continue
		}
		if out == nil {
			out = map[string]float64{}
		}
		out[el] = max(0, held) / full
	}
	return out
}

// conversion is the group and factor of an analyte: for an element
// however spelled (units.ElementFraction), the group of the map's entry
// for any spelling of that element — the analyte itself first — and the
// stoichiometric factor of the analyte as assayed; for another analyte
// (TREO), the map's own entry.
func (p *LedgerPull) conversion(analyte string) (AnalyteElement, bool) {
	el, f, isEl := units.ElementFraction(analyte)
	if !isEl {
		conv, ok := p.Analytes[analyte]
		return conv, ok
	}
	if conv, ok := p.Analytes[analyte]; ok {
		return AnalyteElement{Element: conv.Element, Factor: f}, true
	}
	keys := make([]string, 0, len(p.Analytes))
	for k := range p.Analytes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if e, _, ok := units.ElementFraction(k); ok && e == el {
			return AnalyteElement{Element: p.Analytes[k].Element, Factor: f}, true
		}
	}
	return AnalyteElement{}, false
}

// excludedOrigins is every origin country some contract or stockpile of
// the network excludes.
func (n *Network) excludedOrigins() map[string]bool {
	out := map[string]bool{}
	for _, c := range n.Contracts {
		for _, o := range c.ExcludedOrigins {
			out[o] = true
		}
	}
	for _, s := range n.Stockpiles {
		for _, o := range s.ExcludedOrigins {
			out[o] = true
		}
	}
	return out
}

// coveredOrigin returns an excluded origin that has any physical share of
// the lot — by dry mass, by any element or by contained value — or "" if
// none does.
func coveredOrigin(c *custody.Composition, excluded map[string]bool) string {
	views := [][]string{}
	keys := func(list []custody.Share) {
		var ks []string
		for _, sh := range list {
			if sh.Share > 0 || sh.Tonnes > 0 {
				ks = append(ks, sh.Key)
			}
		}
		views = append(views, ks)
	}
	keys(c.Mass.ByCountry)
	analytes := c.Analytes()
	elements := make([]string, 0, len(analytes))
	for e := range analytes {
		elements = append(elements, e)
	}
	sort.Strings(elements)
	for _, e := range elements {
		keys(analytes[e].ByCountry)
	}
	var overall []string
	for _, sh := range c.Overall.ByCountry {
		if sh.Share > 0 || sh.Tonnes > 0 {
			overall = append(overall, sh.Key)
		}
	}
	views = append(views, overall)
	for _, ks := range views {
		for _, k := range ks {
			if excluded[k] {
				return k
			}
		}
	}
	return ""
}

// logSection is one solve's raw log under a heading line, as it goes into
// Plan.SolverLog.
func logSection(title, text string) string {
	if text != "" && !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	return "==== " + title + " ====\n" + text
}

// shockedPrice is a price under a price_shock: the absolute price_per_t
// where the measure gives one, else price × price_factor.
func shockedPrice(price float64, m scenario.Measure) float64 {
	if m.PricePerT > 0 {
		return m.PricePerT
	}
	return price * m.Factor
}

// Regrade sets a ledger lot's supply grade (s, pulled from l by
// lotSupplies) to the grades the trade job settles the lot on (settled:
// analyte → grade on the dry basis in its unit, "%", "g/t" or "ppm"),
// in place of the ledger's newest assay of each such analyte (fix13v):
// the ledger reads an assay-exchange result as the newest assay — the
// umpire's Cu 21.9 % — where the contract's rule settles the lot at the
// mean of the umpire and the closer party, 21.85 %
// (commercial.BestKnownGrades, the one rule of the planner's price, the
// NSR, the exposure and the invoices). Each element group's fraction
// moves by the difference the settled grades make to the lot's own
// assays (Lot.Assays, read by gradeOfAssays at the lot's moisture) —
// exact for a lot that holds what its assays say, and a capped lot
// (cappedRatios) keeps its cap's shortfall; each supply of the lot (one
// per holding) moves by that difference. It returns the analytes it
// replaced, sorted.
func (p *LedgerPull) Regrade(s *Supply, l *critmin.Lot, settled map[string]critmin.Assay) []string {
	if p == nil || s == nil || l == nil || len(settled) == 0 {
		return nil
	}
	dry := l.DryTonnes > 0
	before := p.gradeOfAssays(l.Assays, l.Moisture, dry, nil)
	c := *l
	c.Assays = append([]critmin.Assay(nil), l.Assays...)
	newest := time.Time{}
	for _, a := range l.Assays {
		if a.At.After(newest) {
			newest = a.At
		}
	}
	var names []string
	for name, a := range settled {
		a.Analyte, a.Basis, a.Moisture = name, "dry", nil
		a.At = newest.Add(time.Nanosecond) // newer than any: LatestAssays reads it
		c.Assays = append(c.Assays, a)
		names = append(names, name)
	}
	sort.Strings(names)
	// Dry grades converted to the supply's basis (as received: with the
	// lot's moisture) by gradeOfAssays, as any assay.
	after := p.gradeOfAssays(c.Assays, c.Moisture, dry, nil)
	if s.Grade == nil {
		s.Grade = map[string]float64{}
	}
	for g := range union(before, after) {
		if d := after[g] - before[g]; d != 0 {
			s.Grade[g] = math.Max(0, s.Grade[g]+d)
		}
	}
	return names
}

func union(a, b map[string]float64) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}
