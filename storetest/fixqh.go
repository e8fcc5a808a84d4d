package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// A line draw out of a container declared in error, or restated by a
// corrective, under a later run fed that container whole (issue 9 with
// issue 8 §2, a WRONG FIGURE found by a new-user check; builder fixQh):
// the run is computed again from what the container held without the
// declared draw and with the corrective ones — its inputs, its
// products' origin and the lots' balances — as a declared packing's
// runs are (sqldb recontain).

// qhDeclared is ev with an errorDeclaration naming correctives (event
// ids "urn:t:ev:ID") as its corrective events.
func qhDeclared(ev string, correctives ...string) string {
	cs := ""
	if len(correctives) > 0 {
		cs = `, "correctiveEventIDs": ["urn:t:ev:` + strings.Join(correctives, `", "urn:t:ev:`) + `"]`
	}
	return strings.TrimSuffix(strings.TrimSpace(ev), "}") + `, "errorDeclaration": {"declarationTime": "2025-10-20T00:00:00Z", "reason": "incorrect_data"` + cs + `}}`
}

// qhSetup: at mb, P (Pakistan, 3,000 kg, Nd 10 %) and M (China,
// 2,000 kg, Nd 5 %), both packed whole into C1 on Oct 2 (nothing of
// either loose). draw (dated Oct 3), then run R2 on Oct 4 fed C1 whole
// making O2 200 kg.
func qhSetup(t *testing.T, open Opener, draw string) (critmin.Store, func(string)) {
	s := open(t)
	svc := custody.NewService(s)
	MustCapture(t, svc, ctDoc(cfLot("P", "PAK", 3000, "Nd:10"), cfLot("M", "CHN", 2000, "Nd:5"), ctPack("qh-pack", "ADD", cbC1, 2, "P:3000", "M:2000")))
	MustCapture(t, svc, ctDoc(draw))
	MustCapture(t, svc, ctDoc(cfRun("qh-R2", 4, []string{cbC1}, nil, "O2", 200)))
	return s, func(doc string) { MustCapture(t, svc, doc) }
}

// testDrawDeclaredRefeeds (WRONG FIGURE): qhSetup with run R1 on Oct 3
// taking "P 3,000 kg" by line — nothing of P loose, so all 3 t out of
// C1, which holds M 2 t only; R2 fed C1 takes M 2 t: O2 is 0 %
// Pakistani. R1 declared in error (alone, then in a second store with
// a corrective R1' taking "P 1,000 kg" on Oct 3):
//
//	alone (with run R3 on Oct 5 taking O2's 200 kg into O3): C1 held
//	  P 3 t + M 2 t when R2 ran, so R2 takes both: O2's dry mass
//	  3 / (3 + 2) = 0.6 Pakistani, its Nd 3 × 10 % = 0.3 t of 0.3 +
//	  2 × 5 % = 0.4 t = 0.75; O3, made of O2 alone, follows: 0.6 and
//	  0.75 (both were 0). P stands at 3 − 3 (R2) = 0 t (it read 3 t
//	  loose); C1 holds nothing.
//	corrected to 1 t: R1' takes 1 t out of C1 (P 2 t + M 2 t left); R2
//	  takes them: dry mass 2 / 4 = 0.5 Pakistani, Nd 0.2 / (0.2 + 0.1)
//	  = 2/3. P stands at 3 − 1 − 2 = 0 t.
//
// Verify's rebuild agrees in each.
func testDrawDeclaredRefeeds(t *testing.T, open Opener) {
	r1 := cfRun("qh-R1", 3, nil, []string{"P:3000"}, "O1", 100)
	t.Run("alone", func(t *testing.T) {
		s, capture := qhSetup(t, open, r1)
		capture(ctDoc(cfRun("qh-R3", 5, nil, []string{"O2:200"}, "O3", 100)))
		qeOrigin(t, s, "before the declaration", "O2", 0, 0)
		qeOrigin(t, s, "before the declaration", "O3", 0, 0)
		capture(ctDoc(qhDeclared(r1)))
		qeOrigin(t, s, "R1 declared", "O2", 0.6, 0.75)
		qeOrigin(t, s, "R1 declared", "O3", 0.6, 0.75)
		pkStanding(t, s, "R1 declared", "P", 0)
		pkStanding(t, s, "R1 declared", "M", 0)
		qeHolds(t, s, "R1 declared", map[string]float64{})
		piBalanced(t, s, "P", "M")
		qeVerified(t, s, "R1 declared")
	})
	t.Run("corrected", func(t *testing.T) {
		s, capture := qhSetup(t, open, r1)
		capture(ctDoc(qhDeclared(r1, "qh-R1b"), cfRun("qh-R1b", 3, nil, []string{"P:1000"}, "O1", 100)))
		qeOrigin(t, s, "R1 corrected to 1 t", "O2", 0.5, 0.2/0.3)
		pkStanding(t, s, "R1 corrected to 1 t", "P", 0)
		qeHolds(t, s, "R1 corrected to 1 t", map[string]float64{})
		piBalanced(t, s, "P", "M")
		qeVerified(t, s, "R1 corrected to 1 t")
	})
}

