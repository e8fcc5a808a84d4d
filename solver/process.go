package solver

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Worker names a program that solves an MPS file when run with Args, the
// solver options as flags, "--solution FILE" and the MPS path: critmin
// itself (`critmin solve`). Solving in a worker process is how several
// MIPs run at once — CBC 2.10 cannot solve two in one process — and how a
// solve in progress is cancelled: the process is killed.
type Worker struct {
	Path string
	Args []string
	Env  []string
}

// solution is what a worker writes.
type solution struct {
	Status     Status    `json:"status"`
	Objective  float64   `json:"objective"`
	BestBound  float64   `json:"best_bound"`
	Gap        float64   `json:"gap"`
	Nodes      int       `json:"nodes"`
	Iterations int       `json:"iterations"`
	X          []float64 `json:"x,omitempty"`
}

// tempPrefix starts the name of a solve's temporary directory, followed
// by the owning process's ID, so that CleanStaleTemp can tell the
// directories of processes that died from those of live ones.
const tempPrefix = "critmin-solve-"

// CleanStaleTemp removes the temporary directories of solves whose
// process is gone (killed before it could remove them). serve calls it at
// start. It returns how many it removed.
func CleanStaleTemp() int {
	ents, err := os.ReadDir(os.TempDir())
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), tempPrefix)
		if !ok || !e.IsDir() {
			continue
		}
		pidText, _, ok := strings.Cut(rest, "-")
		pid, err := strconv.Atoi(pidText)
		if !ok || err != nil || pid <= 0 || pid == os.Getpid() || processAlive(pid) {
			continue
		}
		if os.RemoveAll(filepath.Join(os.TempDir(), e.Name())) == nil {
			n++
		}
	}
	return n
}

// SolveIn solves m in a worker process when it is a MIP, and in process
// otherwise (CLP solves run concurrently in one process). Cancelling ctx
// kills the worker and returns ctx's error.
func SolveIn(ctx context.Context, w Worker, m *Model, opt Options) (*Result, error) {
	if !m.IsMIP() || w.Path == "" {
		return Solve(m, opt)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	dir, err := os.MkdirTemp("", tempPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	mps, out := filepath.Join(dir, "model.mps"), filepath.Join(dir, "solution.json")
	if err := WriteMPS(m, mps); err != nil {
		return nil, err
	}
	args := append(append([]string(nil), w.Args...), "--solution", out)
	if opt.TimeLimit > 0 {
		args = append(args, "--time-limit", opt.TimeLimit.String())
	}
	if opt.Gap > 0 {
		args = append(args, "--gap", strconv.FormatFloat(opt.Gap, 'g', -1, 64))
	}
	if opt.Threads > 1 {
		args = append(args, "--threads", strconv.Itoa(opt.Threads))
	}
	if opt.KeepLog || opt.Log {
		args = append(args, "--log")
	}
	cmd := exec.CommandContext(ctx, w.Path, append(args, mps)...)
	cmd.Env = append(os.Environ(), w.Env...)
	// The worker dies with this process, however it ends (kill -9
	// included), and cancelling kills the worker's whole process group.
	bindToParent(cmd)
	output, err := cmd.CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("solver: worker %s: %v: %s", w.Path, err, output)
	}
	if opt.Log && !opt.KeepLog {
		os.Stdout.Write(output)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, fmt.Errorf("solver: worker wrote no solution: %w", err)
	}
	var s solution
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("solver: worker solution: %w", err)
	}
	r := &Result{Status: s.Status, Gap: s.Gap, Nodes: s.Nodes, Iterations: s.Iterations, Seconds: time.Since(start).Seconds()}
	if opt.KeepLog {
		r.Log = clipLog(string(output))
	}
	if !r.Status.HasSolution() {
		return r, nil
	}
	if len(s.X) != m.NumCols() {
		return nil, fmt.Errorf("solver: worker returned %d values for %d columns", len(s.X), m.NumCols())
	}
	r.X = s.X
	// The MPS minimised −f for a maximisation; MPS carries no offset.
	r.Objective, r.BestBound = s.Objective, s.BestBound
	if m.Sense == Maximize {
		r.Objective, r.BestBound = -r.Objective, -r.BestBound
	}
	r.Objective += m.ObjOffset
	r.BestBound += m.ObjOffset
	r.RowActivity = make([]float64, m.NumRows())
	for i, terms := range m.rows {
		for _, t := range terms {
			r.RowActivity[i] += t.Coef * r.X[t.Col]
		}
	}
	return r, nil
}

// WorkerFlags are the flags a worker understands, shared by `critmin
// solve` and test workers.
type WorkerFlags struct {
	TimeLimit *time.Duration
	Gap       *float64
	Threads   *int
	Solution  *string
	Log       *bool
}

// AddWorkerFlags defines the worker flags on fs.
func AddWorkerFlags(fs *flag.FlagSet) WorkerFlags {
	return WorkerFlags{
		TimeLimit: fs.Duration("time-limit", 0, "stop after this long (0: no limit)"),
		Gap:       fs.Float64("gap", 0, "relative MIP gap at which to stop (0.01 = 1 %; 0: CBC's default)"),
		Threads:   fs.Int("threads", 0, "CBC threads"),
		Solution:  fs.String("solution", "", "write the status, objective and column values to this JSON file"),
		Log:       fs.Bool("log", false, "print the solver's log"),
	}
}

// Options returns the solver options the flags give.
func (f WorkerFlags) Options() (Options, error) {
	if *f.Gap < 0 || *f.Gap >= 1 {
		return Options{}, fmt.Errorf("--gap: %v is not a fraction in [0, 1)", *f.Gap)
	}
	if *f.Threads < 0 || *f.TimeLimit < 0 {
		return Options{}, errors.New("--threads and --time-limit must not be negative")
	}
	return Options{TimeLimit: *f.TimeLimit, Gap: *f.Gap, Threads: *f.Threads, Log: *f.Log}, nil
}

// WriteSolution writes a result as a worker's solution file.
func WriteSolution(path string, r *Result) error {
	b, err := json.Marshal(solution{Status: r.Status, Objective: r.Objective, BestBound: r.BestBound, Gap: r.Gap, Nodes: r.Nodes, Iterations: r.Iterations, X: r.X})
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
