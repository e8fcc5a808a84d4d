package risk

import (
	"context"
	"slices"
	"sort"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/country"
	"github.com/critmin/critmin/custody"
)

// Reliance is one year of US net import reliance (% of apparent
// consumption). Value is nil where USGS prints only a symbol (E: net
// exporter); Text keeps what USGS printed (">95").
type Reliance struct {
	Category string   `json:"category"`
	Period   string   `json:"period"`
	Value    *float64 `json:"value"`
	Text     string   `json:"text"`
	Edition  string   `json:"edition"`
	Line     int      `json:"line"`
	// Basis says where the figure comes from: RelianceComputed when the
	// data give its parts (NetImportReliance), else ReliancePublished.
	Basis string `json:"basis"`
}

// Shown is the figure as a reader should see it: a percentage with its
// unit (">95 %", "76 %"), or USGS's symbol in words — "E" is "net
// exporter" (USGS MCS: "E Net exporter"), "W" "withheld", "NA" "not
// available" — never a symbol with a percent sign after it.
func (r Reliance) Shown() string {
	switch t := strings.TrimSpace(r.Text); t {
	case "E":
		return "net exporter"
	case "W":
		return "withheld"
	case "NA", "":
		return "not available"
	default:
		return t + " %"
	}
}

// Reliance bases.
const (
	RelianceComputed  = "computed from imports, exports, stock change and production (USGS definition)"
	ReliancePublished = "published by USGS (MCS); critmin's data do not hold its parts"
)

// NetImportReliance is USGS's net import reliance, as a fraction of
// apparent consumption (USGS Mineral Commodity Summaries, Appendix:
// "net import reliance = (imports − exports + adjustments for government
// and industry stock changes) / apparent consumption"; apparent
// consumption = production + imports − exports + stock adjustments).
// stockDecrease is the fall in government and industry stocks over the
// year (a build-up is negative). A negative result means a net exporter
// (USGS prints "E"). Apparent consumption ≤ 0 is an EINVALID error.
func NetImportReliance(production, imports, exports, stockDecrease float64) (nir, apparent float64, err error) {
	apparent = production + imports - exports + stockDecrease
	if apparent <= 0 {
		return 0, apparent, critmin.Errorf(critmin.EINVALID, "apparent consumption %v is not positive: net import reliance is undefined", apparent)
	}
	return (imports - exports + stockDecrease) / apparent, apparent, nil
}

// ImportSources is the concentration of US imports of one category by
// source country, from USGS's "import sources" shares.
type ImportSources struct {
	Category   string  `json:"category"`
	Period     string  `json:"period"`
	Edition    string  `json:"edition"`
	Shares     []Share `json:"shares"`
	OtherShare float64 `json:"other_share"`
	// HHI and Top1Share are null where no country is named (only
	// "other"): a concentration of nothing is not 0 (ConcentrationOf).
	HHI       *float64 `json:"hhi"`
	Top1Share *float64 `json:"top1_share"`
	Top1ISO3  string   `json:"top1_iso3"`
	Lines     []int    `json:"lines"`
}

// ConcentrationOf is the HHI (Σ share%², 0–10,000) and top-1 share of
// fractional shares of a measured total, or nil, nil where nothing is
// measured (total ≤ 0 or no share): a row whose origin is wholly unknown
// or not measured has no concentration — it is "n/a", never 0, which
// would read as a perfectly diversified supply (HHI 0 is the limit of
// infinitely many equal suppliers, US DOJ/FTC Horizontal Merger
// Guidelines §2.3).
func ConcentrationOf(total float64, shares []float64) (hhi, top1 *float64) {
	if total <= 0 || len(shares) == 0 {
		return nil, nil
	}
	h := HHI(shares)
	t := 0.0
	for _, s := range shares {
		t = max(t, s)
	}
	return &h, &t
}

// Exposure is what the data say of US dependence for one commodity.
type Exposure struct {
	Commodity     string          `json:"commodity"`
	Reliance      []Reliance      `json:"net_import_reliance"`
	ImportSources []ImportSources `json:"import_sources"`
	// Ledger is the same concentration computed from the ledger's own
	// lots: origin country shares of dry tonnes per commodity and month.
	Ledger []LedgerSourcing `json:"ledger_sourcing"`
}

