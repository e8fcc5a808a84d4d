package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// A bill of lading identifies one consignment: one carrier's contract of
// carriage for one voyage (a through bill may cover transshipment legs
// of the same goods). New-user finding nu39c item 1: after BOL-NU39C-1
// carried 20 t from Loe Shilman to Houston and was received there, 0.1 t
// of another lot shipped from Missouri under the same bill was accepted,
// and the bill's page showed only the second voyage.

// brAt is ev (of ccShip, ctStep or ctRecvAt at mb) moved to site.
func brAt(ev, site string) string {
	return strings.ReplaceAll(ev, `{"id": "urn:t:site:mb"}`, `{"id": "`+site+`"}`)
}

// testBillReused: a dispatch under a bill of lading whose consignment
// was received, or from a place that is neither the bill's origin nor
// where its goods are in transit, is refused 409 at the event's
// bizTransactionList, naming the earlier voyage; several dispatches of
// one consignment at its origin, a departing after a loading, and a
// transshipment leg of the bill's goods are accepted; a bill whose
// voyage is declared in error may be used again.
//
// Lots BA … BG, 10,000 kg each at mb (csLot).
//   - BOL-R1: BA shipped mb → khi on Oct 3, received at khi on Oct 6.
//     Refused on Oct 7: BB shipped from mb (the origin) under BOL-R1;
//     BA shipped on from khi under BOL-R1; BB departing mb under BOL-R1.
//     Each names ba-ship, mb, khi and the receipt ba-recv.
//   - BOL-R2: BC shipped mb → khi on Oct 3; BD shipped from mb under
//     BOL-R2 on Oct 3 in another document (one event per lot of one
//     consignment, at its origin): accepted. BC's transshipment leg
//     from port under BOL-R2 on Oct 5 (BC in transit under it):
//     accepted. BG, received at khi under BOL-R4 on Oct 4, shipped from
//     khi under BOL-R2 on Oct 5: refused (khi is not BOL-R2's origin and
//     BG is not its goods), naming bc-ship and mb.
//   - BOL-R3: BE loaded at mb on Oct 3, departing mb on Oct 4: accepted.
//   - BOL-R1's shipping and receipt declared in error on Oct 8: BB
//     shipped from mb under BOL-R1 on Oct 9 is accepted, received at
//     khi on Oct 10.
func testBillReused(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	const khi, port = "urn:t:site:khi", "urn:t:site:port"
	const ptr = "/epcisBody/eventList/0/bizTransactionList/0"
	MustCapture(t, svc, ctDoc(csLot("BA"), csLot("BB"), csLot("BC"), csLot("BD"), csLot("BE"), csLot("BG")))
	MustCapture(t, svc, ctDoc(ccShip("ba-ship", "urn:t:bol:BOL-R1", 3, nil, "BA:10000"), ccShip("bc-ship", "urn:t:bol:BOL-R2", 3, nil, "BC:10000"),
		ccShip("bg-ship", "urn:t:bol:BOL-R4", 3, nil, "BG:10000"), ctStep("be-load", "loading", "urn:t:bol:BOL-R3", 3, nil, "BE:10000")))
	MustCapture(t, svc, ctDoc(ccShip("bd-ship", "urn:t:bol:BOL-R2", 3, nil, "BD:10000")))
	MustCapture(t, svc, ctDoc(ctStep("be-dep", "departing", "urn:t:bol:BOL-R3", 4, nil, "BE:10000"), ctRecvAt("bg-recv", "urn:t:bol:BOL-R4", khi, 4, nil, "BG:10000")))
	MustCapture(t, svc, ctDoc(brAt(ctStep("bc-tranship", "departing", "urn:t:bol:BOL-R2", 5, nil, "BC:10000"), port)))
	MustCapture(t, svc, ctDoc(ctRecvAt("ba-recv", "urn:t:bol:BOL-R1", khi, 6, nil, "BA:10000")))
	for _, c := range []struct{ what, ev string }{
		{"BB shipped from mb under BOL-R1 after its receipt", ccShip("bb-ship", "urn:t:bol:BOL-R1", 7, nil, "BB:10000")},
		{"BA shipped on from khi under BOL-R1 after its receipt", brAt(ctShipTo("ba-ship2", "urn:t:bol:BOL-R1", port, 7, nil, "BA:10000"), khi)},
		{"BB departing mb under BOL-R1 after its receipt", ctStep("bb-dep", "departing", "urn:t:bol:BOL-R1", 7, nil, "BB:10000")},
	} {
		ctRefusedWith(t, s, c.what, ctDoc(c.ev), critmin.ECONFLICT, ptr, "urn:t:bol:BOL-R1", "urn:t:ev:ba-ship", "urn:t:site:mb", khi, "urn:t:ev:ba-recv", "received")
	}
	ctRefusedWith(t, s, "BG shipped from khi under BOL-R2", ctDoc(brAt(ctShipTo("bg-ship2", "urn:t:bol:BOL-R2", port, 5, nil, "BG:10000"), khi)),
		critmin.ECONFLICT, ptr, "urn:t:bol:BOL-R2", "urn:t:ev:bc-ship", "urn:t:site:mb", khi)
	// The first voyage declared in error: the bill is free again.
	MustCapture(t, svc, ctDoc(ydDeclared(ccShip("ba-ship", "urn:t:bol:BOL-R1", 3, nil, "BA:10000")), ydDeclared(ctRecvAt("ba-recv", "urn:t:bol:BOL-R1", khi, 6, nil, "BA:10000"))))
	MustCapture(t, svc, ctDoc(ccShip("bb-ship3", "urn:t:bol:BOL-R1", 9, nil, "BB:10000")))
	MustCapture(t, svc, ctDoc(ctRecvAt("bb-recv3", "urn:t:bol:BOL-R1", khi, 10, nil, "BB:10000")))
	if l := mustLot(t, s, "urn:t:lot:BB"); l.Status != critmin.LotInStock || l.Location != khi {
		t.Errorf("BB after BOL-R1 reused: %s at %s; want in_stock at %s", l.Status, l.Location, khi)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testBillReusedManyEvents: the check read each bill's stored events up
// to 1,000 (a silent cap). Under BOL-RM: 1,000 lots commissioned at mb on
// Oct 1 naming the bill (events 1 … 1,000 of the bill in event-time
// order), BA shipped mb → khi on Oct 3 (event 1,001) and received at khi
// on Oct 6 (event 1,002). BA shipped on from khi under BOL-RM on Oct 7 is
// refused, naming the receipt: with the cap the shipping and the receipt
// were past the 1,000 read, and it was accepted. In one document with it,
// a dispatch under each of 40 other bills, each received before (BOL-M0
// … BOL-M39, lots BM0 … BM39): each is refused at its own event, naming
// its own receipt — every bill of the document read in one go, split by
// bill.
func testBillReusedManyEvents(t *testing.T, open Opener) {
	s := open(t)
	svc := service(s)
	const khi, port = "urn:t:site:khi", "urn:t:site:port"
	const bill = "urn:t:bol:BOL-RM"
	var lots []string
	for i := range 1000 {
		ev := ctLot(fmt.Sprintf("RM%04d", i), "PAK", 1, "Nd:10")
		ev = strings.Replace(ev, "urn:t:site:mine-PAK", "urn:t:site:mb", 1)
		lots = append(lots, strings.TrimSuffix(strings.TrimSpace(ev), "}")+`, "bizTransactionList": [{"type": "bol", "bizTransaction": "`+bill+`"}]}`)
	}
	MustCapture(t, svc, ctDoc(lots...))
	first := []string{csLot("BA")}
	for i := range 40 {
		first = append(first, csLot(fmt.Sprintf("BM%d", i)))
	}
	MustCapture(t, svc, ctDoc(first...))
	ships := []string{ccShip("ba-ship", bill, 3, nil, "BA:10000")}
	recvs := []string{ctRecvAt("ba-recv", bill, khi, 6, nil, "BA:10000")}
	again := []string{brAt(ctShipTo("ba-ship2", bill, port, 7, nil, "BA:10000"), khi)}
	for i := range 40 {
		b, lot := fmt.Sprintf("urn:t:bol:BOL-M%d", i), fmt.Sprintf("BM%d:10000", i)
		ships = append(ships, ccShip(fmt.Sprintf("bm%d-ship", i), b, 3, nil, lot))
		recvs = append(recvs, ctRecvAt(fmt.Sprintf("bm%d-recv", i), b, khi, 6, nil, lot))
		again = append(again, brAt(ctShipTo(fmt.Sprintf("bm%d-ship2", i), b, port, 7, nil, lot), khi))
	}
	MustCapture(t, svc, ctDoc(ships...))
	MustCapture(t, svc, ctDoc(recvs...))
	ctRefusedWith(t, s, "BA shipped on from khi under BOL-RM after its receipt", ctDoc(again[0]), critmin.ECONFLICT,
		"/epcisBody/eventList/0/bizTransactionList/0", bill, "urn:t:ev:ba-ship", "urn:t:ev:ba-recv", "received")
	before := ccEvents(t, s)
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(again...))})
	if critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Fatalf("41 dispatches under received bills: %v; want 409", err)
	}
	refused := map[string]string{}
	for _, fe := range critmin.ErrorList(err) {
		refused[fe.Pointer] = fe.Reason
	}
	for i := range 41 {
		recv := "urn:t:ev:ba-recv"
		if i > 0 {
			recv = fmt.Sprintf("urn:t:ev:bm%d-recv", i-1)
		}
		r := refused[fmt.Sprintf("/epcisBody/eventList/%d/bizTransactionList/0", i)]
		if !strings.Contains(r, "already received") || !strings.Contains(r, recv+")") {
			t.Errorf("dispatch %d: refusal %q; want already received, naming %s", i, r, recv)
		}
	}
	if ccEvents(t, s) != before {
		t.Errorf("the refused document stored something")
	}
}
