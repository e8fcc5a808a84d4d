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
	s.route("GET /refinery", accessRead, s.handleRefineryPage)
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
	if site != "" && period != "" {
		rec, p, res, err = refinery.ClosedResult(r.Context(), s.Store, site, period)
		if critmin.ErrorCode(err) == critmin.ENOTFOUND {
			// An open period: reconciled live from the ledger, when
			// critmin holds the site's flowsheet.
			if p, err = s.ledgerProblem(r, site, period); err == nil {
				res, err = refinery.Reconcile(p)
				fromLedger = true
			}
		}
	} else {
		if p, err = refinery.DemoMonth(); err == nil {
			res, err = refinery.Reconcile(p)
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
		"Flowsheet": flowsheetSVG(p), "Sankeys": sankeys, "Report": refinery.NewReport(p, res, rec, time.Now()),
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

// flowsheetSVG draws the flowsheet: nodes in columns by their longest
// path from a feed, streams as arrows, feeds and discharges at the sides.
func flowsheetSVG(p *refinery.Problem) template.HTML {
	idx := map[string]int{}
	for i, n := range p.Nodes {
		idx[n.ID] = i
	}
	depth := make([]int, len(p.Nodes))
	for range p.Nodes { // relax: longest path, bounded by the node count (cycles stop)
		for _, s := range p.Streams {
			if s.From != "" && s.To != "" && depth[idx[s.To]] < depth[idx[s.From]]+1 && depth[idx[s.From]]+1 < len(p.Nodes) {
				depth[idx[s.To]] = depth[idx[s.From]] + 1
			}
		}
	}
	cols := map[int][]int{}
	maxD := 0
	for i, d := range depth {
		cols[d] = append(cols[d], i)
		maxD = max(maxD, d)
	}
	const bw, bh, gx, gy, left = 150, 44, 90, 30, 120
	x := make([]float64, len(p.Nodes))
	y := make([]float64, len(p.Nodes))
	rows := 0
	for d := 0; d <= maxD; d++ {
		for k, i := range cols[d] {
			x[i] = left + float64(d*(bw+gx))
			y[i] = 20 + float64(k*(bh+gy))
		}
		rows = max(rows, len(cols[d]))
	}
	width := left + (maxD+1)*(bw+gx) + 60
	height := 40 + rows*(bh+gy)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="flowsheet" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="flowsheet"><defs><marker id="arr" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0L10,5L0,10z" fill="#555"/></marker></defs>`, width, height)
	ins, outs := map[int]int{}, map[int]int{}
	for _, s := range p.Streams {
		title := html.EscapeString(s.ID)
		switch {
		case s.From != "" && s.To != "":
			f, t := idx[s.From], idx[s.To]
			fmt.Fprintf(&b, `<path d="M%.0f,%.0f C%.0f,%.0f %.0f,%.0f %.0f,%.0f" fill="none" stroke="#555" marker-end="url(#arr)"><title>%s</title></path>`,
				x[f]+bw, y[f]+bh/2, x[f]+bw+gx/2, y[f]+bh/2, x[t]-gx/2, y[t]+bh/2, x[t], y[t]+bh/2, title)
		case s.To != "":
			t := idx[s.To]
			yy := y[t] + 8 + float64(ins[t]*10)
			ins[t]++
			fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#2a7" marker-end="url(#arr)"><title>%s</title></line><text x="%.0f" y="%.0f" font-size="9" text-anchor="end">%s</text>`,
				x[t]-60, yy, x[t], yy, title, x[t]-62, yy+3, title)
		case s.From != "":
			f := idx[s.From]
			yy := y[f] + 8 + float64(outs[f]*10)
			outs[f]++
			fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#c60" marker-end="url(#arr)"><title>%s</title></line><text x="%.0f" y="%.0f" font-size="9">%s</text>`,
				x[f]+bw, yy, x[f]+bw+40, yy, title, x[f]+bw+42, yy+3, title)
		}
	}
	for i, n := range p.Nodes {
		fill := "#eef"
		if n.Inventory != nil {
			fill = "#ffe9c6"
		}
		name := n.Name
		if name == "" {
			name = n.ID
		}
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%d" height="%d" rx="4" fill="%s" stroke="#447"><title>%s</title></rect><text x="%.0f" y="%.0f" font-size="10" text-anchor="middle">%s</text><text x="%.0f" y="%.0f" font-size="8" text-anchor="middle" fill="#555">%s</text>`,
			x[i], y[i], bw, bh, fill, html.EscapeString(name), x[i]+bw/2, y[i]+18, html.EscapeString(truncate(name, 26)), x[i]+bw/2, y[i]+32, html.EscapeString(n.Kind))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
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
	const w, h, gap = 420, 160, 6
	usable := float64(h - gap*max(len(ds)-1, 0))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="sankey" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="deportment of %s">`, w, h+20, w, h+20, html.EscapeString(a.Element))
	fmt.Fprintf(&b, `<rect x="0" y="0" width="14" height="%d" fill="#447"/><text x="18" y="12" font-size="10">%s in: %s t</text>`, h, html.EscapeString(a.Element), fmtT(float64(a.FeedT)))
	ly, ry := 0.0, 0.0
	colors := []string{"#2a7", "#c60", "#a3a", "#37c", "#999", "#d33"}
	for k, d := range ds {
		th := math.Max(1, d.share*float64(h))
		rh := math.Max(1, d.share*usable)
		c := colors[k%len(colors)]
		if strings.HasPrefix(d.id, "stock:") {
			c = "#b80"
		}
		fmt.Fprintf(&b, `<path d="M14,%.1f C200,%.1f 200,%.1f 300,%.1f L300,%.1f C200,%.1f 200,%.1f 14,%.1f Z" fill="%s" fill-opacity="0.45"><title>%s: %.2f %%</title></path>`,
			ly, ly, ry, ry, ry+rh, ry+rh, ly+th, ly+th, c, html.EscapeString(d.id), 100*d.share)
		fmt.Fprintf(&b, `<rect x="300" y="%.1f" width="10" height="%.1f" fill="%s"/><text x="314" y="%.1f" font-size="10">%s %.1f %%</text>`, ry, rh, c, ry+math.Min(rh/2+4, rh+10), html.EscapeString(d.id), 100*d.share)
		ly += th
		ry += rh + gap
	}
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