// LedgerSourcing is the origin mix of one product and period in the ledger.
type LedgerSourcing struct {
	Commodity string `json:"commodity"`
	Period    string `json:"period"`
	// Element is the element counted: shares are of its contained tonnes
	// (USGS tables are in contained metal), by physical origin.
	Element string `json:"element"`
	// ElementTonnes is the tonnes of Element of known origin the row
	// counts (the sum of the shares' quantities): tonnes of that element,
	// not of the lots nor of an oxide.
	ElementTonnes float64 `json:"element_tonnes"`
	// Shares are each country's tonnes of Element ÷ the row's whole
	// tonnes of it (ElementTonnes + Unknown): with UnknownShare they sum
	// to 1 (fixqt). HHI is of the metal of known origin (each country's
	// tonnes ÷ ElementTonnes); Top1Share is the top country's share of
	// the whole, as Shares.
	Shares []Share `json:"shares"`
	// HHI and Top1Share are null where no metal of known origin is
	// counted (ElementTonnes 0: every lot of the row of unknown origin
	// or its grade not measured): "n/a — no measured metal", never 0
	// (ConcentrationOf).
	HHI       *float64 `json:"hhi"`
	Top1Share *float64 `json:"top1_share"`
	Lots      int      `json:"lots"`
	// Unknown is contained tonnage of unknown origin (a feed without a
	// known origin, or whose grade of the element was not measured on the
	// way), left out of the shares; NotMeasured counts lots of the
	// commodity whose own grade of the element is not measured, so that
	// their content cannot be counted at all.
	Unknown     float64 `json:"unknown_origin_tonnes"`
	NotMeasured int     `json:"not_measured_lots"`
	// UnknownShare is Unknown ÷ the row's whole tonnes of Element: the
	// part of it of unknown origin (custody.Unknown), stated beside the
	// countries' shares (fixqt).
	UnknownShare float64 `json:"unknown_origin_share"`
	// LostTonnes is the part of the row's tonnes of Element (known and
	// unknown origin) that runs consumed from its lots and put in no
	// output: by the run's element balance (custody.RowPass.Balance, the
	// lot page's run table), the inputs brought more than every output,
	// each measuring the element, holds. It stays counted with the lot it came from —
	// the metal was sourced; it reached no product — and is reported
	// here, never dropped (docs/risk.md).
	LostTonnes float64 `json:"lost_in_runs_tonnes"`
}

// LedgerLot is one lot as ledger sourcing reads it: its commodity, the
// month of its first event, and its physical origin from custody.Origin —
// contained tonnes of each measured element by origin country (ISO
// alpha-3, "unknown" for material of unknown origin).
type LedgerLot struct {
	Commodity string
	Period    string
	Elements  map[string]map[string]float64
	// NotMeasured are the elements the lot's feed carried that the lot's
	// own assays do not measure (custody.Composition.NotMeasured): its
	// content of them is unknown. A lot whose own grade is measured but
	// whose feed's was not has its element, of unknown origin, in
	// Elements under "unknown" instead.
	NotMeasured []string
	// PassedOn is, per element, the fraction of the lot's metal that runs
	// passed on to lots of the same commodity and month measuring that
	// element (custody.PassedOnWithin): that metal is counted in those
	// lots, so this lot counts only the rest, 1 − PassedOn[element].
	// What a run took of the lot's metal is its element balance's figure
	// (custody.RowPass.Took: a part at its own assay).
	PassedOn map[string]float64
	// Lost is, per element, the fraction of the lot's metal that runs
	// consumed and put in none of their outputs (the run's element
	// balance checked: In − Out, shared among its inputs by what each
	// brought): it stays counted in the lot and is reported as
	// LedgerSourcing.LostTonnes.
	Lost map[string]float64
}

