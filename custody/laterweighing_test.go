package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/ledger"
)

// TestLaterWeighingGainIsAnomalyNotMetal (issue 9, new-user check: a
// re-weighing after the run inflated the product's metal, status 200, no
// anomaly). At controlled-blending site b:
//
//	W  10 t dry, Pakistan, Nd 1 %, Pr 1 %  → 10 × 1 % = 0.1 t Nd, 0.1 t Pr
//	run R: W 10 t → WO 0.1 t at Nd 60 %, Pr 20 % → 0.06 t Nd, 0.02 t Pr (balanced)
//
// Then a Mass report of 1 TNE on WO (moisture 0): WO now weighs 1 t and
// would hold 1 × 60 % = 0.6 t Nd and 1 × 20 % = 0.2 t Pr — more than its
// run's inputs held (0.1 t each, tolerance 0.5 % → 0.1005 t). The weighing is
// kept (it is what the scale said), but it breaks the run's balance:
//   - element_gain on run R for Nd and for Pr, naming the later weighing;
//   - the contained figures count no more than the inputs held:
//     Nd 0.1 t, Pr 0.1 t (not 0.6 and 0.2), with an anomaly saying so
//     (element_capped), on the walk (lot page), the kept-mix read and the
//     list (lot list, risk ledger sourcing).
func TestLaterWeighingGainIsAnomalyNotMetal(t *testing.T) {
	ctx := context.Background()
	db := store(t, doc(map[string]string{"b": "controlled_blending"},
		feed("W", "ree_concentrate", "PAK", 10, "Nd:1", "Pr:1"),
		runOf("R", "b", "2025-10-10T00:00:00Z", []string{"W:10"}, product{lot: "WO", commodity: "ndpr_oxide", t: 0.1, assays: []string{"Nd:60", "Pr:20"}})))
	check := func(stage string, nd, pr float64, gain bool) {
		t.Helper()
		l, err := db.FindLot(ctx, "urn:t:lot:WO")
		if err != nil {
			t.Fatal(err)
		}
		list, err := custody.Origins(ctx, db, []*critmin.Lot{l})
		if err != nil {
			t.Fatal(err)
		}
		for _, evidence := range []bool{true, false} {
			c, err := custody.OriginOf(ctx, db, "urn:t:lot:WO", evidence)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []*custody.Composition{c, list[l.ID]} {
				for el, want := range map[string]float64{"Nd": nd, "Pr": pr} {
					if got := c.Elements[el].Recorded(); !near(got, want) {
						t.Errorf("%s (evidence %v): %s %.4f t, want %.4f", stage, evidence, el, got, want)
					}
				}
				var g, capped bool
				for _, a := range c.Anomalies {
					if a.Kind == "element_gain" && strings.Contains(a.Detail, "later weighing") && strings.Contains(a.Detail, "urn:t:lot:WO") {
						g = true
					}
					if a.Kind == "element_capped" && strings.Contains(a.Detail, "0.1 t Nd") {
						capped = true
					}
				}
				if g != gain || capped != gain {
					t.Errorf("%s (evidence %v): element_gain %v, element_capped %v, want %v (%+v)", stage, evidence, g, capped, gain, c.Anomalies)
				}
			}
		}
	}
	// At the run: 0.1 × 60 % = 0.06 t Nd, 0.1 × 20 % = 0.02 t Pr.
	check("at the run", 0.06, 0.02, false)
	weigh := `{"type": "ObjectEvent", "eventID": "urn:t:ev:weigh", "eventTime": "2025-10-20T00:00:00Z", "eventTimeZoneOffset": "+00:00", "action": "OBSERVE",
	 "quantityList": [{"epcClass": "urn:t:lot:WO"}], "sensorElementList": [{"sensorReport": [{"type": "Mass", "value": 1, "uom": "TNE"}]}]}`
	if _, err := ledger.NewService(db).Capture(ctx, ledger.CaptureRequest{Body: mbDoc(weigh)}); err != nil {
		t.Fatal(err)
	}
	// After: 0.6 t Nd and 0.2 t Pr > 0.1005 t → each capped at 0.1 t.
	check("after the weighing", 0.1, 0.1, true)
}
