package web

import (
	"errors"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/units"
)

func (s *site) refineryRoutes() {
	s.route("GET /refinery", accessRead, s.handleRefineryPage, "site", "period")
	s.route("POST /refinery/close", accessWrite, s.handleRefineryCloseForm)
}

// ledgerProblem fills the flowsheet critmin holds for site (the demo
// corridor's refinery) with the site's measurements of period from the
// ledger; ENOTFOUND when critmin has no flowsheet for the site.
func (s *site) ledgerProblem(r *http.Request, site, period string) (*refinery.Problem, error) {
	flow, ok := refinery.FlowsheetFor(site)
	if !ok {
		return nil, critmin.Errorf(critmin.ENOTFOUND, "period %s of %s is not closed, and critmin holds no flowsheet for that site to reconcile it from the ledger (use the API or CLI with a flowsheet)", period, site)
	}
	return refinery.FromLedger(r.Context(), s.Store, flow, site, period, refinery.Precision{})
}

// handleRefineryCloseForm closes an open period of a site whose flowsheet
// critmin holds, with the measurements of the ledger, as the signed-in
// operator or admin, then shows the closed period. Form: site, period,
// accept (a reason to close although the global test fails, measurements
// were removed, dof is 0 or a bound is active).
// POST /refinery/close
func (s *site) handleRefineryCloseForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("form", "%v", err))
		return
	}
	if err := unknownFormFields(r, "site", "period", "accept"); err != nil {
		s.renderError(w, r, err)
		return
	}
	site, period := r.PostForm.Get("site"), r.PostForm.Get("period")
	if site == "" {
		s.renderError(w, r, critmin.FieldErrorf("site", "the site is required (the site whose period is closed)"))
		return
	}
	if !refinery.ValidPeriod(period) {
		s.renderError(w, r, refinery.PeriodError("period", period))
		return
	}
	p, err := s.ledgerProblem(r, site, period)
	if err == nil {
		_, err = s.CloseRefineryPeriod(r, p, r.PostForm.Get("accept"))
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	http.Redirect(w, r, "/refinery?site="+url.QueryEscape(site)+"&period="+url.QueryEscape(period), http.StatusSeeOther)
}

