// Package plan is critmin's planner: a multi-period, multi-commodity
// mixed-integer model of the corridor — supplies with assays, lanes by
// mode with transit times, refinery lines with yield vectors per element,
// inventories, offtake contracts and policy limits on origin — solved with
// COIN-OR CBC through package solver. It decides, period by period, which
// feed to refine into which product, by which route, for which buyer; and
// it prices what one more tonne of capacity or of offtake is worth.
//
// Material is tracked as streams: each supply (a ledger lot or a mine
// forecast) is a stream with its own grade and origin, and each product is
// a stream per origin country. Keeping origin on every tonne is what lets
// the model enforce covered-country exclusions and origin-share limits
// exactly, and keeping grade per supply keeps the element balance linear.
package plan

import (
	_ "embed"
	"fmt"
	"github.com/critmin/critmin/jsonstrict"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/scenario"
)

// Network is a planning file: the baseline corridor and named variants.
// The JSON Schema is plan/network.schema.json; docs/planning.md explains
// each field.
type Network struct {
	ID          string            `json:"id"`
	Title       string            `json:"title"`
	Description string            `json:"description,omitempty"`
	Currency    string            `json:"currency,omitempty"`
	Periods     Periods           `json:"periods"`
	Objective   string            `json:"objective,omitempty"` // margin (default) or cost
	Commodities []Commodity       `json:"commodities"`
	Sites       []Site            `json:"sites"`
	Supplies    []Supply          `json:"supplies,omitempty"`
	Ledger      *LedgerPull       `json:"ledger,omitempty"`
	Lanes       []Lane            `json:"lanes"`
	Lines       []Line            `json:"lines,omitempty"`
	Contracts   []Contract        `json:"contracts,omitempty"`
	Spot        []Spot            `json:"spot,omitempty"`
	Stockpiles  []Stockpile       `json:"stockpiles,omitempty"`
	Policy      Policy            `json:"policy,omitempty"`
	Scenarios   []Variant         `json:"scenarios,omitempty"`
	Sources     []scenario.Source `json:"sources,omitempty"`
	// Party is the planner's own party (an EPCIS party URN): a term sheet
	// whose buyer it is, is a purchase contract that prices the feed of
	// its commodity (commercial.PriceSupplies).
	Party string `json:"party,omitempty"`
	// FeedPrices is the default price source: per commodity, the price
	// of a supply that neither states its own nor is covered by a
	// purchase contract. Each entry says where its price comes from.
	FeedPrices []FeedPrice `json:"feed_prices,omitempty"`
	// PricesAsOf (YYYY-MM-DD) is the day whose stored prices value the
	// contract terms (commercial.PlanTerms): the last published on or
	// before it. Empty: today. A file whose prices end before today (the
	// demo's, on 2025-12-31) sets it so its contracts are priced at their
	// terms, not at stale prices.
	PricesAsOf string `json:"prices_as_of,omitempty"`
	// Warnings are notes on how the file was priced that its user must
	// see, set by commercial.ApplyTerms: a contract naming a term sheet
	// that is not stored keeps the file's own price, and says so here.
	// Every plan of the network carries them (Plan.Warnings).
	Warnings []string `json:"warnings,omitempty"`

	// Set by a variant's measures: lanes closed in periods, spot prices
	// shocked in periods.
	closures   []closure
	spotShocks []spotShock
}

type closure struct {
	lane     string
	from, to int
}

type spotShock struct {
	spot     string
	from, to int
	m        scenario.Measure // price_factor or an absolute price_per_t
}

func (n *Network) closed(lane string, t int) bool {
	for _, c := range n.closures {
		if c.lane == lane && t >= c.from && t <= c.to {
			return true
		}
	}
	return false
}

func (n *Network) spotPrice(s Spot, t int) float64 {
	p := s.PricePerT
	for _, k := range n.spotShocks {
		if k.spot == s.ID && t >= k.from && t <= k.to {
			p = shockedPrice(p, k.m)
		}
	}
	return p
}

// Periods is the planning horizon.
type Periods struct {
	Unit  string `json:"unit"` // week or month
	Count int    `json:"count"`
	Start string `json:"start"` // first day, YYYY-MM-DD
}

// Commodity is a material: a feed (concentrate, ore) or a product. Content
// is the mass fraction of each element in a tonne of product (NdPr oxide
// holds 0.857 NdPr); feeds carry their grade on each supply instead.
type Commodity struct {
	ID      string             `json:"id"`
	Name    string             `json:"name,omitempty"`
	Family  string             `json:"family,omitempty"` // rare earths, antimony, copper: what scenarios name
	Content map[string]float64 `json:"content,omitempty"`
}

