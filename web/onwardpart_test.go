package web_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestOnwardShipmentOfPartIsNotAWeighing: FW-19 (19 t at 5 % moisture,
// fw19Doc) ships 5,000 kg to Houston under FW-19-A, received there at
// 5,000 kg; 2,000 kg of that part then ship on from Houston. The lot's
// total stays 19 t and what is left at Houston, 3 t, keeps its 5 %:
// the shipment is not a weighing. It was refused as one ("recorded at
// 5 t and shipped at 3 t … −40.0 %"): the moisture of what is left,
// recomputed mass-weighted (3 × 0.05 / 3 = 0.05000000000000001), did not
// equal 0.05 exactly, so the lot read as re-weighed (custody
// sameMoisture now compares within 1e-9).
func TestOnwardShipmentOfPartIsNotAWeighing(t *testing.T) {
	onward := `{"type": "ObjectEvent", "eventID": "urn:t:nu15t:sc", "eventTime": "2025-12-01T10:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
  "quantityList": ` + fw19Quantity(2000) + `, "bizLocation": {"id": "urn:critmin:demo:site:houston"},
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:critmin:demo:bol:FW-19-C"}], "destinationList": [{"type": "location", "destination": "urn:critmin:demo:site:port-qasim"}]}`
	ts := fw19Split(t,
		fw19Ship("urn:t:nu15t:sa", "2025-11-02T10:00:00+05:00", "FW-19-A", 5000),
		fw19Receive("urn:t:nu15t:ra", "2025-11-20T08:00:00-06:00", "FW-19-A", 5000))
	doc := `{"@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"], "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-21T00:00:00Z", "epcisBody": {"eventList": [` + onward + `]}}`
	if _, err := ts.Svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(doc)}); err != nil {
		t.Fatal(err)
	}
}
