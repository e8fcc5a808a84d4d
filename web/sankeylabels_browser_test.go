package web_test

import (
	"encoding/json"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
)

// sankeyLabelFaultsJS measures the plan's flow Sankey as drawn and lists
// what is wrong with it:
//
//   - a node's label not found as drawn: its lines are the SVG texts whose
//     centres lie in the label's box (ECharts' own label element, its
//     bounding rect moved by its transform);
//   - a label split inside a word: its drawn lines, each trimmed and
//     joined with one space, must read the node's name from the chart's
//     spec (not ECharts' text, which a wrap of ours would have changed
//     too) with its words intact — "Magnet maker (DFARS-rest" + "ricted),
//     Texas" joins to "… (DFARS-rest ricted), …" and is refused;
//   - a label over a band it is not attached to, or over another node:
//     every line's drawn box (less a pixel all round) is sampled every
//     2 px and each point asked of every band's own element (zrender's
//     contain, the band's filled shape) and every node's rectangle;
//   - a band drawn thinner than 3 px (a hairline: the Magnet maker's
//     93.257 t was 0.96 px at 1,400 px beside the copper's 66,054.509 t);
//   - a band whose tooltip or option does not carry its true tonnes (the
//     spec's value, also the table's and the CSV's).
const sankeyLabelFaultsJS = `(() => {
  const el = document.getElementById("flow-diagram"), chart = echarts.getInstanceByDom(el);
  const spec = JSON.parse(el.dataset.chart), box = el.getBoundingClientRect();
  const opt = chart.getOption(), s = opt.series[0];
  const g = chart.getModel().getSeriesByIndex(0).getGraph();
  const texts = [...el.querySelectorAll("svg text")].filter(t => t.getBoundingClientRect().width > 0);
  const want = {}; spec.nodes.forEach(n => want[n.name] = n.label || n.name);
  const nodeRect = n => { const e = n.getGraphicEl(), r = e.getBoundingRect().clone(); r.applyTransform(e.getComputedTransform()); return r; };
  const faults = []; let lines = 0, points = 0;
  if (s.orient !== "horizontal") faults.push("orient " + s.orient);
  g.nodes.forEach(n => {
    const tx = n.getGraphicEl().getTextContent();
    const r = tx.getBoundingRect().clone(); r.applyTransform(tx.getComputedTransform());
    const mine = texts.filter(t => { const b = t.getBoundingClientRect(), x = (b.left + b.right) / 2 - box.left, y = (b.top + b.bottom) / 2 - box.top;
      return x >= r.x && x <= r.x + r.width && y >= r.y && y <= r.y + r.height; });
    const drawn = mine.map(t => t.textContent.trim()).filter(x => x !== "");
    const name = want[n.id].replace(/\s+/g, " ");
    if (drawn.join(" ") !== name) {
      faults.push((drawn.join("").replace(/\s+/g, "") === name.replace(/\s+/g, "") ? "split inside a word: " : "label not drawn as its name: ") + JSON.stringify(drawn) + " for " + JSON.stringify(name));
    }
    const over = new Set();
    mine.forEach(t => {
      lines++;
      const b = t.getBoundingClientRect();
      for (let x = b.left + 1; x <= b.right - 1; x += 2) for (let y = b.top + 1; y <= b.bottom - 1; y += 2) {
        points++;
        const cx = x - box.left, cy = y - box.top;
        g.edges.forEach(e => {
          if (e.node1 === n || e.node2 === n) return;
          if (e.getGraphicEl().contain(cx, cy)) over.add("the band " + e.node1.id + " → " + e.node2.id);
        });
        g.nodes.forEach(m => {
          if (m === n) return;
          const q = nodeRect(m);
          if (q.contain(cx, cy)) over.add("the node " + m.id);
        });
      }
    });
    over.forEach(o => faults.push("the label of " + n.id + " lies over " + o));
  });
  // Every band at least 3 px; the bands drawn at their true value all
  // at one scale (px per tonne), the others raised to the 3 px.
  const ks = [];
  g.edges.forEach(e => {
    const ext = e.getGraphicEl().shape.extent, d = s.links[e.dataIndex];
    if (!(ext >= 3 - 1e-6)) faults.push("the band " + e.node1.id + " → " + e.node2.id + " is " + ext.toFixed(2) + " px thick");
    if (d.value === d.trueValue) ks.push([e.node1.id + " → " + e.node2.id, ext / d.value]);
    else if (!(d.value > d.trueValue) || Math.abs(ext - 3) > 0.01) faults.push("the band " + e.node1.id + " → " + e.node2.id + " drawn as " + d.value + " for " + d.trueValue + ", " + ext.toFixed(2) + " px");
  });
  ks.forEach(([n, k]) => { if (Math.abs(k - ks[0][1]) > 1e-6 * ks[0][1]) faults.push("the band " + n + " at " + k + " px a unit, " + ks[0][0] + " at " + ks[0][1]); });
  const tip = opt.tooltip[0].formatter;
  const fmt = v => new Intl.NumberFormat("en-GB", { maximumFractionDigits: 2 }).format(v);
  spec.links.forEach((l, i) => {
    const d = s.links[i];
    if (d.source !== l.from || d.target !== l.to || d.trueValue !== l.value) faults.push("link " + i + " carries " + JSON.stringify([d.source, d.target, d.trueValue]) + " for " + JSON.stringify([l.from, l.to, l.value]));
    const t = tip({ dataType: "edge", data: d });
    if (!t.includes(": " + fmt(l.value) + " t")) faults.push("the tooltip of " + l.from + " → " + l.to + " reads " + JSON.stringify(t) + ", not its " + fmt(l.value) + " t");
  });
  return JSON.stringify({ faults, lines, points, nodes: g.nodes.length });
})()`

