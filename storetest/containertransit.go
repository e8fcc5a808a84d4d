package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
	"github.com/critmin/critmin/sqldb"
)

// A lot in transit is at no site: it is not shipped again from the site
// it left while nothing of it stands there, whether the second shipment
// names it by a quantity line or moves it in a container named alone;
// and a receipt of a container alone receives what the shipment carried
// in it, not what was packed (new-user findings nu36a-9 and on issue 15:
// a lot shipped whole to S2 was shipped again to S3 under another bill,
// and then its first bill's receipt was refused; a container holding 6 t
// shipped beside the lot's 5 t line was received as a 20 % gain).

// ctShipTo is ccShip to site dest ("urn:t:site:…").
func ctShipTo(id, bol, dest string, day int, boxes []string, lots ...string) string {
	return strings.Replace(ccShip(id, bol, day, boxes, lots...), `"destination": "urn:t:site:khi"`, `"destination": "`+dest+`"`, 1)
}

// ctRecvAt is a receiving ObjectEvent on day at site under bill of
// lading bol naming boxes in its epcList (none: no epcList) and lots
// "lot:kg" in its quantityList.
func ctRecvAt(id, bol, site string, day int, boxes []string, lots ...string) string {
	ev := ccShip(id, bol, day, boxes, lots...)
	ev = strings.Replace(ev, `"bizStep": "shipping", "disposition": "in_transit"`, `"bizStep": "receiving", "disposition": "in_progress"`, 1)
	ev = strings.ReplaceAll(ev, `{"id": "urn:t:site:mb"}`, `{"id": "`+site+`"}`)
	return strings.Replace(ev, `"destinationList": [{"type": "location", "destination": "urn:t:site:khi"}], `, "", 1)
}

// ctRefusedWith captures body through the checked service and wants it
// refused with the error code, pointer as its first field's pointer
// ("/epcisBody/eventList/0/…", as the API shows it), a reason holding
// every one of words, and nothing stored.
func ctRefusedWith(t *testing.T, s critmin.Store, what, body, code, pointer string, words ...string) {
	t.Helper()
	before := ccEvents(t, s)
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(body)})
	var e *critmin.Error
	if !errors.As(err, &e) {
		t.Errorf("%s: %v; want refused", what, err)
		return
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: refusal %q does not name %q", what, err.Error(), w)
		}
	}
	if e.Code != code {
		t.Errorf("%s: code %s; want %s (%v)", what, e.Code, code, err)
	}
	if len(e.Fields) == 0 || e.Fields[0].Pointer != pointer {
		t.Errorf("%s: fields %+v; want the first at %q", what, e.Fields, pointer)
	}
	if after := ccEvents(t, s); after != before {
		t.Errorf("%s: %d events stored after a refusal, had %d", what, after, before)
	}
}

