package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// One end of a trip books a lot (or a container's share of it) in once
// (new-user check nuq8, items 1 and 7; issue 8, trust of the record).
// Along one trip — one bill of lading — `arriving`, `unloading`,
// `accepting` and `receiving` are steps of the same end (CBV 2.0 §7.2):
// the first of them that brings a part or a container in books it at
// the destination, and a later one of the same part or container under
// the same bill books nothing new. Before, after [C1, C2] (6 t and 4 t
// of a 10 t lot) were shipped under B, [C1] arriving and then [C1]
// receiving under B read 6 + 6 = 12 t at the destination with verify
// ok; and 6 t of a lot shipped by a line, arrived under B, was refused
// "already received" at its receipt.

// teWant checks lot: wet tonnes standing at khi (its body there and its
// parts received there), at mb, in transit, and its total.
func teWant(t *testing.T, s critmin.Store, when, lot string, atKhi, atMb, transit, total float64) {
	t.Helper()
	l := mustLot(t, s, lot)
	at := func(site string) float64 {
		w := lsPartAt(l, critmin.PartReceived, site)
		if l.Status != critmin.LotInTransit && l.Location == site {
			w += l.RemainingWetTonnes()
		}
		return w
	}
	if k, m, tr := at("urn:t:site:khi"), at("urn:t:site:mb"), lsInTransit(l); !ctNear(k, atKhi) || !ctNear(m, atMb) || !ctNear(tr, transit) || !ctNear(l.WetTonnes, total) {
		t.Errorf("%s after %s: %v t at khi, %v t at mb, %v t in transit, %v t in all (%s at %s, parts %+v); want %v, %v, %v, %v",
			lot, when, k, m, tr, l.WetTonnes, l.Status, l.Location, l.Parts, atKhi, atMb, transit, total)
	}
}