// Site is a node: mine, port, refinery, warehouse, buyer or stockpile.
type Site struct {
	ID       string `json:"id"`
	Name     string `json:"name,omitempty"`
	Kind     string `json:"kind"`
	Country  string `json:"country"`
	Location string `json:"location,omitempty"` // the EPCIS bizLocation this site is in the ledger
	// StorageT caps the tonnes held at the end of a period (0: no limit).
	StorageT    float64 `json:"storage_t,omitempty"`
	HoldingCost float64 `json:"holding_cost_per_t,omitempty"` // per tonne per period
}

// Supply is material that becomes available at a site: a mine forecast
// (Tonnes in each period from From to To) or a lot (Tonnes once, at From).
type Supply struct {
	ID            string `json:"id"`
	Site          string `json:"site"`
	Commodity     string `json:"commodity"`
	OriginCountry string `json:"origin_country"`
	// OriginShares is a ledger lot's physical origin (custody.Origin
	// headline: by contained value where measured), country → share;
	// OriginCountry is then its largest share.
	OriginShares map[string]float64 `json:"origin_shares,omitempty"`
	// OriginBasis is what OriginShares are shares of, as the lot page
	// labels its headline (custody.Headline.Basis): contained_value,
	// contained_element, grade_not_measured or dry_mass. A country of
	// the physical feed with none of that basis has share 0: it is still
	// in the lot, and still decides its class for exclusions.
	OriginBasis string             `json:"origin_basis,omitempty"`
	OriginMine  string             `json:"origin_mine,omitempty"`
	Grade       map[string]float64 `json:"grade"` // element → mass fraction
	Tonnes      float64            `json:"tonnes"`
	From        int                `json:"from_period,omitempty"`
	To          *int               `json:"to_period,omitempty"` // nil: only From for lots, horizon end for forecasts
	Forecast    bool               `json:"forecast,omitempty"`
	// Lot is the ledger lot this supply came from, and Holding which of
	// its holdings it is ("body at SITE", "received parts at SITE, owner
	// PARTY", "in transit"): a lot is offered as one supply per holding,
	// each with its own mass and grade (PullLedger).
	Lot     string `json:"lot,omitempty"`
	Holding string `json:"holding,omitempty"`
	// PricePerT is the purchase price of the feed: per tonne of supply,
	// or, with PriceBasis "contained", per tonne of Element contained
	// (grade × tonnes). A priced supply is bought only as far as the plan
	// needs it (a purchase column per period, up to Tonnes); an unpriced
	// one is already owned and enters whole.
	PricePerT  float64 `json:"price_per_t,omitempty"`
	PriceBasis string  `json:"price_basis,omitempty"`
	Element    string  `json:"element,omitempty"`
	// PriceSource says where the price comes from (a term sheet, a dated
	// market price, "illustrative").
	PriceSource string `json:"price_source,omitempty"`
	// PriceFrom classifies it (PriceFromFile, …); Terms names the
	// purchase term sheet that priced it. Both are set by PriceFeeds and
	// commercial.PriceSupplies.
	PriceFrom string `json:"price_from,omitempty"`
	Terms     string `json:"terms,omitempty"`
	// Owned marks a supply already bought: it enters whole at no cost.
	Owned bool `json:"owned,omitempty"`
}

// unitCost is a supply's purchase price per tonne of supply.
func (s Supply) unitCost() float64 {
	if s.PriceBasis == "contained" {
		return s.PricePerT * s.Grade[s.Element]
	}
	return s.PricePerT
}

// Where a supply's purchase price comes from (Supply.PriceFrom).
const (
	PriceFromFile     = "planning file" // price_per_t stated on the supply
	PriceFromContract = "contract"      // a purchase term sheet (commercial.PriceSupplies)
	PriceFromInvoice  = "final invoice" // a lot's value settled by its final invoice (commercial.PriceSupplies)
	PriceFromTable    = "price table"   // the network's feed_prices entry
	PriceFromOwned    = "owned"         // owned: true, no purchase
)

// FeedPrice is the default purchase price of a commodity's feed: per
// tonne, or per tonne of Element contained. Source is required: it says
// where the figure comes from (a dated market price, "illustrative").
type FeedPrice struct {
	Commodity  string  `json:"commodity"`
	PricePerT  float64 `json:"price_per_t"`
	PriceBasis string  `json:"price_basis,omitempty"` // tonne (default) or contained
	Element    string  `json:"element,omitempty"`
	Source     string  `json:"source"`
}

