package custody_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// mbSvc is a capture service over mbStore with the capture-time check and
// the clock at November 25, 2025 (October ended, November open).
func mbSvc(t *testing.T) (critmin.Store, *ledger.Service) {
	db := mbStore(t)
	svc := ledger.NewService(db)
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	svc.Now = clockAt("2025-11-25T00:00:00Z")
	return db, svc
}

func capture(svc *ledger.Service, events ...string) error {
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: mbDoc(events...)})
	return err
}

// objectEv is an ObjectEvent on a lot at site mb with the given ILMD or
// sensorElementList JSON (extra).
func objectEv(id, when, lot, action, extra string) string {
	return `{"type": "ObjectEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "` + when + `", "eventTimeZoneOffset": "+00:00", "action": "` + action + `",
	 "quantityList": [{"epcClass": "` + lot + `"}], "bizLocation": {"id": "urn:t:site:mb"}` + extra + `}`
}

// TestLaterAssayClosesOverLot (issue 9, second check, 2): a lot's dry
// grades are checked over all its assays, stored and new. Lot Z,
// commissioned with Nd2O3 80 % (Nd 80 × 0.8574 = 68.59 %), then observed
// by a sensor report of Pr6O11 40 % (Pr 40 × 0.8277 = 33.11 %): 101.70 %
// > 100.5 % → refused, naming lot and event, nothing stored. Pr6O11 10 %
// (8.28 %; 76.87 % in all) is accepted.
func TestLaterAssayClosesOverLot(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	if err := capture(svc, objectEv("Z0", "2025-11-20T00:00:00Z", "urn:t:lot:Z", "ADD", `, "bizStep": "commissioning",
	 "ilmd": {"cm:commodity": "ndpr_oxide", "cm:assay": [{"cm:analyte": "Nd2O3", "cm:value": 80, "cm:unit": "%"}]}`)); err != nil {
		t.Fatal(err)
	}
	sensor := func(v string) string {
		return `, "sensorElementList": [{"sensorReport": [{"type": "MassConcentration", "chemicalSubstance": "https://ns.critmin.org/mineral/v1/analyte/Pr6O11", "value": ` + v + `, "uom": "P1"}]}]`
	}
	err := capture(svc, objectEv("Z1", "2025-11-21T00:00:00Z", "urn:t:lot:Z", "OBSERVE", sensor("40")))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "lot urn:t:lot:Z with the assays it already has and this event's") || !strings.Contains(err.Error(), "add up to 101.7 %") {
		t.Fatalf("Pr6O11 40 %% over Nd2O3 80 %%: %v", err)
	}
	if z, err := db.FindLot(ctx, "urn:t:lot:Z"); err != nil || len(z.Assays) != 1 {
		t.Errorf("refused assay stored: %+v %v", z, err)
	}
	if err := capture(svc, objectEv("Z2", "2025-11-21T00:00:00Z", "urn:t:lot:Z", "OBSERVE", sensor("10"))); err != nil {
		t.Errorf("Pr6O11 10 %%: %v", err)
	}
}

// TestRunEventsAddUp (issue 9, second check, 3): the events of one run
// (one transformationID) each consume what they state. C2 is 40 t; run
// E6 took 10 t (30 t left). Run U4's event ua takes 10 t and event ub
// 15 t: 5 t are left, so run U5 taking 10 t is refused (5 t + 0.5 % of
// 40 t = 5.2 t < 10 t). U4 put 25 t × 5 % = 1.25 t Nd+Pr in and its two
// outputs hold 2 × 0.5 t × 80 % = 0.8 t: no element_gain (counting ua's
// 10 t alone, 0.5 t in, would be a false gain).
func TestRunEventsAddUp(t *testing.T) {
	db, svc := mbSvc(t)
	ctx := context.Background()
	ev := func(id, xid, out string, in float64) string {
		s := oxideRun(id, "2025-11-20T00:00:00Z", out, 0.5, "")
		s = strings.Replace(s, `"quantity": 1, "uom": "TNE"}], "outputQuantityList"`, `"quantity": `+fmt.Sprint(in)+`, "uom": "TNE"}], "outputQuantityList"`, 1)
		return strings.Replace(s, `"bizStep": "commissioning",`, `"bizStep": "commissioning", "transformationID": "urn:t:run:`+xid+`",`, 1)
	}
	if err := capture(svc, ev("ua", "U4", "UA1", 10)); err != nil {
		t.Fatal(err)
	}
	if err := capture(svc, ev("ub", "U4", "UB1", 15)); err != nil {
		t.Fatal(err)
	}
	err := capture(svc, ev("uc", "U5", "UC1", 10))
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "only 5 t of its 40 t remain (35 t consumed by") {
		t.Fatalf("U5 after U4 took 25 t: %v", err)
	}
	o, err := custody.Origin(ctx, db, "urn:t:lot:UB1")
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range o.Anomalies {
		if a.Kind == "element_gain" {
			t.Errorf("false element gain on U4: %+v", a)
		}
	}
}

