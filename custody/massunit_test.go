package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestMassUnitOnLotHeldInMass (issue 15, fix15b 1): lot U is commissioned
// 30 000 KGM (30 t) at site mb. Shipping "1000 MT" of it would have stored
// quantity 1000 in a unit the ledger cannot convert, replacing its 30 t
// (remaining 0, "0 t shipped"): refused naming the unit's pointer with the
// hint "write TNE", nothing stored, U still 30 t. MTQ (a Rec 20 code, the
// cubic metre, not a mass) is refused too. A new lot
// commissioned in "MT" is refused with the same hint. 10 TNE ships:
// 10 t of the 30 t leave, 20 t remain.
func TestMassUnitOnLotHeldInMass(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	commission := func(id, lot, qty, uom string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
		 "bizLocation": {"id": "urn:t:site:mb"}, "bizStep": "commissioning", "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + qty + `, "uom": "` + uom + `"}],
		 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	if err := capture(svc, commission("u0", "urn:t:lot:U", "30000", "KGM")); err != nil {
		t.Fatal(err)
	}
	ship := func(id, qty, uom string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-21T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		 "bizStep": "shipping", "disposition": "in_transit", "readPoint": {"id": "urn:t:site:mb"}, "quantityList": [{"epcClass": "urn:t:lot:U", "quantity": ` + qty + `, "uom": "` + uom + `"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:U1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:buyer"}]}`
	}
	for _, tc := range []struct{ id, uom, want string }{
		{"u1", "MT", `"MT" is not a UN/ECE Rec 20 mass unit: write TNE (lot urn:t:lot:U is held in KGM)`},
		{"u2", "MTQ", `"MTQ" is not a UN/ECE Rec 20 mass unit critmin converts`},
	} {
		err := capture(svc, ship(tc.id, "1000", tc.uom))
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "/epcisBody/eventList/0/quantityList/0/uom: "+tc.want) {
			t.Errorf("shipping 1000 %s: %v", tc.uom, err)
		}
		if _, err := db.FindEventsByID(ctx, "urn:t:ev:"+tc.id); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("the refused shipment in %s was stored: %v", tc.uom, err)
		}
	}
	if l, err := db.FindLot(ctx, "urn:t:lot:U"); err != nil || !near(l.WetTonnes, 30) || l.UOM != "KGM" {
		t.Fatalf("lot U after refusals: %+v %v; want 30 t in KGM", l, err)
	}
	if err := capture(svc, commission("v0", "urn:t:lot:V", "5", "MT")); critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "write TNE") {
		t.Errorf("a new lot in MT: %v", err)
	}
	if err := capture(svc, ship("u3", "10", "TNE")); err != nil {
		t.Fatalf("shipping 10 TNE: %v", err)
	}
	l, err := db.FindLot(ctx, "urn:t:lot:U")
	if err != nil {
		t.Fatal(err)
	}
	// 30 t − 10 t shipped = 20 t remaining.
	if !near(l.WetTonnes, 30) || !near(l.RemainingWetTonnes(), 20) || !near(l.InTransitTonnes(), 10) {
		t.Errorf("lot U %v t, remaining %v, in transit %v; want 30, 20, 10", l.WetTonnes, l.RemainingWetTonnes(), l.InTransitTonnes())
	}
}

// TestMassUnitsOfEveryRec20MassCode (issue 8 §5, nu34): a lot
// commissioned in kilotonnes, avoirdupois or troy ounces is held in mass,
// converted, never read as a count of 0 t:
//   - 2 KTN = 2 × 10⁶ kg = 2,000 t;
//   - 32,000 ONZ = 32,000 × 0.028349523125 kg = 907.18474 kg = 0.90718474 t;
//   - 1,000 APZ = 1,000 × 0.0311034768 kg = 31.1034768 kg = 0.0311034768 t.
//
// 2 × 10⁶ KTN (2 × 10¹² kg = 2 × 10⁹ t) is past the 10¹² kg limit and
// refused, nothing stored.
func TestMassUnitsOfEveryRec20MassCode(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	commission := func(id, lot, qty, uom string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
		 "bizLocation": {"id": "urn:t:site:mb"}, "bizStep": "commissioning", "quantityList": [{"epcClass": "` + lot + `", "quantity": ` + qty + `, "uom": "` + uom + `"}],
		 "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 4, "cm:unit": "%", "cm:basis": "dry"}]}}`
	}
	for _, c := range []struct {
		lot, qty, uom string
		tonnes        float64
	}{{"urn:t:lot:unit-kt", "2", "KTN", 2000}, {"urn:t:lot:unit-oz", "32000", "ONZ", 0.90718474}, {"urn:t:lot:unit-ozt", "1000", "APZ", 0.0311034768}} {
		if err := capture(svc, commission("c-"+c.uom, c.lot, c.qty, c.uom)); err != nil {
			t.Fatalf("commission in %s: %v", c.uom, err)
		}
		l, err := db.FindLot(ctx, c.lot)
		if err != nil {
			t.Fatal(err)
		}
		if !near(l.WetTonnes, c.tonnes) || !near(l.RemainingWetTonnes(), c.tonnes) {
			t.Errorf("lot in %s: %v t, remaining %v; want %v", c.uom, l.WetTonnes, l.RemainingWetTonnes(), c.tonnes)
		}
	}
	if err := capture(svc, commission("c-big", "urn:t:lot:unit-big", "2000000", "KTN")); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("2 × 10⁶ KTN: %v, want refused past the mass limit", err)
	}
	if _, err := db.FindEventsByID(ctx, "urn:t:ev:c-big"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("the refused commissioning was stored: %v", err)
	}
}