// PriceFeeds gives every supply a purchase price and says where it came
// from: a price stated on the supply is kept (PriceFromFile); an owned
// supply costs nothing more (PriceFromOwned: it enters whole); one a
// purchase contract priced (PriceFromContract, set before by
// commercial.PriceSupplies) is kept; any other takes its commodity's
// feed_prices entry (PriceFromTable). A supply left without a price is
// an EINVALID error naming it, so that no margin counts feed that would
// have to be bought as free. A contained price needs the supply's grade
// of the element.
func (n *Network) PriceFeeds() error {
	table := map[string]FeedPrice{}
	for _, fp := range n.FeedPrices {
		table[fp.Commodity] = fp
	}
	drop := map[int]bool{}
	for i := range n.Supplies {
		s := &n.Supplies[i]
		f := fmt.Sprintf("supplies[%d]", i)
		switch {
		case s.Owned:
			s.PriceFrom, s.PricePerT = PriceFromOwned, 0
			if s.PriceSource == "" {
				s.PriceSource = "owned: no purchase"
			}
			continue
		case s.PricePerT > 0 && s.PriceFrom == "":
			s.PriceFrom = PriceFromFile
			if s.PriceSource == "" {
				s.PriceSource = "price stated in the planning file"
			}
		case s.PricePerT > 0 || s.PriceFrom == PriceFromContract || s.PriceFrom == PriceFromInvoice:
			// Priced before (a contract, or an earlier call).
		default:
			fp, ok := table[s.Commodity]
			if !ok {
				what := "supply " + s.ID
				if s.Lot != "" {
					what = "ledger lot " + s.Lot
				}
				why := ""
				if s.PriceSource != "" {
					why = " (" + s.PriceSource + ")"
				}
				return invalid(f+".price_per_t", "%s (%s) has no purchase price%s: state price_per_t, add a feed_prices entry for %s, cover it by a purchase contract, or mark it owned", what, s.Commodity, why, s.Commodity)
			}
			note := s.PriceSource // why a purchase contract did not price it
			s.PricePerT, s.PriceBasis, s.Element = fp.PricePerT, fp.PriceBasis, fp.Element
			s.PriceFrom, s.PriceSource = PriceFromTable, fp.Source
			if note != "" {
				s.PriceSource += " (" + note + ")"
			}
		}
		if s.PriceBasis == "contained" && s.Grade[s.Element] <= 0 {
			if s.Lot != "" {
				// A ledger lot not assayed for the priced element cannot be
				// priced: it is left out of the plan with a warning naming
				// it, and the plan goes on with the rest.
				n.Warnings = append(n.Warnings, fmt.Sprintf("ledger lot %s (%s) left out: it is priced per tonne of %s contained (%s) and has no %s grade; assay it for %s to plan with it", s.Lot, s.Commodity, s.Element, s.PriceFrom, s.Element, s.Element))
				drop[i] = true
				continue
			}
			return invalid(f+".grade."+s.Element, "supply %s is priced per tonne of %s contained (%s) and has no %s grade", s.ID, s.Element, s.PriceFrom, s.Element)
		}
	}
	if len(drop) > 0 {
		kept := n.Supplies[:0:0]
		for i, s := range n.Supplies {
			if !drop[i] {
				kept = append(kept, s)
			}
		}
		n.Supplies = kept
	}
	return nil
}

// LedgerPull brings lots in stock or in transit from the ledger as
// supplies. Grades come from the lots' assays (Analytes maps an assay
// analyte, such as Nd2O3, to an element and the element's mass fraction of
// it); in-transit lots arrive at TransitSite after TransitPeriods.
type LedgerPull struct {
	Commodities    []string                  `json:"commodities"`
	Analytes       map[string]AnalyteElement `json:"analytes"`
	TransitSite    string                    `json:"transit_site,omitempty"`
	TransitPeriods int                       `json:"transit_periods,omitempty"`
}

// AnalyteElement converts an assay analyte into an element.
type AnalyteElement struct {
	Element string  `json:"element"`
	Factor  float64 `json:"factor"` // element mass per analyte mass (Nd in Nd2O3: 0.857)
}

// Lane is a transport link by one mode.
type Lane struct {
	ID             string  `json:"id"`
	From           string  `json:"from"`
	To             string  `json:"to"`
	Mode           string  `json:"mode"` // truck, rail, sea
	CostPerT       float64 `json:"cost_per_t"`
	TransitPeriods int     `json:"transit_periods"`
	CapacityT      float64 `json:"capacity_t,omitempty"` // per period; 0: no limit
	// MinShipmentT makes each period's use of the lane all or nothing
	// above this tonnage (a binary decision per period).
	MinShipmentT float64 `json:"min_shipment_t,omitempty"`
}