// LedgerLotsOf reads the ledger's lots as ledger sourcing counts them:
// the physical origin of each (custody.Origins, the one origin function)
// and what of it was passed on within its row. A run passes on, of the
// metal it took of an input, the share of each element that its outputs
// in the row hold of what its inputs brought (the rest left the row, in
// outputs of another commodity or month, or was lost, and stays counted
// in the input). Every figure of a run — what it took of each input, what
// its inputs brought, what its outputs hold — is its element balance as
// the lot page shows it (custody.RowPass.Balance and Took; issue 9,
// fix9ag: a part taken at its own assay, never the lot's average grade
// × the fraction of its mass consumed). Where no output in the row
// measures the element (a product without its own assay), the input's
// figure is the only measured one and keeps counting.
func LedgerLotsOf(ctx context.Context, s custody.Store, lots []*critmin.Lot) ([]LedgerLot, error) {
	// A lot not in the record (its making event declared in error, or
	// made only after a run drew on it) holds nothing (issue 8 §2, fixMm).
	lots, err := custody.WithoutUnmade(ctx, s, lots)
	if err != nil {
		return nil, err
	}
	origins, err := custody.Origins(ctx, s, lots)
	if err != nil {
		return nil, err
	}
	period := func(l *critmin.Lot) string { return l.FirstEventAt.UTC().Format("2006-01") }
	passes, err := custody.PassedOnWithin(ctx, s, lots, func(l *critmin.Lot) string { return l.Commodity + "\x00" + period(l) })
	if err != nil {
		return nil, err
	}
	// held is what lot id holds of element el, of every origin (its
	// contained metal, as its origin reads it).
	held := func(id, el string) float64 {
		t := 0.0
		if c := origins[id]; c != nil {
			for _, x := range c.Contained()[el] {
				t += x
			}
		}
		return t
	}
	// took is, per lot and element, what every run took of it (each run
	// once: an input lies in one row of its run). A lot's metal is at
	// least that: where a measurement after a run leaves the lot holding
	// less than its runs took, the fractions read of the larger figure.
	took := map[string]map[string]float64{}
	for _, p := range passes {
		for id := range p.Inputs {
			for el, t := range p.Took[id] {
				if took[id] == nil {
					took[id] = map[string]float64{}
				}
				took[id][el] += t
			}
		}
	}
	// fraction is the part of lot id's metal el that the run of pass p
	// took: what its element balance counts the lot brought ÷ what the
	// lot holds (issue 9, fix9ag: a part taken at its own assay is that
	// part's metal). Where the run's reading of the lot does not grade el,
	// the fraction of the lot's dry mass it consumed.
	fraction := func(p custody.RowPass, id, el string) float64 {
		t, ok := p.Took[id][el]
		if !ok {
			return p.Inputs[id]
		}
		if all := max(held(id, el), took[id][el]); all > 0 {
			return t / all
		}
		return 0
	}
	passed := map[string]map[string]float64{}
	lost := map[string]map[string]float64{}
	// raw are passed + lost per lot and element, unclamped: the
	// invariant checkHeld reads.
	raw := map[string]map[string]float64{}
	for _, p := range passes {
		inRow := map[string]bool{}
		for _, o := range p.Outputs {
			inRow[o] = true
		}
		for id := range p.Inputs {
			if passed[id] == nil {
				passed[id] = map[string]float64{}
				raw[id] = map[string]float64{}
			}
		}
		// Each element of the run's element balance, as the lot page
		// shows it: what its inputs brought (In) and what its outputs
		// hold by their own assays, in the row and elsewhere.
		for _, l := range p.Balance.Elements {
			el := l.Element
			var in, elsewhere float64
			measured := false
			for _, o := range l.AssayedOutputs {
				if inRow[o.Lot] {
					in += o.Tonnes
					measured = true
				} else {
					elsewhere += o.Tonnes
				}
			}
			for id := range p.Inputs {
				f := fraction(p, id, el)
				// An input passes on what the row's outputs hold of what
				// the run's inputs brought — not of what its outputs
				// hold: the metal a run loses reached no output and
				// stays with the input it came from (where outputs hold
				// more than the inputs brought, of what the outputs
				// hold).
				if measured {
					share := 1.0
					if all := max(l.In, in+elsewhere); all > 0 {
						share = in / all
					}
					passed[id][el] = min(passed[id][el]+f*share, 1)
					raw[id][el] += f * share
				}
				// The loss: the balance is checked (every input's and
				// every output's grade measured) and the outputs hold
				// less than the inputs brought.
				if !l.Checked || l.In <= 0 || l.In-*l.Out <= l.In*lossTolerance {
					continue
				}
				if lost[id] == nil {
					lost[id] = map[string]float64{}
				}
				lost[id][el] = min(lost[id][el]+f*(l.In-*l.Out)/l.In, 1)
				raw[id][el] += f * (l.In - *l.Out) / l.In
			}
		}
	}
	if err := checkHeld(raw); err != nil {
		return nil, err
	}
	ll := make([]LedgerLot, 0, len(lots))
	for _, l := range lots {
		c := origins[l.ID]
		ll = append(ll, LedgerLot{Commodity: l.Commodity, Period: period(l), Elements: c.Contained(), NotMeasured: c.NotMeasured, PassedOn: passed[l.ID], Lost: lost[l.ID]})
	}
	return ll, nil
}

// heldTolerance is the rounding allowed in checkHeld.
const heldTolerance = 1e-6

