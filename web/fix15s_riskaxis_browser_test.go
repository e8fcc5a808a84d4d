package web_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"
)

// labelGapJS lists the pairs of visible texts of a chart that come closer
// than gap px (their boxes grown by gap/2 on every side overlap): texts
// that touch, which labelsJS's overlap test lets pass.
const labelGapJS = `((sel, gap) => {
  const el = document.querySelector(sel);
  if (!el) return "[-1, \"no chart\"]";
  const shown = t => { const s = getComputedStyle(t); return s.display !== "none" && s.visibility !== "hidden" && +s.opacity > 0 && +(t.getAttribute("opacity") || 1) > 0 && +(t.getAttribute("fill-opacity") || 1) > 0; };
  const ts = [...el.querySelectorAll("svg text")].filter(shown).filter(t => t.getBoundingClientRect().width > 0);
  const rs = ts.map(t => t.getBoundingClientRect());
  const h = gap / 2;
  const near = (a, b) => a.left - h < b.right + h && b.left - h < a.right + h && a.top - h < b.bottom + h && b.top - h < a.bottom + h;
  const which = [];
  for (let i = 0; i < rs.length; i++) for (let j = i + 1; j < rs.length; j++) if (near(rs[i], rs[j])) which.push(ts[i].textContent + " × " + ts[j].textContent);
  return JSON.stringify([rs.length, which.join("; ")]);
})(%q, %d)`

// TestBrowserRiskAxisLabelsApart (issue 15, fix15s, visual): on /risk
// the HHI chart's y-axis "0" touched the first year label, "2023", at
// 1,400 px and at 390 px: the year sits centred under the plot's left
// corner, the "0" right-aligned beside it, their boxes 1 px apart.
// Every visible label of the chart is now at least 3 px from every
// other at both widths (the first label of a horizontal axis starts at
// the corner, clear of the vertical axis's labels).
func TestBrowserRiskAxisLabelsApart(t *testing.T) {
	ts := MustServe(t, true, nil)
	p := page{t: t, ctx: browser(t)}
	for _, width := range []int64{1400, 390} {
		p.viewport(width)
		p.do("/risk", chromedp.Navigate(ts.URL+"/risk"), chromedp.WaitVisible(chromedp.CSS("main")))
		p.chartsDrawn()
		var v []any
		if err := json.Unmarshal([]byte(eval[string](p, fmt.Sprintf(labelGapJS, "#hhi-chart", 3))), &v); err != nil {
			t.Fatal(err)
		}
		if v[0].(float64) < 6 || v[1].(string) != "" {
			t.Errorf("%d px: %v labels; closer than 3 px: %v", width, v[0], v[1])
		}
	}
}
