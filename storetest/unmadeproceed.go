package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testUnmadeLotProceed (issue 8 §2, fixNn item 3): an event acting on a
// lot not in the record (its commissioning declared in error,
// unmadelot.go) is refused event by event, as an event on a lot no
// event recorded is: under proceed it is listed in the job's errors
// with status 409 and the document's other events are stored; under
// rollback the document is refused 409 naming it, nothing stored.
// L (10 t, c) is fed whole to run r1; c is declared in error. The
// document: 0, a shipment of L (refused); 1, a commissioning of lot K
// (valid).
func testUnmadeLotProceed(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := service(s)
	svc.ClaimCheck = custody.CaptureClaimCheck(s.(custody.Store))
	commission := declaredLotEv("c", "2025-10-01", `"type": "ObjectEvent", "action": "ADD", "bizStep": "commissioning", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 10, "uom": "TNE"}], "ilmd": {"cm:commodity": "antimony_ore", "cm:originCountry": "PAK"}`)
	MustCapture(t, svc, retractDoc(commission, declaredLotRun("r1", "2025-10-03", "L", "10", "P1", "8")))
	MustCapture(t, svc, retractDoc(strandedDeclared(t, commission)))
	body := retractDoc(
		declaredLotEv("s", "2025-10-05", `"type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit", "bizLocation": {"id": "urn:t:site:mine-a"},
  "quantityList": [{"epcClass": "urn:t:lot:L", "quantity": 5, "uom": "TNE"}],
  "bizTransactionList": [{"type": "bol", "bizTransaction": "urn:t:bol:NN1"}], "destinationList": [{"type": "location", "destination": "urn:t:site:pkkhi"}]`),
		strandedCommission("k", "K", "10"))
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(body), Behaviour: critmin.BehaviourRollback})
	var e *critmin.Error
	if !errors.As(err, &e) || e.Code != critmin.ECONFLICT || len(e.Fields) != 1 || e.Fields[0].Pointer != "/epcisBody/eventList/0/quantityList/0/epcClass" ||
		!strings.Contains(e.Fields[0].Reason, "lot urn:t:lot:L is not in the record") {
		t.Fatalf("rollback: %v; want a 409 naming the shipment of L at /epcisBody/eventList/0/quantityList/0/epcClass", err)
	}
	if evs, _ := s.FindEventsByID(ctx, "urn:t:zk:k"); len(evs) > 0 {
		t.Errorf("rollback stored the commissioning of K")
	}
	job, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(body), Behaviour: critmin.BehaviourProceed})
	if err != nil {
		t.Fatalf("proceed: %v; want the commissioning of K stored and the shipment of L listed", err)
	}
	if job.Stored != 1 || len(job.Errors) != 1 || job.Errors[0].Status != 409 || job.Errors[0].Pointer != "/epcisBody/eventList/0/quantityList/0/epcClass" ||
		!strings.Contains(job.Errors[0].Detail, "lot urn:t:lot:L is not in the record") {
		t.Errorf("proceed: stored %d, errors %+v; want 1 stored and the shipment of L listed with status 409", job.Stored, job.Errors)
	}
	if evs, _ := s.FindEventsByID(ctx, "urn:t:ii:s"); len(evs) > 0 {
		t.Errorf("proceed stored the shipment of L, a lot not in the record")
	}
}
