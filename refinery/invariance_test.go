package refinery_test

import (
	"math"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/critmin/critmin/refinery"
)

func loadProblem(t *testing.T, path string) *refinery.Problem {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := refinery.DecodeProblem(f)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// Two separate units, a (Cu) and b (Sb), each with a measured feed and
// product and an unmeasured tailing; the other element is declared 0 on
// every stream of the unit. Per unit: unknowns are the tailing's mass and
// grade (2), balances with a term are mass and the unit's own element (2);
// the third balance (the other element) is 0 = 0. So every measurement is
// just determined: dof = 0, no adjustment, sd unchanged, and the tailing
// comes from the balances alone:
//
//	ta = 100 − 8 = 92 t, Cu = (100 × 1.0 − 8 × 10.0)/92 = 20/92 % = 0.21739 %
//	tb = 50 − 5 = 45 t,  Sb = (50 × 9.0 − 5 × 80.0)/45 = 50/45 % = 1.11111 %
//
// Before the fix the 0 = 0 rows entered the projection and rounding noise
// in them counted as a degree of freedom (dof 1, sds of fb, pb shrunk).
func TestFixedZeroGradesJustDetermined(t *testing.T) {
	r, err := refinery.Reconcile(loadProblem(t, "testdata/min.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.DOF != 0 || r.ChiSquare != 0 {
		t.Fatalf("dof %d chi² %g, want 0 and 0", r.DOF, r.ChiSquare)
	}
	for _, s := range r.Streams {
		for name, e := range map[string]refinery.Estimate{"mass": s.Mass, "Cu": s.Grade["Cu"], "Sb": s.Grade["Sb"]} {
			if e.Measured == nil {
				continue
			}
			if e.Class != refinery.ClassJustDetermined || *e.Adjustment != 0 || float64(e.SD) != *e.MeasuredSD {
				t.Errorf("%s %s: class %s adjustment %g sd %g (measured sd %g), want just determined, unchanged", s.ID, name, e.Class, *e.Adjustment, float64(e.SD), *e.MeasuredSD)
			}
		}
	}
	want := map[string][2]float64{"ta": {92, 20.0 / 92}, "tb": {45, 50.0 / 45}}
	for _, s := range r.Streams {
		w, ok := want[s.ID]
		if !ok {
			continue
		}
		el := map[string]string{"ta": "Cu", "tb": "Sb"}[s.ID]
		if math.Abs(float64(s.Mass.Value)-w[0]) > 1e-9 || math.Abs(float64(s.Grade[el].Value)-w[1]) > 1e-9 {
			t.Errorf("%s: %g t at %g %% %s, want %g t at %g %%", s.ID, float64(s.Mass.Value), float64(s.Grade[el].Value), el, w[0], w[1])
		}
	}
}

// Two units that share nothing reconcile as each would alone: the demo
// corridor's REE line and Sb roaster together (corrp.json) give the Sb
// roaster the same values and standard deviations as the roaster alone
// (sb.json), and dof = 0 + 0.
func TestSeparateUnitsAsAlone(t *testing.T) {
	both, err := refinery.Reconcile(loadProblem(t, "testdata/corrp.json"))
	if err != nil {
		t.Fatal(err)
	}
	alone, err := refinery.Reconcile(loadProblem(t, "testdata/sb.json"))
	if err != nil {
		t.Fatal(err)
	}
	if both.DOF != 0 || alone.DOF != 0 {
		t.Fatalf("dof together %d, alone %d; want 0 and 0", both.DOF, alone.DOF)
	}
	idx := map[string]refinery.StreamResult{}
	for _, s := range both.Streams {
		idx[s.ID] = s
	}
	for _, a := range alone.Streams {
		b := idx[a.ID]
		same(t, a.ID+" mass", b.Mass, a.Mass)
		same(t, a.ID+" Sb", b.Grade["Sb"], a.Grade["Sb"])
	}
}

func same(t *testing.T, what string, got, want refinery.Estimate) {
	t.Helper()
	if got.Class != want.Class || !sameNum(float64(got.Value), float64(want.Value)) || !sameNum(float64(got.SD), float64(want.SD)) {
		t.Errorf("%s: %s %g ± %g, want %s %g ± %g", what, got.Class, float64(got.Value), float64(got.SD), want.Class, float64(want.Value), float64(want.SD))
	}
}

func sameNum(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) == math.IsNaN(b)
	}
	return math.Abs(a-b) <= 1e-7*math.Max(1, math.Abs(b))
}

