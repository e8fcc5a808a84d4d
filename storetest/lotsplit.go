package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/sqldb"
)

// A lot packed into several containers moves, in an event naming only
// the containers, by what every container it names holds of it, not the
// first container's share alone; and a receipt naming some of those
// containers receives what they carried, the rest staying in transit
// (new-user finding nu38a: a 10 t lot packed 6 t into C1 and 4 t into
// C2, shipped as [C1, C2], moved 6 t, and 4 t more shipped loose
// afterwards put 14 t of it in motion; a receipt of C1 alone received
// the whole lot at 6 t and refused C2's receipt as already received).

// lsBox3 is a third container (SSCC) for these cases.
const lsBox3 = csBox

// lsContents is the kilograms of lot (canonical) stored as the contents
// of eventID (event_contents, every container).
func lsContents(t *testing.T, s critmin.Store, eventID, lot string) float64 {
	t.Helper()
	var kg float64
	if err := s.(*sqldb.DB).Write.QueryRowContext(context.Background(), `SELECT COALESCE(SUM(quantity), 0) FROM event_contents WHERE event_id = '`+eventID+`' AND canon = '`+lot+`'`).Scan(&kg); err != nil {
		t.Fatal(err)
	}
	return kg
}

// lsPartAt is the wet tonnes of lot l's parts with status at site to
// ("" any site).
func lsPartAt(l *critmin.Lot, status, to string) float64 {
	var t float64
	for _, p := range l.Parts {
		if p.Status == status && (to == "" || p.To == to) {
			t += p.Mass()
		}
	}
	return t
}

// lsInTransit is what of lot l is in transit: its parts in transit, and
// its body when the lot is in transit.
func lsInTransit(l *critmin.Lot) float64 {
	t := l.InTransitTonnes()
	if l.Status == critmin.LotInTransit {
		t += l.RemainingWetTonnes()
	}
	return t
}

// testLotSplitAcrossContainers: lot SA, 10,000 kg at mb, packed 6,000 kg
// into C1 and 4,000 kg into C2 on Oct 2. On Oct 3 an event of each
// dispatch step (shipping, departing, loading, transporting) naming only
// [C1, C2] under BOL-S moves 6 + 4 = 10 t of SA — the whole lot: it is
// in transit, 0 t stand at mb, and the event's contents rows sum to
// 10,000 kg. 4,000 kg of SA shipped loose from mb on Oct 4 is refused
// (0 t stand there: before, only C1's 6 t moved and the 4 t went too,
// 14 t of a 10 t lot in motion).
//
// Three containers and a container holding two lots: lots SB and SC,
// 10,000 kg each; SB packed 3,000 kg into C1, 3,000 kg into C2 and
// 4,000 kg into C3, SC whole (10,000 kg) into C1. [C1, C2, C3] shipped
// under BOL-T moves 3 + 3 + 4 = 10 t of SB and 10 t of SC: both in
// transit whole, nothing standing at mb; 1,000 kg of SB from mb refused.
func testLotSplitAcrossContainers(t *testing.T, open Opener) {
	for _, step := range []string{"shipping", "departing", "loading", "transporting"} {
		t.Run(step, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			MustCapture(t, svc, ctDoc(csLot("SA"), ctPack("sa-pack1", "ADD", cbC1, 2, "SA:6000"), ctPack("sa-pack2", "ADD", cbC2, 2, "SA:4000")))
			MustCapture(t, svc, ctDoc(ctStep("sa-ship", step, "urn:t:bol:BOL-S", 3, []string{cbC1, cbC2})))
			l := mustLot(t, s, "urn:t:lot:SA")
			if l.Status != critmin.LotInTransit || !ctNear(l.RemainingWetTonnes(), 10) || len(l.Parts) != 0 {
				t.Errorf("SA after [C1, C2] %s: %s, %v t in its body, parts %+v; want in_transit whole, 6 + 4 = 10 t, no part", step, l.Status, l.RemainingWetTonnes(), l.Parts)
			}
			if kg := lsContents(t, s, "urn:t:ev:sa-ship", "urn:t:lot:SA"); !ctNear(kg, 10000) {
				t.Errorf("contents of the %s: %v kg of SA; want 6,000 + 4,000 = 10,000", step, kg)
			}
			ccRefused(t, s, "4,000 kg of SA shipped loose after [C1, C2] took all 10 t", ctDoc(ctShipTo("sa-loose", "urn:t:bol:BOL-L", "urn:t:site:port", 4, nil, "SA:4000")), "urn:t:lot:SA")
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
		})
	}
	t.Run("three containers, two lots", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("SB"), csLot("SC"), ctPack("sb-pack1", "ADD", cbC1, 2, "SB:3000", "SC:10000"),
			ctPack("sb-pack2", "ADD", cbC2, 2, "SB:3000"), ctPack("sb-pack3", "ADD", lsBox3, 2, "SB:4000")))
		MustCapture(t, svc, ctDoc(ccShip("sb-ship", "urn:t:bol:BOL-T", 3, []string{cbC1, cbC2, lsBox3})))
		for _, id := range []string{"urn:t:lot:SB", "urn:t:lot:SC"} {
			l := mustLot(t, s, id)
			if l.Status != critmin.LotInTransit || !ctNear(l.RemainingWetTonnes(), 10) || len(l.Parts) != 0 {
				t.Errorf("%s after [C1, C2, C3] shipped: %s, %v t, parts %+v; want in_transit whole with 10 t", id, l.Status, l.RemainingWetTonnes(), l.Parts)
			}
			if kg := lsContents(t, s, "urn:t:ev:sb-ship", id); !ctNear(kg, 10000) {
				t.Errorf("contents of the shipment: %v kg of %s; want 10,000", kg, id)
			}
		}
		ccRefused(t, s, "1,000 kg of SB shipped loose after [C1, C2, C3] took all 10 t", ctDoc(ctShipTo("sb-loose", "urn:t:bol:BOL-L", "urn:t:site:port", 4, nil, "SB:1000")), "urn:t:lot:SB")
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
}

