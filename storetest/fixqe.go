package storetest

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/epcis"
	"github.com/critmin/critmin/units"
)

// What a container holds of a lot after a line draw AND an unpacking
// (issue 9, a WRONG PASS found by builder fixQd's check; builder fixQe):
// one rule subtracts every way the lot leaves the container — line
// draws out of it, unpackings, a weighed receipt replacing the packed
// figure, a run fed it whole (ledger.Holdings.HeldAt with Drawn). The
// fed run, the unpacking check, the container page and verify's rebuild
// read it; the old reads took the larger of two partial rules' cuts
// (3 − 2 = 1 t by the holdings, 3 − 1 = 2 t by the line draws: 1 t).

// qeUnpack is an unpacking of "lot kg" out of C1 at mb on day.
func qeUnpack(id string, day int, lot, kg string) string {
	return strings.Replace(ctPack(id, "DELETE", cbC1, day, lot+":"+kg), `"bizStep": "packing"`, `"bizStep": "unpacking"`, 1)
}

// qeHolds wants C1 to hold want (lot → wet tonnes) by the store's
// container read (the container page).
func qeHolds(t *testing.T, s critmin.Store, when string, want map[string]float64) {
	t.Helper()
	cs, ok := s.(critmin.ContainerHoldingsStore)
	if !ok {
		t.Fatal("the store does not read what a container holds")
	}
	got, err := cs.ContainerHolds(context.Background(), cbC1)
	if err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	have := map[string]float64{}
	for _, q := range got {
		if q.Quantity == nil {
			t.Errorf("%s: line of %s without a quantity", when, q.EPCClass)
			continue
		}
		w, err := units.ToTonnes(*q.Quantity, q.UOM)
		if err != nil {
			t.Fatal(err)
		}
		have[strings.TrimPrefix(epcis.Canonical(q.EPCClass), "urn:t:lot:")] += w
	}
	bad := len(have) != len(want)
	for lot, w := range want {
		bad = bad || !ctNear(have[lot], w)
	}
	if bad {
		t.Errorf("%s: C1 holds %v; want %v", when, have, want)
	}
}

// qeOrigin wants product's Pakistani share pakMass by dry mass and
// pakNd by contained Nd, read with and without evidence.
func qeOrigin(t *testing.T, s critmin.Store, when, product string, pakMass, pakNd float64) {
	t.Helper()
	for _, evidence := range []bool{true, false} {
		o, err := custody.OriginOf(context.Background(), s.(custody.Store), "urn:t:lot:"+product, evidence)
		if err != nil {
			t.Fatal(err)
		}
		if got := ctShare(o.Mass.ByCountry, "PAK"); math.Abs(got-pakMass) > 1e-6 {
			t.Errorf("%s: %s's Pakistani dry-mass share %v, want %v (%+v)", when, product, got, pakMass, o.Mass.ByCountry)
		}
		if got := ctShare(o.Elements["Nd"].ByCountry, "PAK"); math.Abs(got-pakNd) > 1e-6 {
			t.Errorf("%s: %s's Pakistani Nd share %v, want %v (%+v)", when, product, got, pakNd, o.Elements["Nd"].ByCountry)
		}
	}
}

// qeVerified wants verify, with its rebuild, to pass.
func qeVerified(t *testing.T, s critmin.Store, when string) {
	t.Helper()
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Errorf("%s: verify: %v %v %v; want ok", when, rep.Problem, rep.Difference, rep.ContainerRuleProblem)
	}
}

