package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// bodyLeftDoc (issue 15, fix15n): lot BL, 10,000 kg commissioned at the
// mine by party A; 4,000 kg shipped to Karachi on B/L a and received
// there by party B (B's part: it does not rejoin A's body); the body
// shipped to Karachi on b and received there, both stating no quantity
// (A's 6 t body and B's 4 t part at Karachi); then the body shipped
// Karachi→Houston on c with NO quantity: A's 6 t leave, B's 4 t part
// stays at Karachi.
const bodyLeftDoc = `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-10T00:00:00Z",
 "epcisBody": {"eventList": [
 {"type": "ObjectEvent", "eventID": "urn:t:bl:c", "eventTime": "2025-11-01T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
  "quantityList": [{"epcClass": "urn:t:lot:BL", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mine"},
  "destinationList": [{"type": "owning_party", "destination": "urn:t:party:A"}, {"type": "possessing_party", "destination": "urn:t:party:A"}],
  "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}},
 {"type": "ObjectEvent", "eventID": "urn:t:bl:sa", "eventTime": "2025-11-02T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:BL", "quantity": 4000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mine"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:a"}], "destinationList": [{"type": "location", "destination": "urn:t:site:karachi"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:bl:ra", "eventTime": "2025-11-03T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "urn:t:lot:BL", "quantity": 4000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:karachi"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:a"}], "destinationList": [{"type": "owning_party", "destination": "urn:t:party:B"}, {"type": "possessing_party", "destination": "urn:t:party:B"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:bl:sb", "eventTime": "2025-11-04T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:BL"}], "bizLocation": {"id": "urn:t:site:mine"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:b"}], "destinationList": [{"type": "location", "destination": "urn:t:site:karachi"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:bl:rb", "eventTime": "2025-11-05T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "receiving", "disposition": "in_progress",
  "quantityList": [{"epcClass": "urn:t:lot:BL"}], "bizLocation": {"id": "urn:t:site:karachi"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:b"}]},
 {"type": "ObjectEvent", "eventID": "urn:t:bl:sc", "eventTime": "2025-11-06T10:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": [{"epcClass": "urn:t:lot:BL"}], "bizLocation": {"id": "urn:t:site:karachi"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:c"}], "destinationList": [{"type": "location", "destination": "urn:t:site:houston"}]}
 ]}}`

// TestPackFormWhereTheBodyLeft (issue 15, fix15n): after bodyLeftDoc
// 4 t of lot BL stand at Karachi (B's part), the 6 t body is in transit.
// The Pack form's preview of 9,000 kg at Karachi shows the refusal (it
// was valid: judged against 10 t) and capturing it stores nothing;
// 4,000 kg is captured, and the lot stays in transit (it read in stock
// at Karachi, 10 t).
func TestPackFormWhereTheBodyLeft(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(bodyLeftDoc)}); err != nil {
		t.Fatal(err)
	}
	const lot = "urn:t:lot:BL"
	form := func(step, kgs, id string) url.Values {
		return url.Values{"step": {step}, "container": {"urn:t:container:BLC"}, "lots": {lot + " " + kgs + " KGM"},
			"time": {"2025-11-07T10:00"}, "tz": {"+05:00"}, "site": {"urn:t:site:karachi"}, "eventID": {id}}
	}
	resp, b := do(t, "POST", ts.URL+"/record/pack", operatorSecret, []byte(form("preview", "9000", "urn:uuid:5e0a1d2c-0000-4000-8000-00000000b109").Encode()), formHeader)
	if resp.StatusCode == http.StatusOK && !strings.Contains(string(b), `class="field-error"`) {
		t.Errorf("preview of 9,000 kg at Karachi (4 t stand): %d, no refusal shown", resp.StatusCode)
	}
	do(t, "POST", ts.URL+"/record/pack", operatorSecret, []byte(form("capture", "9000", "urn:uuid:5e0a1d2c-0000-4000-8000-00000000b109").Encode()), formHeader)
	if _, err := ts.Store.FindEventsByID(ctx, "urn:uuid:5e0a1d2c-0000-4000-8000-00000000b109"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("the 9,000 kg packing was stored: %v", err)
	}
	if resp, b := do(t, "POST", ts.URL+"/record/pack", operatorSecret, []byte(form("capture", "4000", "urn:uuid:5e0a1d2c-0000-4000-8000-00000000b104").Encode()), formHeader); resp.StatusCode != http.StatusOK || !strings.Contains(string(b), `id="event-id">urn:uuid:5e0a1d2c-0000-4000-8000-00000000b104`) {
		t.Fatalf("capture of 4,000 kg: %d\n%s", resp.StatusCode, excerpt(string(b), "field-error"))
	}
	l, err := ts.Store.FindLot(ctx, lot)
	if err != nil {
		t.Fatal(err)
	}
	if l.Status != critmin.LotInTransit || l.WetTonnes < 10-1e-9 || l.WetTonnes > 10+1e-9 {
		t.Errorf("after packing 4 t at Karachi: lot %s at %s, %v t; want in transit, 10 t", l.Status, l.Location, l.WetTonnes)
	}
}

// TestShipFormRefusesZero (issue 15, fix15n): the Ship form's preview
// of 0 kg of lot BL shows the refusal (a shipment of 0 moves nothing; it
// previewed as valid) and its capture stores nothing.
func TestShipFormRefusesZero(t *testing.T) {
	ts := MustServe(t, false, nil)
	ctx := context.Background()
	if _, err := ts.Svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(bodyLeftDoc)}); err != nil {
		t.Fatal(err)
	}
	v := url.Values{"lots": {"urn:t:lot:BL 0 KGM"}, "bol": {"urn:t:bol:z"}, "destination": {"urn:t:site:houston"}, "site": {"urn:t:site:karachi"},
		"time": {"2025-11-07T10:00"}, "tz": {"+05:00"}, "eventID": {"urn:uuid:5e0a1d2c-0000-4000-8000-00000000b100"}, "step": {"preview"}}
	resp, b := do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(v.Encode()), formHeader)
	if resp.StatusCode == http.StatusOK && !strings.Contains(visibleText(string(b)), "moves nothing") {
		t.Errorf("preview of a 0 kg shipment: %d, no refusal shown\n%s", resp.StatusCode, excerpt(string(b), "field-error"))
	}
	v.Set("step", "capture")
	do(t, "POST", ts.URL+"/record/ship", operatorSecret, []byte(v.Encode()), formHeader)
	if _, err := ts.Store.FindEventsByID(ctx, "urn:uuid:5e0a1d2c-0000-4000-8000-00000000b100"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("the 0 kg shipment was stored: %v", err)
	}
}
