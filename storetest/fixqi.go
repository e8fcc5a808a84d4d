package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// A corrective dated after a run fed a container whole (issue 9 with
// issue 8 §2, a WRONG FIGURE and a WRONG PASS found by new-user check
// nuq5 b13/b14; builder fixQi): the corrective's draw happens after the
// run, so it cannot shift what the container held when the run ran. The
// run, computed again without the declared draw, takes what the
// container held then, and the corrective is judged against what that
// leaves — here nothing, so the whole document is refused (409).

// testDrawCorrectedAfterFed (WRONG FIGURE, nuq5 b13): qhSetup with run
// R1 on Oct 3 taking "P 3,000 kg" by line — nothing of P loose, all 3 t
// out of C1 — so R2 fed C1 whole on Oct 4 takes M 2 t only (O2 0 %
// Pakistani). One document declares R1 in error with corrective R1c
// dated Oct 5 (after R2) taking "P 1,000 kg". On Oct 4 no live draw had
// touched C1 (R1 declared, R1c later), so R2 takes P 3 t + M 2 t: O2's
// dry mass 3 / (3 + 2) = 0.6 Pakistani, its Nd 3 × 10 % = 0.3 t of
// 0.3 + 2 × 5 % = 0.4 t = 0.75. P then has 3 − 3 = 0 t left, so R1c's
// 1 t would come from nothing: the document is refused (409) naming P,
// R2 and R1c, nothing stored — as the same record sent as two documents
// is. It was accepted with O2 at 2 / 4 = 0.5 by mass, 0.2 / 0.3 = 2/3 by
// Nd, as if
// R1c (dated after R2) had drawn 1 t out of C1 before R2. After the
// refusal the store stands as before it: O2 0 % Pakistani, P 0 t (R1
// took it all). Declared alone afterwards, R1 gives O2 0.6 / 0.75 and
// a later R1c by itself is refused too.
func testDrawCorrectedAfterFed(t *testing.T, open Opener) {
	r1 := cfRun("qh-R1", 3, nil, []string{"P:3000"}, "O1", 100)
	r1c := cfRun("qh-R1c", 5, nil, []string{"P:1000"}, "O1c", 100)
	s, capture := qhSetup(t, open, r1)
	ccRefused(t, s, "R1 declared with corrective R1c dated after R2", ctDoc(qhDeclared(r1, "qh-R1c"), r1c), "urn:t:lot:P", "qh-R2", "qh-R1c")
	qeOrigin(t, s, "after the refusal", "O2", 0, 0)
	pkStanding(t, s, "after the refusal", "P", 0)
	piBalanced(t, s, "P", "M")
	capture(ctDoc(qhDeclared(r1)))
	qeOrigin(t, s, "R1 declared", "O2", 0.6, 0.75)
	pkStanding(t, s, "R1 declared", "P", 0)
	ccRefused(t, s, "R1c after R1 declared", ctDoc(r1c), "urn:t:lot:P")
	qeHolds(t, s, "R1 declared", map[string]float64{})
	piBalanced(t, s, "P", "M")
	qeVerified(t, s, "R1 declared")
}

// testShipCorrectedAfterFed (WRONG PASS, nuq5 b14): qhSetup with
// "P 3,000 kg" shipped from mb by line on Oct 3 (BOL-QH) — all 3 t out
// of C1 — so R2 fed C1 whole on Oct 4 takes M 2 t only. One document
// declares the shipment in error with a corrective shipment of
// "P 1,000 kg" dated Oct 5 (after R2, BOL-QHC). On Oct 4 C1 held
// P 3 t + M 2 t, so R2 takes both (O2 0.6 Pakistani by dry mass, 0.75
// by Nd) and P has 3 − 3 = 0 t left: the corrective shipment's 1 t would
// come from nothing, and the document is refused (409) naming P, R2 and
// the corrective, nothing
// stored. It was accepted leaving P 1 t in transit. After the refusal
// the store stands as before: O2 0 % Pakistani, P's body (3 t, all of
// it shipped by the line) in transit.
func testShipCorrectedAfterFed(t *testing.T, open Opener) {
	ship := ccShip("qh-ship", "urn:t:bol:BOL-QH", 3, nil, "P:3000")
	shipc := ccShip("qh-shipc", "urn:t:bol:BOL-QHC", 5, nil, "P:1000")
	s, _ := qhSetup(t, open, ship)
	ccRefused(t, s, "shipment declared with a corrective shipment dated after R2", ctDoc(qhDeclared(ship, "qh-shipc"), shipc), "urn:t:lot:P", "qh-R2", "qh-shipc")
	qeOrigin(t, s, "after the refusal", "O2", 0, 0)
	if l := mustLot(t, s, "urn:t:lot:P"); l.Status != critmin.LotInTransit || !ctNear(l.RemainingWetTonnes(), 3) {
		t.Errorf("after the refusal: P is %s with %v t; want its 3 t in transit", l.Status, l.RemainingWetTonnes())
	}
	piBalanced(t, s, "P", "M")
}

// testDrawCorrectedAfterFedLoose (the same with loose stock, taken): P
// (Pakistan, 4,000 kg, Nd 10 %) with 3,000 kg of it packed into C1 with
// M (China, 2,000 kg, Nd 5 %), 1,000 kg of P loose at mb. R1 on Oct 3
// takes "P 4,000 kg": 1 t loose, 3 t out of C1, so R2 fed C1 whole on
// Oct 4 takes M 2 t only. R1 declared in error with corrective R1c on
// Oct 5 taking "P 1,000 kg": C1 held P 3 t + M 2 t on Oct 4, so R2 takes
// both — O2 3 / 5 = 0.6 Pakistani by dry mass, 0.3 / (0.3 + 0.1) = 0.75
// by Nd — and R1c takes P's loose 1 t (4 − 3 = 1 t stood just before
// it): accepted. P stands at 4 − 3 − 1 = 0 t; C1 holds nothing.
func testDrawCorrectedAfterFedLoose(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	r1 := cfRun("qh-R1", 3, nil, []string{"P:4000"}, "O1", 100)
	MustCapture(t, svc, ctDoc(cfLot("P", "PAK", 4000, "Nd:10"), cfLot("M", "CHN", 2000, "Nd:5"), ctPack("qh-pack", "ADD", cbC1, 2, "P:3000", "M:2000")))
	MustCapture(t, svc, ctDoc(r1))
	MustCapture(t, svc, ctDoc(cfRun("qh-R2", 4, []string{cbC1}, nil, "O2", 200)))
	qeOrigin(t, s, "before the declaration", "O2", 0, 0)
	MustCapture(t, svc, ctDoc(qhDeclared(r1, "qh-R1c"), cfRun("qh-R1c", 5, nil, []string{"P:1000"}, "O1c", 100)))
	qeOrigin(t, s, "R1 corrected after R2", "O2", 0.6, 0.75)
	pkStanding(t, s, "R1 corrected after R2", "P", 0)
	qeHolds(t, s, "R1 corrected after R2", map[string]float64{})
	piBalanced(t, s, "P", "M")
	qeVerified(t, s, "R1 corrected after R2")
}
