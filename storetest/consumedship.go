package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// testShipConsumedBody (builder decl; WRONG PASS): lot L, 10,000 kg
// commissioned at mb on Oct 1; run qc-run at mb on Oct 5 takes its
// whole 10,000 kg (inputQuantityList): 10 − 10 = 0 t left, L consumed.
// A shipping of 1,000 kg of L from mb on Oct 6 moves material that no
// longer exists (CBV 2.0: a transformation's inputs go into its
// outputs): refused 409 naming urn:t:ev:qc-run, nothing stored, L stays
// consumed with 0 t. Before it was taken with a flag only.
func testShipConsumedBody(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("QC")))
	MustCapture(t, svc, ctDoc(cfRun("qc-run", 5, nil, []string{"QC:10000"}, "QCO", 1000)))
	if l := mustLot(t, s, "urn:t:lot:QC"); l.Status != critmin.LotConsumed {
		t.Fatalf("after the run: QC %s, want consumed", l.Status)
	}
	n := ccEvents(t, s)
	ship := saLeave("qc-ship", "shipping", "urn:t:bol:QC-B", "urn:t:site:mb", "all", "urn:t:site:hou", 6, nil, "QC:1000")
	_, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(ship))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "urn:t:run:qc-run") {
		t.Errorf("1,000 kg of QC shipped after qc-run consumed it: %v; want refused 409 naming urn:t:run:qc-run", err)
	}
	if ccEvents(t, s) != n {
		t.Errorf("the refused shipping stored something")
	}
	if l := mustLot(t, s, "urn:t:lot:QC"); l.Status != critmin.LotConsumed {
		t.Errorf("after the refusal: QC %s, want consumed", l.Status)
	}
	pkStanding(t, s, "after the refusal", "QC", 0)

	// The body consumed at mb, a part standing at hou: QC 10,000 kg at
	// mb; 4,000 kg shipped mb → hou on Oct 2 and received there on Oct 3
	// (a part, 4 t at hou; the body 10 − 4 = 6 t at mb); qc-run at mb on
	// Oct 5 takes the body's whole 6,000 kg (6 − 6 = 0 t at mb). The lot
	// is not consumed (4 t stand at hou), but nothing of it stands at mb:
	// 1,000 kg shipped from mb on Oct 6 is refused 409 naming
	// urn:t:ev:qc-run, nothing stored; 4 t still stand (at hou).
	s = open(t)
	svc = custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("QC")))
	MustCapture(t, svc, ctDoc(saLeave("qc-part", "shipping", "urn:t:bol:QC-P", "urn:t:site:mb", "all", "urn:t:site:hou", 2, nil, "QC:4000")))
	MustCapture(t, svc, ctDoc(ctRecvAt("qc-recv", "urn:t:bol:QC-P", "urn:t:site:hou", 3, nil, "QC:4000")))
	MustCapture(t, svc, ctDoc(cfRun("qc-run", 5, nil, []string{"QC:6000"}, "QCO", 600)))
	n = ccEvents(t, s)
	_, err = svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(ship))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "run urn:t:ev:qc-run consumed") {
		t.Errorf("1,000 kg of QC shipped from mb after qc-run consumed the body there: %v; want refused 409 naming qc-run", err)
	}
	if ccEvents(t, s) != n {
		t.Errorf("the refused shipping of the consumed body stored something")
	}
	pkStanding(t, s, "after the refusal of the body's shipping", "QC", 4)
}
