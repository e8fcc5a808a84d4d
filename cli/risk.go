package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/jsonstrict"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	critminhttp "github.com/critmin/critmin/http"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/refdata"
	"github.com/critmin/critmin/risk"
	"github.com/critmin/critmin/scenario"
	"github.com/critmin/critmin/units"
)

func runData(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || (args[0] != "list" && args[0] != "import") {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h") {
			fmt.Fprintln(env.Stdout, "Usage: critmin data list|import  (reference datasets: list editions, or import a newer edition of one)")
			return nil
		}
		return usagef("data: the subcommands are list and import")
	}
	switch args[0] {
	case "list":
		fs := flagSet(env, "data list", "data list [--db DSN]")
		dsn := dbFlag(fs, env)
		if help, err := parse(fs, args[1:]); help || err != nil {
			return err
		}
		cat, closeFn, err := catalog(ctx, env, *dsn)
		if err != nil {
			return err
		}
		defer closeFn()
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DATASET\tEDITION\tVINTAGE\tROWS\tIMPORTED\tSOURCE")
		for _, d := range critminhttp.DatasetViews(cat) {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%v\t%s\n", d.Name, d.Edition, d.Vintage, d.Rows, d.Imported, d.Source)
		}
		return tw.Flush()
	default:
		fs := argsFlagSet(env, "data import", "data import --edition NAME [--db DSN] FILE")
		dsn := dbFlag(fs, env)
		edition := fs.String("edition", "", "the edition's name, e.g. MCS2027 (required)")
		showProgress := progressFlag(fs)
		if help, err := parse(fs, args[1:]); help || err != nil {
			return err
		}
		ctx, pw := startProgress(ctx, env, *showProgress, "data import")
		if fs.NArg() != 1 {
			return usagef("data import: give one CSV file")
		}
		if *edition == "" {
			return usagef("--edition: required")
		}
		body, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return err
		}
		fmt.Fprintf(pw, "read %s (%s bytes); checking every row and storing the edition…\n", fs.Arg(0), count(int64(len(body))))
		store, err := OpenStore(ctx, *dsn) // a mistyped --db is refused, not created
		if err != nil {
			return err
		}
		defer store.Close()
		spec, n, err := refdata.Import(ctx, store, body, *edition, time.Now().UTC())
		if err != nil {
			return inFile(fs.Arg(0), err)
		}
		fmt.Fprintf(env.Stdout, "imported %s rows of %s as edition %s; servers use it from their next start\n", units.Int(n), spec.Name, *edition)
		return nil
	}
}

// catalog loads the reference data with the editions imported into dsn.
// Without a database at the default path (a fresh machine, --db and
// CRITMIN_DB left out) it uses the embedded editions alone and says so on
// stderr, rather than creating an empty database or failing. A database
// named with --db or CRITMIN_DB must exist ("no database at …", as every
// read-only command): a mistyped path would otherwise answer from the
// embedded editions alone, without the ones imported.
func catalog(ctx context.Context, env *Env, dsn string) (*refdata.Catalog, func(), error) {
	if !postgres.IsDSN(dsn) && dsn == DefaultDB(env) {
		if _, err := os.Stat(dsn); errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(env.Stderr, "note: no database at %s; using the embedded reference data only\n", redactDSN(dsn))
			cat, err := refdata.Load(ctx, nil)
			return cat, func() {}, err
		}
	}
	store, err := OpenStoreReadOnly(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	cat, err := refdata.Load(ctx, store)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return cat, func() { store.Close() }, nil
}

// printFigures prints v as JSON with every figure at the prove job's
// precision (custody.FigureDecimals).
func printFigures(env *Env, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = env.Stdout.Write(append(custody.RoundFigures(b), '\n'))
	return err
}

