package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestPackRepeatedLotSummedWithNote (issue 15, fix15g item 6): the Pack
// form with one lot on two lines agrees with POST /epcis/capture, which
// sums a childQuantityList's lines of one class (EPCIS 2.0 puts no
// uniqueness on a quantity list; docs/forms.md). The demo's REE-2025-003
// holds 30 t, received at Houston; 10,000 kg + 9,900 kg = 19.9 t. The
// preview is valid and notes the sum, naming both lines; the capture
// stores one packing event whose two child lines the container holds
// as 19.9 t of the lot (the shipment page's contents).
func TestPackRepeatedLotSummedWithNote(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	receiveDemo003(t, ts)
	const lot = "urn:critmin:demo:lot:REE-2025-003"
	for _, lines := range []string{
		lot + " 10000 KGM\n" + lot + " 9900 KGM",
		lot + " 10000 KGM\n  " + lot + "  9.9 TNE",
	} {
		v := url.Values{"step": {"preview"}, "container": {"urn:critmin:demo:container:MSKU7777772"}, "lots": {lines},
			"time": {"2025-11-21T10:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}}
		resp, b := do(t, "POST", ts.URL+"/record/pack", operatorSecret, []byte(v.Encode()), formHeader)
		page := html.UnescapeString(withIDs(string(b)))
		if resp.StatusCode != http.StatusOK || !strings.Contains(page, "Lot "+lot+" is on lines 1 and 2") || !strings.Contains(page, "the ledger packs 19.9 t, the sum of the lines") {
			t.Errorf("preview of %q: %d; want the sum noted\n%s", lines, resp.StatusCode, excerpt(page, "preview-note"))
		}
	}
	v := url.Values{"step": {"capture"}, "container": {"urn:critmin:demo:container:MSKU7777772"}, "lots": {lot + " 10000 KGM\n" + lot + " 9900 KGM"},
		"time": {"2025-11-21T10:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}, "eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-0000000000b7"}}
	// Captured, the form opens the event's page (the client follows the 303).
	if resp, b := do(t, "POST", ts.URL+"/record/pack", operatorSecret, []byte(v.Encode()), formHeader); resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="event-id">urn:uuid:5e0a1d2c-0000-4000-8000-0000000000b7`) {
		t.Fatalf("capture: %d\n%s", resp.StatusCode, excerpt(string(b), "<h1>"))
	}
	_, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:critmin:demo:container:MSKU7777772"), operatorSecret, nil, map[string]string{"Accept": "text/html"})
	if page := string(b); !strings.Contains(page, "19.9 t (19,900 kg)") {
		t.Errorf("container page does not hold 19.9 t of the lot\n%s", excerpt(page, "shipment-lots"))
	}
}
