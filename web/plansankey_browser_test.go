package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
)

// TestBrowserPlanSankeyFlows: at 1,400 px and 390 px the plan's Sankey
// draws, with no console error, every kind of flow the baseline has —
// supplies, lanes, the lines' feed and products, what they do not
// recover, the offtake contracts, the spot sales at the Missouri plant
// (left out before) and the stockpile's holding (the baseline keeps no
// other stock at the horizon's end; TestFlowDiagramBalances draws it) — and
// draws each band in its commodity's colour from the shared palette,
// lightened but opaque (no two commodities' bands blend where they
// overlap; one commodity has one colour), with labels on a white halo.
func TestBrowserPlanSankeyFlows(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a plan finished", func() bool { return ts.LatestPlanJob() != nil })
	p := page{t: t, ctx: browser(t)}
	for _, width := range []int64{1400, 390} {
		p.viewport(width)
		p.do("plan page", chromedp.Navigate(ts.URL+"/plans/latest"), chromedp.WaitVisible(chromedp.CSS("#flow-diagram")))
		p.chartsDrawn()
		names := eval[[]string](p, `JSON.parse(document.getElementById("flow-diagram").dataset.chart).nodes.map(n => n.name)`)
		joined := strings.Join(names, "; ")
		for _, want := range []string{"Supplies bought or owned", "Spot sales at USSM processing plant, Missouri", "Sold to Magnet maker (DFARS) under magnet-ndpr",
			"USSM processing plant, Missouri: products", "Not recovered in processing", "Held in stockpile at the horizon's end"} {
			if !strings.Contains(joined, want) {
				t.Errorf("%d px: no Sankey node %q among %s", width, want, joined)
			}
		}
		kinds := eval[[]string](p, `[...new Set(JSON.parse(document.getElementById("flow-diagram").dataset.chart).links.map(l => l.kind))].sort()`)
		if got := strings.Join(kinds, " "); got != "contract feed lane loss product spot stockpile supply" {
			t.Errorf("%d px: band kinds %q", width, got)
		}
		// The drawn option: every band opaque, in the tint of its
		// commodity's palette colour, one colour per commodity.
		bad := eval[string](p, `(() => {
  const el = document.getElementById("flow-diagram"), spec = JSON.parse(el.dataset.chart);
  const s = echarts.getInstanceByDom(el).getOption().series[0], out = [], byCom = {};
  const tint = (hex, f) => "#" + [1, 3, 5].map(i => { const v = parseInt(hex.substr(i, 2), 16); const w = Math.round(v + (255 - v) * f); return (w < 16 ? "0" : "") + w.toString(16); }).join("");
  s.links.forEach((l, i) => {
    const sl = spec.links[i], com = sl.note.split(", ")[0];
    if (l.lineStyle.opacity !== 1) out.push(sl.from + " → " + sl.to + " opacity " + l.lineStyle.opacity);
    if (l.lineStyle.color !== tint(sl.colour, 0.45)) out.push(sl.from + " → " + sl.to + " colour " + l.lineStyle.color + " not the tint of " + sl.colour);
    if (byCom[com] && byCom[com] !== sl.colour) out.push(com + " in two colours");
    byCom[com] = sl.colour;
  });
  const cols = Object.values(byCom);
  if (new Set(cols).size !== cols.length) out.push("two commodities share a colour: " + JSON.stringify(byCom));
  if (!(s.label.textBorderWidth >= 2) || s.label.textBorderColor !== "#fff") out.push("labels without a halo");
  return out.join("; ");
})()`)
		if bad != "" {
			t.Errorf("%d px: %s", width, bad)
		}
		// Every node's label is drawn.
		if missing := eval[string](p, `((sel) => {
  const el = document.querySelector(sel); const c = JSON.parse(el.getAttribute("data-chart"));
  // A label may wrap onto several lines, a long word broken (fix15x):
  // its lines' text, joined without spaces, holds the name's.
  const squash = s => s.replace(/\s+/g, "");
  const texts = [...el.querySelectorAll("svg text")].map(t => squash(t.textContent)).join("");
  return c.nodes.filter(n => !texts.includes(squash(n.name))).map(n => n.name).join("; ");
})("#flow-diagram")`); missing != "" {
			t.Errorf("%d px: no label for %s", width, missing)
		}
	}
}
