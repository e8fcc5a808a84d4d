package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// The new-user check of issue 15 (fix15k): every movement — a packing, a
// loading, a shipping, a run — is judged against what stands of its lot
// at its site at the event's own time (EPCIS 2.0 §7.3: eventTime, not
// recordTime), with the lot's events replayed in event time, and an
// event entered late may not leave a later one taking more than stood.

// standingLot captures lot L of the brief: 30,000 kg of antimony ore at
// Karachi on 2025-11-01, 10,000 kg of it shipped to Houston on
// 2025-11-02 (B/L 006) and received there on 2025-11-20. At Karachi
// stand 30 − 10 = 20 t from 2025-11-02 on.
func standingLot(t *testing.T) (critmin.Store, *ledger.Service) {
	t.Helper()
	db, svc := mbSvc(t)
	if err := capture(svc, `{"type": "ObjectEvent", "eventID": "urn:t:ev:L0", "eventTime": "2025-11-01T00:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD",
	 "bizLocation": {"id": "urn:t:site:karachi"}, "bizStep": "commissioning", "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 30000, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK", "cm:moisture": 0.05, "cm:assay": [{"cm:analyte": "Sb", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]}}`,
		shipL("L1", "2025-11-02T00:00:00+05:00", "10000", "006"),
		`{"type": "ObjectEvent", "eventID": "urn:t:ev:L2", "eventTime": "2025-11-20T00:00:00-06:00", "eventTimeZoneOffset": "-06:00", "action": "OBSERVE",
	 "bizStep": "receiving", "disposition": "in_progress", "bizLocation": {"id": "urn:t:site:houston"}, "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 10000, "uom": "KGM"}],
	 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:006"}]}`); err != nil {
		t.Fatal(err)
	}
	return db, svc
}

// shipL ships kg of lot L from Karachi to Houston under B/L bol.
func shipL(id, when, kg, bol string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+05:00", "action": "OBSERVE",
	 "bizStep": "shipping", "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:karachi"}, "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": ` + kg + `, "uom": "KGM"}],
	 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:houston"}]}`
}

// TestLateShipmentBeyondWhatStoodIsRefused (item 1): a shipment of
// 25,000 kg from Karachi dated 2025-11-10, entered after the receipt of
// 2025-11-20. On 2025-11-10 stood 30 − 10 = 20 t at Karachi (the 10 t
// were at sea): 25 > 20 + 30 × 0.005 = 20.15 t → refused, nothing
// stored, the lot still 30 t with 20 t remaining. Dated 2025-11-21 it is
// refused as before; 20,000 kg dated 2025-11-10 (all that stood) is
// accepted and leaves 0 t at Karachi.
func TestLateShipmentBeyondWhatStoodIsRefused(t *testing.T) {
	ctx := context.Background()
	db, svc := standingLot(t)
	for _, when := range []string{"2025-11-10T00:00:00+05:00", "2025-11-21T00:00:00+05:00"} {
		err := capture(svc, shipL("L3", when, "25000", "007"))
		t.Log(err)
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "25 t") || !strings.Contains(err.Error(), "20 t") {
			t.Fatalf("25 t shipped on %s of the 20 t at Karachi: %v", when, err)
		}
		if _, err := db.FindEventsByID(ctx, "urn:t:ev:L3"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Fatalf("the refused shipment was stored: %v", err)
		}
	}
	l, err := db.FindLot(ctx, "urn:t:lot:L")
	if err != nil {
		t.Fatal(err)
	}
	// 30 t wet, 30 × (1 − 0.05) = 28.5 t dry; 30 − 10 = 20 t remain.
	if !near(l.WetTonnes, 30) || !near(l.DryTonnes, 28.5) || !near(l.RemainingWetTonnes(), 20) {
		t.Errorf("lot L %v t wet, %v t dry, %v t remaining; want 30, 28.5, 20", l.WetTonnes, l.DryTonnes, l.RemainingWetTonnes())
	}
	if err := capture(svc, shipL("L4", "2025-11-10T00:00:00+05:00", "20000", "007")); err != nil {
		t.Fatalf("all 20 t that stood at Karachi on 2025-11-10: %v", err)
	}
	if l, err = db.FindLot(ctx, "urn:t:lot:L"); err != nil {
		t.Fatal(err)
	}
	// 30 t total: 10 t received at Houston, 20 t in transit, 0 t left.
	if !near(l.WetTonnes, 30) || !near(l.InTransitTonnes(), 20) || l.RemainingWetTonnes() > 1e-9 {
		t.Errorf("lot L %v t, %v t in transit, %v t remaining; want 30, 20, 0", l.WetTonnes, l.InTransitTonnes(), l.RemainingWetTonnes())
	}
}