// Line is a processing line at a refinery: one feed commodity, products
// by element recovery, capacity by period with a ramp-up.
type Line struct {
	ID string `json:"id"`
	// Name is what pages call the line ("REE solvent extraction"); a
	// line without one is named by its feed and site.
	Name      string   `json:"name,omitempty"`
	Site      string   `json:"site"`
	Feed      string   `json:"feed"`
	Outputs   []Output `json:"outputs"`
	CapacityT float64  `json:"capacity_t"` // feed tonnes per period at full rate
	// Ramp is the fraction of capacity in the first periods after Start
	// (then 1).
	Ramp     []float64 `json:"ramp,omitempty"`
	Start    int       `json:"start_period,omitempty"`
	CostPerT float64   `json:"cost_per_t"` // per tonne of feed
	// OpenCost makes opening the line a decision with this fixed cost.
	OpenCost  *float64   `json:"open_fixed_cost,omitempty"`
	Expansion *Expansion `json:"expansion,omitempty"`
}

// Output is one product of a line: Recovery of the feed's Element goes
// into Product, whose content of that element sets the product tonnage.
type Output struct {
	Product  string  `json:"product"`
	Element  string  `json:"element"`
	Recovery float64 `json:"recovery"`
}

// Expansion is an optional capacity increase (binary, fixed cost).
type Expansion struct {
	CapacityT float64 `json:"capacity_t"`
	FixedCost float64 `json:"fixed_cost"`
	From      int     `json:"from_period,omitempty"`
}

// Contract is an offtake: a buyer takes a commodity at a site, between a
// minimum and a maximum per period.
type Contract struct {
	ID        string  `json:"id"`
	Buyer     string  `json:"buyer"`
	Site      string  `json:"site"`
	Commodity string  `json:"commodity"`
	MinT      float64 `json:"min_t,omitempty"`
	MaxT      float64 `json:"max_t"`
	PricePerT float64 `json:"price_per_t"`
	// PriceBasis "contained" prices a tonne of Element contained.
	PriceBasis string `json:"price_basis,omitempty"`
	Element    string `json:"element,omitempty"`
	// ShortfallPenalty per tonne below MinT; 0 makes the minimum hard.
	ShortfallPenalty float64 `json:"shortfall_penalty_per_t,omitempty"`
	// ExcludedOrigins: origin countries this buyer may not receive
	// (DFARS 252.225-7052 buyers exclude CHN, HKG, MAC, RUS, PRK, IRN — DFARS 225.003 names China, with its special administrative regions).
	ExcludedOrigins []string `json:"excluded_origins,omitempty"`
	From            int      `json:"from_period,omitempty"`
	To              *int     `json:"to_period,omitempty"`
	// Terms names an offtake term sheet (package commercial); when set,
	// commercial.ApplyTerms replaces PricePerT by the net value per dry
	// tonne of TermsGrade (element → mass fraction) under those terms.
	Terms      string             `json:"terms,omitempty"`
	TermsGrade map[string]float64 `json:"terms_grade,omitempty"`
}

// Spot is a market at a site that takes any quantity (up to MaxT per
// period) at a discount to contract prices.
type Spot struct {
	ID        string  `json:"id"`
	Site      string  `json:"site"`
	Commodity string  `json:"commodity"`
	PricePerT float64 `json:"price_per_t"`
	MaxT      float64 `json:"max_t,omitempty"`
}

// Stockpile is a strategic-stockpile target: at least TargetT of a
// commodity held at a site from period By on.
type Stockpile struct {
	ID        string  `json:"id"`
	Site      string  `json:"site"`
	Commodity string  `json:"commodity"`
	TargetT   float64 `json:"target_t"`
	By        int     `json:"by_period"`
	Penalty   float64 `json:"shortfall_penalty_per_t,omitempty"`
	// ExcludedOrigins: origin countries whose content the stockpile may
	// not hold (no lane delivers a pool of an excluded class to its site,
	// and its target counts only pools it admits).
	ExcludedOrigins []string `json:"excluded_origins,omitempty"`
}

// Policy holds origin limits.
type Policy struct {
	MaxOriginShare []OriginShare `json:"max_origin_share,omitempty"`
}

// OriginShare caps the share of a commodity's sales over the horizon that
// may come from any one origin country.
type OriginShare struct {
	Commodity string  `json:"commodity"`
	Share     float64 `json:"share"`
}

// Variant is a named change to the baseline, written as scenario measures
// (package scenario) so that the risk job reads the same definitions.
type Variant struct {
	ID       string             `json:"id"`
	Title    string             `json:"title"`
	Measures []scenario.Measure `json:"measures"`
}

//go:embed demo.json
var demoJSON []byte

