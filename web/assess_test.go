package web_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
)

// TestBrowserRiskDashboard opens the dashboard as an analyst would and
// reads the numbers it shows against the hand-worked rare-earth 2024 case.
func TestBrowserRiskDashboard(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.do("dashboard", chromedp.Navigate(ts.URL+"/risk"), chromedp.WaitVisible(chromedp.CSS("#share-map")))
	if hhi, top := p.text("#risk-hhi"), p.text("#risk-top1"); hhi != "5,192.4" || top != "70.3 %" {
		t.Errorf("rare earths 2024: HHI %q top-1 %q; want 5,192.4 and 70.3 %%", hhi, top)
	}
	p.chartsDrawn()
	if n := eval[int](p, `JSON.parse(document.getElementById("share-map").dataset.chart).regions.length`); n != 12 {
		t.Errorf("map fills %d countries; want the 12 producers", n)
	}
	// The colour scale states its unit: its ends read "0 %" and the top
	// share (China's 70.3 % of 2024 mine production) in %, and its name
	// and unit are written under it.
	if scale := eval[string](p, `(() => { const o = echarts.getInstanceByDom(document.getElementById("share-map")).getOption(); return o.visualMap[0].text.join(" | ") + " | " + (o.title && o.title[0] ? o.title[0].text : ""); })()`); !strings.HasPrefix(scale, "70.3 % | 0 % | share of ") || !strings.HasSuffix(scale, " production 2024 (%)") {
		t.Errorf("map scale reads %q; want its ends in %% and its name with the unit", scale)
	}
	if n := p.count("#share-bars-table tr"); n != 13 { // header, 10 countries, the rest in one bar, USGS's unnamed Other
		t.Errorf("%d bar rows; want a header, 10 countries, the rest and USGS's Other", n)
	}
	if n := p.count("#hhi-chart-table tr"); n != 4 {
		t.Errorf("HHI table has %d rows; want a header and 3 years", n)
	}
	if n := eval[int](p, `JSON.parse(document.getElementById("hhi-chart").dataset.chart).series.map(s => s.data.length).reduce((a, b) => a + b, 0)`); n != 6 {
		t.Errorf("HHI chart has %d points; want 3 years × 2 lines", n)
	}
	if n := p.count("#ledger-sourcing tr"); n < 4 {
		t.Errorf("ledger sourcing has %d rows", n)
	}
	p.do("antimony with a corridor",
		chromedp.SetValue(chromedp.CSS(`#risk-form select[name="commodity"]`), "antimony"),
		chromedp.Submit(chromedp.CSS("#risk-form")),
	)
	p.waitURL("commodity=antimony")
	p.do("corridor form",
		chromedp.WaitVisible(chromedp.CSS("#stockpile-chart")),
		chromedp.SetValue(chromedp.CSS(`#corridor-form input[name="tonnes"]`), "1000"),
		chromedp.SetValue(chromedp.CSS(`#corridor-form input[name="us_imports"]`), "4000"),
		chromedp.Submit(chromedp.CSS("#corridor-form")),
	)
	p.waitURL("us_imports=4000")
	p.do("corridor table", chromedp.WaitVisible(chromedp.CSS("#corridor-table")))
	if row := p.text("#corridor-table tr:nth-child(2)"); !strings.Contains(row, "3,269 → 2,492.2") {
		t.Errorf("corridor row %q; want US import HHI 3,269 → 2,492.2", row)
	}
	// Only the two scenarios that touch antimony (licensing, the US ban),
	// not the rare-earth ones.
	if n := p.count("#scenario-table tr"); n != 3 {
		t.Errorf("scenario table has %d rows; want a header and the 2 antimony scenarios", n)
	}
	if txt := p.text("#scenario-table"); strings.Contains(txt, "rare-earth") || strings.Contains(txt, "rare earths") {
		t.Errorf("antimony page lists a rare-earth scenario: %q", txt)
	}
	p.chartsDrawn()
	if n := eval[int](p, `JSON.parse(document.getElementById("stockpile-chart").dataset.chart).bands.length`); n != 1 {
		t.Errorf("stockpile chart has %d bands", n)
	}
	// The two headline cards are medians with their bands; the
	// deterministic case is named, beside its band.
	if txt := p.text("#stockpile-days"); !strings.HasSuffix(txt, " days") {
		t.Errorf("coverage card %q", txt)
	}
	if txt := p.text("#stockpile-deterministic"); !strings.HasPrefix(txt, "Deterministic case") || !strings.Contains(txt, "band") {
		t.Errorf("deterministic case %q", txt)
	}
	resp, b := do(t, "GET", ts.URL+"/risk?commodity=antimony&year=1990", "", nil, nil)
	if resp.StatusCode != http.StatusNotFound || !strings.Contains(string(b), "no mine antimony data for 1990") {
		t.Errorf("missing year page: %d", resp.StatusCode)
	}
}
