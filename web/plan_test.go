package web_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/refinery"
)

// TestPlanForm posts bad plan forms: the API's checks, shown on an error
// page, and no job is left behind.
func TestPlanForm(t *testing.T) {
	ts := MustServe(t, true, nil)
	// The page's form: the same checks, shown on an error page.
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for _, body := range []string{"scenario=no-such", "scenario=baseline&gap=abc", "scenario=baseline&gap=150"} {
		resp, b := do(t, "POST", ts.URL+"/plans", operatorSecret, []byte(body), form)
		if resp.StatusCode != 400 || !strings.Contains(string(b), "Bad Request") {
			t.Errorf("form %q: %d", body, resp.StatusCode)
		}
	}
	// Unknown fields are refused by name, not dropped (issue 14), on
	// every fixed-field form: plans, period close, invoice, token.
	for _, c := range []struct{ path, body, field string }{
		{"/plans", "x=1", `"x"`},
		{"/plans", "scenario=baseline&time_limit_seconds=1e9", `"time_limit_seconds"`},
		{"/refinery/close", "site=s&period=2026-10&force=1", `"force"`},
		{"/trade/invoices", "contract=c&lot=l&kind=final&amount=1", `"amount"`},
		{"/tokens", "name=n&role=viewer&secret=s", `"secret"`},
	} {
		resp, b := do(t, "POST", ts.URL+c.path, adminSecret, []byte(c.body), form)
		if resp.StatusCode != 400 || !strings.Contains(string(b), "Bad Request") || !strings.Contains(string(b), "unknown field") || !strings.Contains(string(b), strings.ReplaceAll(c.field, `"`, "&#34;")) {
			t.Errorf("%s %q: %d %.300s", c.path, c.body, resp.StatusCode, b)
		}
	}
	if jobs := ts.PlanJobs(); len(jobs) != 0 {
		t.Fatalf("a rejected form left %d jobs", len(jobs))
	}
}

