package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestShipmentWordsForTrucksAndEmptyContainers (issue 15, n15 item 6).
// Lot CO, 10,000 kg, is packed whole into C at the mine (fixPcDoc).
//   - C is shipped to the port by truck ("Truck LEA-1234", no IMO number:
//     not a sea-going vessel) with carrier urn:t:party:haul: the shipment
//     page's custodian reads "the carrier, in transit", never "at sea";
//   - the shipping event's page shows its vessel, "Truck LEA-1234";
//   - container E, packed with nothing ever, is shipped alone under
//     TR-2: its page says it was shipped empty, not "0 t shipped (0 lots)"
//     with no word;
//   - a form's "20000." (a trailing point) reads 20000: a lot line
//     "CO 10000." on the Receive form is taken at preview.
func TestShipmentWordsForTrucksAndEmptyContainers(t *testing.T) {
	ts := MustServe(t, false, nil)
	const c, e, mine, port = "urn:epc:id:sscc:0614141.5000000097", "urn:epc:id:sscc:0614141.5000000103", "urn:t:site:mine-PAK", "urn:t:site:port"
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(fixPcDoc(c, mine, port))}); err != nil {
		t.Fatal(err)
	}
	ship := func(id, box, bol string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-03T00:00:00Z",
		 "epcisBody": {"eventList": [{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
		  "epcList": ["` + box + `"], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"}, "cm:vessel": "Truck LEA-1234",
		  "sourceList": [{"type": "location", "source": "` + mine + `"}], "destinationList": [{"type": "location", "destination": "` + port + `"}, {"type": "possessing_party", "destination": "urn:t:party:haul"}],
		  "bizTransactionList": [{"type": "bol", "bizTransaction": "` + bol + `"}]}]}}`
	}
	for _, d := range []string{ship("urn:t:ev:tr-1", c, "urn:t:bol:TR-1"), ship("urn:t:ev:tr-2", e, "urn:t:bol:TR-2")} {
		if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(d)}); err != nil {
			t.Fatal(err)
		}
	}
	if got := partiesCell(t, ts, "urn:t:bol:TR-1"); !strings.Contains(got, "the carrier, in transit") || strings.Contains(got, "at sea") {
		t.Errorf("C on a truck: parties %q; want the carrier in transit, not at sea", got)
	}
	_, b := do(t, "GET", ts.URL+eventHrefOf("urn:t:ev:tr-1"), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	if !strings.Contains(pageText(string(b)), "Vessel") || !strings.Contains(string(b), "Truck LEA-1234") {
		t.Errorf("the shipping event's page lacks its vessel Truck LEA-1234")
	}
	_, b = do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(e), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	if page := pageText(string(b)); !strings.Contains(page, "shipped empty") || strings.Contains(page, "(0 lots)") {
		t.Errorf("E shipped with nothing packed: page lacks \"shipped empty\" or still says \"(0 lots)\"")
	}
	recv := url.Values{"containers": {c}, "lots": {"urn:t:lot:CO 10000."}, "bol": {"urn:t:bol:TR-1"}, "time": {"2025-10-05T08:00"}, "tz": {"+00:00"}, "site": {port}, "step": {"preview"}}
	if resp, b := do(t, "POST", ts.URL+"/record/receive", operatorSecret, []byte(recv.Encode()), formHeader); resp.StatusCode != http.StatusOK {
		t.Errorf("\"CO 10000.\" received: %d %s; want the preview, 10000. read as 10000", resp.StatusCode, fieldErrorText(string(b)))
	}
}

func eventHrefOf(id string) string { return "/events/" + url.PathEscape(id) }
