package web_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// Issue 13, new-user re-check (nu13g, finding 6): every settlement link
// on /trade answered 404 — the lot was query-escaped by hand and again by
// html/template (lot=urn%253Acritmin%253A…). Every link on /trade (the
// lots, settlements, contracts, agreement, exposure, NSR) is followed and
// answers 200; a settlement link's lot is the lot itself once decoded.
func TestTradeLinksResolve(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/trade", viewerSecret, nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("/trade: %d", resp.StatusCode)
	}
	links := map[string]bool{}
	settlements, copper := 0, false
	for _, m := range regexp.MustCompile(`href="(/[^"]*)"`).FindAllStringSubmatch(string(b), -1) {
		link := html.UnescapeString(m[1])
		if strings.Contains(link, "%25") {
			t.Errorf("link escaped twice: %s", link)
		}
		if strings.HasPrefix(link, "/trade/settlement?") {
			settlements++
			u, err := url.Parse(link)
			if err != nil {
				t.Fatalf("%s: %v", link, err)
			}
			copper = copper || u.Query().Get("lot") == commercial.DemoCopperLot && u.Query().Get("contract") == "FWO-USSM-CU-2025"
		}
		links[link] = true
	}
	if settlements == 0 {
		t.Fatal("no settlement link on /trade")
	}
	if !copper {
		t.Errorf("no settlement link whose lot decodes to %s", commercial.DemoCopperLot)
	}
	for link := range links {
		if resp, _ := do(t, "GET", ts.URL+link, viewerSecret, nil, nil); resp.StatusCode != 200 {
			t.Errorf("GET %s: %d, want 200", link, resp.StatusCode)
		}
	}
}

// Finding 8: the NSR page's side-by-side per-dmt cells wrote "-3000.50"
// beside amounts "−3,000.50". The demo copper lot under its contract:
// TC is a charge, a negative cell, now with the true minus sign; no
// number cell begins with a hyphen-minus.
func TestNSRCellsTrueMinus(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/trade/nsr?as_of=2025-11-28&terms=FWO-USSM-CU-2025&lot="+url.QueryEscape(commercial.DemoCopperLot), viewerSecret, nil, nil)
	page := string(b)
	if resp.StatusCode != 200 {
		t.Fatalf("/trade/nsr: %d", resp.StatusCode)
	}
	if !regexp.MustCompile(`<tr class="nsr-line"><td>tc</td><td class="num">−[0-9]`).MatchString(page) {
		t.Errorf("no TC cell with the true minus sign")
	}
	if m := regexp.MustCompile(`<td class="num">-[0-9]`).FindString(page); m != "" {
		t.Errorf("a number cell with a hyphen-minus: %s", m)
	}
}