// Demo returns the demo corridor's planning file.
func Demo() *Network {
	n, err := Parse(demoJSON)
	if err != nil {
		panic("plan: demo.json: " + err.Error())
	}
	return n
}

// PricesOn is the day whose prices value the contract terms: override
// when given (a request's or the command line's), else the file's
// prices_as_of, else now (UTC). Both dates are validated before.
func (n *Network) PricesOn(override string, now time.Time) time.Time {
	for _, d := range []string{override, n.PricesAsOf} {
		if t, err := time.Parse(time.DateOnly, d); err == nil {
			return t
		}
	}
	return now.UTC()
}

// Parse reads and validates a planning file.
func Parse(data []byte) (*Network, error) {
	var n Network
	if err := jsonstrict.Decode(data, &n); err != nil {
		return nil, err
	}
	if err := n.Validate(); err != nil {
		return nil, err
	}
	return &n, nil
}

// invalid names a field by JSON pointer: "supplies[2].site" becomes
// "/supplies/2/site".
func invalid(field, format string, args ...any) error {
	p := "/" + strings.NewReplacer("[", "/", "].", "/", "]", "", ".", "/").Replace(field)
	return critmin.FieldErrorf(p, format, args...)
}

// validateCorridor checks everything but the scenarios: what a network
// with a variant applied must still satisfy.
func (n *Network) validateCorridor() error {
	if n.Periods.Count < 1 || n.Periods.Count > 520 {
		return invalid("periods.count", "must be between 1 and 520, got %d", n.Periods.Count)
	}
	if n.Periods.Unit != "week" && n.Periods.Unit != "month" {
		return invalid("periods.unit", "must be week or month, got %q", n.Periods.Unit)
	}
	if n.PricesAsOf != "" {
		if _, err := time.Parse(time.DateOnly, n.PricesAsOf); err != nil {
			return invalid("prices_as_of", "%q is not a date (YYYY-MM-DD)", n.PricesAsOf)
		}
	}
	if _, err := time.Parse(time.DateOnly, n.Periods.Start); err != nil {
		return invalid("periods.start", "must be a date YYYY-MM-DD, got %q", n.Periods.Start)
	}
	if n.Objective != "" && n.Objective != "margin" && n.Objective != "cost" {
		return invalid("objective", "must be margin or cost, got %q", n.Objective)
	}
	T := n.Periods.Count
	period := func(field string, p int) error {
		if p < 0 || p >= T {
			return invalid(field, "period %d is outside the horizon 0..%d", p, T-1)
		}
		return nil
	}
	com := map[string]*Commodity{}
	for i := range n.Commodities {
		c := &n.Commodities[i]
		if com[c.ID] != nil {
			return invalid(fmt.Sprintf("commodities[%d].id", i), "duplicate commodity %q", c.ID)
		}
		sum := 0.0
		for e, v := range c.Content {
			if v <= 0 || v > 1 {
				return invalid(fmt.Sprintf("commodities[%d].content.%s", i, e), "must be a fraction in (0, 1], got %v", v)
			}
			sum += v
		}
		if sum > 1+1e-9 {
			return invalid(fmt.Sprintf("commodities[%d].content", i), "fractions add up to %v > 1", sum)
		}
		com[c.ID] = c
	}
	sites := map[string]bool{}
	for i, s := range n.Sites {
		if sites[s.ID] {
			return invalid(fmt.Sprintf("sites[%d].id", i), "duplicate site %q", s.ID)
		}
		if err := checkCountry(fmt.Sprintf("sites[%d].country", i), s.Country, false); err != nil {
			return err
		}
		sites[s.ID] = true
	}
	needSite := func(field, id string) error {
		if !sites[id] {
			return invalid(field, "unknown site %q", id)
		}
		return nil
	}
	needCom := func(field, id string) error {
		if com[id] == nil {
			return invalid(field, "unknown commodity %q", id)
		}
		return nil
	}
	ids := map[string]string{}
	unique := func(field, kind, id string) error {
		if prev, ok := ids[kind+"\x00"+id]; ok {
			return invalid(field, "duplicate %s id %q (also %s)", kind, id, prev)
		}
		ids[kind+"\x00"+id] = field
		return nil
	}
	for i, s := range n.Supplies {
		f := fmt.Sprintf("supplies[%d]", i)
		if err := firstErr(unique(f+".id", "supply", s.ID), needSite(f+".site", s.Site), needCom(f+".commodity", s.Commodity), period(f+".from_period", s.From)); err != nil {
			return err
		}
		if s.To != nil {
			if err := period(f+".to_period", *s.To); err != nil {
				return err
			}
			if *s.To < s.From {
				return invalid(f+".to_period", "is before from_period")
			}
		}
		if err := checkCountry(f+".origin_country", s.OriginCountry, true); err != nil {
			return err
		}
		if err := checkOriginShares(f, s); err != nil {
			return err
		}
		if err := checkGrade(f+".grade", s.Grade); err != nil {
			return err
		}
		if s.Tonnes < 0 || math.IsNaN(s.Tonnes) || math.IsInf(s.Tonnes, 0) {
			return invalid(f+".tonnes", "must be a finite number ≥ 0, got %v", s.Tonnes)
		}
		if s.PricePerT < 0 || math.IsNaN(s.PricePerT) || math.IsInf(s.PricePerT, 0) {
			return invalid(f+".price_per_t", "must be a finite number ≥ 0, got %v", s.PricePerT)
		}
		if s.PriceBasis != "" && s.PriceBasis != "tonne" && s.PriceBasis != "contained" {
			return invalid(f+".price_basis", "must be tonne or contained, got %q", s.PriceBasis)
		}
		if s.PriceBasis == "contained" && s.Element == "" {
			return invalid(f+".element", "is required when price_basis is contained")
		}
		if s.Owned && s.PricePerT > 0 {
			return invalid(f+".owned", "an owned supply has no purchase price (price_per_t %v)", s.PricePerT)
		}
	}
	seenFeed := map[string]bool{}
	for i, fp := range n.FeedPrices {
		f := fmt.Sprintf("feed_prices[%d]", i)
		if err := needCom(f+".commodity", fp.Commodity); err != nil {
			return err
		}
		if seenFeed[fp.Commodity] {
			return invalid(f+".commodity", "%s has a feed price already", fp.Commodity)
		}
		seenFeed[fp.Commodity] = true
		if !(fp.PricePerT > 0) || math.IsInf(fp.PricePerT, 0) {
			return invalid(f+".price_per_t", "must be a finite number > 0, got %v", fp.PricePerT)
		}
		if fp.PriceBasis != "" && fp.PriceBasis != "tonne" && fp.PriceBasis != "contained" {
			return invalid(f+".price_basis", "must be tonne or contained, got %q", fp.PriceBasis)
		}
		if fp.PriceBasis == "contained" && fp.Element == "" {
			return invalid(f+".element", "is required when price_basis is contained")
		}
		if strings.TrimSpace(fp.Source) == "" {
			return invalid(f+".source", "say where the price comes from (a dated market price, or \"illustrative\")")
		}
	}
	for i, l := range n.Lanes {
		f := fmt.Sprintf("lanes[%d]", i)
		if err := firstErr(unique(f+".id", "lane", l.ID), needSite(f+".from", l.From), needSite(f+".to", l.To)); err != nil {
			return err
		}
		if l.From == l.To {
			return invalid(f+".to", "a lane must join two different sites")
		}
		if l.CapacityT > 0 && l.MinShipmentT > l.CapacityT {
			return invalid(f+".min_shipment_t", "%v exceeds the capacity %v", l.MinShipmentT, l.CapacityT)
		}
	}
	for i, l := range n.Lines {
		f := fmt.Sprintf("lines[%d]", i)
		if err := firstErr(unique(f+".id", "line", l.ID), needSite(f+".site", l.Site), needCom(f+".feed", l.Feed), period(f+".start_period", l.Start)); err != nil {
			return err
		}
		rec := map[string]float64{}
		for k, o := range l.Outputs {
			of := fmt.Sprintf("%s.outputs[%d]", f, k)
			if err := needCom(of+".product", o.Product); err != nil {
				return err
			}
			if com[o.Product].Content[o.Element] <= 0 {
				return invalid(of+".element", "product %q has no content of %q; give commodities[].content", o.Product, o.Element)
			}
			rec[o.Element] += o.Recovery
			if rec[o.Element] > 1+1e-9 {
				return invalid(of+".recovery", "recoveries of %s add up to more than 1", o.Element)
			}
		}
		for k, r := range l.Ramp {
			if r < 0 || r > 1 {
				return invalid(fmt.Sprintf("%s.ramp[%d]", f, k), "must be a fraction in [0, 1]")
			}
		}
	}
	for i, c := range n.Contracts {
		if err := n.checkContract(fmt.Sprintf("contracts[%d]", i), c, unique, needSite, needCom, period); err != nil {
			return err
		}
	}
	for i, s := range n.Spot {
		f := fmt.Sprintf("spot[%d]", i)
		if err := firstErr(unique(f+".id", "contract", s.ID), needSite(f+".site", s.Site), needCom(f+".commodity", s.Commodity)); err != nil {
			return err
		}
	}
	for i, s := range n.Stockpiles {
		f := fmt.Sprintf("stockpiles[%d]", i)
		if err := firstErr(unique(f+".id", "stockpile", s.ID), needSite(f+".site", s.Site), needCom(f+".commodity", s.Commodity), period(f+".by_period", s.By)); err != nil {
			return err
		}
		if err := checkExcluded(f+".excluded_origins", s.ExcludedOrigins); err != nil {
			return err
		}
	}
	for i, p := range n.Policy.MaxOriginShare {
		if err := needCom(fmt.Sprintf("policy.max_origin_share[%d].commodity", i), p.Commodity); err != nil {
			return err
		}
	}
	if n.Ledger != nil {
		for i, c := range n.Ledger.Commodities {
			if err := needCom(fmt.Sprintf("ledger.commodities[%d]", i), c); err != nil {
				return err
			}
		}
		if n.Ledger.TransitSite != "" {
			if err := needSite("ledger.transit_site", n.Ledger.TransitSite); err != nil {
				return err
			}
		}
	}
	return nil
}

