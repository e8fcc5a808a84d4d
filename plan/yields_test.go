package plan_test

import (
	"github.com/critmin/critmin"
	"testing"

	"github.com/critmin/critmin/plan"
)

// A measured NdPr recovery of 0.953 replaces the demo line's 0.9 and
// leaves the La/Ce output and the antimony line as they were; the
// original network is not changed.
func TestWithMeasuredYields(t *testing.T) {
	n := plan.Demo()
	got, changes, err := n.WithMeasuredYields("refinery-mo", []plan.MeasuredYield{{Element: "NdPr", Product: "ndpr_oxide", Recovery: 0.953, Period: "2025-10", Source: "close 1"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) != 1 || changes[0].Line != "ree-sx" || changes[0].Was != 0.9 {
		t.Fatalf("changes %+v", changes)
	}
	for _, l := range got.Lines {
		for _, o := range l.Outputs {
			want := map[string]float64{"ndpr_oxide": 0.953, "lace_carbonate": 0.8, "antimony_trioxide": 0.92}[o.Product]
			if o.Recovery != want {
				t.Errorf("%s %s recovery %g, want %g", l.ID, o.Product, o.Recovery, want)
			}
		}
	}
	if n.Lines[0].Outputs[0].Recovery != 0.9 {
		t.Error("the original network changed")
	}
	if _, _, err := n.WithMeasuredYields("nowhere", nil); err == nil {
		t.Error("unknown site accepted")
	}
	if _, _, err := n.WithMeasuredYields("refinery-mo", []plan.MeasuredYield{{Element: "Sb", Product: "antimony_trioxide", Recovery: 1.2}}); err == nil {
		t.Error("recovery 1.2 accepted")
	}
	// fix12h 1: two yields of one element into one product were kept
	// last-wins (0.30 of 0.75); the streams are summed before, and two
	// figures for one output are refused, never one dropped silently.
	two := []plan.MeasuredYield{{Element: "NdPr", Product: "ndpr_oxide", Recovery: 0.45}, {Element: "NdPr", Product: "ndpr_oxide", Recovery: 0.30}}
	if _, _, err := n.WithMeasuredYields("refinery-mo", two); critmin.ErrorCode(err) != critmin.EINVALID {
		t.Errorf("two yields of NdPr into ndpr_oxide: %v, want EINVALID", err)
	}
}