// handleRefineryPage shows a refinery's metal accounting: the flowsheet,
// a Sankey diagram of each element's deportment, the reconciliation table
// with its flags and the recovery by closed period. Without parameters it
// reconciles the demo month live; with site and period it shows that
// closed period as signed off. GET /refinery?site=…&period=YYYY-MM
func (s *site) handleRefineryPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	site, period := q.Get("site"), q.Get("period")
	var (
		p   *refinery.Problem
		res *refinery.Result
		rec *critmin.PeriodRecord
		err error
	)
	fromLedger := false
	// A reopened period: its reopen (who, when, why) and the close it set
	// aside, whose figures stand in, marked superseded, when the period
	// cannot be reconciled live (no flowsheet, or the ledger's month does
	// not reconcile): the page of a reopened period never answers an
	// error for want of a live reconciliation.
	var reopened, superseded *critmin.PeriodRecord
	if q.Has("period") && !refinery.ValidPeriod(period) {
		// ?period= (empty) is a period given badly, not a request for
		// the demo month.
		s.renderError(w, r, refinery.PeriodError("period", period))
		return
	}
	if (site == "") != (period == "") {
		// One without the other is a mistake, not a request for the
		// demo month.
		s.renderError(w, r, critmin.FieldErrorf("period", "site and period go together (give both, or neither for the demo month)"))
		return
	}
	if site != "" && period != "" {
		rec, p, res, err = refinery.ClosedResult(r.Context(), s.Store, site, period)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			// An open period: reconciled live from the ledger, when
			// critmin holds the site's flowsheet.
			ro, cl, rp, rr, rerr := refinery.ReopenedResult(r.Context(), s.Store, site, period)
			if rerr == nil {
				reopened, superseded = ro, cl
			}
			if p, err = s.ledgerProblem(r, site, period); err == nil {
				res, err = refinery.ReconcileContext(r.Context(), p)
				fromLedger = true
			}
			if err != nil && reopened != nil {
				p, res, err, fromLedger = rp, rr, nil, false
			}
		}
	} else {
		// The demo month; once closed, shown as closed and signed off.
		if p, err = refinery.DemoMonth(); err == nil {
			var (
				cp  *refinery.Problem
				cr  *refinery.Result
				cer error
			)
			rec, cp, cr, cer = refinery.ClosedResult(r.Context(), s.Store, p.Site, p.Period)
			switch {
			case cer == nil:
				p, res = cp, cr
			case critmin.ErrorCode(cer) == critmin.ENOTFOUND:
				rec = nil
				if ro, cl, _, _, rerr := refinery.ReopenedResult(r.Context(), s.Store, p.Site, p.Period); rerr == nil {
					reopened, superseded = ro, cl
				}
				res, err = refinery.ReconcileContext(r.Context(), p)
			default:
				err = cer
			}
		}
	}
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	trail, err := s.Store.PeriodRecords(r.Context(), p.Site, "")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	byPeriod, err := s.recoveryByPeriod(r, p.Site, trail, res.Elements)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var sankeys []template.HTML
	for _, a := range res.Accounts {
		sankeys = append(sankeys, deportmentSankey(p, a).HTML())
	}
	rep := refinery.NewReport(p, res, rec, time.Now())
	if err := rep.CheckStale(r.Context(), s.Store); err != nil {
		s.renderError(w, r, err)
		return
	}
	// The site by its master-data name, as every page names a site.
	siteNames, err := s.refNames(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "refinery", "Refinery", "refinery", map[string]any{
		"Names": siteNames, "Problem": p, "Result": res, "Closed": rec, "Trail": trail, "ByPeriod": byPeriod, "FromLedger": fromLedger, "CorridorSite": refinery.CorridorSite,
		"Flowsheet": flowsheetSVG(p, res), "Sankeys": sankeys, "Report": rep, "Units": unitNames(p),
		"Reopened": reopened, "Superseded": superseded, "FromSuperseded": reopened != nil && !fromLedger && site != "",
	})
}

// periodRow is one closed period's recovery of one element as the
// planner and the mass balance read it (refinery.RecoveryFor): one line
// per product stream, so that two products of one element are never
// summed into one figure. Status is "" for a recovery, else "not
// accounted" (the period does not list the element) or "not
// determinable" (refinery.ErrUndetermined), with Why.
type periodRow struct {
	Period    string
	Seq       int64
	Element   string
	Stream    string
	Commodity string
	Fraction  float64
	Status    string
	Why       string
	// WhyText is Why with its identifiers named as the pages name them
	// (readable.go), for the page's text; Why stays in the title.
	WhyText template.HTML
	// AllOutgoing is true when the period marks no stream as a product,
	// so that every stream leaving the flowsheet (tailings included) is
	// listed.
	AllOutgoing bool
}

