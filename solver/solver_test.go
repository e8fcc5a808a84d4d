package solver

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-6*(1+math.Abs(b)) }

// lp is solved by hand:
//
//	max 3x + 2y
//	r1: x +  y ≤ 4
//	r2: x + 3y ≤ 9
//	0 ≤ x ≤ 3, y ≥ 0
//
// x sits at its bound 3, r1 leaves y = 1: objective 11. r1 binds; raising
// its right-hand side to 5 lets y = 2, objective 13, so its dual is 2. r2
// has slack (6 < 9): dual 0. x's reduced cost is 3 − 2·1 = 1 (one more
// unit of x's bound is worth 1); y is basic: 0.
func lp() *Model {
	m := NewModel("hand", Maximize)
	x := m.AddCol("x", 0, 3, 3, false)
	y := m.AddCol("y", 0, Inf, 2, false)
	m.AddRow("r1", math.Inf(-1), 4, []Term{{x, 1}, {y, 1}})
	m.AddRow("r2", math.Inf(-1), 9, []Term{{x, 1}, {y, 3}})
	return m
}

func TestHandSolvedLPWithDuals(t *testing.T) {
	r, err := Solve(lp(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != Optimal || !near(r.Objective, 11) {
		t.Fatalf("status %s objective %v, want optimal 11", r.Status, r.Objective)
	}
	if !near(r.X[0], 3) || !near(r.X[1], 1) {
		t.Fatalf("x = %v, want [3 1]", r.X)
	}
	if !near(r.Duals[0], 2) || !near(r.Duals[1], 0) {
		t.Fatalf("duals = %v, want [2 0]", r.Duals)
	}
	if !near(r.ReducedCosts[0], 1) || !near(r.ReducedCosts[1], 0) {
		t.Fatalf("reduced costs = %v, want [1 0]", r.ReducedCosts)
	}
	if !near(r.RowActivity[0], 4) || !near(r.RowActivity[1], 6) {
		t.Fatalf("row activity = %v, want [4 6]", r.RowActivity)
	}
	if b := Binding(lp(), r.RowActivity, 1e-9); len(b) != 1 || b[0] != 0 {
		t.Fatalf("binding = %v, want [0]", b)
	}
}

// The same LP minimising −(3x + 2y): objective −11 and, by the same
// reasoning, dual −2 on r1 (one more unit lowers the cost by 2).
func TestMinimizeDualSign(t *testing.T) {
	m := lp()
	m.Sense = Minimize
	for j := range m.Obj {
		m.Obj[j] = -m.Obj[j]
	}
	r, err := Solve(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != Optimal || !near(r.Objective, -11) || !near(r.Duals[0], -2) {
		t.Fatalf("status %s objective %v duals %v", r.Status, r.Objective, r.Duals)
	}
}

// mip is solved by hand:
//
//	max 5a + 4b,  6a + 4b ≤ 24,  a + 2b ≤ 6,  a, b ≥ 0 integer
//
// The LP relaxation gives a = 3, b = 1.5, 21. Integer points on the
// frontier: (4,0) → 20, (3,1) → 19, (2,2) → 18; so 20 at (4,0).
func TestHandSolvedMIP(t *testing.T) {
	m := NewModel("mip", Maximize)
	a := m.AddCol("a", 0, Inf, 5, true)
	b := m.AddCol("b", 0, Inf, 4, true)
	m.AddRow("c1", math.Inf(-1), 24, []Term{{a, 6}, {b, 4}})
	m.AddRow("c2", math.Inf(-1), 6, []Term{{a, 1}, {b, 2}})
	r, err := Solve(m, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != Optimal || !near(r.Objective, 20) || !near(r.X[0], 4) || !near(r.X[1], 0) {
		t.Fatalf("status %s objective %v x %v, want optimal 20 at (4,0)", r.Status, r.Objective, r.X)
	}
	// Fixing the integers and solving the LP gives the same objective.
	f, err := Solve(m.FixIntegers(r.X), Options{})
	if err != nil || f.Status != Optimal || !near(f.Objective, 20) || f.Duals == nil {
		t.Fatalf("fixed LP: %v %+v", err, f)
	}
}

func TestInfeasibleAndUnbounded(t *testing.T) {
	for _, integer := range []bool{false, true} {
		m := NewModel("infeasible", Minimize)
		x := m.AddCol("x", 0, 10, 1, integer)
		m.AddRow("lo", 2, Inf, []Term{{x, 1}})
		m.AddRow("hi", math.Inf(-1), 1, []Term{{x, 1}})
		r, err := Solve(m, Options{})
		if err != nil || r.Status != Infeasible {
			t.Fatalf("integer=%v: %v %v, want infeasible", integer, err, r)
		}
		u := NewModel("unbounded", Maximize)
		x = u.AddCol("x", 0, Inf, 1, integer)
		y := u.AddCol("y", 0, Inf, 0, false)
		u.AddRow("r", math.Inf(-1), 1, []Term{{x, 1}, {y, -1}})
		r, err = Solve(u, Options{})
		if err != nil || r.Status != Unbounded {
			t.Fatalf("integer=%v: %v %v, want unbounded", integer, err, r)
		}
	}
	// Integer infeasible although the relaxation is feasible.
	m := NewModel("gap", Minimize)
	x := m.AddCol("x", 0, 10, 1, true)
	m.AddRow("r", 0.2, 0.8, []Term{{x, 1}})
	if r, err := Solve(m, Options{}); err != nil || r.Status != Infeasible {
		t.Fatalf("%v %v, want infeasible", err, r)
	}
}

func TestValidateRejectsBadModels(t *testing.T) {
	m := NewModel("bad", Minimize)
	x := m.AddCol("x", 5, 1, 1, false)
	if _, err := Solve(m, Options{}); err == nil {
		t.Fatal("empty bounds accepted")
	}
	m = NewModel("bad", Minimize)
	x = m.AddCol("x", 0, 1, math.NaN(), false)
	if _, err := Solve(m, Options{}); err == nil {
		t.Fatal("NaN objective accepted")
	}
	m = NewModel("bad", Minimize)
	x = m.AddCol("x", 0, 1, 1, false)
	m.AddRow("r", 0, 1, []Term{{x + 1, 1}})
	if _, err := Solve(m, Options{}); err == nil {
		t.Fatal("out-of-range column accepted")
	}
}

// Known optima of standard test models (see testdata/README.md).
func TestStandardMPSModels(t *testing.T) {
	for _, c := range []struct {
		file string
		mip  bool
		opt  float64
	}{{"afiro.mps", false, -464.7531428571}, {"p0033.mps", true, 3089}, {"p0201.mps", true, 7615}, {"lseu.mps", true, 1120}} {
		m, err := ReadMPS(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		if m.IsMIP() != c.mip {
			t.Fatalf("%s: IsMIP = %v", c.file, m.IsMIP())
		}
		r, err := Solve(m, Options{})
		if err != nil || r.Status != Optimal || !near(r.Objective, c.opt) {
			t.Fatalf("%s: %v status %s objective %v, want %v", c.file, err, r.Status, r.Objective, c.opt)
		}
	}
}

func TestWriteMPSRoundTrip(t *testing.T) {
	dir := t.TempDir()
	m := lp()
	m.ColNames[0] = "has space" // made MPS-safe on write
	p := filepath.Join(dir, "hand.mps")
	if err := WriteMPS(m, p); err != nil {
		t.Fatal(err)
	}
	back, err := ReadMPS(p)
	if err != nil {
		t.Fatal(err)
	}
	if back.NumCols() != 2 || back.NumRows() != 2 || back.ColNames[0] != "has_space" {
		t.Fatalf("read back %d cols %d rows names %v", back.NumCols(), back.NumRows(), back.ColNames)
	}
	r, err := Solve(back, Options{})
	// Maximise 3x+2y was written as minimise −3x−2y.
	if err != nil || r.Status != Optimal || !near(r.Objective, -11) {
		t.Fatalf("%v %+v", err, r)
	}
	if err := WriteMPS(m, filepath.Join(dir, "x.lp")); err == nil {
		t.Fatal("non-.mps path accepted")
	}
	if _, err := ReadMPS(filepath.Join(dir, "missing.mps")); err == nil {
		t.Fatal("missing file accepted")
	}
	junk := filepath.Join(dir, "junk.mps")
	os.WriteFile(junk, []byte("this is not MPS\n"), 0o644)
	if _, err := ReadMPS(junk); err == nil {
		t.Fatal("junk accepted")
	}
}

// Many solves at once and in sequence: models are freed after each and
// share no state.
func TestConcurrentSolves(t *testing.T) {
	p33, err := ReadMPS(filepath.Join("testdata", "p0033.mps"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for k := 0; k < 5; k++ {
				if i%2 == 0 {
					r, err := Solve(p33, Options{})
					if err != nil || !near(r.Objective, 3089) {
						errs <- "p0033"
					}
				} else {
					r, err := Solve(lp(), Options{})
					if err != nil || !near(r.Objective, 11) {
						errs <- "lp"
					}
				}
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatalf("concurrent solve of %s gave a wrong answer", e)
	}
}

// TestLongNamesWriteAndSolve: COIN-OR's MPS writer keeps names in fixed
// buffers (a 100-byte column name smashed its stack), so names are cut
// to mpsNameMax bytes with a hash of the whole name kept for uniqueness.
// Two 1,024-byte names that differ only in their last byte must stay two
// names, and the model must write, read back and solve as before
// (maximise 3x+2y: optimum 11, written as minimise −11).
func TestLongNamesWriteAndSolve(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []int{60, 80, 100, 255, 256, 1024, 4096} {
		m := lp()
		long := strings.Repeat("b", n-1)
		m.ColNames[0], m.ColNames[1] = long+"x", long+"y"
		m.RowNames[0], m.RowNames[1] = long+"1", long+"2"
		p := filepath.Join(dir, fmt.Sprintf("long%d.mps", n))
		if err := WriteMPS(m, p); err != nil {
			t.Fatal(err)
		}
		back, err := ReadMPS(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, names := range [][]string{back.ColNames, back.RowNames} {
			if len(names) != 2 || names[0] == names[1] || len(names[0]) > mpsNameMax {
				t.Fatalf("length %d: names read back %q", n, names)
			}
		}
		r, err := Solve(m, Options{})
		if err != nil || r.Status != Optimal || !near(r.Objective, 11) {
			t.Fatalf("length %d: %v %+v", n, err, r)
		}
		rb, err := Solve(back, Options{})
		if err != nil || rb.Status != Optimal || !near(rb.Objective, -11) {
			t.Fatalf("length %d read back: %v %+v", n, err, rb)
		}
	}
}
