package web_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestLotPageOutturn (issue 9 follow-up): the lot page shows a receipt's
// weight beside the weight the lot was shipped with, and the difference:
// 1,000 t commissioned at port A and shipped from there on B/L
// urn:t:bol:1, 985 t received under it:
// 985 − 1,000 = −15 t, −15 / 1,000 = −1.5 %, a transit loss beyond 0.5 %.
func TestLotPageOutturn(t *testing.T) {
	ts := MustServe(t, true, nil)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:C", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	   "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 1000, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:port-a"},
	   "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK"}},
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:S", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	   "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 1000, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:port-a"},
	   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]},
	  {"type": "ObjectEvent", "eventID": "urn:t:ev:R", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
	   "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 985, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:port-b"},
	   "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:1"}]}]}}`
	if _, err := ts.Svc.Capture(t.Context(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape("urn:t:lot:L"), "", nil, nil)
	page := string(b)
	i := strings.Index(page, `<dd class="outturn">`)
	if i < 0 {
		t.Fatalf("no shipped / received line:\n%s", page)
	}
	line := page[i : i+strings.Index(page[i:], "</dd>")]
	for _, want := range []string{"shipped 1", "received 985", "−15", "transit_loss"} {
		if !strings.Contains(line, want) && !strings.Contains(line, strings.ReplaceAll(want, "−", "-")) {
			t.Errorf("line lacks %q: %s", want, line)
		}
	}
}
