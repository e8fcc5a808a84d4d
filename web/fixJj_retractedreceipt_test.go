package web_test

import (
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestShipmentPagesAfterAReceiptDeclaredInError (issue 8 §2, fixJj
// items 1 and 2): lot W, 10 t at K, shipped whole K→H under B/L A,
// received at H by a receiving event naming no bill of lading, shipped
// whole H→S under B/L B; the receipt is then declared in error on its
// own through the event page's Declare form.
//   - B/L A reads from standing events only: "in transit", nothing
//     received, the declared receipt listed as declared in error with a
//     link to its event page's declaration (#event-declared);
//   - B/L B is flagged "ships from a receipt declared in error" (the
//     words of the lot page and the lot API), naming the receipt, and so
//     are the lot page's location and the lot API's transit (flag,
//     declaredReceipt), its 10 t still counted in transit (a whole lot
//     is never split).
func TestShipmentPagesAfterAReceiptDeclaredInError(t *testing.T) {
	ts := MustServe(t, false, nil)
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0",
 "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:jj:c", "eventTime": "2025-11-01T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:K"}, "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}},
 {"type": "ObjectEvent", "eventID": "urn:t:jj:a", "eventTime": "2025-11-02T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "readPoint": {"id": "urn:t:site:K"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:A"}],
  "destinationList": [{"type": "location", "destination": "urn:t:site:H"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:jj:r", "eventTime": "2025-11-20T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:H"}},
 {"type": "ObjectEvent", "eventID": "urn:t:jj:b", "eventTime": "2025-11-21T10:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:W", "quantity": 10, "uom": "TNE"}], "bizLocation": {"id": "urn:t:site:H"}, "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:B"}],
  "destinationList": [{"type": "location", "destination": "urn:t:site:S"}]}]}}`
	if resp, b := do(t, "POST", ts.URL+"/epcis/capture", operatorSecret, []byte(doc), nil); resp.StatusCode != http.StatusAccepted {
		t.Fatalf("capture: %d %s", resp.StatusCode, b)
	}
	get := func(path string) string {
		resp, b := do(t, "GET", ts.URL+path, viewerSecret, nil, nil)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		return html.UnescapeString(string(b))
	}
	status := regexp.MustCompile(`<div class="n" id="shipment-status">(.*?)</div>`)
	anomalies := regexp.MustCompile(`(?s)<div class="errors" id="shipment-anomalies">.*?</div>`)
	if s := status.FindStringSubmatch(get("/shipments/urn:t:bol:A")); s == nil || !strings.HasPrefix(s[1], "arrived") {
		t.Fatalf("B/L A before the declaration: %q; want arrived", s)
	}
	if a := anomalies.FindString(get("/shipments/urn:t:bol:B")); a != "" {
		t.Errorf("B/L B flagged while its receipt stands: %q", a)
	}
	v := url.Values{"reason": {"incorrect_data"}, "step": {"capture"}}
	if resp, b := do(t, "POST", ts.URL+"/events/"+url.PathEscape("urn:t:jj:r")+"/declare", operatorSecret, []byte(v.Encode()), formHeader); resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="event-declared"`) {
		t.Fatalf("declaring the receipt: %d; want its event page, declared", resp.StatusCode)
	}
	a := get("/shipments/urn:t:bol:A")
	if s := status.FindStringSubmatch(a); s == nil || s[1] != "in transit" {
		t.Errorf("B/L A after the declaration: status %q; want in transit", s)
	}
	if strings.Contains(a, "Received 10") || regexp.MustCompile(`data-label="Received">10`).MatchString(a) {
		t.Error("B/L A still reads 10 t received")
	}
	decl := regexp.MustCompile(`(?s)<div id="shipment-declared-receipts">.*?</div>`).FindString(a)
	if !strings.Contains(decl, `href="/events/urn:t:jj:r"`) || !strings.Contains(decl, "declared in error (retracted: incorrect data)") || !strings.Contains(decl, `href="/events/urn:t:jj:r#event-declared"`) {
		t.Errorf("B/L A's declared receipt: %q; want the receipt marked declared in error, linked, with a link to its declaration", decl)
	}
	if got := anomalies.FindString(get("/shipments/urn:t:bol:B")); !strings.Contains(got, "urn:t:lot:W ships from a receipt declared in error") || !strings.Contains(got, "urn:t:jj:r") {
		t.Errorf("B/L B's anomalies: %q; want lot W flagged, naming the receipt", got)
	}
	if loc := regexp.MustCompile(`<dd id="lot-location">.*?</dd>`).FindString(get("/lots/urn:t:lot:W")); !strings.Contains(loc, "ships from a receipt declared in error") || !strings.Contains(loc, `href="/events/urn:t:jj:r"`) {
		t.Errorf("lot page location: %q; want the transit flagged, linking the receipt", loc)
	}
	// The shipments index flags B/L B in the same words, linking the
	// receipt; B/L A is not flagged (issue 15 §2).
	idx := get("/shipments")
	rowB := regexp.MustCompile(`(?s)<tr><td><a href="/shipments/urn:t:bol:B".*?</tr>`).FindString(idx)
	if !strings.Contains(rowB, `class="badge declared from-retracted" href="/events/urn:t:jj:r"`) || !strings.Contains(rowB, ">ships from a receipt declared in error</a>") {
		t.Errorf("shipments index row of B/L B: %q; want it flagged, linking receipt r", rowB)
	}
	if rowA := regexp.MustCompile(`(?s)<tr><td><a href="/shipments/urn:t:bol:A".*?</tr>`).FindString(idx); rowA == "" || strings.Contains(rowA, "from-retracted") {
		t.Errorf("shipments index row of B/L A: %q; want it listed, not flagged", rowA)
	}
	var lot struct {
		InTransitTonnes float64 `json:"inTransitTonnes"`
		Transit         struct {
			EventID, Flag, DeclaredReceipt string
		} `json:"transit"`
	}
	if err := json.Unmarshal([]byte(get("/api/v1/lots/urn:t:lot:W")), &lot); err != nil {
		t.Fatal(err)
	}
	if lot.Transit.EventID != "urn:t:jj:b" || lot.Transit.Flag != "ships from a receipt declared in error" || lot.Transit.DeclaredReceipt != "urn:t:jj:r" || lot.InTransitTonnes != 10 {
		t.Errorf("lot API transit %+v, %v t in transit; want B flagged from receipt r, 10 t", lot.Transit, lot.InTransitTonnes)
	}
}