// TestBrowserPlanSankeyLabelsClearOfBands (issue 15, nu37b items 3): at
// 1,400 px (and 1,024 px) the plan's flow Sankey drew the labels of its
// middle columns ("USSM processing plant, Missouri: products", "Magnet
// maker (DFARS-restricted), Texas", "National Defense Stockpile depot",
// "REE solvent extraction") over other nodes' bands, wrapped
// "DFARS-restricted" inside the word ("DFARS-rest" / "ricted),"), and drew
// the buyers' flows as hairlines: 93.257 t beside the copper's 66,054.509
// t in a column about 735 px tall is 735 × 93.257 ÷ 71,531.5 ≈ 0.96 px.
// Now (sankeyLabelFaultsJS, measured as drawn): every label is drawn as
// its node's name broken only at spaces, none lies over a band it is not
// attached to or over another node, every band is at least 3 px thick,
// and each band's option and tooltip carry its true tonnes.
func TestBrowserPlanSankeyLabelsClearOfBands(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a plan finished", func() bool { return ts.LatestPlanJob() != nil })
	p := page{t: t, ctx: browser(t)}
	for _, width := range []int64{1400, 1024} {
		p.viewport(width)
		p.do("plan page", chromedp.Navigate(ts.URL+"/plans/latest"), chromedp.WaitVisible(chromedp.CSS("#flow-diagram")))
		p.chartsDrawn()
		var got struct {
			Faults               []string
			Lines, Points, Nodes int
		}
		if err := json.Unmarshal([]byte(eval[string](p, sankeyLabelFaultsJS)), &got); err != nil {
			t.Fatal(err)
		}
		// The demo plan draws 20 nodes, each labelled: at least one line
		// each, and many points sampled.
		if got.Nodes < 20 || got.Lines < got.Nodes || got.Points < 1000 {
			t.Errorf("%d px: %d nodes, %d label lines, %d points measured; the demo plan draws more", width, got.Nodes, got.Lines, got.Points)
		}
		for _, f := range got.Faults {
			t.Errorf("%d px: %s", width, f)
		}
	}
}

// TestBrowserPlanSankeyTableTrueTonnes: a band drawn at the minimum
// width is a picture; the plan's table under the Sankey and its CSV give
// the true tonnes. Every band the chart draws thicker than its tonnes
// (its display value above its true value: the magnet maker's contract,
// about 93 t, the stockpile's 15 t, the USSM plant's spot sale of
// antimony trioxide, about 5.5 t) has its row in the table and in the
// CSV with its true tonnes at one decimal (formatNum: 93.257 → "93.3",
// 15 → "15", 5.509 → "5.5"; the CSV without thousands separators).
func TestBrowserPlanSankeyTableTrueTonnes(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "a plan finished", func() bool { return ts.LatestPlanJob() != nil })
	p := page{t: t, ctx: browser(t)}
	p.viewport(1400)
	p.do("plan page", chromedp.Navigate(ts.URL+"/plans/latest"), chromedp.WaitVisible(chromedp.CSS("#flow-diagram")))
	p.chartsDrawn()
	var got struct {
		Raised []string
		Faults []string
	}
	if err := json.Unmarshal([]byte(eval[string](p, `(() => {
  const el = document.getElementById("flow-diagram"), spec = JSON.parse(el.dataset.chart);
  const links = echarts.getInstanceByDom(el).getOption().series[0].links;
  const rows = [...el.closest("figure").querySelectorAll("table tr")].slice(1).map(tr => [...tr.cells].map(td => td.textContent.trim()));
  const csv = decodeURIComponent(el.closest("figure").querySelector("a.csv").getAttribute("href").replace(/^data:[^,]*,/, "")).split("\n");
  const q = v => /[",]/.test(v) ? '"' + v + '"' : v;
  const one = (v, sep) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 1, useGrouping: sep }).format(v);
  const raised = [], faults = [];
  spec.links.forEach((l, i) => {
    if (!(links[i].value > l.value)) return;
    raised.push(l.from + " → " + l.to + " " + l.value);
    if (!rows.some(r => r[0] === l.from && r[1] === l.to && r[4] === one(l.value, true))) faults.push("table: no " + l.from + " → " + l.to + " reading " + one(l.value, true));
    if (!csv.some(r => r.startsWith(q(l.from) + "," + q(l.to) + ",") && r.endsWith("," + one(l.value, false)))) faults.push("CSV: no " + l.from + " → " + l.to + " reading " + one(l.value, false));
  });
  return JSON.stringify({ Raised: raised, Faults: faults });
})()`)), &got); err != nil {
		t.Fatal(err)
	}
	// The demo plan's magnet maker, stockpile and spot sales are among
	// the bands drawn at the minimum.
	if len(got.Raised) < 3 {
		t.Errorf("%d bands drawn at the minimum width (%v); the demo plan has at least 3 under 3 px", len(got.Raised), got.Raised)
	}
	for _, f := range got.Faults {
		t.Error(f)
	}
}
