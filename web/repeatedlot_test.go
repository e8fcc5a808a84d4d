package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestRecordRepeatedLotRefused (fix15d item 1): the Ship and Receive
// forms with one lot on two lines (10,000 kg and 9,900 kg of
// REE-2025-003) are refused on preview under the lots, naming the lot
// twice and asking for one line per lot — before, the shipment kept one
// line's 10 t of the 19.9 t stated — and nothing is stored.
func TestRecordRepeatedLotRefused(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	before, _ := ts.Store.CountEvents(ctx)
	lines := "urn:critmin:demo:lot:REE-2025-003 10000 KGM\nurn:critmin:demo:lot:REE-2025-003 9900 KGM"
	for _, c := range []struct {
		form string
		v    url.Values
	}{
		{"ship", url.Values{"step": {"preview"}, "time": {"2025-11-21T10:00"}, "tz": {"+05:00"}, "site": {"urn:critmin:demo:site:karachi"},
			"lots": {lines}, "bol": {"urn:critmin:demo:bol:KHI-HOU-2025-1202"}, "destination": {"urn:critmin:demo:site:houston"}}},
		{"receive", url.Values{"step": {"preview"}, "lots": {lines}, "bol": {"urn:critmin:demo:bol:BQM-HOU-2025-1112"},
			"time": {"2025-12-10T08:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}}},
	} {
		resp, b := do(t, "POST", ts.URL+"/record/"+c.form, operatorSecret, []byte(c.v.Encode()), formHeader)
		block := fieldBlock(string(b), "lots")
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(block, "urn:critmin:demo:lot:REE-2025-003 is listed twice") || !strings.Contains(block, "state one line per lot") {
			t.Errorf("%s: %d; lots field shows %q", c.form, resp.StatusCode, block)
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by previews", after-before)
	}
}