// TestBackdatedShipmentStarvingALaterOneIsRefused (item 1, second part):
// 10,000 kg leave Karachi on 2025-11-15 (B/L 008), recorded first: 20 −
// 10 = 10 t stand there after it. A shipment of 15,000 kg dated
// 2025-11-10 then fits what stood on its own date (15 ≤ 20.15 t), but
// leaves 20 − 15 = 5 t, and the recorded 2025-11-15 shipment would take
// 10 > 5 + 0.15 = 5.15 t → refused, naming the later event. 10,000 kg
// dated 2025-11-10 leaves 10 t, enough for it: accepted.
func TestBackdatedShipmentStarvingALaterOneIsRefused(t *testing.T) {
	ctx := context.Background()
	db, svc := standingLot(t)
	if err := capture(svc, shipL("L5", "2025-11-15T00:00:00+05:00", "10000", "008")); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, shipL("L6", "2025-11-10T00:00:00+05:00", "15000", "009"))
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "urn:t:ev:L5") || !strings.Contains(err.Error(), "5 t") {
		t.Fatalf("a back-dated 15 t that leaves 5 t for the recorded 10 t: %v", err)
	}
	if _, err := db.FindEventsByID(ctx, "urn:t:ev:L6"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("the refused shipment was stored: %v", err)
	}
	if err := capture(svc, shipL("L7", "2025-11-10T00:00:00+05:00", "10000", "009")); err != nil {
		t.Fatalf("a back-dated 10 t that leaves 10 t for the recorded 10 t: %v", err)
	}
}

// TestPackingBeyondWhatStandsIsRefused (item 2): on 2025-11-03 the 10 t
// of B/L 006 are at sea and 20 t stand at Karachi. Packing 25,000 kg of L
// into a container there: 25 > 20 + 0.15 = 20.15 t → refused, nothing
// stored; packing 20,000 kg is accepted. A run taking 25,000 kg at
// Karachi dated 2025-11-03, entered late, is refused likewise.
func TestPackingBeyondWhatStandsIsRefused(t *testing.T) {
	ctx := context.Background()
	db, svc := standingLot(t)
	pack := func(id, kg string) string {
		return `{"type": "AggregationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-03T00:00:00+05:00", "eventTimeZoneOffset": "+05:00", "action": "ADD",
		 "bizStep": "packing", "disposition": "in_progress", "bizLocation": {"id": "urn:t:site:karachi"}, "parentID": "urn:t:container:NUXU0000152",
		 "childQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": ` + kg + `, "uom": "KGM"}]}`
	}
	err := capture(svc, pack("P1", "25000"))
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "25 t") || !strings.Contains(err.Error(), "20 t") {
		t.Fatalf("25 t packed of the 20 t at Karachi: %v", err)
	}
	if _, err := db.FindEventsByID(ctx, "urn:t:ev:P1"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Fatalf("the refused packing was stored: %v", err)
	}
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:R1", "eventTime": "2025-11-03T00:00:00+05:00", "eventTimeZoneOffset": "+05:00",
	 "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:karachi"}, "transformationID": "urn:t:run:R1",
	 "inputQuantityList": [{"epcClass": "urn:t:lot:L", "quantity": 25000, "uom": "KGM"}],
	 "outputQuantityList": [{"epcClass": "urn:t:lot:C", "quantity": 5000, "uom": "KGM"}]}`
	if err := capture(svc, run); critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "25 t") {
		t.Fatalf("a late run taking 25 t of the 20 t at Karachi: %v", err)
	}
	if err := capture(svc, pack("P2", "20000")); err != nil {
		t.Fatalf("20 t packed of the 20 t at Karachi: %v", err)
	}
}