// testTripEndOnce: for each first step of the trip's end (arriving,
// unloading, accepting; "receiving" alone: a receipt only), each form
// in a store of its own, every lot 10,000 kg at mb on Oct 1, shipped
// mb → khi under its bill on Oct 3, the first step at khi on Oct 5, the
// receiving under the same bill on Oct 6 (left out for a receipt only),
// verify clean after each:
//   - whole lot by a line (TW): "TW 10,000 kg" shipped: 10 t in transit;
//     the first step: 10 t at khi; receiving "TW 10,000 kg": 10 t at khi,
//     nothing in transit, 10 t in all;
//   - part by a line (TP): "TP 6,000 kg" shipped: 10 − 6 = 4 t at mb,
//     6 t in transit; the first step of 6 t: 6 t at khi, 4 t at mb;
//     receiving 6 t (refused "already received" before): still 6 t at
//     khi, 4 t at mb, 10 t in all; its receiving at the port instead,
//     or a second receiving at khi, is refused, nothing stored;
//   - one container (TC): 10,000 kg packed into B1 on Oct 2, [B1]
//     shipped: 10 t in transit; [B1] first: 10 t at khi; [B1]
//     receiving: 10 t at khi;
//   - several containers (TS, the finding): 6,000 kg into B2, 4,000 kg
//     into B3; [B2, B3] shipped: 6 + 4 = 10 t in transit; [B2] first:
//     6 t at khi, 4 t in transit; [B2] receiving: still 6 t at khi, 4 t
//     in transit, 10 t in all (read 6 + 6 = 12 t before); [B2]
//     received again refused "already received", nothing stored; [B3]
//     receiving on Oct 7: 6 + 4 = 10 t at khi, nothing in transit;
//   - several containers arrived together (TT): 6,000 kg into B4,
//     4,000 kg into B5; [B4, B5] shipped, [B4, B5] first: 10 t at khi;
//     [B4] receiving: 10 t at khi (not B4's 6 t as the lot's weight);
//     [B5] receiving on Oct 7: 10 t at khi;
//   - a part in several containers (TQ): 3,000 kg into B6 and 3,000 kg
//     into B7, [B6, B7] shipped: a 3 + 3 = 6 t part in transit, 4 t at
//     mb; [B6] first: 3 t at khi, 3 t in transit, 4 t at mb; [B6]
//     receiving: the same (it read as B7's 3 t part received at 3 t
//     before); [B7] receiving on Oct 7: 3 + 3 = 6 t at khi, 4 t at mb;
//   - the rest with what came in (TR): 6,000 kg into B8, 4,000 kg into
//     B9, [B8, B9] shipped; [B8] first: 6 t at khi, 4 t in transit;
//     [B8, B9] receiving: 6 + 4 = 10 t at khi, nothing in transit (it
//     read as the 4 t body's arrival at 10 t: 16 t in all);
//   - containers weighed by a line of the lot as well (TN, the demo's
//     receipts): 6,000 kg into B10, 4,000 kg into B11, [B10, B11]
//     shipped; [B10] with "TN 6,000 kg" first: 6 t at khi, 4 t in
//     transit; [B10] receiving with "TN 6,000 kg": the same (12 t
//     before); [B11] receiving with "TN 4,000 kg" on Oct 7: 6 + 4 =
//     10 t at khi.
func testTripEndOnce(t *testing.T, open Opener) {
	const khi = "urn:t:site:khi"
	const b1, b2, b3, b4, b5 = "urn:t:box:TE-B1", "urn:t:box:TE-B2", "urn:t:box:TE-B3", "urn:t:box:TE-B4", "urn:t:box:TE-B5"
	const b6, b7, b8, b9 = "urn:t:box:TE-B6", "urn:t:box:TE-B7", "urn:t:box:TE-B8", "urn:t:box:TE-B9"
	const b10, b11 = "urn:t:box:TE-B10", "urn:t:box:TE-B11"
	for _, first := range []string{"receiving", "arriving", "unloading", "accepting"} {
		t.Run(first, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			step := func(id, bol string, day int, boxes []string, lots ...string) string {
				return aqStep(ctRecvAt(id, bol, khi, day, boxes, lots...), first)
			}
			recv := func(id, bol string, day int, boxes []string, lots ...string) {
				t.Helper()
				if first != "receiving" {
					MustCapture(t, svc, ctDoc(ctRecvAt(id, bol, khi, day, boxes, lots...)))
				}
			}
			// arrive takes the first step on Oct 5 and the receiving on
			// Oct 6 under bol, wanting the same k t at khi, m t at mb and
			// tr t in transit of 10 t after each.
			arrive := func(id, bol, lot, what string, boxes []string, k, m, tr float64, lines ...string) {
				t.Helper()
				MustCapture(t, svc, ctDoc(step(id+"-first", bol, 5, boxes, lines...)))
				teWant(t, s, first+" "+what, lot, k, m, tr, 10)
				recv(id+"-recv", bol, 6, boxes, lines...)
				teWant(t, s, what+"'s receiving", lot, k, m, tr, 10)
			}
			// rest receives the rest on Oct 7: k t at khi, m t at mb,
			// nothing in transit; verify clean.
			rest := func(id, bol, lot, what string, boxes []string, k, m float64, lines ...string) {
				t.Helper()
				MustCapture(t, svc, ctDoc(ctRecvAt(id, bol, khi, 7, boxes, lines...)))
				teWant(t, s, what+"'s receiving", lot, k, m, 0, 10)
				qeVerified(t, s, "after "+what+"'s receiving")
			}
			MustCapture(t, svc, ctDoc(csLot("TW"), csLot("TP"), csLot("TC"), csLot("TS"), csLot("TT"), csLot("TQ"), csLot("TR"), csLot("TN"),
				ctPack("tc-pack", "ADD", b1, 2, "TC:10000"),
				ctPack("ts-pack2", "ADD", b2, 2, "TS:6000"), ctPack("ts-pack3", "ADD", b3, 2, "TS:4000"),
				ctPack("tt-pack4", "ADD", b4, 2, "TT:6000"), ctPack("tt-pack5", "ADD", b5, 2, "TT:4000"),
				ctPack("tq-pack6", "ADD", b6, 2, "TQ:3000"), ctPack("tq-pack7", "ADD", b7, 2, "TQ:3000"),
				ctPack("tr-pack8", "ADD", b8, 2, "TR:6000"), ctPack("tr-pack9", "ADD", b9, 2, "TR:4000"),
				ctPack("tn-pack10", "ADD", b10, 2, "TN:6000"), ctPack("tn-pack11", "ADD", b11, 2, "TN:4000")))
			MustCapture(t, svc, ctDoc(ccShip("tw-ship", "urn:t:bol:TW", 3, nil, "TW:10000"), ccShip("tp-ship", "urn:t:bol:TP", 3, nil, "TP:6000"),
				ccShip("tc-ship", "urn:t:bol:TC", 3, []string{b1}), ccShip("ts-ship", "urn:t:bol:TS", 3, []string{b2, b3}),
				ccShip("tt-ship", "urn:t:bol:TT", 3, []string{b4, b5}), ccShip("tq-ship", "urn:t:bol:TQ", 3, []string{b6, b7}),
				ccShip("tr-ship", "urn:t:bol:TR", 3, []string{b8, b9}), ccShip("tn-ship", "urn:t:bol:TN", 3, []string{b10, b11})))
			teWant(t, s, "its shipping", "urn:t:lot:TP", 0, 4, 6, 10)
			teWant(t, s, "its shipping", "urn:t:lot:TS", 0, 0, 10, 10)
			teWant(t, s, "its shipping", "urn:t:lot:TQ", 0, 4, 6, 10)

			// Whole lot by a line.
			arrive("tw", "urn:t:bol:TW", "urn:t:lot:TW", "TW", nil, 10, 0, 0, "TW:10000")
			qeVerified(t, s, "after the whole lot's trip end")

			// Part by a line: 6 t at khi, 10 − 6 = 4 t at mb.
			MustCapture(t, svc, ctDoc(step("tp-first", "urn:t:bol:TP", 5, nil, "TP:6000")))
			teWant(t, s, first, "urn:t:lot:TP", 6, 4, 0, 10)
			if first != "receiving" {
				// Its receipt elsewhere is no step of that end: refused,
				// nothing stored.
				ccRefused(t, s, "TP received at the port under TP after its "+first+" at khi", ctDoc(ctRecvAt("tp-port", "urn:t:bol:TP", "urn:t:site:port", 6, nil, "TP:6000")), "urn:t:lot:TP", khi)
			}
			recv("tp-recv", "urn:t:bol:TP", 6, nil, "TP:6000")
			teWant(t, s, "its receiving", "urn:t:lot:TP", 6, 4, 0, 10)
			if first != "receiving" {
				// A second receiving of it is still refused.
				ccRefused(t, s, "TP received again under TP", ctDoc(ctRecvAt("tp-again", "urn:t:bol:TP", khi, 7, nil, "TP:6000")), "urn:t:lot:TP", "already received", "urn:t:ev:tp-recv")
			}
			qeVerified(t, s, "after the part's trip end")

			// One container.
			arrive("tc", "urn:t:bol:TC", "urn:t:lot:TC", "[B1]", []string{b1}, 10, 0, 0)
			qeVerified(t, s, "after the container's trip end")

			// Several containers, one at a time: B2's 6 t in, B3's 4 t
			// at sea; B2's receiving books nothing new; B3's brings
			// 6 + 4 = 10 t.
			arrive("ts", "urn:t:bol:TS", "urn:t:lot:TS", "[B2]", []string{b2}, 6, 0, 4)
			if first != "receiving" {
				ccRefused(t, s, "[B2] received again under TS", ctDoc(ctRecvAt("ts-again", "urn:t:bol:TS", khi, 6, []string{b2})), "urn:t:lot:TS", "already received", "urn:t:ev:ts-recv")
			}
			rest("ts-recv3", "urn:t:bol:TS", "urn:t:lot:TS", "[B3]", []string{b3}, 10, 0)

			// Several containers arrived together, received one at a
			// time: 10 t at khi throughout.
			MustCapture(t, svc, ctDoc(step("tt-first", "urn:t:bol:TT", 5, []string{b4, b5})))
			teWant(t, s, first+" [B4, B5]", "urn:t:lot:TT", 10, 0, 0, 10)
			recv("tt-recv4", "urn:t:bol:TT", 6, []string{b4})
			teWant(t, s, "[B4]'s receiving", "urn:t:lot:TT", 10, 0, 0, 10)
			recv("tt-recv5", "urn:t:bol:TT", 7, []string{b5})
			teWant(t, s, "[B5]'s receiving", "urn:t:lot:TT", 10, 0, 0, 10)
			qeVerified(t, s, "after [B4, B5]'s trip end")

			// A part in several containers: B6's 3 t in, B7's 3 t at
			// sea, 4 t at mb.
			arrive("tq", "urn:t:bol:TQ", "urn:t:lot:TQ", "[B6]", []string{b6}, 3, 4, 3)
			rest("tq-recv7", "urn:t:bol:TQ", "urn:t:lot:TQ", "[B7]", []string{b7}, 6, 4)

			// The rest with what came in: [B8, B9] receives B9's 4 t.
			MustCapture(t, svc, ctDoc(step("tr-first", "urn:t:bol:TR", 5, []string{b8})))
			teWant(t, s, first+" [B8]", "urn:t:lot:TR", 6, 0, 4, 10)
			if first != "receiving" {
				MustCapture(t, svc, ctDoc(ctRecvAt("tr-recv", "urn:t:bol:TR", khi, 6, []string{b8, b9})))
				teWant(t, s, "[B8, B9]'s receiving", "urn:t:lot:TR", 10, 0, 0, 10)
				qeVerified(t, s, "after [B8, B9]'s receiving")
			}

			// Containers weighed by a line of the lot as well.
			arrive("tn", "urn:t:bol:TN", "urn:t:lot:TN", "[B10] with 6 t", []string{b10}, 6, 0, 4, "TN:6000")
			rest("tn-recv11", "urn:t:bol:TN", "urn:t:lot:TN", "[B11] with 4 t", []string{b11}, 10, 0, "TN:4000")
		})
	}
}
