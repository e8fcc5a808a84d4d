package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// Where a lot stands after a two-step trip end (new-user check nuq10,
// R1 and R4; builder fixQo's "one end of a trip books once"). Lot L
// 10 t at A, 6 t packed into C1 (and 4 t into C2, or 4 t left loose);
// [C1] shipped A → B and then `arriving` and `receiving` [C1] at B: the
// ledger books C1's 6 t at B once and keeps the other 4 t at A (or at
// sea), but the custody checks read the lot as wholly at B "since
// receiving": shipping [C2] or "L 4 t" from A and a run at A taking 4 t
// were refused "lot L is at B … not at A" (R1); with no bill of lading,
// the receiving after the arriving was refused "nothing of it is in
// transit … already received" (R4a); and with C1 in and C2 shipped, one
// receiving of [C1, C2] was refused as "recorded at 6 t and weighed at
// 16 t" (R4b) where C1's 6 t are in and C2's 4 t arrive.

// teShip is ccShip in form form: "bill" (disposition in_transit,
// bizLocation mb, bill bol), "nobill" (the same, no bill of lading),
// "nodisp" (no disposition, no bizLocation: a trip from its readPoint
// mb, ledger.TripStep, no bill).
func teShip(form, id, bol string, day int, boxes []string, lots ...string) string {
	switch form {
	case "nobill":
		return aqNoBill(ccShip(id, bol, day, boxes, lots...))
	case "nodisp":
		return aqNoBill(sdShip(id, "shipping", bol, true, day, boxes, lots...))
	}
	return ccShip(id, bol, day, boxes, lots...)
}

// teRecv is ctRecvAt at khi as a step of bizStep step, with no bill of
// lading unless form is "bill".
func teRecv(form, step, id, bol string, day int, boxes []string, lots ...string) string {
	ev := aqStep(ctRecvAt(id, bol, "urn:t:site:khi", day, boxes, lots...), step)
	if form != "bill" {
		ev = aqNoBill(ev)
	}
	return ev
}