// TestBrowserPlanPage opens the plan page as a planner would: the first
// visit starts a plan of every scenario; the job page shows progress, then
// the KPI comparison, the flow diagram from mines to buyers, shadow prices
// and binding constraints, and a scenario and a period can be chosen.
func TestBrowserPlanPage(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.do("plans page", chromedp.Navigate(ts.URL+"/plans"), chromedp.WaitVisible(chromedp.CSS("#plan-jobs")))
	if n := p.count("#plan-jobs a"); n != 1 {
		t.Fatalf("first visit started %d jobs; want 1", n)
	}
	// Seven MIPs with campaign binaries can outlast one browser session's
	// deadline on a loaded machine: wait for the job on the server, then
	// read the page in a fresh session.
	waitUntil(t, "the plan job finished", func() bool {
		jobs := ts.PlanJobs()
		return len(jobs) == 1 && jobs[0].Status != "running"
	})
	p = page{t: t, ctx: browser(t)}
	p.do("plans page again", chromedp.Navigate(ts.URL+"/plans"), chromedp.WaitVisible(chromedp.CSS("#plan-jobs")))
	// Navigate rather than click: a click returns before the next page
	// replaces this one, and an element of the old page could answer the
	// wait.
	jobURL := ts.URL + "/plans/" + ts.PlanJobs()[0].ID
	p.do("job page", chromedp.Navigate(jobURL), chromedp.WaitVisible(chromedp.CSS("#plan-compare")))
	if cols := p.count("#plan-compare tr:first-child th"); cols != 8 {
		t.Errorf("comparison has %d columns; want KPI + the baseline and 6 scenarios", cols)
	}
	if status, margin := p.text("#plan-status"), p.text("#plan-margin"); status != "optimal" || strings.HasPrefix(margin, "-") || strings.HasPrefix(margin, "−") || margin == "0" {
		t.Errorf("baseline shows status %q margin %q", status, margin)
	}
	p.chartsDrawn()
	// Every site the plan uses, and the flows' sources and sinks (fix15w):
	// supplies, the lines, the offtakes, the spot market, the stock.
	if sites, edges := eval[int](p, `JSON.parse(document.getElementById("flow-diagram").dataset.chart).nodes.filter(n => !["source", "sink", "line", "products"].includes(n.kind)).length`), p.count("#flow-diagram-table tr"); sites != 10 || edges < 9 {
		t.Errorf("flow diagram has %d sites and %d table rows; want 10 and a header and at least 8 flows", sites, edges)
	}
	// One band per lane and commodity, each in its commodity's colour
	// (nu15 #13): no grey "several commodities" band, and the table and
	// the diagram name the same flows.
	if grey := eval[int](p, `JSON.parse(document.getElementById("flow-diagram").dataset.chart).links.filter(l => l.colour === "#98a2b3").length`); grey != 0 {
		t.Errorf("%d grey flow bands", grey)
	}
	if links, rows := eval[int](p, `JSON.parse(document.getElementById("flow-diagram").dataset.chart).links.length`), p.count("#flow-diagram-table tr")-1; links != rows {
		t.Errorf("flow diagram draws %d bands for %d flows", links, rows)
	}
	if rows := p.count("#shadow-table tr"); rows < 3 {
		t.Errorf("shadow prices table has %d rows", rows)
	}
	if !strings.Contains(p.text("#shadow-table"), "Line capacity") {
		t.Errorf("no refinery capacity among shadow prices: %s", p.text("#shadow-table"))
	}
	// Every supply shows its purchase price and where it came from: the
	// demo's forecasts from the planning file, its ledger lots (no
	// purchase contract is stored here) from the price table.
	from := eval[[]string](p, `[...document.querySelectorAll("#supply-price-table td.price-from")].map(e => e.textContent.trim())`)
	if len(from) < 5 || !slices.Contains(from, "planning file") || !slices.Contains(from, "price table") || slices.Contains(from, "") {
		t.Errorf("supply prices from %q", from)
	}
	links := eval[[]string](p, `[...document.querySelectorAll("#supply-price-table a.nsr-link")].map(e => e.getAttribute("href"))`)
	if len(links) != len(from) {
		t.Errorf("%d of %d supplies link to their NSR comparison", len(links), len(from))
	}
	// Each link opens a comparison (a ledger lot's by its lot, a
	// forecast's by its supply id): no dead link.
	for _, href := range links {
		if resp, _ := do(t, "GET", ts.URL+href, viewerSecret, nil, nil); resp.StatusCode != 200 {
			t.Errorf("%s: %d", href, resp.StatusCode)
		}
	}
	if n := p.count(`#plan-compare a[href*="karachi-closed"]`); n != 1 {
		t.Errorf("comparison links the karachi-closed scenario %d times", n)
	}
	p.do("karachi closed", chromedp.Navigate(jobURL+"?scenario=karachi-closed"), chromedp.WaitVisible(chromedp.CSS("#plan-title")))
	if title := p.text("#plan-title"); !strings.Contains(title, "karachi-closed") {
		t.Errorf("scenario page title %q", title)
	}
	// The scenario's raw solver log is on the page (CBC's message codes)
	// with links to download it and the whole job's.
	if log := eval[string](p, `document.querySelector("#solver-log pre").textContent`); !strings.Contains(log, "==== MIP (CBC)") || !strings.Contains(log, "Cbc0") {
		t.Errorf("solver log on the page: %.300q", log)
	}
	if href := eval[string](p, `document.getElementById("solver-log-download").getAttribute("href")`); !strings.HasSuffix(href, "/log?scenario=karachi-closed") {
		t.Errorf("log download link %q", href)
	}
	if n := p.count(`select[name="period"] option[value="10"]`); n != 1 {
		t.Errorf("the period form offers week 10 %d times", n)
	}
	p.do("one week", chromedp.Navigate(jobURL+"?scenario=karachi-closed&period=10"), chromedp.WaitVisible(chromedp.CSS("#flow-diagram")))
	// Week 10 is inside Karachi's closure: nothing leaves or enters it.
	p.chartsDrawn()
	if n := eval[int](p, `JSON.parse(document.getElementById("flow-diagram").dataset.chart).nodes.filter(n => n.id === "karachi").length`); n != 0 {
		t.Errorf("%d flows through closed Karachi in week 10", n)
	}
	if edges := eval[int](p, `JSON.parse(document.getElementById("flow-diagram").dataset.chart).links.length`); edges < 3 {
		t.Errorf("week 10 shows %d bands; want the flows through Port Qasim and onward", edges)
	}
}

