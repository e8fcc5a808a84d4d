package web_test

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/critmin/critmin/demo"
)

// TestBrowserTablesFitAt390 (issue 15, fixCc item 4): at 390 px the
// Assays table of a demo lot was 936 px wide (scrolling sideways inside
// itself), its verdicts 404 px and a shipment's dry grades 602 px. No
// shown table of a lot page, a shipment page (a bill of lading's and a
// container's) or an event page is wider than the window
// (wideTablesJS); TestBrowserPagesAtTwoWidths checks the same on its
// pages.
func TestBrowserTablesFitAt390(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.viewport(390)
	for _, path := range []string{
		"/lots/" + url.PathEscape("urn:critmin:demo:lot:REE-2025-001"),
		"/lots/" + url.PathEscape("urn:critmin:demo:lot:REE-2025-002"),
		"/lots/" + url.PathEscape("urn:critmin:demo:lot:NDPR-2025-001"),
		"/shipments/" + url.PathEscape("urn:critmin:demo:bol:KHI-HOU-2025-0901"),
		"/shipments/" + url.PathEscape("urn:critmin:demo:container:MSKU1234565"),
		"/events/" + url.PathEscape("urn:critmin:demo:event:014"),
		"/events/" + url.PathEscape("urn:critmin:demo:event:024"),
	} {
		p.do(path, chromedp.Navigate(ts.URL+path), chromedp.WaitVisible(chromedp.CSS("main")))
		if n := p.n("main table"); n == 0 {
			t.Errorf("390 px %s: no table to check", path)
		}
		if wide := eval[string](p, wideTablesJS); wide != "" {
			t.Errorf("390 px %s: tables wider than the window: %s", path, wide)
		}
	}
}
