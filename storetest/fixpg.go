package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// Split trips weighed container by container in one document, at a port
// on the way and at the vessel, and the refusals that name a container's
// trip (issues 8 and 9, new-user check n8d, builder fixPg).

// pgAnomalyKinds is the kinds of lot's origin anomalies, in order.
func pgAnomalyKinds(t *testing.T, s critmin.Store, lot string) []string {
	t.Helper()
	o, err := custody.OriginOf(context.Background(), s.(custody.Store), lot, false)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range o.Anomalies {
		kinds = append(kinds, a.Kind+": "+a.Detail)
	}
	return kinds
}

// testSplitReceiptsOneDocument (n8d s51): lot QA, 10,000 kg at mb,
// 6,000 kg packed into C1 and 4,000 kg into C2; [C1, C2] shipped under
// BOL-QA on Oct 3 (6 + 4 = 10 t in transit). ONE capture document holds
// two receivings at khi on Oct 5: [C1] with its own line "QA 6,000 kg"
// (C1 carried 6 t: no loss) and [C2] with "QA 4,000 kg" (C2 carried
// 4 t: no loss). It was refused "already received" (the second was read
// as receiving what the first had). Taken: 6 + 4 = 10 t at khi, 0 t in
// transit; verify clean.
//
// The same with [C1] weighed "QA 5,900 kg": C1's 6 t arrived as 5.9 t,
// (6 − 5.9) / 6 = 1.7 % short (within the 5 % limit); the lot weighs
// 5.9 + 4 = 9.9 t at khi, 0 t in transit, and its origin reads exactly
// as when the two receipts come in two documents (the twin store). With
// "QA 5,400 kg", (6 − 5.4) / 6 = 10 % short: 5.4 + 4 = 9.4 t, and the
// origin carries transit_loss for C1's share in both stores.
func testSplitReceiptsOneDocument(t *testing.T, open Opener) {
	const bol, khi, lot = "urn:t:bol:BOL-QA", "urn:t:site:khi", "urn:t:lot:QA"
	setup := func(t *testing.T) critmin.Store {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(csLot("QA"), ctPack("qa-pack1", "ADD", cbC1, 2, "QA:6000"), ctPack("qa-pack2", "ADD", cbC2, 2, "QA:4000")))
		MustCapture(t, svc, ctDoc(ccShip("qa-ship", bol, 3, []string{cbC1, cbC2})))
		return s
	}
	t.Run("as shipped", func(t *testing.T) {
		s := setup(t)
		MustCapture(t, custody.NewService(s), ctDoc(ctRecvAt("qa-recv1", bol, khi, 5, []string{cbC1}, "QA:6000"), ctRecvAt("qa-recv2", bol, khi, 5, []string{cbC2}, "QA:4000")))
		tsWant(t, s, "[C1] and [C2] received with their lines in one document", lot, 0, 0, 10)
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
		}
	})
	for _, c := range []struct {
		kg    string
		total float64 // kg/1000 + C2's 4 t
		loss  bool    // beyond the 5 % transit limit
	}{{"5900", 9.9, false}, {"5400", 9.4, true}} {
		t.Run("C1 weighed "+c.kg+" kg", func(t *testing.T) {
			one, two := setup(t), setup(t)
			r1, r2 := ctRecvAt("qa-recv1", bol, khi, 5, []string{cbC1}, "QA:"+c.kg), ctRecvAt("qa-recv2", bol, khi, 5, []string{cbC2}, "QA:4000")
			MustCapture(t, custody.NewService(one), ctDoc(r1, r2))
			MustCapture(t, custody.NewService(two), ctDoc(r1))
			MustCapture(t, custody.NewService(two), ctDoc(r2))
			for _, st := range []struct {
				what string
				s    critmin.Store
			}{{"one document", one}, {"two documents", two}} {
				l := mustLot(t, st.s, lot)
				atKhi, _ := custody.StandingMass(l, khi)
				if !ctNear(l.WetTonnes, c.total) || !ctNear(atKhi, c.total) || !ctNear(lsInTransit(l), 0) {
					t.Errorf("%s: %v t, %v t at khi, %v t in transit (%s at %s, parts %+v); want %v, %v, 0", st.what, l.WetTonnes, atKhi, lsInTransit(l), l.Status, l.Location, l.Parts, c.total, c.total)
				}
			}
			a, b := pgAnomalyKinds(t, one, lot), pgAnomalyKinds(t, two, lot)
			if strings.Join(a, "\n") != strings.Join(b, "\n") {
				t.Errorf("anomalies in one document %q; in two %q", a, b)
			}
			// 5.4 t of C1's 6 t: (6 − 5.4) / 6 = 10.0 % short, beyond 5 %.
			if got := strings.Contains(strings.Join(a, "\n"), "transit_loss: lot "+lot+" was received with 5.4 t of the 6 t shipped"); got != c.loss {
				t.Errorf("transit_loss of C1's share in one document: %v (%q); want %v", got, a, c.loss)
			}
			if rep := verifyFull(t, one, nil, true); !rep.OK() {
				t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
			}
		})
	}
}

