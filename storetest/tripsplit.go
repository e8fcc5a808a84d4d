package storetest

import (
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// One trip's dispatches spread over several events: a lot packed into
// several containers is shipped one container per event under one bill
// of lading, as a port does it, and every event joins the one trip
// (new-user finding, issue 8 fixNa: lot 10 t packed 6 t into C1 and 4 t
// into C2, [C1] then [C2] shipped under B, showed 6 t in transit and
// 4 t at the mine, 14 t after receipt, and verify said ok).

// tsWant checks lot's figures: wet tonnes standing at mb (its body when
// in stock there), in transit (lsInTransit), received at khi (its parts
// received there, and its body when it stands there), and its total.
func tsWant(t *testing.T, s critmin.Store, when, lot string, atMB, transit, atKHI float64) {
	t.Helper()
	const mb, khi = "urn:t:site:mb", "urn:t:site:khi"
	l := mustLot(t, s, lot)
	var mbT, khiT float64
	if l.Status == critmin.LotInStock && l.Location == mb {
		mbT = l.RemainingWetTonnes()
	}
	khiT = lsPartAt(l, critmin.PartReceived, khi)
	if l.Status == critmin.LotInStock && l.Location == khi {
		khiT += l.RemainingWetTonnes()
	}
	if !ctNear(mbT, atMB) || !ctNear(lsInTransit(l), transit) || !ctNear(khiT, atKHI) || !ctNear(l.WetTonnes, 10) {
		t.Errorf("%s after %s: %v t at mb, %v t in transit, %v t at khi, total %v t (%s at %s, body %v t, parts %+v); want %v, %v, %v, total 10",
			lot, when, mbT, lsInTransit(l), khiT, l.WetTonnes, l.Status, l.Location, l.RemainingWetTonnes(), l.Parts, atMB, transit, atKHI)
	}
	if transit == 0 && atKHI == 10 && (l.Status != critmin.LotInStock || l.Location != khi) {
		t.Errorf("%s after %s: %s at %s; want in_stock at khi", lot, when, l.Status, l.Location)
	}
}

// testTripSpreadOverEvents: lot 10,000 kg at mb, 6,000 kg into C1 and
// 4,000 kg into C2; [C1] shipped under BOL-N on Oct 3 (6 t in transit,
// 10 − 6 = 4 t at mb), [C2] under BOL-N on Oct 4: C2's 4 t join the
// trip, 6 + 4 = 10 t in transit, 0 t at mb. Then, each in its own
// store, the receipt at khi under BOL-N:
//   - [C1] on Oct 5 (6 t at khi, 4 t in transit), [C2] on Oct 6 (6 + 4 =
//     10 t at khi, in stock there);
//   - [C2] first, then [C1] (4 t at khi and 6 in transit, then 10);
//   - [C1, C2] by one event on Oct 5: 10 t at khi;
//   - the line "lot 10,000 kg" on Oct 5: 10 t at khi;
//   - [C1] on Oct 5, then the line "lot 4,000 kg" on Oct 6 (what
//     remains in transit): 6 + 4 = 10 t at khi.
//
// The total stays 10 t throughout (not 6 + 4 + 4 = 14) and verify is
// clean. Any receipt of more after the whole 10 t arrived ([C2] again)
// is refused as already received.
func testTripSpreadOverEvents(t *testing.T, open Opener) {
	const bol, khi = "urn:t:bol:BOL-N", "urn:t:site:khi"
	type recv struct {
		boxes []string
		line  string
		atKHI float64 // after this receipt
	}
	for _, c := range []struct {
		name     string
		receipts []recv
	}{
		{"C1 then C2", []recv{{[]string{cbC1}, "", 6}, {[]string{cbC2}, "", 10}}},
		{"C2 then C1", []recv{{[]string{cbC2}, "", 4}, {[]string{cbC1}, "", 10}}},
		{"C1 and C2 at once", []recv{{[]string{cbC1, cbC2}, "", 10}}},
		{"by a line", []recv{{nil, ":10000", 10}}},
		{"C1 then the rest by a line", []recv{{[]string{cbC1}, "", 6}, {nil, ":4000", 10}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			const id = "NA"
			lot := "urn:t:lot:" + id
			MustCapture(t, svc, ctDoc(csLot(id), ctPack("na-pack1", "ADD", cbC1, 2, "NA:6000"), ctPack("na-pack2", "ADD", cbC2, 2, "NA:4000")))
			MustCapture(t, svc, ctDoc(ccShip("na-ship1", bol, 3, []string{cbC1})))
			tsWant(t, s, "[C1] shipped under BOL-N", lot, 4, 6, 0)
			MustCapture(t, svc, ctDoc(ccShip("na-ship2", bol, 4, []string{cbC2})))
			tsWant(t, s, "[C1] then [C2] shipped under BOL-N", lot, 0, 10, 0)
			if kg := lsContents(t, s, "urn:t:ev:na-ship2", lot); !ctNear(kg, 4000) {
				t.Errorf("contents of [C2]'s shipment: %v kg; want C2's 4,000", kg)
			}
			for i, r := range c.receipts {
				var lines []string
				if r.line != "" {
					lines = []string{id + r.line}
				}
				ev := ctRecvAt("na-recv"+twoDigits(i), bol, khi, 5+i, r.boxes, lines...)
				MustCapture(t, svc, ctDoc(ev))
				tsWant(t, s, "receipt "+twoDigits(i)+" of "+c.name, lot, 0, 10-r.atKHI, r.atKHI)
			}
			ccRefused(t, s, "[C2] received again after the whole 10 t arrived", ctDoc(ctRecvAt("na-again", bol, khi, 9, []string{cbC2})), lot)
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
		})
	}
}

// testTripsOfTwoBills: the same lot and containers, [C1] shipped under
// BOL-N1 on Oct 3 and [C2] under BOL-N2 on Oct 4: two trips, each its
// own — 6 t in transit under BOL-N1 and 4 t under BOL-N2, 0 t at mb.
// [C1] received at khi under BOL-N1 on Oct 5: 6 t at khi, 4 t in
// transit; [C1] again under BOL-N1 refused (received); [C2] under
// BOL-N1 refused (it travels under BOL-N2); [C2] under BOL-N2 on Oct 6:
// 6 + 4 = 10 t at khi.
func testTripsOfTwoBills(t *testing.T, open Opener) {
	const khi = "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	lot := "urn:t:lot:NB"
	MustCapture(t, svc, ctDoc(csLot("NB"), ctPack("nb-pack1", "ADD", cbC1, 2, "NB:6000"), ctPack("nb-pack2", "ADD", cbC2, 2, "NB:4000")))
	MustCapture(t, svc, ctDoc(ccShip("nb-ship1", "urn:t:bol:BOL-N1", 3, []string{cbC1})))
	tsWant(t, s, "[C1] shipped under BOL-N1", lot, 4, 6, 0)
	MustCapture(t, svc, ctDoc(ccShip("nb-ship2", "urn:t:bol:BOL-N2", 4, []string{cbC2})))
	tsWant(t, s, "[C2] shipped under BOL-N2", lot, 0, 10, 0)
	l := mustLot(t, s, lot)
	byBill := map[string]float64{}
	for _, p := range l.Parts {
		if p.Status == critmin.PartInTransit {
			byBill[p.BillOfLading] += p.Mass()
		}
	}
	if l.Status == critmin.LotInTransit {
		byBill["body"] += l.RemainingWetTonnes()
	}
	if !ctNear(byBill["urn:t:bol:BOL-N1"], 6) || !ctNear(byBill["urn:t:bol:BOL-N2"], 4) {
		t.Errorf("NB in transit by bill: %v (parts %+v); want 6 t under BOL-N1 and 4 t under BOL-N2", byBill, l.Parts)
	}
	MustCapture(t, svc, ctDoc(ctRecvAt("nb-recv1", "urn:t:bol:BOL-N1", khi, 5, []string{cbC1})))
	tsWant(t, s, "[C1] received under BOL-N1", lot, 0, 4, 6)
	ccRefused(t, s, "[C1] received again under BOL-N1", ctDoc(ctRecvAt("nb-recv1b", "urn:t:bol:BOL-N1", khi, 6, []string{cbC1})), lot)
	ccRefused(t, s, "[C2] received under BOL-N1 (it went under BOL-N2)", ctDoc(ctRecvAt("nb-recv2b", "urn:t:bol:BOL-N1", khi, 6, []string{cbC2})), lot)
	MustCapture(t, svc, ctDoc(ctRecvAt("nb-recv2", "urn:t:bol:BOL-N2", khi, 6, []string{cbC2})))
	tsWant(t, s, "[C2] received under BOL-N2", lot, 0, 0, 10)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testRestReceivedByLine: lot NC, 10,000 kg at mb, 6,000 kg into C1 and
// 4,000 kg into C2, [C1, C2] shipped under BOL-R by one event on Oct 3
// (10 t in transit). [C1] received at khi under BOL-R on Oct 5 (6 t at
// khi, 10 − 6 = 4 t in transit); the line "NC 4,000 kg" under BOL-R on
// Oct 6, naming no container, receives the 4 t still in transit (the
// line governs what is received; it was refused as "already received"):
// 6 + 4 = 10 t at khi. A further line "NC 1,000 kg" under BOL-R is then
// refused (nothing of it in transit).
func testRestReceivedByLine(t *testing.T, open Opener) {
	const bol, khi = "urn:t:bol:BOL-R", "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	lot := "urn:t:lot:NC"
	MustCapture(t, svc, ctDoc(csLot("NC"), ctPack("nc-pack1", "ADD", cbC1, 2, "NC:6000"), ctPack("nc-pack2", "ADD", cbC2, 2, "NC:4000")))
	MustCapture(t, svc, ctDoc(ccShip("nc-ship", bol, 3, []string{cbC1, cbC2})))
	tsWant(t, s, "[C1, C2] shipped", lot, 0, 10, 0)
	MustCapture(t, svc, ctDoc(ctRecvAt("nc-recv1", bol, khi, 5, []string{cbC1})))
	tsWant(t, s, "[C1] received", lot, 0, 4, 6)
	MustCapture(t, svc, ctDoc(ctRecvAt("nc-recv2", bol, khi, 6, nil, "NC:4000")))
	tsWant(t, s, "the line NC 4,000 kg received", lot, 0, 0, 10)
	ccRefused(t, s, "1,000 kg more of NC received under BOL-R", ctDoc(ctRecvAt("nc-recv3", bol, khi, 7, nil, "NC:1000")), lot)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
