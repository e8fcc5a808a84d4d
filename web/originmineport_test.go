package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRecordOriginMineNotAPort (fix15d item 3): the demo's master data
// types urn:critmin:demo:site:karachi as a port (cm:siteKind port); the
// Commission form naming it as the origin mine is refused on preview
// under Mine, naming the site's type — before, the preview read "Origin
// mine Port of Karachi" — and nothing is stored. The demo's mine
// loe-shilman (cm:siteKind mine) passes (TestRecordCommissionPreviewThenCapture).
func TestRecordOriginMineNotAPort(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	v := commissionForm()
	v.Set("step", "preview")
	v.Set("mine", "urn:critmin:demo:site:karachi")
	resp, b := do(t, "POST", ts.URL+"/record/commission", operatorSecret, []byte(v.Encode()), formHeader)
	if block := fieldBlock(string(b), "mine"); resp.StatusCode != http.StatusBadRequest || !strings.Contains(block, "“Mine” urn:critmin:demo:site:karachi is a port in master data (site kind port), not a mine") {
		t.Errorf("%d; mine field shows %q", resp.StatusCode, block)
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored", after-before)
	}
}
