package storetest

import (
	"testing"

	"github.com/critmin/critmin/custody"
)

// testTripNoBillLine: a part of a lot shipped by a quantity line with no
// bill of lading, then its trip's end at the destination by the same
// line (builder fixQy's leftover): with no bill (EPCIS 2.0 §7.3.6 makes
// bizTransactionList optional), the trip is known by what it carries —
// the lot, from mb to khi — as TripEndSite reads a container's; and one
// end of a trip books once (TripEndOnce). For each form of the shipping
// ("nobill": disposition in_transit at bizLocation mb; "nodisp": no
// disposition, no bizLocation, ledger.TripStep) and each end ("arriving",
// "unloading", "accepting" then "receiving"; "receiving" alone), in a
// store of its own, lot NL 10,000 kg at mb on Oct 1 (at khi / at mb / in
// transit / in all):
//   - "NL 4,000 kg" shipped mb → khi on Oct 3: 0 / 10 − 4 = 6 / 4 / 10;
//   - its first step at khi on Oct 4 by "NL 4,000 kg": 4 / 6 / 0 / 10;
//   - its receiving at khi on Oct 5 by "NL 4,000 kg" (refused "nothing of
//     it is in transit" before): booked once, 4 / 6 / 0 / 10, not 8 t;
//   - received again on Oct 6: refused naming NL, nothing stored (no
//     wrong pass: nothing of it is in transit);
//   - "NL 6,000 kg" shipped from mb on Oct 7 (all that stands there):
//     4 / 0 / 6 / 10; received at khi on Oct 8: 4 + 6 = 10 / 0 / 0 / 10.
//
// Verify with its rebuild is clean after each end.
func testTripNoBillLine(t *testing.T, open Opener) {
	const lot = "urn:t:lot:NL"
	for _, form := range []string{"nobill", "nodisp"} {
		for _, first := range []string{"arriving", "unloading", "accepting", "receiving"} {
			t.Run(form+"/"+first, func(t *testing.T) {
				s := open(t)
				svc := custody.NewService(s)
				MustCapture(t, svc, ctDoc(csLot("NL")))
				MustCapture(t, svc, ctDoc(teShip(form, "nl-ship1", "", 3, nil, "NL:4000")))
				teWant(t, s, "4 t shipped", lot, 0, 6, 4, 10)
				if first != "receiving" {
					MustCapture(t, svc, ctDoc(teRecv(form, first, "nl-first", "", 4, nil, "NL:4000")))
					teWant(t, s, "the "+first, lot, 4, 6, 0, 10)
				}
				MustCapture(t, svc, ctDoc(teRecv(form, "receiving", "nl-recv1", "", 5, nil, "NL:4000")))
				teWant(t, s, "the receiving", lot, 4, 6, 0, 10)
				qeVerified(t, s, "after the 4 t's trip end")

				ccRefused(t, s, "NL 4,000 kg received again", ctDoc(teRecv(form, "receiving", "nl-again", "", 6, nil, "NL:4000")), lot)
				teWant(t, s, "the refusal", lot, 4, 6, 0, 10)

				MustCapture(t, svc, ctDoc(teShip(form, "nl-ship2", "", 7, nil, "NL:6000")))
				teWant(t, s, "6 t shipped", lot, 4, 0, 6, 10)
				MustCapture(t, svc, ctDoc(teRecv(form, "receiving", "nl-recv2", "", 8, nil, "NL:6000")))
				teWant(t, s, "the 6 t's receiving", lot, 10, 0, 0, 10)
				qeVerified(t, s, "after the 6 t's trip end")
			})
		}
	}
}
