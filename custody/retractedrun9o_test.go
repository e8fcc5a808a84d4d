package custody_test

import (
	"math"
	"strings"
	"testing"

	"github.com/critmin/critmin/ledger"
)

// TestRetractedRunOutputOverConsumed (fix9o item 5): a run declared in
// error after a later run consumed its output. At site b:
//
//	A2, Pakistan, 10 t dry at Nd 5 % (0.5 t Nd)
//	R2 (Oct 5): A2 10 t → X2 2 t at Nd 20 % (0.4 ≤ 0.5 t)
//	R3 (Oct 6): X2 2 t → Y2 1 t at Nd 30 % (0.3 ≤ 0.4 t)
//	R2 declared in error (Oct 20): X2 was never made — it holds 0 t
//
// R3 consumed 2 dmt of a lot of 0 dmt: over_consumed on X2 by R3 (it
// counts 0 dmt × 20 % = 0 t Nd; Y2's 0.3 t is then a gain, counted 0 t),
// listed on X2 and Y2; X2's no_origin names the retracted run R2 rather
// than blaming master data.
func TestRetractedRunOutputOverConsumed(t *testing.T) {
	r2 := runOf("R2", "b", "2025-10-05T00:00:00Z", []string{"A2:10"}, product{lot: "X2", commodity: "ree_concentrate", t: 2, assays: []string{"Nd:20"}})
	tr := r2[:strings.Index(r2, `},{"type": "ObjectEvent"`)+1]
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("A2", "ree_concentrate", "PAK", 10, "Nd:5"),
		r2,
		runOf("R3", "b", "2025-10-06T00:00:00Z", []string{"X2:2"}, product{lot: "Y2", commodity: "ndpr_oxide", t: 1, assays: []string{"Nd:30"}}),
	))
	retractEvent(t, ledger.NewService(db), tr, "2025-10-20T00:00:00Z")
	for i, c := range originsOf(t, db, "urn:t:lot:Y2") {
		if !anomalyWith(c.Anomalies, "over_consumed", "urn:t:lot:X2", "R3", "urn:t:ev:R2", "declared in error") {
			t.Errorf("Y2 (%d): no over_consumed naming X2, R3 and the retracted R2 (%+v)", i, c.Anomalies)
		}
		if got := c.Elements["Nd"].Recorded(); math.Abs(got) > 1e-9 {
			t.Errorf("Y2 (%d): Nd %.4f t, want 0 (R3's input counts 0 dmt of X2)", i, got)
		}
	}
	for i, c := range originsOf(t, db, "urn:t:lot:X2") {
		if !anomalyWith(c.Anomalies, "over_consumed", "urn:t:lot:X2", "R3") {
			t.Errorf("X2 (%d): no over_consumed naming R3 (%+v)", i, c.Anomalies)
		}
		if !anomalyWith(c.Anomalies, "no_origin", "urn:t:ev:R2", "declared in error") {
			t.Errorf("X2 (%d): no_origin does not name the retracted run R2 (%+v)", i, c.Anomalies)
		}
	}
}
