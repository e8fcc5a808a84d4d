package custody_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// The new-user check of issue 15 (fix15p, items 1 and 2): a part of a
// lot received at Houston is shipped on from there under new bills of
// lading. What is left of it there is tracked through every onward
// shipment, and each onward part leaves from where it was received.

// shipOn ships kg of lot L on from Houston to Baltimore under B/L bol.
func shipOn(id, when, kg, bol string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE",
	 "bizStep": "shipping", "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:houston"}, "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": ` + kg + `, "uom": "KGM"}],
	 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:baltimore"}]}`
}

// TestOnwardShipmentsFromAReceivedPart (items 1, 2): lot L (standingLot)
// is 30 t; 10 t of it were received at Houston on 2025-11-20, 20 t stand
// at Karachi. From Houston:
//
//   - 6,000 kg on 2025-11-21 (B/L 010): accepted; 10 − 6 = 4 t remain at
//     Houston, the part leaves from Houston (not Karachi), and Karachi
//     still holds 30 − 10 = 20 t (the 6 t come out of the 10 t received,
//     not out of the rest);
//   - 6,000 kg more on 2025-11-22 (B/L 011): 6 > 4 + 30 × 0.005 = 4.15 t
//     → refused (409), naming the lot, the 4 t that remain and the 6 t
//     asked; nothing stored;
//   - 4,000 kg (B/L 012): all that remains, accepted.
func TestOnwardShipmentsFromAReceivedPart(t *testing.T) {
	ctx := context.Background()
	db, svc := standingLot(t)
	if err := capture(svc, shipOn("H1", "2025-11-21T00:00:00-06:00", "6000", "010")); err != nil {
		t.Fatalf("6 t shipped on of the 10 t received at Houston: %v", err)
	}
	l, err := db.FindLot(ctx, "urn:t:lot:L")
	if err != nil {
		t.Fatal(err)
	}
	var onward *critmin.LotPart
	for i := range l.Parts {
		if l.Parts[i].BillOfLading == "urn:t:bol:010" {
			onward = &l.Parts[i]
		}
	}
	if onward == nil || onward.From != "urn:t:site:houston" || !near(onward.Tonnes, 6) || onward.Status != critmin.PartInTransit {
		t.Fatalf("the onward part: %+v; want 6 t in transit from urn:t:site:houston (parts %+v)", onward, l.Parts)
	}
	// 30 t total; 20 t stand at Karachi (30 − 10 received at Houston);
	// 6 t in transit.
	if !near(l.WetTonnes, 30) || !near(l.RemainingWetTonnes(), 20) || !near(l.InTransitTonnes(), 6) {
		t.Errorf("lot L %v t, %v t remaining at Karachi, %v t in transit; want 30, 20, 6", l.WetTonnes, l.RemainingWetTonnes(), l.InTransitTonnes())
	}
	err = capture(svc, shipOn("H2", "2025-11-22T00:00:00-06:00", "6000", "011"))
	t.Log(err)
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:lot:L") || !strings.Contains(err.Error(), "takes 6 t") || !strings.Contains(err.Error(), "only 4 t") {
		t.Fatalf("6 t more of the 4 t left at Houston: %v; want a conflict naming the lot, 6 t and 4 t", err)
	}
	if _, err := db.FindEventsByID(ctx, "urn:t:ev:H2"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("the refused onward shipment was stored: %v", err)
	}
	if err := capture(svc, shipOn("H3", "2025-11-22T00:00:00-06:00", "4000", "012")); err != nil {
		t.Fatalf("the last 4 t at Houston: %v", err)
	}
	if l, err = db.FindLot(ctx, "urn:t:lot:L"); err != nil {
		t.Fatal(err)
	}
	// Still 20 t at Karachi; 6 + 4 = 10 t in transit.
	if !near(l.WetTonnes, 30) || !near(l.RemainingWetTonnes(), 20) || !near(l.InTransitTonnes(), 10) {
		t.Errorf("lot L %v t, %v t remaining at Karachi, %v t in transit; want 30, 20, 10", l.WetTonnes, l.RemainingWetTonnes(), l.InTransitTonnes())
	}
}

