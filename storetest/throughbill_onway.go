package storetest

// Issue 8, fixQb (new-user checks n8d s33/s44): the lot keeps the trip
// its body is on (critmin.Lot.TripBill, TripTo, TripEventID; lots
// columns of migration 0134), so that a carrier's arriving or unloading
// at a port on the way under the trip's bill, and a shipping of some of
// its containers there under that bill, are steps of the trip.

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// tbArrive is an arriving or unloading (step) of boxes / lots at site
// under bol on day, with disposition in_transit (inTransit) or
// in_progress (the carrier's record of goods handled at a port).
func tbArrive(id, step, bol, site, dest string, day int, inTransit bool, boxes []string, lots ...string) string {
	if inTransit {
		return saLeave(id, step, bol, site, "all", dest, day, boxes, lots...)
	}
	return strings.Replace(ctRecvAt(id, bol, site, day, boxes, lots...), `"bizStep": "receiving"`, `"bizStep": "`+step+`"`, 1)
}

// testThroughBillArrivingOnTheWay: lot PB, 10,000 kg at mb, 6,000 kg
// packed into C1 and 4,000 kg into C2 on Oct 2; [C1, C2] shipped mb →
// hou under B1 on Oct 3: 6 + 4 = 10 t in transit, 0 t at mb. Lot PL,
// 10,000 kg at mb, shipped whole by a line mb → hou under B1L on Oct 3.
//
// An arriving or an unloading at khi (a port on the way: the trip is
// bound for hou) under the trip's own bill on Oct 5, with disposition
// in_transit or in_progress, is a carrier's step of the trip (CBV 2.0
// arriving: "an object arrives at a location"; the lot stays in transit
// under its through bill until its receipt at the destination): it is
// accepted and the lot is still 0 t at mb, 10 t in transit, 0 t in
// stock at khi (status in_transit). The consignee's receipt at hou
// under the same bill on Oct 8 then receives the whole 10 t there: 0 t
// in transit, 10 t in stock at hou; verify (with the rebuild) is clean.
//
// Under another bill (BX) the same arriving / unloading at khi stays
// refused 409 naming the lot and its trip's shipping, storing nothing.
func testThroughBillArrivingOnTheWay(t *testing.T, open Opener) {
	const mb, khi, hou = "urn:t:site:mb", "urn:t:site:khi", "urn:t:site:hou"
	const b1, b1l, bx = "urn:t:bol:B1", "urn:t:bol:B1L", "urn:t:bol:BX"
	boxes := []string{cbC1, cbC2}
	setup := func(t *testing.T) critmin.Store {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("PB"), csLot("PL"), ctPack("pb-pack1", "ADD", cbC1, 2, "PB:6000"), ctPack("pb-pack2", "ADD", cbC2, 2, "PB:4000")))
		MustCapture(t, svc, ctDoc(saLeave("pb-ship", "shipping", b1, mb, "all", hou, 3, boxes),
			saLeave("pl-ship", "shipping", b1l, mb, "all", hou, 3, nil, "PL:10000")))
		tsWant(t, s, "[C1, C2] shipped under B1", "urn:t:lot:PB", 0, 10, 0)
		tsWant(t, s, "PL shipped by a line under B1L", "urn:t:lot:PL", 0, 10, 0)
		return s
	}
	for _, step := range tbEndSteps {
		for _, inTransit := range []bool{true, false} {
			disp := "in_progress"
			if inTransit {
				disp = "in_transit"
			}
			t.Run(step+" at khi under the trip's bill, "+disp, func(t *testing.T) {
				s := setup(t)
				svc := custody.NewService(s)
				MustCapture(t, svc, ctDoc(tbArrive("pb-"+step, step, b1, khi, hou, 5, inTransit, boxes)))
				MustCapture(t, svc, ctDoc(tbArrive("pl-"+step, step, b1l, khi, hou, 5, inTransit, nil, "PL:10000")))
				for _, lot := range []string{"urn:t:lot:PB", "urn:t:lot:PL"} {
					// Still 0 t at mb, 10 t at sea, nothing in stock at khi.
					tsWant(t, s, step+" at khi", lot, 0, 10, 0)
					if l := mustLot(t, s, lot); l.Status != critmin.LotInTransit {
						t.Errorf("%s after %s at khi: status %s, want %s", lot, step, l.Status, critmin.LotInTransit)
					}
				}
				MustCapture(t, svc, ctDoc(ctRecvAt("pb-recv", b1, hou, 8, boxes), ctRecvAt("pl-recv", b1l, hou, 8, nil, "PL:10000")))
				for _, lot := range []string{"urn:t:lot:PB", "urn:t:lot:PL"} {
					l := mustLot(t, s, lot)
					if l.Status != critmin.LotInStock || l.Location != hou || !ctNear(lsInTransit(l), 0) || !ctNear(l.RemainingWetTonnes(), 10) {
						t.Errorf("%s after the receipt at hou: %s at %s, %v t in transit, %v t standing; want 10 t in stock at hou", lot, l.Status, l.Location, lsInTransit(l), l.RemainingWetTonnes())
					}
				}
				if rep := verifyFull(t, s, nil, true); !rep.OK() {
					t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
				}
			})
		}
	}
	t.Run("under another bill stays refused", func(t *testing.T) {
		s := setup(t)
		for i, step := range tbEndSteps {
			ev := strings.Replace(tbArrive("tw", step, bx, khi, hou, 5, true, boxes), `"urn:t:ev:tw"`, `"urn:t:ev:tw-`+twoDigits(2*i)+`"`, 1)
			ctRefusedWith(t, s, "[C1, C2] "+step+" at khi under BX", ctDoc(ev), critmin.ECONFLICT, "/epcisBody/eventList/0/bizLocation", "urn:t:lot:PB", "urn:t:ev:pb-ship", cbC1)
			ev = strings.Replace(tbArrive("tw", step, bx, khi, hou, 5, true, nil, "PL:10000"), `"urn:t:ev:tw"`, `"urn:t:ev:tw-`+twoDigits(2*i+1)+`"`, 1)
			ctRefusedWith(t, s, "PL "+step+" at khi under BX", ctDoc(ev), critmin.ECONFLICT, "/epcisBody/eventList/0/bizLocation", "urn:t:lot:PL", "urn:t:ev:pl-ship")
		}
		tsWant(t, s, "the refusals", "urn:t:lot:PB", 0, 10, 0)
		tsWant(t, s, "the refusals", "urn:t:lot:PL", 0, 10, 0)
	})
}

