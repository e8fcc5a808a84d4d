package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/ledger"
)

// testHeavyDrawnUnpackedFed (WRONG FIGURE, issue 9, builder fixQm): a
// weighed gain and a line draw read on one basis. At khi: PK (Pakistan,
// 10,000 kg, Nd 10 %) and K (China, 4,000 kg, Nd 5 %); on Oct 2 PK
// 3,000 kg and K 4,000 kg packed into C1; [C1] shipped to mb on Oct 3
// and received there on Oct 4 weighing "PK 3,015 kg" (+0.015 t, +0.5 %,
// within the outturn tolerance): C1 holds PK 3.015 t (HeldAt books the
// gain in the container), and nothing of PK stands loose at mb. Run R1
// at mb on Oct 5 takes "PK 1,000 kg" by line: all 1 t comes out of C1,
// which holds 3.015 − 1 = 2.015 t. "PK 1,015 kg" unpacked on Oct 6: C1
// holds PK 2.015 − 1.015 = 1 t and K 4 t. Run R2 fed C1 whole on Oct 7
// → P2 200 kg takes PK 1 t and K 4 t: dry mass 1 / 5 = 20 % Pakistani;
// Nd 1 × 10 % = 0.1 t of 0.1 + 4 × 5 % = 0.3 t, 1/3 = 33.33 %.
//
// The line draw's replay (custody.LineDraws) left the gain out of C1 and
// read it as 0.015 t loose at mb: R1 drew only 0.985 t out of C1, which
// then held 3.015 − 0.985 − 1.015 = 1.015 t, and R2 took 0.015 t too
// much (Nd 0.1015 / 0.3015 = 33.67 %).
//
// PK stands 10 + 0.015 − 1 − 1 = 8.015 t after R2: 7 t at khi and the
// 1.015 t unpacked at mb. Verify's rebuild agrees.
func testHeavyDrawnUnpackedFed(t *testing.T, open Opener) {
	const bol, mb = "urn:t:bol:BOL-QM", "urn:t:site:mb"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(piAtKhi(cfLot("PK", "PAK", 10000, "Nd:10")), piAtKhi(cfLot("K", "CHN", 4000, "Nd:5")), piAtKhi(ctPack("qm-pack", "ADD", cbC1, 2, "PK:3000", "K:4000"))))
	MustCapture(t, svc, ctDoc(piAtKhi(ccShip("qm-ship", bol, 3, []string{cbC1}))))
	MustCapture(t, svc, ctDoc(ctRecvAt("qm-recv", bol, mb, 4, []string{cbC1}, "PK:3015")))
	qeHolds(t, s, "after the heavy receipt", map[string]float64{"PK": 3.015, "K": 4})
	MustCapture(t, svc, ctDoc(cfRun("qm-R1", 5, nil, []string{"PK:1000"}, "P1", 100)))
	qeHolds(t, s, "after R1's draw", map[string]float64{"PK": 2.015, "K": 4})
	MustCapture(t, svc, ctDoc(qeUnpack("qm-un1", 6, "PK", "1015")))
	qeHolds(t, s, "after the unpacking", map[string]float64{"PK": 1, "K": 4})
	MustCapture(t, svc, ctDoc(cfRun("qm-R2", 7, []string{cbC1}, nil, "P2", 200)))
	qeOrigin(t, s, "R2 fed C1", "P2", 1.0/5, 0.1/0.3)
	pkStanding(t, s, "after R2", "PK", 8.015)
	qeHolds(t, s, "after R2", map[string]float64{})
	piBalanced(t, s, "PK", "K")
	qeVerified(t, s, "heavy, drawn, unpacked")
}

// testRunFedUnrecordedContainer (WRONG PASS, issue 9, builder fixQm): a
// run fed by inputEPCList a container no event ever named — never packed,
// moved or fed — is refused as a run naming a never-recorded lot is
// (custody checkLotRecorded): 400 (EINVALID) naming the container (its
// canonical Digital Link form) and its inputEPCList member, and saying
// it was never recorded; nothing is stored. The
// same run fed C1 after a packing into it, stored or earlier in the
// same document, is taken.
//
// At mb: PK (Pakistan, 10,000 kg). Run R on Oct 5 fed C2 whole and
// "PK 1,000 kg" by line → P 200 kg: refused, C2 never recorded, P not
// made, PK still 10 t. PK 3,000 kg packed into C1 on Oct 2 and R fed C1
// whole instead: taken, PK stands 10 − 3 = 7 t.
func testRunFedUnrecordedContainer(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(cfLot("PK", "PAK", 10000, "Nd:10")))
	ccRefused(t, s, "run fed a never-recorded container", ctDoc(cfRun("qm-R", 5, []string{cbC2}, []string{"PK:1000"}, "P", 200)),
		epcis.Canonical(cbC2), "was never recorded", "inputEPCList/0")
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(cfRun("qm-R", 5, []string{cbC2}, nil, "P", 200)))})
	if critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("run fed C2 alone: %v, want EINVALID", err)
	}
	if _, err := s.FindLot(context.Background(), "urn:t:lot:P"); critmin.ErrorCode(err) != critmin.ENOTFOUND {
		t.Errorf("P after the refusals: %v, want not found", err)
	}
	pkStanding(t, s, "after the refusals", "PK", 10)
	MustCapture(t, svc, ctDoc(ctPack("qm-pack", "ADD", cbC1, 2, "PK:3000"), cfRun("qm-R", 5, []string{cbC1}, nil, "P", 200)))
	pkStanding(t, s, "after R fed C1", "PK", 7)
}

