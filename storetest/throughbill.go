package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// A through bill of lading covers the transshipment legs of the same
// goods (CBV 2.0 §8.5): a carrier records its loading, departing and
// transporting at a port on the way under the trip's own bill (issue 8,
// fixPb item 1: lot PB in [C1, C2] shipped
// from mb to hou under B1, passing through khi; a loading at khi under
// B1 was refused as if the lot stood nowhere there). Under another bill
// the same steps stay refused, and so does a receiving at khi (the
// consignee's receipt, not a carrier's step: B1 is bound for hou). An
// arriving or unloading at khi under B1 stays refused too, for now: the
// projection reads either as the trip's end (new-user check n8d).

// tbSteps are the carrier's transshipment steps at a port on the way.
var tbSteps = []string{"loading", "departing", "transporting"}

// tbEndSteps are the carrier's steps at a port on the way that stay
// refused: the projection would read them as the trip's end.
var tbEndSteps = []string{"arriving", "unloading"}

// testThroughBillPortOnTheWay: lot PB, 10,000 kg at mb, 6,000 kg packed
// into C1 and 4,000 kg into C2 on Oct 2; [C1, C2] shipped from mb to
// hou under B1 on Oct 3: 6 + 4 = 10 t in transit, 0 t at mb. Lot PL,
// 10,000 kg at mb, shipped whole by a line mb → hou under B1L on Oct 3.
//
// Each in its own store, one step of tbSteps at khi under the trip's
// bill on Oct 5 is accepted (in [C1, C2] for PB, by the line
// "PL 10,000 kg" for PL), and the consignee's receipt at hou under the
// same bill on Oct 8 then receives the whole 10 t there: 0 t in
// transit, 10 t in stock at hou; verify is clean.
//
// The twins, refused 409 naming the lot and its trip's shipping (and C1
// for PB) and storing
// nothing, the lot still 10 t in transit: each step at khi under BX;
// a receiving, arriving or unloading at khi under B1 (bound for hou).
//
// And the whole transshipment in one store, under B1: loading at khi
// (Oct 5), departing (Oct 6) — each accepted — then arriving at hou
// (Oct 10) and receiving there (Oct 11): 10 t at hou.
func testThroughBillPortOnTheWay(t *testing.T, open Opener) {
	const mb, khi, hou = "urn:t:site:mb", "urn:t:site:khi", "urn:t:site:hou"
	const b1, b1l, bx = "urn:t:bol:B1", "urn:t:bol:B1L", "urn:t:bol:BX"
	const at = "/epcisBody/eventList/0/"
	setup := func(t *testing.T) critmin.Store {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("PB"), csLot("PL"), ctPack("pb-pack1", "ADD", cbC1, 2, "PB:6000"), ctPack("pb-pack2", "ADD", cbC2, 2, "PB:4000")))
		MustCapture(t, svc, ctDoc(saLeave("pb-ship", "shipping", b1, mb, "all", hou, 3, []string{cbC1, cbC2}),
			saLeave("pl-ship", "shipping", b1l, mb, "all", hou, 3, nil, "PL:10000")))
		// 6 t (C1) + 4 t (C2) = 10 t of PB at sea; PL's 10 t too.
		tsWant(t, s, "[C1, C2] shipped under B1", "urn:t:lot:PB", 0, 10, 0)
		tsWant(t, s, "PL shipped by a line under B1L", "urn:t:lot:PL", 0, 10, 0)
		return s
	}
	// atHou wants lot's 10 t received at hou, nothing in transit.
	atHou := func(t *testing.T, s critmin.Store, when, lot string) {
		t.Helper()
		l := mustLot(t, s, lot)
		if l.Status != critmin.LotInStock || l.Location != hou || !ctNear(lsInTransit(l), 0) || !ctNear(l.RemainingWetTonnes(), 10) {
			t.Errorf("%s after %s: %s at %s, %v t in transit, %v t standing (parts %+v); want 10 t in stock at hou, 0 t in transit", lot, when, l.Status, l.Location, lsInTransit(l), l.RemainingWetTonnes(), l.Parts)
		}
	}
	boxes := []string{cbC1, cbC2}
	for _, step := range tbSteps {
		t.Run(step+" at khi under the trip's bill", func(t *testing.T) {
			s := setup(t)
			svc := custody.NewService(s)
			MustCapture(t, svc, ctDoc(saLeave("pb-"+step, step, b1, khi, "all", hou, 5, boxes)))
			MustCapture(t, svc, ctDoc(saLeave("pl-"+step, step, b1l, khi, "all", hou, 5, nil, "PL:10000")))
			MustCapture(t, svc, ctDoc(ctRecvAt("pb-recv", b1, hou, 8, boxes), ctRecvAt("pl-recv", b1l, hou, 8, nil, "PL:10000")))
			atHou(t, s, step+" at khi then the receipt at hou", "urn:t:lot:PB")
			atHou(t, s, step+" at khi then the receipt at hou", "urn:t:lot:PL")
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
		})
	}
	t.Run("refused twins", func(t *testing.T) {
		s := setup(t)
		i := 0
		refused := func(what, ev, lot, ship string, box bool) {
			t.Helper()
			ev = strings.Replace(ev, `"urn:t:ev:tw"`, `"urn:t:ev:tw-`+twoDigits(i)+`"`, 1)
			i++
			words := []string{lot, ship}
			if box {
				words = append(words, cbC1)
			}
			ctRefusedWith(t, s, what, ctDoc(ev), critmin.ECONFLICT, at+"bizLocation", words...)
		}
		for _, step := range tbSteps {
			refused("[C1, C2] "+step+" at khi under BX", saLeave("tw", step, bx, khi, "all", hou, 5, boxes), "urn:t:lot:PB", "urn:t:ev:pb-ship", true)
			refused("PL "+step+" by a line at khi under BX", saLeave("tw", step, bx, khi, "all", hou, 5, nil, "PL:10000"), "urn:t:lot:PL", "urn:t:ev:pl-ship", false)
		}
		for _, step := range tbEndSteps {
			refused("[C1, C2] "+step+" at khi under B1", saLeave("tw", step, b1, khi, "all", hou, 5, boxes), "urn:t:lot:PB", "urn:t:ev:pb-ship", true)
			refused("PL "+step+" by a line at khi under B1L", saLeave("tw", step, b1l, khi, "all", hou, 5, nil, "PL:10000"), "urn:t:lot:PL", "urn:t:ev:pl-ship", false)
		}
		refused("[C1, C2] received at khi under B1", ctRecvAt("tw", b1, khi, 5, boxes), "urn:t:lot:PB", "urn:t:ev:pb-ship", true)
		refused("PL received by a line at khi under B1L", ctRecvAt("tw", b1l, khi, 5, nil, "PL:10000"), "urn:t:lot:PL", "urn:t:ev:pl-ship", false)
		tsWant(t, s, "the refusals", "urn:t:lot:PB", 0, 10, 0)
		tsWant(t, s, "the refusals", "urn:t:lot:PL", 0, 10, 0)
	})
	t.Run("the whole transshipment", func(t *testing.T) {
		s := setup(t)
		svc := custody.NewService(s)
		for i, step := range []string{"loading", "departing"} {
			MustCapture(t, svc, ctDoc(saLeave("pb-t-"+step, step, b1, khi, "all", hou, 5+i, boxes),
				saLeave("pl-t-"+step, step, b1l, khi, "all", hou, 5+i, nil, "PL:10000")))
		}
		arrive := strings.Replace(ctRecvAt("pb-arr", b1, hou, 10, boxes), `"bizStep": "receiving"`, `"bizStep": "arriving"`, 1)
		arriveL := strings.Replace(ctRecvAt("pl-arr", b1l, hou, 10, nil, "PL:10000"), `"bizStep": "receiving"`, `"bizStep": "arriving"`, 1)
		MustCapture(t, svc, ctDoc(arrive, arriveL))
		MustCapture(t, svc, ctDoc(ctRecvAt("pb-recv", b1, hou, 11, boxes), ctRecvAt("pl-recv", b1l, hou, 11, nil, "PL:10000")))
		atHou(t, s, "the transshipment at khi and the receipt at hou", "urn:t:lot:PB")
		atHou(t, s, "the transshipment at khi and the receipt at hou", "urn:t:lot:PL")
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
}

// testTransportedAtVessel (issue 8, fixPb item 2): a carrier's
// transporting of a container recorded at the vessel (readPoint the
// vessel, no bizLocation) while the container is at sea under its bill
// is a step of the trip, and is taken; under another bill it stays
// refused. Lot PV, 10,000 kg at mb, 6,000 kg packed into C1 and
// 4,000 kg into C2 on Oct 2.
//   - [C1] alone shipped mb → hou under B1 on Oct 3: 6 t at sea, 10 − 6
//     = 4 t at mb. [C1] transporting at vessel V1 under B1 on Oct 5 is
//     taken (still 4 t at mb, 6 t in transit); under BX it is refused
//     409 naming C1, the lot and B1's shipping. Received at hou under B1
//     on Oct 8: 4 t at mb, 0 t in transit; verify clean.
//   - [C1, C2] shipped under B1: 10 t at sea, 0 t at mb; [C1]
//     transporting at V1 under B1 taken, under BX refused; then [C1, C2]
//     received at hou: 10 t in stock at hou.
//   - [C1] shipped under B1 and [C2] under B2 (every tonne left as
//     parts: 6 + 4 = 10 t at sea, 0 t at mb): [C1] transporting at V1
//     under B1 taken, under BX refused; [C1] received at hou under B1:
//     6 t at hou, C2's 4 t still in transit.
func testTransportedAtVessel(t *testing.T, open Opener) {
	const mb, hou, vessel = "urn:t:site:mb", "urn:t:site:hou", "urn:t:vessel:V1"
	const b1, bx = "urn:t:bol:B1", "urn:t:bol:BX"
	const lot = "urn:t:lot:PV"
	const at = "/epcisBody/eventList/0/readPoint"
	for _, c := range []struct {
		what    string
		boxes   []string
		b2      bool // [C2] shipped under B2 too
		atMB    float64
		transit float64
		// after [c.boxes] received at hou under B1
		afterTransit, afterHou float64
	}{
		{"[C1] alone at sea", []string{cbC1}, false, 4, 6, 0, 6},
		{"[C1, C2] at sea", []string{cbC1, cbC2}, false, 0, 10, 0, 10},
		{"[C1] under B1, [C2] under B2", []string{cbC1}, true, 0, 10, 4, 6},
	} {
		t.Run(c.what, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			MustCapture(t, svc, ctDoc(csLot("PV"), ctPack("pv-pack1", "ADD", cbC1, 2, "PV:6000"), ctPack("pv-pack2", "ADD", cbC2, 2, "PV:4000")))
			MustCapture(t, svc, ctDoc(saLeave("pv-ship", "shipping", b1, mb, "all", hou, 3, c.boxes)))
			if c.b2 {
				MustCapture(t, svc, ctDoc(saLeave("pv-ship2", "shipping", "urn:t:bol:B2", mb, "all", hou, 3, []string{cbC2})))
			}
			tsWant(t, s, c.what+" shipped under B1", lot, c.atMB, c.transit, 0)
			ctRefusedWith(t, s, "[C1] transporting at the vessel under BX", ctDoc(saLeave("pv-tr-bx", "transporting", bx, vessel, "readPoint", hou, 5, []string{cbC1})),
				critmin.ECONFLICT, at, cbC1, lot, "urn:t:ev:pv-ship")
			MustCapture(t, svc, ctDoc(saLeave("pv-tr", "transporting", b1, vessel, "readPoint", hou, 5, []string{cbC1})))
			tsWant(t, s, "[C1] transporting at the vessel under B1", lot, c.atMB, c.transit, 0)
			MustCapture(t, svc, ctDoc(ctRecvAt("pv-recv", b1, hou, 8, c.boxes)))
			l := mustLot(t, s, lot)
			atHou, _ := custody.StandingMass(l, hou)
			if !ctNear(lsInTransit(l), c.afterTransit) || !ctNear(atHou, c.afterHou) {
				t.Errorf("after the receipt at hou: %v t in transit, %v t at hou (parts %+v); want %v and %v", lsInTransit(l), atHou, l.Parts, c.afterTransit, c.afterHou)
			}
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
		})
	}
}

