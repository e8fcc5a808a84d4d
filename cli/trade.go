package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/demo"
	"github.com/critmin/critmin/plan"
	"github.com/shopspring/decimal"
)

const tradeUsage = `Usage: critmin trade SUBCOMMAND [flags]

Offtake contracts, settlement of lots, invoices and the framework agreement.

  trade demo                             load the demo corridor (if empty) and the Trade demo
  trade contract add FILE | list | show ID    (show: the terms and the delivered quantity, tolerance, take-or-pay)
  trade prices import [--series ID --source S --unit U --frequency F] FILE | list
  trade assay --lot LOT --party seller|buyer|umpire --lab URI --at TIME [--sublot ID --sublot-dmt N] Cu=24.1% Au=4.1g/t …
  trade declare --contract ID --lot LOT --element EL --month N --party buyer|seller
  trade settle --terms ID|FILE --lot LOT [--as-of DATE] [--format text|json]
  trade invoice issue --contract ID --lot LOT --kind provisional|final [--format text|json]
  trade invoice list [--contract ID] [--lot LOT] [--as-of DATE] [--format text|json] [--out FILE]
  trade invoice show ID [--as-of DATE] [--format text|json|xlsx] [--out FILE]
  trade pay --invoice ID --amount X --on DATE [--id ID]
  trade note issue --contract ID --lot LOT --reason TEXT [--format text|json]
  trade note list --invoice ID [--format text|json|csv] [--out FILE]
  trade agreement [ID] [--as-of DATE] [--format text|json] | agreement add FILE
  trade nsr [--terms ID,ID] (--lot LOT | --grades Cu=24%,Au=4g/t) [--as-of DATE] [--step 10] [--format text|json|csv]
  trade exposure [--as-of DATE] [--book PARTY] [--format text|json]

Every subcommand takes --db DSN (env CRITMIN_DB). Term sheets are JSON
(docs/trade.md, schema commercial/termsheet.schema.json).`

func runTrade(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.Stdout, tradeUsage)
		if len(args) == 0 {
			return usagef("trade: give a subcommand")
		}
		return nil
	}
	sub, rest := args[0], args[1:]
	switch sub {
	case "demo":
		return tradeDemo(ctx, env, rest)
	case "contract":
		return tradeContract(ctx, env, rest)
	case "prices":
		return tradePrices(ctx, env, rest)
	case "assay":
		return tradeAssay(ctx, env, rest)
	case "declare":
		return tradeDeclare(ctx, env, rest)
	case "settle":
		return tradeSettle(ctx, env, rest)
	case "invoice":
		return tradeInvoice(ctx, env, rest)
	case "pay":
		return tradePay(ctx, env, rest)
	case "note":
		return tradeNote(ctx, env, rest)
	case "agreement":
		return tradeAgreement(ctx, env, rest)
	case "nsr":
		return tradeNSR(ctx, env, rest)
	case "exposure":
		return tradeExposure(ctx, env, rest)
	}
	return usagef("trade: unknown subcommand %q (critmin trade --help lists them)", sub)
}

// tradeService opens the store and returns the Trade service over it.
func tradeService(ctx context.Context, dsn string) (*commercial.Service, func(), error) {
	return openTrade(ctx, dsn, openExisting)
}

// tradeReader is tradeService for a subcommand that only reads (settle,
// nsr, exposure, the list and show subcommands): the store is opened
// read-only (OpenStoreReadOnly).
func tradeReader(ctx context.Context, dsn string) (*commercial.Service, func(), error) {
	return openTrade(ctx, dsn, openReadOnly)
}

// parseTradeService parses args into fs and opens the Trade service on
// *dsn. done is true when the command is over (help was shown, or err is
// set): the caller returns err. Otherwise the caller defers closeFn.
// readOnly(fs), asked once the flags are parsed, says whether the
// subcommand only reads (tradeReader).
func parseTradeService(ctx context.Context, fs *flag.FlagSet, args []string, dsn *string, readOnly func(*flag.FlagSet) bool) (svc *commercial.Service, closeFn func(), done bool, err error) {
	if help, err := parse(fs, args); help || err != nil {
		return nil, nil, true, err
	}
	open := tradeService
	if readOnly(fs) {
		open = tradeReader
	}
	svc, closeFn, err = open(ctx, *dsn)
	if err != nil {
		return nil, nil, true, err
	}
	return svc, closeFn, false, nil
}

// parseDate parses the value of the date flag --name (YYYY-MM-DD).
func parseDate(name, v string) (time.Time, error) {
	day, err := time.Parse(time.DateOnly, v)
	if err != nil {
		return time.Time{}, usagef("--%s: %q is not a date", name, v)
	}
	return day, nil
}

