package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// A move away dated before a later run (new-user check nuq8 item 6,
// WRONG PASS): lot L 10 t at R, a run at R on 09-10 consumed all 10 t
// of L, then a shipping of L from R to H dated 09-05 was accepted and L
// stayed consumed; in the other capture order (the shipping first) the
// run is refused 409 "in transit". The result must not depend on the
// order of capture: what a later run took at a site was there at the
// run's time, so a move away from that site dated before it can carry
// only what the runs after it left (ISO 22095:2020 §5; EPCIS 2.0 §7.4.6
// a run's inputs are consumed at its bizLocation).

// mbMove is a step (shipping, departing, loading) of lines "lot:kg"
// from mb to khi on day.
func mbMove(id, step string, day int, lines ...string) string {
	ev := ccShip(id, "urn:t:bol:"+strings.ToUpper(id), day, nil, lines...)
	return strings.Replace(ev, `"bizStep": "shipping"`, `"bizStep": "`+step+`"`, 1)
}

// testMoveBeforeLaterRun: every lot 10,000 kg at mb (Oct 1); for each
// step that moves a lot away (shipping, departing, loading), in a store
// of its own:
//   - W: run R-W at mb on Oct 10 takes W 10,000 kg (all of it); the step
//     of W 10,000 kg from mb dated Oct 5 is refused 409 naming R-W,
//     nothing stored, W stays consumed with 0 t left;
//   - P: run R-P at mb on Oct 10 takes P 4,000 kg; the step of P
//     7,000 kg dated Oct 5 is refused (7 + 4 = 11 t > 10 t), nothing
//     stored; the step of P 6,000 kg dated Oct 5 is accepted
//     (6 + 4 = 10 t: the run took the 10 − 6 = 4 t left at mb);
//   - N: run R-N at mb on Oct 10 names N with no quantity (all 10 t);
//     the step of N 10,000 kg dated Oct 5 is refused naming R-N (it
//     leaves 0 t at mb, R-N took 10 t), nothing stored;
//   - S: run R-S at mb on Oct 10 takes S 10,000 kg; the step of S
//     stating no quantity dated Oct 5 is refused naming R-S;
//   - C: C 10,000 kg packed into MB-C on Oct 2, run R-C at mb on Oct 10
//     takes C 10,000 kg by line (out of MB-C); the step of [MB-C] dated
//     Oct 5 is refused naming R-C;
//   - K: run R-K at mb on Oct 10 takes K 10,000 kg; a step of K dated
//     Oct 11, after the run, is refused as before (consumed by R-K);
//   - the other order, W2: the step of W2 10,000 kg on Oct 5 first
//     (a loading at mb too: it puts W2 on its trip, ledger.Departs),
//     then run R-W2 at mb on Oct 10 taking W2 10,000 kg is refused
//     "in transit" — the same lots, the same refusal whichever came in
//     first.
func testMoveBeforeLaterRun(t *testing.T, open Opener) {
	for _, step := range []string{"shipping", "departing", "loading"} {
		t.Run(step, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			MustCapture(t, svc, ctDoc(csLot("W"), csLot("P"), csLot("K"), csLot("W2"), csLot("N"), csLot("S"), csLot("C"), ctPack("c-pack", "ADD", "urn:t:box:MB-C", 2, "C:10000")))
			MustCapture(t, svc, ctDoc(cfRun("R-W", 10, nil, []string{"W:10000"}, "OW", 1000)))
			MustCapture(t, svc, ctDoc(cfRun("R-P", 10, nil, []string{"P:4000"}, "OP", 400)))
			MustCapture(t, svc, ctDoc(cfRun("R-K", 10, nil, []string{"K:10000"}, "OK", 1000)))

			ccRefused(t, s, step+" of W dated before R-W", ctDoc(mbMove("w-"+step, step, 5, "W:10000")), "urn:t:lot:W", "run urn:t:run:R-W", "leaves 0 t", "took 10 t")
			cfLotState(t, s, "the refused "+step+" of W", "W", critmin.LotConsumed, 0, "OW", true)

			ccRefused(t, s, step+" of P 7 t dated before R-P", ctDoc(mbMove("p7-"+step, step, 5, "P:7000")), "urn:t:lot:P", "run urn:t:run:R-P", "leaves 3 t")
			MustCapture(t, svc, ctDoc(mbMove("p6-"+step, step, 5, "P:6000")))

			// A run naming N with no quantity took all of it.
			MustCapture(t, svc, ctDoc(strings.Replace(cfRun("R-N", 10, nil, []string{"N:10000"}, "ON", 1000), `"epcClass": "urn:t:lot:N", "quantity": 10000, "uom": "KGM"`, `"epcClass": "urn:t:lot:N"`, 1)))
			ccRefused(t, s, step+" of N dated before R-N", ctDoc(mbMove("n-"+step, step, 5, "N:10000")), "urn:t:lot:N", "run urn:t:run:R-N", "leaves 0 t", "took 10 t")

			MustCapture(t, svc, ctDoc(cfRun("R-S", 10, nil, []string{"S:10000"}, "OS", 1000)))
			ccRefused(t, s, step+" of S, no quantity, dated before R-S", ctDoc(strings.Replace(mbMove("s-"+step, step, 5, "S:10000"), `, "quantity": 10000, "uom": "KGM"`, ``, 1)), "urn:t:lot:S", "R-S")
			MustCapture(t, svc, ctDoc(cfRun("R-C", 10, nil, []string{"C:10000"}, "OC", 1000)))
			ccRefused(t, s, step+" of [C] dated before R-C", ctDoc(strings.Replace(ccShip("c-"+step, "urn:t:bol:C-"+step, 5, []string{"urn:t:box:MB-C"}), `"bizStep": "shipping"`, `"bizStep": "`+step+`"`, 1)), "urn:t:lot:C", "R-C")

			ccRefused(t, s, step+" of K after R-K", ctDoc(mbMove("k-"+step, step, 11, "K:10000")), "urn:t:lot:K", "R-K")

			// Every step: a loading at mb too puts W2 on its trip, as the
			// books read it (ledger.Departs; builder fixQw: the run after
			// a loading was taken and consumed 10 t the books showed in
			// transit).
			MustCapture(t, svc, ctDoc(mbMove("w2-"+step, step, 5, "W2:10000")))
			ccRefused(t, s, "R-W2 after the "+step+" of W2", ctDoc(cfRun("R-W2", 10, nil, []string{"W2:10000"}, "OW2", 1000)), "urn:t:lot:W2", "transit")
		})
	}
}