// testThroughBillShippedOnTheWay (problem (b)): lot PB as above, [C1, C2]
// shipped mb → hou under B1 on Oct 3 (10 t at sea, 0 t at mb). On Oct 5
// [C1] alone is shipped at khi (a port on the way) for hou under the
// trip's own bill B1: a step of the same trip (the carrier moving C1 on
// to the next vessel), not a new part: the lot still has no part, 0 t
// at mb, 6 + 4 = 10 t in transit, 0 t at khi. [C1, C2] received at hou
// under B1 on Oct 8: 10 t in stock at hou, 0 t in transit; verify with
// the rebuild is clean.
func testThroughBillShippedOnTheWay(t *testing.T, open Opener) {
	const mb, khi, hou = "urn:t:site:mb", "urn:t:site:khi", "urn:t:site:hou"
	const b1, lot = "urn:t:bol:B1", "urn:t:lot:PB"
	boxes := []string{cbC1, cbC2}
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("PB"), ctPack("pb-pack1", "ADD", cbC1, 2, "PB:6000"), ctPack("pb-pack2", "ADD", cbC2, 2, "PB:4000")))
	MustCapture(t, svc, ctDoc(saLeave("pb-ship", "shipping", b1, mb, "all", hou, 3, boxes)))
	tsWant(t, s, "[C1, C2] shipped under B1", lot, 0, 10, 0)
	MustCapture(t, svc, ctDoc(saLeave("pb-ship-khi", "shipping", b1, khi, "all", hou, 5, []string{cbC1})))
	tsWant(t, s, "[C1] shipped on at khi under B1", lot, 0, 10, 0)
	if l := mustLot(t, s, lot); len(l.Parts) != 0 || l.Status != critmin.LotInTransit {
		t.Errorf("[C1] shipped on at khi under B1: %s, parts %+v; want the body in transit, no part", l.Status, l.Parts)
	}
	MustCapture(t, svc, ctDoc(ctRecvAt("pb-recv", b1, hou, 8, boxes)))
	l := mustLot(t, s, lot)
	if l.Status != critmin.LotInStock || l.Location != hou || !ctNear(lsInTransit(l), 0) || !ctNear(l.RemainingWetTonnes(), 10) {
		t.Errorf("after the receipt at hou: %s at %s, %v t in transit, %v t standing (parts %+v); want 10 t in stock at hou", l.Status, l.Location, lsInTransit(l), l.RemainingWetTonnes(), l.Parts)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
