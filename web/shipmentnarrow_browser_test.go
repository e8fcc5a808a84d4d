package web_test

import (
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/critmin/critmin/demo"
)

// TestBrowserShipmentContentsAt390 (nu15f item 10): at 390 px the
// contents table of bill of lading KHI-HOU-2025-0901 showed only its Lot
// and Commodity columns (the rest scrolled off) in very tall rows. Each
// lot is a card: every cell visible within the screen's width, with its
// column's name, and the page does not scroll sideways. Four rows of
// nine columns (fix15l added Owners and custodians): 36 cells.
func TestBrowserShipmentContentsAt390(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.viewport(390)
	p.do("shipment", chromedp.Navigate(ts.URL+"/shipments/"+url.PathEscape("urn:critmin:demo:bol:KHI-HOU-2025-0901")))
	p.poll("contents", func() (bool, error) {
		return chromedp.Run(p.ctx, chromedp.Evaluate[bool](`document.readyState === "complete" && document.querySelector('#shipment-lots') !== null`))
	})
	// Cells of the lot rows lying (partly) beyond the viewport's right edge.
	off := eval[int](p, `[...document.querySelectorAll('#shipment-lots td')].filter(td => { const r = td.getBoundingClientRect(); return r.width === 0 || r.right > window.innerWidth + 1; }).length`)
	cells := eval[int](p, `document.querySelectorAll('#shipment-lots td').length`)
	labelled := eval[int](p, `[...document.querySelectorAll('#shipment-lots td')].filter(td => getComputedStyle(td, '::before').content.includes(':')).length`)
	sideways := eval[bool](p, `document.documentElement.scrollWidth > window.innerWidth + 1`)
	// 3 lots and the total received, 8 columns each (Loss (%) since
	// fix15g item 2).
	if cells != 4*9 || off != 0 || labelled != cells || sideways {
		t.Errorf("at 390 px: %d cells (want 36), %d off-screen, %d labelled, page scrolls sideways %v", cells, off, labelled, sideways)
	}
}
