package solver

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain lets the test binary serve as its own solver worker, the role
// `critmin solve` plays in production.
func TestMain(m *testing.M) {
	if os.Getenv("CRITMIN_TEST_STDOUT_DURING_SOLVE") == "1" {
		stdoutDuringSolve()
		os.Exit(0)
	}
	if os.Getenv("CRITMIN_TEST_HANG_WORKER") == "1" {
		// A worker that never finishes: it records its process ID and
		// sleeps, as CBC does on a long solve.
		_ = os.WriteFile(os.Getenv("CRITMIN_TEST_PIDFILE"), []byte(strconv.Itoa(os.Getpid())), 0o600)
		time.Sleep(time.Hour)
		os.Exit(0)
	}
	if os.Getenv("CRITMIN_TEST_SOLVE_PARENT") == "1" {
		// A server stand-in: it solves a MIP in a hanging worker until
		// it is killed.
		m := NewModel("mip", Maximize)
		a := m.AddCol("a", 0, 10, 1, true)
		m.AddRow("c", -Inf, 5, []Term{{a, 1}})
		w := Worker{Path: os.Args[0], Env: []string{"CRITMIN_TEST_HANG_WORKER=1"}}
		_, err := SolveIn(context.Background(), w, m, Options{})
		fmt.Fprintln(os.Stderr, "worker returned:", err)
		os.Exit(1)
	}
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

// stdoutDuringSolve is the child of TestStdoutNotCapturedDuringSolve: it
// solves MIPs and LPs in process with KeepLog while another goroutine
// writes numbered lines to os.Stdout, then prints each log after a
// marker so the parent can tell the two apart.
func stdoutDuringSolve() {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			fmt.Fprintf(os.Stdout, "go-line-%d\n", i)
		}
	}()
	var logs []string
	for i := 0; i < 20; i++ {
		m := NewModel("mip", Maximize)
		a := m.AddCol("a", 0, Inf, 5, true)
		b := m.AddCol("b", 0, Inf, 4, true)
		m.AddRow("c1", -Inf, 24, []Term{{a, 6}, {b, 4}})
		m.AddRow("c2", -Inf, 6, []Term{{a, 1}, {b, 2}})
		r, err := Solve(m, Options{KeepLog: true})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		logs = append(logs, r.Log)
	}
	close(done)
	wg.Wait()
	for _, l := range logs {
		fmt.Fprintf(os.Stdout, "\n=== solver log ===\n%s", l)
	}
}

// An in-process solve that keeps its log must not take the process's
// standard output: lines Go writes to os.Stdout meanwhile (a server's
// output, go test's own FAIL lines) reach stdout, in order, and none of
// them lands in the solver's log.
func TestStdoutNotCapturedDuringSolve(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "CRITMIN_TEST_STDOUT_DURING_SOLVE=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v", err)
	}
	parts := strings.Split(string(out), "\n=== solver log ===\n")
	if len(parts) != 21 {
		t.Fatalf("%d logs in the child's output, want 20", len(parts)-1)
	}
	for i, l := range parts[1:] {
		if !strings.Contains(l, "Cbc0") {
			t.Errorf("log %d has no CBC message: %q", i, l)
		}
		if strings.Contains(l, "go-line-") {
			t.Errorf("log %d holds the process's own stdout: %.200q", i, l)
		}
	}
	// Every go-line-N from 0 to the last one printed is there, in order.
	next := 0
	for _, line := range strings.Split(parts[0], "\n") {
		if rest, ok := strings.CutPrefix(line, "go-line-"); ok {
			if rest != strconv.Itoa(next) {
				t.Fatalf("stdout line go-line-%s, want go-line-%d: lines lost", rest, next)
			}
			next++
		}
	}
	if next == 0 {
		t.Fatal("no go-line on stdout")
	}
}

// TestWorkerDiesWithKilledParent: a server killed with kill -9 while a
// worker solves takes the worker with it (nu14 item 2: workers carried on
// with PPID 1 under a one-hour time limit), and the solve's temporary
// directory it could not remove is removed by CleanStaleTemp at the next
// start.
func TestWorkerDiesWithKilledParent(t *testing.T) {
	tmp := t.TempDir()
	pidFile := filepath.Join(tmp, "worker.pid")
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), "CRITMIN_TEST_SOLVE_PARENT=1", "CRITMIN_TEST_PIDFILE="+pidFile, "TMPDIR="+tmp)
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	var worker int
	for i := 0; i < 600 && worker == 0; i++ { // up to a minute for the worker to start
		if b, err := os.ReadFile(pidFile); err == nil && len(b) > 0 {
			worker, _ = strconv.Atoi(string(b))
		} else {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if worker == 0 {
		parent.Process.Kill()
		parent.Wait()
		t.Fatal("the worker never started")
	}
	t.Cleanup(func() { syscallKill(worker) })
	if !running(worker) {
		t.Fatal("worker not running before the parent is killed")
	}
	if err := parent.Process.Kill(); err != nil { // SIGKILL: no clean-up runs
		t.Fatal(err)
	}
	parent.Wait()
	for i := 0; i < 100 && running(worker); i++ { // up to 10 s for the kernel to deliver Pdeathsig
		time.Sleep(100 * time.Millisecond)
	}
	if running(worker) {
		t.Fatalf("worker %d still running after its parent was killed", worker)
	}
	stale, _ := filepath.Glob(filepath.Join(tmp, tempPrefix+strconv.Itoa(parent.Process.Pid)+"-*"))
	if len(stale) != 1 {
		t.Fatalf("stale solve directories of the killed parent: %v; want 1", stale)
	}
	t.Setenv("TMPDIR", tmp)
	if n := CleanStaleTemp(); n != 1 {
		t.Errorf("CleanStaleTemp removed %d; want 1", n)
	}
	if _, err := os.Stat(stale[0]); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%s still there: %v", stale[0], err)
	}
}

// running reports whether pid is a live process: one that exists and is
// not a zombie waiting to be reaped.
func running(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] != 'Z'
}
