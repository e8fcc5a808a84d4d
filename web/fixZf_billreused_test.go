package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
)

// TestShipFormBillReused (new-user finding nu39c item 1): the Ship form
// refuses a shipment under the bill of lading of a voyage already
// received, 409 with the refusal at the bill of lading field, in the
// preview and at capture; the API refuses the same event 409 at its
// bizTransactionList entry; nothing is stored.
//
// REE-ZF-C (20 t at Loe Shilman) is shipped to Houston under BOL-ZF-C on
// 13 Nov 2025 and received there at 19.85 t on 4 Dec; REE-ZF-D, 5 t at
// Loe Shilman, is then shipped under BOL-ZF-C on 5 Dec.
func TestShipFormBillReused(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	n := 0
	form := func(kind string, v url.Values) {
		t.Helper()
		n++
		v.Set("step", "capture")
		v.Set("eventID", fmt.Sprintf("urn:uuid:5e0a1d2c-0000-4000-8000-0000000fb%03d", n))
		resp, b := do(t, "POST", ts.URL+"/record/"+kind, operatorSecret, []byte(v.Encode()), formHeader)
		if resp.StatusCode != http.StatusOK || strings.Contains(string(b), "field-error") || strings.Contains(string(b), `name="step" value="capture"`) {
			t.Fatalf("%s: %d\n%s", kind, resp.StatusCode, excerpt(string(b), "field-error"))
		}
	}
	const bol, mine = "urn:critmin:bol:BOL-ZF-C", "urn:critmin:demo:site:loe-shilman"
	for _, c := range []struct{ lot, kg string }{{"urn:critmin:demo:lot:REE-ZF-C", "20000"}, {"urn:critmin:demo:lot:REE-ZF-D", "5000"}} {
		form("commission", url.Values{"lot": {c.lot}, "commodity": {"ree_concentrate"}, "mass": {c.kg}, "uom": {"KGM"}, "moisture": {"8"}, "assays": {"TREO 12 %"},
			"country": {"PAK"}, "mine": {mine}, "owner": {"urn:critmin:demo:party:fwo"}, "time": {"2025-11-10T10:00"}, "tz": {"+05:00"}, "site": {mine}})
	}
	form("ship", url.Values{"lots": {"urn:critmin:demo:lot:REE-ZF-C 20000"}, "bol": {bol}, "destination": {"urn:critmin:demo:site:houston"},
		"carrier": {"urn:critmin:demo:party:carrier"}, "time": {"2025-11-13T09:00"}, "tz": {"+05:00"}, "site": {mine}})
	form("receive", url.Values{"lots": {"urn:critmin:demo:lot:REE-ZF-C 19850"}, "bol": {bol}, "owner": {"urn:critmin:demo:party:ussm"},
		"time": {"2025-12-04T10:00"}, "tz": {"-06:00"}, "site": {"urn:critmin:demo:site:houston"}})
	before, _ := ts.Store.CountEvents(ctx)
	for _, step := range []string{"preview", "capture"} {
		v := url.Values{"lots": {"urn:critmin:demo:lot:REE-ZF-D 5000"}, "bol": {bol}, "destination": {"urn:critmin:demo:site:magnet-tx"},
			"time": {"2025-12-05T09:00"}, "tz": {"+05:00"}, "site": {mine}, "step": {step}}
		resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(v.Encode()), formHeader)
		if block := visibleText(fieldBlock(string(b), "bol")); resp.StatusCode != http.StatusConflict || !strings.Contains(block, "received") || !strings.Contains(block, "BOL-ZF-C") {
			t.Errorf("ship under a received bill, %s: %d; want 409 with the bill of lading field marked; it shows %q; errors %q", step, resp.StatusCode, block, errorSpans(string(b)))
		}
	}
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-12-05T17:00:00Z",
	 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "urn:t:ev:zf-reuse", "eventTime": "2025-12-05T09:00:00+05:00", "eventTimeZoneOffset": "+05:00",
	  "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-ZF-D", "quantity": 5000, "uom": "KGM"}],
	  "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"}, "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:magnet-tx"}],
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "` + bol + `"}]}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != http.StatusConflict || !strings.Contains(string(b), "/epcisBody/eventList/0/bizTransactionList/0") {
		t.Errorf("API capture under a received bill: %d %s; want 409 at /epcisBody/eventList/0/bizTransactionList/0", resp.StatusCode, b)
	}
	if after, _ := ts.Store.CountEvents(ctx); after != before {
		t.Errorf("%d events stored by refused requests", after-before)
	}
}
