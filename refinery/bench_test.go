package refinery_test

import (
	"testing"

	"github.com/critmin/critmin/refinery"
)

// The generated benchmark flowsheet reconciles, converges and passes
// Check (Reconcile runs it); with noise drawn from the stated standard
// deviations its chi-square is of the order of its degrees of freedom.
func TestGeneratedFlowsheet(t *testing.T) {
	p, err := refinery.Generate(refinery.BenchmarkSize)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Nodes) != 30 || len(p.Streams) != 80 || len(p.Elements) != 15 {
		t.Fatalf("generated %d nodes, %d streams, %d elements", len(p.Nodes), len(p.Streams), len(p.Elements))
	}
	r := mustReconcile(t, p)
	if r.DOF < 100 || r.ChiSquare > 3*float64(r.DOF) {
		t.Errorf("dof %d, chi-square %g", r.DOF, r.ChiSquare)
	}
}

// BenchmarkReconcile reconciles one month of the 30-unit, 80-stream,
// 15-element generated flowsheet (critmin bench refinery runs the same).
func BenchmarkReconcile(b *testing.B) {
	p, err := refinery.Generate(refinery.BenchmarkSize)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := refinery.Reconcile(p); err != nil {
			b.Fatal(err)
		}
	}
}
