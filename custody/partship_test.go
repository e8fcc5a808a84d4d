package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
)

// TestPartShippedBeyondRest: a part sent away leaves from what remains of
// the lot where it stands (docs/identity.md, "Parts moved"). Lot P,
// 2,530 kg of NdPr oxide at site mb (moisture 0):
//
//   - shipping 1,150 kg (B/L B1) and 800 kg (B/L B2): two parts; 2.53 −
//     1.15 − 0.80 = 0.58 t remain;
//   - shipping 1,000 kg more (B/L B3): 1.0 > 0.58 + 2.53 × 0.005 =
//     0.59265 t → refused, nothing stored, naming the 0.58 t remaining;
//   - shipping 580 kg (B/L B4): the last part, accepted; the lot stays
//     2.53 t with 2.53 t in transit and nothing remaining.
func TestPartShippedBeyondRest(t *testing.T) {
	ctx := context.Background()
	db, svc := mbSvc(t)
	if err := capture(svc, `{"type": "ObjectEvent", "eventID": "urn:t:ev:p0", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD",
	 "bizLocation": {"id": "urn:t:site:mb"}, "bizStep": "commissioning", "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": 2530, "uom": "KGM"}],
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:originCountry": "PAK", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}]}}`); err != nil {
		t.Fatal(err)
	}
	ship := func(id, kg, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-21T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
		 "bizStep": "shipping", "disposition": "in_transit", "readPoint": {"id": "urn:t:site:mb"}, "quantityList": [{"epcClass": "urn:t:lot:P", "quantity": ` + kg + `, "uom": "KGM"}],
		 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:buyer"}]}`
	}
	if err := capture(svc, ship("p1", "1150", "B1"), ship("p2", "800", "B2")); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, ship("p3", "1000", "B3"))
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(err.Error(), "sends 1 t of it away, but only 0.58 t of its 2.53 t remain where it stands") {
		t.Fatalf("a part beyond what remains: %v", err)
	}
	if _, err := db.FindEventsByID(ctx, "urn:t:ev:p3"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("the refused shipment was stored: %v", err)
	}
	if err := capture(svc, ship("p4", "580", "B4")); err != nil {
		t.Fatalf("the last part: %v", err)
	}
	l, err := db.FindLot(ctx, "urn:t:lot:P")
	if err != nil {
		t.Fatal(err)
	}
	if !near(l.WetTonnes, 2.53) || !near(l.InTransitTonnes(), 2.53) || l.RemainingWetTonnes() > 1e-9 || len(l.Parts) != 3 || l.Status != critmin.LotInTransit {
		t.Errorf("lot P %v t, in transit %v, remaining %v, %d parts, %s; want 2.53 t all in transit in 3 parts", l.WetTonnes, l.InTransitTonnes(), l.RemainingWetTonnes(), len(l.Parts), l.Status)
	}
}
