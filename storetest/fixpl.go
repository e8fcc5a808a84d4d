package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// A container received with a weighed line of a lot (a split trip's
// short share, issue 9, new-user check n8e-2, builder fixPl) holds the
// weighed figure of that lot from then on: a run fed it whole, or a
// dispatch of it, takes what it was found to hold, not what was packed.

// plSetup captures lot id (Pakistan, 10,000 kg, Nd 10 % + Pr 2 %) at mb,
// 6,000 kg packed into C1 and 4,000 kg into C2 on Oct 2 (with extra
// events in that document), [C1, C2] shipped to khi under bol on Oct 3.
func plSetup(t *testing.T, svc *ledger.Service, id, bol string, extra ...string) {
	t.Helper()
	evs := append([]string{cfLot(id, "PAK", 10000, "Nd:10", "Pr:2"), ctPack(id+"-pack1", "ADD", cbC1, 2, id+":6000"), ctPack(id+"-pack2", "ADD", cbC2, 2, id+":4000")}, extra...)
	MustCapture(t, svc, ctDoc(evs...))
	MustCapture(t, svc, ctDoc(ccShip(id+"-ship", bol, 3, []string{cbC1, cbC2})))
}

// plStanding wants lot id to have want wet tonnes standing at site.
func plStanding(t *testing.T, s critmin.Store, when, id, site string, want float64) {
	t.Helper()
	l := mustLot(t, s, "urn:t:lot:"+id)
	if got, _ := custody.StandingMass(l, site); !ctNear(got, want) {
		t.Errorf("%s: %s has %v t standing at %s (%s at %s, body %v t, parts %+v); want %v", when, id, got, site, l.Status, l.Location, l.RemainingWetTonnes(), l.Parts, want)
	}
}

// plPAK wants lot id's Pakistan share by dry mass and by contained Nd
// and Pr, read with and without evidence.
func plPAK(t *testing.T, s critmin.Store, when, id string, mass, nd float64) {
	t.Helper()
	for _, evidence := range []bool{true, false} {
		o, err := custody.OriginOf(context.Background(), s.(custody.Store), "urn:t:lot:"+id, evidence)
		if err != nil {
			t.Fatal(err)
		}
		if got := ctShare(o.Mass.ByCountry, "PAK"); !ctNear(got, mass) {
			t.Errorf("%s: %s Pakistan's dry-mass share %v, want %v (%+v)", when, id, got, mass, o.Mass.ByCountry)
		}
		for _, el := range []string{"Nd", "Pr"} {
			if got := ctShare(o.Elements[el].ByCountry, "PAK"); !ctNear(got, nd) {
				t.Errorf("%s: %s Pakistan's %s share %v, want %v (%+v)", when, id, el, got, nd, o.Elements[el].ByCountry)
			}
		}
	}
}

// plRunAt is piRun (NdPr oxide at Nd 60 % + Pr 20 %, 500 kg) at site,
// fed the containers ssccs whole.
func plRunAt(id, site string, day int, ssccs []string, out string) string {
	return strings.Replace(piRun(id, day, ssccs, nil, out, ""), `"bizLocation": {"id": "urn:t:site:mb"}`, `"bizLocation": {"id": "`+site+`"}`, 1)
}