// The result does not depend on the order of nodes and streams: each
// problem is reconciled in its own order, reversed, and in random
// permutations; dof, χ², the gross errors and every stream's values,
// classes and sds agree.
func TestOrderInvariance(t *testing.T) {
	for _, file := range []string{"testdata/min.json", "testdata/corrp.json", "testdata/ge.json", "testdata/flotation.json"} {
		ref, err := refinery.Reconcile(loadProblem(t, file))
		if err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 2))
		for k := 0; k < 6; k++ {
			p := loadProblem(t, file)
			if k == 0 {
				for i, j := 0, len(p.Nodes)-1; i < j; i, j = i+1, j-1 {
					p.Nodes[i], p.Nodes[j] = p.Nodes[j], p.Nodes[i]
				}
				for i, j := 0, len(p.Streams)-1; i < j; i, j = i+1, j-1 {
					p.Streams[i], p.Streams[j] = p.Streams[j], p.Streams[i]
				}
			} else {
				rng.Shuffle(len(p.Nodes), func(i, j int) { p.Nodes[i], p.Nodes[j] = p.Nodes[j], p.Nodes[i] })
				rng.Shuffle(len(p.Streams), func(i, j int) { p.Streams[i], p.Streams[j] = p.Streams[j], p.Streams[i] })
			}
			r, err := refinery.Reconcile(p)
			if err != nil {
				t.Fatalf("%s permutation %d: %v", file, k, err)
			}
			if r.DOF != ref.DOF || !sameNum(r.ChiSquare, ref.ChiSquare) || len(r.GrossErrors) != len(ref.GrossErrors) {
				t.Fatalf("%s permutation %d: dof %d χ² %g gross %d; in file order %d %g %d", file, k, r.DOF, r.ChiSquare, len(r.GrossErrors), ref.DOF, ref.ChiSquare, len(ref.GrossErrors))
			}
			idx := map[string]refinery.StreamResult{}
			for _, s := range r.Streams {
				idx[s.ID] = s
			}
			for _, s := range ref.Streams {
				same(t, file+" "+s.ID+" mass", idx[s.ID].Mass, s.Mass)
				for e, g := range s.Grade {
					same(t, file+" "+s.ID+" "+e, idx[s.ID].Grade[e], g)
				}
			}
		}
	}
}

// ge.json: s3's mass planted at 55 t, true 40. With every measurement
// the error spreads (feed 105.76 t, χ² 98 on 4 dof, global test fails);
// serial elimination locates s3 mass, and the reported solution leaves it
// out. The other measurements then balance exactly:
//
//	n1 mass: s3 = 100 − 60 = 40 t; Cu: 100 × 2 % = 2.0 = 60 × 3 % (1.8)
//	         + 40 × 0.5 % (0.2)
//	n2 mass: 60 = 10 + 50; Cu: 1.8 = 10 × 15 % (1.5) + 50 × 0.6 % (0.3)
//
// so χ² = 0 and no value moves: feed 100 t, recoveries s4 1.5/2.0 = 0.75,
// s5 0.3/2.0 = 0.15, s3 0.2/2.0 = 0.10. The all-measurement solution is
// kept beside it.
func TestLocatedGrossErrorRemovedFromReportedSolution(t *testing.T) {
	r, err := refinery.Reconcile(loadProblem(t, "testdata/ge.json"))
	if err != nil {
		t.Fatal(err)
	}
	if r.Basis != refinery.BasisEliminated+": /streams/2/mass_t" || r.GlobalTest != "pass" || r.ChiSquare > 1e-12 {
		t.Fatalf("basis %q, global test %s, χ² %g; want s3 mass removed, pass, 0", r.Basis, r.GlobalTest, r.ChiSquare)
	}
	want := map[string]float64{"feed": 100, "s2": 60, "s3": 40, "s4": 10, "s5": 50}
	for _, s := range r.Streams {
		if !sameNum(float64(s.Mass.Value), want[s.ID]) {
			t.Errorf("%s reported %g t, want %g", s.ID, float64(s.Mass.Value), want[s.ID])
		}
		if s.Mass.Removed != (s.ID == "s3") {
			t.Errorf("%s removed = %v", s.ID, s.Mass.Removed)
		}
	}
	for id, w := range map[string]float64{"s3": 0.10, "s4": 0.75, "s5": 0.15} {
		if got := float64(r.Accounts[0].Recovery[id]); !sameNum(got, w) {
			t.Errorf("recovery to %s %g, want %g", id, got, w)
		}
	}
	all := r.AllMeasurements
	if all == nil || all.GlobalTest != "fail" || all.Basis != refinery.BasisAll {
		t.Fatalf("all-measurement solution %+v", all)
	}
	if feed := float64(all.Streams[0].Mass.Value); feed < 105 || feed > 106.5 {
		t.Errorf("all-measurement feed %g, want the error spread into it (≈105.76)", feed)
	}
}
