package custody_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// halfRun is one TransformationEvent of run xid at site mb on November
// 20: inputs ("urn:t:lot:C2" at 1 t) when in is set, and out (0.5 t of
// oxide at 60 % Nd + 20 % Pr = 0.4 t Nd+Pr, claimed Pakistani) when set.
func halfRun(id, xid string, in bool, out string) string {
	ins, outs, ilmd := "", "", ""
	if in {
		ins = `, "inputQuantityList": [{"epcClass": "urn:t:lot:C2", "quantity": 1, "uom": "TNE"}]`
	}
	if out != "" {
		outs = `, "outputQuantityList": [{"epcClass": "urn:t:lot:` + out + `", "quantity": 0.5, "uom": "TNE"}]`
		ilmd = `, "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 60, "cm:unit": "%", "cm:basis": "dry"}, {"cm:analyte": "Pr", "cm:value": 20, "cm:unit": "%", "cm:basis": "dry"}]` + claimPAK + `}`
	}
	return `{"type": "TransformationEvent", "eventID": "urn:t:ev:` + id + `", "eventTime": "2025-11-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	 "transformationID": "urn:t:xid:` + xid + `"` + ins + outs + `, "bizLocation": {"id": "urn:t:site:mb"}` + ilmd + `}`
}

// TestClaimOnOutputOnlyRun (issue 9): capture and read agree on a claim
// made by a TransformationEvent with outputs and no inputs under its own
// transformationID. Such an event links its output to nothing (EPCIS 2.0
// §7.4.6: inputs and outputs of one transformationID are linked), so the
// run has no input yet and earns no credit: capture refuses the claim
// saying so (fix9n: never "no transformation produced it" — the event is
// one), storing nothing.
// The same output event is accepted when its run has inputs — in an event
// of the same document, or stored by an earlier capture: 0.4 t Nd+Pr
// against mbStore's November Pakistani balance of 2.6 t.
func TestClaimOnOutputOnlyRun(t *testing.T) {
	db := mbStore(t)
	ctx := context.Background()
	svc := ledger.NewService(db)
	svc.Now = func() time.Time { return time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC) } // November still open
	svc.ClaimCheck = custody.CaptureClaimCheck(db)
	_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(halfRun("X1", "X1", false, "OX"))})
	// The event is a TransformationEvent producing OX: the refusal says
	// the real reason — its run has no input yet, so no credit (fix9n).
	if critmin.ErrorCode(err) != critmin.EINVALID || !strings.Contains(err.Error(), "claim on lot urn:t:lot:OX refused: TransformationEvent urn:t:ev:X1 produces it at site urn:t:site:mb, but no event of its run (transformationID urn:t:xid:X1) names an input yet") ||
		!strings.Contains(err.Error(), "capture the run's input event first or in the same document") || strings.Contains(err.Error(), "no transformation produced it") {
		t.Fatalf("claim on an output-only run: %v, want EINVALID, its run has no input yet", err)
	}
	if ls, _ := db.FindLotsByID(ctx, []string{"urn:t:lot:OX"}); len(ls) != 0 {
		t.Errorf("refused capture stored OX")
	}
	// Inputs in another event of the same document, same transformationID.
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(halfRun("S1", "S", true, ""), halfRun("S2", "S", false, "OS"))}); err != nil {
		t.Fatalf("split run in one document: %v", err)
	}
	// Inputs stored by an earlier capture.
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(halfRun("T1", "T", true, ""))}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Capture(ctx, ledger.CaptureRequest{Body: mbDoc(halfRun("T2", "T", false, "OT"))}); err != nil {
		t.Fatalf("split run over two captures: %v", err)
	}
	for _, lot := range []string{"urn:t:lot:OS", "urn:t:lot:OT"} {
		if o, err := custody.Origin(ctx, db, lot); err != nil || o.Claimed == nil || o.Claimed.Status != custody.ClaimAccepted {
			t.Errorf("%s reads back as %+v (%v)", lot, o, err)
		}
	}
}
