package storetest

import (
	"context"
	"math"
	"testing"

	"github.com/critmin/critmin"
)

// lotStateDoc is one event of a lot in the corridor, wrapped as a document.
func lotStateDoc(ev string) string {
	return `{"@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"cm": "https://ns.critmin.org/mineral/v1/"}],
  "type": "EPCISDocument", "schemaVersion": "2.0", "creationDate": "2025-11-20T08:00:00Z", "epcisBody": {"eventList": [` + ev + `]}}`
}

// testLotStateByEventTime captures a lot's events out of event-time order
// (nu15 items 4 and 5): the stored projection, and verify's rebuild of
// it, hold the state at the latest event by eventTime, and events without
// disposition or location leave both (and the status) as they were.
//
// Commissioned 30,000 kg at 8 % moisture (1 Nov), shipped in transit from
// the port (12 Nov); then captured: a weighbridge ticket of 10 Nov
// (20.5 t, 9 % moisture) and an inspection of 14 Nov with no location and
// no disposition. In event-time order the weighbridge's 9 % is the
// latest moisture (the shipment states a quantity, no moisture). Want
// 30,000 KGM, wet 30 t, dry 30 × (1 − 0.09) = 27.3 t, in transit at the
// port, disposition in_transit, 4 events, last 14 Nov.
func testLotStateByEventTime(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	const lot = "urn:critmin:lot:ree-3"
	MustCapture(t, svc, lotStateDoc(`{"type": "ObjectEvent", "eventTime": "2025-11-01T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "ADD", "bizStep": "commissioning", "disposition": "active",
     "quantityList": [{"epcClass": "`+lot+`", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:site:mine-a"},
     "ilmd": {"cm:commodity": "ree_concentrate", "cm:originCountry": "PAK", "cm:moisture": 0.08}},
    {"type": "ObjectEvent", "eventTime": "2025-11-12T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
     "quantityList": [{"epcClass": "`+lot+`", "quantity": 30000, "uom": "KGM"}], "bizLocation": {"id": "urn:critmin:site:pkkhi"}}`))
	MustCapture(t, svc, lotStateDoc(`{"type": "ObjectEvent", "eventTime": "2025-11-10T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
     "quantityList": [{"epcClass": "`+lot+`"}], "bizLocation": {"id": "urn:critmin:site:weighbridge"},
     "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 20.5, "uom": "TNE"},
       {"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/H2O", "value": 9, "uom": "P1"}]}]}`))
	MustCapture(t, svc, lotStateDoc(`{"type": "ObjectEvent", "eventTime": "2025-11-14T08:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE", "bizStep": "inspecting",
     "quantityList": [{"epcClass": "`+lot+`"}]}`))
	check := func(when string) {
		t.Helper()
		l, err := s.FindLot(context.Background(), lot)
		if err != nil {
			t.Fatal(err)
		}
		if l.Quantity != 30000 || l.UOM != "KGM" || math.Abs(l.WetTonnes-30) > tol || math.Abs(l.DryTonnes-27.3) > tol {
			t.Errorf("%s: %v %s wet %v dry %v; want 30000 KGM, 30 t, 27.3 dmt", when, l.Quantity, l.UOM, l.WetTonnes, l.DryTonnes)
		}
		if l.Status != critmin.LotInTransit || l.Location != "urn:critmin:site:pkkhi" || l.Disposition != "in_transit" || l.EventCount != 4 {
			t.Errorf("%s: %q at %q disposition %q, %d events; want in transit at the port, in_transit, 4", when, l.Status, l.Location, l.Disposition, l.EventCount)
		}
	}
	check("captured")
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify's rebuild differs from the stored projection: %v %v", rep.Problem, rep.Difference)
	}
}
