package storetest

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// testBackdatedWeighing: issue 15, a weighbridge ticket dated before a
// lot's later shipment. Lot W, 10,000 kg commissioned at mine-b on 1 Nov;
// shipped whole (10,000 kg, readPoint mine-b, to the port) on 3 Nov;
// received at the port, 9,990 kg, on 5 Nov: 9.99 t in stock at the port,
// no parts.
//
//  1. A ticket of 10,100 kg dated 2 Nov (before the shipment). In
//     event-time order the shipment of 10,000 kg would then be a part:
//     10,000 < 10,100 × (1 − 0.005) = 10,049.5 (ledger.PartTolerance), so
//     the replay would read the stored whole-lot shipment anew (the demo
//     lot came out at twice its mass, in stock where it was consumed).
//     The ticket contradicts the later shipped weight: refused, 409,
//     nothing stored, the lot as it was (9.99 t at the port, no parts).
//  2. A ticket of 10,040 kg dated 2 Nov: 10,000 ≥ 10,040 × 0.995 =
//     9,989.8, still the whole lot: accepted, and the lot is as if the
//     ticket had come in event-time order: weighed 10.04 t, shipped whole
//     as 10 t, received 9.99 t → 9.99 t in stock at the port, no parts.
func testBackdatedWeighing(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	const lot, mine, port = "urn:t:lot:W", "urn:critmin:site:mine-b", "urn:t:site:port"
	obs := func(id, at, step, extra string) string {
		return `{"type": "ObjectEvent", "eventID": "` + id + `", "eventTime": "` + at + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "` + step + `", ` + extra + `}`
	}
	MustCapture(t, svc, docOf(commissionEv("urn:t:ev:W0", "2025-11-01T08:00:00Z", lot, "10000", "ree_concentrate", "PAK"),
		obs("urn:t:ev:W1", "2025-11-03T08:00:00Z", "shipping", `"disposition": "in_transit", "quantityList": [{"epcClass": "`+lot+`", "quantity": 10000, "uom": "KGM"}],
		 "readPoint": {"id": "`+mine+`"}, "destinationList": [{"type": "location", "destination": "`+port+`"}]`),
		obs("urn:t:ev:W2", "2025-11-05T08:00:00Z", "receiving", `"disposition": "in_progress", "quantityList": [{"epcClass": "`+lot+`", "quantity": 9990, "uom": "KGM"}],
		 "bizLocation": {"id": "`+port+`"}`)))
	ticket := func(id, kg string) string {
		return obs(id, "2025-11-02T08:00:00Z", "sensor_reporting", `"quantityList": [{"epcClass": "`+lot+`", "quantity": `+kg+`, "uom": "KGM"}],
		 "readPoint": {"id": "`+mine+`"}, "bizLocation": {"id": "`+mine+`"},
		 "sensorElementList": [{"sensorMetadata": {"time": "2025-11-02T08:00:00Z"}, "sensorReport": [{"type": "Mass", "value": `+kg+`, "uom": "KGM"}]}]`)
	}
	check := func(when string) {
		t.Helper()
		l, err := s.FindLot(ctx, lot)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(l.WetTonnes-9.99) > 1e-9 || len(l.Parts) != 0 || l.Status != critmin.LotInStock || l.Location != port {
			t.Fatalf("%s: lot W %v t, parts %+v, %s at %s; want 9.99 t, no parts, in stock at %s", when, l.WetTonnes, l.Parts, l.Status, l.Location, port)
		}
	}
	check("before the tickets")
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(docOf(ticket("urn:t:ev:W3", "10100")))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:ev:W1") {
		t.Fatalf("backdated ticket of 10,100 kg: %v; want a conflict naming the later shipment urn:t:ev:W1", err)
	}
	if _, err := s.FindEventsByID(ctx, "urn:t:ev:W3"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("the refused ticket was stored: %v", err)
	}
	check("after the refused ticket")
	MustCapture(t, svc, docOf(ticket("urn:t:ev:W4", "10040")))
	check("after the ticket within tolerance")
}