// Validate checks what the schema cannot: references between sections,
// periods inside the horizon, grades and recoveries that conserve mass,
// and that every scenario's measures apply.
func (n *Network) Validate() error {
	if err := n.validateCorridor(); err != nil {
		return err
	}
	ids := map[string]bool{}
	for i, v := range n.Scenarios {
		if ids[v.ID] {
			return invalid(fmt.Sprintf("scenarios[%d].id", i), "duplicate scenario id %q", v.ID)
		}
		ids[v.ID] = true
		for k, m := range v.Measures {
			f := fmt.Sprintf("scenarios[%d].measures[%d]", i, k)
			if err := n.checkMeasure(f, m); err != nil {
				return err
			}
			// A measure's commodities are the network's commodity ids or
			// families: anything else matches nothing.
			for j, c := range m.Commodities {
				if !slices.ContainsFunc(n.Commodities, func(x Commodity) bool { return x.ID == c || (x.Family != "" && x.Family == c) }) {
					return invalid(fmt.Sprintf("%s.commodities[%d]", f, j), "%q is neither a commodity id nor a commodity family of this network", c)
				}
			}
			// The measure must apply: its target exists, its contract is
			// well formed.
			if err := n.Clone().apply(m); err != nil {
				if fields := critmin.ErrorFields(err); len(fields) > 0 {
					return invalid(f+strings.ReplaceAll(fields[0].Pointer, "/", "."), "%s", fields[0].Reason)
				}
				return invalid(f, "%v", err)
			}
		}
	}
	return nil
}