// testShippedAgainInTransit: lots TA and TB, 10,000 kg each at mb; TB
// packed whole into C1 on Oct 2. On Oct 3 TA is shipped whole (10,000 kg)
// to khi under BOL-1 and C1 (TB's 10 t) alone under BOL-B1: both lots are
// in transit, nothing of them stands at mb. On Oct 4 each of these is
// refused 409, naming the lot, the standing shipment and that the lot is
// in transit, and stores nothing:
//   - 10,000 kg of TA shipped from mb to port under BOL-2;
//   - TA shipped from mb with a line stating no quantity under BOL-2;
//   - C1 alone shipped from mb to port under BOL-2 (TB in it) — the
//     refusal points at the container, epcList/0, which the event has;
//   - 10,000 kg of TB shipped from mb by a quantity line under BOL-2.
//
// Then the BOL-1 receipt of TA and the BOL-B1 receipt of C1 at khi on
// Oct 5 are taken: both lots stand at khi, 10 t each.
func testShippedAgainInTransit(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	const port, khi = "urn:t:site:port", "urn:t:site:khi"
	MustCapture(t, svc, ctDoc(csLot("TA"), csLot("TB"), ctPack("tb-pack", "ADD", cbC1, 2, "TB:10000")))
	MustCapture(t, svc, ctDoc(ccShip("ta-ship1", "urn:t:bol:BOL-1", 3, nil, "TA:10000"), ccShip("tb-ship1", "urn:t:bol:BOL-B1", 3, []string{cbC1})))
	ctRefusedWith(t, s, "TA (all 10 t in transit) shipped again from mb by a quantity line", ctDoc(ctShipTo("ta-ship2", "urn:t:bol:BOL-2", port, 4, nil, "TA:10000")),
		critmin.ECONFLICT, "/epcisBody/eventList/0/bizLocation", "urn:t:lot:TA", "in transit", "urn:t:ev:ta-ship1", "BOL-1")
	noQty := strings.Replace(ctShipTo("ta-ship2", "urn:t:bol:BOL-2", port, 4, nil, "TA:10000"), `, "quantity": 10000, "uom": "KGM"`, "", 1)
	ctRefusedWith(t, s, "TA (all 10 t in transit) shipped again from mb by a line stating no quantity", ctDoc(noQty),
		critmin.ECONFLICT, "/epcisBody/eventList/0/bizLocation", "urn:t:lot:TA", "in transit", "urn:t:ev:ta-ship1")
	ctRefusedWith(t, s, "C1 (TB's 10 t, in transit) shipped again from mb by its SSCC alone", ctDoc(ctShipTo("tb-ship2", "urn:t:bol:BOL-2", port, 4, []string{cbC1})),
		critmin.ECONFLICT, "/epcisBody/eventList/0/bizLocation", "urn:t:lot:TB", "in transit", "urn:t:ev:tb-ship1", cbC1)
	ctRefusedWith(t, s, "TB (in transit in C1) shipped again from mb by a quantity line", ctDoc(ctShipTo("tb-ship2", "urn:t:bol:BOL-2", port, 4, nil, "TB:10000")),
		critmin.ECONFLICT, "/epcisBody/eventList/0/bizLocation", "urn:t:lot:TB", "in transit", "urn:t:ev:tb-ship1")
	MustCapture(t, svc, ctDoc(ctRecvAt("ta-recv1", "urn:t:bol:BOL-1", khi, 5, nil, "TA:10000"), ctRecvAt("tb-recv1", "urn:t:bol:BOL-B1", khi, 5, []string{cbC1})))
	for _, id := range []string{"urn:t:lot:TA", "urn:t:lot:TB"} {
		if l := mustLot(t, s, id); l.Status != critmin.LotInStock || l.Location != khi || !ctNear(l.RemainingWetTonnes(), 10) {
			t.Errorf("%s after its first bill's receipt: %s at %s, %v t; want in_stock at %s with 10 t", id, l.Status, l.Location, l.RemainingWetTonnes(), khi)
		}
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testShippedPartInTransit: lot TC, 10,000 kg at mb. 6,000 kg shipped
// under BOL-C1 on Oct 3 leaves 10 − 6 = 4 t at mb. On Oct 4 5,000 kg
// more from mb is refused (5 > 4 t stand); 4,000 kg under BOL-C2 is
// taken (4 − 4 = 0 t left, 6 + 4 = 10 t in transit); on Oct 5 any more
// from mb (1,000 kg under BOL-C3) is refused, nothing of TC standing
// there. The same through a container: lot TD, 10,000 kg, 6,000 kg of
// it packed into C2; C2 shipped alone on Oct 3 (6 t); 5,000 kg of TD
// from mb refused, as is C2 shipped alone again (its 6 t left with the
// first shipment; 6 > 4 t stand: 409 pointing at C2, epcList/0, not at a
// quantityList the event lacks); 4,000 kg taken.
func testShippedPartInTransit(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	const port = "urn:t:site:port"
	MustCapture(t, svc, ctDoc(csLot("TC"), csLot("TD"), ctPack("td-pack", "ADD", cbC2, 2, "TD:6000")))
	MustCapture(t, svc, ctDoc(ccShip("tc-ship1", "urn:t:bol:BOL-C1", 3, nil, "TC:6000"), ccShip("td-ship1", "urn:t:bol:BOL-D1", 3, []string{cbC2})))
	ccRefused(t, s, "5,000 kg of TC from mb where 4 t stand", ctDoc(ctShipTo("tc-ship2", "urn:t:bol:BOL-C2", port, 4, nil, "TC:5000")), "urn:t:lot:TC")
	ccRefused(t, s, "5,000 kg of TD from mb where 4 t stand (6 t left in C2)", ctDoc(ctShipTo("td-ship2", "urn:t:bol:BOL-D2", port, 4, nil, "TD:5000")), "urn:t:lot:TD")
	ctRefusedWith(t, s, "C2 shipped alone again from mb (its 6 t of TD in transit, 4 t of TD loose there)", ctDoc(ctShipTo("td-ship2", "urn:t:bol:BOL-D2", port, 4, []string{cbC2})),
		critmin.ECONFLICT, "/epcisBody/eventList/0/epcList/0", "urn:t:lot:TD")
	MustCapture(t, svc, ctDoc(ctShipTo("tc-ship2", "urn:t:bol:BOL-C2", port, 4, nil, "TC:4000"), ctShipTo("td-ship2", "urn:t:bol:BOL-D2", port, 4, nil, "TD:4000")))
	for _, id := range []string{"urn:t:lot:TC", "urn:t:lot:TD"} {
		if l := mustLot(t, s, id); !ctNear(l.RemainingWetTonnes(), 0) || !ctNear(l.InTransitTonnes(), 10) {
			t.Errorf("%s after 6 t and 4 t shipped: %v t left, %v t in transit; want 0 and 10", id, l.RemainingWetTonnes(), l.InTransitTonnes())
		}
	}
	ccRefused(t, s, "1,000 kg more of TC from mb, nothing of it standing there", ctDoc(ctShipTo("tc-ship3", "urn:t:bol:BOL-C3", port, 5, nil, "TC:1000")), "urn:t:lot:TC")
}

// testReceiptReadsShipment: lot GA, 10,000 kg at mb; 6,000 kg of it
// packed into C1 on Oct 2. On Oct 3 C1 is shipped under BOL-G beside a
// line "GA 5,000 kg": the line states what moved of GA, C1's contents
// included, so 5 t leave and 10 − 5 = 5 t stay at mb. On Oct 5 C1 alone
// (no quantity line) received at khi under BOL-G receives what the
// shipment carried, 5 t — not the 6 t packed (a +20 % gain, refused
// before): GA has 5 t at mb and its 5 t part received at khi, nothing in
// transit; the receipt's contents row is 5,000 kg; verify is clean.
func testReceiptReadsShipment(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	const khi = "urn:t:site:khi"
	MustCapture(t, svc, ctDoc(csLot("GA"), ctPack("ga-pack", "ADD", cbC1, 2, "GA:6000")))
	// Recorded before a line below what the named containers hold was
	// refused (custody heldBeside, nuq9): stored unchecked.
	MustCapture(t, service(s), ctDoc(ccShip("ga-ship", "urn:t:bol:BOL-G", 3, []string{cbC1}, "GA:5000")))
	if l := mustLot(t, s, "urn:t:lot:GA"); !ctNear(l.RemainingWetTonnes(), 5) || !ctNear(l.InTransitTonnes(), 5) {
		t.Fatalf("GA after C1 and 5 t of it shipped: %v t left, %v t in transit; want 5 and 5", l.RemainingWetTonnes(), l.InTransitTonnes())
	}
	MustCapture(t, svc, ctDoc(ctRecvAt("ga-recv", "urn:t:bol:BOL-G", khi, 5, []string{cbC1})))
	l := mustLot(t, s, "urn:t:lot:GA")
	if !ctNear(l.RemainingWetTonnes(), 5) || !ctNear(l.InTransitTonnes(), 0) {
		t.Errorf("GA after C1 received: %v t left at %s, %v t in transit; want 5 t left, none in transit", l.RemainingWetTonnes(), l.Location, l.InTransitTonnes())
	}
	var at float64
	for _, p := range l.Parts {
		if p.Status == critmin.PartReceived && p.To == khi {
			at += p.Mass()
		}
	}
	if !ctNear(at, 5) {
		t.Errorf("GA received at khi: %v t (parts %+v); want the 5 t shipped", at, l.Parts)
	}
	var kg float64
	if err := s.(*sqldb.DB).Write.QueryRowContext(context.Background(), `SELECT COALESCE(SUM(quantity), 0) FROM event_contents WHERE event_id = 'urn:t:ev:ga-recv'`).Scan(&kg); err != nil || !ctNear(kg, 5000) {
		t.Errorf("contents of the receipt: %v kg (%v); want 5,000 (what BOL-G carried of GA)", kg, err)
	}
	// verify: the tables equal their rebuild, and the legacy ga-ship
	// ([C1] holding 6 t beside "GA 5 t": 6 > 5 × 1.005 = 5.025 t) is
	// named (ledger.StoredContainerRule).
	if rep := verifyFull(t, s, nil, true); rep.Problem != nil || rep.Difference != nil || rep.LotBalanceProblem != "" {
		t.Fatalf("verify: %v %v %s", rep.Problem, rep.Difference, rep.LotBalanceProblem)
	} else {
		crvWant(t, rep.ContainerRuleProblem, "verify", "urn:t:ev:ga-ship", "urn:t:lot:GA", "urn:t:site:mb")
	}
}

// testContainerRefusalPointers: a container-only receipt refused names
// the container it has (epcList/0), never a quantityList it lacks. Lot
// PA, 10,000 kg at mb, packed whole into C1 on Oct 2 and shipped in it
// alone under BOL-Q to khi on Oct 4.
//   - C1 received at khi under BOL-Q on Oct 3, before its shipping:
//     refused at eventTime (the event has it);
//   - C1 received at the port under BOL-Q (it was shipped to khi):
//     refused at bizLocation;
//   - C1 received at khi under BOL-Z, which carried nothing: refused at
//     bizTransactionList;
//   - C1 received under BOL-Q, then again under BOL-Q: the second refused
//     at epcList/0.
func testContainerRefusalPointers(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	const khi, port = "urn:t:site:khi", "urn:t:site:port"
	MustCapture(t, svc, ctDoc(csLot("PA"), ctPack("pa-pack", "ADD", cbC1, 2, "PA:10000")))
	MustCapture(t, svc, ctDoc(ccShip("pa-ship", "urn:t:bol:BOL-Q", 4, []string{cbC1})))
	ctRefusedWith(t, s, "C1 received before its shipping", ctDoc(ctRecvAt("pa-recv", "urn:t:bol:BOL-Q", khi, 3, []string{cbC1})),
		critmin.ECONFLICT, "/epcisBody/eventList/0/eventTime", "urn:t:lot:PA")
	ctRefusedWith(t, s, "C1 received away from its destination", ctDoc(ctRecvAt("pa-recv", "urn:t:bol:BOL-Q", port, 5, []string{cbC1})),
		critmin.ECONFLICT, "/epcisBody/eventList/0/bizLocation", "urn:t:lot:PA")
	ctRefusedWith(t, s, "C1 received under a bill that carried nothing", ctDoc(ctRecvAt("pa-recv", "urn:t:bol:BOL-Z", khi, 5, []string{cbC1})),
		critmin.ECONFLICT, "/epcisBody/eventList/0/bizTransactionList", "urn:t:lot:PA")
	MustCapture(t, svc, ctDoc(ctRecvAt("pa-recv", "urn:t:bol:BOL-Q", khi, 5, []string{cbC1})))
	ctRefusedWith(t, s, "C1 received a second time under BOL-Q", ctDoc(ctRecvAt("pa-recv2", "urn:t:bol:BOL-Q", khi, 6, []string{cbC1})),
		critmin.ECONFLICT, "/epcisBody/eventList/0/epcList/0", "urn:t:lot:PA", cbC1)
}

// testContainerGainPointer: lots GP and GQ, 10,000 kg each at mb; 4,000
// kg of GP packed into C1 and 5,000 kg of GQ into C2 on Oct 2; on Oct 3
// C1 and a line "GP 3,000 kg" shipped under BOL-W (3 t of GP leave, C1's
// share included; C2 never shipped). C1 and C2 received alone under BOL-W
// at khi on Oct 5: refused — GQ was not on BOL-W — at a field the receipt
// has (its bizTransactionList, or C2 at epcList/1), never at a
// quantityList it lacks; GP's line reads the 3 t the shipment carried,
// so no gain is raised (it read C1's 4 t, a +33 % gain).
func testContainerGainPointer(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("GP"), csLot("GQ"), ctPack("gp-pack", "ADD", cbC1, 2, "GP:4000"), ctPack("gq-pack", "ADD", cbC2, 2, "GQ:5000")))
	// Recorded before a line below what the named containers hold was
	// refused (custody heldBeside, nuq9): stored unchecked.
	MustCapture(t, service(s), ctDoc(ccShip("gp-ship", "urn:t:bol:BOL-W", 3, []string{cbC1}, "GP:3000")))
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(ctRecvAt("gp-recv", "urn:t:bol:BOL-W", "urn:t:site:khi", 5, []string{cbC1, cbC2})))})
	var e *critmin.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		t.Fatalf("C1 and C2 (GQ, never shipped) received under BOL-W: %v; want refused", err)
	}
	for _, f := range e.Fields {
		if strings.Contains(f.Pointer, "quantityList") {
			t.Errorf("refusal of a receipt with no quantityList points at %q (%s)", f.Pointer, f.Reason)
		}
	}
	if e.Fields[0].Pointer != "/epcisBody/eventList/0/bizTransactionList" && e.Fields[0].Pointer != "/epcisBody/eventList/0/epcList/1" {
		t.Errorf("first field %+v; want bizTransactionList or epcList/1 (C2)", e.Fields[0])
	}
}

