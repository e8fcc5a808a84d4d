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
	if resp.StatusCode != 200 || !strings.Contains(page, `Book of <span title="`+fwo+`">`) || strings.Contains(page, `>`+fwo+`<`) || !strings.Contains(page, "<td>short</td>") {
		t.Errorf("exposure page with book=%s: %d, want FWO's book with its sales short", fwo, resp.StatusCode)
	}
	resp, b = do(t, "GET", ts.URL+"/trade/exposure?as_of=2025-10-15&book=urn:critmin:test:party:nobody", viewerSecret, nil, nil)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "book") {
		t.Errorf("exposure page with a book on no contract: %d %s", resp.StatusCode, b)
	}
}

// Gap 4: the NSR page's grades line shows the grades the value used:
// the REE basket's one sample, event 001 (Nd2O3 5.2 %), not event 005's
// later Nd2O3 5.3 % (before).
func TestNSRPageGradesUsed(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := commercial.LoadDemo(ctx, ts.Trade()); err != nil {
		t.Fatal(err)
	}
	resp, b := do(t, "GET", ts.URL+"/trade/nsr?terms=FWO-USSM-REE-2025&as_of=2025-11-01&lot="+url.QueryEscape("urn:critmin:demo:lot:REE-2025-001"), viewerSecret, nil, nil)
	page := string(b)
	i := strings.Index(page, `id="nsr-grades"`)
	if resp.StatusCode != 200 || i < 0 {
		t.Fatalf("nsr page: %d", resp.StatusCode)
	}
	line := page[i:]
	line = line[:strings.Index(line, "Spot:")]
	if !strings.Contains(line, "Nd2O3 5.2 % (event") || strings.Contains(line, "5.3") {
		t.Errorf("grades line %q, want Nd2O3 5.2 %% from event 001", line)
	}
}
