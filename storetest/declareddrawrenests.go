package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// testDeclaredDrawRenests (new-user check W9, W10; docs/epcis.md "Nested
// containers"): a declaration in error of an event that took material
// out of a container — by a line drawn from the containers holding the
// lot (ledger.LineDraw), by a run's inputQuantityList drawing alike —
// is judged for the nestings of those containers after it, as an
// unpacking or a run fed the container whole is (declNestCheck). Before,
// the declaration was taken: C1 held its lot again inside P, the lot
// page listed a nested_container anomaly and verify failed. Refused 409
// naming the declared event, both containers (C1 4000000038, P
// 4000000069) and what C1 would hold; nothing stored. Declared together
// with the nesting (its undoing), taken.
func testDeclaredDrawRenests(t *testing.T, open Opener) {
	const mb, khi, b1 = "urn:t:site:mb", "urn:t:site:khi", "urn:t:bol:B1"
	cases := []struct {
		name, fill, draw, id, held string
		left                       float64 // QX in stock at mb after the draw
	}{
		// QX 10 t at mb, all 10 t packed into C1 on Oct 2; the line
		// "QX 10,000 kg" shipped mb → khi on Oct 3 finds no loose QX
		// (10 − 10 = 0 t) and draws 10 t out of C1: C1 empty, 0 t at mb.
		// Undone, C1 holds 10 t when packed into P on Oct 4.
		{"line shipping drawing C1 empty", "QX:10000", saLeave("qx-ship", "shipping", b1, mb, "all", khi, 3, nil, "QX:10000"), "urn:t:ev:qx-ship", "urn:t:lot:QX 10 t", 0},
		// The same with a run at mb taking "QX 10,000 kg" by
		// inputQuantityList: 10 t out of C1, 0 t left.
		{"run by quantity drawing C1 empty", "QX:10000", cfRun("qx-run", 3, nil, []string{"QX:10000"}, "OP-qx-run", 1000), "urn:t:ev:qx-run", "urn:t:lot:QX 10 t", 0},
		// 6 t packed into C1; the line "QX 10,000 kg" takes the loose
		// 10 − 6 = 4 t, then 10 − 4 = 6 t out of C1: C1 empty. Undone,
		// C1 holds 6 t when packed into P.
		{"line shipping drawing loose then C1", "QX:6000", saLeave("qx-ship", "shipping", b1, mb, "all", khi, 3, nil, "QX:10000"), "urn:t:ev:qx-ship", "urn:t:lot:QX 6 t", 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			nest := ncNest("nest", "ADD", ncP, mb, 4, cbC1)
			MustCapture(t, svc, ctDoc(csLot("QX"), cpPackAt("qx-c1", "ADD", cbC1, mb, 2, c.fill)))
			MustCapture(t, svc, ctDoc(c.draw))
			// C1 emptied on Oct 3: its nesting into P on Oct 4 is taken.
			MustCapture(t, svc, ctDoc(nest))
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify before the declaration: %v %v %v", rep.Problem, rep.Difference, rep.NestingProblem)
			}
			ncRefused(t, s, "the draw declared in error", ctDoc(ydDeclared(c.draw)), "4000000038", "4000000069", c.id, c.held)
			if l := mustLot(t, s, "urn:t:lot:QX"); l.Status == critmin.LotInStock && !ctNear(l.RemainingWetTonnes(), c.left) {
				t.Errorf("after the refusal: QX %v t in stock, want %v t", l.RemainingWetTonnes(), c.left)
			}
			// Declared with the nesting: C1 holds its lot at mb, not
			// nested; QX 10 t in stock at mb.
			MustCapture(t, svc, ctDoc(ydDeclared(c.draw), ydDeclared(nest)))
			cfLotState(t, s, "after the draw and the nesting were declared", "QX", critmin.LotInStock, 10, "", false)
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify after: %v %v %v", rep.Problem, rep.Difference, rep.NestingProblem)
			}
		})
	}
}
