package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestLotIsNoContainerOnForms (issue 15, fix15zm item 1): a lot's
// identifier typed where a container goes is refused, by the preview and
// the capture, as a conflict with the record (409) marked on the form's
// container field and saying why (EPCIS 2.0 §7.3.3: a lot is a class, a
// container an instance); nothing is stored. The Pack form packs
// REE-2025-003 (30 t received at Houston, receiveDemo003) into the demo's
// lot REE-2025-001; the Ship form lists FW-19 (19 t at Karachi, fw19Split)
// among its containers. Both were accepted before.
func TestLotIsNoContainerOnForms(t *testing.T) {
	ctx := context.Background()
	ts := fw19Split(t)
	receiveDemo003(t, ts)
	before, _ := ts.Store.CountEvents(ctx)
	const ree1, ree3, fw19 = "urn:critmin:demo:lot:REE-2025-001", "urn:critmin:demo:lot:REE-2025-003", "urn:critmin:demo:lot:FW-19"
	for _, c := range []struct {
		form, field, want string
		v                 url.Values
	}{
		{"pack", "container", "parentID " + ree1 + " is a lot", url.Values{"container": {ree1}, "lots": {ree3 + " 10000 KGM"},
			"time": {"2025-11-21T10:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}, "eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-00000015a001"}}},
		{"ship", "containers", "epcList " + fw19 + " is a lot", url.Values{"containers": {fw19}, "lots": {fw19 + " 5000 KGM"}, "bol": {"urn:critmin:demo:bol:ZM-1"},
			"destination": {"urn:critmin:demo:site:houston"}, "site": {"urn:critmin:demo:site:karachi"}, "time": {"2025-11-05T10:00"}, "tz": {"+05:00"},
			"eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-00000015a002"}}},
	} {
		for _, step := range []string{"preview", "capture"} {
			c.v.Set("step", step)
			resp, b := do(t, "POST", ts.URL+"/record/"+c.form, operatorSecret, []byte(c.v.Encode()), formHeader)
			if resp.StatusCode != http.StatusConflict || !strings.Contains(fieldBlock(string(b), c.field), c.want) || !strings.Contains(fieldBlock(string(b), c.field), "not a container") {
				t.Errorf("%s form, %s: %d; want 409 with %s marked %q; errors %q", c.form, step, resp.StatusCode, c.field, c.want, errorSpans(string(b)))
			}
		}
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by refused forms", after-before)
	}
}
