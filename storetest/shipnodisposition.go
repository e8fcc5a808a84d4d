package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// A dispatch without a disposition is a trip (new-user check nuq8 a3g/b9,
// WRONG PASS). CBV 2.0 §7.2 defines `shipping` as the goods' dispatch,
// and EPCIS 2.0 §7.3.6 makes the disposition optional: a shipping (or a
// departing, loading) ObjectEvent stating no disposition and no
// bizLocation is read as one of disposition in_transit, leaving from
// its readPoint, else from where the lot or its containers stand
// (ledger.TripStep). Before, it read as nothing having happened: the lot
// stayed in stock where it stood, and a receipt of one of its containers
// under its bill then read as the whole lot arriving at that
// container's weight (4 t of 10 t gone, verify ok), and a receipt of
// the whole lot under its bill was taken and left it where it stood.

// sdShip is ccShip as an event of bizStep step stating no disposition
// and no bizLocation; its readPoint (mb) is kept when rp.
func sdShip(id, step, bol string, rp bool, day int, boxes []string, lots ...string) string {
	ev := ccShip(id, bol, day, boxes, lots...)
	ev = strings.Replace(ev, `"bizStep": "shipping", "disposition": "in_transit"`, `"bizStep": "`+step+`"`, 1)
	ev = strings.Replace(ev, `, "bizLocation": {"id": "urn:t:site:mb"}`, "", 1)
	if !rp {
		ev = strings.Replace(ev, `"readPoint": {"id": "urn:t:site:mb"},`, "", 1)
	}
	return ev
}

