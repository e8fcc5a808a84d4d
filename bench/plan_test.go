package bench

import (
	"testing"

	"github.com/critmin/critmin/plan"
)

// The planner benchmark's inputs: the generated network has the shape
// the issue names and is valid; the 50 demo variants are valid and apply.
func TestPlanBenchmarkInputs(t *testing.T) {
	n := LargeNetwork(1)
	kinds := map[string]int{}
	for _, s := range n.Sites {
		kinds[s.Kind]++
	}
	if kinds["mine"] != 30 || kinds["refinery"] != 4 || kinds["buyer"] != 60 || n.Periods.Count != 52 || len(n.Contracts) != 60 {
		t.Fatalf("generated network: %v sites, %d periods, %d contracts", kinds, n.Periods.Count, len(n.Contracts))
	}
	binaries := 0
	for _, l := range n.Lanes {
		if l.MinShipmentT > 0 {
			binaries++
		}
	}
	if binaries != 12 {
		t.Fatalf("%d lanes with minimum shipments; want the 12 sea lanes", binaries)
	}
	v := demoVariants(plan.Demo(), 50)
	if len(v.Scenarios) != 50 {
		t.Fatalf("%d variants", len(v.Scenarios))
	}
	if err := v.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, s := range v.Scenarios {
		if _, _, err := v.Apply(s.ID); err != nil {
			t.Fatalf("%s: %v", s.ID, err)
		}
	}
}
