package web_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// Issue 13, new-user check (fix13h, 6): on /trade/nsr the reason a
// contract cannot be valued (its price series stale) was drawn over the
// column header and the cells around it, unreadable at 1400 and 700 px.
// NU13H-CU prices copper on a series whose one price (1 Oct 2025) is
// stale on 28 Nov; its error must lie inside its own cell, below the
// header, at both widths.
func TestBrowserNSRErrorStaysInItsCell(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	csv := "series,date,value,unit,source,frequency\nSTALE-CU,2025-10-01,9800,USD/t,test,daily\n"
	if _, err := ts.Trade().ImportPrices(ctx, strings.NewReader(csv), commercial.PriceSeries{}); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../commercial/demo/cu-2025.json")
	if err != nil {
		t.Fatal(err)
	}
	stale := strings.Replace(strings.Replace(string(b), `"FWO-USSM-CU-2025"`, `"NU13H-CU"`, 1), `"DEMO-LME-CU"`, `"STALE-CU"`, -1)
	if _, err := ts.Trade().SaveContract(ctx, []byte(stale)); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	for _, width := range []int64{1400, 700} {
		p.viewport(width)
		p.do("comparison", chromedp.Navigate(ts.URL+"/trade/nsr?grades=Cu:24%25,Au:2g/t&terms=FWO-USSM-CU-2025,NU13H-CU&as_of=2025-11-28"), chromedp.WaitVisible(chromedp.CSS("#nsr-table")))
		// Every error box in the table, against its own cell and the
		// column header above it: inside the cell, below the header.
		bad := eval[[]string](p, `(() => {
			const out = [];
			const head = document.querySelectorAll("#nsr-table tr:first-child th");
			for (const e of document.querySelectorAll("#nsr-table .errors")) {
				const cell = e.closest("td, th"), r = e.getBoundingClientRect(), c = cell.getBoundingClientRect();
				const h = head[cell.cellIndex].getBoundingClientRect();
				if (r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5 || r.left < c.left - 0.5 || r.right > c.right + 0.5) out.push("outside its cell: " + e.textContent.slice(0, 60));
				if (r.top < h.bottom - 0.5 && cell.parentElement.rowIndex > 0) out.push("over the header: " + e.textContent.slice(0, 60));
			}
			return out;
		})()`)
		if n := p.count("#nsr-table .errors"); n == 0 {
			t.Fatalf("%d px: no error shown for NU13H-CU", width)
		}
		if len(bad) > 0 {
			t.Errorf("%d px: %q", width, bad)
		}
	}
}
