package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"sort"
	"strings"

	"github.com/critmin/critmin/custody"
)

func (s *site) proveRoutes() {
	s.route("GET /lots/{id}/certificate", accessRead, s.handleCertificatePage)
}

// handleCertificatePage shows the certificate as a printable page.
// GET /lots/{id}/certificate
func (s *site) handleCertificatePage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	c, err := s.IssueCertificate(r.Context(), id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "certificate", "Origin certificate", "lots", map[string]any{"C": c, "Lot": id, "Subject": c["credentialSubject"], "Proof": c["proof"], "Issuer": c["issuer"]})
}

// genealogyGraph draws a trace as layered boxes: upstream lots on the
// left, the lot on the right, containers beside the lots they carried.
func genealogyGraph(t *custody.Trace) template.HTML {
	if t == nil || len(t.Nodes) <= 1 {
		return template.HTML(`<p class="muted" id="genealogy-graph">No upstream genealogy: this lot was commissioned, not produced.</p>`)
	}
	maxDepth := 0
	for _, n := range t.Nodes {
		if n.Depth > maxDepth {
			maxDepth = n.Depth
		}
	}
	cols := map[int][]custody.Node{}
	for _, n := range t.Nodes {
		col := maxDepth - n.Depth
		cols[col] = append(cols[col], n)
	}
	const bw, bh, gapX, gapY = 230.0, 46.0, 70.0, 16.0
	rows := 0
	for _, c := range cols {
		rows = max(rows, len(c))
	}
	W := float64(maxDepth+1)*(bw+gapX) + 20
	H := float64(rows)*(bh+gapY) + 20
	pos := map[string][2]float64{}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" id="genealogy-graph" viewBox="0 0 %g %g" role="img" aria-label="Genealogy">`, W, H)
	for col := 0; col <= maxDepth; col++ {
		nodes := cols[col]
		sort.Slice(nodes, func(i, j int) bool {
			if (nodes[i].Kind == "lot") != (nodes[j].Kind == "lot") {
				return nodes[i].Kind == "lot"
			}
			return nodes[i].ID < nodes[j].ID
		})
		for i, n := range nodes {
			x, y := 10+float64(col)*(bw+gapX), 10+float64(i)*(bh+gapY)
			pos[n.ID] = [2]float64{x, y}
		}
	}
	for _, e := range t.Edges {
		a, okA := pos[e.Parent]
		c, okC := pos[e.Child]
		if !okA || !okC {
			continue
		}
		label := ""
		if e.ParentQty != nil {
			label = formatNum(*e.ParentQty, 1) + " " + e.ParentUOM
		}
		dash := ""
		if e.Kind != "transformation" {
			dash = ` stroke-dasharray="5 4"`
		}
		x1, y1, x2, y2 := a[0]+bw, a[1]+bh/2, c[0], c[1]+bh/2
		if a[0] >= c[0] { // a container beside its lot
			x1, x2 = a[0]+bw/2, c[0]+bw/2
			y1, y2 = a[1]+bh, c[1]
		}
		fmt.Fprintf(&b, `<path class="edge %s" d="M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f" fill="none" stroke="#486581" stroke-width="1.6"%s><title>%s %s → %s (%s)</title></path>`,
			e.Kind, x1, y1, (x1+x2)/2, y1, (x1+x2)/2, y2, x2, y2, dash, e.Kind, template.HTMLEscapeString(e.Parent), template.HTMLEscapeString(e.Child), template.HTMLEscapeString(e.EventID))
		if label != "" {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, (x1+x2)/2, (y1+y2)/2-4, template.HTMLEscapeString(label))
		}
	}
	for _, n := range t.Nodes {
		p := pos[n.ID]
		fill := "#e6f4f1"
		if n.Kind != "lot" {
			fill = "#f2f4f7"
		}
		sub := n.Kind
		if n.Commodity != "" {
			sub = n.Commodity
			if n.Country != "" {
				sub += " · " + n.Country
			}
			if n.DryTonnes > 0 {
				sub += " · " + formatNum(n.DryTonnes, 2) + " dmt"
			}
		}
		href := "/lots/" + template.URLQueryEscaper(n.ID)
		if n.Kind != "lot" {
			href = "/epcis/epcs/" + template.URLQueryEscaper(n.ID) + "/events"
		}
		fmt.Fprintf(&b, `<a href="%s"><rect class="node %s" x="%.1f" y="%.1f" width="%g" height="%g" rx="6" fill="%s" stroke="#9fb3c8"/><text x="%.1f" y="%.1f">%s</text><text x="%.1f" y="%.1f" fill="#627d98">%s</text></a>`,
			href, n.Kind, p[0], p[1], bw, bh, fill, p[0]+8, p[1]+19, template.HTMLEscapeString(shortID(n.ID)), p[0]+8, p[1]+36, template.HTMLEscapeString(sub))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// originBars draws the origin split of the lot's mass and elements.
func originBars(c *custody.Composition) template.HTML {
	if c == nil {
		return ""
	}
	var bars []bar
	for _, sh := range c.Mass.ByCountry {
		bars = append(bars, bar{Label: "mass · " + sh.Name, Value: sh.Share})
	}
	var els []string
	for e := range c.Elements {
		els = append(els, e)
	}
	sort.Strings(els)
	for _, e := range els {
		for _, sh := range c.Elements[e].ByCountry {
			bars = append(bars, bar{Label: e + " · " + sh.Name, Value: sh.Share})
		}
	}
	return barChart("origin-chart", bars, func(v float64) string { return formatNum(math.Round(v*1000)/10, 1) + " %" })
}