// testSplitStepsWithLine (n8d s34, s45): lot QB, 10,000 kg at mb,
// 6,000 kg packed into C1 and 4,000 kg into C2; [C1, C2] shipped mb →
// hou under B1 on Oct 3 (10 t at sea). A carrier's departing of [C2] at
// khi under B1 on Oct 5 with its own line "QB 4,000 kg" weighs what C2
// carries, 4 t (it was judged against the trip's 10 t: (4 − 10) / 10 =
// −60 %, refused); a transporting of [C1] at the vessel under B1 on
// Oct 6 with "QB 6,000 kg" weighs C1's 6 t (was −40 %). Both taken: still
// 10 t at sea; received at hou: 10 t there.
//
// A real over-weighing of the named container's share stays refused 409
// at the quantityList: [C2] with "QB 6,000 kg" is (6 − 4) / 4 = +50 % over C2's
// 4 t; [C1] with "QB 10,000 kg" is (10 − 6) / 6 = +66.7 % over C1's 6 t.
// Each names the lot and the share it weighs, and nothing is stored.
func testSplitStepsWithLine(t *testing.T, open Opener) {
	const mb, khi, hou, vessel = "urn:t:site:mb", "urn:t:site:khi", "urn:t:site:hou", "urn:t:vessel:V1"
	const b1, lot = "urn:t:bol:B1", "urn:t:lot:QB"
	const at = "/epcisBody/eventList/0/quantityList"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("QB"), ctPack("qb-pack1", "ADD", cbC1, 2, "QB:6000"), ctPack("qb-pack2", "ADD", cbC2, 2, "QB:4000")))
	MustCapture(t, svc, ctDoc(saLeave("qb-ship", "shipping", b1, mb, "all", hou, 3, []string{cbC1, cbC2})))
	ctRefusedWith(t, s, "[C2] departing khi with QB 6,000 kg", ctDoc(saLeave("qb-dep", "departing", b1, khi, "all", hou, 5, []string{cbC2}, "QB:6000")),
		critmin.ECONFLICT, at, lot, "what container", "recorded at 4 t and shipped at 6 t")
	ctRefusedWith(t, s, "[C1] transporting with QB 10,000 kg", ctDoc(saLeave("qb-tr", "transporting", b1, vessel, "readPoint", hou, 6, []string{cbC1}, "QB:10000")),
		critmin.ECONFLICT, at, lot, "what container", "recorded at 6 t and shipped at 10 t")
	MustCapture(t, svc, ctDoc(saLeave("qb-dep", "departing", b1, khi, "all", hou, 5, []string{cbC2}, "QB:4000")))
	MustCapture(t, svc, ctDoc(saLeave("qb-tr", "transporting", b1, vessel, "readPoint", hou, 6, []string{cbC1}, "QB:6000")))
	if l := mustLot(t, s, lot); !ctNear(lsInTransit(l), 10) || !ctNear(l.WetTonnes, 10) {
		t.Errorf("after the departing and the transporting: %v t in transit, %v t (parts %+v); want 10, 10", lsInTransit(l), l.WetTonnes, l.Parts)
	}
	MustCapture(t, svc, ctDoc(ctRecvAt("qb-recv", b1, hou, 8, []string{cbC1, cbC2})))
	l := mustLot(t, s, lot)
	atHou, _ := custody.StandingMass(l, hou)
	if !ctNear(atHou, 10) || !ctNear(lsInTransit(l), 0) {
		t.Errorf("after the receipt at hou: %v t at hou, %v t in transit (parts %+v); want 10, 0", atHou, lsInTransit(l), l.Parts)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testShippedWhileOnAnotherTrip (n8d s54): lot QC, 10,000 kg at mb,
// 6,000 kg in C1 and 4,000 kg in C2; [C1] shipped to khi under BOL-QC1
// on Oct 3 and not received. [C1, C2] shipped from mb under BOL-QC2 on
// Oct 5 is refused 409, naming C1, the trip it is on (its shipping
// event urn:t:ev:qc-ship1 and bill BOL-QC1); nothing is stored: 6 t in
// transit, 4 t at mb.
func testShippedWhileOnAnotherTrip(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("QC"), ctPack("qc-pack1", "ADD", cbC1, 2, "QC:6000"), ctPack("qc-pack2", "ADD", cbC2, 2, "QC:4000")))
	MustCapture(t, svc, ctDoc(ccShip("qc-ship1", "urn:t:bol:BOL-QC1", 3, []string{cbC1})))
	ccRefused(t, s, "[C1, C2] shipped with C1 at sea", ctDoc(ccShip("qc-ship2", "urn:t:bol:BOL-QC2", 5, []string{cbC1, cbC2})),
		cbC1, "urn:t:ev:qc-ship1", "urn:t:bol:BOL-QC1")
	tsWant(t, s, "the refused shipment", "urn:t:lot:QC", 4, 6, 0)
}