// testShippedNoDisposition: for each dispatch step (shipping, departing,
// loading), with a readPoint at mb and with none, each in a store of its
// own: lots NC, NO, NL and NW of 10,000 kg at mb (Oct 1) (with a
// readPoint: NW's step from a readPoint at the port, where nothing of
// it stands, refused naming NW and the port, nothing stored); NC packed
// 6,000 kg into B1 and 4,000 kg into B2, NO 6,000 kg into B3 and
// 4,000 kg into B4 (Oct 2). On Oct 3, with no disposition and no
// bizLocation, each under a bill of its own to khi: [B1, B2], [B3, B4],
// "NL 6,000 kg" and "NW 10,000 kg". At khi / at mb / in transit / in all:
//   - NC and NO: 0 / 0 / 6 + 4 = 10 / 10 (before: 0 / 10 / 0 / 10);
//   - NL: 0 / 10 − 6 = 4 / 6 / 10;
//   - NW: 0 / 0 / 10 / 10 (before: 0 / 10 / 0 / 10).
//
// After a shipping, the receipts at khi under each bill end the trip:
//   - [B1] (Oct 5): 6 / 0 / 10 − 6 = 4 / 10 (before: 6 / 0 / 0 / 6, the
//     lot read arriving whole at B1's 6 t); [B2] (Oct 6): 6 + 4 = 10 /
//     0 / 0 / 10;
//   - [B3] alone: 6 / 0 / 4 / 10 (before: 6 in all);
//   - "NL 6,000 kg": 6 / 4 / 0 / 10;
//   - "NW 10,000 kg": 10 / 0 / 0 / 10 (before: 0 / 10 / 0 / 10, the
//     receipt taken).
//
// After a departing or loading the receipts are the same: each ends
// the trip the step started under its bill (builder fixQw; before, with
// no shipping event under the bill, each was refused "was not shipped
// on bill of lading", and such a trip could never end), and a receipt
// under a bill no trip of the lot carries (NL received under NW's) is
// refused naming the lot and the bill, nothing stored. Verify with its
// rebuild is clean after each.
func testShippedNoDisposition(t *testing.T, open Opener) {
	const khi = "urn:t:site:khi"
	const b1, b2, b3, b4 = "urn:t:box:ND-B1", "urn:t:box:ND-B2", "urn:t:box:ND-B3", "urn:t:box:ND-B4"
	const nc, no, nl, nw = "urn:t:lot:NC", "urn:t:lot:NO", "urn:t:lot:NL", "urn:t:lot:NW"
	for _, step := range []string{"shipping", "departing", "loading"} {
		for _, rp := range []bool{true, false} {
			name := step + "/readPoint"
			if !rp {
				name = step + "/no readPoint"
			}
			t.Run(name, func(t *testing.T) {
				s := open(t)
				svc := custody.NewService(s)
				MustCapture(t, svc, ctDoc(csLot("NC"), csLot("NO"), csLot("NL"), csLot("NW"),
					ctPack("nc-pack1", "ADD", b1, 2, "NC:6000"), ctPack("nc-pack2", "ADD", b2, 2, "NC:4000"),
					ctPack("no-pack3", "ADD", b3, 2, "NO:6000"), ctPack("no-pack4", "ADD", b4, 2, "NO:4000")))
				if rp {
					// Its readPoint where nothing of the lot stands: refused,
					// nothing stored.
					away := strings.Replace(sdShip("nw-away", step, "urn:t:bol:NW", rp, 3, nil, "NW:10000"), `"readPoint": {"id": "urn:t:site:mb"}`, `"readPoint": {"id": "urn:t:site:port"}`, 1)
					ccRefused(t, s, "NW's "+step+" from the port", ctDoc(away), nw, "urn:t:site:port")
				}
				MustCapture(t, svc, ctDoc(sdShip("nc-ship", step, "urn:t:bol:NC", rp, 3, []string{b1, b2}), sdShip("no-ship", step, "urn:t:bol:NO", rp, 3, []string{b3, b4}),
					sdShip("nl-ship", step, "urn:t:bol:NL", rp, 3, nil, "NL:6000"), sdShip("nw-ship", step, "urn:t:bol:NW", rp, 3, nil, "NW:10000")))
				teWant(t, s, "[B1, B2]'s "+step, nc, 0, 0, 10, 10)
				teWant(t, s, "[B3, B4]'s "+step, no, 0, 0, 10, 10)
				teWant(t, s, "6 t's "+step, nl, 0, 4, 6, 10)
				teWant(t, s, "the whole lot's "+step, nw, 0, 0, 10, 10)
				qeVerified(t, s, "after the "+step)
				recv := func(id, bol string, day int, boxes []string, lines ...string) string {
					return ctDoc(ctRecvAt(id, bol, khi, day, boxes, lines...))
				}
				ccRefused(t, s, "NL received under NW's bill after its "+step, recv("nl-recv-nw", "urn:t:bol:NW", 5, nil, "NL:6000"), nl, "urn:t:bol:NW")
				teWant(t, s, "the refused receipt", nl, 0, 4, 6, 10)
				MustCapture(t, svc, recv("nc-recv1", "urn:t:bol:NC", 5, []string{b1}))
				teWant(t, s, "[B1]'s receipt", nc, 6, 0, 4, 10)
				MustCapture(t, svc, recv("nc-recv2", "urn:t:bol:NC", 6, []string{b2}))
				teWant(t, s, "[B2]'s receipt", nc, 10, 0, 0, 10)
				MustCapture(t, svc, recv("no-recv3", "urn:t:bol:NO", 5, []string{b3}))
				teWant(t, s, "[B3]'s receipt", no, 6, 0, 4, 10)
				MustCapture(t, svc, recv("nl-recv", "urn:t:bol:NL", 5, nil, "NL:6000"))
				teWant(t, s, "6 t's receipt", nl, 6, 4, 0, 10)
				MustCapture(t, svc, recv("nw-recv", "urn:t:bol:NW", 5, nil, "NW:10000"))
				teWant(t, s, "the whole lot's receipt", nw, 10, 0, 0, 10)
				qeVerified(t, s, "after the receipts")
			})
		}
	}
}