func (n *Network) checkContract(f string, c Contract, unique func(string, string, string) error, needSite, needCom func(string, string) error, period func(string, int) error) error {
	if err := firstErr(unique(f+".id", "contract", c.ID), needSite(f+".site", c.Site), needCom(f+".commodity", c.Commodity), period(f+".from_period", c.From)); err != nil {
		return err
	}
	if err := checkExcluded(f+".excluded_origins", c.ExcludedOrigins); err != nil {
		return err
	}
	if c.MinT > c.MaxT {
		return invalid(f+".min_t", "%v exceeds max_t %v", c.MinT, c.MaxT)
	}
	if c.PriceBasis != "" && c.PriceBasis != "product" && c.PriceBasis != "contained" {
		return invalid(f+".price_basis", "must be product or contained, got %q", c.PriceBasis)
	}
	if c.PriceBasis == "contained" && c.Element == "" {
		return invalid(f+".element", "is required when price_basis is contained")
	}
	if c.To != nil {
		if err := period(f+".to_period", *c.To); err != nil {
			return err
		}
	}
	return nil
}

// Aggregate grade groups are totals that overlap the element groups
// (total rare-earth oxides holds the Nd2O3 and Pr6O11 behind NdPr), so
// they are not added into the check that a tonne holds at most a tonne.
var aggregateGroups = map[string]bool{"TREO": true, "REO": true, "TREE": true}

func checkGrade(field string, g map[string]float64) error {
	sum := 0.0
	for e, v := range g {
		if v < 0 || v > 1 || math.IsNaN(v) {
			return invalid(field+"."+e, "must be a fraction in [0, 1], got %v", v)
		}
		if !aggregateGroups[e] {
			sum += v
		}
	}
	if sum > 1+1e-9 {
		return invalid(field, "fractions add up to %v > 1", sum)
	}
	return nil
}

// UnknownOrigin is the origin of material whose mine of origin is not
// known (a ledger lot without an origin claim). It is the only origin code
// outside ISO 3166-1 that a planning file may use.
const UnknownOrigin = "UNK"