// TestPlanPageMeasuredYields: with the demo refinery month closed and the
// demo network's Missouri plant at the demo refinery's site, the plan page
// lists the three measured line recoveries in per cent with the planning
// file's figure, the period (2025-10) and the close record they come
// from; a plan without closed periods says the file's recoveries are used.
func TestPlanPageMeasuredYields(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	j, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}})
	if err != nil {
		t.Fatal(err)
	}
	waitPlan(t, ts, j.ID)
	_, b0 := do(t, "GET", ts.URL+"/plans/"+j.ID, viewerSecret, nil, nil)
	if !strings.Contains(string(b0), "Every line recovery is the planning file") {
		t.Errorf("plan without measured yields:\n%s", b0)
	}
	// No trade demo here: the NdPr contract's term sheet is not stored,
	// so it keeps the file's 72 000 USD per t and the page says so.
	if !strings.Contains(string(b0), `id="plan-warnings"`) || !strings.Contains(string(b0), "term sheet USSM-NDPR-FLOOR-2025 not stored; priced at the planning file&#39;s price 72000 USD per t") {
		t.Errorf("plan page lacks the missing-term-sheet warning:\n%s", b0)
	}

	n := plan.Demo().Clone()
	for i := range n.Sites {
		if n.Sites[i].ID == "refinery-mo" {
			n.Sites[i].Location = "urn:critmin:demo:site:pk-refinery"
		}
	}
	ts.SetPlanNetwork(n)
	month, err := refinery.DemoMonth()
	if err != nil {
		t.Fatal(err)
	}
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	// The installation's key: the store refuses records signed by any other.
	any(ts.Store).(interface{ TrustPeriodKeys(...ed25519.PublicKey) }).TrustPeriodKeys(pub)
	rec, _, err := refinery.ClosePeriod(ctx, ts.Store, month, refinery.Actor{Name: "metallurgist", Role: critmin.RoleOperator}, "", key, time.Date(2025, 11, 3, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	j, err = ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}})
	if err != nil {
		t.Fatal(err)
	}
	job := waitPlan(t, ts, j.ID)
	ys := job.Plans[0].MeasuredYields
	if len(ys) != 3 {
		t.Fatalf("%d measured yields; want 3", len(ys))
	}
	_, b := do(t, "GET", ts.URL+"/plans/"+j.ID, viewerSecret, nil, nil)
	page := string(b)
	i := strings.Index(page, `id="measured-yields"`)
	if i < 0 {
		t.Fatalf("no measured yields table:\n%s", page)
	}
	table := page[i : i+strings.Index(page[i:], "</table>")]
	if n := strings.Count(table, "<tr>"); n != 4 {
		t.Errorf("table has %d rows; want a header and 3 yields:\n%s", n, table)
	}
	for _, y := range ys {
		// A recovery is shown in per cent with two decimals: 0.9512 → 95.12 %.
		want := fmt.Sprintf("<td>%s → %s</td><td class=\"num\">%s %%</td>", y.Output.Element, y.Output.Product, strconv.FormatFloat(math.Round(y.Measured.Recovery*10000)/100, 'f', -1, 64))
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %s:\n%s", want, table)
		}
	}
	if !strings.Contains(table, "<td>2025-10</td>") || !strings.Contains(table, rec.Hash[len(rec.Hash)-20:]) {
		t.Errorf("table does not name the period and the close record %s:\n%s", rec.Hash, table)
	}
}

// waitPlan waits for a plan job to finish successfully.
func waitPlan(t *testing.T, ts *testServer, id string) *critminhttp.PlanJob {
	t.Helper()
	var j *critminhttp.PlanJob
	waitUntil(t, "plan job "+id+" finished", func() bool {
		j = ts.FindPlanJob(id)
		return j != nil && j.Status != critmin.PlanRunning
	})
	if j.Status != critmin.PlanSuccess {
		t.Fatalf("plan job %s: %s %s", id, j.Status, j.Error)
	}
	return j
}