// testWeighedShareFed (n8e-2 s4, a WRONG PASS): lot La, 10,000 kg at mb,
// 6,000 kg in C1 and 4,000 kg in C2, [C1, C2] shipped to khi under
// BOL-LA on Oct 3. [C1] received on Oct 5 with its weighed line
// "La 5,400 kg" (C1's share 10 % short), [C2] on Oct 6 with "La 4,000
// kg": 5.4 + 4 = 9.4 t at khi. Run R1 on Oct 7 fed C1 whole takes what C1
// was weighed to hold, 5.4 t (it took the packed 6 t), leaving 9.4 − 5.4
// = 4 t, all in C2; run R2 on Oct 8 taking "La 4,000 kg" by line is
// taken (it was refused: 9.4 − 6 = 3.4 t remained) and consumes La.
// The lot balance closes (10 t made = 0.6 t lost in transit + 5.4 + 4
// consumed); verify's rebuild agrees.
func testWeighedShareFed(t *testing.T, open Opener) {
	const bol, khi = "urn:t:bol:BOL-LA", "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	plSetup(t, svc, "La", bol)
	MustCapture(t, svc, ctDoc(ctRecvAt("La-recv1", bol, khi, 5, []string{cbC1}, "La:5400")))
	MustCapture(t, svc, ctDoc(ctRecvAt("La-recv2", bol, khi, 6, []string{cbC2}, "La:4000")))
	plStanding(t, s, "after both receipts", "La", khi, 9.4)
	MustCapture(t, svc, ctDoc(peRunAt("La-R1", khi, 7, []string{cbC1}, nil, "Oa1", 500)))
	plStanding(t, s, "after R1 fed C1", "La", khi, 4)
	MustCapture(t, svc, ctDoc(peRunAt("La-R2", khi, 8, nil, []string{"La:4000"}, "Oa2", 300)))
	cfLotState(t, s, "after R2", "La", critmin.LotConsumed, 0, "Oa2", true)
	piBalanced(t, s, "La")
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Errorf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testWeighedShareTwoLots (n8e-2 s3, a WRONG PASS): Lb (Pakistan,
// 10,000 kg, Nd 10 % + Pr 2 %) packed 6,000 kg into C1 and 4,000 kg into
// C2, and Mb (China, 3,000 kg, Nd 5 % + Pr 1 %) packed 3,000 kg into C1,
// at mb on Oct 2; [C1, C2] shipped to khi under BOL-LB on Oct 3. [C1]
// received on Oct 5 with "Lb 5,400 kg" (its weighed share; Mb, not
// weighed, keeps its 3 t in C1), [C2] on Oct 6 with "Lb 4,000 kg". Run
// R1 on Oct 7 fed C1 whole takes Lb 5.4 t and Mb 3 t: Ob1's dry mass is
// 5.4 / (5.4 + 3) = 64.29 % Pakistan (it read 6 / 9 = 66.7 %), its Nd
// 5.4 × 10 % = 0.54 t against 3 × 5 % = 0.15 t: 0.54 / 0.69 = 78.26 %
// (it read 0.6 / 0.75 = 80 %), its Pr 0.108 / (0.108 + 0.03) = 78.26 %
// alike. Lb keeps 9.4 − 5.4 = 4 t at khi, all in C2. "Lb 1,000 kg" is
// then shipped by line to the port under BOL-LB2 on Oct 8 (out of C2:
// nothing else of Lb is loose at khi), and [C2] shipped on to the port
// under BOL-LB3 on Oct 9 carries the 4 − 1 = 3 t left in it (it carried
// 2.4 t); its receipt there on Oct 10, stating no weight, receives 3 t.
// Verify's rebuild agrees; both lots' balances close.
func testWeighedShareTwoLots(t *testing.T, open Opener) {
	const bol, khi, port = "urn:t:bol:BOL-LB", "urn:t:site:khi", "urn:t:site:port"
	s := open(t)
	svc := custody.NewService(s)
	plSetup(t, svc, "Lb", bol, cfLot("Mb", "CHN", 3000, "Nd:5", "Pr:1"), ctPack("Mb-pack", "ADD", cbC1, 2, "Mb:3000"))
	MustCapture(t, svc, ctDoc(ctRecvAt("Lb-recv1", bol, khi, 5, []string{cbC1}, "Lb:5400")))
	MustCapture(t, svc, ctDoc(ctRecvAt("Lb-recv2", bol, khi, 6, []string{cbC2}, "Lb:4000")))
	plStanding(t, s, "after both receipts", "Mb", khi, 3)
	MustCapture(t, svc, ctDoc(plRunAt("Lb-R1", khi, 7, []string{cbC1}, "Ob1")))
	plPAK(t, s, "after R1", "Ob1", 5.4/(5.4+3), 0.54/(0.54+0.15))
	plStanding(t, s, "after R1", "Lb", khi, 4)
	cfLotState(t, s, "after R1", "Mb", critmin.LotConsumed, 0, "Ob1", true)
	line := strings.ReplaceAll(ccShip("Lb-line", "urn:t:bol:BOL-LB2", 8, nil, "Lb:1000"), `"urn:t:site:khi"`, `"`+port+`"`)
	line = strings.ReplaceAll(line, `{"id": "urn:t:site:mb"}`, `{"id": "`+khi+`"}`)
	MustCapture(t, svc, ctDoc(line))
	plStanding(t, s, "after the line shipment", "Lb", khi, 3)
	MustCapture(t, svc, ctDoc(coOnward("Lb-onward", "shipping", "urn:t:bol:BOL-LB3", khi, port, 9, []string{cbC2})))
	if kg := coContents(t, s, "urn:t:ev:Lb-onward"); !ctNear(kg, 3000) {
		t.Errorf("[C2] shipped on moved %v kg; want 4,000 − 1,000 = 3,000", kg)
	}
	MustCapture(t, svc, ctDoc(ctRecvAt("Lb-recv3", "urn:t:bol:BOL-LB3", port, 10, []string{cbC2})))
	plStanding(t, s, "after [C2] received at the port", "Lb", port, 3)
	piBalanced(t, s, "Lb", "Mb")
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Errorf("verify: %v %v", rep.Problem, rep.Difference)
	}
}

// testWeighedShareCorrected (n8e-2 s8c): lot Lc as testWeighedShareFed,
// [C1] received on Oct 5 with "Lc 5,400 kg", [C2] on Oct 6 with "Lc
// 4,000 kg"; that receipt is declared in error (one document) and [C2]
// received again on Oct 6 with "Lc 3,900 kg" (another): 5.4 + 3.9 =
// 9.3 t at khi. Run R1 on Oct 7 fed C2 whole takes what C2 was weighed
// to hold, 3.9 t (it took the packed 4 t), leaving 9.3 − 3.9 = 5.4 t, all
// in C1; R2 on Oct 8 fed C1 whole takes those 5.4 t and consumes Lc.
// Verify's rebuild agrees; the balance closes.
func testWeighedShareCorrected(t *testing.T, open Opener) {
	const bol, khi = "urn:t:bol:BOL-LC", "urn:t:site:khi"
	s := open(t)
	svc := custody.NewService(s)
	plSetup(t, svc, "Lc", bol)
	recv2 := ctRecvAt("Lc-recv2", bol, khi, 6, []string{cbC2}, "Lc:4000")
	MustCapture(t, svc, ctDoc(ctRecvAt("Lc-recv1", bol, khi, 5, []string{cbC1}, "Lc:5400")))
	MustCapture(t, svc, ctDoc(recv2))
	MustCapture(t, svc, ctDoc(ydDeclared(recv2)))
	MustCapture(t, svc, ctDoc(ctRecvAt("Lc-recv2b", bol, khi, 6, []string{cbC2}, "Lc:3900")))
	plStanding(t, s, "after [C2] received again", "Lc", khi, 9.3)
	MustCapture(t, svc, ctDoc(peRunAt("Lc-R1", khi, 7, []string{cbC2}, nil, "Oc1", 300)))
	plStanding(t, s, "after R1 fed C2", "Lc", khi, 5.4)
	MustCapture(t, svc, ctDoc(peRunAt("Lc-R2", khi, 8, []string{cbC1}, nil, "Oc2", 500)))
	cfLotState(t, s, "after R2", "Lc", critmin.LotConsumed, 0, "Oc2", true)
	piBalanced(t, s, "Lc")
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Errorf("verify: %v %v", rep.Problem, rep.Difference)
	}
}