// outputTo returns the file path, created, or stdout when path is empty,
// and the function that closes it.
func outputTo(env *Env, path string) (io.Writer, func(), error) {
	if path == "" {
		return env.Stdout, func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}

func openTrade(ctx context.Context, dsn string, mode int) (*commercial.Service, func(), error) {
	store, err := openStore(ctx, dsn, mode)
	if err != nil {
		return nil, nil, err
	}
	return commercial.NewService(custody.NewService(store)), func() { store.Close() }, nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func tradeDemo(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "trade demo", "trade demo [--db DSN]\n\nLoads the demo ledger and trade book. It is the demo loader: it creates the\ndemo store (a SQLite file and its directory, or the schema in an existing\nPostgreSQL database) when --db names none, unlike every other writer.")
	dsn := dbFlag(fs, env)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	svc, closeFn, err := openTrade(ctx, *dsn, openCreate)
	if err != nil {
		return err
	}
	defer closeFn()
	if _, err := demo.Load(ctx, svc.Ledger); err != nil {
		return err
	}
	ok, err := commercial.LoadDemo(ctx, svc)
	if err != nil {
		return err
	}
	if !ok {
		fmt.Fprintln(env.Stdout, "the database already holds contracts; the Trade demo was not loaded")
		return nil
	}
	fmt.Fprintln(env.Stdout, "loaded the Trade demo: 4 illustrative contracts, 6 illustrative price series, the USSM–FWO memorandum, the copper lot's assay exchange, the NdPr oxide lot's shipment (illustrative B/L), provisional invoices of 5 lots and final invoices of 2")
	return nil
}

func tradeContract(ctx context.Context, env *Env, args []string) error {
	if handled, err := subcommandHelp(env, "trade contract", args); handled {
		return err
	}
	fs := argsFlagSet(env, "trade contract", "trade contract add FILE | list | show ID [--db DSN]")
	dsn := dbFlag(fs, env)
	svc, closeFn, done, err := parseTradeService(ctx, fs, args[1:], dsn, func(*flag.FlagSet) bool { return args[0] != "add" })
	if done {
		return err
	}
	defer closeFn()
	switch args[0] {
	case "add":
		if fs.NArg() != 1 {
			return usagef("trade contract add: give one term-sheet file")
		}
		body, err := os.ReadFile(fs.Arg(0))
		if err != nil {
			return err
		}
		ts, err := svc.SaveContract(ctx, body)
		if err != nil {
			return inFile(fs.Arg(0), err)
		}
		fmt.Fprintf(env.Stdout, "stored contract %s (%s, %s)\n", ts.ID, ts.Commodity, ts.Currency)
		return nil
	case "list":
		list, err := svc.Contracts(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCOMMODITY\tSELLER\tBUYER\tINCOTERM\tCURRENCY\tNAME")
		for _, ts := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s %s\t%s\t%s\n", ts.ID, ts.Commodity, ts.Seller, ts.Buyer, ts.Delivery.Incoterm, ts.Delivery.Place, ts.Currency, ts.Name)
		}
		return tw.Flush()
	case "show":
		if fs.NArg() != 1 {
			return usagef("trade contract show: give a contract id")
		}
		ts, err := svc.Contract(ctx, fs.Arg(0))
		if err != nil {
			return err
		}
		pos, err := svc.Position(ctx, ts.ID)
		if err != nil {
			return err
		}
		// The contract's shadow prices in the newest finished plan job
		// the store keeps (sales and purchases), as the API and the
		// contract page show them.
		sh, err := commercial.StoredContractShadows(ctx, svc.Store, ts.ID)
		if err != nil {
			return err
		}
		return writeJSON(env.Stdout, map[string]any{"terms": ts, "position": pos, "shadow_prices": sh})
	}
	return usagef("trade contract: unknown subcommand %q", args[0])
}

func tradePrices(ctx context.Context, env *Env, args []string) error {
	if handled, err := subcommandHelp(env, "trade prices", args); handled {
		return err
	}
	fs := argsFlagSet(env, "trade prices", "trade prices import [--series ID --source S --unit U --frequency daily|irregular] [--correction] [--confirm-unit-jumps] FILE | list [--db DSN]")
	dsn := dbFlag(fs, env)
	var def commercial.PriceSeries
	fs.StringVar(&def.ID, "series", "", "series id when the CSV has no series column")
	fs.StringVar(&def.Source, "source", "", "source of the prices when the CSV has no source column")
	fs.StringVar(&def.Unit, "unit", "", "price unit (USD/t, USc/lb, USD/ozt, USD/kg) when the CSV has no unit column")
	fs.StringVar(&def.Frequency, "frequency", "", "daily or irregular when the CSV has no frequency column")
	correction := fs.Bool("correction", false, "accept days inside a quotational period closed by an issued final invoice, recorded as corrections")
	confirmJumps := fs.Bool("confirm-unit-jumps", false, "import rows whose price differs from the series' neighbouring prices by about a unit factor (kg/lb, ozt/g, kg/ozt, t/kg, USD/USc), refused otherwise (docs/trade.md, \"Price unit slips\")")
	svc, closeFn, done, err := parseTradeService(ctx, fs, args[1:], dsn, func(*flag.FlagSet) bool { return args[0] != "import" })
	if done {
		return err
	}
	defer closeFn()
	switch args[0] {
	case "import":
		if fs.NArg() != 1 {
			return usagef("trade prices import: give one CSV file")
		}
		f, err := os.Open(fs.Arg(0))
		if err != nil {
			return err
		}
		defer f.Close()
		got, err := svc.ImportPricesWith(ctx, f, def, commercial.PriceImportOptions{Correction: *correction, ConfirmUnitJumps: *confirmJumps})
		if err != nil {
			return inFile(fs.Arg(0), err)
		}
		for _, s := range got {
			fmt.Fprintf(env.Stdout, "series %s: %s (%s, %s, %s)\n", s.ID, countOf(len(s.Points), "day"), s.Unit, s.Frequency, s.Source)
		}
		return nil
	case "list":
		if err := onlyFlags(fs, "trade prices list"); err != nil {
			return err
		}
		all, err := svc.Prices(ctx)
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(all))
		for id := range all {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SERIES\tUNIT\tFREQUENCY\tDAYS\tFIRST\tLAST\tSOURCE")
		for _, id := range ids {
			s := all[id]
			first, last := "", ""
			if n := len(s.Points); n > 0 {
				first, last = s.Points[0].Date, s.Points[n-1].Date
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", s.ID, s.Unit, s.Frequency, len(s.Points), first, last, s.Source)
		}
		return tw.Flush()
	}
	return usagef("trade prices: unknown subcommand %q", args[0])
}

func tradeAssay(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "trade assay", "trade assay --lot LOT --party seller|buyer|umpire --lab URI --at RFC3339 [--sublot ID --sublot-dmt N] Cu=24.1% Au=4.1g/t …")
	dsn := dbFlag(fs, env)
	lot := fs.String("lot", "", "the lot (its class-level identifier)")
	party := fs.String("party", "", "seller, buyer or umpire")
	lab := fs.String("lab", "", "the laboratory (a URI)")
	at := fs.String("at", "", "time of the result (RFC 3339)")
	sublot := fs.String("sublot", "", "sublot id, when the lot is sampled in sublots")
	sublotDMT := fs.String("sublot-dmt", "", "the sublot's dry tonnes")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	// Flags left out are said to be required, not refused as bad empty
	// values (nu39c: --at "" read `--at: "" is not an RFC 3339 time`).
	for _, req := range []struct{ name, val, what string }{
		{"lot", *lot, "the lot"}, {"party", *party, "seller, buyer or umpire"},
		{"lab", *lab, "the laboratory, a URI"}, {"at", *at, "the result's time, RFC 3339"}} {
		if strings.TrimSpace(req.val) == "" {
			return usagef("--%s is required (%s)", req.name, req.what)
		}
	}
	t, err := time.Parse(time.RFC3339, *at)
	if err != nil {
		return usagef("--at: %q is not an RFC 3339 time", *at)
	}
	if len(fs.Args()) == 0 {
		return usagef("trade assay: results are required: give at least one ANALYTE=VALUEUNIT after the flags (Cu=24.1%% Au=4.1g/t)")
	}
	// Parsed only: SubmitAssays judges the set after the unit-slip
	// checks of the lot's commodity (fix13q).
	_, results, err := commercial.ParseGradeList(strings.Join(fs.Args(), ","), "results")
	if err != nil {
		return err
	}
	sub := &commercial.ExchangeSubmission{Lot: *lot, Party: *party, Lab: *lab, At: t, Sublot: *sublot, Results: results}
	if *sublotDMT != "" {
		v, err := decimal.NewFromString(*sublotDMT)
		if err != nil {
			return usagef("--sublot-dmt: %q is not a number", *sublotDMT)
		}
		sub.SublotDMT = &v
	}
	svc, closeFn, err := tradeService(ctx, *dsn)
	if err != nil {
		return err
	}
	defer closeFn()
	id, err := svc.SubmitAssays(ctx, sub)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "captured the %s's results for %s as event %s\n", *party, *lot, id)
	return nil
}

