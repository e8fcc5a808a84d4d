package cli

import (
	"context"
	"fmt"
	"github.com/critmin/critmin/jsonstrict"
	"os"
	"strings"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/units"
)

// runMassBalance is `critmin massbalance declare|statement`: a site's
// mass-balance declaration (ISO 22095 §11) and its statement per claim
// period.
func runMassBalance(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || (args[0] != "declare" && args[0] != "statement" && args[0] != "show") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			fmt.Fprintln(env.Stdout, "Usage: critmin massbalance declare --site SITE --file DECLARATION.json | statement --site SITE [--period ID] [--format text|json|csv] | show --site SITE")
			return nil
		}
		return usagef("massbalance: give declare, statement or show")
	}
	sub := args[0]
	fs := flagSet(env, "massbalance "+sub, "massbalance "+sub+" --site SITE [flags]")
	dsn := dbFlag(fs, env)
	site := fs.String("site", "", "the mass-balance site (location URI; required)")
	file := fs.String("file", "", "declare: the declaration as JSON (categories, periods, carryForward, method)")
	period := fs.String("period", "", "statement: the claim period ID (default: the current one)")
	format := fs.String("format", "text", "statement: text, json or csv")
	if help, err := parse(fs, args[1:]); help || err != nil {
		return err
	}
	if *site == "" {
		return usagef("--site: required")
	}
	if *format != "text" && *format != "json" && *format != "csv" {
		return usagef("--format: %q is not text, json or csv", *format)
	}
	var d critmin.MassBalanceDeclaration
	if sub == "declare" {
		if *file == "" {
			return usagef("--file: required")
		}
		b, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		// Field errors name the member by JSON Pointer and the reason
		// ("/categories/0/conversionFactor: must be a number, not a JSON
		// string"), as the API's do: never encoding/json's raw text.
		if err := jsonstrict.Decode(b, &d); err != nil {
			return inFile(*file, err)
		}
		d.NoteStated(b)
		if d.Site != "" && d.Site != *site {
			return critmin.FieldErrorf("/site", "%q is not --site %q", d.Site, *site)
		}
		d.Site = *site
	}
	// show only reads; declare stores a version.
	open := OpenStoreReadOnly
	if sub == "declare" {
		open = OpenStore
	}
	store, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	trustReaderKey(ctx, env, *dsn, store)
	switch sub {
	case "declare":
		now := time.Now
		if env.Now != nil {
			now = env.Now
		}
		if err := custody.DeclareMassBalance(ctx, store, &d, now()); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "declared mass balance at %s: %d categories, %d periods, method %s, carry forward %d\n", d.Site, len(d.Categories), len(d.Periods), d.Method, d.CarryForward)
		return nil
	case "show":
		got, err := store.FindMassBalance(ctx, *site)
		if err != nil {
			return err
		}
		return printFigures(env, got)
	}
	st, err := custody.StatementOf(ctx, store, *site, *period, refinery.ConversionFactors{Store: store}, time.Now())
	if err != nil {
		return err
	}
	switch *format {
	case "json":
		return printFigures(env, st)
	case "csv":
		w := critmin.NewCSVWriter(env.Stdout)
		_ = w.Write(custody.StatementHeader)
		_ = w.WriteAll(custody.StatementRows(st))
		w.Flush()
		return w.Error()
	}
	printStatement(env, st)
	return nil
}

