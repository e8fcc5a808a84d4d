package solver

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestMain lets the test binary serve as its own solver worker, the role
// `critmin solve` plays in production.
func TestMain(m *testing.M) {
	if os.Getenv("CRITMIN_TEST_SOLVER_WORKER") == "1" {
		fs := flag.NewFlagSet("worker", flag.ExitOnError)
		wf := AddWorkerFlags(fs)
		fs.Parse(os.Args[1:])
		opt, err := wf.Options()
		if err == nil {
			var model *Model
			if model, err = ReadMPS(fs.Arg(0)); err == nil {
				var r *Result
				if r, err = Solve(model, opt); err == nil {
					err = WriteSolution(*wf.Solution, r)
				}
			}
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func testWorker() Worker {
	return Worker{Path: os.Args[0], Env: []string{"CRITMIN_TEST_SOLVER_WORKER=1"}}
}

func TestWorkerSolvesLikeInProcess(t *testing.T) {
	// The hand-solved MIP (maximise 5a + 4b): 20 at (4, 0).
	m := NewModel("mip", Maximize)
	a := m.AddCol("a", 0, Inf, 5, true)
	b := m.AddCol("b", 0, Inf, 4, true)
	m.AddRow("c1", -Inf, 24, []Term{{a, 6}, {b, 4}})
	m.AddRow("c2", -Inf, 6, []Term{{a, 1}, {b, 2}})
	r, err := SolveIn(context.Background(), testWorker(), m, Options{Gap: 0.0001})
	if err != nil || r.Status != Optimal || !near(r.Objective, 20) || !near(r.X[0], 4) || !near(r.RowActivity[0], 24) {
		t.Fatalf("%v %+v", err, r)
	}
	// Infeasible stays a status, not an error.
	m.AddRow("c3", 30, Inf, []Term{{a, 1}})
	if r, err := SolveIn(context.Background(), testWorker(), m, Options{}); err != nil || r.Status != Infeasible {
		t.Fatalf("%v %+v", err, r)
	}
}

// Workers are separate processes: MIPs solve at once, each right.
func TestConcurrentWorkers(t *testing.T) {
	p201, err := ReadMPS(filepath.Join("testdata", "p0201.mps"))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := SolveIn(context.Background(), testWorker(), p201, Options{})
			if err == nil && (r.Status != Optimal || !near(r.Objective, 7615)) {
				err = fmt.Errorf("status %s objective %v", r.Status, r.Objective)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestWorkerCancelled(t *testing.T) {
	p201, _ := ReadMPS(filepath.Join("testdata", "p0201.mps"))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := SolveIn(ctx, testWorker(), p201, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	// A worker that fails is an error that says so.
	if _, err := SolveIn(context.Background(), Worker{Path: "/bin/false"}, p201, Options{}); err == nil {
		t.Fatal("failing worker accepted")
	}
}

// KeepLog keeps CBC's own log of a MIP, solved in process (stdout
// captured) or in a worker (its output), and CLP's of an LP; without it
// there is none.
func TestKeepLog(t *testing.T) {
	m := NewModel("mip", Maximize)
	a := m.AddCol("a", 0, Inf, 5, true)
	b := m.AddCol("b", 0, Inf, 4, true)
	m.AddRow("c1", -Inf, 24, []Term{{a, 6}, {b, 4}})
	m.AddRow("c2", -Inf, 6, []Term{{a, 1}, {b, 2}})
	for name, w := range map[string]Worker{"in process": {}, "worker": testWorker()} {
		r, err := SolveIn(context.Background(), w, m, Options{KeepLog: true})
		// CBC's messages carry codes such as Cbc0012I (integer solution)
		// and Cbc0001I (search completed).
		if err != nil || !near(r.Objective, 20) || !strings.Contains(r.Log, "Cbc0") {
			t.Errorf("%s: %v, objective %v, log %q", name, err, r.Objective, r.Log)
		}
	}
	if r, err := Solve(m, Options{}); err != nil || r.Log != "" {
		t.Errorf("no KeepLog: %v, log %q", err, r.Log)
	}
	lp := NewModel("lp", Maximize)
	x := lp.AddCol("x", 0, 4, 1, false)
	lp.AddRow("r", -Inf, 3, []Term{{x, 1}})
	if r, err := Solve(lp, Options{KeepLog: true}); err != nil || !near(r.Objective, 3) || !strings.Contains(r.Log, "objective") {
		t.Errorf("LP: %v, log %q", err, r.Log)
	}
}
