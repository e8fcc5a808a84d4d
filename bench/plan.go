package bench

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"time"

	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/scenario"
	"github.com/critmin/critmin/solver"
)

// PlanConfig sets up the planner benchmark.
type PlanConfig struct {
	Runs      int           // repetitions of the demo and MPS comparisons
	TimeLimit time.Duration // for the generated network
	Gap       float64       // as given: 0 solves to proven optimality
	Scenarios int           // for the parallel comparison
	Workers   int
	Seed      uint64
	CBC       string // the cbc program; found in PATH when empty
	SkipLarge bool
	Progress  io.Writer
	// Worker runs MIPs in worker processes for the parallel comparison.
	Worker solver.Worker
}

// PlanResult holds the planner benchmark's figures.
type PlanResult struct {
	InProcess, ViaMPS []time.Duration // (a): build + MIP solve, in process and via cbc
	// SameFile: the exported MPS file read and solved in process — the
	// same numbers cbc reads, so the same search.
	SameFile         []time.Duration
	MPSObjective     [2]float64      // objectives in process and from cbc
	DemoBuild        []time.Duration // (b)
	DemoSolve        []time.Duration
	DemoSize         plan.Size
	Large            *plan.Plan // (c)
	LargeSize        plan.Size
	Sequential       time.Duration // (d) one after another, in process
	SequentialWorker time.Duration // one after another, in a worker process each
	Parallel         time.Duration // Workers at once, in worker processes
	Workers          int
}

// Plan runs the planner benchmarks (a)–(d) of docs/benchmarks.md.
func Plan(ctx context.Context, cfg PlanConfig) (*PlanResult, error) {
	if cfg.Runs <= 0 {
		cfg.Runs = 5
	}
	if cfg.TimeLimit == 0 {
		cfg.TimeLimit = 600 * time.Second
	}
	if cfg.Scenarios <= 0 {
		cfg.Scenarios = 50
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.Progress == nil {
		cfg.Progress = io.Discard
	}
	if cfg.CBC == "" {
		p, err := exec.LookPath("cbc")
		if err != nil {
			return nil, fmt.Errorf("bench plan: the cbc program is needed for the comparison (Debian coinor-cbc; scripts/setup installs it): %w", err)
		}
		cfg.CBC = p
	}
	res := &PlanResult{Workers: cfg.Workers}
	demoNet := plan.Demo()
	opt := plan.Options{GapSet: true, Solver: solver.Options{Gap: cfg.Gap, TimeLimit: 10 * time.Minute}}

	// (a) In process vs MPS + the cbc program, both including the build.
	dir, err := os.MkdirTemp("", "critmin-bench-plan")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	objRe := regexp.MustCompile(`Objective value:\s+(-?[0-9.eE+-]+)`)
	for i := 0; i < cfg.Runs; i++ {
		start := time.Now()
		lp, err := plan.BuildModel(demoNet, plan.Baseline, opt)
		if err != nil {
			return nil, err
		}
		r, err := solver.Solve(lp, opt.Solver)
		if err != nil {
			return nil, err
		}
		res.InProcess = append(res.InProcess, time.Since(start))
		res.MPSObjective[0] = -r.Objective // the MPS minimises −margin

		start = time.Now()
		path := filepath.Join(dir, fmt.Sprintf("demo%d.mps", i))
		if err := plan.ExportMPS(demoNet, plan.Baseline, opt, path); err != nil {
			return nil, err
		}
		out, err := exec.CommandContext(ctx, cfg.CBC, path, "-ratioGap", fmt.Sprint(cfg.Gap), "-solve", "-quit").CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("bench plan: cbc: %v: %s", err, out)
		}
		res.ViaMPS = append(res.ViaMPS, time.Since(start))
		if m := objRe.FindSubmatch(out); m != nil {
			fmt.Sscan(string(m[1]), &res.MPSObjective[1])
		}
		start = time.Now()
		fm, err := solver.ReadMPS(path)
		if err != nil {
			return nil, err
		}
		if _, err := solver.Solve(fm, opt.Solver); err != nil {
			return nil, err
		}
		res.SameFile = append(res.SameFile, time.Since(start))
		fmt.Fprintf(cfg.Progress, "(a) run %d: in process %v, via MPS %v, the MPS file in process %v\n", i+1, res.InProcess[i], res.ViaMPS[i], res.SameFile[i])
	}

	// (b) The demo corridor over 52 weeks, as `critmin plan` runs it.
	for i := 0; i < cfg.Runs; i++ {
		p, err := plan.Run(ctx, demoNet, plan.Baseline, opt)
		if err != nil {
			return nil, err
		}
		res.DemoBuild = append(res.DemoBuild, time.Duration(p.BuildSeconds*float64(time.Second)))
		res.DemoSolve = append(res.DemoSolve, time.Duration(p.SolveSeconds*float64(time.Second)))
		res.DemoSize = p.Size
	}
	fmt.Fprintf(cfg.Progress, "(b) demo: build %v solve %v\n", res.DemoBuild, res.DemoSolve)

	// (d) 50 scenarios one after another, then in parallel.
	many := demoVariants(demoNet, cfg.Scenarios)
	ids := make([]string, len(many.Scenarios))
	for i, v := range many.Scenarios {
		ids[i] = v.ID
	}
	start := time.Now()
	if _, err := plan.RunMany(ctx, many, ids, opt, 1, nil); err != nil {
		return nil, err
	}
	res.Sequential = time.Since(start)
	wopt := opt
	wopt.Worker = cfg.Worker
	start = time.Now()
	if _, err := plan.RunMany(ctx, many, ids, wopt, 1, nil); err != nil {
		return nil, err
	}
	res.SequentialWorker = time.Since(start)
	start = time.Now()
	if _, err := plan.RunMany(ctx, many, ids, wopt, cfg.Workers, nil); err != nil {
		return nil, err
	}
	res.Parallel = time.Since(start)
	fmt.Fprintf(cfg.Progress, "(d) %d scenarios: sequential %v (in process), %v (worker processes); %d at once %v\n", len(ids), res.Sequential, res.SequentialWorker, cfg.Workers, res.Parallel)

	// (c) A generated network: 30 sources × 4 refineries × 60 buyers × 52
	// periods with binaries.
	if !cfg.SkipLarge {
		big := LargeNetwork(cfg.Seed)
		fmt.Fprintf(cfg.Progress, "(c) solving the generated network (time limit %v)…\n", cfg.TimeLimit)
		p, err := plan.Run(ctx, big, plan.Baseline, plan.Options{Strict: true, GapSet: true, Solver: solver.Options{Gap: cfg.Gap, TimeLimit: cfg.TimeLimit}})
		if err != nil {
			return nil, err
		}
		res.Large = p
	}
	return res, nil
}

