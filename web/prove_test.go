package web_test

import (
	"context"
	"html"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
)

// TestBrowserProvePages reads the lot page's genealogy, origin and rule
// verdicts, and the printable certificate, in Chromium.
func TestBrowserProvePages(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	// The certificate the page's link shows is issued first (a POST,
	// fix14p); the GET serves it.
	issueCert(t, ts.URL, url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001"))
	p := page{t: t, ctx: browser(t)}
	p.do("lot page", chromedp.Navigate(ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001")), chromedp.WaitVisible(chromedp.CSS("#genealogy-graph")))
	p.chartsDrawn()
	if n := p.count("#genealogy-graph rect.node"); n != 6 {
		t.Errorf("genealogy graph has %d nodes; want the oxide, two concentrates, one container, the voyage, the refinery run", n)
	}
	// mine lots → container → voyage → run → oxide: the voyage is event
	// 014's, named by its bill of lading, linking to its shipment page,
	// and drawn before the run that consumed the lots it carried.
	voyage := eval[[]string](p, `(() => { const a = document.querySelector("#genealogy-graph rect.node.voyage")?.parentNode;
	  return a ? [a.getAttribute("href"), ...[...a.querySelectorAll("text")].map(t => t.textContent)] : []; })()`)
	if len(voyage) != 3 || voyage[0] != "/shipments/urn:critmin:demo:bol:KHI-HOU-2025-0901" || !strings.Contains(voyage[1], "B/L") ||
		!strings.Contains(voyage[1], "KHI-HOU-2025-0901") || !strings.Contains(voyage[2], "→") || !strings.Contains(voyage[2], "2025-09-01") {
		t.Errorf("voyage node (href, label, second line): %q", voyage)
	}
	if n := p.count("#genealogy-graph path.edge.shipping"); n != 1 {
		t.Errorf("%d shipping edges; want the container's to the voyage", n)
	}
	if n := p.count("#genealogy-graph path.edge.delivery"); n != 1 {
		t.Errorf("%d voyage → run edges; want 1", n)
	}
	// In the graph's direction: left to right, or top to bottom where
	// left to right would be wider than the box (data-rankdir).
	if x := eval[[]float64](p, `(() => { const tb = document.querySelector("#genealogy-graph").dataset.rankdir === "TB";
	  return ["rect.node.epc", "rect.node.voyage", "rect.node.run"].map(s => { const r = document.querySelector("#genealogy-graph " + s).getBoundingClientRect(); return tb ? r.top : r.left; }); })()`); !(x[0] < x[1] && x[1] < x[2]) {
		t.Errorf("container, voyage, run not in the graph's direction: %v", x)
	}
	if o := eval[int](p, overlapsJS); o != 0 {
		t.Errorf("%d overlapping genealogy labels", o)
	}
	// Two feeds into the run, the run into the oxide: 3 lines, each with
	// its own quantity (24,950 and 17,980 kg fed, as event 023 lists them,
	// drawn in tonnes as every line of the figure is: 24.95 t and 17.98 t).
	if n := p.count("#genealogy-graph path.edge.transformation"); n != 3 {
		t.Errorf("%d transformation edges; want 2 feeds and 1 product", n)
	}
	labels := eval[[]string](p, `[...document.querySelectorAll("#genealogy-graph text.edge-label")].map(t => t.textContent)`)
	if l := strings.Join(labels, "|"); !strings.Contains(l, "24.95 t") || !strings.Contains(l, "17.98 t") || strings.Contains(l, "kg") {
		t.Errorf("edge labels %q", labels)
	}
	if n := p.count(`#genealogy-graph rect.node.run`); n != 1 {
		t.Errorf("%d run nodes", n)
	}
	if o := p.text("#origin-table"); !strings.Contains(o, "Pakistan") || !strings.Contains(o, "100 %") {
		t.Errorf("origin table: %q", o)
	}
	if v := p.text("#verdicts"); strings.Count(v, "\tPass\t") != 4 {
		t.Errorf("verdicts: %q", v)
	}
	p.do("certificate", chromedp.Click(chromedp.CSS("#certificate-link")), chromedp.WaitVisible(chromedp.CSS("#cert-provenance")))
	if prov := p.text("#cert-provenance"); !strings.Contains(prov, "Pakistan") || !strings.Contains(prov, "Nd") {
		t.Errorf("certificate provenance: %q", prov)
	}
	if n := p.count("#cert-events tr"); n < 5 {
		t.Errorf("certificate lists %d event rows", n)
	}
}

// TestGenealogyCSVOnLotPage (nu15 #12, #11): the lot page's genealogy
// CSV names lots and events by their full identifiers, not the table's
// short ones; the table names voyages by their bill of lading.
func TestGenealogyCSVOnLotPage(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	resp, b := send(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001"), nil, nil)
	page := string(b)
	i := strings.Index(page, `download="genealogy-graph.csv"`)
	if resp.StatusCode != 200 || i < 0 {
		t.Fatalf("lot page %d", resp.StatusCode)
	}
	j := strings.LastIndex(page[:i], `href="data:text/csv;charset=utf-8,`)
	raw := page[j+len(`href="data:text/csv;charset=utf-8,`) : i]
	raw = html.UnescapeString(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(raw), `"`)))
	csvText, err := url.PathUnescape(raw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(csvText, "urn:critmin:demo:lot:REE-2025-001,urn:critmin:demo:") || strings.Contains(csvText, "…") {
		t.Errorf("genealogy CSV:\n%s", csvText)
	}
	// The table names a voyage as the graph does (nu15 #11): its bill of
	// lading, not "voyage urn:critmin:demo:event:…".
	table := page[strings.Index(page, `id="genealogy-graph-table"`):]
	table = table[:strings.Index(table, "</table>")]
	if strings.Contains(table, "voyage urn:") || strings.Contains(table, "voyage …") || !strings.Contains(table, "KHI-HOU-2025-0901") {
		t.Errorf("genealogy table:\n%s", table)
	}
}
