package web_test

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
)

// TestBrowserMapTableListsFlows (fix15x item 5): the corridor map's
// on-page table, its accessible alternative, lists what the map draws —
// every site and every flow line between two sites, with its commodity
// and tonnes — not the sites only: a header, one row per drawn site and
// one per drawn line (the chart's nodes and links), each line's row
// naming its two sites, commodity and tonnes as drawn.
func TestBrowserMapTableListsFlows(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.do("overview", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#corridor-map")))
	p.chartsDrawn()
	if bad := eval[string](p, `(() => {
  const el = document.getElementById("corridor-map"), c = JSON.parse(el.dataset.chart);
  const rows = [...document.querySelectorAll("#corridor-map-table tr")].slice(1).map(tr => [...tr.cells].map(td => td.textContent.trim()));
  const out = [];
  if (rows.length !== c.nodes.length + c.links.length) out.push(rows.length + " rows for " + c.nodes.length + " sites and " + c.links.length + " lines");
  const name = {}; c.nodes.forEach(n => name[n.id] = n.name);
  const fmt = v => v.toLocaleString("en-US", {maximumFractionDigits: 3});
  c.links.forEach(l => {
    const want = name[l.from] + " → " + name[l.to];
    if (!rows.some(r => r[0] === want && r.includes(l.label) && r.includes(fmt(l.value)))) out.push("no row for " + want + " " + l.label + " " + fmt(l.value) + " t");
  });
  c.nodes.forEach(n => { if (!rows.some(r => r[0] === n.name)) out.push("no row for site " + n.name); });
  if (c.links.length < 6) out.push("the demo map draws " + c.links.length + " lines; want at least 6");
  return out.join("; ");
})()`); bad != "" {
		t.Error(bad)
	}
}
