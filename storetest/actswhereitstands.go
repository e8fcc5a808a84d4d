package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// An event that acts on a lot or a container at a site happens where it
// stands, or ends a trip bound there (issue 8, fixQl; new-user check nuq5
// W3). A container emptied at khi and then "received" at hou under the
// bill of lading it once travelled on moved to hou; a container emptied
// at khi was packed at hou with no trip between; a receiving with no
// bill of lading of a lot standing at khi moved it to hou.

// qlUnpackAt is an AggregationEvent DELETE of bizStep unpacking on
// container sscc at site on day, taking out lines "lot:kg".
func qlUnpackAt(id, sscc, site string, day int, lines ...string) string {
	return strings.Replace(cpPackAt(id, "DELETE", sscc, site, day, lines...), `"bizStep": "packing"`, `"bizStep": "unpacking"`, 1)
}

// qlEmptiedAtKhi records lot QL, 10,000 kg at mb, packed whole into C1
// on Oct 2; [C1] shipped mb → khi under B1 on Oct 3 and received at khi
// under B1 on Oct 5; C1 emptied at khi on Oct 6 — by an unpacking of
// "QL 10,000 kg" (byRun false), or by a run at khi fed C1 whole (byRun
// true). C1 then holds 10 − 10 = 0 t and stands at khi, where it was
// emptied.
func qlEmptiedAtKhi(t *testing.T, s critmin.Store, byRun bool) {
	t.Helper()
	const mb, khi, b1 = "urn:t:site:mb", "urn:t:site:khi", "urn:t:bol:B1"
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("QL"), ctPack("ql-pack", "ADD", cbC1, 2, "QL:10000")))
	MustCapture(t, svc, ctDoc(saLeave("ql-ship", "shipping", b1, mb, "all", khi, 3, []string{cbC1})))
	MustCapture(t, svc, ctDoc(ctRecvAt("ql-recv", b1, khi, 5, []string{cbC1})))
	if byRun {
		MustCapture(t, svc, ctDoc(cpRunAt("ql-empty", khi, 6, []string{cbC1})))
		return
	}
	MustCapture(t, svc, ctDoc(qlUnpackAt("ql-empty", cbC1, khi, 6, "QL:10000")))
	// 10 t loose at khi.
	aqWant(t, s, "C1 unpacked at khi", "urn:t:lot:QL", critmin.LotInStock, khi, 10, 0)
}

// testEmptiedContainerReceivedElsewhere (nuq5 W3, item 1): C1 emptied at
// khi on Oct 6 (qlEmptiedAtKhi, by an unpacking and by a run fed it
// whole). On Oct 8 a receiving of [C1] at hou under its old bill B1 is
// refused 409 at its bizLocation, naming C1, khi (where it stands) and
// the event that put it there (the emptying, Oct 6); so is one naming no
// bill, and an arriving, unloading or accepting of [C1] at hou under B1.
// Nothing is stored. C1 emptied by a run at khi fed it whole
// (Oct 6) is refused alike, naming its receipt at khi (Oct 5), the
// event that put it there. A receiving of [C1] at khi (where it stands)
// is no move and stays taken.
func testEmptiedContainerReceivedElsewhere(t *testing.T, open Opener) {
	const khi, hou, b1 = "urn:t:site:khi", "urn:t:site:hou", "urn:t:bol:B1"
	const at = "/epcisBody/eventList/0/bizLocation"
	for _, byRun := range []bool{false, true} {
		// Where C1 stands since: its unpacking at khi on Oct 6; a run
		// fed it whole does not place it, so its receipt at khi on
		// Oct 5 (ledger.PlaceAt).
		how, since, day := "unpacked", "urn:t:ev:ql-empty", "2025-10-06"
		if byRun {
			how, since, day = "fed whole to a run", "urn:t:ev:ql-recv", "2025-10-05"
		}
		s := open(t)
		qlEmptiedAtKhi(t, s, byRun)
		ctRefusedWith(t, s, "[C1] "+how+" at khi, received at hou under B1", ctDoc(ctRecvAt("ql-recv-hou", b1, hou, 8, []string{cbC1})),
			critmin.ECONFLICT, at, cbC1, "holds nothing", khi, since, day)
		ctRefusedWith(t, s, "[C1] "+how+" at khi, received at hou with no bill", ctDoc(aqNoBill(ctRecvAt("ql-recv-hou2", b1, hou, 8, []string{cbC1}))),
			critmin.ECONFLICT, at, cbC1, khi, since)
		// The carrier's steps and the consignee's accepting, judged alike
		// (fixQg's steps, for a container holding nothing).
		for _, step := range []string{"arriving", "unloading", "accepting"} {
			ctRefusedWith(t, s, "[C1] "+how+" at khi, "+step+" at hou under B1", ctDoc(aqStep(ctRecvAt("ql-"+step+"-hou", b1, hou, 8, []string{cbC1}), step)),
				critmin.ECONFLICT, at, cbC1, khi, since)
		}
		MustCapture(t, custody.NewService(s), ctDoc(aqNoBill(ctRecvAt("ql-recv-khi", b1, khi, 9, []string{cbC1}))))
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	}
}

