package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserDeclareSeveral is an operator in headless Chromium declaring
// three events in error in one go from the first one's page (issue 15
// §1): the form and the preview, which shows each event to be declared,
// fit 390 and 1,400 px; a confirmation declares all three.
func TestBrowserDeclareSeveral(t *testing.T) {
	ts := MustServe(t, false, nil)
	for _, d := range []string{declareDoc, declareManyDoc} {
		if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(d), nil); resp.StatusCode != 202 {
			t.Fatalf("capture: %d %s", resp.StatusCode, b)
		}
	}
	p := page{t: t, ctx: browser(t)}
	fits := func(what string) {
		t.Helper()
		for _, width := range []int64{390, 1400} {
			p.viewport(width)
			if over := eval[int](p, `document.documentElement.scrollWidth - window.innerWidth`); over > 1 {
				t.Errorf("%d px: %s is %d px wider than the window", width, what, over)
			}
		}
	}
	p.do("sign in", chromedp.Navigate(ts.URL+"/login?next="+url.QueryEscape("/events/urn:t:ev:E1")))
	p.waitFor(`input[name="token"]`)
	p.do("sign in", chromedp.SendKeys(chromedp.CSS(`input[name="token"]`), operatorSecret), chromedp.Submit(chromedp.CSS(`input[name="token"]`)))
	p.waitURL("/events/")
	p.waitFor("#in-also")
	fits("the event page with its form")
	p.do("fill the declaration",
		chromedp.SetValue(chromedp.CSS("#in-reason"), "incorrect_data"),
		chromedp.SetValue(chromedp.CSS("#in-also"), "urn:t:ev:E2\nurn:t:ev:D2"),
		chromedp.Click(chromedp.CSS("#declare-preview-button")),
	)
	p.waitFor("#declare-confirm")
	fits("the preview of three events")
	if c := p.text("#declare-count"); !strings.Contains(c, "3 events are declared in error together") {
		t.Errorf("the preview's count reads %q", c)
	}
	if a := p.text("#declare-also-1"); !strings.Contains(a, "urn:t:ev:E2") || !strings.Contains(a, "Inspecting") {
		t.Errorf("the preview's second event reads %q; want the inspection E2", a)
	}
	if a := p.text("#declare-also-2"); !strings.Contains(a, "urn:t:ev:D2") || !strings.Contains(a, "20 t") {
		t.Errorf("the preview's third event reads %q; want the shipment D2 of 20 t", a)
	}
	if doc := p.text("#declare-preview"); strings.Count(doc, `"errorDeclaration"`) != 3 {
		t.Errorf("the preview's document holds %d declarations; want 3:\n%s", strings.Count(doc, `"errorDeclaration"`), doc)
	}
	p.do("confirm", chromedp.Click(chromedp.CSS("#declare-confirm")))
	p.waitFor("#event-declared")
	for _, id := range []string{"urn:t:ev:E2", "urn:t:ev:D2"} {
		p.do("open "+id, chromedp.Navigate(ts.URL+"/events/"+url.PathEscape(id)))
		p.waitFor("#declare-done")
		if d := p.text("#event-declared"); !strings.Contains(d, "incorrect data") {
			t.Errorf("%s's declaration reads %q", id, d)
		}
	}
}
