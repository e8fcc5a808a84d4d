package cli

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/critmin/critmin/bench"
	"github.com/critmin/critmin/units"
)

func runBench(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "plan" {
		return runBenchPlan(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "soak" {
		return runBenchSoak(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "refinery" {
		return runBenchRefinery(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "load" {
		return runBenchLoad(ctx, env, args[1:])
	}
	if len(args) == 0 || (args[0] != "capture" && args[0] != "query" && args[0] != "risk" && args[0] != "genealogy" && args[0] != "verify") {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(env.Stdout, "Usage: critmin bench capture|query|load|risk|genealogy|verify|plan|refinery|soak [flags]  (critmin bench capture --help for flags)")
			return nil
		}
		return usagef("bench: the subcommands are capture, query, load, risk, genealogy, verify, plan, refinery and soak")
	}
	kind := args[0]
	fs := flagSet(env, "bench "+kind, "bench "+kind+" [--events N] [--batch N] [--postgres ADMIN_DSN] [--dir DIR]")
	var cfg bench.Config
	def := 100000
	if kind == "query" || kind == "genealogy" || kind == "verify" {
		def = 1000000
	}
	fs.IntVar(&cfg.Events, "events", def, "number of generated corridor events")
	fs.IntVar(&cfg.Batch, "batch", 1000, "events per captured document")
	fs.IntVar(&cfg.Clients, "clients", 2, "concurrent HTTP clients (capture)")
	fs.IntVar(&cfg.Queries, "queries", 500, "queries of each kind (query)")
	fs.StringVar(&cfg.PostgresAdmin, "postgres", "", "run on a scratch database created on this PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/postgres) instead of SQLite")
	fs.StringVar(&cfg.Dir, "dir", "", "directory for the SQLite files (default: a temporary directory, removed after)")
	showProgress := progressFlag(fs)
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	levels := fs.Int("levels", 10, "levels of refinery runs (genealogy)")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	tuneGC(env)
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	if cfg.Events < 1 || cfg.Batch < 1 || cfg.Batch > 10000 || cfg.Clients < 1 || cfg.Queries < 1 {
		return usagef("--events, --clients and --queries must be positive; --batch from 1 to 10000")
	}
	ctx, cfg.Progress = startProgress(ctx, env, *showProgress, "bench "+kind)
	if kind == "verify" {
		r, err := bench.Verify(ctx, cfg)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "backend=%s events=%d load_seconds=%s\n", r.Backend, r.Events, units.Fixed(r.LoadSeconds, 1))
		fmt.Fprintf(env.Stdout, "chain_audit_log_seconds=%s chain_audit_log_events_per_sec=%s\n", units.Fixed(r.ChainSeconds, 2), units.Fixed(float64(r.Events)/r.ChainSeconds, 0))
		fmt.Fprintf(env.Stdout, "verify_with_rebuild_seconds=%s verify_with_rebuild_events_per_sec=%s tables=%d rows_compared=%d\n", units.Fixed(r.FullSeconds, 2), units.Fixed(float64(r.Events)/r.FullSeconds, 0), r.Tables, r.Rows)
		fmt.Fprintf(env.Stdout, "cpu_seconds: chain_audit_log=%s (%s events per CPU-s) verify_with_rebuild=%s (%s events per CPU-s)\n", units.Fixed(r.ChainCPU, 2), units.Fixed(float64(r.Events)/r.ChainCPU, 0), units.Fixed(r.FullCPU, 2), units.Fixed(float64(r.Events)/r.FullCPU, 0))
		return nil
	}
	if kind == "genealogy" {
		r, err := bench.Genealogy(ctx, cfg, *levels)
		if err != nil {
			return err
		}
		ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
		fmt.Fprintf(env.Stdout, "backend=%s events=%d final_lots=%d origin_lots_per_final=%d load_seconds=%s\n", r.Backend, r.Events, r.FinalLots, r.ClosureLots, units.Fixed(r.LoadSeconds, 1))
		fmt.Fprintf(env.Stdout, "origin_p50_ms=%s origin_p99_ms=%s (kept mix)\n", units.Fixed(ms(r.Origin[0]), 2), units.Fixed(ms(r.Origin[1]), 2))
		fmt.Fprintf(env.Stdout, "origin_with_evidence_p50_ms=%s origin_with_evidence_p99_ms=%s (full walk)\n", units.Fixed(ms(r.Walk[0]), 2), units.Fixed(ms(r.Walk[1]), 2))
		if r.CTE[0] > 0 {
			fmt.Fprintf(env.Stdout, "recursive_cte_p50_ms=%s recursive_cte_p99_ms=%s cte_over_origin_p50=%s\n", units.Fixed(ms(r.CTE[0]), 2), units.Fixed(ms(r.CTE[1]), 2), units.Fixed(float64(r.CTE[0])/float64(r.Origin[0]), 2))
		}
		fmt.Fprintf(env.Stdout, "verify_records_per_sec=%s\n", units.Fixed(r.VerifyPerSec, 0))
		return nil
	}
	if kind == "risk" {
		r, err := bench.Risk(ctx, cfg)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "indicator_sets=%d all_indicators_ms=%s\n", r.Indicators, units.Fixed(float64(r.AllIndicators.Microseconds())/1000, 3))
		fmt.Fprintf(env.Stdout, "dashboard_p50_ms=%s dashboard_p99_ms=%s\n", units.Fixed(float64(r.Dashboard[0].Microseconds())/1000, 2), units.Fixed(float64(r.Dashboard[1].Microseconds())/1000, 2))
		return nil
	}
	if kind == "capture" {
		r, err := bench.Capture(ctx, cfg)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "backend=%s events=%d documents=%d seconds=%s events_per_sec=%s cpu_seconds=%s events_per_cpu_sec=%s load_average=%s\n", r.Backend, r.Events, r.Documents, units.Fixed(r.Seconds, 2), units.Fixed(r.EventsPerSec, 0), units.Fixed(r.CPUSeconds, 2), units.Fixed(float64(r.Events)/r.CPUSeconds, 0), loadAverage())
		if r.PlainSeconds > 0 {
			fmt.Fprintf(env.Stdout, "plain_insert_seconds=%s plain_events_per_sec=%s capture_vs_plain_ratio=%s\n", units.Fixed(r.PlainSeconds, 2), units.Fixed(r.PlainPerSec, 0), units.Fixed(r.Ratio, 2))
		}
		return nil
	}
	r, err := bench.Query(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "backend=%s events=%d load_seconds=%s load_events_per_sec=%s\n", r.Backend, r.Events, units.Fixed(r.LoadSeconds, 1), units.Fixed(float64(r.Events)/r.LoadSeconds, 0))
	kinds := make([]string, 0, len(r.Latencies))
	for k := range r.Latencies {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		l := r.Latencies[k]
		fmt.Fprintf(env.Stdout, "query=%s p50_ms=%s p99_ms=%s\n", k, units.Fixed(float64(l[0].Microseconds())/1000, 2), units.Fixed(float64(l[1].Microseconds())/1000, 2))
	}
	return nil
}

// tuneGC raises the garbage collector's target to 400 % unless GOGC is
// set, for the batch commands (bench, verify; serve keeps Go's 100 %, for
// bounded memory): capture allocates heavily while validating against the JSON
// Schemas, and on the benchmark a larger heap buys about 10 % more events
// per second for a few hundred megabytes (docs/benchmarks.md).
func tuneGC(env *Env) {
	if env.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// runBenchPlan runs the planner benchmarks: (a) in process vs MPS and the
// cbc program, (b) the demo corridor, (c) a generated 30×4×60×52 network,
// (d) 50 scenarios in parallel vs one after another.
func runBenchPlan(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "bench plan", "bench plan [--runs N] [--time-limit D] [--scenarios N] [--workers N] [--skip-large]")
	var cfg bench.PlanConfig
	fs.IntVar(&cfg.Runs, "runs", 5, "repetitions of (a) and (b)")
	fs.DurationVar(&cfg.TimeLimit, "time-limit", 600*time.Second, "solver time limit for the generated network (c)")
	fs.Float64Var(&cfg.Gap, "gap", 0.005, "relative MIP gap, in [0, 1); 0 solves to proven optimality")
	fs.IntVar(&cfg.Scenarios, "scenarios", 50, "scenarios for (d)")
	fs.IntVar(&cfg.Workers, "workers", 0, "parallel workers for (d) (default: the CPUs)")
	fs.BoolVar(&cfg.SkipLarge, "skip-large", false, "skip the generated network (c)")
	showProgress := progressFlag(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	// Each wrong flag named on its own, a duration in words (fix14q).
	switch {
	case cfg.Runs < 1:
		return usagef("--runs %d: give 1 or more repetitions", cfg.Runs)
	case cfg.Scenarios < 1:
		return usagef("--scenarios %d: give 1 or more scenarios", cfg.Scenarios)
	case cfg.Workers < 0:
		return usagef("--workers %d: give 0 (one per CPU) or more workers", cfg.Workers)
	case cfg.TimeLimit <= 0:
		return usagef("--time-limit %s: give a duration above 0 (such as 10m)", durationWords(cfg.TimeLimit))
	case !(cfg.Gap >= 0 && cfg.Gap < 1):
		return usagef("--gap %g: give a relative gap from 0 up to, not including, 1", cfg.Gap)
	}
	_, cfg.Progress = startProgress(ctx, env, *showProgress, "bench plan")
	cfg.Worker = solveWorker(env)
	if cfg.Worker.Path == "" {
		return errors.New("bench plan: critmin's own path is unknown; run the critmin binary")
	}
	r, err := bench.Plan(ctx, cfg)
	if err != nil {
		return err
	}
	sec := func(d time.Duration) float64 { return d.Seconds() }
	in, via := bench.Median(r.InProcess), bench.Median(r.ViaMPS)
	same := bench.Median(r.SameFile)
	fmt.Fprintf(env.Stdout, "(a) demo MIP build+solve: in_process_median_s=%s via_mps_and_cbc_median_s=%s ratio=%s objective_in_process=%s objective_cbc=%s\n", units.Fixed(sec(in), 3), units.Fixed(sec(via), 3), units.Fixed(sec(in)/sec(via), 3), units.Fixed(r.MPSObjective[0], 2), units.Fixed(r.MPSObjective[1], 2))
	fmt.Fprintf(env.Stdout, "(a') the exported MPS file read and solved in process: median_s=%s ratio_to_cbc_program=%s\n", units.Fixed(sec(same), 3), units.Fixed(sec(same)/sec(via), 3))
	fmt.Fprintf(env.Stdout, "(b) demo 52 weeks: columns=%d rows=%d integers=%d build_median_s=%s solve_median_s=%s (solve includes the fixed LP for duals)\n", r.DemoSize.Columns, r.DemoSize.Rows, r.DemoSize.Integers, units.Fixed(sec(bench.Median(r.DemoBuild)), 4), units.Fixed(sec(bench.Median(r.DemoSolve)), 3))
	if p := r.Large; p != nil {
		fmt.Fprintf(env.Stdout, "(c) generated 30x4x60x52: columns=%d rows=%d integers=%d nonzeros=%d build_s=%s solve_s=%s status=%s gap=%s objective=%s\n", p.Size.Columns, p.Size.Rows, p.Size.Integers, p.Size.Nonzeros, units.Fixed(p.BuildSeconds, 3), units.Fixed(p.SolveSeconds, 2), p.Status, units.Fixed(p.Gap, 4), units.Fixed(p.Objective, 0))
	}
	fmt.Fprintf(env.Stdout, "(d) %d scenarios: sequential_in_process_s=%s sequential_workers_s=%s parallel_workers_s=%s workers=%d speedup_vs_in_process=%s speedup_vs_sequential_workers=%s\n", cfg.Scenarios, units.Fixed(sec(r.Sequential), 2), units.Fixed(sec(r.SequentialWorker), 2), units.Fixed(sec(r.Parallel), 2), r.Workers, units.Fixed(sec(r.Sequential)/sec(r.Parallel), 2), units.Fixed(sec(r.SequentialWorker)/sec(r.Parallel), 2))
	return nil
}

// runBenchLoad runs the mixed load: a store of --events generated events
// (built, or reused from --db), --clients concurrent clients for
// --duration, 90 % queries of five kinds and 10 % captures; in a closed
// loop, or open-loop at each --rate in turn.
func runBenchLoad(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "bench load", "bench load [--events N] [--clients N] [--duration D] [--think D | --rate R[,R…]] [--db PATH|DSN] [--postgres ADMIN_DSN] [--dir DIR]")
	var cfg bench.LoadConfig
	fs.IntVar(&cfg.Events, "events", 1000000, "events in the store the clients query")
	fs.IntVar(&cfg.Clients, "clients", 200, "concurrent HTTP clients (with --rate: the workers, connections, that send the arrivals)")
	fs.DurationVar(&cfg.Duration, "duration", 60*time.Second, "how long the clients run (each rate, with --rate)")
	fs.DurationVar(&cfg.Think, "think", 0, "each client's pause after every request (default none: a closed loop)")
	rates := fs.String("rate", "", "open loop: requests arrive at R per second (a Poisson process), whatever the server's speed; a comma-separated list runs each rate in turn on the same store and reports the highest whose query p99 is under 50 ms")
	fs.Float64Var(&cfg.CaptureShare, "capture-share", 0.10, "fraction of requests that capture (one lot's 8 events each)")
	fs.StringVar(&cfg.DB, "db", "", "build the store in this SQLite file or PostgreSQL database and keep it; a store already holding --events events is reused")
	fs.StringVar(&cfg.PostgresAdmin, "postgres", "", "without --db: a scratch database on this PostgreSQL server, dropped after")
	fs.StringVar(&cfg.Dir, "dir", "", "without --db: directory for the scratch SQLite file")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	switch {
	case cfg.Events < 1:
		return usagef("--events %d: give 1 or more events", cfg.Events)
	case cfg.Clients < 1:
		return usagef("--clients %d: give 1 or more clients", cfg.Clients)
	case cfg.Duration <= 0:
		return usagef("--duration %s: give a duration above 0 (such as 60s)", durationWords(cfg.Duration))
	case cfg.Think < 0:
		return usagef("--think %s: give a pause of 0 s or more", durationWords(cfg.Think))
	case !(cfg.CaptureShare >= 0 && cfg.CaptureShare <= 1):
		return usagef("--capture-share %g: give a fraction from 0 to 1", cfg.CaptureShare)
	}
	if *rates != "" {
		if cfg.Think > 0 {
			return usagef("--rate and --think: choose one (an open loop has no think time)")
		}
		for _, f := range strings.Split(*rates, ",") {
			r, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
			if err != nil || r <= 0 || math.IsInf(r, 0) {
				return usagef("--rate: %q is not a positive number of requests per second", f)
			}
			cfg.Rates = append(cfg.Rates, r)
		}
	}
	if cfg.CaptureShare == 0 {
		cfg.CaptureShare = 1e-9 // none, in practice; 0 means the default
	}
	tuneGC(env)
	cfg.Progress = env.Stderr
	var runs []*bench.LoadResult
	err := withProfile(*cpuProfile, func() error {
		var err error
		runs, err = bench.Load(ctx, cfg)
		return err
	})
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for _, r := range runs {
		if r.Rate > 0 {
			fmt.Fprintf(env.Stdout, "rate=%g arrival_rate=%s\n", r.Rate, units.Fixed(r.ArrivalRate, 1))
		}
		fmt.Fprintf(env.Stdout, "backend=%s store_events=%d reused=%v build_seconds=%s clients=%d seconds=%s\n", r.Backend, r.StoreEvents, r.Reused, units.Fixed(r.BuildSeconds, 1), r.Clients, units.Fixed(r.Seconds, 1))
		fmt.Fprintf(env.Stdout, "requests=%d requests_per_sec=%s errors=%d captured_events=%d query_p99_ms=%s cpu_seconds=%s load_average=%s\n", r.Requests, units.Fixed(r.PerSec, 0), r.Errors, r.CapturedEvents, units.Fixed(ms(r.QueryP99), 2), units.Fixed(r.CPUSeconds, 1), r.LoadAverage)
		if r.WriteTransactions > 0 {
			fmt.Fprintf(env.Stdout, "capture_transactions=%d captures_in_them=%d (group commit: %s captures per commit)\n", r.WriteTransactions, r.GroupedCaptures, units.Fixed(float64(r.GroupedCaptures)/float64(r.WriteTransactions), 1))
		}
		for _, k := range bench.LoadKinds {
			s := r.Kinds[k]
			if s == nil {
				continue
			}
			fmt.Fprintf(env.Stdout, "kind=%s count=%d errors=%d p50_ms=%s p99_ms=%s max_ms=%s\n", k, s.Count, s.Errors, units.Fixed(ms(s.P50), 2), units.Fixed(ms(s.P99), 2), units.Fixed(ms(s.Max), 2))
			if s.FirstError != "" {
				fmt.Fprintf(env.Stdout, "kind=%s first_error=%q\n", k, s.FirstError)
			}
		}
	}
	if len(cfg.Rates) > 0 && err == nil {
		if best, ok := bench.HighestRateUnder(runs, 50*time.Millisecond); ok {
			fmt.Fprintf(env.Stdout, "highest_rate_query_p99_under_50ms=%g\n", best)
		} else {
			fmt.Fprintf(env.Stdout, "highest_rate_query_p99_under_50ms=none\n")
		}
	}
	return err
}

// withProfile runs fn under a CPU profile written to path (none if empty).
func withProfile(path string, fn func() error) error {
	if path == "" {
		return fn()
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	defer pprof.StopCPUProfile()
	return fn()
}

// loadAverage is the machine's 1, 5 and 15 minute load (Linux), for the
// report: on a shared machine the figures mean little without it.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], "/")
}