// testEmptiedContainerOpenTrip (nuq5 W3, item 1, the bill's trip not
// ended by a receipt of C1): lot QO, 10,000 kg at mb, packed whole into
// C1 on Oct 2; [C1] shipped mb → khi under B1 on Oct 3; the lot (by a
// line, "QO 10,000 kg", under B1) received at khi on Oct 5 — which ends
// C1's trip with it (tracker.moveBoxes) — and C1 unpacked at khi on
// Oct 6: 10 t loose at khi. On Oct 8 a receiving of [C1] at hou under
// B1 is refused 409 naming C1 and khi.
func testEmptiedContainerOpenTrip(t *testing.T, open Opener) {
	const mb, khi, hou, b1 = "urn:t:site:mb", "urn:t:site:khi", "urn:t:site:hou", "urn:t:bol:B1"
	const at = "/epcisBody/eventList/0/bizLocation"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("QO"), ctPack("qo-pack", "ADD", cbC1, 2, "QO:10000")))
	MustCapture(t, svc, ctDoc(saLeave("qo-ship", "shipping", b1, mb, "all", khi, 3, []string{cbC1})))
	MustCapture(t, svc, ctDoc(ctRecvAt("qo-recv", b1, khi, 5, []string{cbC1}, "QO:10000")))
	MustCapture(t, svc, ctDoc(qlUnpackAt("qo-unpack", cbC1, khi, 6, "QO:10000")))
	aqWant(t, s, "C1 unpacked at khi", "urn:t:lot:QO", critmin.LotInStock, khi, 10, 0)
	ctRefusedWith(t, s, "[C1] emptied at khi, received at hou under B1", ctDoc(ctRecvAt("qo-recv-hou", b1, hou, 8, []string{cbC1})),
		critmin.ECONFLICT, at, cbC1, khi, "urn:t:ev:qo-unpack")
	aqWant(t, s, "the refusal", "urn:t:lot:QO", critmin.LotInStock, khi, 10, 0)
}

// testEmptiedContainerPackedElsewhere (nuq5 W3, item 2): C1 emptied by
// an unpacking at khi on Oct 6 (qlEmptiedAtKhi). Lot QH, 5,000 kg at
// hou (commissioned there on Oct 1). On Oct 8 a packing of 5,000 kg of
// QH into C1 at hou is refused 409 at its bizLocation, naming C1 and khi
// (where it stands, since the unpacking): packing happens where the
// container stands (CBV 2.0 packing). QH stays 5 t in stock at hou,
// loose. A packing of 1,000 kg of QL into C1 at khi is taken.
func testEmptiedContainerPackedElsewhere(t *testing.T, open Opener) {
	const khi, hou = "urn:t:site:khi", "urn:t:site:hou"
	const at = "/epcisBody/eventList/0/bizLocation"
	s := open(t)
	qlEmptiedAtKhi(t, s, false)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(strings.Replace(strings.Replace(ctLot("QH", "PAK", 5000, "Nd:10"), "urn:t:site:mine-PAK", hou, 1), `"urn:t:ev:QH"`, `"urn:t:ev:qh-make"`, 1)))
	ctRefusedWith(t, s, "C1 emptied at khi, packed at hou", ctDoc(cpPackAt("qh-pack", "ADD", cbC1, hou, 8, "QH:5000")),
		critmin.ECONFLICT, at, cbC1, khi, "urn:t:ev:ql-empty")
	aqWant(t, s, "the refusal", "urn:t:lot:QH", critmin.LotInStock, hou, 5, 0)
	MustCapture(t, svc, ctDoc(cpPackAt("ql-repack", "ADD", cbC1, khi, 8, "QL:1000")))
}