// testTransportedAtVesselAfterPartReceived (new-user check n8d s46): lot
// PW, 10,000 kg at mb, 6,000 kg packed into C1 and 4,000 kg into C2 on
// Oct 2; [C1, C2] shipped mb → hou under B1 on Oct 3 (10 t at sea);
// [C1] received at hou on Oct 5 (6 t at hou, C2's 4 t still at sea). A
// transporting of [C2] read at the vessel under B1 on Oct 6 is the body's
// trip going on (it was read as a part shipped from nothing at the
// vessel, 4 t counted in transit twice, 14 t in all): still 6 t at hou,
// 4 t in transit. [C2] received at hou on Oct 8: 6 + 4 = 10 t at hou,
// 0 t in transit; verify clean.
func testTransportedAtVesselAfterPartReceived(t *testing.T, open Opener) {
	const mb, hou, vessel = "urn:t:site:mb", "urn:t:site:hou", "urn:t:vessel:V1"
	const b1, lot = "urn:t:bol:B1", "urn:t:lot:PW"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("PW"), ctPack("pw-pack1", "ADD", cbC1, 2, "PW:6000"), ctPack("pw-pack2", "ADD", cbC2, 2, "PW:4000")))
	MustCapture(t, svc, ctDoc(saLeave("pw-ship", "shipping", b1, mb, "all", hou, 3, []string{cbC1, cbC2})))
	MustCapture(t, svc, ctDoc(ctRecvAt("pw-recv1", b1, hou, 5, []string{cbC1})))
	inTransitAtHou := func(when string, transit, atHou float64) {
		t.Helper()
		l := mustLot(t, s, lot)
		got, _ := custody.StandingMass(l, hou)
		if !ctNear(lsInTransit(l), transit) || !ctNear(got, atHou) {
			t.Errorf("%s: %v t in transit, %v t at hou (parts %+v); want %v and %v", when, lsInTransit(l), got, l.Parts, transit, atHou)
		}
	}
	inTransitAtHou("[C1] received", 4, 6)
	MustCapture(t, svc, ctDoc(saLeave("pw-tr", "transporting", b1, vessel, "readPoint", hou, 6, []string{cbC2})))
	inTransitAtHou("[C2] transporting at the vessel", 4, 6)
	MustCapture(t, svc, ctDoc(ctRecvAt("pw-recv2", b1, hou, 8, []string{cbC2})))
	inTransitAtHou("[C2] received", 0, 10)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
