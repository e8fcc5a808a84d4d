package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
)

// TestRecordFormsRefuseUnrecordedLotsGainsAndOldDates (issue 15, fix15s
// items 1, 2, 5), as a new user found them on the demo: the Pack, Ship,
// Sample and Refine forms refuse a lot no event recorded (NOPE…) under
// its field, naming it, and /lots/…NOPE stays unknown; the Refine form
// refuses 100 kg of REE-2025-010 making 5,000 kg of NdPr oxide
// (5 t / 0.1 t = 50× > 2.2×) under Product lots; the Commission form
// refuses a date of 1800-01-01 10:00 under Date and time.
func TestRecordFormsRefuseUnrecordedLotsGainsAndOldDates(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	site := url.Values{"time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:loe-shilman"}}
	for _, c := range []struct {
		form, field string
		v           url.Values
		want        string
	}{
		{"pack", "lots", url.Values{"container": {"urn:critmin:demo:container:MSKU7777772"}, "lots": {"urn:critmin:demo:lot:NOPE 100"}}, "no event recorded lot urn:critmin:demo:lot:NOPE"},
		{"ship", "lots", url.Values{"lots": {"urn:critmin:demo:lot:NOPE4 5000"}, "bol": {"urn:critmin:demo:bol:T-1"}, "destination": {"urn:critmin:demo:site:houston"}}, "no event recorded lot urn:critmin:demo:lot:NOPE4"},
		{"sample", "lot", url.Values{"lot": {"urn:critmin:demo:lot:NOPE3"}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {"TREO 46.5 %"}}, "no event recorded lot urn:critmin:demo:lot:NOPE3"},
		{"refine", "inputs", url.Values{"run": {"urn:critmin:demo:run:T-1"}, "inputs": {"urn:critmin:demo:lot:NOPE2 100"}, "outputs": {"urn:critmin:lot:P2 50"}, "commodity": {"ndpr_oxide"}}, "no event recorded lot urn:critmin:demo:lot:NOPE2"},
		{"refine", "outputs", url.Values{"run": {"urn:critmin:demo:run:T-2"}, "inputs": {"urn:critmin:demo:lot:REE-2025-010 100"}, "outputs": {"urn:critmin:lot:P3 5000"}, "commodity": {"ndpr_oxide"}}, "outputs weigh 5 t in total, 50× its inputs' 0.1 t"},
		{"commission", "time", url.Values{"lot": {"urn:critmin:demo:lot:OLD-1"}, "mass": {"20000"}, "uom": {"KGM"}, "commodity": {"ree_concentrate"}, "country": {"PAK"}, "time": {"1800-01-01T10:00"}}, "before 2000-01-01"},
	} {
		v := url.Values{"step": {"preview"}}
		for k, x := range site {
			v[k] = x
		}
		for k, x := range c.v {
			v[k] = x
		}
		resp, b := do(t, "POST", ts.URL+"/record/"+c.form, operatorSecret, []byte(v.Encode()), formHeader)
		if block := fieldBlock(string(b), c.field); resp.StatusCode != http.StatusBadRequest || !strings.Contains(block, c.want) {
			t.Errorf("%s: %d; field %s shows %q, want %q", c.form, resp.StatusCode, c.field, block, c.want)
		}
	}
	for _, lot := range []string{"NOPE", "NOPE2", "NOPE3", "NOPE4"} {
		if _, err := ts.Store.FindLot(ctx, "urn:critmin:demo:lot:"+lot); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("lot %s: %v, want not found", lot, err)
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by refused previews", after-before)
	}
}
