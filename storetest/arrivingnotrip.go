package storetest

import (
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
)

// A lot's (and a container's) place changes only by a receipt of a trip
// it is on (issue 8, fixQg; new-user check, reproduced on 0cf458e3): CBV
// 2.0 `arriving` and `unloading` are a carrier's steps of a trip, not a
// move of their own. They moved lots that were on no trip: a lot shipped
// under B1 and received at hou, then "arriving" under B1 at rtm, was put
// back in transit at rtm and fed to a run there; a container never
// shipped "arrived" at khi and put its lot in stock there; a part of a
// lot shipped by a line and "unloaded" at a port on the way was put in
// stock there.

// aqStep is ev (a receiving, as ctRecvAt writes it) as a step of bizStep
// step.
func aqStep(ev, step string) string {
	return strings.Replace(ev, `"bizStep": "receiving"`, `"bizStep": "`+step+`"`, 1)
}

// aqNoBill is ev with its bizTransactionList (its last member) left out.
func aqNoBill(ev string) string {
	i := strings.Index(ev, `"bizTransactionList"`)
	if i < 0 {
		return ev
	}
	j := strings.LastIndex(ev[:i], ",")
	return ev[:j] + "}"
}

// aqWant checks lot's body: status, location and wet tonnes standing
// there (RemainingWetTonnes), and what of it is in transit (lsInTransit).
func aqWant(t *testing.T, s critmin.Store, when, lot, status, loc string, body, transit float64) {
	t.Helper()
	l := mustLot(t, s, lot)
	if l.Status != status || l.Location != loc || !ctNear(l.RemainingWetTonnes(), body) || !ctNear(lsInTransit(l), transit) {
		t.Errorf("%s after %s: %s at %s, body %v t, %v t in transit (parts %+v); want %s at %s, %v t, %v t in transit",
			lot, when, l.Status, l.Location, l.RemainingWetTonnes(), lsInTransit(l), l.Parts, status, loc, body, transit)
	}
}

// testArrivingAfterReceipt (defect 1): lot AR, 10,000 kg at mb, shipped
// whole by a line mb → hou under B1 on Oct 3 and received there under B1
// on Oct 8: 10 t in stock at hou, 0 t in transit. Lot AC, 10,000 kg at
// mb, 6,000 kg packed into C1 and 4,000 kg into C2 on Oct 2; [C1, C2]
// shipped mb → hou under B2 on Oct 3 and received at hou on Oct 8:
// 6 + 4 = 10 t in stock at hou.
//
// On Oct 10, each refused 409 at its bizLocation, naming the lot, hou
// (where it stands) and its receipt, storing nothing:
//   - an arriving, and an unloading, of "AR 10,000 kg" at rtm under B1;
//   - an arriving, and an unloading, of [C1] (AC's 6 t) at rtm under B2;
//   - an accepting of "AR 10,000 kg" at rtm under B1;
//   - a run at rtm fed 10,000 kg of AR.
//
// Both lots stay 10 t in stock at hou, 0 t in transit. An arriving of
// AR at hou under B1 on Oct 11 (where it stands: an observation) is
// taken, and AR stays 10 t in stock at hou.
func testArrivingAfterReceipt(t *testing.T, open Opener) {
	const mb, hou, rtm = "urn:t:site:mb", "urn:t:site:hou", "urn:t:site:rtm"
	const b1, b2 = "urn:t:bol:B1", "urn:t:bol:B2"
	const ar, ac = "urn:t:lot:AR", "urn:t:lot:AC"
	const at = "/epcisBody/eventList/0/bizLocation"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("AR"), csLot("AC"), ctPack("ac-pack1", "ADD", cbC1, 2, "AC:6000"), ctPack("ac-pack2", "ADD", cbC2, 2, "AC:4000")))
	MustCapture(t, svc, ctDoc(saLeave("ar-ship", "shipping", b1, mb, "all", hou, 3, nil, "AR:10000"),
		saLeave("ac-ship", "shipping", b2, mb, "all", hou, 3, []string{cbC1, cbC2})))
	MustCapture(t, svc, ctDoc(ctRecvAt("ar-recv", b1, hou, 8, nil, "AR:10000"), ctRecvAt("ac-recv", b2, hou, 8, []string{cbC1, cbC2})))
	// 10 t received of 10 t shipped, each.
	aqWant(t, s, "the receipts at hou", ar, critmin.LotInStock, hou, 10, 0)
	aqWant(t, s, "the receipts at hou", ac, critmin.LotInStock, hou, 10, 0)
	for i, step := range []string{"arriving", "unloading"} {
		d := 10 + i
		ctRefusedWith(t, s, "AR "+step+" at rtm under B1 after its receipt at hou", ctDoc(aqStep(ctRecvAt("ar-"+step, b1, rtm, d, nil, "AR:10000"), step)),
			critmin.ECONFLICT, at, ar, hou, "urn:t:ev:ar-recv")
		ctRefusedWith(t, s, "[C1] "+step+" at rtm under B2 after its receipt at hou", ctDoc(aqStep(ctRecvAt("ac-"+step, b2, rtm, d, []string{cbC1}), step)),
			critmin.ECONFLICT, at, ac, hou, "urn:t:ev:ac-recv")
	}
	// The consignee's accepting elsewhere, judged alike (a receiving
	// under B1 is "already received": checkReceipts).
	ctRefusedWith(t, s, "AR accepting at rtm under B1 after its receipt at hou", ctDoc(aqStep(ctRecvAt("ar-acc", b1, rtm, 12, nil, "AR:10000"), "accepting")),
		critmin.ECONFLICT, at, ar, hou, "urn:t:ev:ar-recv")
	ctRefusedWith(t, s, "a run at rtm fed AR, which stands at hou", ctDoc(peRunAt("ar-run", rtm, 12, nil, []string{"AR:10000"}, "ARX", 1000)),
		critmin.ECONFLICT, at, ar, hou)
	aqWant(t, s, "the refusals", ar, critmin.LotInStock, hou, 10, 0)
	aqWant(t, s, "the refusals", ac, critmin.LotInStock, hou, 10, 0)
	// Where it stands: an observation, taken.
	MustCapture(t, svc, ctDoc(aqStep(ctRecvAt("ar-arr-hou", b1, hou, 13, nil, "AR:10000"), "arriving")))
	aqWant(t, s, "an arriving at hou, where it stands", ar, critmin.LotInStock, hou, 10, 0)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testArrivingNeverShipped (defect 2): lot AN, 10,000 kg at mb, packed
