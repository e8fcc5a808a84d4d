package web_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// TestBrowserGenealogyFitsAPhone (issue 15, fix15q item 4): at 390 px the
// NDPR-2025-001 genealogy was drawn 699 px wide in its 340 px box — boxes
// named by URN ("urn:critmin:demo:lot:REE-2025-002") and a voyage's one
// long second line (vessel · route · date) — so the lot itself sat off
// the right edge. Now boxes are named as the pages name lots, containers,
// runs and bills of lading (REE-2025-002, MSKU1234565, MO-REE-001, B/L
// KHI-HOU-2025-0901), and where the graph would still be wider than its
// box at the smallest readable scale each " · " part of a box's second
// line takes its own line: at 390 px the graph is at most 10 % wider than
// its box (it scrolls that much in its own box, never the page); at
// 1,400 px nothing wraps.
func TestBrowserGenealogyFitsAPhone(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	for _, width := range []int64{1400, 390} {
		p.viewport(width)
		for _, lot := range []string{"urn:critmin:demo:lot:NDPR-2025-001", "urn:critmin:demo:lot:REE-2025-001"} {
			p.do(lot, chromedp.Navigate(ts.URL+"/lots/"+url.PathEscape(lot)), chromedp.WaitVisible(chromedp.CSS("main")))
			p.chartsDrawn()
			var g struct {
				Box, SVG, Page float64
				Wrapped        string
				Labels         []string
			}
			js := `(() => { const el = document.querySelector("#genealogy-graph"); const svg = el.querySelector("svg");
			  return JSON.stringify({Box: el.clientWidth, SVG: svg.getBoundingClientRect().width, Page: document.documentElement.scrollWidth - window.innerWidth,
			    Wrapped: el.getAttribute("data-wrapped"), Labels: [...svg.querySelectorAll("text.node-label")].map(t => t.textContent)}); })()`
			if err := json.Unmarshal([]byte(eval[string](p, js)), &g); err != nil {
				t.Fatal(err)
			}
			for _, l := range g.Labels {
				if rawIDRE.MatchString(l) || containsRune(l, '…') {
					t.Errorf("%d px %s: a genealogy box is named %q, not as the pages name it", width, lot, l)
				}
			}
			if g.Page > 1 {
				t.Errorf("%d px %s: the page is %v px wider than the window", width, lot, g.Page)
			}
			switch {
			case width == 390 && g.SVG > 1.1*g.Box:
				t.Errorf("390 px %s: genealogy %v px wide in a %v px box (wrapped %s); want at most 10 %% wider", lot, g.SVG, g.Box, g.Wrapped)
			case width == 390 && lot == "urn:critmin:demo:lot:NDPR-2025-001" && g.Wrapped != "yes":
				t.Errorf("390 px %s: the boxes' second lines did not wrap", lot)
			case width == 1400 && g.Wrapped != "no":
				t.Errorf("1400 px %s: the boxes' second lines wrapped (%s) where the graph fits", lot, g.Wrapped)
			}
		}
	}
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

// TestBrowserContractPageFitsAPhone (fix15q, found walking every page at
// 390 px): a contract's term sheet (JSON in a <pre>) made the page 201 px
// wider than a phone's window; it scrolls in its own box now.
func TestBrowserContractPageFitsAPhone(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(t.Context(), ts.Trade()); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	p.viewport(390)
	p.do("contract", chromedp.Navigate(ts.URL+"/trade/contracts/FWO-USSM-REE-2025"), chromedp.WaitVisible(chromedp.CSS("#termsheet-json")))
	if over := eval[int](p, `document.documentElement.scrollWidth - window.innerWidth`); over > 1 {
		t.Errorf("390 px: the contract page is %d px wider than the window", over)
	}
}
