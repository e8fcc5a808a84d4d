package storetest

import (
	"context"
	"testing"
)

// testCorrectiveReceiptEitherOrder (new-user check n8e-3): a document
// holding a declaration in error of a receipt and its corrective receipt
// is judged the same whichever comes first (docs/epcis.md: a document
// may hold a declaration and its corrective events, in either order).
//
//	Loose: A (10,000 kg) at mb; 8,000 kg shipped to khi under BA1
//	(Oct 3) and received there, r1 (Oct 4). r1 declared with corrective
//	r1b, "A 8,000 kg" under BA1 (Oct 5), in one document: taken in both
//	orders (declaration first read "already received under BA1 (event
//	r1)"); A stays 10 t, 8 t received at khi.
//	With a run: see below.
//	Containers: L (10,000 kg) at mb, 6,000 kg into D1 and 4,000 kg into
//	D2 (Oct 2); [D1, D2] shipped under B1 (Oct 3); [D1] received with
//	"L 5,400 kg" (Oct 4), [D2] with "L 4,000 kg" (rd2, Oct 5). rd2
//	declared with corrective rd2b, [D2] "L 3,900 kg" (Oct 6): taken in
//	both orders (both were refused naming rd1, D1's receipt); L weighs
//	5.4 + 3.9 = 9.3 t.
func testCorrectiveReceiptEitherOrder(t *testing.T, open Opener) {
	for _, corrFirst := range []bool{false, true} {
		order := "declaration first"
		if corrFirst {
			order = "corrective first"
		}
		both := func(decl, corr string) string {
			if corrFirst {
				return ctDoc(corr, decl)
			}
			return ctDoc(decl, corr)
		}
		s := open(t)
		r1 := ctRecvAt("r1", "urn:t:bol:BA1", "urn:t:site:khi", 4, nil, "A:8000")
		cfaCapture(t, s, "A shipped and received", ctDoc(cfLot("A", "PAK", 10000, "Nd:10"), ccShip("s1", "urn:t:bol:BA1", 3, nil, "A:8000")))
		cfaCapture(t, s, "r1", ctDoc(r1))
		cfaCapture(t, s, order+": r1 declared with its corrective r1b", both(declaredWith(t, r1, "urn:t:ev:r1b"),
			ctRecvAt("r1b", "urn:t:bol:BA1", "urn:t:site:khi", 5, nil, "A:8000")))
		a, err := s.FindLot(context.Background(), "urn:t:lot:A")
		if err != nil {
			t.Fatal(err)
		}
		got := 0.0
		for _, p := range a.Parts {
			if p.Status == "received" && p.ReceiptEventID == "urn:t:ev:r1b" {
				got += p.ReceivedMass()
			}
		}
		if !ctNear(a.WetTonnes, 10) || !ctNear(got, 8) {
			t.Errorf("%s: A weighs %v t, %v t received by r1b; want 10 t, 8 t", order, a.WetTonnes, got)
		}

		// With a run: B (10,000 kg) at mb, 8,000 kg shipped under BB1 and
		// received at khi (rb), run RB at khi takes "B 5,000 kg" (Oct 6).
		// rb declared with corrective rbb (same 8 t, Oct 5): taken in
		// both orders (declaration first was refused "overdrawn by
		// 3 t": 5 t taken of the 2 t at mb once rb alone was declared);
		// B: 8 − 5 = 3 t at khi, 2 t at mb, taken 5 t.
		rb := ctRecvAt("rb", "urn:t:bol:BB1", "urn:t:site:khi", 4, nil, "B:8000")
		cfaCapture(t, s, "B shipped and received", ctDoc(cfLot("B", "PAK", 10000, "Nd:10"), ccShip("sb", "urn:t:bol:BB1", 3, nil, "B:8000"), rb))
		cfaCapture(t, s, "RB", ctDoc(cfaAt(cfRun("RB", 6, nil, []string{"B:5000"}, "OB", 100), "urn:t:site:khi")))
		cfaCapture(t, s, order+": rb declared with its corrective rbb", both(declaredWith(t, rb, "urn:t:ev:rbb"),
			ctRecvAt("rbb", "urn:t:bol:BB1", "urn:t:site:khi", 5, nil, "B:8000")))
		cfaTaken(t, s, order+": after rb's correction", "B", 5)
		cfLotState(t, s, order+": after rb's correction", "B", "in_stock", 2, "", false)

		const d1, d2 = "urn:epc:id:sscc:0614141.3600000001", "urn:epc:id:sscc:0614141.3600000002"
		rd2 := ctRecvAt("rd2", "urn:t:bol:B1", "urn:t:site:khi", 5, []string{d2}, "L:4000")
		cfaCapture(t, s, "L packed and shipped", ctDoc(cfLot("L", "PAK", 10000, "Nd:10"),
			ctPack("p1", "ADD", d1, 2, "L:6000"), ctPack("p2", "ADD", d2, 2, "L:4000"),
			ccShip("sl", "urn:t:bol:B1", 3, []string{d1, d2})))
		cfaCapture(t, s, "rd1", ctDoc(ctRecvAt("rd1", "urn:t:bol:B1", "urn:t:site:khi", 4, []string{d1}, "L:5400")))
		cfaCapture(t, s, "rd2", ctDoc(rd2))
		cfaCapture(t, s, order+": rd2 declared with its corrective rd2b", both(declaredWith(t, rd2, "urn:t:ev:rd2b"),
			ctRecvAt("rd2b", "urn:t:bol:B1", "urn:t:site:khi", 6, []string{d2}, "L:3900")))
		l, err := s.FindLot(context.Background(), "urn:t:lot:L")
		if err != nil {
			t.Fatal(err)
		}
		if !ctNear(l.WetTonnes, 9.3) {
			t.Errorf("%s: L weighs %v t; want 5.4 + 3.9 = 9.3 t", order, l.WetTonnes)
		}
		// A replay of the log rebuilds the same record.
		if rep := verifyFull(t, s, nil, true); !rep.OK() {
			t.Fatalf("%s: verify: %v %v", order, rep.Problem, rep.Difference)
		}
	}
}