// demoVariants returns the demo network with n generated scenarios: each
// lane closed for a month at a different time, each line delayed, and
// price shocks, cycling until n.
func demoVariants(base *plan.Network, n int) *plan.Network {
	c := *base
	c.Scenarios = nil
	start, _ := time.Parse(time.DateOnly, base.Periods.Start)
	day := func(week int) string { return start.AddDate(0, 0, 7*week).Format(time.DateOnly) }
	for i := 0; len(c.Scenarios) < n; i++ {
		var m scenario.Measure
		switch i % 3 {
		case 0:
			l := base.Lanes[i%len(base.Lanes)]
			w := (i * 7) % 40
			m = scenario.Measure{Kind: scenario.LaneClosure, Target: l.ID, From: day(w), To: day(w + 4)}
		case 1:
			l := base.Lines[i%len(base.Lines)]
			m = scenario.Measure{Kind: scenario.RefineryDelay, Target: l.ID, Delay: 1 + i%12, From: day(0)}
		default:
			s := base.Spot[i%len(base.Spot)]
			m = scenario.Measure{Kind: scenario.PriceShock, Target: s.ID, Factor: 0.5 + float64(i%10)/10, From: day(0)}
		}
		c.Scenarios = append(c.Scenarios, plan.Variant{ID: fmt.Sprintf("v%02d", len(c.Scenarios)), Title: m.Kind + " " + m.Target, Measures: []scenario.Measure{m}})
	}
	return &c
}

