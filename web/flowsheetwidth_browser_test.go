package web_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/refinery"
)

// TestBrowserFlowsheetNotClipped (issue 15, fix15w item 4): the /refinery
// flowsheet was cut at 390 px and at 1,400 px: the demo refinery's three
// circuits (REE, copper, antimony) were laid side by side, 1,410 px wide
// in a 1,130 px box, the rest hidden past the box's edge with nothing to
// say so. At both widths, on the demo refinery and the corridor's
// ledger-backed one, the flowsheet's drawing lies within the window, or
// within a box that scrolls sideways (overflow-x auto or scroll) whose
// scrollable width holds it whole, with a note over it saying it
// scrolls; no ancestor clips it (overflow hidden, narrower than the
// drawing); the page is no wider than the window; its labels stay at
// least 10 px high (the graph's MIN_GRAPH_SCALE, 10/12 of 12 px). At
// 1,400 px it needs no scrolling: the circuits are laid out in rows
// within the box.
func TestBrowserFlowsheetNotClipped(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(t.Context(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	p := page{t: t, ctx: browser(t)}
	for _, width := range []int64{1400, 390} {
		p.viewport(width)
		for _, path := range []string{"/refinery", "/refinery?site=" + url.QueryEscape(refinery.CorridorSite) + "&period=2025-10"} {
			p.do(path, chromedp.Navigate(ts.URL+path), chromedp.WaitVisible(chromedp.CSS("main")))
			p.chartsDrawn()
			var m struct {
				Found                           bool
				Left, Right, Window, Page       float64
				Scroller                        string
				ScrollLeft, ScrollRight, Scroll float64
				Clipper                         string
				Font                            float64
				Note                            bool
			}
			js := `(() => {
			  const svg = document.querySelector("#flowsheet-graph svg");
			  if (!svg) return JSON.stringify({Found: false});
			  const r = svg.getBoundingClientRect();
			  const out = {Found: true, Left: r.left, Right: r.right, Window: window.innerWidth,
			    Page: document.documentElement.scrollWidth - window.innerWidth, Scroller: "", Clipper: "", Font: 99};
			  for (let a = svg.parentElement; a && a !== document.body; a = a.parentElement) {
			    const s = getComputedStyle(a), b = a.getBoundingClientRect();
			    if ((s.overflowX === "auto" || s.overflowX === "scroll") && a.scrollWidth > a.clientWidth + 1 && !out.Scroller) {
			      out.Scroller = a.tagName + "." + a.className + "#" + a.id;
			      out.ScrollLeft = b.left; out.ScrollRight = b.right;
			      out.Scroll = a.scrollWidth - (r.width + (r.left - b.left) + a.scrollLeft);
			    }
			    if (s.overflowX === "hidden" || s.overflowX === "clip") {
			      if (r.left < b.left - 1 || r.right > b.right + 1) out.Clipper = a.tagName + "." + a.className;
			    }
			  }
			  const note = document.querySelector("#flowsheet-graph-box .graph-scrolls");
			  out.Note = !!note && note.getBoundingClientRect().height > 0;
			  const t = svg.querySelector("text.node-label");
			  if (t) out.Font = t.getBoundingClientRect().height;
			  return JSON.stringify(out); })()`
			if err := json.Unmarshal([]byte(eval[string](p, js)), &m); err != nil {
				t.Fatal(err)
			}
			switch {
			case !m.Found:
				t.Errorf("%d px %s: no flowsheet drawn", width, path)
				continue
			case m.Page > 1:
				t.Errorf("%d px %s: the page is %v px wider than the window", width, path, m.Page)
			case m.Clipper != "":
				t.Errorf("%d px %s: the flowsheet (%v–%v px) is clipped by %s", width, path, m.Left, m.Right, m.Clipper)
			}
			inWindow := m.Left >= -1 && m.Right <= m.Window+1
			inScroller := m.Scroller != "" && m.ScrollLeft >= -1 && m.ScrollRight <= m.Window+1 && m.Scroll >= -1
			if m.Font < 10 {
				t.Errorf("%d px %s: the flowsheet's labels are %.1f px high, under 10 px", width, path, m.Font)
			}
			if width == 1400 && (!inWindow || m.Scroller != "") {
				t.Errorf("%d px %s: the flowsheet spans %v–%v px of a %v px window (scroller %q): it should fit without scrolling", width, path, m.Left, m.Right, m.Window, m.Scroller)
			}
			if !inWindow && !m.Note {
				t.Errorf("%d px %s: the flowsheet is wider than the window and no note says it scrolls", width, path)
			}
			if !inWindow && !inScroller {
				t.Errorf("%d px %s: the flowsheet spans %v–%v px of a %v px window and no box scrolls it whole (scroller %q %v–%v, room %v)",
					width, path, m.Left, m.Right, m.Window, m.Scroller, m.ScrollLeft, m.ScrollRight, m.Scroll)
			}
			t.Logf("%d px %s: flowsheet %.0f–%.0f px, window %.0f, scroller %q", width, path, m.Left, m.Right, m.Window, m.Scroller)
		}
	}
}
