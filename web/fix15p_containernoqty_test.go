package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestContainerPageAfterShipmentWithNoQuantity (issue 15, fix15p): a
// shipment of the lot itself stating no quantity ships what stands of it
// at its site (the Ship preview's figure, ledger.ShippedStanding) and
// draws on its containers there as that quantity stated would
// (custody.ContainedAt). Lot PK, 10 t at the mine; 3,000 kg packed into
// C (7 t loose); 8 t shipped (bol A): 7 t loose and 1 t out of C, which
// holds 2 t (2,000 kg) — all that stands at the mine. Then PK shipped
// with no quantity (bol B): those 2 t, 2 t out of C, which holds
// 2 − 2 = 0 t, and its page says it is empty. It read "2 t (2,000 kg)".
func TestContainerPageAfterShipmentWithNoQuantity(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const c, mine, port = "urn:epc:id:sscc:0614141.0000000018", "urn:t:site:mine-PAK", "urn:t:site:port"
	doc := func(events ...string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
	}
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:c1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:PK", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "` + mine + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
	pack := `{"type": "AggregationEvent", "eventID": "urn:t:ev:p1", "eventTime": "2025-10-02T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	  "bizStep": "packing", "parentID": "` + c + `", "childQuantityList": [{"epcClass": "urn:t:lot:PK", "quantity": 3000, "uom": "KGM"}],
	  "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"}}`
	ship := func(id, day, qty, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "urn:t:lot:PK"` + qty + `}], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"},
	  "destinationList": [{"type": "location", "destination": "` + port + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]}`
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(commission, pack, ship("s1", "3", `, "quantity": 8, "uom": "TNE"`, "A")))}); err != nil {
		t.Fatal(err)
	}
	page := func() string {
		resp, b := do(t, "GET", ts.URL+"/shipments/"+url.PathEscape(c), viewerSecret, nil, nil)
		p := html.UnescapeString(string(b))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("container page: %d\n%s", resp.StatusCode, p)
		}
		return p
	}
	row := regexp.MustCompile(`(?s)<tr><td data-label="Lot">.*?</tr>`)
	if p := page(); strings.Contains(p, `id="container-emptied"`) || !strings.Contains(row.FindString(p), "PK") {
		t.Fatalf("container page after 8 t of the 10 t lot shipped: want PK with 3 − 1 = 2 t in C, not empty; row %q", row.FindString(p))
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(ship("s2", "4", "", "B")))}); err != nil {
		t.Fatalf("PK shipped with no quantity (the 2 t standing): %v", err)
	}
	p := page()
	if !strings.Contains(p, `id="container-emptied"`) {
		t.Errorf("container page after the shipment with no quantity of the 2 t standing, all in C: no note that it is empty (2 − 2 = 0 t)")
	}
	if r := row.FindString(p); strings.Contains(r, "PK") {
		t.Errorf("emptied container lists %s", r)
	}
}
