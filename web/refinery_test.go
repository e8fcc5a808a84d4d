package web_test

import (
	"encoding/json"
	"html"
	"math"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/refinery"
)

// The refinery page shows the demo month reconciled live (flowsheet,
// one Sankey per element, the reconciliation table); after the period is
// closed through the API it shows the signed-off period, the recovery by
// period and the audit trail.
func TestRefineryPage(t *testing.T) {
	ts := MustServe(t, true, nil)
	resp, b := do(t, "GET", ts.URL+"/refinery", "", nil, nil)
	page := string(b)
	if resp.StatusCode != 200 {
		t.Fatalf("refinery page: %d %s", resp.StatusCode, b)
	}
	for _, want := range []string{`class="flowsheet"`, `id="refinery-table"`, "residue_storage", "global test <strong class=\"global-test\">pass</strong>", "No closed period yet"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	checkDeportmentCharts(t, page)
	// A fixed value (the demo's declared 0 % grades) reads "fixed" for
	// its sd, measured and reconciled, as in the CLI table and the
	// report's CSV; never sd 0 or NaN.
	if !strings.Contains(page, `<td class="num fixed">fixed</td>`) || strings.Contains(page, "NaN") {
		t.Errorf("fixed values not shown as fixed")
	}
	// The reconciliation table lists the stock surveys of every inventory
	// node (opening and closing tonnes and grades), measured beside
	// reconciled: residue_storage opened at 15 005.964 ± 300 t surveyed.
	for _, n := range []string{"ree_receiving", "cu_stockpile", "residue_storage"} {
		for _, row := range []string{"opening t", "closing t", "opening Nd %", "closing Th %"} {
			re := regexp.MustCompile(`<tr class="stock[^"]*"><td>(<span title="` + n + `">[^<]+</span> \(stock\))?</td><td>` + row + `</td><td class="num">[^<]+</td><td class="num">[^<]+</td><td class="num">[^<]+</td>`)
			if !re.MatchString(page[strings.Index(page, `id="refinery-table"`):]) {
				t.Errorf("reconciliation table lacks the %s row of %s", row, n)
			}
		}
	}
	if !regexp.MustCompile(`<td><span title="residue_storage">[^<]+</span> \(stock\)</td><td>opening t</td><td class="num">15,005.964</td><td class="num">300</td>`).MatchString(page) {
		i := strings.Index(page, `title="residue_storage"`)
		t.Errorf("residue_storage opening survey not shown as measured: %.300s", page[max(i, 0):])
	}
	_, demo := do(t, "GET", ts.URL+"/api/v1/refinery/demo", "", nil, nil)
	if resp, b := do(t, "POST", ts.URL+"/api/v1/refinery/close", operatorSecret, demo, nil); resp.StatusCode != 201 {
		t.Fatalf("close: %d %s", resp.StatusCode, b)
	}
	resp, b = do(t, "GET", ts.URL+"/refinery?site=urn:critmin:demo:site:pk-refinery&period=2025-10", "", nil, nil)
	page = string(b)
	if resp.StatusCode != 200 || !strings.Contains(page, "<strong>closed</strong> by operator") || !strings.Contains(page, `id="refinery-periods"`) || !strings.Contains(page, `id="refinery-trail"`) {
		t.Errorf("closed period page: %d", resp.StatusCode)
	}
	// The demo page shows the demo month: closed now, so signed off —
	// wherever a period is shown, its sign-off shows.
	resp, b = do(t, "GET", ts.URL+"/refinery", "", nil, nil)
	if page := string(b); resp.StatusCode != 200 || !strings.Contains(page, "<strong>closed</strong> by operator") || strings.Contains(page, "<strong>open</strong>") {
		t.Errorf("demo page after the close: %d, want the period closed and not open", resp.StatusCode)
	}
	resp, _ = do(t, "GET", ts.URL+"/refinery?site=urn:critmin:demo:site:pk-refinery&period=2025-09", "", nil, nil)
	if resp.StatusCode != 404 {
		t.Errorf("a period never closed: %d, want 404", resp.StatusCode)
	}
	// A site without a period (or the reverse) is a mistake, not the demo.
	for _, q := range []string{"?site=urn:critmin:test:site:x", "?period=2025-10"} {
		resp, b = do(t, "GET", ts.URL+"/refinery"+q, "", nil, nil)
		if resp.StatusCode != 400 || !strings.Contains(string(b), "site and period go together") {
			t.Errorf("%s: %d, want 400", q, resp.StatusCode)
		}
	}
	for _, bad := range []string{"13-2025", "2025-13", "2025-1"} {
		resp, b = do(t, "GET", ts.URL+"/refinery?site=urn:critmin:demo:site:pk-refinery&period="+bad, "", nil, nil)
		if resp.StatusCode != 400 || !strings.Contains(string(b), "YYYY-MM") {
			t.Errorf("period %s: %d, want 400 naming the form YYYY-MM", bad, resp.StatusCode)
		}
	}
}

// The demo refinery fed by the demo corridor's lots, on the page: an open
// month is reconciled live from the ledger; an operator (not a viewer)
// gets a form that closes it, signed; then the page shows it closed. A
// form sent by another origin's page is refused.
func TestRefineryPageFromLedger(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	q := "site=" + url.QueryEscape(refinery.CorridorSite) + "&period=2025-10"
	html := map[string]string{"Accept": "text/html"}
	resp, b := do(t, "GET", ts.URL+"/refinery?"+q, viewerSecret, nil, html)
	page := string(b)
	if resp.StatusCode != 200 || !strings.Contains(page, `id="refinery-from-ledger"`) || !strings.Contains(page, "ndpr_oxide") {
		t.Fatalf("open period from the ledger: %d", resp.StatusCode)
	}
	if strings.Contains(page, `id="refinery-close-form"`) {
		t.Error("a viewer is offered the close form")
	}
	_, b = do(t, "GET", ts.URL+"/refinery?"+q, operatorSecret, nil, html)
	if !strings.Contains(string(b), `id="refinery-close-form"`) {
		t.Fatal("an operator is not offered the close form")
	}
	form := []byte(q + "&accept=")
	cross := map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/html", "Origin": "http://127.0.0.1:1", "Sec-Fetch-Site": "same-site"}
	if resp, _ := do(t, "POST", ts.URL+"/refinery/close", operatorSecret, form, cross); resp.StatusCode != 403 {
		t.Errorf("cross-origin close: %d, want 403", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", ts.URL+"/api/v1/refinery/report?"+q, viewerSecret, nil, nil); resp.StatusCode != 404 {
		t.Fatalf("the refused form closed the period: %d", resp.StatusCode)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	// The corridor month is just determined (dof 0): the form needs a reason.
	req, _ := http.NewRequest("POST", ts.URL+"/refinery/close", strings.NewReader(string(form)+"no+redundant+measurements"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+operatorSecret)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/refinery?"+q {
		t.Fatalf("close form: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, b = do(t, "GET", ts.URL+"/refinery?"+q, viewerSecret, nil, html)
	if page := string(b); !strings.Contains(page, "<strong>closed</strong> by operator") || strings.Contains(page, `id="refinery-from-ledger"`) || strings.Contains(page, `id="refinery-stale"`) {
		t.Error("the closed period is not shown as closed (and not stale)")
	}
	// A run back-dated into the closed October is captured (the ledger
	// keeps what happened) but the close stays as signed and is flagged
	// stale, naming the late event, on the page and in the API's report;
	// a run dated in November does not touch October (12:00 UTC on 1
	// November is 07:00 CDT there: the corridor flowsheet declares the
	// Missouri site's America/Chicago, so 00:00 UTC would be 31 October
	// 19:00 at the site, still October).
	late := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-02T00:00:00Z",
	 "epcisBody": {"eventList": [
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:late-in", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	   "quantityList": [{"epcClass": "urn:t:lot:late-in", "quantity": 5, "uom": "TNE"}],
	   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "MMR", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 2, "cm:unit": "%", "cm:basis": "dry"}]}},
	  {"type": "TransformationEvent", "eventID": "urn:t:ev:late-run", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	   "inputQuantityList": [{"epcClass": "urn:t:lot:late-in", "quantity": 5, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:late-out", "quantity": 1, "uom": "TNE"}],
	   "bizLocation": {"id": "` + refinery.CorridorSite + `"}, "ilmd": {"cm:commodity": "ree_carbonate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 9, "cm:unit": "%", "cm:basis": "dry"}]}},
	  {"type": "TransformationEvent", "eventID": "urn:t:ev:november-run", "eventTime": "2025-11-01T12:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	   "inputQuantityList": [{"epcClass": "urn:t:lot:late-out", "quantity": 1, "uom": "TNE"}], "outputQuantityList": [{"epcClass": "urn:t:lot:nov-out", "quantity": 1, "uom": "TNE"}],
	   "bizLocation": {"id": "` + refinery.CorridorSite + `"}, "ilmd": {"cm:commodity": "ree_carbonate", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 9, "cm:unit": "%", "cm:basis": "dry"}]}}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(late)}); err != nil {
		t.Fatal(err)
	}
	_, b = do(t, "GET", ts.URL+"/refinery?"+q, viewerSecret, nil, html)
	if page := string(b); !strings.Contains(page, `id="refinery-stale"`) || !strings.Contains(page, "urn:t:ev:late-run") || strings.Contains(page, "urn:t:ev:november-run") || !strings.Contains(page, "<strong>closed</strong> by operator") {
		t.Error("the closed period is not flagged stale with the late run only")
	}
	resp, b = do(t, "GET", ts.URL+"/api/v1/refinery/report?"+q, viewerSecret, nil, nil)
	var rep struct {
		Stale *refinery.Staleness `json:"stale"`
	}
	if err := json.Unmarshal(b, &rep); err != nil || resp.StatusCode != 200 || rep.Stale == nil || len(rep.Stale.Events) != 1 || rep.Stale.Events[0] != "urn:t:ev:late-run" {
		t.Errorf("report: %d %+v %v", resp.StatusCode, rep.Stale, err)
	}
	// A site critmin holds no flowsheet for, and a month without measurements.
	if resp, _ := do(t, "GET", ts.URL+"/refinery?site=urn:x:nowhere&period=2025-10", viewerSecret, nil, html); resp.StatusCode != 404 {
		t.Errorf("unknown site: %d, want 404", resp.StatusCode)
	}
	if resp, b := do(t, "GET", ts.URL+"/refinery?site="+url.QueryEscape(refinery.CorridorSite)+"&period=2025-08", viewerSecret, nil, html); resp.StatusCode != 400 || !strings.Contains(string(b), "no measurements") {
		t.Errorf("month without measurements: %d", resp.StatusCode)
	}
}

// TestBrowserRefineryCloseFromLedger: in Chromium, an operator opens the
// demo corridor's refinery from the refinery page, sees October reconciled
// from the ledger and closes it with the page's form.
func TestBrowserRefineryCloseFromLedger(t *testing.T) {
	ts := MustServe(t, false, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.do("sign in as operator",
		chromedp.Navigate(ts.URL+"/login?next=/refinery"),
		chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), operatorSecret),
		chromedp.Submit(chromedp.CSS(`input[name="token"]`)),
		chromedp.WaitVisible(chromedp.CSS("#corridor-refinery")),
		chromedp.Click(chromedp.CSS("#corridor-refinery")),
		chromedp.WaitVisible(chromedp.CSS("#refinery-from-ledger")),
	)
	if n := p.count("#refinery-close-form"); n != 1 {
		t.Fatalf("%d close forms", n)
	}
	// Only the closed period's page links its signed report.
	// The corridor's October has no degree of freedom (nothing checks the
	// measurements), so the form asks for a reason to close it.
	p.do("close October",
		chromedp.SendKeys(chromedp.CSS(`#refinery-close-form input[name="accept"]`), "illustrative month, no redundant measurements"),
		chromedp.Submit(chromedp.CSS("#refinery-close-form")), chromedp.WaitVisible(chromedp.CSS(`a[href*="format=csv"]`)))
	if n := p.n("#refinery-from-ledger"); n != 0 || !strings.Contains(p.text("main"), "closed by operator") {
		t.Errorf("after the close the page shows: %.300s", p.text("main"))
	}
}

// flowsheetLayoutJS checks the drawings of the refinery page by their
// bounding boxes: in the flowsheet, no two texts overlap, no edge label
// lies over a box, every box's name fits inside its box; each of the 8
// element Sankeys is drawn by ECharts with its labels inside its box and
// apart. It
// returns the faults.
const flowsheetLayoutJS = `(() => {
  const out = [];
  const svg = document.querySelector("#flowsheet-graph svg");
  if (!svg) return ["no flowsheet drawing"];
  const box = e => e.getBoundingClientRect();
  const hit = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const inside = (a, b) => a.left >= b.left - 0.5 && a.right <= b.right + 0.5 && a.top >= b.top - 0.5 && a.bottom <= b.bottom + 0.5;
  const texts = [...svg.querySelectorAll("text")];
  for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++)
    if (hit(box(texts[i]), box(texts[j]))) out.push("texts overlap: " + texts[i].textContent + " / " + texts[j].textContent);
  const rects = [...svg.querySelectorAll("rect.node")];
  for (const l of svg.querySelectorAll("text.edge-label")) for (const r of rects)
    if (hit(box(l), box(r))) out.push("stream label over a box: " + l.textContent);
  for (const r of rects) {
    const a = r.parentNode;
    for (const t of a.querySelectorAll("text")) if (!inside(box(t), box(r))) out.push("name outside its box: " + t.textContent);
  }
  if (svg.querySelectorAll("text.edge-label").length === 0) out.push("no stream labels");
  const sankeys = document.querySelectorAll(".echart.kind-sankey");
  if (sankeys.length !== 8) out.push(sankeys.length + " Sankey charts, want 8");
  for (const s of sankeys) {
    const svg = s.querySelector("svg");
    if (!svg || !s.classList.contains("drawn")) { out.push("Sankey not drawn: " + s.id); continue; }
    const b = box(s);
    const texts = [...svg.querySelectorAll("text")].filter(t => t.textContent.trim() !== "");
    if (texts.length < 2) out.push("Sankey without labels: " + s.id);
    for (const t of texts) if (!inside(box(t), b)) out.push("sankey label clipped: " + t.textContent);
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++)
      if (hit(box(texts[i]), box(texts[j]))) out.push("sankey labels overlap: " + texts[i].textContent + " / " + texts[j].textContent);
  }
  return out;
})()`

// TestBrowserRefineryDrawings: in Chromium at desktop and phone widths,
// the demo flowsheet is laid out by dagre with every unit's full name
// inside its box, every stream labelled (internal ones too), no label
// over a box or another label, and no Sankey label clipped or over another.
func TestBrowserRefineryDrawings(t *testing.T) {
	ts := MustServe(t, true, nil)
	p := page{t: t, ctx: browser(t)}
	for _, width := range []int64{1400, 390} {
		p.viewport(width)
		p.do("refinery page", chromedp.Navigate(ts.URL+"/refinery"), chromedp.WaitVisible(chromedp.CSS("#flowsheet-graph svg")))
		if n := p.chartsDrawn(); n != 9 {
			t.Errorf("%d px: %d charts, want the flowsheet and 8 Sankeys", width, n)
		}
		if faults := eval[[]string](p, flowsheetLayoutJS); len(faults) != 0 {
			t.Errorf("%d px: %d layout faults: %v", width, len(faults), faults)
		}
		if n := p.n("#flowsheet-graph svg text.edge-label"); n < 10 {
			t.Errorf("%d px: %d stream labels, want one per stream", width, n)
		}
	}
}

// chartSpecs reads the chart specs a page hands the browser (the
// data-chart attributes), by id.
func chartSpecs(t *testing.T, page string) map[string]chartSpec {
	t.Helper()
	out := map[string]chartSpec{}
	for _, m := range regexp.MustCompile(`data-chart="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		var c chartSpec
		if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &c); err != nil {
			t.Fatalf("chart spec %.80s: %v", m[1], err)
		}
		out[c.ID] = c
	}
	return out
}

type chartSpec struct {
	ID, Kind, Title string
	Y               struct{ Unit string }
	Nodes           []struct{ Name, Colour string }
	Links           []struct {
		From, To, Colour string
		Value            float64
	}
}

// checkDeportmentCharts: the demo month's page draws one ECharts Sankey
// per element, each link a destination's share of the element's sources
// in % as the reconciliation states it (refinery.Reconcile of the demo
// month, rounded to 0.01 %), the shares summing to 100 % (less the
// destinations under 0.01 % left out of the drawing), in the element's
// commodity colour; each has its table (open without JavaScript) and CSV.
func checkDeportmentCharts(t *testing.T, page string) {
	t.Helper()
	p, err := refinery.DemoMonth()
	if err != nil {
		t.Fatal(err)
	}
	res, err := refinery.Reconcile(p)
	if err != nil {
		t.Fatal(err)
	}
	// The page names streams and stocks; the result keys them by ID.
	idOfName := map[string]string{}
	for _, n := range p.Nodes {
		idOfName[n.Name] = n.ID
	}
	for _, st := range p.Streams {
		idOfName[st.Name] = st.ID
	}
	specs := chartSpecs(t, page)
	if len(res.Accounts) != 8 {
		t.Fatalf("%d elements in the demo month, want 8", len(res.Accounts))
	}
	for _, a := range res.Accounts {
		id := "sankey-" + a.Element
		c, ok := specs[id]
		if !ok || c.Kind != "sankey" || c.Y.Unit != "%" {
			t.Errorf("%s: no Sankey in %% (%+v)", a.Element, c)
			continue
		}
		for _, want := range []string{`id="` + id + `-table"`, `download="` + id + `.csv"`} {
			if !strings.Contains(page, want) {
				t.Errorf("%s: no %s", a.Element, want)
			}
		}
		sum := 0.0
		for _, l := range c.Links {
			// A grown stock is drawn as "<node's name> (stock)" for
			// "stock:<node>", a stream by its name.
			dest := l.To
			if n, ok := strings.CutSuffix(dest, " (stock)"); ok {
				dest = "stock:" + idOfName[n]
			} else {
				dest = idOfName[dest]
			}
			want := math.Round(10000*float64(a.Deportment[dest])) / 100
			if l.From != a.Element+" in" || l.Value != want {
				t.Errorf("%s: link %s → %s %.2f %%, want %.2f %% from %s in", a.Element, l.From, l.To, l.Value, want, a.Element)
			}
			sum += l.Value
		}
		if len(c.Links) == 0 || math.Abs(sum-100) > 0.05 {
			t.Errorf("%s: %d links summing to %.3f %%, want 100 %%", a.Element, len(c.Links), sum)
		}
	}
	// Nd is sold as NdPr oxide: its bands are NdPr oxide's colour on
	// every page (web/colour.go commodityColours), not a colour of its own.
	if c := specs["sankey-Nd"]; len(c.Links) == 0 || c.Links[0].Colour != "#c11574" {
		t.Errorf("Nd bands not in NdPr oxide's colour: %+v", c.Links)
	}
}