// testReceivedNoBillElsewhere (item 3): lot QN, 10,000 kg at mb
// (commissioned there on Oct 1), never shipped. On Oct 5 a receiving of
// "QN 10,000 kg" at hou naming no bill of lading is refused 409 at its
// bizLocation, naming QN and mb (where it stands) and asking for a
// shipping from there; QN stays 10 t in stock at mb. Its receipt at mb
// (where it stands) is an observation, taken. A receiving naming no bill
// of lot QF, never recorded before (its first sighting, docs/epcis.md),
// at hou stays taken: 5 t in stock at hou.
func testReceivedNoBillElsewhere(t *testing.T, open Opener) {
	const mb, hou = "urn:t:site:mb", "urn:t:site:hou"
	const at = "/epcisBody/eventList/0/bizLocation"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("QN")))
	ctRefusedWith(t, s, "QN received at hou with no bill, standing at mb", ctDoc(aqNoBill(ctRecvAt("qn-recv", "urn:t:bol:BX", hou, 5, nil, "QN:10000"))),
		critmin.ECONFLICT, at, "urn:t:lot:QN", mb, "shipping")
	aqWant(t, s, "the refusal", "urn:t:lot:QN", critmin.LotInStock, mb, 10, 0)
	MustCapture(t, svc, ctDoc(aqNoBill(ctRecvAt("qn-recv-mb", "urn:t:bol:BX", mb, 6, nil, "QN:10000"))))
	aqWant(t, s, "its receipt at mb", "urn:t:lot:QN", critmin.LotInStock, mb, 10, 0)
	MustCapture(t, svc, ctDoc(aqNoBill(ctRecvAt("qf-recv", "urn:t:bol:BX", hou, 5, nil, "QF:5000"))))
	aqWant(t, s, "QF's first event, a receiving at hou", "urn:t:lot:QF", critmin.LotInStock, hou, 5, 0)
	// The same in one document: its shipping from mb first, then the
	// receipt at hou, is taken — 10 t in stock at hou.
	MustCapture(t, svc, ctDoc(saLeave("qn-ship", "shipping", "", mb, "all", hou, 7, nil, "QN:10000"), aqNoBill(ctRecvAt("qn-recv-hou", "urn:t:bol:BX", hou, 8, nil, "QN:10000"))))
	aqWant(t, s, "its shipping and receipt", "urn:t:lot:QN", critmin.LotInStock, hou, 10, 0)
}

// testContainerShippedReceivedHou (the legitimate flow): lot QG, 10,000
// kg at khi, packed whole into C1 at khi on Oct 2; [C1] shipped khi →
// hou under B1 on Oct 3 and received at hou under B1 on Oct 8: taken,
// 10 t in stock at hou; then unpacked at hou and packed again there.
func testContainerShippedReceivedHou(t *testing.T, open Opener) {
	const khi, hou, b1 = "urn:t:site:khi", "urn:t:site:hou", "urn:t:bol:B1"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(strings.Replace(csLot("QG"), "urn:t:site:mb", khi, 1), cpPackAt("qg-pack", "ADD", cbC1, khi, 2, "QG:10000")))
	MustCapture(t, svc, ctDoc(saLeave("qg-ship", "shipping", b1, khi, "all", hou, 3, []string{cbC1})))
	MustCapture(t, svc, ctDoc(ctRecvAt("qg-recv", b1, hou, 8, []string{cbC1})))
	aqWant(t, s, "[C1] received at hou", "urn:t:lot:QG", critmin.LotInStock, hou, 10, 0)
	MustCapture(t, svc, ctDoc(qlUnpackAt("qg-unpack", cbC1, hou, 9, "QG:10000"), cpPackAt("qg-repack", "ADD", cbC1, hou, 10, "QG:4000")))
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
