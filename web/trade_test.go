package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/plan"
	"github.com/shopspring/decimal"
)

// The Trade pages over the demo: contracts, a lot's settlement, the
// printable invoice, the agreement and exposure; the settlement page's form
// issues the REE lot's final invoice and lands on it.
func TestTradePages(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	lot := url.QueryEscape(commercial.DemoREELot1)
	cu := url.QueryEscape(commercial.DemoCopperLot)
	for _, tc := range []struct{ path, want string }{
		{"/trade", "FWO-USSM-CU-2025"},
		{"/trade/contracts/FWO-USSM-CU-2025", "termsheet-json"},
		{"/trade/settlement?contract=FWO-USSM-CU-2025&lot=" + cu, "umpire"},
		{"/trade/settlement?contract=FWO-USSM-REE-2025&lot=" + lot, "issue-final"},
		{"/trade/agreement?as_of=2025-12-01", "on_time"},
		{"/trade/exposure?as_of=2025-10-15", "exposure-days"},
		// No sheet values a Cu-only feed (the API says 422): the page
		// still shows each sheet's reason.
		{"/trade/nsr?grades=Cu:24%25&terms=FWO-USSM-CU-2025&as_of=2025-11-28", "no Au assay"},
	} {
		secret := viewerSecret
		if tc.want == "issue-final" {
			// The invoice form is for those who may submit it.
			secret = operatorSecret
		}
		resp, b := do(t, "GET", ts.URL+tc.path, secret, nil, nil)
		if resp.StatusCode != 200 || !strings.Contains(string(b), tc.want) {
			t.Errorf("%s: %d, want %q in the page", tc.path, resp.StatusCode, tc.want)
		}
	}
	// A viewer is not offered the invoice form it could not submit.
	if resp, b := do(t, "GET", ts.URL+"/trade/settlement?contract=FWO-USSM-REE-2025&lot="+lot, viewerSecret, nil, nil); resp.StatusCode != 200 || strings.Contains(string(b), `action="/trade/invoices"`) {
		t.Errorf("viewer's settlement page: %d, offers the invoice form: %v", resp.StatusCode, strings.Contains(string(b), `action="/trade/invoices"`))
	}
	invs, err := ts.Trade().Invoices(ctx, commercialFilter(commercial.DemoCopperLot))
	if err != nil || len(invs) != 2 {
		t.Fatalf("copper invoices: %v %v", invs, err)
	}
	resp, b := do(t, "GET", ts.URL+"/trade/invoices/"+invs[1].ID, viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Less provisional invoice") || !strings.Contains(string(b), "bizTransaction type inv") {
		t.Errorf("invoice page: %d", resp.StatusCode)
	}
	form := "contract=FWO-USSM-REE-2025&kind=final&lot=" + lot
	resp, b = do(t, "POST", ts.URL+"/trade/invoices", operatorSecret, []byte(form), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if resp.StatusCode != 200 || !strings.Contains(string(b), "Final invoice") {
		t.Errorf("issue from the page: %d %.200s", resp.StatusCode, b)
	}
	resp, _ = do(t, "GET", ts.URL+"/trade/settlement?contract=FWO-USSM-REE-2025&lot=nope", viewerSecret, nil, nil)
	if resp.StatusCode != 404 {
		t.Errorf("unknown lot: %d, want 404", resp.StatusCode)
	}
}

func commercialFilter(lot string) critmin.InvoiceFilter { return critmin.InvoiceFilter{Lot: lot} }

// TestBrowserNSRPage compares the demo copper lot under the demo contract
// and an alternative offer saved for the test (97 % payable, TC 30, no Au
// minimum deduction), as a trader would: the form picks the lot, the
// table puts the line items per dmt side by side with totals, the lot's
// value and the share of contained value each pays, and the CSV link
// downloads the same figures.
func TestBrowserNSRPage(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	offer, err := os.ReadFile("../commercial/demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	alt := strings.Replace(string(offer), `"id": "FWO-USSM-CU-2025"`, `"id": "ALT-CU-OFFER"`, 1)
	alt = strings.Replace(alt, `"payable_pct": 96.5`, `"payable_pct": 97`, 1)
	alt = strings.Replace(alt, `"tc": {"base": 21.25`, `"tc": {"base": 30`, 1)
	if _, err := ts.Trade().SaveContract(ctx, []byte(alt)); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.do("form", chromedp.Navigate(ts.URL+"/trade/nsr?as_of=2025-11-28"), chromedp.WaitVisible(chromedp.CSS("#nsr-form")))
	p.do("choose the copper lot",
		chromedp.SetValue(chromedp.CSS(`#nsr-form select[name="lot"]`), commercial.DemoCopperLot),
		chromedp.Submit(chromedp.CSS("#nsr-form")),
	)
	p.waitURL("lot=")
	p.do("comparison", chromedp.WaitVisible(chromedp.CSS("#nsr-table")))
	if cols := p.count("#nsr-table tr:first-child th"); cols != 3 {
		t.Fatalf("comparison has %d columns; want the row labels and 2 contracts", cols)
	}
	head := p.text("#nsr-table tr:first-child")
	if !strings.Contains(head, "FWO-USSM-CU-2025") || !strings.Contains(head, "ALT-CU-OFFER") {
		t.Errorf("columns %q", head)
	}
	if n := p.count("#nsr-table tr.nsr-line"); n < 4 {
		t.Errorf("%d line rows; want payable Cu and Au, TC and RC at least", n)
	}
	totals := eval[[]string](p, `[...document.querySelectorAll("#nsr-table tr.nsr-total th.num")].map(e => e.textContent.trim())`)
	if len(totals) != 2 || totals[0] == "" || totals[1] == "" || strings.Contains(totals[0]+totals[1], "error") {
		t.Fatalf("NSR totals %q", totals)
	}
	if !strings.Contains(p.text("#nsr-lot-value"), "dmt") {
		t.Errorf("no lot value row: %q", p.text("#nsr-lot-value"))
	}
	href := eval[string](p, `document.getElementById("nsr-csv").getAttribute("href")`)
	if !strings.Contains(href, "format=csv") || !strings.Contains(href, "lot=") {
		t.Fatalf("CSV link %q", href)
	}
	resp, b := do(t, "GET", ts.URL+href, viewerSecret, nil, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	// The CSV's NSR rows are the page's totals (the page shows them to
	// two places with thousands separators).
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	nsr := map[string]string{}
	for _, r := range rows[1:] {
		if r[3] == "total" && r[4] == "nsr" {
			v, _ := decimal.NewFromString(r[7])
			nsr[r[0]] = v.StringFixed(2)
		}
	}
	for i, id := range eval[[]string](p, `[...document.querySelectorAll("#nsr-table tr:first-child th.num a")].map(e => e.textContent.trim())`) {
		if strings.ReplaceAll(totals[i], ",", "") != nsr[id] {
			t.Errorf("%s: page NSR %s, CSV %s", id, totals[i], nsr[id])
		}
	}
	if len(nsr) != 2 {
		t.Errorf("CSV NSR rows %v", nsr)
	}
	// A forecast supply of the planning file is compared on its grades
	// (Saindak: Cu 22 %) under the term sheets of its commodity only.
	resp, b = do(t, "GET", ts.URL+"/trade/nsr?supply=saindak-forecast&as_of=2025-11-28", viewerSecret, nil, nil)
	if page := string(b); resp.StatusCode != 200 || !strings.Contains(page, `id="nsr-table"`) || !strings.Contains(page, "ALT-CU-OFFER") || strings.Contains(page, "FWO-USSM-REE-2025") {
		t.Errorf("supply comparison: %d", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", ts.URL+"/trade/nsr?supply=nope", viewerSecret, nil, nil); resp.StatusCode != 404 {
		t.Errorf("unknown supply: %d, want 404", resp.StatusCode)
	}
}

// With the trade demo stored, the demo planning file's magnet-ndpr
// contract is priced at USSM-NDPR-FLOOR-2025 (the 110 USD/kg floor: 110 000
// USD per t, commercial.TestPlanTermsDemoContract), the plan carries no
// pricing warning, and the term sheet's page shows the latest plan's
// shadow price of magnet-ndpr next to its terms.
func TestTradeContractShadowPrice(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/trade/contracts/USSM-NDPR-FLOOR-2025", viewerSecret, nil, nil)
	if !strings.Contains(string(b), "No finished plan prices a contract") {
		t.Errorf("before any plan the page should say no plan prices it:\n%s", b)
	}
	j, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}})
	if err != nil {
		t.Fatal(err)
	}
	job := waitPlan(t, ts, j.ID)
	p := job.Plans[0]
	for _, w := range p.Warnings {
		if strings.Contains(w, "not stored") {
			t.Errorf("plan warning with the terms stored: %q", w)
		}
	}
	var want []plan.ShadowSummary
	for _, sh := range plan.SummariseShadowPrices(p) {
		if sh.Ref == "magnet-ndpr" {
			want = append(want, sh)
		}
	}
	t.Logf("magnet-ndpr shadow prices: %+v", want)
	_, b = do(t, "GET", ts.URL+"/trade/contracts/USSM-NDPR-FLOOR-2025", viewerSecret, nil, nil)
	page := string(b)
	// At 110 000 USD per t the 3 t maximum binds: selling one more tonne
	// would pay, so contract_max must carry a shadow price.
	if !slices.ContainsFunc(want, func(sh plan.ShadowSummary) bool { return sh.Kind == "contract_max" && sh.Largest > 0 }) {
		t.Fatalf("magnet-ndpr's maximum does not bind at contract terms: %+v", want)
	}
	i := strings.Index(page, `<table id="contract-shadows">`)
	if i < 0 {
		t.Fatalf("no shadow price table:\n%s", page)
	}
	table := page[i : i+strings.Index(page[i:], "</table>")]
	for _, sh := range want {
		// The constraint in words, its key in the cell's title (fix15q).
		row := fmt.Sprintf("<td>baseline</td><td>sale</td><td>magnet-ndpr</td><td title=\"%s\">%s</td><td class=\"num\">%d</td>", sh.Kind, map[string]string{"contract_max": "Contract max", "contract_min": "Contract min"}[sh.Kind], sh.Periods)
		if !strings.Contains(table, row) {
			t.Errorf("table lacks %s:\n%s", row, table)
		}
	}
	// A purchase contract's page shows the shadow price of each supply
	// the plan bought at its terms (supply_max: what one more tonne
	// offered adds, net of its price; plan.TestPurchaseShadowPrice), or
	// names it as priced at 0. Before, a purchase contract showed none.
	purchases := 0
	for _, sp := range p.SupplyPrices {
		if sp.Terms == "" {
			continue
		}
		purchases++
		_, b := do(t, "GET", ts.URL+"/trade/contracts/"+url.PathEscape(sp.Terms), viewerSecret, nil, nil)
		page := string(b)
		nonzero := slices.ContainsFunc(plan.SummariseShadowPrices(p), func(sh plan.ShadowSummary) bool { return sh.Kind == plan.RowSupplyMax && sh.Ref == sp.Supply })
		switch {
		case nonzero && !strings.Contains(page, "<td>baseline</td><td>purchase</td><td>"+sp.Supply+`</td><td title="supply_max">Supply max</td>`):
			t.Errorf("%s's page lacks the purchase row of supply %s", sp.Terms, sp.Supply)
		case !nonzero && !strings.Contains(page, "<code>"+sp.Supply+"</code>"):
			t.Errorf("%s's page does not name supply %s as priced at its terms", sp.Terms, sp.Supply)
		}
	}
	if purchases == 0 {
		t.Error("the demo plan priced no supply at a purchase contract")
	}
}

// Issue 13, third check, item 2: a plan that priced magnet-ndpr at the
// planning file's price (prices as of 30 Nov 2026: every demo price, the
// last of 31 Dec 2025, is stale) does not show its shadow prices as the
// terms': each row says the plan did not use these terms, with the
// plan's warning. Before, the rows read as the terms' shadow prices.
func TestContractShadowNotAtTerms(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	j, err := ts.StartPlan(critminhttp.PlanRequest{Scenarios: []string{"baseline"}, PricesAsOf: "2026-11-30"})
	if err != nil {
		t.Fatal(err)
	}
	p := waitPlan(t, ts, j.ID).Plans[0]
	if !slices.ContainsFunc(p.Warnings, func(w string) bool {
		return strings.HasPrefix(w, "contract magnet-ndpr: not at USSM-NDPR-FLOOR-2025 terms")
	}) {
		t.Fatalf("plan warnings %q: want magnet-ndpr not at terms", p.Warnings)
	}
	_, b := do(t, "GET", ts.URL+"/trade/contracts/USSM-NDPR-FLOOR-2025", viewerSecret, nil, nil)
	page := string(b)
	i := strings.Index(page, `<table id="contract-shadows">`)
	if i < 0 {
		t.Fatalf("no shadow price table:\n%s", page)
	}
	table := page[i : i+strings.Index(page[i:], "</table>")]
	rows := strings.Count(table, "<td>magnet-ndpr</td>")
	if rows == 0 || strings.Count(table, "plan did not use these terms: contract magnet-ndpr: not at USSM-NDPR-FLOOR-2025 terms") != rows {
		t.Errorf("%d magnet-ndpr rows, each should say the plan did not use these terms:\n%s", rows, table)
	}
}