// testSplitBesideLine: a lot the event names by a quantity line beside
// containers holding it moves as the line says (ledger.WithContents),
// and the line moves at least what the containers hold of it: what is
// inside a container goes with it (EPCIS 2.0 §7.3.5; outside checker
// nuq9, custody heldBeside). Lot SD, 10,000 kg at mb, 6,000 kg into C1
// and 4,000 kg into C2 on Oct 2; [C1, C2] shipped under BOL-D on Oct 3
// beside the line "SD 8,000 kg" is refused 409: C1 and C2 hold 6 + 4 =
// 10 t of SD, more than 8 × 1.005 = 8.04 t (before, 8 t left and 2 t
// read as standing at mb, inside containers that had gone). 2,000 kg
// unpacked out of C2 on Oct 3 (C2 holds 4 − 2 = 2 t, 2 t loose), the
// same shipment on Oct 4 is taken: 6 + 2 = 8 t leave as a part and 10 −
// 8 = 2 t stand loose at mb (not 8 + 6 + 2). 2,000 kg more from mb on
// Oct 5 is then taken (2 − 2 = 0 t left), 1,000 kg after it refused.
func testSplitBesideLine(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("SD"), ctPack("sd-pack1", "ADD", cbC1, 2, "SD:6000"), ctPack("sd-pack2", "ADD", cbC2, 2, "SD:4000")))
	clhRefused(t, s, "[C1, C2] (10 t of SD) beside an 8 t line", ctDoc(ccShip("sd-ship0", "urn:t:bol:BOL-D", 3, []string{cbC1, cbC2}, "SD:8000")), "urn:t:lot:SD", "10 t", "AggregationEvent DELETE")
	MustCapture(t, svc, ctDoc(ctPack("sd-unpack", "DELETE", cbC2, 3, "SD:2000")))
	MustCapture(t, svc, ctDoc(ccShip("sd-ship", "urn:t:bol:BOL-D", 4, []string{cbC1, cbC2}, "SD:8000")))
	l := mustLot(t, s, "urn:t:lot:SD")
	if !ctNear(l.RemainingWetTonnes(), 2) || !ctNear(l.InTransitTonnes(), 8) {
		t.Errorf("SD after [C1, C2] (6 + 2 t) beside an 8 t line: %v t at mb, %v t in transit; want 2 and 8", l.RemainingWetTonnes(), l.InTransitTonnes())
	}
	MustCapture(t, svc, ctDoc(ctShipTo("sd-rest", "urn:t:bol:BOL-D2", "urn:t:site:port", 5, nil, "SD:2000")))
	ccRefused(t, s, "1,000 kg of SD after its 8 t and 2 t left", ctDoc(ctShipTo("sd-more", "urn:t:bol:BOL-D3", "urn:t:site:port", 6, nil, "SD:1000")), "urn:t:lot:SD")
}

