package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/solver"
	"github.com/critmin/critmin/units"
)

// runSolve solves an MPS file: the solver binding on its own, for any
// model.
func runSolve(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "solve", "solve [--time-limit D] [--gap F] [--threads N] [--log] [--solution FILE] FILE.mps")
	wf := solver.AddWorkerFlags(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("solve: give one MPS file")
	}
	opt, err := wf.Options()
	if err != nil {
		return usagef("%v", err)
	}
	// A missing file or a directory is refused as every command's file
	// argument is (fileRefusal, exit 2), before the solver's own reader
	// words it ("read s/adir: is a directory", exit 1; nu15g item 10).
	if err := readableFile(fs.Arg(0)); err != nil {
		return err
	}
	m, err := solver.ReadMPS(fs.Arg(0))
	if err != nil {
		return err
	}
	r, err := solver.Solve(m, opt)
	if err != nil {
		return err
	}
	if *wf.Solution != "" {
		if err := solver.WriteSolution(*wf.Solution, r); err != nil {
			return err
		}
	}
	kind := "LP"
	if m.IsMIP() {
		kind = "MIP"
	}
	fmt.Fprintf(env.Stdout, "model=%s kind=%s columns=%d rows=%d seconds=%s nodes=%d\n", m.Name, kind, m.NumCols(), m.NumRows(), units.Fixed(r.Seconds, 3), r.Nodes)
	if r.Status.HasSolution() {
		fmt.Fprintf(env.Stdout, "status=%s objective=%.10g\n", r.Status, r.Objective)
	} else {
		fmt.Fprintf(env.Stdout, "status=%s objective=none\n", r.Status)
	}
	return nil
}

// solveWorker is how the planner runs MIPs in parallel: critmin itself,
// as `critmin solve`, one process per solve. Empty (in process) when the
// executable is unknown, as in tests.
func solveWorker(env *Env) solver.Worker {
	if env.Executable == "" {
		return solver.Worker{}
	}
	return solver.Worker{Path: env.Executable, Args: []string{"solve"}}
}

// loadNetwork reads a planning file, or the demo corridor's for "demo".
func loadNetwork(arg string) (*plan.Network, error) {
	if arg == "demo" {
		return plan.Demo(), nil
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return nil, err
	}
	n, err := plan.Parse(b)
	if err != nil {
		return nil, inFile(arg, err)
	}
	return n, nil
}

// planOptions checks plan's solver flags and returns the options. An
// explicit --gap 0 is honoured, as the API's "gap": 0 is: solve to proven
// optimality (plan.Options.GapSet), never read as "left out".
func planOptions(elastic, strict bool, gap float64, timeLimit time.Duration, threads int) (plan.Options, error) {
	if !(gap >= 0 && gap < 1) {
		return plan.Options{}, usagef("--gap: %v is not a fraction in [0, 1) (0 solves to proven optimality; leave the flag out for %v)", gap, plan.DefaultGap)
	}
	if timeLimit <= 0 {
		return plan.Options{}, usagef("--time-limit %s: give a duration above 0 (such as 10m)", durationWords(timeLimit))
	}
	return plan.Options{Elastic: elastic, Strict: strict, GapSet: true, Solver: solver.Options{Gap: gap, TimeLimit: timeLimit, Threads: threads}}, nil
}

