package web_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
)

// sankeyPhoneJS lists what is wrong with the plan's Sankey on a narrow
// screen: its box (or a box around it) scrolling sideways, its drawing
// wider than its box, the page scrolling sideways, or the Sankey not
// drawn top to bottom.
const sankeyPhoneJS = `(() => {
  const el = document.getElementById("flow-diagram"), out = [];
  const svg = el.querySelector("svg").getBoundingClientRect(), r = el.getBoundingClientRect();
  for (let b = el; b && b.tagName !== "MAIN"; b = b.parentElement) {
    if (b.scrollWidth > b.clientWidth) out.push((b.id || b.tagName) + " scrolls sideways: " + b.scrollWidth + " > " + b.clientWidth);
  }
  if (el.hasAttribute("data-scrolls") || el.parentNode.classList.contains("chart-scroll")) out.push("the chart is in a scrolling box");
  if (svg.right > r.right + 0.5 || svg.left < r.left - 0.5) out.push("svg " + svg.left + "–" + svg.right + " beyond the box " + r.left + "–" + r.right);
  if (document.documentElement.scrollWidth > window.innerWidth) out.push("the page scrolls sideways");
  const orient = echarts.getInstanceByDom(el).getOption().series[0].orient;
  if (orient !== "vertical") out.push("orient " + orient);
  return out.join("; ");
})()`

const orientJS = `echarts.getInstanceByDom(document.getElementById("flow-diagram")).getOption().series[0].orient`

// TestBrowserPlanSankeyOnPhone (fix15s, issue 15): at 390 px the demo
// plan's nine-column Sankey needs 8 + 8 × 93 + 20 + 72 + 8 = 852 px left
// to right (TestBrowserPlanSankeyFitsPage); the content is about 350 px
// wide, so it is drawn top to bottom (each column a row), sized to its
// box: no box around it scrolls sideways (scrollWidth ≤ clientWidth),
// every node's label is drawn whole inside the chart and no two labels
// overlap. Widening the window to 1,400 px without reloading draws it
// left to right again, its labels still apart; narrowing it back draws
// it top to bottom.
func TestBrowserPlanSankeyOnPhone(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a plan finished", func() bool { return ts.LatestPlanJob() != nil })
	p := page{t: t, ctx: browser(t)}
	labels := func(at string) {
		t.Helper()
		if missing := eval[string](p, fmt.Sprintf(everyNodeLabelJS, "#flow-diagram")); missing != "" {
			t.Errorf("%s: no visible label inside the chart for %s", at, missing)
		}
		var v []any
		if err := json.Unmarshal([]byte(eval[string](p, fmt.Sprintf(labelsJS, "#flow-diagram"))), &v); err != nil {
			t.Fatal(err)
		}
		if v[1].(float64) != 0 || v[2].(float64) != 0 {
			t.Errorf("%s: %v labels, %v outside the chart, %v overlapping pairs: %v", at, v[0], v[1], v[2], v[3])
		}
	}
	p.viewport(390)
	p.do("plan page", chromedp.Navigate(ts.URL+"/plans/latest"), chromedp.WaitVisible(chromedp.CSS("#flow-diagram")))
	p.chartsDrawn()
	if bad := eval[string](p, sankeyPhoneJS); bad != "" {
		t.Errorf("390 px: %s", bad)
	}
	labels("390 px")

	p.viewport(1400)
	p.poll("the Sankey drawn left to right", func() (bool, error) {
		o, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](orientJS))
		return err == nil && o == "horizontal", err
	})
	labels("widened to 1,400 px")

	p.viewport(390)
	p.poll("the Sankey drawn top to bottom", func() (bool, error) {
		o, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](orientJS))
		return err == nil && o == "vertical", err
	})
	if bad := eval[string](p, sankeyPhoneJS); bad != "" {
		t.Errorf("narrowed to 390 px: %s", bad)
	}
	labels("narrowed to 390 px")
}
