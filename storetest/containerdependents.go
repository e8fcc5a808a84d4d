package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// Declarations in error of container events that later container events
// rest on (issue 8 §2, new-user check n8b items 6 and 7, fixPa).

const pahou = "urn:t:site:hou"

// testContainerReceiptDeclaredOnward (n8b item 6): lot PA, 10,000 kg at
// mb; 4 t packed into C1 and 6 t into C2 on Oct 2; [C1, C2] shipped to
// khi under B1 on Oct 3 (10 t in transit); [C1, C2] received at khi on
// Oct 5 (10 t at khi); [C1] alone shipped on from khi to Houston under
// BX on Oct 6: 10 − 4 = 6 t at khi, 4 t in transit. Lot PB the same by
// lines: 10 t shipped under B2, received, 4 t shipped on under BY.
//
// Declaring the Karachi receipt alone would put the whole 10 t back at
// sea under B1 while BX had taken 4 t of what stood at khi: by lines the
// declaration is refused 409 naming the onward shipment (its draw would
// move to the body at sea; checkRetractedDraws). By containers it was
// taken, and the onward [C1] moved the whole body on under BX (the views
// read 10 t under BX, 16 t in transit on the shipments index). Now the
// same verdict: 409 naming urn:t:ev:pa-on, nothing stored, PA still 6 t
// at khi and 4 t in transit (6 + 4 = 10). Declared together with the
// onward shipment it is taken: PA 10 t in transit under B1, 0 at khi
// (mass 10 = 0 standing + 10 in transit + 0 consumed); verify agrees.
// The twin: lot PE shipped and received alike, nothing shipped on —
// its receipt declared alone is taken, 10 t in transit.
func testContainerReceiptDeclaredOnward(t *testing.T, open Opener) {
	ctx := context.Background()
	s := open(t)
	svc := custody.NewService(s)
	const khi = "urn:t:site:khi"
	fromKhi := func(ev string) string {
		return strings.ReplaceAll(ev, `{"id": "urn:t:site:mb"}`, `{"id": "`+khi+`"}`)
	}
	recv := ctRecvAt("pa-recv", "urn:t:bol:B1", khi, 5, []string{cbC1, cbC2})
	onward := coOnward("pa-on", "shipping", "urn:t:bol:BX", khi, pahou, 6, []string{cbC1})
	MustCapture(t, svc, ctDoc(csLot("PA"), ctPack("pa-p1", "ADD", cbC1, 2, "PA:4000"), ctPack("pa-p2", "ADD", cbC2, 2, "PA:6000")))
	MustCapture(t, svc, ctDoc(ccShip("pa-ship", "urn:t:bol:B1", 3, []string{cbC1, cbC2})))
	MustCapture(t, svc, ctDoc(recv))
	MustCapture(t, svc, ctDoc(onward))
	lbWant(t, s, "PA after [C1] shipped on", "PA", 6, 0, 4, 0)
	recvB := ctRecvAt("pb-recv", "urn:t:bol:B2", khi, 5, nil, "PB:10000")
	onwardB := fromKhi(ctShipTo("pb-on", "urn:t:bol:BY", pahou, 6, nil, "PB:4000"))
	MustCapture(t, svc, ctDoc(csLot("PB"), ccShip("pb-ship", "urn:t:bol:B2", 3, nil, "PB:10000"), recvB))
	MustCapture(t, svc, ctDoc(onwardB))
	lbWant(t, s, "PB after 4 t shipped on", "PB", 6, 0, 4, 0)

	for _, c := range []struct{ lot, recv, onward, onwardID string }{{"PA", recv, onward, "urn:t:ev:pa-on"}, {"PB", recvB, onwardB, "urn:t:ev:pb-on"}} {
		n := ccEvents(t, s)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(ctDoc(declaredWith(t, c.recv)))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), "shipment "+c.onwardID+" ") {
			t.Errorf("%s: its Karachi receipt declared in error alone: %v; want 409 naming the onward shipment %s", c.lot, err, c.onwardID)
		}
		if ccEvents(t, s) != n {
			t.Errorf("%s: the refused declaration stored something", c.lot)
		}
		lbWant(t, s, c.lot+" after the refused declaration", c.lot, 6, 0, 4, 0)
		MustCapture(t, svc, ctDoc(declaredWith(t, c.recv), declaredWith(t, c.onward)))
		lbWant(t, s, c.lot+" after its receipt and onward shipment were declared", c.lot, 0, 0, 10, 0)
		l := mustLot(t, s, "urn:t:lot:"+c.lot)
		if b := ledger.BalanceOf(l); !ctNear(b.Mass, 10) || !ctNear(b.Sum(), 10) || !ctNear(b.InTransit, 10) {
			t.Errorf("%s: balance %+v; want mass 10 = 10 in transit", c.lot, b)
		}
	}

	MustCapture(t, svc, ctDoc(csLot("PE"), ctPack("pe-p1", "ADD", lsBox3, 2, "PE:10000")))
	MustCapture(t, svc, ctDoc(ccShip("pe-ship", "urn:t:bol:B5", 3, []string{lsBox3})))
	recvE := ctRecvAt("pe-recv", "urn:t:bol:B5", khi, 5, []string{lsBox3})
	MustCapture(t, svc, ctDoc(recvE))
	MustCapture(t, svc, ctDoc(declaredWith(t, recvE)))
	lbWant(t, s, "PE after its receipt, with nothing shipped on, was declared", "PE", 0, 0, 10, 0)
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testContainerDeclaredUnderRun (n8b item 7, fixOd's gap): a run fed a
// container whole consumed what the container held where it stood; the
// packing, shipment and receipt that put the lot in it and brought it to
// the run's site are what the run rests on.
//   - Lot PC, 10,000 kg at mb, packed whole into C1 on Oct 2; run pc-run
//     at mb fed C1 whole on Oct 5 (10 t consumed, 0 standing). Declaring
//     the packing alone: refused 409 naming the run (before: taken, PC
//     read 10 t in stock at mb beside the run's product — the run took
//     from nothing, flagged only as an anomaly); nothing stored, PC still
//     consumed (10 = 0 + 0 + 10). Declared with the run: taken, PC 10 t
//     in stock at mb.
//   - Lot PD, 10,000 kg at mb, packed whole into C1 (Oct 2), [C1] shipped
//     to khi under B3 (Oct 3), received there (Oct 5), run pd-run at khi
//     fed C1 whole (Oct 6: 10 t consumed). Declaring the receipt, or the
//     shipment with the receipt (C1 would be at sea, or at mb, when the
//     run at khi was fed it), or the packing (C1 would hold 0 t of PD,
//     not the 10 t consumed): each refused 409 naming pd-run (before,
//     each was taken and PD still read 10 t consumed at khi, a lot that
//     never left mb). The shipment alone is refused naming the receipt
//     (it would receive what nothing carried), as before. Nothing stored.
//     Everything declared with the run: taken, PD 10 t in stock at mb.
//   - The twin: lot PF packed into C2 and nothing fed it: its packing
//     declared alone is taken, 10 t in stock at mb.
func testContainerDeclaredUnderRun(t *testing.T, open Opener) {
	ctx := context.Background()
	const khi = "urn:t:site:khi"
	refused := func(t *testing.T, s critmin.Store, svc *ledger.Service, lot string, declare []string, named string, mb, khiT, taken float64) {
		t.Helper()
		n := ccEvents(t, s)
		_, err := svc.Capture(ctx, ledger.CaptureRequest{Body: []byte(ctDoc(declare...))})
		if critmin.ErrorCode(err) != critmin.ECONFLICT || !strings.Contains(critmin.ErrorMessage(err), " "+named+" ") {
			t.Errorf("%s: %v; want 409 naming %s", lot, err, named)
			return
		}
		ok := false
		for _, f := range critmin.ErrorFields(err) {
			ok = ok || f.Conflict && strings.Contains(f.Reason, " "+strings.Fields(named)[len(strings.Fields(named))-1]+" ")
		}
		if !ok {
			t.Errorf("%s: no problem field names %s: %+v", lot, named, critmin.ErrorFields(err))
		}
		if ccEvents(t, s) != n {
			t.Errorf("%s: the refused declaration stored something", lot)
		}
		lbWant(t, s, lot+" after the refused declaration", lot, khiT, mb, 0, taken)
	}

	t.Run("packing under a run at the packing site", func(t *testing.T) {
		s := open(t)
		svc := custody.NewService(s)
		pack := ctPack("pc-pack", "ADD", cbC1, 2, "PC:10000")
		run := cfRun("pc-run", 5, []string{cbC1}, nil, "PCX", 200)
		MustCapture(t, svc, ctDoc(csLot("PC"), pack))
		MustCapture(t, svc, ctDoc(run))
		lbWant(t, s, "PC after the run fed C1", "PC", 0, 0, 0, 10)
		refused(t, s, svc, "PC", []string{declaredWith(t, pack)}, "refinery run urn:t:ev:pc-run", 0, 0, 10)
		// The preview names the run too.
		st, err := custody.StrandedBy(ctx, s.(custody.Store), ydStored(t, s, "pc-pack"))
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, e := range st {
			found = found || e.Refused && e.Event.EventID == "urn:t:ev:pc-run"
		}
		if !found {
			t.Errorf("the declaration preview (StrandedBy) of the packing does not name the run: %+v", st)
		}
		MustCapture(t, svc, ctDoc(declaredWith(t, pack), declaredWith(t, run)))
		lbWant(t, s, "PC after its packing and the run were declared", "PC", 0, 10, 0, 0)
		// The twin: a packing nothing fed on.
		packF := ctPack("pf-pack", "ADD", cbC2, 2, "PF:10000")
		MustCapture(t, svc, ctDoc(csLot("PF"), packF))
		MustCapture(t, svc, ctDoc(declaredWith(t, packF)))
		lbWant(t, s, "PF after its packing was declared", "PF", 0, 10, 0, 0)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})

	pack := ctPack("pd-pack", "ADD", cbC1, 2, "PD:10000")
	ship := ccShip("pd-ship", "urn:t:bol:B3", 3, []string{cbC1})
	recv := ctRecvAt("pd-recv", "urn:t:bol:B3", khi, 5, []string{cbC1})
	run := lbRunAt("pd-run", 6, []string{cbC1}, nil, "PDX", 200)
	for _, c := range []struct {
		name    string
		declare []string
		named   string
	}{
		{"receipt", []string{recv}, "refinery run urn:t:ev:pd-run"},
		{"shipment and receipt", []string{ship, recv}, "refinery run urn:t:ev:pd-run"},
		{"packing", []string{pack}, "refinery run urn:t:ev:pd-run"},
		{"shipment", []string{ship}, "receipt urn:t:ev:pd-recv"},
	} {
		t.Run(c.name+" under a run at khi", func(t *testing.T) {
			s := open(t)
			svc := custody.NewService(s)
			MustCapture(t, svc, ctDoc(csLot("PD"), pack))
			MustCapture(t, svc, ctDoc(ship))
			MustCapture(t, svc, ctDoc(recv))
			MustCapture(t, svc, ctDoc(run))
			lbWant(t, s, "PD after the run at khi fed C1", "PD", 0, 0, 0, 10)
			var doc []string
			for _, ev := range c.declare {
				doc = append(doc, declaredWith(t, ev))
			}
			refused(t, s, svc, "PD", doc, c.named, 0, 0, 10)
			MustCapture(t, svc, ctDoc(declaredWith(t, pack), declaredWith(t, ship), declaredWith(t, recv), declaredWith(t, run)))
			lbWant(t, s, "PD after everything was declared", "PD", 0, 10, 0, 0)
			if rep := verifyFull(t, s, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
		})
	}
}