// testDrawnThenUnpackedFed (WRONG PASS). At mb: PK (Pakistan, 10,000 kg,
// Nd 10 %) and K (China, 4,000 kg, Nd 5 %); on Oct 2 PK 3,000 kg and K
// 4,000 kg packed into C1 (PK 7 t loose). On Oct 3 "PK 8,000 kg" shipped
// by a line: its 7 t loose first, then 8 − 7 = 1 t out of C1, which
// holds PK 3 − 1 = 2 t.
//
//	drawn 1, unpacked 2: an unpacking of "PK 2,100 kg" on Oct 4 is
//	  refused (2.1 > 2 × 1.005 = 2.01 t); "PK 2,000 kg" is taken: C1
//	  holds PK 3 − 1 − 2 = 0 t and K 4 t (it read PK 1 t: min(3 − 2,
//	  3 − 1)). Run R fed C1 whole on Oct 5 → P 200 kg takes K 4 t only:
//	  P has no Pakistani share (dry mass 0 / 4, Nd 0 / 0.2); PK keeps its
//	  2 t unpacked standing at mb (10 − 8), K none; C1 holds nothing.
//	drawn 1, unpacked 1: C1 holds PK 3 − 1 − 1 = 1 t and K 4 t; R takes
//	  both: P is 1 / 5 = 20 % Pakistani by dry mass, by Nd 1 × 10 % =
//	  0.1 t of 0.1 + 4 × 5 % = 0.3 t = 1/3; PK keeps 10 − 8 − 1 = 1 t.
//
// Verify's rebuild agrees in each.
func testDrawnThenUnpackedFed(t *testing.T, open Opener) {
	const bol = "urn:t:bol:BOL-QE"
	setup := func(t *testing.T) (critmin.Store, func(string)) {
		s := open(t)
		svc := custody.NewService(s)
		MustCapture(t, svc, ctDoc(cfLot("PK", "PAK", 10000, "Nd:10"), cfLot("K", "CHN", 4000, "Nd:5"), ctPack("qe-pack", "ADD", cbC1, 2, "PK:3000", "K:4000")))
		MustCapture(t, svc, ctDoc(ccShip("qe-ship", bol, 3, nil, "PK:8000")))
		return s, func(doc string) { MustCapture(t, svc, doc) }
	}
	t.Run("drawn 1 unpacked 2", func(t *testing.T) {
		s, capture := setup(t)
		ccRefused(t, s, "unpack PK 2.1 t after a 1 t draw", ctDoc(qeUnpack("qe-un0", 4, "PK", "2100")), cbC1)
		capture(ctDoc(qeUnpack("qe-un1", 4, "PK", "2000")))
		qeHolds(t, s, "after the unpacking", map[string]float64{"K": 4})
		capture(ctDoc(cfRun("qe-R", 5, []string{cbC1}, nil, "P", 200)))
		qeOrigin(t, s, "R fed C1", "P", 0, 0)
		pkStanding(t, s, "after R", "PK", 2)
		pkStanding(t, s, "after R", "K", 0)
		qeHolds(t, s, "after R", map[string]float64{})
		piBalanced(t, s, "PK", "K")
		qeVerified(t, s, "drawn 1 unpacked 2")
	})
	t.Run("drawn 1 unpacked 1", func(t *testing.T) {
		s, capture := setup(t)
		capture(ctDoc(qeUnpack("qe-un1", 4, "PK", "1000")))
		qeHolds(t, s, "after the unpacking", map[string]float64{"PK": 1, "K": 4})
		capture(ctDoc(cfRun("qe-R", 5, []string{cbC1}, nil, "P", 200)))
		qeOrigin(t, s, "R fed C1", "P", 1.0/5, 0.1/0.3)
		pkStanding(t, s, "after R", "PK", 1)
		piBalanced(t, s, "PK", "K")
		qeVerified(t, s, "drawn 1 unpacked 1")
	})
}

// testWeighedDrawnUnpackedFed (WRONG PASS). At khi: PK (Pakistan,
// 10,000 kg, Nd 10 %) and K (China, 4,000 kg, Nd 5 %); on Oct 2 PK
// 3,000 kg and K 4,000 kg packed into C1; [C1] shipped to mb on Oct 3
// and received there on Oct 4 weighing "PK 2,800 kg" (0.2 t lost): C1
// holds PK 2.8 t. Run R1 at mb on Oct 5 takes "PK 1,000 kg" by line:
// nothing of PK is loose at mb, so 1 t comes out of C1 (2.8 − 1 = 1.8 t
// left). On Oct 6 "PK 1,900 kg" unpacked is refused (1.9 > 1.8 × 1.005
// = 1.809 t); "PK 1,000 kg" is taken: C1 holds PK 2.8 − 1 − 1 = 0.8 t
// and K 4 t (it read 1 t: min(2.8 − 1, 3 − 1 − 1)). Run R2 fed C1 whole
// on Oct 7 → P2 200 kg: dry mass 0.8 / 4.8 = 1/6 Pakistani, Nd 0.08 /
// (0.08 + 0.2) = 2/7. PK keeps 7 t at khi and the 1 t unpacked at mb.
// Verify's rebuild agrees.
func testWeighedDrawnUnpackedFed(t *testing.T, open Opener) {
	const bol, mb = "urn:t:bol:BOL-QE", "urn:t:site:mb"
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(piAtKhi(cfLot("PK", "PAK", 10000, "Nd:10")), piAtKhi(cfLot("K", "CHN", 4000, "Nd:5")), piAtKhi(ctPack("qe-pack", "ADD", cbC1, 2, "PK:3000", "K:4000"))))
	MustCapture(t, svc, ctDoc(piAtKhi(ccShip("qe-ship", bol, 3, []string{cbC1}))))
	MustCapture(t, svc, ctDoc(ctRecvAt("qe-recv", bol, mb, 4, []string{cbC1}, "PK:2800")))
	qeHolds(t, s, "after the weighed receipt", map[string]float64{"PK": 2.8, "K": 4})
	MustCapture(t, svc, ctDoc(cfRun("qe-R1", 5, nil, []string{"PK:1000"}, "P1", 100)))
	qeHolds(t, s, "after R1's draw", map[string]float64{"PK": 1.8, "K": 4})
	ccRefused(t, s, "unpack PK 1.9 t", ctDoc(qeUnpack("qe-un0", 6, "PK", "1900")), cbC1)
	MustCapture(t, svc, ctDoc(qeUnpack("qe-un1", 6, "PK", "1000")))
	qeHolds(t, s, "after the unpacking", map[string]float64{"PK": 0.8, "K": 4})
	MustCapture(t, svc, ctDoc(cfRun("qe-R2", 7, []string{cbC1}, nil, "P2", 200)))
	qeOrigin(t, s, "R2 fed C1", "P2", 0.8/4.8, 0.08/0.28)
	pkStanding(t, s, "after R2", "PK", 8)
	qeHolds(t, s, "after R2", map[string]float64{})
	piBalanced(t, s, "PK", "K")
	qeVerified(t, s, "weighed, drawn, unpacked")
}