// retract is the stored event id declared in error (its own record with
// an errorDeclaration, EPCIS 2.0 §7.4.1.2).
func retract(t *testing.T, db critmin.Store, id string) string {
	t.Helper()
	evs, err := db.FindEventsByID(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(evs[0].Raw, &m); err != nil {
		t.Fatal(err)
	}
	delete(m, "recordTime")
	m["errorDeclaration"] = map[string]any{"declarationTime": "2025-11-23T00:00:00Z", "reason": "incorrect_data"}
	b, _ := json.Marshal(m)
	return string(b)
}

// TestOnwardShipmentFromARetractedReceipt (item 5): 6 t of lot L are
// shipped on from Houston (B/L 010) out of the 10 t received there; the
// receipt (urn:t:ev:L2) is then declared in error. The onward shipment
// now ships from nothing: its part is flagged (LotPart.FromRetracted,
// the anomaly "ships from a receipt declared in error") and not counted:
// Karachi still holds 30 − 10 = 20 t (the 10 t of B/L 006 back in
// transit), and 10 t, not 16, are in transit.
func TestOnwardShipmentFromARetractedReceipt(t *testing.T) {
	ctx := context.Background()
	db, svc := standingLot(t)
	if err := capture(svc, shipOn("H1", "2025-11-21T00:00:00-06:00", "6000", "010")); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, retract(t, db, "urn:t:ev:L2")); err != nil {
		t.Fatalf("declaring the receipt in error: %v", err)
	}
	l, err := db.FindLot(ctx, "urn:t:lot:L")
	if err != nil {
		t.Fatal(err)
	}
	var onward *critmin.LotPart
	for i := range l.Parts {
		if l.Parts[i].ShipEventID == "urn:t:ev:H1" {
			onward = &l.Parts[i]
		}
	}
	if onward == nil || !onward.FromRetracted || onward.From != "urn:t:site:houston" {
		t.Fatalf("the onward part after the retraction: %+v; want flagged as shipping from a receipt declared in error, from urn:t:site:houston (parts %+v)", onward, l.Parts)
	}
	if !near(l.WetTonnes, 30) || !near(l.RemainingWetTonnes(), 20) || !near(l.InTransitTonnes(), 10) {
		t.Errorf("lot L %v t, %v t remaining at Karachi, %v t in transit; want 30, 20, 10", l.WetTonnes, l.RemainingWetTonnes(), l.InTransitTonnes())
	}
}

// TestWeighingWhatIsLeftAfterShippingOn: 6 t of the 10 t received at
// Houston shipped on, an inspection there weighs the 4 t left at 3,900
// kg. It weighs what stands there, not the 10 t received: the part is
// 3.9 + 6 = 9.9 t (3.9 t left there), the lot 30 − 0.1 = 29.9 t, Karachi
// still 20 t and 6 t in transit.
func TestWeighingWhatIsLeftAfterShippingOn(t *testing.T) {
	ctx := context.Background()
	db, svc := standingLot(t)
	if err := capture(svc, shipOn("H1", "2025-11-21T00:00:00-06:00", "6000", "010"),
		`{"type": "ObjectEvent", "eventID": "urn:t:ev:HW", "eventTime": "2025-11-22T00:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE",
		 "bizStep": "inspecting", "bizLocation": {"id": "urn:t:site:houston"}, "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 3900, "uom": "KGM"}]}`); err != nil {
		t.Fatal(err)
	}
	l, err := db.FindLot(ctx, "urn:t:lot:L")
	if err != nil {
		t.Fatal(err)
	}
	var received *critmin.LotPart
	for i := range l.Parts {
		if l.Parts[i].ShipEventID == "urn:t:ev:L1" {
			received = &l.Parts[i]
		}
	}
	if received == nil || !near(received.LeftTonnes(), 3.9) || !near(received.Mass(), 9.9) {
		t.Fatalf("the received part after the weighing: %+v; want 3.9 t left, 9.9 t in all", received)
	}
	if !near(l.WetTonnes, 29.9) || !near(l.RemainingWetTonnes(), 20) || !near(l.InTransitTonnes(), 6) {
		t.Errorf("lot L %v t, %v t at Karachi, %v t in transit; want 29.9, 20, 6", l.WetTonnes, l.RemainingWetTonnes(), l.InTransitTonnes())
	}
}

// TestOnwardShipmentNotHeldAgainstTheRest: lot L (standingLot), 18 t
// more shipped from Karachi (B/L 007) leave 30 − 10 − 18 = 2 t there.
// 6 t shipped on from Houston come out of the 10 t received there, not
// out of Karachi's 2 t: accepted, Karachi still 2 t, 4 t left at Houston.
func TestOnwardShipmentNotHeldAgainstTheRest(t *testing.T) {
	ctx := context.Background()
	db, svc := standingLot(t)
	if err := capture(svc, shipL("K1", "2025-11-21T00:00:00+05:00", "18000", "007")); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, shipOn("H1", "2025-11-22T00:00:00-06:00", "6000", "010")); err != nil {
		t.Fatalf("6 t shipped on from the 10 t at Houston, 2 t left at Karachi: %v", err)
	}
	l, err := db.FindLot(ctx, "urn:t:lot:L")
	if err != nil {
		t.Fatal(err)
	}
	if !near(l.RemainingWetTonnes(), 2) || !near(l.InTransitTonnes(), 24) {
		t.Errorf("lot L %v t at Karachi, %v t in transit; want 2, 18 + 6 = 24", l.RemainingWetTonnes(), l.InTransitTonnes())
	}
}
