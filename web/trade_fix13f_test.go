package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/demo"
)

// Issue 13, sixth check, gap 3: the exposure page takes ?book= as the
// API does (and as the page itself tells its reader). FWO's book on 15
// Oct 2025: it sells the demo copper, antimony and REE lots to USSM, so
// its side of them is short; a party to no contract is refused naming
// book. Before: 400, "book" not a parameter of the page.
func TestExposurePageTakesBook(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	fwo := "urn:critmin:demo:party:fwo"
	resp, b := do(t, "GET", ts.URL+"/trade/exposure?as_of=2025-10-15&book="+url.QueryEscape(fwo), viewerSecret, nil, nil)
	page := string(b)
	if resp.StatusCode != 200 || !strings.Contains(page, `Book of <span class="mono">`+fwo+`</span>`) || !strings.Contains(page, "<td>short</td>") {
		t.Errorf("exposure page with book=%s: %d, want FWO's book with its sales short", fwo, resp.StatusCode)
	}
	resp, b = do(t, "GET", ts.URL+"/trade/exposure?as_of=2025-10-15&book=urn:critmin:test:party:nobody", viewerSecret, nil, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "book") {
		t.Errorf("exposure page with a book on no contract: %d %s", resp.StatusCode, b)
	}
}