// recoveryByPeriod lists, for every period closed now at site, the
// recovery of each of els and of the period's own elements into each
// product stream, as RecoveryFor gives it.
func (s *site) recoveryByPeriod(r *http.Request, site string, trail []*critmin.PeriodRecord, els []string) ([]periodRow, error) {
	last := map[string]*critmin.PeriodRecord{}
	for _, rec := range trail {
		last[rec.Period] = rec
	}
	var periods []string
	for period, rec := range last {
		if rec.Action == critmin.PeriodClose {
			periods = append(periods, period)
		}
	}
	sort.Strings(periods)
	names, err := s.refNames(r)
	if err != nil {
		return nil, err
	}
	var rows []periodRow
	for _, period := range periods {
		rec := last[period]
		_, p, _, err := refinery.ClosedResult(r.Context(), s.Store, site, period)
		if err != nil {
			return nil, err
		}
		anyProduct := false
		for _, st := range p.Streams {
			anyProduct = anyProduct || st.Kind == "product"
		}
		all := slices.Clone(els)
		for _, e := range p.Elements {
			if !slices.Contains(all, e) {
				all = append(all, e)
			}
		}
		for _, e := range all {
			row := periodRow{Period: period, Seq: rec.Seq, Element: e, AllOutgoing: !anyProduct}
			rs, err := refinery.RecoveryFor(r.Context(), s.Store, site, e, period)
			switch {
			case errors.Is(err, refinery.ErrNotAccounted):
				row.Status, row.Why = "not accounted", critmin.ErrorMessage(err)
				row.WhyText = names.readable(row.Why)
				rows = append(rows, row)
				continue
			case errors.Is(err, refinery.ErrUndetermined):
				row.Status, row.Why = "not determinable", critmin.ErrorMessage(err)
				row.WhyText = names.readable(row.Why)
				rows = append(rows, row)
				continue
			case err != nil:
				return nil, err
			}
			for _, x := range rs {
				row.Stream, row.Commodity, row.Fraction = x.Stream, x.Commodity, x.Fraction
				rows = append(rows, row)
			}
		}
	}
	return rows, nil
}

// flowsheetSVG draws the flowsheet as a layered graph, laid out in the
// browser by the vendored dagre (as the genealogy is) with room reserved
// for every label: units and stockpiles as boxes with their full name and
// kind, every stream an arrow labelled with its id (and reconciled mass
// when known), feeds from and discharges to small "outside" boxes named
// after the stream. The table beside it lists the streams.
func flowsheetSVG(p *refinery.Problem, res *refinery.Result) template.HTML {
	c := Chart{ID: "flowsheet-graph", Kind: "graph", Title: "Flowsheet", Header: []string{"stream", "from", "to", "kind", "mass t"}}
	mass := map[string]string{}
	if res != nil {
		for _, s := range res.Streams {
			if s.Mass.Value.Known() {
				mass[s.ID] = formatNum(float64(s.Mass.Value), 2) + " t"
			}
		}
	}
	// Units, stockpiles and streams by their names (unitNames), as the
	// tables below name them; each ID stays in a title.
	names := unitNames(p)
	for _, n := range p.Nodes {
		name := names[n.ID]
		kind, sub := "unit", n.Kind
		if n.Inventory != nil {
			kind = "inventory"
			if sub == "" {
				sub = "inventory"
			}
		}
		c.Nodes = append(c.Nodes, Node{ID: "n:" + n.ID, Label: name, Sub: sub, Kind: kind, Colour: flowsheetKey[kind].colour})
	}
	for _, s := range p.Streams {
		from, to := "n:"+s.From, "n:"+s.To
		if s.From == "" {
			from = "in:" + s.ID
			c.Nodes = append(c.Nodes, Node{ID: from, Label: names[s.ID], Sub: "from outside", Kind: "outside", Colour: flowsheetKey["outside"].colour})
		}
		if s.To == "" {
			to = "out:" + s.ID
			c.Nodes = append(c.Nodes, Node{ID: to, Label: names[s.ID], Sub: "to outside", Kind: "outside", Colour: flowsheetKey["outside"].colour})
		}
		way := "internal"
		switch {
		case s.From == "":
			way = "feed"
		case s.To == "":
			way = "leaving"
		}
		label := names[s.ID]
		if m := mass[s.ID]; m != "" {
			label += " · " + m
		}
		c.Links = append(c.Links, Link{From: from, To: to, Label: label, Kind: "transformation", Colour: flowsheetKey[way].colour, Title: fmt.Sprintf("stream %s (%s, %s)", names[s.ID], s.ID, humanTerm(s.Kind))})
		c.Rows = append(c.Rows, []string{names[s.ID], names[s.From], names[s.To], humanTerm(s.Kind), mass[s.ID]})
	}
	used := map[string]bool{}
	for _, n := range c.Nodes {
		used[n.Kind] = true
	}
	for _, l := range c.Links {
		for k, sym := range flowsheetKey {
			if sym.shape == "arrow" && sym.colour == l.Colour {
				used[k] = true
			}
		}
	}
	return template.HTML(`<div class="flowsheet">`) + c.HTML() + template.HTML(`</div>`) + flowsheetLegend(used)
}