// checkHeld refuses ledger figures in which a lot passes on and loses in
// runs more than it holds: per lot and element, the fractions passed on
// and lost (raw, before any clamp) add up to at most 1 within rounding.
// Every run's input counts no more than the lot held (the capped origin
// result, custody overConsumption), so a sum above 1 means two readings
// of one lot disagree — a wrong answer, served as an error rather than as
// figures (a row losing 5.64 t and passing on 3.96 t of the 9 t it holds).
func checkHeld(raw map[string]map[string]float64) error {
	for _, id := range sortedKeys(raw) {
		for _, el := range sortedKeys(raw[id]) {
			if f := raw[id][el]; f > 1+heldTolerance {
				return critmin.Errorf(critmin.EINTERNAL, "ledger sourcing: lot %s passes on and loses in runs %.6g of its %s (more than the lot holds, at most 1): runs read more of the lot than it held; the figures are withheld", id, f, el)
			}
		}
	}
	return nil
}

// superseded marks categories that belong to an older edition.
func superseded(category string) bool {
	return strings.Contains(category, "MCS2025 edition") || strings.Contains(category, "superseded")
}

// ExposureOf gathers net import reliance and import-source concentration
// for a commodity; only the current edition's rows unless all is true.
func (s *Service) ExposureOf(commodity string, all bool) (*Exposure, error) {
	out := &Exposure{Commodity: commodity}
	groups := map[string]*ImportSources{}
	var order []string
	for _, r := range s.Data.Rows("us_import_reliance") {
		if r.Get("commodity") != commodity {
			continue
		}
		cat := r.Get("category")
		if superseded(cat) && !all {
			continue
		}
		ed := r.Edition
		if superseded(cat) {
			ed = "MCS2025"
		}
		switch {
		case strings.HasPrefix(r.Get("metric"), "net import reliance"):
			rel := Reliance{Category: cat, Period: r.Get("period"), Text: r.Get("value_text"), Edition: ed, Line: r.Line, Basis: ReliancePublished}
			if v, ok := r.Float("value"); ok {
				rel.Value = &v
			}
			out.Reliance = append(out.Reliance, rel)
		case r.Get("metric") == "import source share":
			key := cat + "\x00" + r.Get("period")
			g, ok := groups[key]
			if !ok {
				g = &ImportSources{Category: cat, Period: r.Get("period"), Edition: ed}
				groups[key] = g
				order = append(order, key)
			}
			v, _ := r.Float("value")
			g.Lines = append(g.Lines, r.Line)
			if r.Get("iso3") == "" {
				g.OtherShare += v / 100
				continue
			}
			g.Shares = append(g.Shares, Share{ISO3: r.Get("iso3"), Country: country.Name(r.Get("iso3")), Quantity: v, Share: v / 100})
		}
	}
	if len(out.Reliance) == 0 && len(order) == 0 {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "no US import data for %q; valid commodities: %s", commodity, strings.Join(s.importCommodities(), ", "))
	}
	for _, k := range order {
		g := groups[k]
		var fr []float64
		sort.SliceStable(g.Shares, func(i, j int) bool { return g.Shares[i].Share > g.Shares[j].Share })
		for _, sh := range g.Shares {
			fr = append(fr, sh.Share)
		}
		total := 0.0
		for _, f := range fr {
			total += f
		}
		g.HHI, g.Top1Share = ConcentrationOf(total, fr)
		if len(g.Shares) > 0 {
			g.Top1ISO3 = g.Shares[0].ISO3
		}
		out.ImportSources = append(out.ImportSources, *g)
	}
	return out, nil
}

// passedOnTolerance: a lot whose kept fraction is below it (rounding of
// a lot consumed whole) counts nothing.
const passedOnTolerance = 1e-9

// lossTolerance: a run whose outputs hold less than its inputs brought by
// no more than this fraction (rounding of grade × tonnes) lost nothing.
const lossTolerance = 1e-9

