package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// partialDoc is lot REE-2025-050 (30,000 kg) commissioned at Karachi,
// packed 12,000 kg into C1 and 18,000 kg into C2, shipped in both under
// bill of lading X50 to Houston (no ETA), and received there, 29,950 kg.
const partialDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-12-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:p50:c", "eventTime": "2025-12-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-050", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"},
  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08}},
 {"type": "AggregationEvent", "eventID": "urn:t:p50:k1", "eventTime": "2025-12-02T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "packing",
  "parentID": "urn:critmin:demo:container:C1", "childQuantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-050", "quantity": 12000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"}},
 {"type": "AggregationEvent", "eventID": "urn:t:p50:k2", "eventTime": "2025-12-02T11:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "packing",
  "parentID": "urn:critmin:demo:container:C2", "childQuantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-050", "quantity": 18000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:karachi"}},
 {"type": "ObjectEvent", "eventID": "urn:t:p50:s", "eventTime": "2025-12-03T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "epcList": ["urn:critmin:demo:container:C1", "urn:critmin:demo:container:C2"], "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-050", "quantity": 30000, "uom": "KGM"}],
  "bizLocation": {"id": "urn:critmin:demo:site:karachi"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:X50"}],
  "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:houston"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:p50:r", "eventTime": "2025-12-20T10:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "epcList": ["urn:critmin:demo:container:C1", "urn:critmin:demo:container:C2"], "quantityList": [{"epcClass": "urn:critmin:demo:lot:REE-2025-050", "quantity": 29950, "uom": "KGM"}],
  "bizLocation": {"id": "urn:critmin:demo:site:houston"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:X50"}]}
 ]}}`

// TestContainerPageComparesLikeWithLike (fix15 item 6): container C1 held
// 12 t of lot REE-2025-050; the receipt weighs the whole lot, 29.95 t, in
// C1 and C2. C1's page shows the 12 t packed and the receipt's 29.95 t as
// the whole lot's, with no difference (29.95 − 12 = +17.95 t compared
// part with whole). The bill of lading's page compares whole with whole:
// 29.95 − 30 = −0.05 t.
func TestContainerPageComparesLikeWithLike(t *testing.T) {
	ts := MustServe(t, true, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(partialDoc)}); err != nil {
		t.Fatal(err)
	}
	row := func(path string) string {
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(path), "", nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		table := regexp.MustCompile(`(?s)<table id="shipment-lots"[^>]*>.*?</table>`).FindString(html.UnescapeString(string(b)))
		return regexp.MustCompile(`(?s)<tr><td data-label="Lot">.*?</tr>`).FindString(table)
	}
	c1 := row("urn:critmin:demo:container:C1")
	if !strings.Contains(c1, "12 t (12,000 kg)") || !strings.Contains(c1, "(whole lot, in every container)") || !strings.Contains(c1, `data-label="Difference">—<`) || strings.Contains(c1, "17.95") {
		t.Errorf("C1 compares its 12 t with the whole lot's receipt:\n%s", c1)
	}
	bol := row("urn:critmin:demo:bol:X50")
	if !strings.Contains(bol, `data-label="Difference">−0.05 t<`) {
		t.Errorf("the bill of lading's page does not compare 29.95 t received with 30 t shipped:\n%s", bol)
	}
}

// TestShipmentWithoutBOLAndRoute (fix15 item 7): the demo's overland trip
// of CAIU2223330 to the Arizona smelter (event 022) has no bill of
// lading: the index links it by its event ID and that page opens (200),
// showing the smelter as its destination at the end of its route. The
// bill of lading BQM-HOU-2025-1112 (REE-2025-003, at sea from Port Qasim
// to Houston) lists Houston last in its route, not reached yet.
func TestShipmentWithoutBOLAndRoute(t *testing.T) {
	ts := MustServe(t, true, nil)
	if _, err := demo.Load(context.Background(), ts.Svc); err != nil {
		t.Fatal(err)
	}
	_, b := do(t, "GET", ts.URL+"/shipments", "", nil, nil)
	m := regexp.MustCompile(`<a class="muted" href="(/shipments/[^"]+)">none \(open\)</a>`).FindStringSubmatch(string(b))
	if m == nil {
		t.Fatalf("the index links no shipment without a bill of lading")
	}
	resp, b := do(t, "GET", ts.URL+html.UnescapeString(m[1]), "", nil, nil)
	page := html.UnescapeString(string(b))
	if resp.StatusCode != http.StatusOK || !strings.Contains(page, "A shipping event without a bill of lading") {
		t.Fatalf("%s: %d\n%s", m[1], resp.StatusCode, page)
	}
	route := regexp.MustCompile(`(?s)<ol id="shipment-route">.*?</ol>`).FindString(page)
	if !strings.Contains(route, "(destination") {
		t.Errorf("the route names no destination:\n%s", route)
	}
	_, b = do(t, "GET", ts.URL+"/shipments/"+url.PathEscape("urn:critmin:demo:bol:BQM-HOU-2025-1112"), "", nil, nil)
	route = regexp.MustCompile(`(?s)<ol id="shipment-route">.*?</ol>`).FindString(html.UnescapeString(string(b)))
	if !regexp.MustCompile(`Houston[^<]*</a>? ?<span class="muted">\(destination, not reached yet\)</span></li></ol>|Houston <span class="muted">\(destination, not reached yet\)</span></li></ol>`).MatchString(route) {
		t.Errorf("the route does not end at Houston, not reached yet:\n%s", route)
	}
}