// printStatement writes a statement as text: per category, one line per
// origin, then the entries behind them and the refused claims.
func printStatement(env *Env, st *custody.Statement) {
	fmt.Fprintf(env.Stdout, "mass-balance statement, site %s, period %s (%s to %s), method %s\n", st.Site, st.Period.ID, st.Period.From, st.Period.To, st.Method)
	for _, c := range st.Categories {
		fmt.Fprintf(env.Stdout, "\ncategory %s: %s → %s, qualifying %s, conversion factor %s (%s); tonnes of element\n", c.Category.ID,
			strings.Join(c.Category.Inputs, ", "), c.Category.Product, strings.Join(c.Category.Elements, "+"), units.Plain(c.ConversionFactor), c.FactorSource)
		fmt.Fprintf(env.Stdout, "  %-24s %10s %10s %10s %10s %10s\n", "origin", "opening", "credits", "claims", "expired", "closing")
		for _, l := range c.Lines {
			// Six decimals, as the JSON and CSV print them (custody.Figure).
			fmt.Fprintf(env.Stdout, "  %-24s %10s %10s %10s %10s %10s", l.Name, custody.Figure(l.Opening), custody.Figure(l.Credits), custody.Figure(l.Claims), custody.Figure(l.Expired), custody.Figure(l.Closing))
			switch {
			case st.Method != critmin.MassBalanceRollingAverage:
			case l.NoWindowInput:
				fmt.Fprint(env.Stdout, "  no input in window")
			default:
				fmt.Fprintf(env.Stdout, "  %s %% of input", units.Fixed(l.Percent*100, 1))
			}
			fmt.Fprintln(env.Stdout)
			if l.ExpiresAtPeriodEnd > 0 {
				// The period is open: expiry happens at its end.
				fmt.Fprintf(env.Stdout, "  %-24s %s expires at period end (projection; not expired yet, in closing)\n", "", custody.Figure(l.ExpiresAtPeriodEnd))
			}
			for _, n := range l.Notes {
				fmt.Fprintf(env.Stdout, "  %-24s note: %s\n", "", n)
			}
		}
		// The category's total, always printed: a period with nothing in
		// it reads zeros, closing = opening carried forward.
		tl := c.Total
		fmt.Fprintf(env.Stdout, "  %-24s %10s %10s %10s %10s %10s\n", custody.AllOrigins, custody.Figure(tl.Opening), custody.Figure(tl.Credits), custody.Figure(tl.Claims), custody.Figure(tl.Expired), custody.Figure(tl.Closing))
		if tl.Deficit > 0 {
			// An origin's deficit, which the total's closing nets (fix9h).
			fmt.Fprintf(env.Stdout, "  %-24s deficit %s t, not netted: %s\n", "", custody.Figure(tl.Deficit), strings.Join(tl.Notes, "; "))
		}
		if len(c.Entries) == 0 {
			fmt.Fprintf(env.Stdout, "  no credits, claims or expiries in period %s: closing = opening carried forward\n", st.Period.ID)
		}
		for _, e := range c.Entries {
			fmt.Fprintf(env.Stdout, "    %-8s %-4s %10s t  %s %s", e.Kind, e.Country, custody.Figure(e.Tonnes), e.Event, e.Lot)
			if e.FactorSource != "" {
				fmt.Fprintf(env.Stdout, "  factor %s (%s)", units.Plain(e.Factor), e.FactorSource)
			}
			if e.Note != "" {
				fmt.Fprintf(env.Stdout, "  (%s)", e.Note)
			}
			fmt.Fprintln(env.Stdout)
		}
	}
	if len(st.Outside) > 0 {
		// Credits of runs in a span no declared period holds: in no
		// line, listed, never dropped (custody.OutsideCredit, fixKk).
		fmt.Fprintln(env.Stdout, "outside any declared claim period (in no line above; a period declared over the span before it ends takes them):")
		for _, o := range st.Outside {
			fmt.Fprintf(env.Stdout, "  %s: %s %-4s %10s t  factor %s  %s %s\n", o.SpanText(), o.Category, o.Country, custody.Figure(o.Tonnes), units.Plain(o.Factor), o.Event, o.Lot)
		}
	}
	printRestated(env, st)
	for _, r := range st.Refused {
		// A claim accepted at capture and left short is not covered,
		// never refused (fix9h).
		word := "refused"
		if r.Booked {
			word = "not covered"
		}
		fmt.Fprintf(env.Stdout, "%s: %s\n", word, r.Error)
		if r.Booked && len(r.Reasons) > 0 {
			// One row per claim and origin, every reason on it (fix9ap).
			fmt.Fprintf(env.Stdout, "  %s %s, shortfall %s t: %s\n", r.Lot, r.Country, custody.Figure(r.Shortfall), strings.Join(r.Reasons, "; "))
		}
	}
}

// printRestated writes, for an ended period restated after its close
// (custody.Restatement; nothing where it was not), each changed line and
// its category's all-origins total as at close → now with the
// as-at-close arithmetic, and the declarations in error recorded after
// the close that changed it.
func printRestated(env *Env, st *custody.Statement) {
	r := st.Restated
	if r == nil {
		return
	}
	fmt.Fprintf(env.Stdout, "\nrestated after the close: period %s closed on %s; its figures as at close → now (the lines above are the current, restated figures, and the next period opens at their closing)\n", st.Period.ID, r.AtClose.UTC().Format(time.RFC3339))
	// Each category's restated origins, then its total over all
	// origins (fix9at).
	for _, l := range r.Table() {
		a := l.AtClose
		fmt.Fprintf(env.Stdout, "  category %s, %s: %s (as at close: %s + %s − %s − %s = %s)\n", l.Category, l.Name, l.Words(),
			custody.Figure(a.Opening), custody.Figure(a.Credits), custody.Figure(a.Claims), custody.Figure(a.Expired), custody.Figure(a.Closing))
	}
	for _, b := range r.By {
		fmt.Fprintf(env.Stdout, "  restated by the declaration in error of event %s, recorded %s: %s\n", b.Event, b.RecordTime.UTC().Format(time.RFC3339), b.Words)
	}
}