// testSplitReceiptCorrected (n8d s35F): lot QD, 10,000 kg at mb, 6,000
// kg in C1 and 4,000 kg in C2; [C1, C2] shipped to khi under BOL-QD on
// Oct 3; [C1] received at khi on Oct 5 with its line "QD 6,000 kg"
// (6 t at khi, C2's 4 t at sea); [C1] shipped on from khi to port under
// BOL-QD2 on Oct 8 (C1's 6 t at sea again). The receipt declared in
// error alone would leave C1 at sea under BOL-QD when the onward
// shipment took it from khi: refused, naming the onward shipment.
// Declared in the same document as its corrective event (a receiving of
// [C1] at khi on Oct 5 with the same line, named in correctiveEventIDs)
// the onward shipment keeps its basis: taken; 6 t at sea under BOL-QD2,
// C2's 4 t (the body) at sea under BOL-QD, the lot 10 t. A corrective
// that does not keep it (a receipt of [C2] with "QD 4,000 kg" instead:
// C1 would be at sea under BOL-QD when the onward shipment took it from
// khi) leaves the declaration refused, naming the onward shipment.
func testSplitReceiptCorrected(t *testing.T, open Opener) {
	const bol, khi, lot = "urn:t:bol:BOL-QD", "urn:t:site:khi", "urn:t:lot:QD"
	s := open(t)
	svc := custody.NewService(s)
	recv := ctRecvAt("qd-recv1", bol, khi, 5, []string{cbC1}, "QD:6000")
	MustCapture(t, svc, ctDoc(csLot("QD"), ctPack("qd-pack1", "ADD", cbC1, 2, "QD:6000"), ctPack("qd-pack2", "ADD", cbC2, 2, "QD:4000")))
	MustCapture(t, svc, ctDoc(ccShip("qd-ship", bol, 3, []string{cbC1, cbC2})))
	MustCapture(t, svc, ctDoc(recv))
	MustCapture(t, svc, ctDoc(coOnward("qd-onward", "shipping", "urn:t:bol:BOL-QD2", khi, "urn:t:site:port", 8, []string{cbC1})))
	ccRefused(t, s, "[C1]'s receipt declared alone under its onward shipment", ctDoc(ydDeclared(recv)), "urn:t:ev:qd-onward")
	ccRefused(t, s, "[C1]'s receipt declared with [C2]'s as corrective", ctDoc(declaredWith(t, recv, "urn:t:ev:qd-recv1c"), ctRecvAt("qd-recv1c", bol, khi, 5, []string{cbC2}, "QD:4000")), "urn:t:ev:qd-onward")
	MustCapture(t, svc, ctDoc(declaredWith(t, recv, "urn:t:ev:qd-recv1b"), ctRecvAt("qd-recv1b", bol, khi, 5, []string{cbC1}, "QD:6000")))
	l := mustLot(t, s, lot)
	var onward float64
	for _, p := range l.Parts {
		if p.Status == critmin.PartInTransit && p.BillOfLading == "urn:t:bol:BOL-QD2" {
			onward += p.Tonnes
		}
	}
	// C1's 6 t at sea under BOL-QD2 (the onward part), C2's 10 − 6 = 4 t
	// the body still at sea under BOL-QD: 6 + 4 = 10 t in transit.
	if !ctNear(l.WetTonnes, 10) || !ctNear(onward, 6) || l.Status != critmin.LotInTransit || !ctNear(l.RemainingWetTonnes(), 4) || !ctNear(lsInTransit(l), 10) {
		t.Errorf("QD after the receipt corrected: %v t, %v t under BOL-QD2, body %v t %s, %v t in transit (parts %+v); want 10, 6, 4 in_transit, 10",
			l.WetTonnes, onward, l.RemainingWetTonnes(), l.Status, lsInTransit(l), l.Parts)
	}
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Fatalf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testRunRefusalAtItsDate (n8d s11b): lot QE, 10,000 kg at mb; 6,000 kg
// shipped by a line to khi under B1 on Oct 3, the other 4,000 kg to hou
// under B2 on Oct 4 (every tonne left as parts: 6 + 4 = 10 t in
// transit); B2's 4 t received at hou on Oct 8. A run at khi dated Oct 5
// taking "QE 1,000 kg" is refused: nothing of QE stood at khi then
// (B1's 6 t were still at sea). The refusal says how the lot stood at
// the run's date, Oct 5 — 10 t in transit (6 t under B1, 4 t under B2)
// — not as it stands now (4 t at hou, 6 t in transit).
func testRunRefusalAtItsDate(t *testing.T, open Opener) {
	const khi, hou = "urn:t:site:khi", "urn:t:site:hou"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(csLot("QE")))
	MustCapture(t, svc, ctDoc(saLeave("qe-ship1", "shipping", "urn:t:bol:B1", "urn:t:site:mb", "all", khi, 3, nil, "QE:6000")))
	MustCapture(t, svc, ctDoc(saLeave("qe-ship2", "shipping", "urn:t:bol:B2", "urn:t:site:mb", "all", hou, 4, nil, "QE:4000")))
	MustCapture(t, svc, ctDoc(ctRecvAt("qe-recv2", "urn:t:bol:B2", hou, 8, nil, "QE:4000")))
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(peRunAt("qe-run", khi, 5, nil, []string{"QE:1000"}, "QEX", 500)))})
	if err == nil {
		t.Fatal("run at khi on Oct 5 with nothing of QE there: accepted; want refused")
	}
	// At Oct 5: 6 t (B1) + 4 t (B2) = 10 t in transit, nothing at hou.
	if !strings.Contains(err.Error(), "10 t in transit") || strings.Contains(err.Error(), "4 t at "+hou) {
		t.Errorf("run at khi on Oct 5: refusal %q; want the lot as it stood then (10 t in transit), not now (4 t at hou)", err)
	}
}
