package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// A receipt moves only what its bill of lading carried, container by
// container and lot by lot, and an event captured later but dated before
// a recorded movement of a container may not change what that movement
// carried (new-user findings on issue 8: receipts of [C1, C2] under the
// bill of C1 alone moved C2's lot; a lot named beside a shipped container
// moved though never shipped; a packing or a run backdated before a
// stored shipment changed what it carried).

const (
	cbC1 = "urn:epc:id:sscc:0614141.4000000038"
	cbC2 = "urn:epc:id:sscc:0614141.4000000045"
)

// cbRecv is ccRecv naming boxes in its epcList and lots "lot:kg" in its
// quantityList.
func cbRecv(id, bol string, day int, boxes []string, lots ...string) string {
	ev := ccRecv(id, strings.Join(boxes, `", "`), bol, day)
	if len(lots) == 0 {
		return ev
	}
	var qs []string
	for _, l := range lots {
		lot, kg, _ := strings.Cut(l, ":")
		qs = append(qs, `{"epcClass": "urn:t:lot:`+lot+`", "quantity": `+kg+`, "uom": "KGM"}`)
	}
	return strings.Replace(ev, `"epcList"`, `"quantityList": [`+strings.Join(qs, ", ")+`], "epcList"`, 1)
}

// testContainerReceiptEachOnBill: lots BA and BB, 10,000 kg each at mb;
// BA packed whole into C1 and BB into C2 on Oct 2; only C1 shipped, under
// BOL-X, on Oct 3.
//   - [C1, C2] received under BOL-X on Oct 5: refused — BB (in C2) was
//     not on BOL-X; nothing stored, BB stays 10 t in stock at mb;
//   - [C1] with 5,000 kg of BB by quantity under BOL-X: refused — BB was
//     never packed in C1 nor shipped;
//   - [C1] under BOL-X: BA at Karachi, BB still 10 t at mb.
func testContainerReceiptEachOnBill(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	const bol = "urn:t:bol:BOL-X"
	MustCapture(t, svc, ctDoc(csLot("BA"), csLot("BB"), ctPack("ba-pack", "ADD", cbC1, 2, "BA:10000"), ctPack("bb-pack", "ADD", cbC2, 2, "BB:10000")))
	MustCapture(t, svc, ctDoc(ccShip("bx-ship", bol, 3, []string{cbC1})))
	ccRefused(t, s, "[C1, C2] received under the bill of C1 alone", ctDoc(cbRecv("bx-recv", bol, 5, []string{cbC1, cbC2})), "urn:t:lot:BB", cbC2, bol)
	ccRefused(t, s, "[C1] and 5,000 kg of BB, never shipped, under BOL-X", ctDoc(cbRecv("bx-recv", bol, 5, []string{cbC1}, "BB:5000")), "urn:t:lot:BB", bol)
	if l := mustLot(t, s, "urn:t:lot:BB"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:mb" || !ctNear(l.RemainingWetTonnes(), 10) {
		t.Errorf("BB after refused receipts: %s at %s, %v t; want in_stock at mb with 10 t", l.Status, l.Location, l.RemainingWetTonnes())
	}
	MustCapture(t, svc, ctDoc(cbRecv("bx-recv", bol, 5, []string{cbC1})))
	if l := mustLot(t, s, "urn:t:lot:BA"); l.Status != critmin.LotInStock || l.Location != "urn:t:site:khi" {
		t.Errorf("BA after C1 received under BOL-X: %s at %s; want in_stock at Karachi", l.Status, l.Location)
	}
	if l := mustLot(t, s, "urn:t:lot:BB"); l.Location != "urn:t:site:mb" || !ctNear(l.RemainingWetTonnes(), 10) {
		t.Errorf("BB after C1 received: at %s with %v t; want 10 t at mb", l.Location, l.RemainingWetTonnes())
	}
}

