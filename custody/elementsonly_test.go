package custody_test

import (
	"context"
	"strings"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestElementsAndUnknownReasons (issue 9): the origin's elements are
// elements, and an unknown element share says why.
//
//	A (Pakistan, 10 t): Nd 4 %, TREO 10 %
//	B (Myanmar, 10 t):  Ce 5 %, no Nd assay
//	Z (1 t): Nd 30 % (0.3 t ≤ 0.4 t in A alone), TREO 60 %
//
// TREO (total rare-earth oxides) is not an element: it is reported under
// aggregates (0.6 t), not elements, and not in the overall origin. Z's Nd
// share is unknown — B brought an unknown amount of Nd, not none — and an
// element_not_assayed anomaly names B and its 10 dmt.
func TestElementsAndUnknownReasons(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("A", "ree_concentrate", "PAK", 10, "Nd:4", "TREO:10"),
		feed("B", "ree_concentrate", "MMR", 10, "Ce:5"),
		runOf("R", "cb", "2025-10-10T00:00:00Z", []string{"A:10", "B:10"}, product{lot: "Z", commodity: "ree_carbonate", t: 1, assays: []string{"Nd:30", "TREO:60"}}),
	))
	for _, evidence := range []bool{true, false} {
		c, err := custody.OriginOf(context.Background(), db, "urn:t:lot:Z", evidence)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.Elements["TREO"]; ok {
			t.Errorf("evidence %v: TREO listed among elements", evidence)
		}
		if tr, ok := c.Aggregates["TREO"]; !ok || !near(tr.Tonnes, 0.6) {
			t.Errorf("evidence %v: aggregates %+v, want TREO 0.6 t", evidence, c.Aggregates)
		}
		nd := c.Elements["Nd"]
		if len(nd.ByCountry) != 1 || nd.ByCountry[0].Key != custody.Unknown {
			t.Errorf("evidence %v: Nd %+v, want unknown", evidence, nd.ByCountry)
		}
		found := false
		for _, a := range c.Anomalies {
			if a.Kind == "element_not_assayed" && strings.Contains(a.Detail, "the shares of Nd in lot urn:t:lot:Z are unknown: its feed urn:t:lot:B (10 dmt) has no assay of Nd") {
				found = true
			}
		}
		if !found {
			t.Errorf("evidence %v: no element_not_assayed anomaly naming B: %+v", evidence, c.Anomalies)
		}
	}
}