// testTripEndSite: for each form of the trip (with a bill of lading;
// with none; a shipping with no disposition and no bizLocation and no
// bill) and each end of it ([C1] arriving, unloading or accepting, then
// receiving at khi; a receiving alone), in a store of its own;
// every lot 10,000 kg at mb on Oct 1, packed on Oct 2, [C1] shipped
// mb → khi on Oct 3, its first step at khi on Oct 4 and its receiving
// on Oct 5 (at khi / at mb / in transit / in all after the end of
// [C1]'s trip: 6 / 10 − 6 = 4 / 0 / 10 for every lot):
//   - XC: 6 t into C1, 4 t into C2; [C2] shipped from mb on Oct 6 (a
//     trip of its own): 6 / 0 / 4 / 10 (refused "XC is at khi … not at
//     mb" before); received at khi on Oct 7: 6 + 4 = 10 / 0 / 0 / 10;
//   - XL: 6 t into C1, 4 t loose; "XL 4,000 kg" shipped by a line from
//     mb on Oct 6: 6 / 0 / 4 / 10 (refused before); a further
//     "XL 1,000 kg" from mb is refused (nothing left there: 4 − 4 = 0 t),
//     nothing stored;
//   - XR: 6 t into C1, 4 t loose; run R-XR at mb on Oct 6 takes
//     XR 4,000 kg (refused before): 6 / 10 − 6 − 4 = 0 / 0; a run at
//     khi taking XR 7,000 kg first is refused (7 > 6 t there);
//   - XB (R4b): 6 t into C1, 4 t into C2; after [C1]'s end, [C2] shipped
//     on Oct 6 (under C1's bill, when there is one): 6 / 0 / 4 / 10; one
//     receiving of [C1, C2] at khi on Oct 7: C1's 6 t booked once, C2's
//     4 t arrive: 6 + 4 = 10 / 0 / 0 / 10 (refused "recorded at 6 t and
//     weighed at 16 t" before: 6 + 10 = 16 t read as weighed); with a
//     bill, [C2] and the receipt under a new one (a bill names one
//     consignment, received with [C1]);
//   - XP (with a bill only): "XP 6,000 kg" shipped by a line on Oct 3,
//     its first step and receiving by the same line at khi: 6 / 4 / 0 /
//     10; "XP 4,000 kg" shipped from mb on Oct 6: 6 / 0 / 4 / 10
//     (refused "XP is at khi" before).
//
// After [C1]'s end, [C1] of XL received again at khi, and "XL 7,000 kg"
// shipped from khi (where 6 t stand; 7 > 6), are refused naming XL,
// nothing stored: still 6 / 4 / 0 / 10. Verify with its rebuild is
// clean after each.
func testTripEndSite(t *testing.T, open Opener) {
	const b1, b2 = "urn:t:bol:XS-1", "urn:t:bol:XS-2"
	box := func(lot, n string) string { return "urn:t:box:XS-" + lot + "-" + n }
	for _, form := range []string{"bill", "nobill", "nodisp"} {
		for _, first := range []string{"arriving", "unloading", "accepting", "receiving"} {
			t.Run(form+"/"+first, func(t *testing.T) {
				s := open(t)
				svc := custody.NewService(s)
				MustCapture(t, svc, ctDoc(csLot("XC"), csLot("XL"), csLot("XR"), csLot("XB"),
					ctPack("xc-pack1", "ADD", box("XC", "C1"), 2, "XC:6000"), ctPack("xc-pack2", "ADD", box("XC", "C2"), 2, "XC:4000"),
					ctPack("xl-pack1", "ADD", box("XL", "C1"), 2, "XL:6000"),
					ctPack("xr-pack1", "ADD", box("XR", "C1"), 2, "XR:6000"),
					ctPack("xb-pack1", "ADD", box("XB", "C1"), 2, "XB:6000"), ctPack("xb-pack2", "ADD", box("XB", "C2"), 2, "XB:4000")))
				for _, lot := range []string{"XC", "XL", "XR", "XB"} {
					id := "x" + lot + "-"
					c1 := []string{box(lot, "C1")}
					MustCapture(t, svc, ctDoc(teShip(form, id+"ship1", b1+lot, 3, c1)))
					teWant(t, s, "[C1]'s shipping", "urn:t:lot:"+lot, 0, 4, 6, 10)
					if first != "receiving" {
						MustCapture(t, svc, ctDoc(teRecv(form, first, id+"first", b1+lot, 4, c1)))
						teWant(t, s, "[C1]'s "+first, "urn:t:lot:"+lot, 6, 4, 0, 10)
					}
					MustCapture(t, svc, ctDoc(teRecv(form, "receiving", id+"recv1", b1+lot, 5, c1)))
					teWant(t, s, "[C1]'s receiving", "urn:t:lot:"+lot, 6, 4, 0, 10)
				}
				qeVerified(t, s, "after [C1]'s trip end")
				// Its end has its receiving: [C1] received again, and
				// 7,000 kg of XL shipped from khi where 6 t stand, are
				// refused, nothing stored (no wrong pass).
				ccRefused(t, s, "[C1] of XL received again", ctDoc(teRecv(form, "receiving", "xl-again", b1+"XL", 6, []string{box("XL", "C1")})), "urn:t:lot:XL")
				fromKhi := strings.ReplaceAll(strings.Replace(teShip(form, "xl-khi", b2+"XLK", 6, nil, "XL:7000"), `"destination": "urn:t:site:khi"`, `"destination": "urn:t:site:port"`, 1), `{"id": "urn:t:site:mb"}`, `{"id": "urn:t:site:khi"}`)
				ccRefused(t, s, "XL 7,000 kg shipped from khi where 6 t stand", ctDoc(fromKhi), "urn:t:lot:XL")
				teWant(t, s, "the refusals", "urn:t:lot:XL", 6, 4, 0, 10)

				// R1: 4 t stand at mb.
				MustCapture(t, svc, ctDoc(teShip(form, "xc-ship2", b2+"XC", 6, []string{box("XC", "C2")})))
				teWant(t, s, "[C2]'s shipping", "urn:t:lot:XC", 6, 0, 4, 10)
				MustCapture(t, svc, ctDoc(teRecv(form, "receiving", "xc-recv2", b2+"XC", 7, []string{box("XC", "C2")})))
				teWant(t, s, "[C2]'s receiving", "urn:t:lot:XC", 10, 0, 0, 10)

				MustCapture(t, svc, ctDoc(teShip(form, "xl-ship2", b2+"XL", 6, nil, "XL:4000")))
				teWant(t, s, "4 t shipped by a line", "urn:t:lot:XL", 6, 0, 4, 10)
				ccRefused(t, s, "XL 1,000 kg shipped from mb with nothing left there", ctDoc(teShip(form, "xl-ship3", b2+"XL3", 7, nil, "XL:1000")), "urn:t:lot:XL")

				atKhi := strings.ReplaceAll(cfRun("R-XRK", 6, nil, []string{"XR:7000"}, "XRK", 700), `{"id": "urn:t:site:mb"}`, `{"id": "urn:t:site:khi"}`)
				ccRefused(t, s, "run at khi taking XR 7,000 kg where 6 t stand", ctDoc(atKhi), "urn:t:lot:XR")
				MustCapture(t, svc, ctDoc(cfRun("R-XR", 6, nil, []string{"XR:4000"}, "XRO", 400)))
				teWant(t, s, "run R-XR", "urn:t:lot:XR", 6, 0, 0, 10)
				qeVerified(t, s, "after the 4 t at mb moved")

				// R4b: C1's 6 t in, C2's 4 t arrive.
				MustCapture(t, svc, ctDoc(teShip(form, "xb-ship2", b2+"XB", 6, []string{box("XB", "C2")})))
				teWant(t, s, "[C2]'s shipping", "urn:t:lot:XB", 6, 0, 4, 10)
				MustCapture(t, svc, ctDoc(teRecv(form, "receiving", "xb-recv2", b2+"XB", 7, []string{box("XB", "C1"), box("XB", "C2")})))
				teWant(t, s, "[C1, C2]'s receiving", "urn:t:lot:XB", 10, 0, 0, 10)
				qeVerified(t, s, "after [C1, C2]'s receiving")

				if form != "bill" {
					return
				}
				// By a line under a bill: "XP 6,000 kg" shipped, its
				// first step and its receiving at khi: 6 / 4 / 0 / 10;
				// "XP 4,000 kg" shipped from mb: 6 / 0 / 4 / 10.
				MustCapture(t, svc, ctDoc(csLot("XP"), teShip(form, "xp-ship1", b1+"XP", 3, nil, "XP:6000")))
				if first != "receiving" {
					MustCapture(t, svc, ctDoc(teRecv(form, first, "xp-first", b1+"XP", 4, nil, "XP:6000")))
				}
				MustCapture(t, svc, ctDoc(teRecv(form, "receiving", "xp-recv1", b1+"XP", 5, nil, "XP:6000")))
				teWant(t, s, "6 t's trip end", "urn:t:lot:XP", 6, 4, 0, 10)
				MustCapture(t, svc, ctDoc(teShip(form, "xp-ship2", b2+"XP", 6, nil, "XP:4000")))
				teWant(t, s, "4 t shipped from mb", "urn:t:lot:XP", 6, 0, 4, 10)
				qeVerified(t, s, "after XP's 4 t shipped")
			})
		}
	}
}
