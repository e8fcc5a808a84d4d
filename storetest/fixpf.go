package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// Declarations under runs fed a container whole, and what a container
// share lost in transit (issues 8 and 9, new-user check n8c, builder
// fixPf).

// testFedRunDeclaredUnderOnward (n8c s16): lot PG 10,000 kg at mb, 6,000
// kg packed into C1 and 4,000 kg into C2, [C1, C2] shipped to khi under
// BOL-PG1 on Oct 3 and received there on Oct 5; a run at khi on Oct 8
// fed C1 whole (6 t of PG consumed: 10 − 6 = 4 t left, in C2); [C1]
// shipped on, empty, under BOL-PG2 on Oct 10 (its contents were fixed
// at capture: nothing). Declaring the run alone would put C1's 6 t back
// in C1 at khi on Oct 10, so the recorded onward shipment would have
// carried 6 t that its contents say it did not (the lot read 10 t at khi
// with nothing in transit, the shipment page 6 t at sea, and C1's
// receipt under BOL-PG2 was refused): refused 409 naming the onward
// shipment, as a run captured dated before it is (RunBeforeOnward
// Shipment). Nothing changes: 4 t left at khi. Declared with the shipment, the
// run is taken: 10 t at khi, nothing in transit.
func testFedRunDeclaredUnderOnward(t *testing.T, open Opener) {
	const khi = "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	lot := "urn:t:lot:PG"
	run := peRunAt("pg-run", khi, 8, []string{cbC1}, nil, "PGX", 1000)
	onward := coOnward("pg-onward", "shipping", "urn:t:bol:BOL-PG2", khi, "urn:t:site:port", 10, []string{cbC1})
	MustCapture(t, svc, ctDoc(csLot("PG"), ctPack("pg-pack1", "ADD", cbC1, 2, "PG:6000"), ctPack("pg-pack2", "ADD", cbC2, 2, "PG:4000")))
	MustCapture(t, svc, ctDoc(ccShip("pg-ship", "urn:t:bol:BOL-PG1", 3, []string{cbC1, cbC2}), ctRecvAt("pg-recv", "urn:t:bol:BOL-PG1", khi, 5, []string{cbC1, cbC2})))
	MustCapture(t, svc, ctDoc(run))
	MustCapture(t, svc, ctDoc(onward))
	ccRefused(t, s, "the run fed C1 declared in error under C1's onward shipment", ctDoc(ydDeclared(run)), "urn:t:ev:pg-onward")
	if l := mustLot(t, s, lot); !ctNear(l.RemainingWetTonnes(), 4) || !ctNear(lsInTransit(l), 0) {
		t.Errorf("PG after the refused declaration: %v t left, %v t in transit (%s at %s, parts %+v); want 4, 0", l.RemainingWetTonnes(), lsInTransit(l), l.Status, l.Location, l.Parts)
	}
	MustCapture(t, svc, ctDoc(ydDeclared(run), ydDeclared(onward)))
	l := mustLot(t, s, lot)
	atKhi := lsPartAt(l, critmin.PartReceived, khi)
	if l.Status == critmin.LotInStock && l.Location == khi {
		atKhi += l.RemainingWetTonnes()
	}
	if !ctNear(l.WetTonnes, 10) || !ctNear(atKhi, 10) || !ctNear(lsInTransit(l), 0) {
		t.Errorf("PG after the run and the onward shipment declared: %v t, %v t at khi, %v t in transit (%s at %s, parts %+v); want 10, 10, 0", l.WetTonnes, atKhi, lsInTransit(l), l.Status, l.Location, l.Parts)
	}
}

