package storetest

import (
	"testing"

	"github.com/critmin/critmin"
)

// A packing declared in error and corrected, under a run that fed the
// container whole (issue 8 §2 "retractions honoured", new-user check
// n8e-5, builder fixQa): the run's contents are recomputed from the
// corrective packing (docs/origin.md, "A packing declared in error after
// the run gives its lot back").

const qaBox = "urn:epc:id:sscc:0614141.3700000001"

// qaSetup: L (Pakistan, 4,000 kg, Nd 10 %) and K (China, 2,000 kg, Nd
// 10 %) at mb; on Oct 2 L's 4 t packed into qaBox (qa-pl) and K's 2 t
// (qa-pk). Run R on Oct 4 fed qaBox whole takes L 4 t + K 2 t → O:
// China's dry mass 2 / 6 = 1/3, its Nd 0.2 / (0.4 + 0.2) = 1/3. It
// returns qa-pl, the packing of L.
func qaSetup(t *testing.T, s critmin.Store) string {
	t.Helper()
	pl := ctPack("qa-pl", "ADD", qaBox, 2, "L:4000")
	cfaCapture(t, s, "lots and packings", ctDoc(cfLot("L", "PAK", 4000, "Nd:10"), cfLot("K", "CHN", 2000, "Nd:10"),
		pl, ctPack("qa-pk", "ADD", qaBox, 2, "K:2000")))
	cfaCapture(t, s, "R fed the box whole", ctDoc(cfRun("qa-R", 4, []string{qaBox}, nil, "O", 100)))
	cfaTaken(t, s, "after R", "L", 4)
	cfaTaken(t, s, "after R", "K", 2)
	piOrigin(t, s, "after R", "O", 1.0/3)
	return pl
}

// qaCorrected wants R read from the corrective packing of L 3 t: R took
// L 3 t + K 2 t = 5 t (China's dry mass 2 / 5 = 0.4, its Nd
// 2 × 10 % = 0.2 of 3 × 10 % + 0.2 = 0.5 t, 0.4); L keeps 4 − 3 = 1 t
// in stock at mb, K none. L is still O's parent. Verify's rebuild
// agrees.
func qaCorrected(t *testing.T, s critmin.Store, when string) {
	t.Helper()
	cfaTaken(t, s, when, "L", 3)
	cfaTaken(t, s, when, "K", 2)
	cfLotState(t, s, when, "L", "in_stock", 1, "O", true)
	cfLotState(t, s, when, "K", "consumed", 0, "O", true)
	piOrigin(t, s, when, "O", 0.4)
	piBalanced(t, s, "L", "K")
	if rep := verifyFull(t, s, nil, true); !rep.OK() {
		t.Errorf("%s: verify: %v %v", when, rep.Problem, rep.Difference)
	}
}

// testPackingCorrectedUnderFed (n8e-5, a wrong refusal): qaSetup, then
// qa-pl (L 4 t) declared in error with its corrective qa-pl2 (L 3 t into
// the same box, Oct 2) in one document — declaration first, or
// corrective first. Both are taken and read as qaCorrected (both were
// refused 409 naming qa-R: "would hold 3 t of lot L when it ran, not the
// 4 t it consumed"; corrective first the store recomputed R from it,
// declaration first it recomputed R before the corrective was stored
// and R kept K alone).
//
// In two documents neither order is taken, by design (docs/epcis.md,
// "A run fed a container whole rests on the container's events"): the
// declaration alone leaves R fed a box that held 0 t of L, not the 4 t
// it consumed (409 naming qa-R); the corrective alone packs 3 t of L
// when all 4 t are packed already and consumed by R (refused). Nothing
// is stored either way; one document carries the correction.
func testPackingCorrectedUnderFed(t *testing.T, open Opener) {
	corr := ctPack("qa-pl2", "ADD", qaBox, 2, "L:3000")
	for _, c := range []struct {
		name string
		doc  func(decl string) string
	}{
		{"declaration first", func(decl string) string { return ctDoc(decl, corr) }},
		{"corrective first", func(decl string) string { return ctDoc(corr, decl) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := open(t)
			pl := qaSetup(t, s)
			cfaCapture(t, s, c.name, c.doc(declaredWith(t, pl, "urn:t:ev:qa-pl2")))
			qaCorrected(t, s, c.name)
		})
	}
	t.Run("two documents", func(t *testing.T) {
		s := open(t)
		pl := qaSetup(t, s)
		ccRefused(t, s, "the declaration alone", ctDoc(declaredWith(t, pl, "urn:t:ev:qa-pl2")), "urn:t:ev:qa-R", "would hold 0 t of lot urn:t:lot:L")
		ccRefused(t, s, "the corrective alone", ctDoc(corr), "urn:t:lot:L")
		cfaTaken(t, s, "after both refused", "L", 4)
		piOrigin(t, s, "after both refused", "O", 1.0/3)
	})
}
