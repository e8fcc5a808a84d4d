package custody_test

import (
	"context"
	"strings"
	"testing"
)

// TestLineShipmentFromWhereLotIsBound (issue 8, fixOa item 5): a line
// (quantityList) shipment of a lot from a place it is in transit to, and
// was not received at, is refused as such — naming the lot, the bill of
// lading and shipping event of its open trip and that it has not been
// received there — not as a weighing problem ("beyond the weighing
// tolerance", what it read before: the whole lot at sea, shipped on at
// 6 t of 10 t, looked like a −40 % weighing) nor as a part carrying more
// than remains.
//
//   - R9, 10 t at mb, shipped whole (10,000 kg) to khi under B9 on Nov 21;
//     6,000 kg of it shipped from khi under BX on Nov 23: refused;
//   - R8, 10 t at mb, 4,000 kg shipped to khi under B8 on Nov 21 (10 − 4 =
//     6 t stay at mb); 4,000 kg shipped from khi under BX on Nov 23, the
//     place stated by a source location alone: refused (it read "only
//     6 t … remain where it stands" before, as if from mb).
//
// Nothing is stored: each lot keeps its one shipment.
func TestLineShipmentFromWhereLotIsBound(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	ship := func(id, when, lot, kg, place, to, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "bizStep": "shipping", "disposition": "in_transit", ` + place + `, "quantityList": [{"epcClass": "urn:t:lot:` + lot + `", "quantity": ` + kg + `, "uom": "KGM"}],
	 "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}], "destinationList": [{"type": "location", "destination": "urn:t:site:` + to + `"}]}`
	}
	const mb, khi = `"readPoint": {"id": "urn:t:site:mb"}, "bizLocation": {"id": "urn:t:site:mb"}`, `"readPoint": {"id": "urn:t:site:khi"}, "bizLocation": {"id": "urn:t:site:khi"}`
	const khiSource = `"sourceList": [{"type": "location", "source": "urn:t:site:khi"}]`
	if err := capture(svc, commissionR("r9", "2025-11-20T00:00:00Z", "urn:t:lot:R9"), commissionR("r8", "2025-11-20T00:00:00Z", "urn:t:lot:R8"),
		ship("s9", "2025-11-21T00:00:00Z", "R9", "10000", mb, "khi", "B9"), ship("s8", "2025-11-21T00:00:00Z", "R8", "4000", mb, "khi", "B8")); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what, ev, lot, bol, trip string
	}{
		{"6 t of R9 (all 10 t at sea to khi) shipped from khi", ship("x9", "2025-11-23T00:00:00Z", "R9", "6000", khi, "hou", "BX"), "R9", "B9", "s9"},
		{"4 t of R8 (4 t at sea to khi, 6 t at mb) shipped from khi, stated by its source", ship("x8", "2025-11-23T00:00:00Z", "R8", "4000", khiSource, "hou", "BX"), "R8", "B8", "s8"},
	} {
		err := capture(svc, c.ev)
		if err == nil {
			t.Errorf("%s: accepted; want refused", c.what)
			continue
		}
		msg := err.Error()
		for _, w := range []string{"lot urn:t:lot:" + c.lot, "in transit", "under bill of lading urn:t:bol:" + c.bol, "event urn:t:ev:" + c.trip, "has not been received at urn:t:site:khi"} {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: refusal %q does not say %q", c.what, msg, w)
			}
		}
		for _, w := range []string{"weighing tolerance", "remain where it stands"} {
			if strings.Contains(msg, w) {
				t.Errorf("%s: refusal %q reads as %q", c.what, msg, w)
			}
		}
	}
	for _, id := range []string{"urn:t:lot:R9", "urn:t:lot:R8"} {
		if l, err := db.FindLot(ctx, id); err != nil || l.EventCount != 2 {
			t.Errorf("%s after the refusals: %+v %v; want its 2 events (commissioning, shipment)", id, l, err)
		}
	}
}
