package web_test

import (
	"net/url"
	"strings"
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
		if strings.HasPrefix(path, "/lots/") {
			// New-user finding nu37b-4: the run balance table's figures
			// wrapped one digit a line; each figure is on one line.
			if broken := eval[string](p, brokenFiguresJS); broken != "" {
				t.Errorf("390 px %s: figures broken across lines: %s", path, broken)
			}
			if odd := eval[string](p, assaysAsCardsJS); odd != "" {
				t.Errorf("390 px %s: the Assays table does not read as cards: %s", path, odd)
			}
		}
	}
}

// assaysAsCardsJS says how a lot page's Assays table at 390 px differs
// from the card pattern of the other tables (table.stack, a shipment's
// contents; issue 15, fixJj item 4): its header row shown, a row not a
// block, a cell not a block of its own line, without the name of its
// column (data-label, shown before it), or in a smaller type than the
// page's text (it wrapped in 13 px type). "" when it reads as cards;
// it names a missing table or a table with no assay row.
const assaysAsCardsJS = `(() => {
  const t = document.querySelector('#assays');
  if (!t) return "no #assays table";
  const out = [];
  const rows = [...t.querySelectorAll('tr')];
  if (rows.length < 2) return "no assay row";
  if (getComputedStyle(rows[0]).display !== 'none') out.push("header row shown");
  const body = parseFloat(getComputedStyle(document.querySelector('main')).fontSize);
  rows.slice(1).forEach((r, i) => {
    if (getComputedStyle(r).display !== 'block') out.push("row " + (i+1) + " display " + getComputedStyle(r).display);
    [...r.cells].forEach(c => {
      const cs = getComputedStyle(c);
      if (cs.display !== 'block') out.push("row " + (i+1) + " cell display " + cs.display);
      if (!c.dataset.label) out.push("row " + (i+1) + " cell without its column's name");
      if (parseFloat(cs.fontSize) < body) out.push("row " + (i+1) + " cell in " + cs.fontSize + " type, the page's " + body + " px");
    });
  });
  return [...new Set(out)].join("; ");
})()`

// brokenFiguresJS lists the figures (runs of digits, separators and
// signs) of the lot page's run balance and verdict tables that the
// browser laid out on more than one line; "" when none is.
const brokenFiguresJS = `(() => {
  const out = [];
  document.querySelectorAll('#run-balances td, #verdicts td').forEach(td => {
    const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const re = /[−\-]?\d[\d.,]*/g;
      let m;
      while ((m = re.exec(n.data))) {
        if (m[0].length < 2) continue;
        const r = document.createRange();
        r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        const lines = new Set([...r.getClientRects()].map(x => Math.round(x.top)));
        if (lines.size > 1) out.push(m[0] + " on " + lines.size + " lines");
      }
    }
  });
  return out.join("; ");
})()`
