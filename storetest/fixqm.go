package storetest

import (
	"testing"

	"github.com/critmin/critmin/custody"
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