// LargeNetwork generates 30 sources in six countries, 3 export ports, 4
// refineries (two products, an expansion decision each) and 60 buyers
// over 52 weeks; sea lanes have minimum shipments (a binary per lane and
// week), a fifth of the buyers exclude one origin, and no origin may
// exceed half of product A's sales.
func LargeNetwork(seed uint64) *plan.Network {
	if seed == 0 {
		seed = 1
	}
	r := rand.New(rand.NewPCG(seed, 11))
	u := func(a, b float64) float64 { return a + r.Float64()*(b-a) }
	n := &plan.Network{ID: "generated", Title: "30 sources × 4 refineries × 60 buyers × 52 weeks", Periods: plan.Periods{Unit: "week", Count: 52, Start: "2026-01-05"},
		Commodities: []plan.Commodity{{ID: "conc"}, {ID: "oxide_a", Content: map[string]float64{"A": 0.857}}, {ID: "oxide_b", Content: map[string]float64{"B": 0.8}}}}
	countries := []string{"PAK", "AUS", "USA", "BRA", "MMR", "CAN"}
	for p := 0; p < 3; p++ {
		n.Sites = append(n.Sites, plan.Site{ID: fmt.Sprintf("port%d", p), Kind: "port", Country: "PAK", StorageT: 20000, HoldingCost: 2})
	}
	for i := 0; i < 30; i++ {
		id := fmt.Sprintf("src%02d", i)
		n.Sites = append(n.Sites, plan.Site{ID: id, Kind: "mine", Country: countries[i%6]})
		n.Supplies = append(n.Supplies, plan.Supply{ID: id, Site: id, Commodity: "conc", OriginCountry: countries[i%6], Grade: map[string]float64{"A": u(0.02, 0.08), "B": u(0.05, 0.2)}, Tonnes: u(50, 150), Forecast: true})
		n.Lanes = append(n.Lanes, plan.Lane{ID: id + "-port", From: id, To: fmt.Sprintf("port%d", i%3), Mode: "truck", CostPerT: u(50, 100), TransitPeriods: 1})
	}
	for k := 0; k < 4; k++ {
		id := fmt.Sprintf("ref%d", k)
		n.Sites = append(n.Sites, plan.Site{ID: id, Kind: "refinery", Country: "USA", StorageT: 8000, HoldingCost: 4})
		n.Lines = append(n.Lines, plan.Line{ID: id + "-line", Site: id, Feed: "conc", CapacityT: u(250, 400), CostPerT: u(500, 900), Start: k * 2, Ramp: []float64{0.5, 0.75},
			Outputs:   []plan.Output{{Product: "oxide_a", Element: "A", Recovery: 0.9}, {Product: "oxide_b", Element: "B", Recovery: 0.8}},
			Expansion: &plan.Expansion{CapacityT: 150, FixedCost: 2e6, From: 10}})
		n.Spot = append(n.Spot, plan.Spot{ID: id + "-spot-a", Site: id, Commodity: "oxide_a", PricePerT: 60000}, plan.Spot{ID: id + "-spot-b", Site: id, Commodity: "oxide_b", PricePerT: 3000})
		for p := 0; p < 3; p++ {
			n.Lanes = append(n.Lanes, plan.Lane{ID: fmt.Sprintf("port%d-%s", p, id), From: fmt.Sprintf("port%d", p), To: id, Mode: "sea", CostPerT: u(80, 150), TransitPeriods: 3 + r.IntN(3), CapacityT: 3000, MinShipmentT: 200})
		}
	}
	for b := 0; b < 60; b++ {
		id := fmt.Sprintf("buyer%02d", b)
		n.Sites = append(n.Sites, plan.Site{ID: id, Kind: "buyer", Country: "USA"})
		for k := 0; k < 4; k++ {
			n.Lanes = append(n.Lanes, plan.Lane{ID: fmt.Sprintf("ref%d-%s", k, id), From: fmt.Sprintf("ref%d", k), To: id, Mode: "truck", CostPerT: u(20, 120), TransitPeriods: 1})
		}
		c := plan.Contract{ID: id + "-c", Buyer: id, Site: id, Commodity: "oxide_a", MinT: 1, MaxT: 3, PricePerT: u(80000, 120000), ShortfallPenalty: 20000, From: 8}
		if b%2 == 1 {
			c.Commodity, c.MinT, c.MaxT, c.PricePerT, c.ShortfallPenalty = "oxide_b", 2, 6, u(5000, 15000), 3000
		}
		if b%5 == 0 {
			c.ExcludedOrigins = []string{"MMR"}
		}
		n.Contracts = append(n.Contracts, c)
	}
	n.Policy.MaxOriginShare = []plan.OriginShare{{Commodity: "oxide_a", Share: 0.5}}
	if err := n.Validate(); err != nil {
		panic("bench: generated network: " + err.Error())
	}
	return n
}

// Median returns the median of ds.
func Median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}