func printJSON(env *Env, v any) error {
	enc := json.NewEncoder(env.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func parseFloats(name, s string) ([]float64, error) {
	var out []float64
	for _, p := range strings.Split(s, ",") {
		f, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, usagef("--%s: %q is not a number", name, p)
		}
		out = append(out, f)
	}
	return out, nil
}

func runRisk(ctx context.Context, env *Env, args []string) (retErr error) {
	subs := "concentration, series, exposure, corridor, scenario, stockpile"
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		if len(args) == 0 {
			return usagef("risk: the subcommands are %s", subs)
		}
		fmt.Fprintf(env.Stdout, "Usage: critmin risk %s [flags]\n", strings.ReplaceAll(subs, ", ", "|"))
		return nil
	}
	sub := args[0]
	fs := argsFlagSet(env, "risk "+sub, "risk "+sub+" [flags]")
	dsn := dbFlag(fs, env)
	format := fs.String("format", "table", "table or json")
	commodity := fs.String("commodity", "rare earths", "rare earths, antimony or copper")
	stage := fs.String("stage", risk.StageMine, "mine or refining")
	year := fs.Int("year", 2024, "year (concentration)")
	edition := fs.String("edition", "", "edition to use (concentration; default: the newest with that year)")
	baseYear := fs.Int("base-year", 2024, "base year (corridor)")
	cntry := fs.String("country", "PAK", "country adding supply (corridor)")
	tonnes := fs.String("tonnes", "", "tonnes per year added, comma-separated, a ramp (corridor)")
	usImports := fs.Float64("us-imports", 0, "US imports of the commodity, t/y (corridor, scenario; optional)")
	target := fs.Float64("stockpile-target", 0, "stockpile target in tonnes (corridor; optional)")
	from := fs.Int("from", 2024, "first year (scenario)")
	to := fs.Int("to", 2027, "last year (scenario)")
	example := fs.Bool("example", false, "print the example input for --commodity (stockpile)")
	list := fs.Bool("list", false, "list the library's scenarios, as with no SCENARIO given (scenario)")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	if *format != "table" && *format != "json" {
		return usagef("--format: %q is not table or json", *format)
	}
	if sub == "stockpile" {
		// The stockpile model reads no database, but a --db it is given
		// must exist, as for every command that takes one.
		if !postgres.IsDSN(*dsn) && *dsn != DefaultDB(env) {
			if _, err := os.Stat(*dsn); errors.Is(err, os.ErrNotExist) {
				return noDatabase(*dsn)
			}
		}
		if *example {
			// The flag names the example: its fault is --commodity's.
			return flagFields(fs, runStockpile(env, fs.Args(), *commodity, *example, *format))
		}
		return runStockpile(env, fs.Args(), *commodity, *example, *format)
	}
	cat, closeFn, err := catalog(ctx, env, *dsn)
	if err != nil {
		return err
	}
	defer closeFn()
	svc := &risk.Service{Data: cat}
	defer func() { retErr = flagFields(fs, retErr) }()
	switch sub {
	case "concentration":
		c, err := svc.Concentration(*commodity, *stage, *year, *edition)
		if err != nil {
			return err
		}
		if *format == "json" {
			return printJSON(env, c)
		}
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		pub := "—"
		if c.PublishedTotal != nil {
			pub = units.Fixed(*c.PublishedTotal, 0)
		}
		fmt.Fprintf(tw, "%s, %s, %d (%s): HHI %s, top-1 %s %s %%, top-3 %s %%, %d producing countries\n", c.Commodity, c.Stage, c.Year, c.Edition, units.Fixed(c.HHI, 1), c.Top1ISO3, units.Fixed(c.Top1Share*100, 1), units.Fixed(c.Top3Share*100, 1), c.Countries)
		fmt.Fprintf(tw, "total of reported rows %s %s (published world total %s)\n\nISO3\tCOUNTRY\tQUANTITY\tSHARE\n", units.Fixed(c.ComputedTotal, 0), c.Unit, pub)
		for _, sh := range c.Shares {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s %%\n", sh.ISO3, sh.Country, units.Fixed(sh.Quantity, 0), units.Fixed(sh.Share*100, 2))
		}
		fmt.Fprintf(tw, "\tOther countries\t%s\t%s %%\n", units.Fixed(c.OtherShare*c.ComputedTotal, 0), units.Fixed(c.OtherShare*100, 2))
		return tw.Flush()
	case "series":
		sr, err := svc.SeriesOf(*commodity, *stage)
		if err != nil {
			return err
		}
		if *format == "json" {
			return printJSON(env, sr)
		}
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "YEAR\tEDITION\tHHI\tTOP-1\tTOP-1 SHARE\tTOP-3 SHARE")
		for _, c := range sr.Points {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s %%\t%s %%\n", c.Year, c.Edition, units.Fixed(c.HHI, 1), c.Top1ISO3, units.Fixed(c.Top1Share*100, 1), units.Fixed(c.Top3Share*100, 1))
		}
		return tw.Flush()
	case "exposure":
		exp, err := svc.ExposureOf(*commodity, false)
		if err != nil {
			return err
		}
		if *format == "json" {
			return printJSON(env, exp)
		}
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NET IMPORT RELIANCE\tPERIOD\tVALUE\tBASIS")
		for _, r := range exp.Reliance {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Category, r.Period, r.Shown(), r.Basis)
		}
		fmt.Fprintln(tw, "\nIMPORT SOURCES\tPERIOD\tHHI\tTOP-1")
		for _, g := range exp.ImportSources {
			if g.HHI == nil {
				fmt.Fprintf(tw, "%s\t%s\tn/a\tno country named\n", g.Category, g.Period)
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s %s %%\n", g.Category, g.Period, units.Fixed(*g.HHI, 0), g.Top1ISO3, units.Fixed(*g.Top1Share*100, 0))
		}
		return tw.Flush()
	case "corridor":
		if *tonnes == "" {
			return usagef("--tonnes: required (tonnes per year, comma-separated)")
		}
		t, err := parseFloats("tonnes", *tonnes)
		if err != nil {
			return err
		}
		res, err := svc.Corridor(risk.CorridorInput{Commodity: *commodity, Stage: *stage, BaseYear: *baseYear, Country: *cntry, Tonnes: t, USImports: *usImports, StockpileTarget: *target})
		if err != nil {
			return err
		}
		if *format == "json" {
			return printJSON(env, res)
		}
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "base: %s %s %d (%s)\nYEAR\tADDED\tHHI BEFORE\tHHI AFTER\tTOP-1 AFTER\t%s SHARE\tUS IMPORT HHI\tSTOCKPILE FILL\n", *commodity, *stage, *baseYear, res.Edition, *cntry)
		for _, y := range res.Years {
			us, fill := "—", "—"
			if y.USHHIAfter != nil {
				us = fmt.Sprintf("%s → %s", units.Fixed(*y.USHHIBefore, 0), units.Fixed(*y.USHHIAfter, 0))
			}
			if y.StockpileFill != nil {
				fill = fmt.Sprintf("%s %%", units.Fixed(*y.StockpileFill*100, 1))
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s %s %%\t%s %%\t%s\t%s\n", y.Year, units.Fixed(y.Added, 0), units.Fixed(y.HHIBefore, 1), units.Fixed(y.HHIAfter, 1), y.Top1ISO3After, units.Fixed(y.Top1After*100, 1), units.Fixed(y.CountryAfter*100, 2), us, fill)
		}
		return tw.Flush()
	case "scenario":
		if *list && fs.NArg() > 0 {
			return usagef("risk scenario: --list takes no SCENARIO (%q given)", fs.Arg(0))
		}
		if fs.NArg() == 0 {
			lib, err := scenario.Library()
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tFROM\tTO\tTITLE")
			for _, s := range lib {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.ID, s.Measures[0].From, s.Measures[0].To, s.Title)
			}
			return tw.Flush()
		}
		var sc *scenario.Scenario
		if b, rerr := os.ReadFile(fs.Arg(0)); rerr == nil {
			if sc, err = scenario.Parse(b); err != nil {
				err = inFile(fs.Arg(0), err)
			}
		} else {
			sc, err = scenario.Find(fs.Arg(0))
		}
		if err != nil {
			return err
		}
		res, err := svc.RunDisruption(sc, *commodity, *from, *to, *usImports)
		if err != nil {
			return err
		}
		if *format == "json" {
			return printJSON(env, res)
		}
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "%s — %s (%s)\nYEAR\tWORLD SHORTFALL\tWORLD SHARE\tUS SHARE OF IMPORTS\tUS SHORTFALL\n", sc.ID, *commodity, res.Edition)
		for _, y := range res.Years {
			us := "—"
			if y.USTonnes != nil {
				us = fmt.Sprintf("%s %s", units.Fixed(*y.USTonnes, 0), res.Unit)
			}
			world, share := "n/a", "n/a"
			if y.WorldComputed {
				world, share = fmt.Sprintf("%s %s", units.Fixed(y.WorldShortfall, 0), res.Unit), fmt.Sprintf("%s %%", units.Fixed(y.WorldShare*100, 2))
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s %%\t%s\n", y.Year, world, share, units.Fixed(y.USShare*100, 2), us)
		}
		for _, n := range res.Notes {
			fmt.Fprintf(tw, "note: %s\n", n)
		}
		return tw.Flush()
	}
	return usagef("risk: unknown subcommand %q (%s)", sub, subs)
}

