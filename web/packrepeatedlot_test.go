package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestPackRepeatedLotRefused: the Pack form with one lot on two lines
// (10,000 kg and 9,900 kg of REE-2025-003) was summed silently into one
// child quantity of 19.9 t; it is refused under the lots, naming the lot
// and the lines, as the Ship and Receive forms and the API's quantity
// lists refuse a repeated lot — on preview and on capture, nothing
// stored, whatever the spacing or unit of the second line.
func TestPackRepeatedLotRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	for _, step := range []string{"preview", "capture"} {
		for _, lines := range []string{
			"urn:critmin:demo:lot:REE-2025-003 10000 KGM\nurn:critmin:demo:lot:REE-2025-003 9900 KGM",
			"urn:critmin:demo:lot:REE-2025-003 10000 KGM\n  urn:critmin:demo:lot:REE-2025-003  9.9 TNE",
		} {
			v := url.Values{"step": {step}, "container": {"urn:critmin:demo:container:MSKU7777772"}, "lots": {lines},
				"time": {"2025-11-20T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:karachi"}}
			resp, b := do(t, "POST", ts.URL+"/record/pack", operatorSecret, []byte(v.Encode()), formHeader)
			block := fieldBlock(string(b), "lots")
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(block, "line 2: urn:critmin:demo:lot:REE-2025-003 is listed twice (first on line 1)") || !strings.Contains(block, "state one line per lot") {
				t.Errorf("%s %q: %d; lots field shows %q", step, lines, resp.StatusCode, block)
			}
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored", after-before)
	}
}