func runPlan(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "plan", "plan [flags] NETWORK [--compare ID,ID…|all]\n\nNETWORK is a planning file (plan/network.schema.json) or \"demo\". Plans the baseline,\nor --scenario ID, and compares it with the named scenarios of the file.")
	variant := fs.String("scenario", plan.Baseline, "the scenario to plan (an id in the file's scenarios)")
	compare := fs.String("compare", "", "scenarios to plan beside it, comma-separated, or all")
	dsn := fs.String("db", envOr(env, "CRITMIN_PLAN_DB", ""), "pull lots in stock and in transit from this ledger (SQLite path or postgres:// URL; env CRITMIN_PLAN_DB)")
	elastic := fs.Bool("elastic", false, "always add penalised slack and report what cannot be met")
	strict := fs.Bool("strict", false, "report an infeasible scenario as infeasible instead of planning it elastically")
	gap := fs.Float64("gap", plan.DefaultGap, "relative MIP gap at which to stop, in [0, 1); 0 solves to proven optimality")
	timeLimit := fs.Duration("time-limit", plan.DefaultTimeLimit, "solver time limit per scenario")
	threads := fs.Int("threads", 0, "CBC threads per solve (0: CBC's default, one thread)")
	parallel := fs.Int("parallel", runtime.NumCPU(), "scenarios planned at once")
	asJSON := fs.Bool("json", false, "print the plans as JSON")
	asOf := fs.String("as-of", "", "value contract terms at the prices last published on or before this date (default: the file's prices_as_of, else today)")
	mps := fs.String("mps", "", "also write the model of the (first) scenario to this .mps file")
	showProgress := progressFlag(fs)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	ctx, _ = startProgress(ctx, env, *showProgress, "plan")
	if fs.NArg() != 1 {
		return usagef("plan: give one planning file or demo")
	}
	opt, err := planOptions(*elastic, *strict, *gap, *timeLimit, *threads)
	if err != nil {
		return err
	}
	if *parallel < 1 || *threads < 0 {
		return usagef("--parallel must be at least 1 and --threads not negative")
	}
	if *mps != "" && !strings.HasSuffix(*mps, ".mps") {
		return usagef("--mps: %q must end in .mps", *mps)
	}
	if *asOf != "" {
		if _, err := parseDate("as-of", *asOf); err != nil {
			return err
		}
	}
	n, err := loadNetwork(fs.Arg(0))
	if err != nil {
		return err
	}
	var yields []plan.YieldChange
	if *dsn != "" {
		store, err := OpenStoreReadOnly(ctx, *dsn)
		if err != nil {
			return err
		}
		trustReaderKey(ctx, env, *dsn, store)
		err = n.PullLedger(ctx, store)
		if err == nil {
			err = applyTradeTerms(ctx, store, n, n.PricesOn(*asOf, time.Now()), env)
		}
		if err == nil {
			n, yields, err = n.WithRefineryYields(ctx, store)
		}
		store.Close()
		if err != nil {
			return err
		}
	} else if _, err := commercial.ApplyTerms(n, nil, nil); err != nil {
		// No database, so no term sheet is stored: contracts that name
		// one keep the file's price, with a warning in every plan.
		return err
	}
	ids := []string{*variant}
	if *compare == "all" {
		for _, v := range n.Scenarios {
			if v.ID != *variant {
				ids = append(ids, v.ID)
			}
		}
	} else if *compare != "" {
		ids = append(ids, strings.Split(*compare, ",")...)
	}
	for _, id := range ids {
		if id != plan.Baseline {
			if _, err := n.Variant(id); err != nil {
				return usagef("%v", err)
			}
		}
	}
	if *parallel > 1 {
		opt.Worker = solveWorker(env)
	}
	if *mps != "" {
		if err := plan.ExportMPS(n, ids[0], opt, *mps); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "wrote %s\n", *mps)
	}
	start := time.Now()
	prog := critmin.Progress(ctx)
	prog("scenarios planned", 0, int64(len(ids)))
	plans, err := plan.RunMany(ctx, n, ids, opt, *parallel, func(done int) {
		prog("scenarios planned", int64(done), int64(len(ids)))
	})
	if err != nil {
		return err
	}
	for _, p := range plans {
		p.MeasuredYields = yields
	}
	if *asJSON {
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(plans)
	}
	printMeasuredYields(env.Stdout, yields)
	for _, p := range plans {
		printPlan(env.Stdout, n, p)
	}
	if len(plans) > 1 {
		printComparison(env.Stdout, plans)
	}
	fmt.Fprintf(env.Stdout, "planned %d scenario(s) in %s s\n", len(plans), units.Fixed(time.Since(start).Seconds(), 2))
	return nil
}

