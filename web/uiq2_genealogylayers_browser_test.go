package web_test

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
)

// genealogyLayerFaultsJS measures the lot page's genealogy graph as
// drawn and lists what is wrong with its layering. Each box (rect.node,
// its lot or container or voyage or run by the title of its link, its
// kind by its class) is placed on a rank: its centre along the graph's
// direction (y top to bottom, x left to right; data-rankdir), within
// its own part (the group it is drawn in). Faults:
//
//   - boxes of two kinds (a mine lot and a container, a container and a
//     run, a voyage and a product) on one rank;
//   - a line that does not run forward, from an earlier rank to a later
//     one (a voyage drawn below the run it feeds);
//   - a line passing through the box of a node it does not join: every
//     2 px of its path, less a pixel inside each box's edge.
//
// A line's ends are the boxes nearest its first and last points.
const genealogyLayerFaultsJS = `(() => {
  const el = document.getElementById("genealogy-graph"), svg = el && el.querySelector("svg");
  if (!svg) return JSON.stringify({ faults: [], nodes: 0, edges: 0 });
  const tb = el.dataset.rankdir !== "LR";
  const boxes = [...svg.querySelectorAll("rect.node")].map(r => {
    const b = r.getBoundingClientRect();
    return { id: r.parentNode.querySelector("title").textContent, kind: r.getAttribute("class").replace(/^node\s*/, ""), part: r.closest("g") || svg,
      l: b.left, t: b.top, r: b.right, b: b.bottom, c: tb ? (b.top + b.bottom) / 2 : (b.left + b.right) / 2 };
  });
  const faults = [];
  boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
    if (a.part === b.part && a.kind !== b.kind && Math.abs(a.c - b.c) < 1) faults.push(a.kind + " " + a.id + " and " + b.kind + " " + b.id + " on one rank");
  }));
  const dist = (o, x, y) => Math.hypot(Math.max(o.l - x, 0, x - o.r), Math.max(o.t - y, 0, y - o.b));
  const nearest = (x, y) => boxes.reduce((m, o) => !m || dist(o, x, y) < dist(m, x, y) ? o : m, null);
  const paths = [...svg.querySelectorAll("path.edge")];
  paths.forEach(p => {
    const m = p.getScreenCTM(), len = p.getTotalLength();
    const at = s => { const q = p.getPointAtLength(s); return { x: m.a * q.x + m.c * q.y + m.e, y: m.b * q.x + m.d * q.y + m.f }; };
    const a = at(0), z = at(len), from = nearest(a.x, a.y), to = nearest(z.x, z.y);
    if (!(to.c > from.c + 1)) faults.push("the line " + from.id + " → " + to.id + " does not run forward (" + from.kind + " at " + Math.round(from.c) + ", " + to.kind + " at " + Math.round(to.c) + ")");
    const through = new Set();
    for (let s = 0; s <= len; s += 2) {
      const q = at(s);
      boxes.forEach(o => { if (o !== from && o !== to && q.x > o.l + 1 && q.x < o.r - 1 && q.y > o.t + 1 && q.y < o.b - 1) through.add(o.id); });
    }
    through.forEach(o => faults.push("the line " + from.id + " → " + to.id + " passes through " + o));
  });
  return JSON.stringify({ faults, nodes: boxes.length, edges: paths.length });
})()`

// TestBrowserGenealogyLayersByKind (issue 15, uiQ2 item 2): the
// genealogy graph laid its nodes out by dagre's ranks alone, so a lot's
// kinds shared ranks: on LACE-2025-001's page the container MSKU1234565
// sat on the rank of the refinery run MO-REE-001 and the voyage B/L
// KHI-HOU-2025-0901 on the rank of the product LACE-2025-001, and the
// lines crossed among them. Now each kind has ranks of its own (mine
// lots, then containers, voyages, runs, then the products as lots again)
// and every line runs forward: on every demo lot's page with a graph, at
// 1,400 px and 390 px, no two kinds share a rank, every line runs from
// an earlier rank to a later one and none passes through a box it does
// not join (genealogyLayerFaultsJS).
func TestBrowserGenealogyLayersByKind(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.viewport(1400)
	p.do("lots", chromedp.Navigate(ts.URL+"/lots"), chromedp.WaitVisible(chromedp.CSS("main")))
	lots := eval[[]string](p, `[...new Set([...document.querySelectorAll("main a[href^='/lots/']")].map(a => a.getAttribute("href")).filter(h => !h.includes("?")))]`)
	// The demo's products: NdPr oxide, La/Ce carbonate, antimony trioxide
	// (each from a run fed mine lots shipped in containers), at least.
	graphs := 0
	for _, width := range []int64{1400, 390} {
		p.viewport(width)
		for _, lot := range lots {
			p.do(lot, chromedp.Navigate(ts.URL+lot), chromedp.WaitVisible(chromedp.CSS("main")))
			p.chartsDrawn()
			var got struct {
				Faults       []string
				Nodes, Edges int
			}
			if err := json.Unmarshal([]byte(eval[string](p, genealogyLayerFaultsJS)), &got); err != nil {
				t.Fatal(err)
			}
			if got.Nodes > 1 {
				graphs++
			}
			for _, f := range got.Faults {
				t.Errorf("%d px, %s: %s", width, lot, f)
			}
		}
	}
	if graphs < 6 {
		t.Errorf("%d genealogy graphs measured at two widths; the demo's three products at least have one each", graphs)
	}
}