// flowsheetSymbol is one kind of thing the flowsheet draws: its colour
// (a node's outline, an arrow's stroke) and what the legend says of it.
type flowsheetSymbol struct {
	colour, shape, says string
}

// flowsheetKey holds the flowsheet's colours, which both the drawing and
// its legend (flowsheetLegend) take from here, so the two cannot say
// different things.
var flowsheetKey = map[string]flowsheetSymbol{
	"unit":      {"#1f5fa8", "box", "process unit"},
	"inventory": {"#b7791f", "box", "inventory node (stockpile, tank, residue storage)"},
	"outside":   {"#7b8794", "box", "outside the plant: where a feed comes from or a stream goes"},
	"feed":      {"#2f855a", "arrow", "feed entering the plant (check-in)"},
	"leaving":   {"#c05621", "arrow", "product or residue leaving the plant (check-out)"},
	"internal":  {"#486581", "arrow", "stream between units"},
}

// flowsheetLegend is the flowsheet's key for the kinds the drawing uses,
// in a fixed order: each kind's swatch (an outlined box or a line) in the
// colour the drawing uses.
func flowsheetLegend(used map[string]bool) template.HTML {
	var b strings.Builder
	b.WriteString(`<ul class="legend" id="flowsheet-legend">`)
	for _, k := range []string{"unit", "inventory", "outside", "feed", "leaving", "internal"} {
		if !used[k] {
			continue
		}
		sym := flowsheetKey[k]
		swatch := fmt.Sprintf(`<svg width="22" height="12" aria-hidden="true"><rect x="1" y="1" width="20" height="10" rx="3" fill="#f2f4f7" stroke="%s" stroke-width="2"/></svg>`, sym.colour)
		if sym.shape == "arrow" {
			swatch = fmt.Sprintf(`<svg width="22" height="12" aria-hidden="true"><line x1="1" y1="6" x2="21" y2="6" stroke="%s" stroke-width="2.5"/></svg>`, sym.colour)
		}
		fmt.Fprintf(&b, `<li data-kind="%s" data-colour="%s">%s %s</li>`, k, sym.colour, swatch, template.HTMLEscapeString(sym.says))
	}
	b.WriteString(`</ul>`)
	return template.HTML(b.String())
}

