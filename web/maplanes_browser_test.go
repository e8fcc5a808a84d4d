package web_test

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
)

// mapLayoutJS measures the corridor map as drawn: the legend entries
// lying (even in part) beyond what the window shows (the map scrolls in
// its box on a phone, the legend must not), each site label's distance
// from its own marker (px from the marker's centre to the nearest point
// of the label's box), the lane points (sampled along every drawn lane)
// that lie inside a site label, and how many lanes are dashed.
const mapLayoutJS = `(() => {
  const el = document.querySelector("#corridor-map"), c = JSON.parse(el.getAttribute("data-chart"));
  const chart = echarts.getInstanceByDom(el), box = el.getBoundingClientRect();
  const view = el.parentNode.classList.contains("chart-scroll") ? el.parentNode.getBoundingClientRect() : box;
  const right = Math.min(window.innerWidth, view.right);
  const texts = [...el.querySelectorAll("svg text")];
  const legend = (c.lanes || []).map(k => k.name).concat(c.kinds.map(k => k.name));
  const cut = legend.filter(n => { const t = texts.find(t => t.textContent === n); if (!t) return true; const r = t.getBoundingClientRect(); return r.width === 0 || r.right > right + 0.5 || r.left < view.left - 0.5; });
  const led = name => JSON.stringify(chart.getOption().graphic || []).includes("leader:" + name);
  const far = [], labels = [];
  for (const n of c.nodes) {
    const name = n.name.replace(/\s*\([^)]*\)\s*$/, "");
    const t = texts.find(t => t.textContent === name);
    if (!t) { far.push(name + ": no label"); continue; }
    const r = t.getBoundingClientRect(); labels.push([name, r]);
    const p = chart.convertToPixel({ geoIndex: 0 }, [n.lon, n.lat]), x = box.left + p[0], y = box.top + p[1];
    const dx = Math.max(r.left - x, 0, x - r.right), dy = Math.max(r.top - y, 0, y - r.bottom);
    const d = Math.hypot(dx, dy);
    labels[labels.length - 1].push(x, y);
    if (d > 20 && !led(name)) far.push(name + " " + Math.round(d) + " px");
  }
  const lanes = [...el.querySelectorAll("svg path")].filter(p => p.getAttribute("fill") === "none" && (c.links || []).some(l => (p.getAttribute("stroke") || "").toLowerCase() === l.colour.toLowerCase()));
  const crossed = [];
  for (const p of lanes) {
    const m = p.getScreenCTM(), len = p.getTotalLength();
    const at = i => { const q = p.getPointAtLength(len * i / 200); return [m.a * q.x + m.c * q.y + m.e, m.b * q.x + m.d * q.y + m.f]; };
    const ends = [at(0), at(200)];
    for (let i = 0; i <= 200; i++) {
      const [x, y] = at(i);
      for (const [name, r, mx, my] of labels) {
        // A lane of the site's own starts under its marker: only a lane
        // passing by counts.
        if (ends.some(e => Math.hypot(e[0] - mx, e[1] - my) < 4)) continue;
        if (x > r.left + 1 && x < r.right - 1 && y > r.top + 1 && y < r.bottom - 1 && !crossed.includes(name)) crossed.push(name);
      }
    }
  }
  const dashed = lanes.filter(p => (p.getAttribute("stroke-dasharray") || "none") !== "none").length;
  return JSON.stringify({ cut, far, crossed, dashed, lanes: lanes.length });
})()`

// TestBrowserMapLanesAndLabelsAtTwoWidths (issue 15, fix15m): on the
// overview map at 1,400 px and 390 px every lane is drawn in its
// commodity's colour with the commodities in the legend, the shipments
// in transit as dashed lanes; the whole legend is within what the window
// shows (at 390 px the map scrolls in its box and its legend was cut
// off); every site's label sits by its marker (within 20 px, else joined
// to it by a leader line — the Arizona customer's label sat rows away
// from it, tied to nothing); and at 1,400 px no lane passing by runs
// through a site's label (the Houston → Missouri curve crossed one).
func TestBrowserMapLanesAndLabelsAtTwoWidths(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	for _, width := range []int64{1400, 390} {
		p.viewport(width)
		p.do("overview", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("main")))
		p.chartsDrawn()
		var got struct {
			Cut, Far, Crossed []string
			Dashed, Lanes     int
		}
		if err := json.Unmarshal([]byte(eval[string](p, mapLayoutJS)), &got); err != nil {
			t.Fatal(err)
		}
		// The demo has two shipments at sea (copper from Port Qasim, REE
		// concentrate from Karachi): two dashed lanes at least.
		if got.Dashed < 2 || got.Lanes < 6 {
			t.Errorf("%d px: %d lanes drawn, %d dashed; want the moves and the 2 shipments in transit dashed", width, got.Lanes, got.Dashed)
		}
		if len(got.Cut) > 0 {
			t.Errorf("%d px: legend entries cut off or missing: %v", width, got.Cut)
		}
		if len(got.Far) > 0 {
			t.Errorf("%d px: labels away from their markers: %v", width, got.Far)
		}
		if width == 1400 && len(got.Crossed) > 0 {
			t.Errorf("%d px: lanes run through the labels of %v", width, got.Crossed)
		}
	}
}