func tradeDeclare(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "trade declare", "trade declare --contract ID --lot LOT --element EL --month N --party buyer|seller (dated when recorded)")
	dsn := dbFlag(fs, env)
	d := &critmin.QPDeclaration{}
	fs.StringVar(&d.Contract, "contract", "", "contract id")
	fs.StringVar(&d.Lot, "lot", "", "lot")
	fs.StringVar(&d.Element, "element", "", "payable element, or * for all")
	fs.IntVar(&d.Month, "month", 0, "QP month relative to the shipment or arrival month")
	fs.StringVar(&d.Party, "party", "", "the declaring party")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	svc, closeFn, err := tradeService(ctx, *dsn)
	if err != nil {
		return err
	}
	defer closeFn()
	if err := svc.Declare(ctx, d); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "declared QP month %+d for %s of %s under %s (recorded %s)\n", d.Month, d.Element, d.Lot, d.Contract, d.DeclaredAt.Format(time.RFC3339))
	return nil
}

// loadTerms reads --terms: a stored contract id, or a term-sheet file.
// An argument that looks like a path (it contains a slash, or ends in
// .json) and names no file is reported as a missing file, not as an
// unknown contract; a stored contract whose id ends in .json is still
// read.
func loadTerms(ctx context.Context, svc *commercial.Service, ref string) (*commercial.TermSheet, error) {
	b, err := os.ReadFile(ref)
	if err == nil {
		ts, err := commercial.ParseTermSheet(b)
		if err != nil {
			return nil, inFile("--terms "+ref, err)
		}
		return ts, nil
	}
	slash := strings.ContainsAny(ref, `/\`)
	pathLike := slash || strings.HasSuffix(strings.ToLower(ref), ".json")
	if pathLike && !errors.Is(err, os.ErrNotExist) {
		return nil, refusef("--terms %s: cannot read the term-sheet file: %v", ref, err)
	}
	if slash {
		return nil, refusef("--terms %s: no such file (a contract id has no slash; give a stored contract id or a term-sheet file)", ref)
	}
	ts, cerr := svc.Contract(ctx, ref)
	if pathLike && critmin.ErrorCode(cerr) == critmin.ENOTFOUND {
		return nil, refusef("--terms %s: no such file, nor a stored contract of that id", ref)
	}
	return ts, cerr
}

func tradeSettle(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "trade settle", "trade settle --terms ID|FILE --lot LOT [--as-of DATE] [--format text|json]")
	dsn := dbFlag(fs, env)
	terms := fs.String("terms", "", "a stored contract id or a term-sheet file")
	lot := fs.String("lot", "", "the lot")
	asOf := fs.String("as-of", "", "the day (YYYY-MM-DD, UTC) the settlement is taken as of (default: current data): the lot's events dated by then, price days up to it, declarations made and invoices and notes issued by then")
	format := fs.String("format", "text", "text or json")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *terms == "" || *lot == "" {
		return usagef("trade settle: --terms and --lot are required")
	}
	var day time.Time
	if *asOf != "" {
		d, err := parseDate("as-of", *asOf)
		if err != nil {
			return err
		}
		day = d
	}
	svc, closeFn, err := tradeReader(ctx, *dsn)
	if err != nil {
		return err
	}
	defer closeFn()
	ts, err := loadTerms(ctx, svc, *terms)
	if err != nil {
		return err
	}
	var v *commercial.Valuation
	if day.IsZero() {
		v, _, err = svc.ValueUnder(ctx, ts, *lot)
	} else {
		v, _, err = svc.ValueUnderAsOf(ctx, ts, *lot, day)
	}
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(env.Stdout, v)
	}
	if *format != "text" {
		return usagef("--format: text or json")
	}
	for _, r := range v.Retracted {
		who := "an invoice of this lot rests"
		if len(r.Invoices) == 1 {
			who = "invoice " + r.Invoices[0] + " rests"
		} else if len(r.Invoices) > 1 {
			who = "invoices " + strings.Join(r.Invoices, " and ") + " rest"
		}
		why := ""
		if r.Reason != "" {
			why = " (" + r.Reason + ")"
		}
		if r.ResolvedBy != "" {
			// A note invoiced the correction: no longer a warning.
			fmt.Fprintf(env.Stdout, "resolved: %s on event %s, declared in error on %s%s; note %s invoiced the correction\n", who, r.EventID, r.DeclaredAt.UTC().Format(time.RFC3339), why, r.ResolvedBy)
			continue
		}
		fmt.Fprintf(env.Stdout, "WARNING: %s on event %s, declared in error on %s%s\n", who, r.EventID, r.DeclaredAt.UTC().Format(time.RFC3339), why)
	}
	if v.NotComputable != "" {
		fmt.Fprintf(env.Stdout, "lot %s under %s: settlement not computable — %s\n", v.Lot, v.Contract, v.NotComputable)
		if a := v.Acceptable; a != nil {
			fmt.Fprintf(env.Stdout, "if the figures are right: trade invoice issue --kind %s --accept %s --accepted-by NAME --accept-reason TEXT\n", a.Kind, a.Check)
		}
		for _, inv := range v.Invoices {
			fmt.Fprintf(env.Stdout, "invoice %s (%s) %s %s\n", inv.ID, inv.Kind, commercial.FormatAmount(inv.Total, inv.Currency), inv.Currency)
		}
		return nil
	}
	kind := "provisional"
	if v.Final != nil {
		kind = "final"
	}
	asOfNote := ""
	if v.AsOf != "" {
		asOfNote = " as of " + v.AsOf
	}
	fmt.Fprintf(env.Stdout, "lot %s under %s%s (%s settlement; figures: %s)\n", v.Lot, v.Contract, asOfNote, kind, v.Figures)
	for _, w := range v.Warnings {
		fmt.Fprintf(env.Stdout, "WARNING: %s\n", w)
	}
	if d := v.CurrentDiffers; d != nil {
		fmt.Fprintf(env.Stdout, "WARNING: %s\n", d.Reason)
	}
	for _, st := range []*commercial.Settlement{v.Provisional, v.Final} {
		if st == nil {
			continue
		}
		for _, a := range st.Accepted {
			fmt.Fprintf(env.Stdout, "ACCEPTED (%s, %s settlement) by %s: %s — overriding: %s\n", a.Check, st.Kind, a.By, a.Reason, a.Refusal)
		}
	}
	fmt.Fprintf(env.Stdout, "dmt %s  NSR %s %s/dmt  lot value %s %s\n", v.DMT, commercial.Money(v.NSRPerDMT, -1), v.Currency, commercial.FormatAmount(v.LotValue, v.Currency), v.Currency)
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LINE\tPER DMT\tAMOUNT\tFORMULA")
	for _, l := range v.Lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Label, perDMT(l), commercial.FormatAmount(l.Amount, v.Currency), l.Formula)
	}
	tw.Flush()
	what := ""
	if v.WhatIf {
		what = "what-if "
	}
	fmt.Fprintf(env.Stdout, "%sprovisional amount %s %s\n", what, commercial.FormatAmount(v.ProvAmount, v.Currency), v.Currency)
	for _, n := range v.Notes {
		fmt.Fprintf(env.Stdout, "%s %s of %s against %s: %s %s (%s)\n", strings.ToLower(n.Title()), n.ID, n.IssuedAt.UTC().Format(time.DateOnly), n.Invoice, commercial.FormatAmount(n.Total, n.Currency), n.Currency, n.Reason)
	}
	if v.FinalBalance != nil {
		fmt.Fprintf(env.Stdout, "%sfinal balance %s %s\n", what, commercial.FormatAmount(*v.FinalBalance, v.Currency), v.Currency)
	} else {
		fmt.Fprintf(env.Stdout, "final balance: not yet — %s\n", v.Missing)
		if a := v.Acceptable; a != nil {
			fmt.Fprintf(env.Stdout, "if the figures are right: trade invoice issue --kind %s --accept %s --accepted-by NAME --accept-reason TEXT\n", a.Kind, a.Check)
		}
	}
	return nil
}

func tradeInvoice(ctx context.Context, env *Env, args []string) error {
	if handled, err := subcommandHelp(env, "trade invoice", args); handled {
		return err
	}
	fs := argsFlagSet(env, "trade invoice", "trade invoice issue --contract ID --lot LOT --kind provisional|final [--accept CHECK[,CHECK] --accepted-by NAME --accept-reason TEXT] [--format text|json] | list [--contract ID] [--lot LOT] [--as-of DATE] [--format text|json] [--out FILE] | show ID [--as-of DATE] [--format text|json|xlsx] [--out FILE]")
	dsn := dbFlag(fs, env)
	contract := fs.String("contract", "", "issue, list: contract id")
	lot := fs.String("lot", "", "issue, list: lot")
	kind := fs.String("kind", "", "issue: provisional or final")
	format := fs.String("format", "text", "issue, list: text or json; show: text, json or xlsx")
	out := fs.String("out", "", "list, show: file to write instead of stdout (xlsx needs one)")
	acceptChecks := fs.String("accept", "", "issue: the plausibility refusals to accept, comma-separated ("+strings.Join(commercial.AcceptChecks, ", ")+"); kept with the invoice with --accepted-by and --accept-reason (docs/trade.md, \"Accepting a refused figure\")")
	acceptedBy := fs.String("accepted-by", "", "issue: who accepts the refused figures (with --accept)")
	acceptReason := fs.String("accept-reason", "", "issue: why the refused figures are right (with --accept)")
	asOf := fs.String("as-of", "", "list, show: the day (YYYY-MM-DD, UTC) the invoices are taken (default today): an invoice issued after it did not exist then (not listed; show says not issued), payments after it are not counted, overdue when the due date is before it and a balance is unpaid")
	svc, closeFn, done, err := parseTradeService(ctx, fs, args[1:], dsn, func(*flag.FlagSet) bool { return args[0] != "issue" })
	if done {
		return err
	}
	defer closeFn()
	sub := "trade invoice " + args[0]
	switch args[0] {
	case "issue":
		if err := onlyFlags(fs, sub, "contract", "lot", "kind", "format", "accept", "accepted-by", "accept-reason"); err != nil {
			return err
		}
	case "list":
		if err := onlyFlags(fs, sub, "contract", "lot", "as-of", "format", "out"); err != nil {
			return err
		}
	case "show":
		if err := onlyFlags(fs, sub, "as-of", "format", "out"); err != nil {
			return err
		}
	}
	day := svc.Now()
	if *asOf != "" {
		d, err := time.Parse(time.DateOnly, *asOf)
		if err != nil {
			return usagef("--as-of: %q is not a date (YYYY-MM-DD)", *asOf)
		}
		if err := svc.CheckAsOf(d); err != nil {
			return err
		}
		day = d
	}
	switch args[0] {
	case "issue":
		if *format != "text" && *format != "json" {
			return usagef("--format: %q is not text or json (trade invoice issue)", *format)
		}
		if *contract == "" || *lot == "" || *kind == "" {
			return usagef("trade invoice issue: --contract, --lot and --kind are required")
		}
		var accept []commercial.Acceptance
		if *acceptChecks != "" {
			for _, c := range strings.Split(*acceptChecks, ",") {
				accept = append(accept, commercial.Acceptance{Check: strings.TrimSpace(c), By: *acceptedBy, Reason: *acceptReason})
			}
		} else if *acceptedBy != "" || *acceptReason != "" {
			return usagef("trade invoice issue: --accepted-by and --accept-reason go with --accept CHECK")
		}
		inv, err := svc.IssueAccepting(ctx, *contract, *lot, *kind, svc.Now(), accept)
		if err != nil {
			return err
		}
		if *format == "json" {
			return writeJSON(env.Stdout, inv)
		}
		fmt.Fprintf(env.Stdout, "issued %s invoice %s: %s %s, due %s; recorded on the lot as event %s\n", inv.Kind, inv.ID, commercial.FormatAmount(inv.Total, inv.Currency), inv.Currency, inv.DueDate, inv.EventID)
		for _, w := range inv.Warnings {
			fmt.Fprintf(env.Stdout, "WARNING: %s\n", w)
		}
		for _, a := range inv.Settlement.Accepted {
			fmt.Fprintf(env.Stdout, "ACCEPTED (%s) by %s: %s — overriding: %s\n", a.Check, a.By, a.Reason, a.Refusal)
		}
		return nil
	case "list":
		if *format != "text" && *format != "json" {
			return usagef("--format: %q is not text or json (trade invoice list)", *format)
		}
		if fs.NArg() != 0 {
			return usagef("trade invoice list takes no invoice id (%q): use show ID", fs.Args())
		}
		// As of a day, the invoices issued after it do not exist yet
		// (commercial.Service.InvoiceListAsOf).
		invs, refused, err := svc.InvoiceListAsOf(ctx, critmin.InvoiceFilter{Contract: *contract, Lot: *lot}, day)
		if err != nil {
			return err
		}
		w, closeOut, err := outputTo(env, *out)
		if err != nil {
			return err
		}
		defer closeOut()
		if *format == "json" {
			rows := make([]map[string]any, 0, len(invs))
			for _, inv := range invs {
				rows = append(rows, inv.Row())
			}
			if refused == nil {
				refused = []commercial.RefusedInvoice{}
			}
			if err := writeJSON(w, map[string]any{"invoices": rows, "refused": refused, "as_of": day.UTC().Format(time.DateOnly)}); err != nil {
				return err
			}
		} else {
			tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "INVOICE\tKIND\tCONTRACT\tLOT\tTOTAL\tCURRENCY\tISSUED\tDUE\tSTATUS")
			for _, inv := range invs {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", inv.ID, inv.Kind, inv.Contract, inv.Lot, commercial.FormatAmount(inv.Total, inv.Currency), inv.Currency, inv.IssuedAt.Format(time.DateOnly), inv.DueDate, inv.PaymentStatus.Summary(inv.Currency))
			}
			for _, r := range refused {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\tREFUSED\t\t\t\n", r.ID, r.Kind, r.Contract, r.Lot)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
		}
		for _, r := range refused {
			fmt.Fprintf(env.Stderr, "invoice %s is not served: %s\n", r.ID, r.Reason)
		}
		if len(refused) > 0 {
			return fmt.Errorf("%d of %s failed verification (listed as REFUSED)", len(refused), countOf(len(refused)+len(invs), "invoice"))
		}
		return nil
	case "show":
		if fs.NArg() != 1 {
			return usagef("trade invoice show: give an invoice id")
		}
		switch *format {
		case "text", "json", "xlsx":
		default:
			return usagef("--format: %q is not text, json or xlsx (trade invoice show)", *format)
		}
		if *format == "xlsx" && *out == "" {
			return usagef("--format xlsx needs --out FILE")
		}
		inv, err := svc.InvoiceAsOf(ctx, fs.Arg(0), day)
		if err != nil {
			return err
		}
		w, closeOut, err := outputTo(env, *out)
		if err != nil {
			return err
		}
		defer closeOut()
		switch *format {
		case "json":
			return writeJSON(w, inv)
		case "xlsx":
			return commercial.WriteXLSX(w, inv)
		}
		fmt.Fprintf(w, "%s invoice %s  contract %s  lot %s\nB/L %s  issued %s  due %s  event %s\n", inv.Kind, inv.ID, inv.Contract, inv.Lot, inv.BL, inv.IssuedAt.Format(time.DateOnly), inv.DueDate, inv.EventID)
		if warn := inv.Warning(); warn != "" {
			fmt.Fprintf(w, "WARNING: %s\n", warn)
		}
		if inv.Settlement != nil {
			for _, a := range inv.Settlement.Accepted {
				fmt.Fprintf(w, "ACCEPTED (%s) by %s: %s — overriding: %s\n", a.Check, a.By, a.Reason, a.Refusal)
			}
		}
		if inv.Status == commercial.StatusNotIssued {
			fmt.Fprintf(w, "status as of %s: %s\n", inv.AsOf, inv.PaymentStatus.Summary(inv.Currency))
		} else if st := inv.PaymentStatus.Summary(inv.Currency); st != "" {
			fmt.Fprintf(w, "status as of %s: %s\n", inv.AsOf, st)
			if inv.LateInterestFormula != "" {
				fmt.Fprintf(w, "  %s\n", inv.LateInterestFormula)
			}
		}
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LINE\tPER DMT\tAMOUNT\tFORMULA\tEVENTS")
		for _, l := range inv.Lines {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", l.Label, perDMT(l), commercial.FormatAmount(l.Amount, inv.Currency), l.Formula, strings.Join(l.Events, " "))
		}
		fmt.Fprintf(tw, "TOTAL %s\t\t%s\t\t\n", inv.Currency, commercial.FormatAmount(inv.Total, inv.Currency))
		if err := tw.Flush(); err != nil {
			return err
		}
		// The notes issued against a final invoice, as its JSON, page
		// and XLSX list them (fix13q).
		for _, n := range inv.Notes {
			fmt.Fprintf(w, "%s %s of %s: %s %s — %s\n", n.Title(), n.ID, n.IssuedAt.UTC().Format(time.DateOnly), commercial.FormatAmount(n.Total, n.Currency), n.Currency, n.Reason)
			for _, l := range n.Lines {
				fmt.Fprintf(w, "  %s: %s %s (%s)\n", l.Label, commercial.FormatAmount(l.Amount, n.Currency), n.Currency, l.Formula)
			}
		}
		return nil
	}
	return usagef("trade invoice: unknown subcommand %q", args[0])
}

// perDMT is a line's per-dmt figure as the tables print it, or "n/a"
// with the line's reason when it has none (commercial.Line.NoPerDMT).
func perDMT(l commercial.Line) string {
	if l.NoPerDMT != "" {
		return "n/a (" + l.NoPerDMT + ")"
	}
	return commercial.Money(l.PerDMT, -1)
}

func tradePay(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "trade pay", "trade pay --invoice ID --amount X --on DATE [--direction payment|refund] [--id ID]")
	dsn := dbFlag(fs, env)
	p := &critmin.TradePayment{}
	fs.StringVar(&p.Invoice, "invoice", "", "invoice id, or a credit or debit note id (INVOICE-CN1, INVOICE-DN2): paid on the account of the final invoice it corrects (invoice + notes − payments)")
	fs.StringVar(&p.Amount, "amount", "", "amount received, in the invoice currency (a refund against a credit invoice: positive with --direction refund, or negative)")
	fs.StringVar(&p.PaidOn, "on", "", "date received (YYYY-MM-DD)")
	fs.StringVar(&p.ID, "id", "", "payment reference (default PAY-INVOICE-DATE-N, unique)")
	fs.StringVar(&p.Direction, "direction", "", "payment (buyer to seller) or refund (seller to buyer, against a credit invoice); default: what the invoice needs")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	svc, closeFn, err := tradeService(ctx, *dsn)
	if err != nil {
		return err
	}
	defer closeFn()
	if env.Now != nil {
		svc.Now = env.Now // a test's fixed clock (Env.Now)
	}
	given := p.Invoice
	if err := svc.RecordPayment(ctx, p); err != nil {
		return err
	}
	// Say what was recorded (fix13t): who paid whom, how much, on which
	// account — a note's id records on the account of the final invoice
	// it corrects — and where that account now stands.
	inv, err := svc.Invoice(ctx, p.Invoice)
	if err != nil {
		return err
	}
	who := "from the buyer to the seller"
	if p.Direction == commercial.DirectionRefund {
		who = "from the seller back to the buyer"
	}
	amount, _ := decimal.NewFromString(strings.TrimPrefix(p.Amount, "-"))
	fmt.Fprintf(env.Stdout, "recorded %s %s of %s %s %s, received %s, against %s", p.Direction, p.ID, commercial.FormatAmount(amount, inv.Currency), inv.Currency, who, p.PaidOn, p.Invoice)
	if given != p.Invoice {
		fmt.Fprintf(env.Stdout, " (%s is a note against final invoice %s: it is paid on that invoice's account, invoice + notes − payments)", given, p.Invoice)
	}
	if inv.Balance != nil {
		owed := ""
		if inv.OwedBy != "" && inv.Balance.IsPositive() {
			owed = ", owed by the " + inv.OwedBy
		}
		later := false
		for _, d := range inv.Dated {
			if d.ID != p.ID {
				continue
			}
			// Dated after today within the clock allowance: it counts
			// from its day, and the confirmation says so (fix13z;
			// before, "balance is now" left it out without a word).
			later = true
			fmt.Fprintf(env.Stdout, "; dated after today (%s UTC), the payment counts from %s: the account's balance today is %s %s%s (%s), from %s %s %s (%s)", inv.AsOf, d.PaidOn, commercial.FormatAmount(*inv.Balance, inv.Currency), inv.Currency, owed, strings.ReplaceAll(inv.Status, "_", " "), d.PaidOn, commercial.FormatAmount(d.Balance, inv.Currency), inv.Currency, strings.ReplaceAll(d.Status, "_", " "))
		}
		if !later {
			fmt.Fprintf(env.Stdout, "; the account's balance is now %s %s%s (%s)", commercial.FormatAmount(*inv.Balance, inv.Currency), inv.Currency, owed, strings.ReplaceAll(inv.Status, "_", " "))
		}
	}
	fmt.Fprintln(env.Stdout)
	return nil
}

// tradeNote issues a credit or debit note against a lot's final invoice
// (commercial.Service.IssueNote) or lists an invoice's notes.
func tradeNote(ctx context.Context, env *Env, args []string) error {
	if handled, err := subcommandHelp(env, "trade note", args); handled {
		return err
	}
	fs := argsFlagSet(env, "trade note", "trade note issue --contract ID --lot LOT --reason TEXT [--format text|json] | list --invoice ID [--format text|json|csv] [--out FILE]")
	dsn := dbFlag(fs, env)
	contract := fs.String("contract", "", "issue: contract id")
	lot := fs.String("lot", "", "issue: lot")
	reason := fs.String("reason", "", "issue: why the final invoice is corrected (a corrected weight, assay or price, an event declared in error)")
	invoice := fs.String("invoice", "", "list: the final invoice's id")
	format := fs.String("format", "text", "issue: text or json; list: text, json or csv")
	out := fs.String("out", "", "list: file to write instead of stdout")
	svc, closeFn, done, err := parseTradeService(ctx, fs, args[1:], dsn, func(*flag.FlagSet) bool { return args[0] != "issue" })
	if done {
		return err
	}
	defer closeFn()
	sub := "trade note " + args[0]
	switch args[0] {
	case "issue":
		if err := onlyFlags(fs, sub, "contract", "lot", "reason", "format"); err != nil {
			return err
		}
		if *format != "text" && *format != "json" {
			return usagef("--format: %q is not text or json (trade note issue)", *format)
		}
		if *contract == "" || *lot == "" {
			return usagef("trade note issue: --contract and --lot are required")
		}
		n, err := svc.IssueNote(ctx, *contract, *lot, *reason)
		if err != nil {
			return err
		}
		if *format == "json" {
			return writeJSON(env.Stdout, n)
		}
		fmt.Fprintf(env.Stdout, "issued %s %s against invoice %s: %s %s (lot value %s → %s)\n", strings.ToLower(n.Title()), n.ID, n.Invoice, commercial.FormatAmount(n.Total, n.Currency), n.Currency, commercial.FormatAmount(n.Before, n.Currency), commercial.FormatAmount(n.After, n.Currency))
		return nil
	case "list":
		if err := onlyFlags(fs, sub, "invoice", "format", "out"); err != nil {
			return err
		}
		if *invoice == "" {
			return usagef("trade note list: --invoice is required")
		}
		if _, err := svc.Invoice(ctx, *invoice); err != nil {
			return err
		}
		notes, err := svc.Notes(ctx, *invoice)
		if err != nil {
			return err
		}
		w := env.Stdout
		if *out != "" {
			f, err := os.Create(*out)
			if err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			defer f.Close()
			w = f
		}
		switch *format {
		case "json":
			return writeJSON(w, map[string]any{"invoice": *invoice, "notes": notes})
		case "csv":
			return commercial.WriteNotesCSV(w, notes)
		case "text":
			if len(notes) == 0 {
				fmt.Fprintf(w, "invoice %s has no credit or debit note\n", *invoice)
			}
			for _, n := range notes {
				fmt.Fprintf(w, "%s %s of %s against %s: %s %s — %s\n", n.Title(), n.ID, n.IssuedAt.UTC().Format(time.DateOnly), n.Invoice, commercial.FormatAmount(n.Total, n.Currency), n.Currency, n.Reason)
				for _, l := range n.Lines {
					fmt.Fprintf(w, "  %s: %s %s (%s)\n", l.Label, commercial.FormatAmount(l.Amount, n.Currency), n.Currency, l.Formula)
				}
				if len(n.Events) > 0 || len(n.PriceDays) > 0 {
					fmt.Fprintf(w, "  caused by: %s\n", strings.Join(append(append([]string{}, n.Events...), n.PriceDays...), ", "))
				}
			}
			return nil
		}
		return usagef("--format: %q is not text, json or csv (trade note list)", *format)
	}
	return usagef("trade note: unknown subcommand %q (issue or list)", args[0])
}

func tradeAgreement(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "trade agreement", "trade agreement [ID] [--as-of DATE] [--format text|json] | agreement add FILE")
	dsn := dbFlag(fs, env)
	asOf := fs.String("as-of", time.Now().UTC().Format(time.DateOnly), "date of the progress report")
	format := fs.String("format", "text", "text or json")
	svc, closeFn, done, err := parseTradeService(ctx, fs, args, dsn, func(fs *flag.FlagSet) bool { return !(fs.NArg() == 2 && fs.Arg(0) == "add") })
	if done {
		return err
	}
	defer closeFn()
	if fs.NArg() > 0 && fs.Arg(0) == "add" {
		if err := onlyFlags(fs, "trade agreement add"); err != nil {
			return err
		}
		if fs.NArg() != 2 {
			return usagef("trade agreement add: give one agreement file")
		}
	} else if fs.NArg() > 1 {
		return usagef("trade agreement: give at most one agreement id (%q)", fs.Args())
	}
	if *format != "text" && *format != "json" {
		return usagef("--format: %q is not text or json (trade agreement)", *format)
	}
	if fs.NArg() == 2 && fs.Arg(0) == "add" {
		body, err := os.ReadFile(fs.Arg(1))
		if err != nil {
			return err
		}
		a, err := svc.SaveAgreement(ctx, body)
		if err != nil {
			return inFile(fs.Arg(1), err)
		}
		fmt.Fprintf(env.Stdout, "stored agreement %s\n", a.ID)
		return nil
	}
	day, err := parseDate("as-of", *asOf)
	if err != nil {
		return err
	}
	id := commercial.DemoAgreement
	if fs.NArg() == 1 {
		id = fs.Arg(0)
	}
	p, err := svc.Progress(ctx, id, day)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(env.Stdout, p)
	}
	a := p.Agreement
	// Amounts at the headline currency's minor unit (2 places for USD),
	// with thousands separators, as the agreement page writes them.
	cur := a.Headline.Currency
	amt := func(d decimal.Decimal) string { return commercial.FormatAmount(d, cur) }
	fmt.Fprintf(env.Stdout, "%s (signed %s; headline %s %s — %s)\nas of %s\n\n", a.Name, a.Signed, amt(a.Headline.Amount), cur, a.Headline.Source, p.AsOf)
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "COMMODITY\tCOMMITTED %s\tSHIPPED %s\tINVOICED %s\tPAID %s\t\n", cur, cur, cur, cur)
	for _, c := range p.Commodities {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t\n", c.Commodity, amt(c.Committed), amt(c.Shipped), amt(c.Invoiced), amt(c.Paid))
	}
	fmt.Fprintf(tw, "total\t%s\t%s\t%s\t%s\t\n", amt(p.Committed), amt(p.Shipped), amt(p.Invoiced), amt(p.Paid))
	if err := tw.Flush(); err != nil {
		return err
	}
	// Shipped runs ahead of invoiced: the lots shipped and not invoiced
	// are counted at a what-if value, each said so.
	for _, sl := range p.ShippedNotInvoiced {
		fmt.Fprintf(env.Stdout, "shipped, not invoiced: lot %s under %s (B/L %s) %s %s — %s\n", sl.Lot, sl.Contract, sl.BLDate, amt(sl.Value), cur, sl.Basis)
	}
	// A lot several contracts could invoice is under none of them (the
	// exposure's allocation): listed, never counted (fix13y).
	for _, u := range p.Unallocated {
		fmt.Fprintf(env.Stdout, "UNALLOCATED, not counted as shipped: lot %s (B/L %s) — could be invoiced under contracts %s; in no tranche until a contract invoices it\n", u.Lot, u.BLDate, strings.Join(u.CouldBeUnder, ", "))
	}
	for _, x := range p.Excluded {
		fmt.Fprintf(env.Stdout, "not counted as shipped: lot %s (invoice %s): %s\n", x.Lot, x.Invoice, x.Reason)
	}
	tw = tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\nMILESTONE\tDUE\tACHIEVED\tSTATUS\tSOURCE\n")
	for _, m := range a.Milestones {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.Name, m.Due, m.Achieved, m.Status, m.Source)
	}
	return tw.Flush()
}

func tradeNSR(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "trade nsr", "trade nsr [--terms ID,ID] (--lot LOT | --grades Cu=24%,Au=4g/t) [--as-of DATE] [--step 10] [--format text|json|csv]")
	dsn := dbFlag(fs, env)
	terms := fs.String("terms", "", "comma-separated contract ids (default: every stored contract of the lot's commodity)")
	lot := fs.String("lot", "", "value this lot's best-known grades")
	gradesArg := fs.String("grades", "", "a forecast feed's grades: Cu=24%,Au=4g/t")
	asOf := fs.String("as-of", "", "spot prices: the last published on or before this date (default: today, else the latest day with prices, said so)")
	step := fs.Float64("step", 10, "sensitivity step in per cent (prices and grades at −step, 0, +step)")
	format := fs.String("format", "text", "text, json or csv")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *format != "text" && *format != "json" && *format != "csv" {
		return usagef("--format: text, json or csv")
	}
	day := time.Now().UTC()
	if *asOf != "" {
		d, err := parseDate("as-of", *asOf)
		if err != nil {
			return err
		}
		day = d
	}
	if (*lot == "") == (*gradesArg == "") {
		return usagef("trade nsr: give --lot or --grades")
	}
	svc, closeFn, err := tradeReader(ctx, *dsn)
	if err != nil {
		return err
	}
	defer closeFn()
	// No date given and today's prices stale: the latest day with
	// prices, said so — as the API and the NSR page
	// (commercial.Service.NSRLatest).
	var cmp *commercial.NSRComparison
	if *asOf == "" {
		cmp, err = svc.NSRLatest(ctx, *terms, *lot, *gradesArg, *step)
	} else {
		cmp, err = svc.NSRFor(ctx, *terms, *lot, *gradesArg, day, *step)
	}
	if err != nil {
		return err
	}
	if note := cmp.AsOfNote; note != "" {
		// Text: its first line; CSV: on stderr, so the file stays a
		// table; JSON: as_of_note.
		switch *format {
		case "text":
			fmt.Fprintf(env.Stdout, "note: %s\n", note)
		case "csv":
			fmt.Fprintf(env.Stderr, "note: %s\n", note)
		}
	}
	// The comparison is printed either way; when no term sheet values
	// the feed the command then fails with each sheet's reason.
	if err := printNSR(env, cmp, *format, *step); err != nil {
		return err
	}
	return cmp.Unvalued()
}

func printNSR(env *Env, cmp *commercial.NSRComparison, format string, step float64) error {
	if format == "json" {
		return writeJSON(env.Stdout, cmp)
	}
	if format == "csv" {
		return cmp.WriteCSV(env.Stdout)
	}
	if len(cmp.Grades) > 0 {
		keys := make([]string, 0, len(cmp.Grades))
		for k := range cmp.Grades {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var gs []string
		for _, k := range keys {
			g := cmp.Grades[k]
			src := ""
			if len(g.Events) > 0 {
				src = " (event " + strings.Join(g.Events, ", ") + ")"
			}
			gs = append(gs, fmt.Sprintf("%s %s %s%s", k, g.Value, g.Unit, src))
		}
		fmt.Fprintf(env.Stdout, "grades: %s\n", strings.Join(gs, "; "))
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	s := strconv.FormatFloat(step, 'f', -1, 64)
	fmt.Fprintln(tw, "figures per dmt in the contract currency, rounded to 0.01 (--format json gives them to 0.0001)")
	fmt.Fprintf(tw, "CONTRACT\tNSR/DMT\tPRICE −%s%%\tPRICE +%s%%\tGRADE −%s%%\tGRADE +%s%%\tNOTE\n", s, s, s, s)
	for _, c := range cmp.Cases {
		if c.Error != "" {
			fmt.Fprintf(tw, "%s\t\t\t\t\t\t%s\n", c.Contract, c.Error)
			continue
		}
		gs := func(i int) string {
			if i < len(c.GradeSens) && c.GradeSens[i] != nil {
				return commercial.Money(c.GradeSens[i].Round(2), 2)
			}
			return "n/a"
		}
		notes := []string{"grade scales " + strings.Join(c.GradeScaled, ", ")}
		for _, n := range c.GradeNotes {
			if n != "" {
				notes = append(notes, n)
			}
		}
		fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\t%s\t%s\n", c.Contract, commercial.Money(c.NSRPerDMT, 2), c.Currency, commercial.Money(c.PriceSens[0], 2), commercial.Money(c.PriceSens[2], 2), gs(0), gs(2), strings.Join(notes, "; "))
	}
	// Each input on its own, the whole settlement recomputed (penalties,
	// escalators and participation move with their input).
	fmt.Fprintf(tw, "\nCONTRACT\tINPUT ALONE\t−%s%%\t+%s%%\tNOTE\n", s, s)
	for _, c := range cmp.Cases {
		for _, in := range c.Inputs {
			v := func(i int) string {
				if i < len(in.NSR) && in.NSR[i] != nil {
					return commercial.Money(in.NSR[i].Round(2), 2)
				}
				return "n/a"
			}
			var notes []string
			for _, n := range in.Notes {
				if n != "" {
					notes = append(notes, n)
				}
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.Contract, in.Input, v(0), v(2), strings.Join(notes, "; "))
		}
	}
	return tw.Flush()
}

func tradeExposure(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "trade exposure", "trade exposure [--as-of DATE] [--book PARTY] [--format text|json]")
	dsn := dbFlag(fs, env)
	asOf := fs.String("as-of", time.Now().UTC().Format(time.DateOnly), "the day positions are taken")
	book := fs.String("book", "", "the party whose position it is (purchases long, sales short); default the party on every open contract")
	format := fs.String("format", "text", "text or json")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *format != "text" && *format != "json" {
		return usagef("--format: %q is not text or json (trade exposure writes no CSV)", *format)
	}
	day, err := parseDate("as-of", *asOf)
	if err != nil {
		return err
	}
	svc, closeFn, err := tradeReader(ctx, *dsn)
	if err != nil {
		return err
	}
	defer closeFn()
	ex, err := svc.Exposure(ctx, day, *book)
	if err != nil {
		return err
	}
	if *format == "json" {
		return writeJSON(env.Stdout, ex)
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "BOOK %s (purchases long +, sales short −; net below)\n", ex.Book)
	for _, l := range ex.LeftOut {
		fmt.Fprintf(tw, "LEFT OUT %s (%s): %s\n", l.Contract, countOf(l.Lots, "open lot"), l.Reason)
	}
	fmt.Fprintln(tw, "ELEMENT\tPRICED KG\tUNPRICED KG\tLONG KG\tSHORT KG")
	els := make([]string, 0, len(ex.Priced))
	for e := range ex.Priced {
		els = append(els, e)
	}
	sort.Strings(els)
	// Net kilograms are negative in a seller's book: written with the
	// true minus (commercial.Money), as the header and the pages write it.
	kg := func(d decimal.Decimal) string { return commercial.Money(d.Round(3), -1) }
	for _, e := range els {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", e, kg(ex.Priced[e]), kg(ex.Unpriced[e]), kg(ex.Long[e]), kg(ex.Short[e]))
	}
	for _, l := range ex.Lots {
		if l.NotInvoiced {
			fmt.Fprintf(tw, "NOT YET INVOICED %s under %s (%s, shipped; estimated from its best-known assays and %s dmt)\n", l.Lot, l.Contract, l.Side, l.DMT)
		}
		// Exchange results the lot's figures do not rest on (fix13y).
		for _, w := range l.Warnings {
			fmt.Fprintf(tw, "WARNING %s under %s: %s\n", l.Lot, l.Contract, w)
		}
	}
	// Lots several contracts could invoice: listed, with their contained
	// metal and a total, never left out (fix13w).
	for _, l := range ex.Lots {
		if !l.Unallocated {
			continue
		}
		if l.NotValued != "" {
			fmt.Fprintf(tw, "UNALLOCATED %s — could be invoiced under contracts %s: not valued: %s\n", l.Lot, strings.Join(l.CouldBeUnder, ", "), l.NotValued)
			continue
		}
		fmt.Fprintf(tw, "UNALLOCATED %s — could be invoiced under contracts %s: contained %s (%s dmt; in no total above)\n", l.Lot, strings.Join(l.CouldBeUnder, ", "), kgList(l.ContainedKg), l.DMT)
	}
	if ex.UnallocatedLots > 0 {
		fmt.Fprintf(tw, "UNALLOCATED TOTAL %s: contained %s\n", countOf(ex.UnallocatedLots, "lot"), kgList(ex.UnallocatedKg))
	}
	fmt.Fprintln(tw, "\nFIXING DAY\tELEMENT\tPRICED KG\tUNPRICED KG")
	for _, d := range ex.Days {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", d.Date, d.Element, kg(d.PricedKg), kg(d.UnpricedKg))
	}
	return tw.Flush()
}

// kgList is "Au 0.364 kg; Cu 21840 kg", elements in order.
func kgList(m map[string]decimal.Decimal) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %s kg", k, commercial.Money(m[k].Round(3), -1))
	}
	return strings.Join(parts, "; ")
}

// applyTradeTerms puts the stored term sheets into a planning file
// (commercial.Service.PlanTerms): contracts that name a term sheet at its
// net value per dmt, supplies a purchase contract covers at its terms,
// the rest at the file's price table; the prices last published on or
// before asOf are spot.
func applyTradeTerms(ctx context.Context, store critmin.Store, n *plan.Network, asOf time.Time, env *Env) error {
	svc := commercial.NewService(custody.NewService(store))
	contracts, supplies, err := svc.PlanTerms(ctx, n, asOf)
	if err != nil {
		return err
	}
	if len(contracts) > 0 {
		fmt.Fprintf(env.Stderr, "priced %s at their term sheets' net value per dmt: %s\n", countOf(len(contracts), "contract"), strings.Join(contracts, ", "))
	}
	if len(supplies) > 0 {
		fmt.Fprintf(env.Stderr, "priced %s at their purchase contracts' terms: %s\n", countOf(len(supplies), "supply"), strings.Join(supplies, ", "))
	}
	return nil
}

// countOf is "1 day", "2 days" (commercial.Count).
func countOf(n int, noun string) string { return commercial.Count(n, noun) }

// onlyFlags refuses, naming it, a flag given on the command line that the
// subcommand sub does not read: a flag that is accepted must work
// (--format on trade invoice issue, --out on list …). --db is every
// subcommand's.
func onlyFlags(fs *flag.FlagSet, sub string, allowed ...string) error {
	var bad []string
	fs.Visit(func(f *flag.Flag) {
		if f.Name != "db" && !slices.Contains(allowed, f.Name) {
			bad = append(bad, "--"+f.Name)
		}
	})
	if len(bad) == 0 {
		return nil
	}
	takes := "only --db"
	if len(allowed) > 0 {
		takes = "--" + strings.Join(allowed, ", --") + " and --db"
	}
	verb := "is not a flag"
	if len(bad) > 1 {
		verb = "are not flags"
	}
	return usagef("%s %s of %s (it takes %s)", strings.Join(bad, ", "), verb, sub, takes)
}
