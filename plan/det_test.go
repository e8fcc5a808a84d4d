package plan

import (
	"testing"
)

// The model of a network is the same on every build — column and row
// order included — so that a plan is reproducible (CBC's search depends
// on the order).
func TestBuildIsDeterministic(t *testing.T) {
	first, err := BuildModel(Demo(), Baseline, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		m, err := BuildModel(Demo(), Baseline, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if m.NumCols() != first.NumCols() || m.NumRows() != first.NumRows() {
			t.Fatalf("build %d: %d×%d, first %d×%d", i, m.NumRows(), m.NumCols(), first.NumRows(), first.NumCols())
		}
		for j := range m.ColNames {
			if m.ColNames[j] != first.ColNames[j] || m.Obj[j] != first.Obj[j] {
				t.Fatalf("build %d: column %d is %s, first build had %s", i, j, m.ColNames[j], first.ColNames[j])
			}
		}
		for r := range m.RowNames {
			if m.RowNames[r] != first.RowNames[r] {
				t.Fatalf("build %d: row %d is %s, first build had %s", i, r, m.RowNames[r], first.RowNames[r])
			}
		}
	}
}