// testContainerBackdatedPacking: lots PA and PB, 10,000 kg each at mb;
// PA packed whole into C1 on Oct 2, C1 shipped under BOL-P on Oct 4
// (carrying PA's 10 t). A packing of PB into C1, or an unpacking of PA
// from it, dated Oct 3 would change what the stored shipment carried:
// refused 409 naming C1 and the shipment, in a later document and in the
// shipment's own document (after it); nothing stored, PB stays 10 t at
// mb. C1 received under BOL-P on Oct 6 moves PA alone.
func testContainerBackdatedPacking(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	const bol = "urn:t:bol:BOL-P"
	MustCapture(t, svc, ctDoc(csLot("PA"), csLot("PB"), ctPack("pa-pack", "ADD", cbC1, 2, "PA:10000")))
	// In one document: C1 shipped on Oct 4, then PB packed into it dated
	// Oct 3.
	ccRefused(t, s, "PB packed into C1 dated before C1's shipment, in the shipment's document",
		ctDoc(ccShip("pa-ship", bol, 4, []string{cbC1}), ctPack("pb-pack", "ADD", cbC1, 3, "PB:10000")), cbC1, "urn:t:ev:pa-ship")
	MustCapture(t, svc, ctDoc(ccShip("pa-ship", bol, 4, []string{cbC1})))
	ccRefused(t, s, "PB packed into C1 dated before C1's stored shipment", ctDoc(ctPack("pb-pack", "ADD", cbC1, 3, "PB:10000")), cbC1, "urn:t:ev:pa-ship")
	ccRefused(t, s, "PA unpacked from C1 dated before C1's stored shipment", ctDoc(ctPack("pa-unpack", "DELETE", cbC1, 3, "PA:10000")), cbC1, "urn:t:ev:pa-ship")
	if l := mustLot(t, s, "urn:t:lot:PB"); l.Location != "urn:t:site:mb" || !ctNear(l.RemainingWetTonnes(), 10) {
		t.Errorf("PB after refused packings: at %s with %v t; want 10 t at mb", l.Location, l.RemainingWetTonnes())
	}
	MustCapture(t, svc, ctDoc(ccRecv("pa-recv", cbC1, bol, 6)))
	if l := mustLot(t, s, "urn:t:lot:PA"); l.Location != "urn:t:site:khi" {
		t.Errorf("PA after C1 received: at %s; want Karachi", l.Location)
	}
	if l := mustLot(t, s, "urn:t:lot:PB"); l.Location != "urn:t:site:mb" || !ctNear(l.RemainingWetTonnes(), 10) {
		t.Errorf("PB after C1 received: at %s with %v t; want 10 t at mb", l.Location, l.RemainingWetTonnes())
	}
}

// testContainerBackdatedRun: lot RR, 10,000 kg at mb, packed whole into
// C1 on Oct 2; C1 shipped under BOL-R on Oct 4 (carrying RR's 10 t). A
// run at mb dated Oct 3 consuming all 10,000 kg of RR would change what
// the stored shipment carried (a consumed lot never moves): refused 409
// naming RR and the shipment; RR stays in transit. The shipment and the
// run in one document, in that order, are refused alike.
func testContainerBackdatedRun(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("RR"), ctPack("rr-pack", "ADD", cbC1, 2, "RR:10000")))
	MustCapture(t, svc, ctDoc(ccShip("rr-ship", "urn:t:bol:BOL-R", 4, []string{cbC1})))
	run := `{"type": "TransformationEvent", "eventID": "urn:t:ev:rr-run", "eventTime": "2025-10-03T00:00:00Z", "eventTimeZoneOffset": "+00:00", "bizStep": "commissioning",
	  "inputQuantityList": [{"epcClass": "urn:t:lot:RR", "quantity": 10000, "uom": "KGM"}], "outputQuantityList": [{"epcClass": "urn:t:lot:RP", "quantity": 9000, "uom": "KGM"}], "bizLocation": {"id": "urn:t:site:mb"},
	  "ilmd": {"cm:commodity": "ndpr_oxide", "cm:moisture": 0, "cm:assay": [{"cm:analyte": "Nd", "cm:value": 11, "cm:unit": "%", "cm:basis": "dry"}]}}`
	ccRefused(t, s, "a run dated before C1's shipment consuming all of RR", ctDoc(run), "urn:t:lot:RR", "urn:t:ev:rr-ship")
	// The same in one document: C1 shipped (Oct 4) then the run (Oct 3).
	{
		s2 := open(t)
		MustCapture(t, custody.NewService(s2), ctDoc(csLot("RR"), ctPack("rr-pack", "ADD", cbC1, 2, "RR:10000")))
		ccRefused(t, s2, "C1 shipped, then a run dated before it consuming all of RR, in one document", ctDoc(ccShip("rr-ship", "urn:t:bol:BOL-R", 4, []string{cbC1}), run), "urn:t:lot:RR", "urn:t:ev:rr-ship")
	}
	if l := mustLot(t, s, "urn:t:lot:RR"); l.Status != critmin.LotInTransit {
		t.Errorf("RR after the refused run: %s; want in_transit", l.Status)
	}
}