// testFedRunReceiptDeclared (n8c s10): lot PH 10,000 kg at mb, 6,000 kg
// in C1 and 4,000 kg in C2, [C1, C2] shipped to khi under BOL-PH on
// Oct 3; [C1] received at khi on Oct 5; a run at khi on Oct 6 fed C1
// whole (6 t consumed). Declaring C1's receipt alone would leave C1 at
// sea under BOL-PH when the run ran at khi, so the run would have
// consumed what stood elsewhere: refused 409 naming the run (fixPa's
// rule). PH unchanged: 6 t consumed, 4 t in transit in C2.
func testFedRunReceiptDeclared(t *testing.T, open Opener) {
	const bol, khi = "urn:t:bol:BOL-PH", "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	recv := ctRecvAt("ph-recv1", bol, khi, 5, []string{cbC1})
	MustCapture(t, svc, ctDoc(csLot("PH"), ctPack("ph-pack1", "ADD", cbC1, 2, "PH:6000"), ctPack("ph-pack2", "ADD", cbC2, 2, "PH:4000")))
	MustCapture(t, svc, ctDoc(ccShip("ph-ship", bol, 3, []string{cbC1, cbC2})))
	MustCapture(t, svc, ctDoc(recv))
	MustCapture(t, svc, ctDoc(peRunAt("ph-run", khi, 6, []string{cbC1}, nil, "PHX", 1000)))
	ccRefused(t, s, "C1's receipt declared in error under the run fed C1", ctDoc(ydDeclared(recv)), "urn:t:ev:ph-run")
	if l := mustLot(t, s, "urn:t:lot:PH"); !ctNear(lsInTransit(l), 4) {
		t.Errorf("PH after the refused declaration: %v t in transit (%s at %s, parts %+v); want C2's 4", lsInTransit(l), l.Status, l.Location, l.Parts)
	}
}

// testFedRunUnpackingDeclared (n8c s7 b): lot PJ 10,000 kg packed whole
// into C1 at mb on Oct 2, shipped to khi under BOL-PJ on Oct 3 and
// received there on Oct 5; 4,000 kg unpacked at khi on Oct 6 (C1 holds
// 10 − 4 = 6 t, 4 t loose at khi); a run fed C1 whole on Oct 7 (6 t) and
// a run on the line "PJ 4,000 kg" on Oct 8 (the loose 4 t): nothing
// left. Declaring the unpacking alone would leave C1 holding 10 t on
// Oct 7: the first run would consume 10 t, not the 6 t it consumed, and
// the second take 4 t of nothing — the runs' accounts would not close:
// refused 409 naming the run fed C1. PJ unchanged: 0 t left. Lot PK the
// same without the second run: the loose 4 t still stand at khi, so the
// declaration is taken and the run fed C1 consumes all 10 t (0 t left).
func testFedRunUnpackingDeclared(t *testing.T, open Opener) {
	const bol, khi = "urn:t:bol:BOL-PJ", "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	unpack := strings.NewReplacer(`"urn:t:site:mb"`, `"`+khi+`"`, `"packing"`, `"unpacking"`).Replace(ctPack("pj-unpack", "DELETE", cbC1, 6, "PJ:4000"))
	MustCapture(t, svc, ctDoc(csLot("PJ"), ctPack("pj-pack", "ADD", cbC1, 2, "PJ:10000")))
	MustCapture(t, svc, ctDoc(ccShip("pj-ship", bol, 3, []string{cbC1}), ctRecvAt("pj-recv", bol, khi, 5, []string{cbC1})))
	MustCapture(t, svc, ctDoc(unpack))
	MustCapture(t, svc, ctDoc(peRunAt("pj-run1", khi, 7, []string{cbC1}, nil, "PJX", 1000)))
	MustCapture(t, svc, ctDoc(peRunAt("pj-run2", khi, 8, nil, []string{"PJ:4000"}, "PJY", 500)))
	ccRefused(t, s, "the unpacking declared in error under the runs", ctDoc(ydDeclared(unpack)), "urn:t:ev:pj-run1")
	if l := mustLot(t, s, "urn:t:lot:PJ"); !ctNear(l.RemainingWetTonnes(), 0) {
		t.Errorf("PJ after the refused declaration: %v t left (%s at %s, parts %+v); want 0", l.RemainingWetTonnes(), l.Status, l.Location, l.Parts)
	}
	unpackK := strings.ReplaceAll(strings.ReplaceAll(unpack, "PJ", "PK"), "pj-", "pk-")
	MustCapture(t, svc, ctDoc(csLot("PK"), ctPack("pk-pack", "ADD", cbC2, 2, "PK:10000")))
	MustCapture(t, svc, ctDoc(ccShip("pk-ship", "urn:t:bol:BOL-PK", 3, []string{cbC2}), ctRecvAt("pk-recv", "urn:t:bol:BOL-PK", khi, 5, []string{cbC2})))
	MustCapture(t, svc, ctDoc(strings.ReplaceAll(unpackK, cbC1, cbC2)))
	MustCapture(t, svc, ctDoc(peRunAt("pk-run1", khi, 7, []string{cbC2}, nil, "PKX", 1000)))
	if l := mustLot(t, s, "urn:t:lot:PK"); !ctNear(l.RemainingWetTonnes(), 4) {
		t.Errorf("PK before the declaration: %v t left (%s at %s, parts %+v); want the loose 4", l.RemainingWetTonnes(), l.Status, l.Location, l.Parts)
	}
	MustCapture(t, svc, ctDoc(ydDeclared(strings.ReplaceAll(unpackK, cbC1, cbC2))))
	if l := mustLot(t, s, "urn:t:lot:PK"); !ctNear(l.RemainingWetTonnes(), 0) {
		t.Errorf("PK after the unpacking declared: %v t left (%s at %s, parts %+v); want 0", l.RemainingWetTonnes(), l.Status, l.Location, l.Parts)
	}
}