// testDrawAddedRefeeds (the reverse: a corrective adds a draw before a
// fed run): qhSetup with run R1 on Oct 3 taking "X 1,000 kg" of a third
// lot X (China, 1,000 kg, loose at mb): C1 still holds P 3 t + M 2 t
// when R2 runs, so O2 is 3 / 5 = 0.6 Pakistani by dry mass, 0.3 / 0.4
// = 0.75 by Nd. R1 declared in error with corrective R1' on Oct 3
// taking "P 1,000 kg" instead, alone, is refused (409) naming R2, nothing
// stored: R2 took all 3 t of P, so R1' would take from nothing — the
// capture's standing checks read R2 as recorded. Declared with R2, and
// with R2' (fed C1 whole on Oct 4, O2 200 kg) among the correctives: R1'
// draws 1 t of P out of C1 (none loose), so R2' takes P 2 t + M 2 t: O2
// is 2 / 4 = 0.5 Pakistani by dry mass, 0.2 / (0.2 + 0.1) = 2/3 by Nd.
// P stands at 3 − 1 − 2 = 0 t; X at 1 t (R1 declared); C1 holds nothing.
func testDrawAddedRefeeds(t *testing.T, open Opener) {
	s := open(t)
	svc := custody.NewService(s)
	r1 := cfRun("qh-R1", 3, nil, []string{"X:1000"}, "O1", 100)
	r2 := cfRun("qh-R2", 4, []string{cbC1}, nil, "O2", 200)
	r1b := cfRun("qh-R1b", 3, nil, []string{"P:1000"}, "O1", 100)
	MustCapture(t, svc, ctDoc(cfLot("P", "PAK", 3000, "Nd:10"), cfLot("M", "CHN", 2000, "Nd:5"), cfLot("X", "CHN", 1000, "Nd:5"), ctPack("qh-pack", "ADD", cbC1, 2, "P:3000", "M:2000")))
	MustCapture(t, svc, ctDoc(r1))
	MustCapture(t, svc, ctDoc(r2))
	qeOrigin(t, s, "before the correction", "O2", 0.6, 0.75)
	ccRefused(t, s, "R1 corrected to a draw of P under R2", ctDoc(qhDeclared(r1, "qh-R1b"), r1b), "qh-R2", "lot urn:t:lot:P")
	if _, err := svc.Capture(context.Background(), ledger.CaptureRequest{Body: []byte(ctDoc(qhDeclared(r1, "qh-R1b"), r1b))}); critmin.ErrorCode(err) != critmin.ECONFLICT {
		t.Errorf("R1 corrected to a draw of P under R2: %v; want a conflict (409)", err)
	}
	MustCapture(t, svc, ctDoc(qhDeclared(r1, "qh-R1b"), qhDeclared(r2, "qh-R2b"), r1b, cfRun("qh-R2b", 4, []string{cbC1}, nil, "O2", 200)))
	qeOrigin(t, s, "R1 corrected to a draw of P", "O2", 0.5, 0.2/0.3)
	pkStanding(t, s, "R1 corrected", "P", 0)
	pkStanding(t, s, "R1 corrected", "X", 1)
	qeHolds(t, s, "R1 corrected", map[string]float64{})
	piBalanced(t, s, "P", "M", "X")
	qeVerified(t, s, "R1 corrected to a draw of P")
}

// testShipDrawDeclaredRefeeds (WRONG FIGURE): qhSetup with "P 3,000 kg"
// shipped from mb by line on Oct 3 (BOL-QH) — all 3 t out of C1 — so R2
// fed C1 whole takes M 2 t only. The shipment declared in error: C1 held
// P 3 t + M 2 t when R2 ran: O2 0.6 Pakistani by dry mass, 0.75 by Nd;
// P stands at 0 t, nothing in transit; C1 holds nothing.
func testShipDrawDeclaredRefeeds(t *testing.T, open Opener) {
	ship := ccShip("qh-ship", "urn:t:bol:BOL-QH", 3, nil, "P:3000")
	s, capture := qhSetup(t, open, ship)
	qeOrigin(t, s, "before the declaration", "O2", 0, 0)
	capture(ctDoc(qhDeclared(ship)))
	qeOrigin(t, s, "shipment declared", "O2", 0.6, 0.75)
	pkStanding(t, s, "shipment declared", "P", 0)
	if l := mustLot(t, s, "urn:t:lot:P"); l.InTransitTonnes() > 1e-9 {
		t.Errorf("shipment declared: P has %v t in transit; want none", l.InTransitTonnes())
	}
	qeHolds(t, s, "shipment declared", map[string]float64{})
	piBalanced(t, s, "P", "M")
	qeVerified(t, s, "shipment declared")
}
