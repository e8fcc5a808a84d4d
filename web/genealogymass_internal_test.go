package web

import (
	"testing"

	"github.com/critmin/critmin/custody"
)

// TestNodeMass: a lot box shows dry tonnes where moisture is stated
// (30 t at 8 %: 27.6 t dry), the stated wet mass where it is not, small
// masses in kg (0.4 t without moisture: 400 kg wet), nothing for a
// container or a lot without a mass.
func TestNodeMass(t *testing.T) {
	eight := 0.08
	for _, c := range []struct {
		n    custody.Node
		want string
	}{
		{custody.Node{Kind: "lot", WetTonnes: 30, DryTonnes: 27.6, Moisture: &eight}, "27.6 t dry"},
		{custody.Node{Kind: "lot", WetTonnes: 24.95, DryTonnes: 24.95}, "24.95 t wet"},
		{custody.Node{Kind: "lot", WetTonnes: 0.4, DryTonnes: 0.4}, "400 kg wet"},
		{custody.Node{Kind: "lot"}, ""},
		{custody.Node{Kind: "epc", WetTonnes: 5}, ""},
	} {
		if got := nodeMass(c.n); got != c.want {
			t.Errorf("%+v: %q; want %q", c.n, got, c.want)
		}
	}
}