func runStockpile(env *Env, files []string, commodity string, example bool, format string) error {
	in := risk.StockpileInput{Draws: risk.DefaultDraws}
	var err error
	switch {
	case example:
		if in, err = risk.ExampleStockpile(commodity); err != nil {
			return err
		}
		return printJSON(env, in)
	case len(files) == 1:
		b, err := os.ReadFile(files[0])
		if err != nil {
			return err
		}
		if err := jsonstrict.Decode(b, &in); err != nil {
			return fmt.Errorf("stockpile input %s: %w", files[0], err)
		}
	default:
		return usagef("risk stockpile: give one input file (critmin risk stockpile --example --commodity antimony prints one)")
	}
	res, err := risk.Stockpile(in)
	if err != nil {
		return err
	}
	if format == "json" {
		return printJSON(env, res)
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\n%s\nseed %d\n\n", res.Headline.Text, res.Deterministic.Text, res.Input.Seed)
	fmt.Fprintf(tw, "per year, %s/y: the shortfall's Monte Carlo median and band, then the deterministic case (DET.)\n", res.Headline.Unit)
	fmt.Fprintln(tw, "YEAR\tSHORTFALL MEDIAN\tP5\tP95\tDET. DEMAND\tDET. AVAILABLE\tDET. SHORTFALL")
	g := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, y := range res.Years {
		d := y.Deterministic
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", y.Year, g(y.Band.P50), g(y.Band.P5), g(y.Band.P95), g(d.Demand), g(d.Available), g(d.Shortfall))
	}
	return tw.Flush()
}
