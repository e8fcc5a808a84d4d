package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/refinery"
)

// svgLabelsJS checks every visible text label of every chart matching
// sel, per chart: each lies wholly inside its own SVG's viewport and is
// not cut off by an element around it that hides or scrolls its
// overflow; a graph's node label lies inside its node's box; and no two
// labels of one chart overlap.
// It returns the charts it measured, the labels it measured and one line
// per fault.
const svgLabelsJS = `((sel) => {
  const shown = t => { const s = getComputedStyle(t); return s.display !== "none" && s.visibility !== "hidden" && +s.opacity > 0 && +(t.getAttribute("opacity") || 1) > 0 && +(t.getAttribute("fill-opacity") || 1) > 0 && t.textContent.trim() !== ""; };
  const inside = (r, b) => r.left >= b.left - 0.5 && r.right <= b.right + 0.5 && r.top >= b.top - 0.5 && r.bottom <= b.bottom + 0.5;
  const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const box = r => "[" + [r.left, r.right, r.top, r.bottom].map(Math.round) + "]";
  // clippedBy is the first element that cuts r off: the svg's own
  // viewport, else an ancestor whose overflow is not visible (hidden or
  // clip cut at the box's edge; a box that scrolls cuts at the edge of
  // its scrolled content).
  const clippedBy = (svg, r) => {
    if (!inside(r, svg.getBoundingClientRect())) return "its SVG " + box(svg.getBoundingClientRect());
    for (let a = svg.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a), v = a.getBoundingClientRect();
      // A box that scrolls (auto, scroll) shows what lies within its
      // scrolled content: a label there is reached by scrolling, not cut.
      // A label past the content's edge, or under hidden or clip, is cut.
      const scrolls = o => o === "auto" || o === "scroll";
      const b = {
        left: scrolls(s.overflowX) ? v.left - a.scrollLeft : v.left,
        right: scrolls(s.overflowX) ? v.left - a.scrollLeft + a.scrollWidth : v.right,
        top: scrolls(s.overflowY) ? v.top - a.scrollTop : v.top,
        bottom: scrolls(s.overflowY) ? v.top - a.scrollTop + a.scrollHeight : v.bottom,
      };
      const cutX = s.overflowX !== "visible" && (r.left < b.left - 0.5 || r.right > b.right + 0.5);
      const cutY = s.overflowY !== "visible" && (r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5);
      if (cutX || cutY) return (a.id || a.className || a.tagName) + " " + s.overflowX + " " + box(b);
    }
    return "";
  };
  const faults = []; let charts = 0, labels = 0;
  for (const el of document.querySelectorAll(sel)) {
    charts++;
    const ts = [];
    for (const svg of el.querySelectorAll("svg")) {
      for (const t of svg.querySelectorAll("text")) {
        if (!shown(t)) continue;
        const r = t.getBoundingClientRect(); if (r.width === 0) continue;
        ts.push([t, r]); labels++;
        const cut = clippedBy(svg, r);
        if (cut) faults.push(el.id + ": \"" + t.textContent + "\" " + box(r) + " is cut by " + cut);
        const node = t.classList.contains("node-label") || t.classList.contains("node-sub") ? t.parentNode.querySelector("rect.node") : null;
        if (node && !inside(r, node.getBoundingClientRect())) faults.push(el.id + ": \"" + t.textContent + "\" runs past its box");
      }
    }
    for (let i = 0; i < ts.length; i++) for (let j = i + 1; j < ts.length; j++)
      if (hit(ts[i][1], ts[j][1])) faults.push(el.id + ": \"" + ts[i][0].textContent + "\" × \"" + ts[j][0].textContent + "\"");
  }
  return JSON.stringify([charts, labels, faults]);
})(%q)`

// TestBrowserSVGLabelsInsideAndApart: at 1,400 px and 390 px every text
// label of the refinery page's flowsheet and deportment Sankeys (the demo
// refinery and the corridor's ledger-backed one) and of a lot's
// genealogy lies inside its SVG's viewport and the visible part of its
// box, where the page opens (none cut at an edge: the Sankeys once kept
// 640 px and scrolled in a 540 px box at 1,400 px, cutting every product's
// label; the flowsheet ran past its box), a box's label inside its box,
// and no two labels of one chart overlap.
func TestBrowserSVGLabelsInsideAndApart(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	lot := "/lots/" + url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001")
	pages := []struct {
		path, sel string
		min       int // charts the page draws at least
	}{
		{"/refinery", "#flowsheet-graph", 1},
		{"/refinery", ".sankeys [data-chart]", 2},
		{"/refinery?site=" + url.QueryEscape(refinery.CorridorSite) + "&period=2025-10", "#flowsheet-graph", 1},
		{"/refinery?site=" + url.QueryEscape(refinery.CorridorSite) + "&period=2025-10", ".sankeys [data-chart]", 2},
		{lot, "#genealogy-graph", 1},
	}
	for _, width := range []int64{1400, 390} {
		p.viewport(width)
		for _, c := range pages {
			p.do(c.path, chromedp.Navigate(ts.URL+c.path), chromedp.WaitVisible(chromedp.CSS("main")))
			p.chartsDrawn()
			var v []any
			if err := json.Unmarshal([]byte(eval[string](p, fmt.Sprintf(svgLabelsJS, c.sel))), &v); err != nil {
				t.Fatal(err)
			}
			if n := int(v[0].(float64)); n < c.min {
				t.Fatalf("%d px %s %s: %d charts; want ≥ %d", width, c.path, c.sel, n, c.min)
			}
			if n := int(v[1].(float64)); n < 5 {
				t.Errorf("%d px %s %s: %d labels measured; the demo draws more", width, c.path, c.sel, n)
			}
			for _, f := range v[2].([]any) {
				t.Errorf("%d px %s: %s", width, c.path, f)
			}
		}
	}
}