// testSplitShareWords (n8c s17 a): lot PL 10,000 kg, 6,000 kg in C1 and
// 4,000 kg in C2, [C1, C2] shipped under BOL-PL on Oct 3, [C1] received
// at khi on Oct 5 (C1's 6 t split off at its receipt: a share with no
// dispatch of its own) and [C2] on Oct 6; a run at khi on Oct 7 takes
// "PL 10,000 kg" (6 + 4 t). Declaring [C1]'s receipt alone is refused,
// and the refusal names no blank event ("shipped by event  ", "shipped
// by  ") and no negative holding ("holds -").
func testSplitShareWords(t *testing.T, open Opener) {
	const bol, khi = "urn:t:bol:BOL-PL", "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	recv := ctRecvAt("pl-recv1", bol, khi, 5, []string{cbC1})
	MustCapture(t, svc, ctDoc(csLot("PL"), ctPack("pl-pack1", "ADD", cbC1, 2, "PL:6000"), ctPack("pl-pack2", "ADD", cbC2, 2, "PL:4000")))
	MustCapture(t, svc, ctDoc(ccShip("pl-ship", bol, 3, []string{cbC1, cbC2})))
	MustCapture(t, svc, ctDoc(recv))
	MustCapture(t, svc, ctDoc(ctRecvAt("pl-recv2", bol, khi, 6, []string{cbC2})))
	MustCapture(t, svc, ctDoc(peRunAt("pl-run", khi, 7, nil, []string{"PL:10000"}, "PLX", 1000)))
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(ydDeclared(recv)))})
	if err == nil {
		t.Fatalf("[C1]'s receipt declared in error under the run: accepted; want refused")
	}
	msg := err.Error()
	for _, f := range critmin.ErrorFields(err) {
		msg += " | " + f.Reason
	}
	for _, bad := range []string{"event  ", "by  ", "holds -", "holds −", "event )", "event ,"} {
		if strings.Contains(msg, bad) {
			t.Errorf("refusal words %q: %s", bad, msg)
		}
	}
	t.Logf("refusal: %s", msg)
}

// testDeclaredShipmentUnderReceipt (n8c s5): lot PM 10,000 kg, 6,000 kg
// in C1 and 4,000 kg in C2; [C1] shipped under BOL-PM on Oct 3, [C2]
// under BOL-PM on Oct 4 (joining the trip), [C1] received at khi on
// Oct 5; [C2]'s shipment declared in error (C2 back at mb), then [C2]
// shipped to khi under BOL-PM2 on Oct 7. Declaring [C1]'s shipment alone
// while its receipt stands is refused naming that receipt, pm-recv1
// (not the later shipment of C2).
func testDeclaredShipmentUnderReceipt(t *testing.T, open Opener) {
	const bol, khi = "urn:t:bol:BOL-PM", "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	ship1 := ccShip("pm-ship1", bol, 3, []string{cbC1})
	ship2 := ccShip("pm-ship2", bol, 4, []string{cbC2})
	MustCapture(t, svc, ctDoc(csLot("PM"), ctPack("pm-pack1", "ADD", cbC1, 2, "PM:6000"), ctPack("pm-pack2", "ADD", cbC2, 2, "PM:4000")))
	MustCapture(t, svc, ctDoc(ship1))
	MustCapture(t, svc, ctDoc(ship2))
	MustCapture(t, svc, ctDoc(ctRecvAt("pm-recv1", bol, khi, 5, []string{cbC1})))
	MustCapture(t, svc, ctDoc(ydDeclared(ship2)))
	MustCapture(t, svc, ctDoc(ccShip("pm-ship3", "urn:t:bol:BOL-PM2", 7, []string{cbC2})))
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(ydDeclared(ship1)))})
	if err == nil || !strings.Contains(err.Error(), "urn:t:ev:pm-recv1") {
		t.Errorf("[C1]'s shipment declared in error while its receipt stands: %v; want refused naming the receipt urn:t:ev:pm-recv1", err)
	}
}
