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

// TestContainerPageAfterShipmentOfPackedLot (issue 15, fix15k): the
// container page reads what the container holds by the store's rule
// (Store.PackedIn, custody.ContainedAt), which the unpacking check uses.
// Lot PK, 10 t at the mine; 3,000 kg packed into C on 2 October (7 t
// loose); 8 t of the lot shipped from the mine on 3 October: 7 t loose
// and 8 − 7 = 1 t out of C, which holds 3 − 1 = 2 t (2,000 kg). It read
// 3,000 kg. Once 2,000 kg are unpacked from C on 4 October, C is empty,
// and its page says so.
func TestContainerPageAfterShipmentOfPackedLot(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	const c, mine, port = "urn:t:container:C", "urn:t:site:mine-PAK", "urn:t:site:port"
	ev := func(body string) string { return body }
	agg := func(id, when, action, step, kg string) string {
		return ev(`{"type": "AggregationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "` + action + `",
	  "bizStep": "` + step + `", "parentID": "` + c + `", "childQuantityList": [{"epcClass": "urn:t:lot:PK", "quantity": ` + kg + `, "uom": "KGM"}],
	  "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"}}`)
	}
	doc := func(events ...string) string {
		return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-10-01T00:00:00Z",
	 "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
	}
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:c1", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:PK", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "` + mine + `"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:originMine": "` + mine + `", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 5, "cm:unit": "%", "cm:basis": "dry"}]}}`
	ship := `{"type": "ObjectEvent", "eventID": "urn:t:ev:s1", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "urn:t:lot:PK", "quantity": 8, "uom": "TNE"}], "readPoint": {"id": "` + mine + `"}, "bizLocation": {"id": "` + mine + `"},
	  "destinationList": [{"type": "location", "destination": "` + port + `"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:A"}]}`
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(commission, agg("p1", "2025-10-02T00:00:00Z", "ADD", "packing", "3000"), ship))}); err != nil {
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
	p := page()
	row := regexp.MustCompile(`(?s)<tr><td data-label="Lot">.*?</tr>`).FindString(p)
	if !strings.Contains(row, "PK") || !strings.Contains(row, `data-label="Packed">2,000 kg`) && !strings.Contains(row, `data-label="Packed">2 t`) {
		t.Errorf("contents row after 8 t of the 10 t lot shipped: %s; want PK with 3,000 − 1,000 = 2,000 kg in C", row)
	}
	if strings.Contains(p, `id="container-emptied"`) {
		t.Errorf("container page says C is empty while it holds 2 t")
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(agg("u1", "2025-10-04T00:00:00Z", "DELETE", "unpacking", "2000")))}); err != nil {
		t.Fatalf("2,000 kg unpacked from C, which holds 2 t: %v", err)
	}
	p = page()
	if !strings.Contains(p, `id="container-emptied"`) {
		t.Errorf("container page after C's last 2 t were unpacked: no note that it is empty")
	}
	if row := regexp.MustCompile(`(?s)<tr><td data-label="Lot">.*?</tr>`).FindString(p); strings.Contains(row, "PK") {
		t.Errorf("emptied container lists %s", row)
	}
}
