package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testPackedInAfterShipment (issue 15, fix15k): a store reads what a
// container holds of a lot by the unpacking check's rule
// (custody.ContainedAt): a shipment of the lot itself stating a quantity
// takes its loose rest at the site first, then draws on its containers
// there, oldest packing first (EPCIS 2.0 §7.3.5; docs/forms.md). Lot Ks
// (China), 10,000 kg at site mb; Ps (Pakistan), 2,000 kg at mb. On
// Oct 2, 3,000 kg of Ks and 2,000 kg of Ps are packed into S; on Oct 3,
// 8,000 kg of Ks ship from mb: 7 t loose and 8 − 7 = 1 t out of S,
// which holds 3 − 1 = 2 t of Ks (PackedIn: Unpacked 1 t; on Oct 2, none).
// Run on Oct 5 fed S whole: 2 t of Ks and 2 t of Ps, China's dry-mass
// and Nd share 2 / 4 = 50 % (it read 3 / 5 = 60 %), Nd in 0.4 t
// (10 % of 4 t); DFARS fails.
func testPackedInAfterShipment(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	const box = "urn:epc:id:sscc:0614141.3000000009"
	lotAt := func(lot, iso string, kg float64) string {
		return fmt.Sprintf(`{"type": "ObjectEvent", "eventID": "urn:t:ev:%s", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:%s", "quantity": %v, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "%s", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%%", "cm:basis": "dry"}]}}`, lot, lot, kg, iso)
	}
	ship := `{"type": "ObjectEvent", "eventID": "urn:t:ev:ks-ship", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "urn:t:lot:Ks", "quantity": 8000, "uom": "KGM"}], "readPoint": {"id": "urn:t:site:mb"}, "bizLocation": {"id": "urn:t:site:mb"},
	  "destinationList": [{"type": "location", "destination": "urn:t:site:elsewhere"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:KS"}]}`
	nd60 := `{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}`
	MustCapture(t, svc, ctDoc(lotAt("Ks", "CHN", 10000), lotAt("Ps", "PAK", 2000),
		ctPack("ks-pack", "ADD", box, 2, "Ks:3000", "Ps:2000"), ship,
		ctRun("S", box, "Os", 150, nd60, "")))
	held := func(at time.Time) (float64, error) {
		in, err := s.PackedIn(ctx, []string{"urn:t:lot:Ks"}, at)
		if err != nil {
			return 0, err
		}
		var w float64
		for _, p := range in {
			if p.Container == box {
				x, _ := ledger.PackedWet(p, 10)
				w += x
			}
		}
		return w, nil
	}
	if w, err := held(time.Date(2025, 10, 4, 0, 0, 0, 0, time.UTC)); err != nil || !ctNear(w, 2) {
		t.Errorf("PackedIn(Ks) on Oct 4: %v t in S, %v; want 3 − 1 = 2 t (8 t shipped, 7 t of them loose)", w, err)
	}
	// Run S fed the box whole on Oct 5 and consumed the 2 t of Ks in it
	// (fixNe): none is left there.
	if w, err := held(time.Time{}); err != nil || !ctNear(w, 0) {
		t.Errorf("PackedIn(Ks) now: %v t in S, %v; want 0 t (run S consumed the 2 t)", w, err)
	}
	if w, err := held(time.Date(2025, 10, 2, 12, 0, 0, 0, time.UTC)); err != nil || !ctNear(w, 3) {
		t.Errorf("PackedIn(Ks) on Oct 2, before the shipment: %v t in S, %v; want 3 t", w, err)
	}
	ctOrigin(t, s, "after the shipment of Ks", "Os", 0.5, 0.4, custody.Fail)
}

// testPackedInAfterNoQuantityShipment (issue 15, fix15p): a shipment of
// the lot itself stating no quantity ships what stands of it at its site
// (ledger.ShippedStanding) and draws on its containers there exactly as
// that quantity stated would (custody.ContainedAt). Lot Kn, 10,000 kg at
// site mb; on Oct 2, 3,000 kg packed into S (7 t loose); on Oct 3,
// 8,000 kg ship: 7 t loose and 1 t out of S, which holds 2 t, all that
// stands at mb; on Oct 4, a shipment with no quantity ships those 2 t:
// 2 t out of S, which holds 2 − 2 = 0 t (it read 2 t; on Oct 3, 2 t).
func testPackedInAfterNoQuantityShipment(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	ctx := context.Background()
	const box = "urn:epc:id:sscc:0614141.3000000016"
	commission := `{"type": "ObjectEvent", "eventID": "urn:t:ev:Kn", "eventTime": "2025-10-01T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning",
	  "quantityList": [{"epcClass": "urn:t:lot:Kn", "quantity": 10000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "CHN", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 10, "cm:unit": "%", "cm:basis": "dry"}]}}`
	ship := func(id, day, qty, bol string) string {
		return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-10-0` + day + `T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
	  "quantityList": [{"epcClass": "urn:t:lot:Kn"` + qty + `}], "readPoint": {"id": "urn:t:site:mb"}, "bizLocation": {"id": "urn:t:site:mb"},
	  "destinationList": [{"type": "location", "destination": "urn:t:site:elsewhere"}], "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:` + bol + `"}]}`
	}
	MustCapture(t, svc, ctDoc(commission, ctPack("kn-pack", "ADD", box, 2, "Kn:3000"),
		ship("kn-ship1", "3", `, "quantity": 8000, "uom": "KGM"`, "KN1"), ship("kn-ship2", "4", "", "KN2")))
	held := func(at time.Time) (float64, error) {
		in, err := s.PackedIn(ctx, []string{"urn:t:lot:Kn"}, at)
		if err != nil {
			return 0, err
		}
		var w float64
		for _, p := range in {
			if p.Container == box {
				x, _ := ledger.PackedWet(p, 10)
				w += x
			}
		}
		return w, nil
	}
	if w, err := held(time.Time{}); err != nil || !ctNear(w, 0) {
		t.Errorf("PackedIn(Kn) after the shipment with no quantity of the 2 t standing: %v t in S, %v; want 2 − 2 = 0 t", w, err)
	}
	if w, err := held(time.Date(2025, 10, 3, 12, 0, 0, 0, time.UTC)); err != nil || !ctNear(w, 2) {
		t.Errorf("PackedIn(Kn) on Oct 3, before it: %v t in S, %v; want 3 − 1 = 2 t", w, err)
	}
}