func money(v float64) string {
	neg := v < 0
	s := units.Fixed(math.Abs(v), 0)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

func printPlan(w io.Writer, n *plan.Network, p *plan.Plan) {
	fmt.Fprintf(w, "== %s: %s\n", p.Scenario, p.Title)
	fmt.Fprintf(w, "status %s (gap %s %%), %d columns, %d rows, %d integer; build %s s, solve %s s\n",
		p.Status, units.Fixed(100*p.Gap, 2), p.Size.Columns, p.Size.Rows, p.Size.Integers, units.Fixed(p.BuildSeconds, 3), units.Fixed(p.SolveSeconds, 3))
	if p.StrictStatus != "" {
		fmt.Fprintf(w, "the scenario is %s as stated; this is its elastic plan\n", p.StrictStatus)
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
	if !p.Status.HasSolution() {
		return
	}
	k := p.KPIs
	fmt.Fprintf(w, "margin %s %s: revenue %s − feed %s − transport %s − processing %s − holding %s − fixed %s − penalties %s\n",
		money(k.Margin), p.Currency, money(k.Revenue), money(k.Costs["feed"]), money(k.Costs["transport"]), money(k.Costs["processing"]), money(k.Costs["holding"]), money(k.Costs["fixed"]), money(k.Costs["penalty"]))
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTRACT\tDELIVERED t\tMINIMUM t\tBELOW MINIMUM t\tPENALTY\tFILL OF MINIMUM")
	for _, id := range slices.Sorted(maps.Keys(k.ContractUnmet)) {
		fill, min := "—", "—"
		if f, ok := k.ContractFill[id]; ok {
			fill = fmt.Sprintf("%s %%", units.Fixed(100*f, 0))
			min = units.Fixed(k.ContractMin[id], 1)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", id, units.Fixed(k.ContractTonnes[id], 1), min, units.Fixed(k.ContractUnmet[id], 1), money(k.ContractPenalty[id]), fill)
	}
	fmt.Fprintln(tw, "(fill of minimum = (Σ minimum − below minimum) / Σ minimum; deliveries above one period's minimum do not fill another's)")
	tw.Flush()
	fmt.Fprintf(w, "end of horizon: %s t held, worth %s %s (%s)\n", units.Fixed(sumValues(k.EndInventoryT), 1), money(k.EndInventoryValue), p.Currency, k.EndInventoryBasis)
	fmt.Fprintln(w, "origin of what each buyer and stockpile received (a stockpile: what it holds at the horizon's end; traced through every blend):")
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECEIVER\tCOMMODITY\tt\tORIGIN")
	for _, r := range plan.OriginSummary(n, p) {
		fmt.Fprintf(tw, "%s %s\t%s\t%s\t%s\n", r.Kind, r.Ref, r.Commodity, units.Fixed(r.Tonnes, 1), r.Origins)
	}
	tw.Flush()
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tUTILISATION\t")
	for _, id := range slices.Sorted(maps.Keys(k.LineUtil)) {
		fmt.Fprintf(tw, "%s\t%s %%\t\n", id, units.Fixed(100*k.LineUtil[id], 0))
	}
	tw.Flush()
	// What a tonne is worth: the largest shadow prices by constraint.
	if list := plan.SummariseShadowPrices(p); len(list) > 0 {
		fmt.Fprintln(w, "shadow prices (per tonne of raising the bound one tonne in one period):")
		tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CONSTRAINT\tBINDING PERIODS\tLARGEST\tMEAN")
		for _, a := range list[:min(10, len(list))] {
			fmt.Fprintf(tw, "%s %s\t%d\t%s\t%s\n", a.Kind, a.Ref, a.Periods, money(a.Largest), money(a.Mean))
		}
		tw.Flush()
	}
	if len(p.LaneOpenings) > 0 {
		fmt.Fprintf(w, "lanes closed by their minimum-shipment decision (%s):\n", plan.OpeningBasis)
		type best struct {
			closed, feasible int
			value            float64
			period           int
		}
		by := map[string]*best{}
		for _, o := range p.LaneOpenings {
			b := by[o.Lane]
			if b == nil {
				b = &best{period: -1}
				by[o.Lane] = b
			}
			b.closed++
			if o.Feasible {
				if b.feasible == 0 || o.Value > b.value {
					b.value, b.period = o.Value, o.Period
				}
				b.feasible++
			}
		}
		for _, id := range slices.Sorted(maps.Keys(by)) {
			b := by[id]
			if b.feasible == 0 {
				fmt.Fprintf(w, "  %s: closed in %d periods; the minimum cannot be shipped in any of them\n", id, b.closed)
				continue
			}
			fmt.Fprintf(w, "  %s: closed in %d periods; opening it is worth at best %s (period %d)\n", id, b.closed, money(b.value), b.period)
		}
	}
	if r := p.Infeasibility; r != nil {
		fmt.Fprintf(w, "could not be met — %s\n", r.Summary)
		for i, c := range r.Collisions {
			if i == 5 {
				break
			}
			fmt.Fprintf(w, "  collides with %s %s period %d (dual %s)\n", c.Kind, c.Ref, c.Period, money(c.Value))
		}
	}
	fmt.Fprintln(w)
}

func printComparison(w io.Writer, plans []*plan.Plan) {
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "KPI\t")
	for _, p := range plans {
		fmt.Fprintf(tw, "%s\t", p.Scenario)
	}
	fmt.Fprintln(tw)
	for _, r := range plan.Compare(plans) {
		fmt.Fprintf(tw, "%s\t%s\t\n", r.Name, strings.Join(r.Values, "\t"))
	}
	tw.Flush()
}

func sumValues(m map[string]float64) float64 {
	t := 0.0
	for _, v := range m {
		t += v
	}
	return t
}