// LedgerSourcingOf computes origin concentration from the ledger's lots:
// for each commodity, month (of the lot's first event) and element, the
// shares of contained element by physical origin country, and their HHI.
// Contained metal of unknown origin is counted apart. Each lot counts the
// part of its metal it did not pass on to lots of the same row
// (LedgerLot.PassedOn), so a blend and the feeds it consumed count each
// tonne of metal once.
func LedgerSourcingOf(lots []LedgerLot) []LedgerSourcing {
	type key struct{ commodity, period, element string }
	agg := map[key]map[string]float64{}
	meta := map[key]*LedgerSourcing{}
	notMeasured := map[key]int{}
	for _, l := range lots {
		if l.Commodity == "" {
			continue
		}
		for _, el := range l.NotMeasured {
			k := key{l.Commodity, l.Period, el}
			notMeasured[k]++
			if meta[k] == nil {
				meta[k] = &LedgerSourcing{Commodity: k.commodity, Period: k.period, Element: el}
				agg[k] = map[string]float64{}
			}
		}
		for el, byC := range l.Elements {
			// What the lot passed on to lots of the same row is
			// counted there: each tonne of contained metal once per row.
			keep := 1 - l.PassedOn[el]
			if keep <= passedOnTolerance {
				continue
			}
			k := key{l.Commodity, l.Period, el}
			m := meta[k]
			if m == nil {
				m = &LedgerSourcing{Commodity: k.commodity, Period: k.period, Element: el}
				meta[k] = m
				agg[k] = map[string]float64{}
			}
			m.Lots++
			for iso, t := range byC {
				m.LostTonnes += t * min(l.Lost[el], keep)
				t *= keep
				if iso == "unknown" {
					m.Unknown += t
					continue
				}
				agg[k][iso] += t
				m.ElementTonnes += t
			}
		}
	}
	var out []LedgerSourcing
	for k, m := range meta {
		// Shares of the row's whole tonnes of the element, its metal of
		// unknown origin included (UnknownShare), so that the shares and
		// the unknown part sum to 1 (fixqt, nuq7: 3 t Pakistan beside
		// 0.5 t of unknown origin is 3 / 4.5 = 66.7 %, never 3 / 4 = 75 %
		// of "the" Nd). The HHI is the concentration of the metal of
		// known origin (its shares of the known tonnes), the unknown part
		// not being a country (as USGS's "Other countries").
		whole := m.ElementTonnes + m.Unknown
		var fr []float64
		var top float64
		for iso, t := range agg[k] {
			sh := Share{ISO3: iso, Country: country.Name(iso), Quantity: t}
			if whole > 0 {
				sh.Share = t / whole
			}
			m.Shares = append(m.Shares, sh)
			if m.ElementTonnes > 0 {
				fr = append(fr, t/m.ElementTonnes)
			}
			top = max(top, sh.Share)
		}
		if whole > 0 {
			m.UnknownShare = m.Unknown / whole
		}
		sort.SliceStable(m.Shares, func(i, j int) bool {
			if m.Shares[i].Quantity != m.Shares[j].Quantity {
				return m.Shares[i].Quantity > m.Shares[j].Quantity
			}
			return m.Shares[i].ISO3 < m.Shares[j].ISO3
		})
		m.HHI, m.Top1Share = ConcentrationOf(m.ElementTonnes, fr)
		if m.Top1Share != nil {
			// The top country's share of the whole, as Shares give it.
			m.Top1Share = &top
		}
		m.NotMeasured = notMeasured[k]
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Commodity != out[j].Commodity {
			return out[i].Commodity < out[j].Commodity
		}
		if out[i].Period != out[j].Period {
			return out[i].Period < out[j].Period
		}
		return out[i].Element < out[j].Element
	})
	return out
}

// commodityElements are the elements whose contained metal a USGS
// commodity counts (Mineral Commodity Summaries: "rare earths" are the
// lanthanides with yttrium and scandium; antimony and copper their
// element). Ledger sourcing for a commodity keeps only those elements.
var commodityElements = map[string][]string{
	"rare earths": {"Sc", "Y", "La", "Ce", "Pr", "Nd", "Pm", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu"},
	"antimony":    {"Sb"},
	"copper":      {"Cu"},
}

// LedgerFor keeps the ledger sourcing rows of a USGS commodity's
// elements (all rows for a commodity with no element list), so that the
// rare-earths view shows no antimony.
func LedgerFor(commodity string, rows []LedgerSourcing) []LedgerSourcing {
	els, ok := commodityElements[commodity]
	if !ok {
		return rows
	}
	out := []LedgerSourcing{}
	for _, r := range rows {
		if slices.Contains(els, r.Element) {
			out = append(out, r)
		}
	}
	return out
}

// importCommodities are the commodity names the US import tables carry,
// sorted: what ExposureOf accepts.
func (s *Service) importCommodities() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range s.Data.Rows("us_import_reliance") {
		if c := r.Get("commodity"); c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	sort.Strings(out)
	return out
}

// sortedKeys are m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