// testSplitReceiptPerContainer: lot SE, 10,000 kg at mb, packed 6,000 kg
// into C1 and 4,000 kg into C2 on Oct 2, shipped as [C1, C2] under BOL-E
// to khi on Oct 3 (all 10 t in transit). For each receipt step
// (receiving, arriving, unloading):
//   - Oct 5, [C1] alone received at khi under BOL-E: C1's 6 t are
//     received at khi, C2's 4 t stay in transit (10 − 6 = 4 t); the lot's
//     total stays 10 t;
//   - Oct 6, [C1] received again under BOL-E: refused, nothing stored;
//   - Oct 7, [C2] under BOL-E: its 4 t received; nothing in transit; SE
//     stands at khi whole, 6 + 4 = 10 t, in stock.
func testSplitReceiptPerContainer(t *testing.T, open Opener) {
	const khi = "urn:t:site:khi"
	for _, step := range []string{"receiving", "arriving", "unloading"} {
		t.Run(step, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			recv := func(id string, day int, box string) string {
				return strings.Replace(ctRecvAt(id, "urn:t:bol:BOL-E", khi, day, []string{box}), `"bizStep": "receiving"`, `"bizStep": "`+step+`"`, 1)
			}
			MustCapture(t, svc, ctDoc(csLot("SE"), ctPack("se-pack1", "ADD", cbC1, 2, "SE:6000"), ctPack("se-pack2", "ADD", cbC2, 2, "SE:4000")))
			MustCapture(t, svc, ctDoc(ccShip("se-ship", "urn:t:bol:BOL-E", 3, []string{cbC1, cbC2})))
			MustCapture(t, svc, ctDoc(recv("se-recv1", 5, cbC1)))
			l := mustLot(t, s, "urn:t:lot:SE")
			if got := lsPartAt(l, critmin.PartReceived, khi); !ctNear(got, 6) {
				t.Errorf("SE received at khi after [C1]'s %s: %v t (parts %+v); want C1's 6 t", step, got, l.Parts)
			}
			if transit := lsInTransit(l); !ctNear(transit, 4) {
				t.Errorf("SE in transit after [C1]'s %s: %v t (status %s, parts %+v); want C2's 4 t", step, transit, l.Status, l.Parts)
			}
			if !ctNear(l.WetTonnes, 10) {
				t.Errorf("SE's total after [C1]'s %s: %v t; want 10", step, l.WetTonnes)
			}
			if kg := lsContents(t, s, "urn:t:ev:se-recv1", "urn:t:lot:SE"); !ctNear(kg, 6000) {
				t.Errorf("contents of [C1]'s %s: %v kg; want C1's 6,000", step, kg)
			}
			if step == "receiving" {
				ccRefused(t, s, "[C1] received again under BOL-E", ctDoc(recv("se-recv1b", 6, cbC1)), "urn:t:lot:SE", "already received")
			}
			MustCapture(t, svc, ctDoc(recv("se-recv2", 7, cbC2)))
			l = mustLot(t, s, "urn:t:lot:SE")
			if l.Status != critmin.LotInStock || l.Location != khi || !ctNear(l.WetTonnes, 10) || !ctNear(l.InTransitTonnes(), 0) {
				t.Errorf("SE after [C2]'s %s: %s at %s, %v t, %v t in transit (parts %+v); want in_stock at khi, 6 + 4 = 10 t, none in transit", step, l.Status, l.Location, l.WetTonnes, l.InTransitTonnes(), l.Parts)
			}
			if at := lsPartAt(l, critmin.PartReceived, khi) + map[bool]float64{true: l.RemainingWetTonnes()}[l.Location == khi]; !ctNear(at, 10) {
				t.Errorf("SE standing at khi after [C2]'s %s: %v t (parts %+v); want 10", step, at, l.Parts)
			}
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
		})
	}
}

// testSplitStepsPerContainer: a further step of the trip naming some of
// the containers a lot travels in moves those containers' share, and
// leaves the lot's weight alone. Lot SF, 10,000 kg at mb, 6,000 kg into
// C1 and 4,000 kg into C2; [C1, C2] shipped under BOL-F to khi on Oct 3
// (10 t in transit); on Oct 4 [C1] departs and [C2] is transported
// under BOL-F: SF stays in transit whole, 10 t (not 6 t or 4 t, as if
// the step weighed the lot); on Oct 5 [C1, C2] received under BOL-F: SF
// in stock at khi, 6 + 4 = 10 t.
func testSplitStepsPerContainer(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	const khi = "urn:t:site:khi"
	MustCapture(t, svc, ctDoc(csLot("SF"), ctPack("sf-pack1", "ADD", cbC1, 2, "SF:6000"), ctPack("sf-pack2", "ADD", cbC2, 2, "SF:4000")))
	MustCapture(t, svc, ctDoc(ccShip("sf-ship", "urn:t:bol:BOL-F", 3, []string{cbC1, cbC2})))
	MustCapture(t, svc, ctDoc(ctStep("sf-dep", "departing", "urn:t:bol:BOL-F", 4, []string{cbC1}), ctStep("sf-tr", "transporting", "urn:t:bol:BOL-F", 4, []string{cbC2})))
	if l := mustLot(t, s, "urn:t:lot:SF"); l.Status != critmin.LotInTransit || !ctNear(l.WetTonnes, 10) || !ctNear(lsInTransit(l), 10) {
		t.Errorf("SF after [C1] departed and [C2] transported: %s, %v t, %v t in transit (parts %+v); want in_transit, 10 t", l.Status, l.WetTonnes, lsInTransit(l), l.Parts)
	}
	MustCapture(t, svc, ctDoc(ctRecvAt("sf-recv", "urn:t:bol:BOL-F", khi, 5, []string{cbC1, cbC2})))
	if l := mustLot(t, s, "urn:t:lot:SF"); l.Status != critmin.LotInStock || l.Location != khi || !ctNear(l.WetTonnes, 10) || !ctNear(lsInTransit(l), 0) {
		t.Errorf("SF after [C1, C2] received: %s at %s, %v t, %v t in transit (parts %+v); want in_stock at khi, 10 t", l.Status, l.Location, l.WetTonnes, lsInTransit(l), l.Parts)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
