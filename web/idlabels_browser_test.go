package web_test

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/critmin/critmin/demo"
)

// TestBrowserIDLabelsFitAtTwoWidths (issue 15, fix15r item 4): at 1,400
// and 390 px, the pages whose links and headings now read a label with
// the identifier after it — the lots list, the events list, a lot page,
// a shipment page, an event page — do not scroll sideways, and each
// heading lies within the viewport.
func TestBrowserIDLabelsFitAtTwoWidths(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	for _, w := range []int64{1400, 390} {
		p.viewport(w)
		for _, path := range []string{"/lots", "/events", "/lots/" + url.PathEscape("urn:critmin:demo:lot:REE-2025-001"),
			"/shipments/" + url.PathEscape("urn:critmin:demo:container:MSKU1234565"), "/events/" + url.PathEscape("urn:critmin:demo:event:014")} {
			p.do(path, chromedp.Navigate(ts.URL+path))
			p.poll(path, func() (bool, error) {
				return chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && document.querySelector('h1') !== null`))
			})
			if sideways := eval[bool](p, `document.documentElement.scrollWidth > window.innerWidth + 1`); sideways {
				t.Errorf("%s at %d px scrolls sideways (%d px wide)", path, w, eval[int](p, `document.documentElement.scrollWidth`))
			}
			if off := eval[bool](p, `document.querySelector('h1').getBoundingClientRect().right > window.innerWidth + 1`); off {
				t.Errorf("%s at %d px: the heading runs past the viewport", path, w)
			}
		}
	}
}
