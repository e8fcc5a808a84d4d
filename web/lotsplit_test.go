package web_test

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestLotInContainersTransit (new-user finding nu38a): lot SQ, 10 t at
// the mine, packed 6 t into C1 and 4 t into C2 on 2 October; [C1, C2]
// shipped on 3 October to the port under bill of lading SQ-1, naming no
// line of SQ. The lot's page and the lots list say it is in transit to
// the port under SQ-1 (linking the bill's shipment page), as for a lot
// shipped by a quantity line — they named neither.
func TestLotInContainersTransit(t *testing.T) {
	ts := MustServe(t, false, nil)
	const c1, c2, mine, port, lot = "urn:epc:id:sscc:0614141.5100000004", "urn:epc:id:sscc:0614141.5200000004", "urn:t:site:mine-PAK", "urn:t:site:port", "urn:t:lot:SQ"
	doc := func(events ...string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
	}
	pack := func(id, box, tonnes string) string {
		return `{"type": "AggregationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "packing",
	  "parentID": "` + box + `", "childQuantityList": [{"epcClass": "` + lot + `", "quantity": ` + tonnes + `, "uom": "TNE"}], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"}}`
	}
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:sq-c", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "` + lot + `", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "` + mine + `", "cm:moisture": 0}}`
	ship := `{"type": "ObjectEvent", "eventID": "urn:t:ev:sq-s", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "epcList": ["` + c1 + `", "` + c2 + `"], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"},
	  "destinationList": [{"type": "location", "destination": "` + port + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:SQ-1"}]}`
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc(commission, pack("sq-p1", c1, "6"), pack("sq-p2", c2, "4"), ship))}); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/lots/"+url.PathEscape(lot), viewerSecret, nil, map[string]string{"Accept": "text/html"})
	loc := html.UnescapeString(regexp.MustCompile(`(?s)<dd id="lot-location">.*?</dd>`).FindString(string(b)))
	if !strings.Contains(loc, "in transit") || !strings.Contains(loc, " to ") || !strings.Contains(loc, "SQ-1") || !strings.Contains(loc, `href="/shipments/urn:t:bol:SQ-1"`) {
		t.Errorf("lot page location %q; want in transit to the port under SQ-1, linking its shipment", loc)
	}
	_, b = do(t, "GET", ts.URL+"/lots", viewerSecret, nil, map[string]string{"Accept": "text/html"})
	var row string
	for _, r := range strings.Split(string(b), "<tr") {
		if strings.Contains(r, lot) {
			row = html.UnescapeString(r)
		}
	}
	cell := regexp.MustCompile(`(?s)<td class="location">.*?</td>`).FindString(row)
	if !strings.Contains(cell, " to ") || !strings.Contains(cell, "SQ-1") {
		t.Errorf("lots list location cell %q; want in transit to the port under SQ-1", cell)
	}
}
