package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDeclareInError is an operator in headless Chromium declaring
// a shipment in error from its event page (issue 15, fix15z): the form
// fits 390 px, the preview names the lot and shows the errorDeclaration,
// the confirmation lands on the event page marked declared in error, with
// no form left.
func TestBrowserDeclareInError(t *testing.T) {
	ts := MustServe(t, false, nil)
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(declareDoc), nil); resp.StatusCode != 202 {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	p := page{t: t, ctx: browser(t)}
	evPage := ts.URL + "/events/" + url.PathEscape("urn:t:ev:D2")
	p.do("sign in", chromedp.Navigate(ts.URL+"/login?next="+url.QueryEscape("/events/urn:t:ev:D2")))
	p.waitFor(`input[name="token"]`)
	p.do("sign in", chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), operatorSecret), chromedp.Submit(chromedp.CSS(`input[name="token"]`)))
	p.waitURL("/events/")
	p.waitFor("#declare-form")
	for _, width := range []int64{390, 1400} {
		p.viewport(width)
		if over := eval[int](p, `document.documentElement.scrollWidth - window.innerWidth`); over > 1 {
			t.Errorf("%d px: the event page with its form is %d px wider than the window", width, over)
		}
	}
	p.do("fill the declaration",
		chromedp.SetValue(chromedp.CSS("#in-reason"), "did_not_occur"),
		chromedp.SetValue(chromedp.CSS("#in-corrective"), "urn:t:ev:D2c"),
		chromedp.Click(chromedp.CSS("#declare-preview-button")),
	)
	p.waitFor("#declare-confirm")
	if lots := p.text("#declare-lots"); !strings.Contains(lots, "20 t") {
		t.Errorf("the preview's lots read %q; want the shipment's 20 t of lot D", lots)
	}
	if doc := p.text("#declare-preview"); !strings.Contains(doc, `"reason": "did_not_occur"`) || !strings.Contains(doc, `"eventID": "urn:t:ev:D2"`) {
		t.Errorf("the preview's document reads\n%s", doc)
	}
	p.do("confirm", chromedp.Click(chromedp.CSS("#declare-confirm")))
	p.waitFor("#event-declared")
	if u := eval[string](p, `location.href`); u != evPage {
		t.Errorf("the confirmation led to %s; want %s", u, evPage)
	}
	if d := p.text("#event-declared"); !strings.Contains(d, "did not occur") || !strings.Contains(d, "Corrected by") {
		t.Errorf("the event page's declaration reads %q", d)
	}
	if p.n("#declare-form") != 0 || p.n("#declare-done") != 1 {
		t.Error("the declared event's page still offers the form, or does not say it is declared already")
	}
}
