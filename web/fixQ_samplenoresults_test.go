package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/demo"
)

// TestSampleWithNoResultsRefused (issue 15, n15-6 item 1): a Sample form
// with neither a result nor a moisture records a sampling that states
// nothing; it is refused, on preview and on capture, under Results (the
// field named in plain words), and nothing is captured: the lot's events
// are as many after as before (demo lot REE-2025-003: n before, n after).
func TestSampleWithNoResultsRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:REE-2025-003"
	f, ok := ts.Store.(interface {
		LiveEventsOfLots(context.Context, []string) ([]*critmin.Event, error)
	})
	if !ok {
		t.Fatal("the test store cannot list a lot's events")
	}
	before, err := f.LiveEventsOfLots(ctx, []string{lot})
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"preview", "capture"} {
		v := url.Values{"step": {step}, "lot": {lot}, "lab": {"urn:critmin:demo:lab:gsp-peshawar"}, "assays": {""},
			"moisture": {""}, "time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:port-qasim"}}
		resp, b := do(t, "POST", ts.URL+"/record/sample", operatorSecret, []byte(v.Encode()), formHeader)
		block := html.UnescapeString(fieldBlock(string(b), "assays"))
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(block, "required") || !strings.Contains(block, "unless moisture (%) is given") {
			t.Errorf("%s, no result and no moisture: %d; Results shows %q", step, resp.StatusCode, block)
		}
	}
	after, err := f.LiveEventsOfLots(ctx, []string{lot})
	if err != nil || len(after) != len(before) {
		t.Errorf("events of %s: %d before, %d after (%v); want nothing captured", lot, len(before), len(after), err)
	}
}
