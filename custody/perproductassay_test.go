package custody_test

import (
	"context"
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestRunLineKeepsEachProductsOwnAssay (issue 9, new-user check 8): run
// B takes F, Pakistan, 100 t at 4 % Nd and 3 % La (4 t Nd, 3 t La in) and
// makes B-Z1, 10 t at 20 % Nd with no La assay, and B-Z2, 20 t at 5 % Nd
// and 9 % La. B-Z2 holds 20 × 0.09 = 1.8 t La by its own assay; B-Z1's La
// is unknown, so the run's La total out is unknown (Out null, B-Z1 named),
// but B-Z2's 1.8 t is reported, in its element origin and on the run line.
func TestRunLineKeepsEachProductsOwnAssay(t *testing.T) {
	db := store(t, doc(map[string]string{"cb": "controlled_blending"},
		feed("F", "ree_concentrate", "PAK", 100, "Nd:4", "La:3"),
		runOf("B", "cb", "2025-10-10T00:00:00Z", []string{"F:100"},
			product{lot: "B-Z1", commodity: "ree_carbonate", t: 10, assays: []string{"Nd:20"}},
			product{lot: "B-Z2", commodity: "ree_carbonate", t: 20, assays: []string{"Nd:5", "La:9"}}),
	))
	c, err := custody.Origin(context.Background(), db, "urn:t:lot:B-Z2")
	if err != nil {
		t.Fatal(err)
	}
	if la, ok := c.Elements["La"]; !ok || !near(la.Tonnes, 1.8) || share(la.ByCountry, "PAK").Share != 1 {
		t.Errorf("B-Z2 La origin %+v, want 1.8 t, Pakistan 100 %%", c.Elements["La"])
	}
	var la *custody.ElementLine
	for _, r := range c.Runs {
		for i, l := range r.Elements {
			if l.Element == "La" {
				la = &r.Elements[i]
			}
		}
	}
	if la == nil || la.Out != nil || len(la.UnmeasuredOutputs) != 1 || la.UnmeasuredOutputs[0] != "urn:t:lot:B-Z1" ||
		len(la.AssayedOutputs) != 1 || la.AssayedOutputs[0].Lot != "urn:t:lot:B-Z2" || !near(la.AssayedOutputs[0].Tonnes, 1.8) {
		t.Fatalf("run La line %+v, want out null (B-Z1 unassayed) and B-Z2 1.8 t", la)
	}
}