// whole into C1 on Oct 2 and never shipped: 10 t in stock at mb. On
// Oct 5, each refused 409 at its bizLocation, naming the lot and mb
// (where it stands), storing nothing:
//   - an arriving, and an unloading, of [C1] at khi (no bill of lading);
//   - the same under bill of lading BN (no shipment carries it);
//   - an arriving, and an unloading, of "AN 10,000 kg" by a line at khi;
//   - an accepting of "AN 10,000 kg" under BN, and of [C1] with no bill.
//
// AN stays 10 t in stock at mb. An arriving of [C1] at mb (where it
// stands) on Oct 6 is taken: still 10 t in stock at mb.
//
// A lot with no earlier event whose first event is an arriving (a
// partner's shipment not recorded here): lot AF, 5,000 kg arriving at
// khi under BF on Oct 5, is taken: 5 t in stock at khi.
func testArrivingNeverShipped(t *testing.T, open Opener) {
	const mb, khi = "urn:t:site:mb", "urn:t:site:khi"
	const an = "urn:t:lot:AN"
	const at = "/epcisBody/eventList/0/bizLocation"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("AN"), ctPack("an-pack", "ADD", cbC1, 2, "AN:10000")))
	aqWant(t, s, "its packing at mb", an, critmin.LotInStock, mb, 10, 0)
	n := 0
	refused := func(what, ev string) {
		t.Helper()
		ev = strings.Replace(ev, `"urn:t:ev:an-x"`, `"urn:t:ev:an-x`+twoDigits(n)+`"`, 1)
		n++
		ctRefusedWith(t, s, what, ctDoc(ev), critmin.ECONFLICT, at, an, mb)
	}
	for _, step := range []string{"arriving", "unloading"} {
		noBill := aqNoBill(aqStep(ctRecvAt("an-x", "urn:t:bol:BN", khi, 5, []string{cbC1}), step))
		refused("[C1] "+step+" at khi, never shipped, no bill", noBill)
		refused("[C1] "+step+" at khi, never shipped, under BN", aqStep(ctRecvAt("an-x", "urn:t:bol:BN", khi, 5, []string{cbC1}), step))
		refused("AN "+step+" by a line at khi, never shipped", aqStep(ctRecvAt("an-x", "urn:t:bol:BN", khi, 5, nil, "AN:10000"), step))
	}
	// The consignee's accepting, under any bill or none (a receiving
	// under BN is refused as "not shipped on bill of lading":
	// checkReceipts).
	refused("AN accepting by a line at khi under BN, never shipped", aqStep(ctRecvAt("an-x", "urn:t:bol:BN", khi, 5, nil, "AN:10000"), "accepting"))
	refused("[C1] accepting at khi, no bill, never shipped", aqNoBill(aqStep(ctRecvAt("an-x", "urn:t:bol:BN", khi, 5, []string{cbC1}), "accepting")))
	aqWant(t, s, "the refusals", an, critmin.LotInStock, mb, 10, 0)
	MustCapture(t, svc, ctDoc(aqStep(ctRecvAt("an-arr-mb", "urn:t:bol:BN", mb, 6, []string{cbC1}), "arriving")))
	aqWant(t, s, "[C1] arriving at mb, where it stands", an, critmin.LotInStock, mb, 10, 0)
	// A partner's shipment not recorded here: the lot's first event.
	MustCapture(t, svc, ctDoc(aqStep(ctRecvAt("af-arr", "urn:t:bol:BF", khi, 5, nil, "AF:5000"), "arriving")))
	aqWant(t, s, "AF's first event, an arriving at khi", "urn:t:lot:AF", critmin.LotInStock, khi, 5, 0)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testPartUnloadedOnTheWay (defect 3): lot AP, 10,000 kg at mb; 4,000 kg
