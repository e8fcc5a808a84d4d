package web_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
)

// everyNodeLabelJS lists the nodes of a chart whose name is not drawn as
// a visible SVG text inside the chart's element (the map's label drops a
// trailing parenthesis, as mapLabel does).
const everyNodeLabelJS = `((sel) => {
  const el = document.querySelector(sel); const c = JSON.parse(el.getAttribute("data-chart")); const box = el.getBoundingClientRect();
  const texts = [...el.querySelectorAll("svg text")].filter(t => { const s = getComputedStyle(t); return s.display !== "none" && s.visibility !== "hidden" && +(t.getAttribute("opacity") || 1) > 0; });
  const missing = [];
  // A label may wrap (the plan's Sankey wraps its labels to fit the
  // page, fix15x): its lines are consecutive text elements whose words,
  // joined, are the name.
  const inside = t => { const r = t.getBoundingClientRect(); return r.width > 0 && r.left >= box.left - 0.5 && r.right <= box.right + 0.5 && r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5; };
  const squash = s => s.replace(/\s+/g, "");
  for (const n of c.nodes) {
    const name = n.name.replace(/\s*\([^)]*\)\s*$/, "");
    let ok = false;
    for (let i = 0; i < texts.length && !ok; i++) {
      let joined = "";
      for (let j = i; j < texts.length && inside(texts[j]); j++) {
        joined += squash(texts[j].textContent);
        if (joined === squash(name)) { ok = true; break; }
        if (!squash(name).startsWith(joined)) break;
      }
    }
    if (!ok) missing.push(name);
  }
  return missing.join("; ");
})(%q)`

// TestBrowserEveryLabelShown: at 1,400 px and 390 px every site of the
// corridor map has its label, drawn inside the map, and no two labels
// overlap (none is hidden to avoid a collision); the plan's flow Sankey
// labels every node and no two of its labels' boxes intersect.
func TestBrowserEveryLabelShown(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a plan finished", func() bool { return ts.LatestPlanJob() != nil })
	p := page{t: t, ctx: browser(t)}
	measure := func(width int64, sel string) []any {
		t.Helper()
		var v []any
		if err := json.Unmarshal([]byte(eval[string](p, fmt.Sprintf(labelsJS, sel))), &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, width := range []int64{1400, 390} {
		p.viewport(width)
		for _, c := range []struct{ path, sel string }{{"/", "#corridor-map"}, {"/plans/latest", "#flow-diagram"}} {
			p.do(c.path, chromedp.Navigate(ts.URL+c.path), chromedp.WaitVisible(chromedp.CSS("main")))
			p.chartsDrawn()
			nodes := eval[int](p, fmt.Sprintf(`JSON.parse(document.querySelector(%q).getAttribute("data-chart")).nodes.length`, c.sel))
			if nodes < 5 {
				t.Fatalf("%s: %d nodes; the demo has more", c.sel, nodes)
			}
			if missing := eval[string](p, fmt.Sprintf(everyNodeLabelJS, c.sel)); missing != "" {
				t.Errorf("%d px %s: no visible label inside the chart for %s", width, c.sel, missing)
			}
			if v := measure(width, c.sel); v[1].(float64) != 0 || v[2].(float64) != 0 {
				t.Errorf("%d px %s: %v labels, %v outside the chart, %v overlapping pairs: %v", width, c.sel, v[0], v[1], v[2], v[3])
			}
		}
	}
}
