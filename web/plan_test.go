package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
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
	for deadline := time.Now().Add(8 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		jobs := ts.PlanJobs()
		if len(jobs) == 1 && jobs[0].Status != "running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the plan job did not finish in eight minutes")
		}
	}
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
	if status, margin := p.text("#plan-status"), p.text("#plan-margin"); status != "optimal" || strings.HasPrefix(margin, "-") || margin == "0" {
		t.Errorf("baseline shows status %q margin %q", status, margin)
	}
	p.chartsDrawn()
	if nodes, edges := eval[int](p, `JSON.parse(document.getElementById("flow-diagram").dataset.chart).nodes.length`), p.count("#flow-diagram-table tr"); nodes != 10 || edges < 9 {
		t.Errorf("flow diagram has %d sites and %d table rows; want 10 and a header and at least 8 flows", nodes, edges)
	}
	if rows := p.count("#shadow-table tr"); rows < 3 {
		t.Errorf("shadow prices table has %d rows", rows)
	}
	if !strings.Contains(p.text("#shadow-table"), "line_capacity") {
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