// deportmentSankey is an element's deportment as an ECharts Sankey
// (static/charts.js): one band from the element's sources (feed plus any
// stock drawn down) to each destination — a stream leaving the plant or a
// stock that grew ("stock:" + node) — its value the destination's share
// of the sources in %, as refinery.ElementResult.Deportment holds it (the
// shares sum to 100 %). Bands are in the element's colour (elementColour,
// the commodity colour of every page); product streams in their
// commodity's colour (commodityColour; the element's if the stream names
// none), residues and losses grey, stocks amber. Shares under 0.01 % are
// left out of the drawing and of its table and CSV alike; a share that
// cannot be determined is in the table as "—" (it cannot be drawn).
func deportmentSankey(p *refinery.Problem, a refinery.ElementResult) Chart {
	kind, commodity := map[string]string{}, map[string]string{}
	for _, s := range p.Streams {
		kind[s.ID], commodity[s.ID] = s.Kind, s.Commodity
	}
	colour := elementColour(a.Element)
	names := unitNames(p)
	src := a.Element + " in"
	c := Chart{ID: "sankey-" + a.Element, Kind: "sankey", Title: fmt.Sprintf("%s: feed %s t, deportment in %% of feed plus stock drawn down", a.Element, feedLabel(a.FeedT)),
		Y: Axis{Name: "share of sources", Unit: "%"}, Header: []string{"from", "to", "share of sources (%)"}}
	c.Nodes = append(c.Nodes, Node{ID: src, Name: src, Label: src, Colour: colour})
	ids := make([]string, 0, len(a.Deportment))
	for id := range a.Deportment {
		ids = append(ids, id)
	}
	// Largest share first, ties by id, so that the drawing and the table
	// read the same on every load.
	sort.Slice(ids, func(i, j int) bool {
		x, y := float64(a.Deportment[ids[i]]), float64(a.Deportment[ids[j]])
		if x != y {
			return x > y
		}
		return ids[i] < ids[j]
	})
	for _, id := range ids {
		v := a.Deportment[id]
		// The table and its CSV name a destination as the diagram does
		// ("residue_storage (stock)", not "stock:residue_storage").
		// Streams and stocks by their names (unitNames), as the
		// flowsheet and the tables name them.
		nameOf := func(id string) string {
			if n := names[id]; n != "" {
				return n
			}
			return humanTerm(id)
		}
		node, name := "#98a2b3", nameOf(id)
		switch {
		case strings.HasPrefix(id, "stock:"):
			node, name = "#ca8504", nameOf(strings.TrimPrefix(id, "stock:"))+" (stock)"
		case kind[id] == "product" && commodity[id] != "":
			// The product's commodity colour (the one palette of
			// every page): the La/Ce carbonate in the Ce Sankey is
			// lace_carbonate's colour, not Nd's NdPr oxide shade.
			node = commodityColour(commodity[id])
		case kind[id] == "product":
			node = colour
		}
		if !v.Known() {
			c.Rows = append(c.Rows, []string{src, name, "—"})
			continue
		}
		pct := roundTo(100*float64(v), 2)
		if pct < 0.01 {
			// A zero flow (under 0.01 %) is left out of the drawing
			// and of its table and CSV alike.
			continue
		}
		c.Rows = append(c.Rows, []string{src, name, formatNum(pct, 2)})
		c.Nodes = append(c.Nodes, Node{ID: id, Name: name, Colour: node})
		c.Links = append(c.Links, Link{From: src, To: name, Value: pct, Colour: colour})
	}
	return c
}

// feedLabel is the element fed in t, or "not determinable" (an
// unobservable feed) — never "NaN".
func feedLabel(t refinery.Num) string {
	if !t.Known() {
		return "not determinable"
	}
	return fmtT(float64(t))
}

// fmtT is a tonnage at a precision that keeps its significant digits,
// with the true minus sign (formatNum's rule) and no "+": a quantity,
// not a difference (units.Signed).
func fmtT(t float64) string {
	switch {
	case math.Abs(t) >= 100:
		return trueMinusFigure(units.Fixed(t, 1))
	case math.Abs(t) >= 1:
		return trueMinusFigure(units.Fixed(t, 3))
	}
	return trueMinusFigure(units.Fixed(t, 5))
}

func init() {
	// Template helpers of the refinery page: reconciled numbers, null
	// (unobservable) shown as a dash.
	funcs["rnum"] = func(n refinery.Num) string {
		if !n.Known() {
			return "—"
		}
		return formatNum(float64(n), 4)
	}
	funcs["rsub"] = func(a, b refinery.Num) refinery.Num { return a - b }
	funcs["rpct"] = func(n refinery.Num) string {
		if !n.Known() {
			return "not determinable"
		}
		return formatNum(float64(n)*100, 2) + " %"
	}
	funcs["join"] = strings.Join
	// A confidence level with every digit it has: 0.999999999 is not 100 %.
	funcs["confpct"] = func(c float64) string { return trueMinusFigure(strconv.FormatFloat(100*c, 'f', -1, 64)) + " %" }
}

// unitNames are the names of a flowsheet's units and streams by ID, as
// the page shows them: the flowsheet's own name, else the ID's words
// ("ree_receiving" → "Ree receiving"); the ID stays in the title.
func unitNames(p *refinery.Problem) map[string]string {
	out := map[string]string{}
	for _, n := range p.Nodes {
		out[n.ID] = n.Name
	}
	for _, st := range p.Streams {
		out[st.ID] = st.Name
	}
	for id, name := range out {
		if name == "" {
			out[id] = humanTerm(id)
		}
	}
	return out
}