// of it shipped by a line mb → hou under B3 on Oct 3: a part of 4 t in
// transit, 10 − 4 = 6 t standing at mb.
//
// On Oct 5, at khi (a port on the way, not the trip's destination), each
// refused 409 at its bizLocation, naming the lot, the trip's bill B3,
// its shipping event and hou, storing nothing: an arriving, an
// unloading and an accepting of "AP 4,000 kg" under B3 (as for the whole lot, an
// arriving or unloading on the way is not taken:
// testThroughBillPortOnTheWay). A run at khi fed 4,000 kg of AP is
// refused 409 at its input line (nothing of AP stands at khi; 4 t in
// transit).
// AP still 6 t at mb, 4 t in transit.
//
// The trip's end stays open: "AP 4,000 kg" arriving at hou under B3 on
// Oct 8 is taken — 4 t received at hou, 6 t at mb, 0 t in transit —
// and a run at hou fed 4,000 kg of AP on Oct 9 then is taken too.
func testPartUnloadedOnTheWay(t *testing.T, open Opener) {
	const mb, khi, hou = "urn:t:site:mb", "urn:t:site:khi", "urn:t:site:hou"
	const b3, ap = "urn:t:bol:B3", "urn:t:lot:AP"
	const at = "/epcisBody/eventList/0/bizLocation"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("AP")))
	MustCapture(t, svc, ctDoc(saLeave("ap-ship", "shipping", b3, mb, "all", hou, 3, nil, "AP:4000")))
	// 10 − 4 = 6 t at mb, the 4 t part at sea.
	aqWant(t, s, "4 t shipped under B3", ap, critmin.LotInStock, mb, 6, 4)
	for _, step := range []string{"arriving", "unloading", "accepting"} {
		ctRefusedWith(t, s, "AP's part "+step+" at khi on the way", ctDoc(aqStep(ctRecvAt("ap-"+step, b3, khi, 5, nil, "AP:4000"), step)),
			critmin.ECONFLICT, at, ap, b3, "urn:t:ev:ap-ship", hou)
	}
	ctRefusedWith(t, s, "a run at khi fed AP's part at sea", ctDoc(peRunAt("ap-run-khi", khi, 6, nil, []string{"AP:4000"}, "APX", 400)),
		critmin.ECONFLICT, "/epcisBody/eventList/0/inputQuantityList/0/quantity", ap, "in transit")
	aqWant(t, s, "the refusals", ap, critmin.LotInStock, mb, 6, 4)
	MustCapture(t, svc, ctDoc(aqStep(ctRecvAt("ap-arr-hou", b3, hou, 8, nil, "AP:4000"), "arriving")))
	// 6 t at mb, 4 t received at hou.
	aqWant(t, s, "the arriving at hou", ap, critmin.LotInStock, mb, 6, 0)
	if got := lsPartAt(mustLot(t, s, ap), critmin.PartReceived, hou); !ctNear(got, 4) {
		t.Errorf("AP received at hou: %v t; want the part's 4 t", got)
	}
	MustCapture(t, svc, ctDoc(peRunAt("ap-run-hou", hou, 9, nil, []string{"AP:4000"}, "APY", 400)))
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
