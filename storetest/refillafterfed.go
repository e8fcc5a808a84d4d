package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/ledger"
)

// A container fed whole to a run (inputEPCList) is empty after it: the
// run consumed what it held. A stored run read back from the lot's
// events is known to have fed the container (ledger.FeedsContainers on
// its stored event), so every later check that reads what the container
// holds or what stands loose counts the run's draw on the container, not
// on the loose rest: packing it again, shipping it, a line beside it, a
// second run fed it whole, sampling it.

// rfPackedIn is the wet tonnes of lot in container sscc (PackedIn).
func rfPackedIn(t *testing.T, s critmin.Store, lot, sscc string) float64 {
	t.Helper()
	in, err := s.PackedIn(context.Background(), []string{"urn:t:lot:" + lot}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var got float64
	for _, p := range in {
		if p.Container == sscc {
			w, _ := ledger.PackedWet(p, 10)
			got += w
		}
	}
	return got
}

func rfVerify(t *testing.T, s critmin.Store) {
	t.Helper()
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testRefillAfterFedWhole:
//
//	Every case: L (10,000 kg) at mb; 6,000 kg packed into E1 on Oct 2
//	(4 t loose); run RA (Oct 5) fed E1 whole consumes its 6 t: E1 is
//	empty, 10 − 6 = 4 t of L stand loose at mb.
func testRefillAfterFedWhole(t *testing.T, open Opener) {
	const e1 = "urn:epc:id:sscc:0614141.3300000001"
	start := func(t *testing.T) critmin.Store {
		s := open(t)
		cfaCapture(t, s, "L packed", ctDoc(cfLot("L", "PAK", 10000, "Nd:4"), ctPack("pe1", "ADD", e1, 2, "L:6000")))
		cfaCapture(t, s, "RA", ctDoc(cfRun("RA", 5, []string{e1}, nil, "XA", 200)))
		cfaTaken(t, s, "after RA", "L", 6)
		return s
	}

	// Loose 4 t packed into the emptied E1 on Oct 6: taken (4 ≤ 4 loose;
	// E1 held 0). L: 4 t in E1, 6 t consumed, 6 + 4 = 10 t. Run RB
	// (Oct 7) fed E1 whole takes its 4 t: taken 6 + 4 = 10 t, consumed.
	t.Run("refilled then fed again", func(t *testing.T) {
		s := start(t)
		cfaCapture(t, s, "4 t into emptied E1", ctDoc(ctPack("pr", "ADD", e1, 6, "L:4000")))
		if got := rfPackedIn(t, s, "L", e1); !ctNear(got, 4) {
			t.Errorf("L in E1: %v t; want 4 t", got)
		}
		cfLotState(t, s, "after refill", "L", critmin.LotInStock, 4, "", false)
		cfaTaken(t, s, "after refill", "L", 6)
		rfVerify(t, s)
		cfaCapture(t, s, "RB fed E1", ctDoc(cfRun("RB", 7, []string{e1}, nil, "XB", 100)))
		cfaTaken(t, s, "after RB", "L", 10)
		cfLotState(t, s, "after RB", "L", critmin.LotConsumed, 0, "XB", true)
		rfVerify(t, s)
	})

	// Refilled with 4 t, E1 shipped alone to khi on Oct 7 (carries 4 t)
	// and received there on Oct 8: L's 4 t at khi, all in E1; 6 t taken.
	t.Run("refilled then shipped", func(t *testing.T) {
		s := start(t)
		cfaCapture(t, s, "4 t into emptied E1", ctDoc(ctPack("pr", "ADD", e1, 6, "L:4000")))
		cfaCapture(t, s, "E1 shipped", ctDoc(ccShip("es", "urn:t:bol:RF1", 7, []string{e1})))
		cfaCapture(t, s, "E1 received", ctDoc(ccRecv("er", e1, "urn:t:bol:RF1", 8)))
		if got := rfPackedIn(t, s, "L", e1); !ctNear(got, 4) {
			t.Errorf("L in E1: %v t; want 4 t", got)
		}
		cfaTaken(t, s, "after receipt", "L", 6)
		rfVerify(t, s)
	})

	// 3 t of the loose 4 t packed into E1 on Oct 6 (1 t loose); E1 (3 t)
	// shipped on Oct 7 beside a line "L 4,000 kg" (the line states what
	// the containers hold too: 3 in E1 + 1 loose = 4 t ≤ 3 + 1), received
	// at khi on Oct 8 (E1 and the line).
	t.Run("refilled then shipped beside a line", func(t *testing.T) {
		s := start(t)
		cfaCapture(t, s, "3 t into emptied E1", ctDoc(ctPack("pr", "ADD", e1, 6, "L:3000")))
		cfaCapture(t, s, "E1 and 1 t shipped", ctDoc(ccShip("es", "urn:t:bol:RF2", 7, []string{e1}, "L:4000")))
		cfaCapture(t, s, "received", ctDoc(ctRecvAt("er", "urn:t:bol:RF2", "urn:t:site:khi", 8, []string{e1}, "L:4000")))
		if got := rfPackedIn(t, s, "L", e1); !ctNear(got, 3) {
			t.Errorf("L in E1: %v t; want 3 t", got)
		}
		cfaTaken(t, s, "after receipt", "L", 6)
		rfVerify(t, s)
	})

	// Refilled with 4 t, E1 sampled at mb on Oct 7: taken; E1 holds 4 t.
	t.Run("refilled then sampled", func(t *testing.T) {
		s := start(t)
		cfaCapture(t, s, "4 t into emptied E1", ctDoc(ctPack("pr", "ADD", e1, 6, "L:4000")))
		cfaCapture(t, s, "E1 sampled", ctDoc(cpSample("sm", "urn:t:site:mb", 7, []string{e1})))
		if got := rfPackedIn(t, s, "L", e1); !ctNear(got, 4) {
			t.Errorf("L in E1: %v t; want 4 t", got)
		}
		rfVerify(t, s)
	})

	// 5 t packed into the emptied E1 on Oct 6: refused 409, only 4 t
	// stand loose (5 > 4 × 1.005); nothing stored, E1 holds nothing.
	t.Run("more than stands loose refused", func(t *testing.T) {
		s := start(t)
		before := ccEvents(t, s)
		ctRefusedWith(t, s, "5 t into E1", ctDoc(ctPack("pr", "ADD", e1, 6, "L:5000")), critmin.ECONFLICT,
			"/epcisBody/eventList/0/childQuantityList/0/quantity", "urn:t:lot:L")
		if n := ccEvents(t, s); n != before {
			t.Errorf("events %d after refusal; want %d", n, before)
		}
		if got := rfPackedIn(t, s, "L", e1); !ctNear(got, 0) {
			t.Errorf("L in E1: %v t; want 0 t", got)
		}
	})

	// Run RL (Oct 6) fed L's loose 4 t by a line: L consumed (6 + 4 =
	// 10 t). 4 t packed into E1 on Oct 7: refused 409 (nothing of L
	// stands); nothing stored.
	t.Run("loose consumed then packed refused", func(t *testing.T) {
		s := start(t)
		cfaCapture(t, s, "RL", ctDoc(cfRun("RL", 6, nil, []string{"L:4000"}, "XL", 100)))
		cfaTaken(t, s, "after RL", "L", 10)
		before := ccEvents(t, s)
		ctRefusedWith(t, s, "4 t into E1 after RL", ctDoc(ctPack("pr", "ADD", e1, 7, "L:4000")), critmin.ECONFLICT,
			"/epcisBody/eventList/0", "urn:t:lot:L", "consumed", "urn:t:run:RL")
		if n := ccEvents(t, s); n != before {
			t.Errorf("events %d after refusal; want %d", n, before)
		}
	})
	_ = strings.Contains
}