// checkCountry refuses a code that is not an assigned ISO 3166-1 alpha-3
// code (upper case: "chn" or "XXX" would silently match nothing, so an
// exclusion written with them would exclude nothing). Origins may also be
// UnknownOrigin. An empty code is refused: the schema requires one.
// OriginBases are the bases a supply's origin_shares may be shares of,
// as the lot page labels its headline (custody.Headline.Basis).
var OriginBases = []string{"contained_value", "contained_element", "grade_not_measured", "dry_mass"}

// checkOriginShares checks supply s's origin_shares (field f is
// "supplies[i]"): each key a country code or UNK, each share a number in
// [0, 1], at least one share above 0 when any is given — a split of
// nothing would leave the planner only origin_country, and a country of
// the physical feed listed at 0 must not vanish with it (fix9ay) — and
// origin_basis one of OriginBases, set only with shares.
func checkOriginShares(f string, s Supply) error {
	positive := false
	for _, o := range slices.Sorted(maps.Keys(s.OriginShares)) {
		if err := checkCountry(f+".origin_shares."+o, o, true); err != nil {
			return err
		}
		v := s.OriginShares[o]
		if !(v >= 0 && v <= 1) {
			return invalid(f+".origin_shares."+o, "must be a share from 0 to 1, got %v", v)
		}
		positive = positive || v > 0
	}
	if len(s.OriginShares) > 0 && !positive {
		return invalid(f+".origin_shares", "every share is 0: at least one country must hold some of the supply")
	}
	if s.OriginBasis != "" {
		if len(s.OriginShares) == 0 {
			return invalid(f+".origin_basis", "is set without origin_shares")
		}
		if !slices.Contains(OriginBases, s.OriginBasis) {
			return invalid(f+".origin_basis", "must be one of %s, got %q", strings.Join(OriginBases, ", "), s.OriginBasis)
		}
	}
	return nil
}

func checkCountry(field, code string, origin bool) error {
	if country.Valid(code) || (origin && code == UnknownOrigin) {
		return nil
	}
	hint := ""
	if up := strings.ToUpper(code); up != code && country.Valid(up) {
		hint = fmt.Sprintf(" (codes are upper case: %q)", up)
	}
	if code == "" {
		return invalid(field, "is required: an ISO 3166-1 alpha-3 country code such as PAK")
	}
	return invalid(field, "%q is not an ISO 3166-1 alpha-3 country code%s", code, hint)
}

// checkExcluded checks an exclusion list code by code; excluding
// UnknownOrigin (material of unproven origin) is allowed.
func checkExcluded(field string, codes []string) error {
	for k, c := range codes {
		if err := checkCountry(fmt.Sprintf("%s[%d]", field, k), c, true); err != nil {
			return err
		}
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// PeriodOf returns the period a date falls in (possibly outside 0..T-1).
func (n *Network) PeriodOf(d time.Time) int {
	start, _ := time.Parse(time.DateOnly, n.Periods.Start)
	if n.Periods.Unit == "week" {
		days := d.Sub(start).Hours() / 24
		return int(math.Floor(days / 7))
	}
	return (d.Year()-start.Year())*12 + int(d.Month()) - int(start.Month())
}

// PeriodLabel names period p by its first day.
func (n *Network) PeriodLabel(p int) string {
	start, _ := time.Parse(time.DateOnly, n.Periods.Start)
	if n.Periods.Unit == "week" {
		return start.AddDate(0, 0, 7*p).Format("2006-01-02")
	}
	return start.AddDate(0, p, 0).Format("2006-01")
}

// Variant returns the named variant.
func (n *Network) Variant(id string) (*Variant, error) {
	for i := range n.Scenarios {
		if n.Scenarios[i].ID == id {
			return &n.Scenarios[i], nil
		}
	}
	var known []string
	for _, v := range n.Scenarios {
		known = append(known, v.ID)
	}
	sort.Strings(known)
	return nil, critmin.Errorf(critmin.ENOTFOUND, "no scenario %q in %s (known: %s)", id, n.ID, strings.Join(known, ", "))
}

// checkMeasure validates a variant's measure with the scenario rules.
func (n *Network) checkMeasure(field string, m scenario.Measure) error {
	sc := scenario.Scenario{ID: field, Measures: []scenario.Measure{m}}
	if err := sc.Validate(); err != nil {
		fields := critmin.ErrorFields(err)
		if len(fields) > 0 {
			p := strings.Replace(fields[0].Pointer, "/measures/0", "", 1)
			return invalid(field+strings.ReplaceAll(p, "/", "."), "%s", fields[0].Reason)
		}
		return err
	}
	return nil
}
