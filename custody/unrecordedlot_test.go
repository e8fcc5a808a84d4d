package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestEventOnUnrecordedLotRefused (issue 15, fix15s item 1): at a site
// the record knows, a shipment, a packing, a sample and a run's input of
// a lot no event recorded are refused, naming the lot and saying to
// commission or receive it first, and the lot stays unrecorded; a
// commissioning and a receipt (first sighting) of such a lot are
// accepted, and so is an event at a location no master data describes
// carrying no mineral data (GS1's examples, docs/epcis.md).
func TestEventOnUnrecordedLotRefused(t *testing.T) {
	ctx := context.Background()
	sites := map[string]string{"cb": "controlled_blending"}
	db := store(t, doc(sites, atCB(feed("S", "ree_concentrate", "PAK", 20, "Nd:2"))))
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-10-21T00:00:00Z")
	capt := func(evs ...string) error {
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(doc(sites, evs...))})
		return err
	}
	sample := cbEvent("smp", "12", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "inspecting", "quantityList": [{"epcClass": "urn:t:lot:NOPE"}]`)
	run := cbEvent("run", "12", `"type": "TransformationEvent", "bizStep": "commissioning", "inputQuantityList": [{"epcClass": "urn:t:lot:NOPE", "quantity": 100, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:OUT", "quantity": 50, "uom": "KGM"}]`)
	for name, ev := range map[string]string{
		"shipment": ship("s1", "12", "NOPE", "5000"),
		"packing":  pack("p1", "12", "C1", "NOPE", "0.1"),
		"sample":   sample,
		"run":      run,
	} {
		err := capt(ev)
		if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "no event recorded lot urn:t:lot:NOPE") || !strings.Contains(err.Error(), "commission it (or receive it") {
			t.Errorf("%s of an unrecorded lot: %v, want EINVALID naming urn:t:lot:NOPE and to commission or receive it first", name, err)
		}
		if _, err := db.FindLot(ctx, "urn:t:lot:NOPE"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
			t.Errorf("%s: lot NOPE after the refusal: %v, want not found", name, err)
		}
	}
	// Accepted: the shipment of a stored lot, a receipt of an unrecorded
	// one (its first sighting), a commissioning, and an event out of a
	// supply chain the platform never saw (no master data, no cm: data).
	outside := `{"eventID": "urn:t:ev:gs1", "eventTime": "2025-10-13T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizLocation": {"id": "urn:epc:id:sgln:0614141.00777.0"}, "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "quantityList": [{"epcClass": "urn:t:lot:GS1"}]}`
	receipt := cbEvent("r1", "14", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "receiving", "quantityList": [{"epcClass": "urn:t:lot:F", "quantity": 31000, "uom": "KGM"}]`)
	for name, evs := range map[string][]string{
		"stored lot":    {ship("s2", "12", "S", "")},
		"receipt":       {receipt},
		"commissioning": {atCB(feed("NEW", "ree_concentrate", "PAK", 5, "Nd:2")), ship("s3", "12", "NEW", "")},
		"outside":       {outside},
	} {
		if err := capt(evs...); err != nil {
			t.Errorf("%s: %v, want accepted", name, err)
		}
	}
}
