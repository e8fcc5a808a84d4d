package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
)

// TestBrowserDemoCorridor walks the demo corridor as a user would: the
// overview, the lot list, an NdPr oxide lot and the concentrate it came
// from, the event browser, then signing in and capturing a document.
func TestBrowserDemoCorridor(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}

	p.do("overview", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS("#corridor-map")))
	if events, transit := p.text("#stat-events"), p.text("#stat-transit"); events != "29" || transit != "89.9" {
		t.Errorf("overview shows %s events and %s t in transit; want 29 and 89.9", events, transit)
	}
	p.chartsDrawn()
	if sites, flows := eval[int](p, `JSON.parse(document.getElementById("corridor-map").dataset.chart).nodes.length`), eval[int](p, `JSON.parse(document.getElementById("corridor-map").dataset.chart).links.length`); sites != 9 || flows < 6 {
		t.Errorf("map has %d sites and %d flows; want 9 and at least 6", sites, flows)
	}
	// The table lists every site, all 9 drawn: the magnet maker in Fort
	// Worth has its coordinates (fix15j), so none is named under the map;
	// then every line the map draws (fix15x item 5).
	links := eval[int](p, `JSON.parse(document.getElementById("corridor-map").dataset.chart).links.length`)
	if rows := p.count("#corridor-map-table tr"); rows != 10+links {
		t.Errorf("map table has %d rows; want a header, 9 sites and %d lines", rows, links)
	}
	if n := p.n("#map-unplaced a"); n != 0 {
		t.Errorf("%d sites named under the map as not drawn; want 0 (every demo site has coordinates)", n)
	}
	if n := p.count("#corridor-map svg path"); n < 50 {
		t.Errorf("map drew %d paths; want the countries and the flows", n)
	}

	p.do("lot list to NdPr lot",
		chromedp.Navigate(ts.URL+"/lots?commodity=ndpr_oxide"),
		chromedp.Click(chromedp.CSS(`#lots a[href*="NDPR-2025-001"]`)),
		chromedp.WaitVisible(chromedp.CSS("#lot-id")),
	)
	if id, parents := p.text("#lot-id"), p.count("#parents a"); id != "urn:critmin:demo:lot:NDPR-2025-001" || parents != 2 {
		t.Fatalf("NdPr lot page: id %q, %d parent links", id, parents)
	}
	p.do("parent concentrate lot", chromedp.Click(chromedp.CSS(`#parents a[href*="REE-2025-001"]`)), chromedp.WaitVisible(chromedp.CSS("#timeline")))
	if origin, dry, n := p.text("#origin"), p.text("#dry"), p.count("#timeline li"); !strings.Contains(origin, "Pakistan") || dry != "22.954 dmt" || n != 12 {
		t.Errorf("REE lot page: origin %q, dry %q, %d timeline entries; want Pakistan, 22.954 dmt, 12", origin, dry, n)
	}

	p.do("event browser",
		chromedp.Navigate(ts.URL+"/events"),
		chromedp.SetValue(chromedp.CSS(`select[name="EQ_bizStep"]`), "shipping"),
		chromedp.Submit(chromedp.CSS("#event-filters")),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/epcis/events?EQ_bizStep=shipping&perPage=30"]`)),
	)
	if rows := p.text("table.events"); strings.Count(rows, "Shipping") != 4 || strings.Contains(rows, "Receiving") {
		t.Errorf("shipping filter shows:\n%s", rows)
	}

	p.do("event browser paging",
		chromedp.Navigate(ts.URL+"/events?perPage=3"),
		chromedp.Click(chromedp.CSS("#next-page")),
		chromedp.WaitVisible(chromedp.CSS(`a[href*="nextPageToken"]`)),
	)
	if n := p.count("table.events tr"); n != 4 {
		t.Errorf("second page has %d rows; want a header and 3 events", n)
	}
	p.do("digital-link lot", chromedp.Navigate(ts.URL+"/lots?commodity=copper_concentrate"), chromedp.Click(chromedp.CSS(`#lots a[href*="id.gs1.org"]`)), chromedp.WaitVisible(chromedp.CSS("#lot-id")))
	if id := p.text("#lot-id"); id != "https://id.gs1.org/01/09520123456788/10/CU2025001" {
		t.Errorf("digital-link lot page shows %q", id)
	}

	p.do("sign in",
		chromedp.Navigate(ts.URL+"/login?next=/capture"),
		chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), operatorSecret),
		chromedp.Submit(chromedp.CSS(`input[name="token"]`)),
		chromedp.WaitVisible(chromedp.CSS("#capture-form")),
	)
	p.do("capture an invalid document",
		chromedp.SetValue(chromedp.CSS(`textarea[name="document"]`), badDoc),
		chromedp.Submit(chromedp.CSS("#capture-form")),
		chromedp.WaitVisible(chromedp.CSS("#capture-errors")),
	)
	if errs := p.text("#capture-errors"); !strings.Contains(errs, "/epcisBody/eventList/0/eventTime") {
		t.Errorf("capture errors do not name the field: %q", errs)
	}
	// Each error once: the headline does not quote the first error
	// ("First: …") that the list under it gives.
	if twice := eval[[]string](p, `(() => { const box = document.querySelector("#capture-errors"); const all = box.innerText;
	  return [...box.querySelectorAll("li")].map(li => li.innerText).filter(s => all.split(s).length - 1 !== 1); })()`); len(twice) > 0 {
		t.Errorf("capture errors shown more than once: %q in %q", twice, p.text("#capture-errors"))
	}
	if head := p.text("#capture-errors strong"); strings.Contains(head, "First") || !strings.Contains(head, "nothing was stored") {
		t.Errorf("capture errors' headline reads %q", head)
	}
	p.do("capture a valid document",
		chromedp.SetValue(chromedp.CSS(`textarea[name="document"]`), goodDoc),
		chromedp.Submit(chromedp.CSS("#capture-form")),
		chromedp.WaitVisible(chromedp.CSS("#job-outcome")),
	)
	if outcome := p.text("#job-outcome"); !strings.Contains(outcome, "Success: 1 of 1 event stored") {
		t.Errorf("job outcome %q", outcome)
	}
}

const goodDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-11-20T00:00:00Z", "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventTime": "2025-11-20T10:00:00.000+05:00",
 "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "arriving", "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-003", "quantity": 30000, "uom": "KGM"}],
 "bizLocation": {"id": "urn:critmin:demo:site:houston"}}]}}`

var badDoc = strings.Replace(goodDoc, `"eventTime": "2025-11-20T10:00:00.000+05:00",`, "", 1)
