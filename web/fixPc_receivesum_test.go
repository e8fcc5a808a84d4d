package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestReceivePreviewSumCountsWhatRunsTook (issue 15, n15 item 5): the
// Receive preview's "the lot's mass will be M t: …" listed what stands
// and what is in transit, leaving out what refinery runs took, so its
// parts did not add up to M. Lot CO, 10,000 kg at the mine (packed into C,
// which does not matter here); run R is fed 4,000 kg of CO at the mine on
// Oct 2 (CO's mass stays 10 t: 4 t consumed); 6,000 kg of CO is shipped
// to the port under RS-1 on Oct 3 and received at 6,000 kg on Oct 5. The
// note reads "the lot's mass will be 10 t: 6 t at urn:t:site:port (…) ·
// 4 t taken by refinery runs" — 6 + 4 = 10, as capture's balance (mass =
// standing + in transit + consumed) holds it; the receipt is judged
// against the 6 t shipped: difference 0 t.
func TestReceivePreviewSumCountsWhatRunsTook(t *testing.T) {
	ts := MustServe(t, false, nil)
	const c, mine, port = "urn:epc:id:sscc:0614141.5000000110", "urn:t:site:mine-PAK", "urn:t:site:port"
	doc := fixPcDoc(c, mine, port)
	doc = doc[:strings.Index(doc, `,
	 {"type": "AggregationEvent"`)] + `,
	 {"type": "TransformationEvent", "eventID": "urn:t:ev:co-r", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning", "transformationID": "urn:t:run:R",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:CO", "quantity": 4000, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:CO-P", "quantity": 3000, "uom": "KGM"}],
	  "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"}, "ilmd": {"cm:commodity": "ree_concentrate", "cm:moisture": 0}},
	 {"type": "ObjectEvent", "eventID": "urn:t:ev:co-s", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "urn:t:lot:CO", "quantity": 6000, "uom": "KGM"}], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"},
	  "destinationList": [{"type": "location", "destination": "` + port + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:RS-1"}]}]}}`
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	recv := url.Values{"lots": {"urn:t:lot:CO 6000 KGM"}, "bol": {"urn:t:bol:RS-1"}, "time": {"2025-10-05T08:00"}, "tz": {"+00:00"}, "site": {port}, "step": {"preview"}}
	resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(recv.Encode()), formHeader)
	page := html.UnescapeString(pageText(string(b)))
	i := strings.Index(page, "Lot CO : ")
	note := page[max(i, 0):]
	if i < 0 {
		note = ""
	} else if j := strings.Index(note, "the loading weight stays"); j > 0 {
		note = note[:j]
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(note, "difference 0 t") || !strings.Contains(note, "the lot's mass will be 10 t: 6 t at port (the lot's body) · 4 t taken by refinery runs") {
		t.Errorf("CO's receipt preview: %d, note %q; want the difference 0 t against the 6 t shipped and the mass of 10 t with the 4 t runs took", resp.StatusCode, note)
	}
}
