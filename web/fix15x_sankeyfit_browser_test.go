package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
)

// TestBrowserPlanSankeyFitsPage (fix15x item 2): at 1,400 px and 1,024
// px the demo plan's flow Sankey is drawn within the page's content
// width — no wider than its figure, the page not scrolling sideways, the
// chart not scrolling in a box of its own — its labels wrapped in the
// room between the columns (TestBrowserEveryLabelShown checks they are
// drawn, none over another). Before, it was drawn 2,500 px wide at
// every width. At 390 px its nine columns need at least 8 + 8 × 93 + 20
// + 72 + 8 = 852 px (60 px of label room a column, 93 px with the node
// and margins): it is drawn top to bottom there, the page not scrolling
// sideways (TestBrowserPlanSankeyOnPhone checks the chart does not
// either).
func TestBrowserPlanSankeyFitsPage(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a plan finished", func() bool { return ts.LatestPlanJob() != nil })
	p := page{t: t, ctx: browser(t)}
	for _, width := range []int64{1400, 1024, 390} {
		p.viewport(width)
		p.do("plan page", chromedp.Navigate(ts.URL+"/plans/latest"), chromedp.WaitVisible(chromedp.CSS("#flow-diagram")))
		p.chartsDrawn()
		if bad := eval[string](p, `(() => {
  const el = document.getElementById("flow-diagram"), fig = el.closest("figure"), main = document.querySelector("main");
  const r = el.getBoundingClientRect(), svg = el.querySelector("svg").getBoundingClientRect(), f = fig.getBoundingClientRect(), m = main.getBoundingClientRect();
  const out = [];
  if (window.innerWidth >= 1000) {
    if (el.hasAttribute("data-scrolls") || el.parentNode.classList.contains("chart-scroll")) out.push("the chart scrolls in its own box");
    if (r.right > f.right + 0.5 || svg.right > f.right + 0.5) out.push("chart right " + r.right + ", svg right " + svg.right + " beyond its figure's " + f.right);
  }
  if (f.right > m.right + 0.5) out.push("figure right " + f.right + " beyond the content's " + m.right);
  if (document.documentElement.scrollWidth > window.innerWidth) out.push("the page scrolls sideways: " + document.documentElement.scrollWidth + " > " + window.innerWidth);
  return out.join("; ");
})()`); bad != "" {
			t.Errorf("%d px: %s", width, bad)
		}
	}
}
