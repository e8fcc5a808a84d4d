package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/ledger"
)

// TestOnwardShipmentFromARetractedReceiptIsFlagged (fix15p items 2 and
// 5): lot SB-NU15-2 (nu15Doc: 30 t at Karachi, 10 t received at Houston
// on 2025-11-20 under B/L NU15-006). 6,000 kg are shipped on from
// Houston on 2025-11-21 (B/L NU15-010): the lot page lists that part
// from Houston, and the 10 t part "6 wmt shipped on from there". The
// receipt is then declared in error: the onward shipment now ships from
// nothing, and both the lot page and the shipment page of B/L NU15-010
// flag it "ships from a receipt declared in error" (the shipments index
// too, in place of "in transit", from Port of Houston); the lot's in-transit
// figure is the 10 t of B/L NU15-006 alone, not 10 + 6 = 16 t.
func TestOnwardShipmentFromARetractedReceiptIsFlagged(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := demo.Load(ctx, ts.Svc); err != nil {
		t.Fatal(err)
	}
	capture := func(events ...string) error {
		doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
		 "creationDate": "2025-11-22T00:00:00Z", "epcisBody": {"eventList": [` + strings.Join(events, ",") + `]}}`
		_, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc)})
		return err
	}
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(nu15Doc)}); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:critmin:demo:lot:SB-NU15-2"
	if err := capture(`{"type": "ObjectEvent", "eventID": "urn:t:nu15:on", "eventTime": "2025-11-21T10:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "` + lot + `", "quantity": 6000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:demo:site:houston"},
	  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:NU15-010"}], "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:magnet-tx"}]}`); err != nil {
		t.Fatalf("6 t shipped on from Houston: %v", err)
	}
	get := func(path string) string {
		resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return html.UnescapeString(string(b))
	}
	part := regexp.MustCompile(`<dd class="part">.*?</dd>`)
	parts := part.FindAllString(get("/lots/"+url.PathEscape(lot)), -1)
	if len(parts) != 2 || !strings.Contains(parts[0], "6 wmt shipped on from there") || !strings.Contains(parts[1], "6 wmt from Port of Houston") {
		t.Errorf("lot page parts before the retraction: %q; want the 10 t part with 6 wmt shipped on, and 6 wmt from Port of Houston", parts)
	}
	evs, err := ts.Store.FindEventsByID(ctx, "urn:t:nu15:r6")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(evs[0].Raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "recordTime")
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-11-22T00:00:00Z", "reason": "incorrect_data"}
	decl, _ := json.Marshal(m)
	if err := capture(string(decl)); err != nil {
		t.Fatalf("declaring the receipt in error: %v", err)
	}
	page := get("/lots/" + url.PathEscape(lot))
	parts = part.FindAllString(page, -1)
	if len(parts) != 2 || !strings.Contains(parts[1], "ships from a receipt declared in error") {
		t.Errorf("lot page parts after the retraction: %q; want the onward part flagged", parts)
	}
	// In transit: 10 t of B/L NU15-006 (back at sea), not 16.
	if rem := regexp.MustCompile(`<dd id="remaining">.*?</dd>`).FindString(page); !strings.Contains(rem, "20 wmt at") || !strings.Contains(rem, "10 wmt in transit") {
		t.Errorf("remaining after the retraction: %s; want 20 wmt at Karachi, 10 wmt in transit", rem)
	}
	// The shipments index: flagged, not "in transit" (so neither the
	// overview's shipments at sea nor its flows count it).
	if row := regexp.MustCompile(`(?s)<tr><td><a href="/shipments/[^"]*NU15-010"[^>]*>.*?</tr>`).FindString(get("/shipments")); !strings.Contains(row, "ships from a receipt declared in error") || !strings.Contains(row, "<td>Port of Houston</td>") {
		t.Errorf("shipments index row of B/L NU15-010: %q; want it flagged, from Port of Houston", row)
	}
	ship := get("/shipments/" + url.PathEscape("urn:critmin:demo:bol:NU15-010"))
	if !strings.Contains(ship, "destination, from Port of Houston") {
		t.Errorf("the shipment page of B/L NU15-010 does not say it left from Port of Houston")
	}
	if a := regexp.MustCompile(`(?s)<div class="errors" id="shipment-anomalies">.*?</div>`).FindString(ship); !strings.Contains(a, "SB-NU15-2 ships from a receipt declared in error") {
		t.Errorf("shipment page anomalies: %q; want the lot flagged", a)
	}
}
