package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/refinery"
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
// accept (a reason to close although the global test fails).
// POST /refinery/close
func (s *site) handleRefineryCloseForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, critmin.FieldErrorf("form", "%v", err))
		return
	}
	site, period := r.PostForm.Get("site"), r.PostForm.Get("period")
	if site == "" || period == "" {
		s.renderError(w, r, critmin.FieldErrorf("site", "site and period are required"))
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
	if period != "" && !refinery.ValidPeriod(period) {
		s.renderError(w, r, critmin.FieldErrorf("period", "%q is not a month YYYY-MM", period))
		return
	}
	if site != "" && period != "" {
		rec, p, res, err = refinery.ClosedResult(r.Context(), s.Store, site, period)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			// An open period: reconciled live from the ledger, when
			// critmin holds the site's flowsheet.
			if p, err = s.ledgerProblem(r, site, period); err == nil {
				res, err = refinery.ReconcileContext(r.Context(), p)
				fromLedger = true
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
	byPeriod, err := s.recoveryByPeriod(r, p.Site, trail)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var sankeys []sankeyView
	for _, a := range res.Accounts {
		sankeys = append(sankeys, sankeyView{Element: a.Element, SVG: sankeySVG(a)})
	}
	s.render(w, r, http.StatusOK, "refinery", "Refinery", "refinery", map[string]any{
		"Problem": p, "Result": res, "Closed": rec, "Trail": trail, "ByPeriod": byPeriod, "FromLedger": fromLedger, "CorridorSite": refinery.CorridorSite,
		"Flowsheet": flowsheetSVG(p, res), "Sankeys": sankeys, "Report": refinery.NewReport(p, res, rec, time.Now()),
	})
}

type sankeyView struct {
	Element string
	SVG     template.HTML
}

// periodRow is one closed period's overall recovery per element into
// products (sum over product streams).
type periodRow struct {
	Period   string
	Seq      int64
	Recovery map[string]float64
}

func (s *site) recoveryByPeriod(r *http.Request, site string, trail []*critmin.PeriodRecord) ([]periodRow, error) {
	last := map[string]*critmin.PeriodRecord{}
	for _, rec := range trail {
		last[rec.Period] = rec
	}
	var rows []periodRow
	for period, rec := range last {
		if rec.Action != critmin.PeriodClose {
			continue
		}
		_, p, _, err := refinery.ClosedResult(r.Context(), s.Store, site, period)
		if err != nil {
			return nil, err
		}
		row := periodRow{Period: period, Seq: rec.Seq, Recovery: map[string]float64{}}
		for _, e := range p.Elements {
			rs, err := refinery.RecoveryFor(r.Context(), s.Store, site, e, period)
			if err != nil {
				return nil, err
			}
			for _, x := range rs {
				row.Recovery[e] += x.Fraction
			}
		}
		rows = append(rows, row)
	}
	sort.Slice(rows, func(a, b int) bool { return rows[a].Period < rows[b].Period })
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
	for _, n := range p.Nodes {
		name := n.Name
		if name == "" {
			name = n.ID
		}
		kind, sub := "unit", n.Kind
		if n.Inventory != nil {
			kind = "inventory"
			if sub == "" {
				sub = "inventory"
			}
		}
		c.Nodes = append(c.Nodes, Node{ID: "n:" + n.ID, Label: name, Sub: sub, Kind: kind})
	}
	for _, s := range p.Streams {
		from, to := "n:"+s.From, "n:"+s.To
		if s.From == "" {
			from = "in:" + s.ID
			c.Nodes = append(c.Nodes, Node{ID: from, Label: s.ID, Sub: "from outside", Kind: "outside"})
		}
		if s.To == "" {
			to = "out:" + s.ID
			c.Nodes = append(c.Nodes, Node{ID: to, Label: s.ID, Sub: "to outside", Kind: "outside"})
		}
		label := s.ID
		if m := mass[s.ID]; m != "" {
			label += " · " + m
		}
		c.Links = append(c.Links, Link{From: from, To: to, Label: label, Kind: "transformation", Title: fmt.Sprintf("stream %s (%s)", s.ID, s.Kind)})
		c.Rows = append(c.Rows, []string{s.ID, s.From, s.To, s.Kind, mass[s.ID]})
	}
	return template.HTML(`<div class="flowsheet">`) + c.HTML() + template.HTML(`</div>`)
}

// sankeySVG draws an element's deportment: one band from the element's
// sources (feed plus stock drawn down) to each destination, its width the
// destination's share.
func sankeySVG(a refinery.ElementResult) template.HTML {
	type dest struct {
		id    string
		share float64
	}
	var ds []dest
	for id, v := range a.Deportment {
		if v.Known() && float64(v) > 1e-4 {
			ds = append(ds, dest{id, float64(v)})
		}
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i].share > ds[j].share })
	// Room for the labels: the right margin fits the longest label (at
	// most 6.5 px a character at 10 px, generous for the system fonts),
	// and labels of thin bands are pushed down to keep 12 px apart, the
	// drawing growing to hold them.
	const h, gap = 160, 6
	labels := make([]string, len(ds))
	longest := len(a.Element) + 20
	for k, d := range ds {
		labels[k] = fmt.Sprintf("%s %.1f %%", d.id, 100*d.share)
		longest = max(longest, len([]rune(labels[k])))
	}
	w := 314 + int(math.Ceil(6.5*float64(longest))) + 8
	usable := float64(h - gap*max(len(ds)-1, 0))
	ly, ry, lastY := 0.0, 0.0, -1e9
	var body strings.Builder
	colors := []string{"#2a7", "#c60", "#a3a", "#37c", "#999", "#d33"}
	for k, d := range ds {
		th := math.Max(1, d.share*float64(h))
		rh := math.Max(1, d.share*usable)
		c := colors[k%len(colors)]
		if strings.HasPrefix(d.id, "stock:") {
			c = "#b80"
		}
		fmt.Fprintf(&body, `<path d="M14,%.1f C200,%.1f 200,%.1f 300,%.1f L300,%.1f C200,%.1f 200,%.1f 14,%.1f Z" fill="%s" fill-opacity="0.45"><title>%s: %.2f %%</title></path>`,
			ly, ly, ry, ry, ry+rh, ry+rh, ly+th, ly+th, c, html.EscapeString(d.id), 100*d.share)
		y := math.Max(ry+math.Min(rh/2+4, rh+10), lastY+12)
		lastY = y
		fmt.Fprintf(&body, `<rect x="300" y="%.1f" width="10" height="%.1f" fill="%s"/><text class="sankey-label" x="314" y="%.1f" font-size="10">%s</text>`, ry, rh, c, y, html.EscapeString(labels[k]))
		ly += th
		ry += rh + gap
	}
	ht := int(math.Max(float64(h+20), lastY+6))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="sankey" viewBox="0 0 %d %d" width="%d" height="%d" style="max-width:100%%;height:auto" role="img" aria-label="deportment of %s">`, w, ht, w, ht, html.EscapeString(a.Element))
	fmt.Fprintf(&b, `<rect x="0" y="0" width="14" height="%d" fill="#447"/><text x="18" y="12" font-size="10">%s in: %s t</text>`, h, html.EscapeString(a.Element), fmtT(float64(a.FeedT)))
	b.WriteString(body.String())
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func fmtT(t float64) string {
	switch {
	case math.Abs(t) >= 100:
		return fmt.Sprintf("%.1f", t)
	case math.Abs(t) >= 1:
		return fmt.Sprintf("%.3f", t)
	}
	return fmt.Sprintf("%.5f", t)
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
}