// ctStep is ccShip with bizStep step (departing, loading, transporting)
// instead of shipping, under bill bol.
func ctStep(id, step, bol string, day int, boxes []string, lots ...string) string {
	return strings.Replace(ccShip(id, bol, day, boxes, lots...), `"bizStep": "shipping"`, `"bizStep": "`+step+`"`, 1)
}

// ctNoBill drops the bill of lading from an event of ccShip.
func ctNoBill(ev string) string {
	i := strings.Index(ev, `, "bizTransactionList"`)
	if i < 0 {
		return ev
	}
	return ev[:i] + "}"
}

// testShippedAgainAfterDeparting: a further step of the trip (departing,
// loading, transporting) keeps the lot in transit from where it left; a
// new shipping from there is refused 409 whichever step came last
// (new-user finding nu38a item 2: after shipping then departing under b1
// the lot was shipped again with no bill, the b1 trip was replaced and
// its receipt refused). Lots DA (10,000 kg loose at mb) and DB (10,000 kg
// packed whole into C1 on Oct 2); DC, DD loose. On Oct 3 DA is shipped
// whole under BOL-1 and C1 alone under BOL-B1, DC under BOL-3 and DD
// under BOL-4; on Oct 4 DA and C1 depart mb under their bills, DC is
// loaded at mb, DD transported (all taken). On Oct 5 each of these is
// refused 409 naming the lot and that it is in transit, storing nothing:
//   - 10,000 kg of DA shipped from mb to port, no bill;
//   - DA shipped from mb by a line stating no quantity, no bill;
//   - 10,000 kg of DA shipped from mb under BOL-2;
//   - C1 alone shipped from mb, no bill (DB in it);
//   - 10,000 kg of DB shipped from mb by a quantity line, no bill;
//   - 10,000 kg of DC (loaded at mb after its shipping) shipped from mb,
//     no bill; DD likewise after its transporting.
//
// Then the Oct 6 receipts at khi under BOL-1, BOL-B1, BOL-3 and BOL-4
// are taken: each lot stands at khi, 10 t.
func testShippedAgainAfterDeparting(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	const port, khi = "urn:t:site:port", "urn:t:site:khi"
	MustCapture(t, svc, ctDoc(csLot("DA"), csLot("DB"), csLot("DC"), csLot("DD"), ctPack("db-pack", "ADD", cbC1, 2, "DB:10000")))
	MustCapture(t, svc, ctDoc(ccShip("da-ship1", "urn:t:bol:BOL-1", 3, nil, "DA:10000"), ccShip("db-ship1", "urn:t:bol:BOL-B1", 3, []string{cbC1}),
		ccShip("dc-ship1", "urn:t:bol:BOL-3", 3, nil, "DC:10000"), ccShip("dd-ship1", "urn:t:bol:BOL-4", 3, nil, "DD:10000")))
	MustCapture(t, svc, ctDoc(ctStep("da-dep", "departing", "urn:t:bol:BOL-1", 4, nil, "DA:10000"), ctStep("db-dep", "departing", "urn:t:bol:BOL-B1", 4, []string{cbC1}),
		ctStep("dc-load", "loading", "urn:t:bol:BOL-3", 4, nil, "DC:10000"), ctStep("dd-tr", "transporting", "urn:t:bol:BOL-4", 4, nil, "DD:10000")))
	noQty := strings.Replace(ctNoBill(ctShipTo("da-ship3", "", port, 5, nil, "DA:10000")), `, "quantity": 10000, "uom": "KGM"`, "", 1)
	for _, c := range []struct{ what, ev, lot string }{
		{"DA shipped again after departing, no bill", ctNoBill(ctShipTo("da-ship2", "", port, 5, nil, "DA:10000")), "DA"},
		{"DA shipped again after departing, no quantity, no bill", noQty, "DA"},
		{"DA shipped again after departing under BOL-2", ctShipTo("da-ship4", "urn:t:bol:BOL-2", port, 5, nil, "DA:10000"), "DA"},
		{"C1 alone shipped again after departing, no bill", ctNoBill(ctShipTo("db-ship2", "", port, 5, []string{cbC1})), "DB"},
		{"DB shipped again by a quantity line after C1 departed, no bill", ctNoBill(ctShipTo("db-ship3", "", port, 5, nil, "DB:10000")), "DB"},
		{"DC shipped again after its loading, no bill", ctNoBill(ctShipTo("dc-ship2", "", port, 5, nil, "DC:10000")), "DC"},
		{"DD shipped again after its transporting, no bill", ctNoBill(ctShipTo("dd-ship2", "", port, 5, nil, "DD:10000")), "DD"},
	} {
		ctRefusedWith(t, s, c.what, ctDoc(c.ev), critmin.ECONFLICT, "/epcisBody/eventList/0/bizLocation", "urn:t:lot:"+c.lot, "in transit")
	}
	MustCapture(t, svc, ctDoc(ctRecvAt("da-recv", "urn:t:bol:BOL-1", khi, 6, nil, "DA:10000"), ctRecvAt("db-recv", "urn:t:bol:BOL-B1", khi, 6, []string{cbC1}),
		ctRecvAt("dc-recv", "urn:t:bol:BOL-3", khi, 6, nil, "DC:10000"), ctRecvAt("dd-recv", "urn:t:bol:BOL-4", khi, 6, nil, "DD:10000")))
	for _, id := range []string{"urn:t:lot:DA", "urn:t:lot:DB", "urn:t:lot:DC", "urn:t:lot:DD"} {
		if l := mustLot(t, s, id); l.Status != critmin.LotInStock || l.Location != khi || !ctNear(l.RemainingWetTonnes(), 10) {
			t.Errorf("%s after its bill's receipt: %s at %s, %v t; want in_stock at %s with 10 t", id, l.Status, l.Location, l.RemainingWetTonnes(), khi)
		}
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
