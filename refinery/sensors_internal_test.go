package refinery

import (
	"math"
	"testing"
)

// dry = w(1 − m), var(dry) = (1 − m)²var(w) + w²var(m) (GUM §5.1.2, first
// order). w = 100 t sd 0.5 t, m = 12 % sd 0.5 % abs.:
//
//	dry = 100 × 0.88 = 88 t
//	var = 0.88² × 0.25 + 100² × 0.005² = 0.1936 + 0.25 = 0.4436 t², sd 0.66604…
//
// Without the moisture term the sd would be 0.44 t: the moisture
// determination is the larger part of the dry tonnes' uncertainty.
func TestDryMassPropagatesMoisture(t *testing.T) {
	d, v := dryMass(100, 0.5, 0.12, 0.005)
	if math.Abs(d-88) > 1e-12 || math.Abs(v-0.4436) > 1e-12 {
		t.Errorf("dryMass = %g, var %g; want 88, 0.4436", d, v)
	}
	// A dry material (m = 0 exactly, sd 0) keeps the weighing's variance.
	if d, v := dryMass(50, 0.25, 0, 0); d != 50 || math.Abs(v-0.0625) > 1e-15 {
		t.Errorf("dryMass dry = %g, var %g; want 50, 0.0625", d, v)
	}
}