// testShipConsumedLot (UNCLEAR answer, issue 9, builder fixQm): K
// (China, 4,000 kg) at mb, run RK on Oct 5 takes "K 4,000 kg": K is
// consumed (4 of its 4 t). A shipment of "K 1,000 kg" on Oct 7 is
// refused saying K was consumed by run urn:t:run:qm-RK at
// 2025-10-05T00:00:00Z — not as a weighing (it read "weighing of lot
// … refused … a later weighing of 0 t"); nothing is stored.
func testShipConsumedLot(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(cfLot("K", "CHN", 4000, "Nd:5")))
	MustCapture(t, svc, ctDoc(cfRun("qm-RK", 5, nil, []string{"K:4000"}, "P", 200)))
	body := ctDoc(ccShip("qm-shipK", "urn:t:bol:BOL-QMK", 7, nil, "K:1000"))
	ccRefused(t, s, "ship consumed K", body, "urn:t:lot:K", "consumed by urn:t:run:qm-RK at 2025-10-05T00:00:00Z")
	_, err := custody.NewService(s).Capture(context.Background(), ledger.CaptureRequest{Body: []byte(body)})
	if err != nil && strings.Contains(err.Error(), "weighing") {
		t.Errorf("ship consumed K: refused as a weighing: %v", err)
	}
	if l := mustLot(t, s, "urn:t:lot:K"); l.Status != critmin.LotConsumed {
		t.Errorf("K after the refusal: %s, want consumed", l.Status)
	}
}

// testConsumedBodyPartInTransit (UNCLEAR answer, issue 9, builder
// fixQm): PK (Pakistan, 10,000 kg) at mb; "PK 3,000 kg" shipped by line
// to khi on Oct 3 under BOL-QM and not received; run R on Oct 5 takes
// "PK 7,000 kg": the body is consumed (10 − 3 − 7 = 0 t remain at mb),
// the 3 t part is at sea. The lot is not consumed (status in_stock:
// the part is still its own) and nothing of it stands at any site; its
// whereabouts say the body was consumed (7 t taken) and the part is in
// transit: 3 t shipped by event qm-ship under BOL-QM from mb to khi, not
// yet received (it read only "3 t in transit", and the lot API showed
// in_stock with an empty standsAt and nothing more).
func testConsumedBodyPartInTransit(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(cfLot("PK", "PAK", 10000, "Nd:10")))
	MustCapture(t, svc, ctDoc(ccShip("qm-ship", "urn:t:bol:BOL-QM", 3, nil, "PK:3000")))
	MustCapture(t, svc, ctDoc(cfRun("qm-R", 5, nil, []string{"PK:7000"}, "P", 200)))
	l := mustLot(t, s, "urn:t:lot:PK")
	if l.Status != critmin.LotInStock || !ctNear(l.RemainingWetTonnes(), 0) || !ctNear(l.InTransitTonnes(), 3) {
		t.Errorf("PK: %s, %v t remaining, %v t in transit; want in_stock, 0, 3", l.Status, l.RemainingWetTonnes(), l.InTransitTonnes())
	}
	if !custody.BodyConsumed(l) {
		t.Error("PK's body is not read as consumed")
	}
	w := custody.Whereabouts(l, nil)
	for _, want := range []string{"the body consumed by runs (7 t taken; 0 t remain where it stood)",
		"3 t in transit (part shipped by event urn:t:ev:qm-ship under bill of lading urn:t:bol:BOL-QM from urn:t:site:mb to urn:t:site:khi, not yet received)"} {
		if !strings.Contains(w, want) {
			t.Errorf("PK's whereabouts %q do not say %q", w, want)
		}
	}
	if strings.Contains(w, "standing at") {
		t.Errorf("PK's whereabouts %q say something stands; nothing does", w)
	}
}
