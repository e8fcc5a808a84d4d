package storetest

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// A weighed container receipt declared in error and corrected under a
// run fed that container whole (issues 8 and 9, new-user check nuq1 s8,
// s8b, s20, m1, a WRONG PASS; builder fixQd): the run's contents are
// recomputed from the corrected receipt, as for a packing declared in
// error (sqldb recontain).

// qdSetup is the corridor: lot A (Pakistan, 10,000 kg, Nd 10 %) and B
// (China, 10,000 kg, Nd 5 %) at khi, dry; A 6,000 kg and B 4,000 kg
// packed into C1 there on Oct 2 (two packings); [C1] shipped to mb
// (mass balance, category ree: concentrate → NdPr oxide, Nd, factor
// 0.9) on Oct 3 under BOL-QD, A's other 4,000 kg by a line under the
// same bill; [C1] received at mb on Oct 4 with its weighed line
// "A recv kg" (A's 6 t in C1 weigh recv: 6 − recv lost), A 4,000 kg
// received loose on Oct 5. R1 at mb on Oct 6 takes "A 6,000 kg" by line
// (the loose 4 t, then 2 t out of C1) → P1 1,200 kg at Nd 50 %; R2 on
// Oct 7 fed C1 whole → P2 1,200 kg at Nd 50 %.
func qdSetup(t *testing.T, open Opener, recv string) (critmin.Store, *ledger.Service, string) {
	t.Helper()
	s := open(t)
	cs, svc := claimService(s)
	const bol, mb = "urn:t:bol:BOL-QD", "urn:t:site:mb"
	MustCapture(t, svc, ctDoc(piAtKhi(cfLot("A", "PAK", 10000, "Nd:10")), piAtKhi(cfLot("B", "CHN", 10000, "Nd:5")),
		piAtKhi(ctPack("qd-packA", "ADD", cbC1, 2, "A:6000")), piAtKhi(ctPack("qd-packB", "ADD", cbC1, 2, "B:4000"))))
	d := &critmin.MassBalanceDeclaration{Site: mb, CarryForward: 0,
		Categories: []critmin.MaterialCategory{{ID: "ree", Inputs: []string{"ree_concentrate"}, Product: "ndpr_oxide", Elements: []string{"Nd"}, ConversionFactor: 0.9}},
		Periods:    []critmin.ClaimPeriod{{ID: "2025-10", From: "2025-10-01", To: "2099-01-01"}}}
	if err := custody.DeclareMassBalance(context.Background(), cs, d, time.Date(2025, 9, 30, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	MustCapture(t, svc, ctDoc(piAtKhi(ccShip("qd-ship1", bol, 3, []string{cbC1})), piAtKhi(ccShip("qd-ship2", bol, 3, nil, "A:4000"))))
	rc1 := ctRecvAt("qd-recv1", bol, mb, 4, []string{cbC1}, "A:"+recv)
	MustCapture(t, svc, ctDoc(rc1))
	MustCapture(t, svc, ctDoc(ctRecvAt("qd-recv2", bol, mb, 5, nil, "A:4000")))
	MustCapture(t, svc, ctDoc(cfRun("qd-R1", 6, nil, []string{"A:6000"}, "P1", 1200)))
	MustCapture(t, svc, ctDoc(cfRun("qd-R2", 7, []string{cbC1}, nil, "P2", 1100)))
	return s, svc, rc1
}

// qdCorrective is the receipt rc1 as event qd-recv1b weighing A at kg.
func qdCorrective(rc1, kg string) string {
	ev := strings.Replace(rc1, "urn:t:ev:qd-recv1", "urn:t:ev:qd-recv1b", 1)
	i := strings.Index(ev, `"epcClass": "urn:t:lot:A", "quantity": `)
	j := i + len(`"epcClass": "urn:t:lot:A", "quantity": `)
	k := strings.Index(ev[j:], ",")
	return ev[:j] + kg + ev[j+k:]
}

// qdDeclared is rc1 declared in error, corrected by qd-recv1b.
func qdDeclared(rc1 string) string {
	return strings.TrimSuffix(strings.TrimSpace(rc1), "}") + `, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data", "correctiveEventIDs": ["urn:t:ev:qd-recv1b"]}}`
}

// qdP2 wants P2's Pakistani share pakMass by dry mass and pakNd by
// contained Nd, read with and without evidence.
func qdP2(t *testing.T, s critmin.Store, when string, pakMass, pakNd float64) {
	t.Helper()
	for _, evidence := range []bool{true, false} {
		o, err := custody.OriginOf(context.Background(), s.(custody.Store), "urn:t:lot:P2", evidence)
		if err != nil {
			t.Fatal(err)
		}
		if got := ctShare(o.Mass.ByCountry, "PAK"); math.Abs(got-pakMass) > 1e-6 {
			t.Errorf("%s: P2's Pakistani dry-mass share %v, want %v (%+v)", when, got, pakMass, o.Mass.ByCountry)
		}
		if got := ctShare(o.Elements["Nd"].ByCountry, "PAK"); math.Abs(got-pakNd) > 1e-6 {
			t.Errorf("%s: P2's Pakistani Nd share %v, want %v (%+v)", when, got, pakNd, o.Elements["Nd"].ByCountry)
		}
	}
}

// qdAfter checks the state once R2 is recomputed for a corrected
// receipt: P2's shares, nothing of A standing (a run taking "A 200 kg"
// is refused), Pakistan's credits, the lot balances and verify.
func qdAfter(t *testing.T, s critmin.Store, svc *ledger.Service, when string, pakMass, pakNd, credits float64) {
	t.Helper()
	qdP2(t, s, when, pakMass, pakNd)
	pkStanding(t, s, when, "A", 0)
	if l := dcPAKLine(t, s); math.Abs(l.Credits-credits) > 1e-6 {
		t.Errorf("%s: PAK line %+v; want credits %v t", when, l, credits)
	}
	piBalanced(t, s, "A", "B")
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Errorf("%s: verify: %v %v", when, rep.Problem, rep.Difference)
	}
	ccRefused(t, s, when+": a run taking A 200 kg", ctDoc(cfRun("qd-R4", 8, nil, []string{"A:200"}, "P4", 10)), "urn:t:lot:A")
}

// testReceiptCorrectedUnderFed (nuq1 s8, s8b, m1, a WRONG PASS). qdSetup
// with the receipt "A 5,700 kg": C1 holds A 5.7 − 2 (R1) = 3.7 t and B
// 4 t at R2, so P2 is 3.7 / 7.7 = 48.05 % Pakistani by dry mass and
// 0.37 / (0.37 + 0.2) = 64.91 % by Nd; credits (Nd, factor 0.9): R1
// min(6 × 10 % × 0.9 = 0.54, 1.2 × 50 % = 0.6) = 0.54, R2 PAK 3.7 ×
// 10 % × 0.9 = 0.333 (CHN 4 × 5 % × 0.9 = 0.18; 0.513 ≤ 0.6) → PAK
// 0.873 t. The receipt is then declared in error and, in the same
// document, corrected to "A 5,900 kg": C1 held A 5.9 − 2 = 3.9 t and B
// 4 t when R2 ran, so R2 is recomputed: P2 3.9 / 7.9 = 49.37 % by dry
// mass, 0.39 / 0.59 = 66.10 % by Nd; PAK credits 0.54 + 0.39 × 0.9 =
// 0.891 t (0.351 + 0.18 = 0.531 ≤ 0.6). Nothing of A is left at mb
// (it read 0.2 t, and a run taking "A 200 kg" was taken). Lower, "A
// 5,500 kg": R1's 2 t still fit, R2 takes 3.5 t: 3.5 / 7.5 = 46.67 %,
// 0.35 / 0.55 = 63.64 %, credits 0.54 + 0.315 = 0.855 t. "A 1,500 kg"
// is less than the 2 t R1 drew out of C1: refused 409 naming R1.
func testReceiptCorrectedUnderFed(t *testing.T, open Opener) {
	t.Run("higher", func(t *testing.T) {
		s, svc, rc1 := qdSetup(t, open, "5700")
		qdP2(t, s, "before", 3.7/7.7, 0.37/0.57)
		if l := dcPAKLine(t, s); math.Abs(l.Credits-0.873) > 1e-6 {
			t.Errorf("before: PAK line %+v; want credits 0.873 t", l)
		}
		MustCapture(t, svc, ctDoc(qdDeclared(rc1), qdCorrective(rc1, "5900")))
		qdAfter(t, s, svc, "corrected to 5.9 t", 3.9/7.9, 0.39/0.59, 0.891)
	})
	t.Run("lower", func(t *testing.T) {
		s, svc, rc1 := qdSetup(t, open, "5700")
		MustCapture(t, svc, ctDoc(qdDeclared(rc1), qdCorrective(rc1, "5500")))
		qdAfter(t, s, svc, "corrected to 5.5 t", 3.5/7.5, 0.35/0.55, 0.855)
	})
	t.Run("below R1's draw", func(t *testing.T) {
		s, _, rc1 := qdSetup(t, open, "5700")
		ccRefused(t, s, "corrected to 1.5 t under R1's 2 t draw", ctDoc(qdDeclared(rc1), qdCorrective(rc1, "1500")), "urn:t:ev:qd-R1")
		qdP2(t, s, "after the refusal", 3.7/7.7, 0.37/0.57)
	})
	t.Run("separate documents", func(t *testing.T) {
		// Corrective first: a second receipt of C1 under the same bill
		// is refused (C1 was received); declaration first, alone: C1
		// would stand at sea when R2 ran, refused naming R2 (fixPa's
		// rule, testFedRunReceiptDeclared). Nothing changes.
		s, _, rc1 := qdSetup(t, open, "5700")
		ccRefused(t, s, "the corrective receipt alone", ctDoc(qdCorrective(rc1, "5900")), "already received")
		ccRefused(t, s, "the declaration alone", ctDoc(qdDeclared(rc1)), "urn:t:ev:qd-R2")
		qdP2(t, s, "after the refusals", 3.7/7.7, 0.37/0.57)
	})
}
