package cli

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/plan"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/units"
)

// runRefinery is critmin refinery reconcile|report|demo.
func runRefinery(ctx context.Context, env *Env, args []string) error {
	subs := "reconcile, report, close, reopen, void-record, backfill-audit, yields, flowsheet"
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" {
		fmt.Fprintln(env.Stdout, "Usage: critmin refinery reconcile|report|close|reopen|void-record|backfill-audit|yields|flowsheet [flags] FILE|demo\n\n"+
			"  reconcile FILE   reconcile a problem file (refinery/flowsheet.schema.json) by weighted least squares\n"+
			"  report FILE      the monthly metal-accounting report of a problem file (--format text|json|csv|xlsx)\n"+
			"  close FILE       reconcile and close FILE's site and period, signed and chained\n"+
			"  reopen           reopen a closed period (admin, with a reason)\n"+
			"  void-record      set aside a period record signed by a foreign key (admin, with a reason)\n"+
			"  backfill-audit   anchor in the audit chain the period records closed before anchoring existed\n"+
			"  yields           a closed period's recoveries as the planner's line yields\n"+
			"  flowsheet demo   print the demo refinery's flowsheet (illustrative)\n\n"+
			"FILE may be \"demo\" for the demo refinery's illustrative month. Run a subcommand with --help for its flags.")
		if len(args) == 0 {
			return usagef("refinery: the subcommands are %s", subs)
		}
		return nil
	}
	switch args[0] {
	case "reconcile":
		return runRefineryReconcile(ctx, env, args[1:])
	case "report":
		return runRefineryReport(ctx, env, args[1:])
	case "close":
		return runRefineryClose(ctx, env, args[1:])
	case "reopen":
		return runRefineryReopen(ctx, env, args[1:])
	case "void-record":
		return runRefineryVoid(ctx, env, args[1:])
	case "backfill-audit":
		return runRefineryBackfillAudit(ctx, env, args[1:])
	case "yields":
		return runRefineryYields(ctx, env, args[1:])
	case "flowsheet":
		return runRefineryFlowsheet(ctx, env, args[1:])
	}
	return usagef("refinery: unknown subcommand %q; the subcommands are %s", args[0], subs)
}

// loadProblem reads a problem file, "-" for stdin or "demo".
func loadProblem(env *Env, name string) (*refinery.Problem, error) {
	var r io.Reader
	switch name {
	case "demo":
		return refinery.DemoMonth()
	case "-":
		r = env.Stdin
	default:
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	p, err := refinery.DecodeProblem(r)
	if err != nil {
		return nil, inFile(name, err)
	}
	return p, nil
}

func runRefineryReconcile(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "refinery reconcile", "refinery reconcile [--format table|json] [--confidence P] FILE|demo|-\n\n"+
		"Reconciles the measured masses and grades of FILE by weighted least squares under every node's\n"+
		"(with --site and --period, FILE is a flowsheet — or \"corridor\", the demo corridor's refinery — whose\n"+
		"check-in, check-out, internal streams and stock surveys come from the ledger in --db)\n"+
		"total-mass and element balances, and prints reconciled values with standard deviations, recoveries,\n"+
		"the chi-square test and suspected gross errors.")
	format := fs.String("format", "table", "table or json")
	conf := fs.Float64("confidence", 0, "confidence of the statistical tests (default: the file's, else 0.95)")
	src := ledgerFlags(fs, env)
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("refinery reconcile: give one problem file, - or demo")
	}
	if *format != "table" && *format != "json" {
		return usagef("--format: %q is not table or json", *format)
	}
	confSet := false
	fs.Visit(func(f *flag.Flag) { confSet = confSet || f.Name == "confidence" })
	if confSet && !(*conf >= refinery.MinConfidence && *conf <= refinery.MaxConfidence) {
		return usagef("--confidence: %s is not in [%s, %s] (leave the flag out for the file's, else 0.95)", critmin.PlainNumber(*conf), critmin.PlainNumber(refinery.MinConfidence), critmin.PlainNumber(refinery.MaxConfidence))
	}
	p, err := src.load(ctx, env, fs.Arg(0))
	if err != nil {
		return err
	}
	if *conf != 0 {
		p.Confidence = *conf
	}
	r, err := refinery.ReconcileContext(ctx, p)
	if err != nil {
		return err
	}
	if *format == "json" {
		return printJSON(env, r)
	}
	return printReconciliation(env.Stdout, r)
}

// pctConf prints a confidence level in % with as many digits as it
// has (0.95 → "95", 0.999999999 → "99.9999999"), never rounded to 100.
func pctConf(c float64) string {
	return strconv.FormatFloat(100*c, 'f', -1, 64)
}

func fmtNum(n refinery.Num, prec int) string {
	if !n.Known() {
		return "—"
	}
	return units.Fixed(float64(n), prec)
}

func fmtEst(e refinery.Estimate, prec int) (meas, rec, sd, z, flag string) {
	meas, z = "—", ""
	if e.Measured != nil {
		meas = units.Fixed(*e.Measured, prec)
	}
	if e.Fixed {
		// Held as given: the given value, and "fixed" for its sd (it
		// has no precision), as in the report and on the page.
		return fmtNum(e.Value, prec), fmtNum(e.Value, prec), refinery.FixedSD, "", ""
	}
	if e.NormalisedAdjustment != nil {
		z = fmt.Sprintf("%+.2f", *e.NormalisedAdjustment)
	}
	if e.Suspect {
		flag = "SUSPECT"
	}
	if e.Removed {
		flag = "REMOVED (gross error)"
	}
	return meas, fmtNum(e.Value, prec), fmtNum(e.SD, prec), z, flag
}

// basisOf is the P754 basis of a quantity as the report's CSV and XLSX
// give it: fixed, estimated or measured; "—" for one not measured.
func basisOf(e refinery.Estimate) string {
	switch {
	case e.Fixed:
		return "fixed"
	case e.Measured == nil:
		return "—"
	case e.Estimated:
		return "estimated"
	}
	return "measured"
}

// printGrades writes one row per element grade of a stream or stock; a
// fixed (declared) grade shows its value with "fixed" as its class.
func printGrades(tw io.Writer, els []string, grade map[string]refinery.Estimate, prefix string) {
	for _, e := range els {
		g := grade[e]
		m, v, sd, z, flag := fmtEst(g, 4)
		fmt.Fprintf(tw, "\t%s%s %%\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", prefix, e, basisOf(g), m, v, sd, z, g.Class, flag)
	}
}

// printReconciliation writes a reconciliation as tables for a terminal.
func printReconciliation(w io.Writer, r *refinery.Result) error {
	fmt.Fprintf(w, "Reconciliation %s %s — %s\n", r.Site, r.Period, r.Method)
	fmt.Fprintf(w, "chi-square %s, dof %d, critical %s at %s %%: %s (p = %s); measurement-test critical |z| %s\n\n",
		units.Fixed(r.ChiSquare, 3), r.DOF, units.Fixed(r.ChiSquareCritical, 3), pctConf(r.Confidence), strings.ToUpper(r.GlobalTest), fmtNum(r.PValue, 4), fmtNum(r.MeasurementTestCritical, 2))
	if r.AllMeasurements != nil {
		a := r.AllMeasurements
		fmt.Fprintf(w, "Reported without the located gross errors (%s); with every measurement: chi-square %s, dof %d: %s\n\n",
			strings.TrimPrefix(r.Basis, refinery.BasisEliminated+": "), units.Fixed(a.ChiSquare, 3), a.DOF, strings.ToUpper(a.GlobalTest))
	}
	// What reading the ledger assumed or left out (a wet mass taken as
	// dry, an element the flowsheet does not track) is said here too, as
	// in the JSON, the report and the page.
	for _, warn := range r.Warnings {
		fmt.Fprintf(w, "WARNING: %s.\n", warn)
	}
	if len(r.Warnings) > 0 {
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "STREAM\tQUANTITY\tBASIS\tMEASURED\tRECONCILED\tSD\tNORM.ADJ\tCLASS\tFLAG")
	for _, s := range r.Streams {
		m, v, sd, z, flag := fmtEst(s.Mass, 3)
		fmt.Fprintf(tw, "%s\tmass t\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, basisOf(s.Mass), m, v, sd, z, s.Mass.Class, flag)
		printGrades(tw, r.Elements, s.Grade, "")
	}
	// Stocks: each inventory node's opening and closing survey.
	for _, n := range r.Nodes {
		if n.Inventory == nil {
			continue
		}
		for _, side := range []struct {
			name  string
			mass  refinery.Estimate
			grade map[string]refinery.Estimate
		}{{"opening", n.Inventory.Opening, n.Inventory.OpeningGrade}, {"closing", n.Inventory.Closing, n.Inventory.ClosingGrade}} {
			m, v, sd, z, flag := fmtEst(side.mass, 3)
			fmt.Fprintf(tw, "stock %s\t%s t\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.ID, side.name, basisOf(side.mass), m, v, sd, z, side.mass.Class, flag)
			printGrades(tw, r.Elements, side.grade, side.name+" ")
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ELEMENT\tFEED t\tOUTPUT t\tSTOCK CHANGE t\tUNACCOUNTED t (raw)\tRECOVERY %")
	for _, a := range r.Accounts {
		var rec []string
		for _, id := range sortedNumKeys(a.RecoveryPct) {
			if x := a.RecoveryPct[id]; x.Known() && x > -0.005 && x < 0.005 {
				continue // nothing of the element goes there
			}
			rec = append(rec, fmt.Sprintf("%s %s", id, fmtNum(a.RecoveryPct[id], 2)))
		}
		unacc := fmtNum(a.UnaccountedT, 4)
		if !a.UnaccountedT.Known() {
			unacc = "not determinable"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", a.Element, fmtNum(a.FeedT, 4), fmtNum(a.OutputT, 4), fmtNum(a.StockChangeT, 4), unacc, strings.Join(rec, ", "))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, a := range r.Accounts {
		if len(a.RawUnmeasured) > 0 {
			fmt.Fprintf(w, "%s: raw unaccounted loss not determinable: not measured: %s\n", a.Element, strings.Join(a.RawUnmeasured, ", "))
		}
		if g := a.FromGrades; g != nil {
			fmt.Fprintf(w, "%s: recovery to %s from grades alone %s ± %s %% (mass yield %s %%): %s\n", a.Element, g.Stream, fmtNum(100*g.Recovery, 2), fmtNum(100*g.SD, 2), fmtNum(100*g.Yield, 2), g.Formula)
		}
		if a.FromGradesWhyNot != "" {
			fmt.Fprintf(w, "%s: no recovery from grades: %s\n", a.Element, a.FromGradesWhyNot)
		}
	}
	if len(r.BoundsActive) > 0 {
		fmt.Fprintf(w, "\nPhysical bounds active (%d): the bounded reconciliation holds these at their bound; the chi-square test is only approximate — review before sign-off:\n", len(r.BoundsActive))
		for _, b := range r.BoundsActive {
			where := b.Stream
			if where == "" {
				where = "node " + b.Node
			}
			meas := "unmeasured"
			if b.Measured != nil {
				meas = "measured " + refinery.Fig(*b.Measured)
			}
			fmt.Fprintf(w, "  %s %s %s held at %s (%s)\n", where, b.Quantity, b.Element, refinery.Fig(b.Bound), meas)
		}
	}
	if len(r.GrossErrors) > 0 {
		fmt.Fprintln(w, "\nSuspected gross errors (figures from the solution with every measurement; the tables above report "+r.Basis+"):")
		for _, g := range r.GrossErrors {
			where := g.Stream
			if where == "" {
				where = "node " + g.Node
			}
			loc := ""
			if g.Located && g.Without != nil {
				loc = fmt.Sprintf("; located by serial elimination, the other measurements give %s", fmtNum(*g.Without, 4))
			}
			if len(g.TiedWith) > 0 {
				loc += fmt.Sprintf("; TIED with %s: the data cannot tell which is wrong, so none was removed", strings.Join(g.TiedWith, ", "))
			}
			fmt.Fprintf(w, "  %s %s %s: measured %s; with every measurement: reconciled %.4g, normalised adjustment %+.2f%s\n", where, g.Quantity, g.Element, refinery.Fig(g.Measured), g.Reconciled, g.NormalisedAdjustment, loc)
		}
	}
	return nil
}

func sortedNumKeys(m map[string]refinery.Num) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func runRefineryFlowsheet(_ context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "refinery flowsheet", "refinery flowsheet demo|corridor\n\nPrints the demo refinery's flowsheet and month of measurements (illustrative), a starting point for a site's own file;\n"+
		"corridor: the flowsheet of the demo corridor's refinery, whose measurements come from the ledger (critmin refinery reconcile --site SITE --period PERIOD --db DB reads them).")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 || (fs.Arg(0) != "demo" && fs.Arg(0) != "corridor") {
		return usagef("refinery flowsheet: give demo or corridor")
	}
	if fs.Arg(0) == "corridor" {
		_, err := env.Stdout.Write(refinery.CorridorFlowsheetJSON())
		return err
	}
	_, err := env.Stdout.Write(refinery.DemoMonthJSON())
	return err
}

// refineryKeyFlag defines --key, the signing key of refineryKey.
func refineryKeyFlag(fs *flag.FlagSet, env *Env) *string {
	return fs.String("key", envOr(env, "CRITMIN_SIGNING_KEY", ""), "Ed25519 signing key; it must be the installation's (default: DB.signing.key beside the SQLite database DB, or postgres-NAME.signing.key in the data directory for a PostgreSQL database NAME (one key per database), created if missing; env CRITMIN_SIGNING_KEY)")
}

// installationKeyFile is where the installation's signing key is kept
// when no file is named (CRITMIN_SIGNING_KEY, --signing-key, --key), for
// critmin serve and every other command alike: for a SQLite database
// DB, the file DB.signing.key beside it — one key per database, so two
// databases in one directory never share one — and for a PostgreSQL
// database NAME, postgres-NAME.signing.key in the data directory
// (pgKeyFile; before fix1213c one signing.key there served every
// PostgreSQL database).
//
// Before fix13b a SQLite database kept signing.key in its directory,
// shared by every database there. A store that already pinned that
// legacy key (its servers' certificate key or its first period record)
// keeps using it. A legacy signing.key that this store has not pinned
// is never adopted — it may be another database's installation key —
// and the store has no key of its own yet: EINVALID, naming the file and
// CRITMIN_SIGNING_KEY, the way to say it is this database's.
func installationKeyFile(ctx context.Context, env *Env, dsn string, store critmin.Store) (string, error) {
	if postgres.IsDSN(dsn) {
		return pgKeyFile(ctx, env, store)
	}
	own := dsn + ".signing.key"
	legacy := filepath.Join(filepath.Dir(dsn), "signing.key")
	if _, err := os.Stat(own); err == nil {
		return own, nil
	}
	lk, err := custody.LoadPrivateKey(legacy)
	if err != nil {
		if _, serr := os.Stat(legacy); errors.Is(serr, os.ErrNotExist) {
			return own, nil
		}
		return "", fmt.Errorf("installation signing key %s: %w", legacy, err)
	}
	pins, err := pinnedKeys(ctx, store)
	if err != nil {
		return "", err
	}
	if len(pins) == 0 {
		return "", refusef("%s is a signing key shared by every database in %s (critmin kept one there before keys were per database), and database %s has pinned no key: it is not adopted, as it may be another database's installation key — if it is this database's, name it with CRITMIN_SIGNING_KEY (or --signing-key, --key); otherwise this database's own key is %s, created when that signing.key is moved aside (docs/security.md, \"The installation signing key\")", legacy, filepath.Dir(dsn), dsn, own)
	}
	pub := lk.Public().(ed25519.PublicKey)
	for _, p := range pins {
		if p.Equal(pub) {
			return legacy, nil // an installation from before per-database keys
		}
	}
	// The store pins a key that neither file holds: the legacy file is
	// named, and the refusals of a foreign key (serve, refinery close)
	// and the readers' warning say which key the store wants.
	return legacy, nil
}

// pinnedKeys are the keys store has pinned: its servers' certificate
// signing key and its period records' installation key.
func pinnedKeys(ctx context.Context, store critmin.Store) ([]ed25519.PublicKey, error) {
	var pins []ed25519.PublicKey
	if p, ok := store.(interface {
		PinnedSigningKey(context.Context) (ed25519.PublicKey, error)
	}); ok {
		k, err := p.PinnedSigningKey(ctx)
		if err != nil {
			return nil, err
		}
		if k != nil {
			pins = append(pins, k)
		}
	}
	if p, ok := store.(interface {
		PinnedPeriodKey(context.Context) (ed25519.PublicKey, error)
	}); ok {
		k, err := p.PinnedPeriodKey(ctx)
		if err != nil {
			return nil, err
		}
		if k != nil {
			pins = append(pins, k)
		}
	}
	return pins, nil
}

// trustReaderKey makes a store opened to read closes trust the
// installation's key (CRITMIN_SIGNING_KEY, else
// signing.key beside the database or in the data directory), as the
// writers do, when it does not know one yet. Without one the readers of
// closes treat every period as not closed and say the key is missing
// (refinery.ErrUnverified).
//
// It also warns (on stderr) when that key is not the store's pinned
// installation key (nu12f: with a wrong signing.key beside the SQLite
// file, report and yields showed the period closed and signed off
// without a word, while verify failed): the closes read are checked
// against the pin, but nothing signed with that key would be accepted.
func trustReaderKey(ctx context.Context, env *Env, dsn string, store critmin.Store) {
	warnForeignKey(ctx, env, dsn, store)
	if len(store.PeriodKeys()) > 0 {
		return
	}
	t, ok := store.(interface{ TrustPeriodKeys(...ed25519.PublicKey) })
	if !ok {
		return
	}
	file := env.Getenv("CRITMIN_SIGNING_KEY")
	if file == "" {
		var err error
		if file, err = installationKeyFile(ctx, env, dsn, store); err != nil {
			fmt.Fprintf(env.Stderr, "warning: %v\n", err)
			return
		}
	}
	if key, err := custody.LoadPrivateKey(file); err == nil {
		t.TrustPeriodKeys(key.Public().(ed25519.PublicKey))
	}
}

// warnForeignKey warns when the installation key the readers would
// trust (CRITMIN_SIGNING_KEY, else installationKeyFile) exists but is
// not the key pinned in the store.
func warnForeignKey(ctx context.Context, env *Env, dsn string, store critmin.Store) {
	pinner, ok := store.(interface {
		PinnedPeriodKey(context.Context) (ed25519.PublicKey, error)
	})
	if !ok {
		return
	}
	pin, err := pinner.PinnedPeriodKey(ctx)
	if err != nil || pin == nil {
		return
	}
	file := env.Getenv("CRITMIN_SIGNING_KEY")
	if file == "" {
		if file, err = installationKeyFile(ctx, env, dsn, store); err != nil {
			return
		}
	}
	key, err := custody.LoadPrivateKey(file)
	if err != nil {
		return
	}
	if pub := key.Public().(ed25519.PublicKey); !pub.Equal(pin) {
		fmt.Fprintf(env.Stderr, "warning: the signing key %s (public %.12s…) is not this store's installation key %.12s… (pinned by its first period record): the closes shown are checked against the pinned key, but closes, reopens and voids signed with %s are refused — restore the installation's key (docs/refinery.md §5 Backing up the signing key)\n", file, keyIDOf(pub), keyIDOf(pin), file)
	}
}

// refineryKeyStore opens the store for a command that writes a period
// record and returns the key to sign it with. There is one installation
// key per store, pinned in it by its first period record
// (critmin.AuditRefineryKey): the key named by --key or
// CRITMIN_SIGNING_KEY (keyFile), else installationKeyFile (DB.signing.key
// beside a SQLite database DB, or in the data directory), must be it. Before a key is pinned, the
// key must be the one that signed the store's first record, and a
// named key must be the one beside the database when there is one. A
// key is created only at the default place, and only when the store
// has neither a pinned key nor a period record; a named file that does
// not exist is an error naming it. The caller closes the store.
func refineryKeyStore(ctx context.Context, env *Env, keyFile, dsn string) (ed25519.PrivateKey, critmin.Store, error) {
	store, err := OpenStore(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (ed25519.PrivateKey, critmin.Store, error) {
		store.Close()
		return nil, nil, err
	}
	t, ok := store.(interface {
		TrustPeriodKeys(...ed25519.PublicKey)
		PinnedPeriodKey(context.Context) (ed25519.PublicKey, error)
	})
	if !ok {
		return fail(fmt.Errorf("this store cannot check period signatures"))
	}
	pin, err := t.PinnedPeriodKey(ctx)
	if err != nil {
		return fail(err)
	}
	recs, err := store.PeriodRecords(ctx, "", "")
	if err != nil {
		return fail(err)
	}
	// want is the installation key's public half, when it is known.
	var want ed25519.PublicKey
	what := ""
	switch {
	case pin != nil:
		want, what = pin, "this store's installation signing key (pinned by its first period record)"
	}
	def, defErr := installationKeyFile(ctx, env, dsn, store)
	if defErr != nil && keyFile == "" {
		return fail(defErr)
	}
	if want == nil && keyFile != "" && defErr == nil {
		if _, err := os.Stat(keyFile); err != nil {
			return fail(refusef("no signing key at %s (named by --key or CRITMIN_SIGNING_KEY): no key is created at a path you name; give the installation's key file", keyFile))
		}
		if _, err := os.Stat(def); errors.Is(err, os.ErrNotExist) && !postgres.IsDSN(dsn) && len(recs) == 0 {
			// A SQLite store's installation key is DB.signing.key beside
			// it (as critmin serve keeps it): made now, at the default
			// place, and the named key must be it.
			pub, err := custody.GenerateKey(def)
			if err != nil {
				return fail(err)
			}
			fmt.Fprintf(env.Stderr, "created the installation signing key %s (public key %s)\n", def, pub)
		}
		if k, err := custody.LoadPrivateKey(def); err == nil {
			want, what = k.Public().(ed25519.PublicKey), "this installation's signing key "+def
		}
	}
	file := keyFile
	if file == "" {
		file = def
	}
	if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
		switch {
		case keyFile != "":
			return fail(refusef("no signing key at %s (named by --key or CRITMIN_SIGNING_KEY): no key is created at a path you name; give the installation's key file", keyFile))
		case want != nil || len(recs) > 0:
			return fail(refusef("no signing key at %s, but this store already has period records signed by its installation key: restore the signing key (signing.key) from the backup you restored the database from (docs/refinery.md §5 Backing up the signing key); a new key would not be trusted", file))
		}
		if postgres.IsDSN(dsn) {
			// A PostgreSQL store keeps its key in the data directory, as
			// critmin serve does; but when a server already signs for
			// this database (its certificate key is pinned there), the
			// installation key is that server's, never a new one here.
			if p, ok := store.(interface {
				PinnedSigningKey(context.Context) (ed25519.PublicKey, error)
			}); ok {
				served, err := p.PinnedSigningKey(ctx)
				if err != nil {
					return fail(err)
				}
				if served != nil {
					return fail(refusef("no signing key at %s, and the servers of this database sign with key %s: a period record is signed by the installation's key, the one critmin serve uses — set CRITMIN_SIGNING_KEY (or --key) to that server's signing.key", file, custody.PublicKeyIDOf(served)))
				}
			}
			if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
				return fail(err)
			}
		}
		pub, err := custody.GenerateKey(file)
		if err != nil {
			return fail(err)
		}
		fmt.Fprintf(env.Stderr, "created the installation signing key %s (public key %s); keep it with the database's backups (docs/refinery.md §5 Backing up the signing key)\n", file, pub)
	}
	key, err := custody.LoadPrivateKey(file)
	if err != nil {
		if keyFile != "" {
			return fail(fmt.Errorf("--key %s: %w", keyFile, err))
		}
		return fail(fmt.Errorf("installation signing key: %w", err))
	}
	pub := key.Public().(ed25519.PublicKey)
	if want != nil && !want.Equal(pub) {
		return fail(critmin.FieldErrorf("key", "key %s (public %.12s…) is not this installation's signing key: %s is %.12s…; sign with that key (if the store was restored from a backup, restore its signing.key too: docs/refinery.md §5 Backing up the signing key)", file, keyIDOf(pub), what, keyIDOf(want)))
	}
	if pin == nil {
		// The first record this key signs pins it as the store's
		// installation key for good: said before it happens, never
		// left for the reader to find out.
		foreign := 0
		for _, r := range recs {
			if r.KeyID != refinery.KeyID(pub) {
				foreign++
			}
		}
		fmt.Fprintf(env.Stderr, "this store has no installation signing key yet: this record pins %s (public %.12s…) as its installation key; every later close, reopen and void must be signed with it", file, keyIDOf(pub))
		if foreign > 0 {
			fmt.Fprintf(env.Stderr, "; %d earlier period record(s) signed by other keys stay foreign (refinery void-record)", foreign)
		}
		fmt.Fprintln(env.Stderr)
	}
	t.TrustPeriodKeys(pub)
	return key, store, nil
}

// keyIDOf names a public key as period records do (base64).
func keyIDOf(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

func runRefineryReport(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "refinery report", "refinery report [--format text|json|csv|xlsx] [--out FILE] FILE|demo\n       critmin refinery report --site SITE --period YYYY-MM [--db DSN] [--format …] [--out FILE] [FLOWSHEET|corridor]\n\n"+
		"With --site and --period: the closed period's signed report; given a FLOWSHEET (or corridor), the open\n"+
		"period reconciled live from the ledger's measurements instead.\n"+
		"The monthly metal-accounting report (AMIRA P754): inputs with their methods and precisions, reconciliation\n"+
		"statistics, recoveries, accountability, stock changes and the sign-off of a closed period.")
	dsn := dbFlag(fs, env)
	format := fs.String("format", "text", "text, json, csv or xlsx")
	out := fs.String("out", "", "write to this file instead of stdout (required for xlsx)")
	site := fs.String("site", "", "report the closed period of this site from the database")
	period := fs.String("period", "", "the closed period (YYYY-MM), with --site")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	switch *format {
	case "text", "json", "csv", "xlsx":
	default:
		return usagef("--format: %q is not text, json, csv or xlsx", *format)
	}
	if *format == "xlsx" && *out == "" {
		return usagef("--out: an xlsx report goes to a file")
	}
	var rep *refinery.Report
	switch {
	case (*site != "" || *period != "") && fs.NArg() == 1:
		// An open period: FILE (a flowsheet, or corridor) filled from the ledger.
		src := &ledgerSource{site: site, period: period, dsn: dsn}
		p, err := src.load(ctx, env, fs.Arg(0))
		if err != nil {
			return err
		}
		if rep, err = reportOf(ctx, env, *dsn, p); err != nil {
			return err
		}
	case *site != "" || *period != "":
		if *site == "" || *period == "" || fs.NArg() != 0 {
			return usagef("refinery report: give --site and --period (and no file) for a closed period")
		}
		store, err := OpenStoreReadOnly(ctx, *dsn)
		if err != nil {
			return err
		}
		trustReaderKey(ctx, env, *dsn, store)
		defer store.Close()
		rec, p, r, err := refinery.ClosedResult(ctx, store, *site, *period)
		if err != nil {
			return err
		}
		rep = refinery.NewReport(p, r, rec, time.Now())
		if err := rep.CheckStale(ctx, store); err != nil {
			return err
		}
	case fs.NArg() == 1:
		p, err := loadProblem(env, fs.Arg(0))
		if err != nil {
			return err
		}
		if rep, err = reportOf(ctx, env, *dsn, p); err != nil {
			return err
		}
	default:
		return usagef("refinery report: give one problem file, - or demo, or --site and --period")
	}
	w, closeOut, err := outputTo(env, *out)
	if err != nil {
		return err
	}
	defer closeOut()
	switch *format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case "csv":
		return rep.WriteCSV(w)
	case "xlsx":
		return rep.WriteXLSX(w)
	}
	orNone := func(x string) string {
		if x == "" {
			return "(not given)"
		}
		return x
	}
	fmt.Fprintf(w, "%s\nSite %s, period %s — metal accounting report after AMIRA P754\n", rep.Title, orNone(rep.Site), orNone(rep.Period))
	if rep.Window != nil {
		fmt.Fprintf(w, "The period runs from %s\n", rep.Window)
	}
	if rep.SignOff != nil {
		fmt.Fprintf(w, "Closed by %s (%s) at %s, chain record %d, hash %s\n", rep.SignOff.Actor, rep.SignOff.Role, rep.SignOff.At.Format(time.RFC3339), rep.SignOff.Seq, rep.SignOff.Hash)
		if rep.SignOff.Reason != "" {
			fmt.Fprintf(w, "Accepted because: %s\n", rep.SignOff.Reason)
		}
	} else {
		fmt.Fprintln(w, "Period open: not signed off")
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(w, "NOTE:", n)
	}
	fmt.Fprintln(w)
	if err := printReconciliation(w, rep.Result); err != nil {
		return err
	}
	// The sections of the CSV and XLSX report the tables above do not
	// show, so that every format carries the same report.
	for _, sec := range rep.Sections() {
		switch sec.Name {
		case "Measurements", "Stocks", "Deportment", "Imbalances":
		default:
			continue
		}
		fmt.Fprintf(w, "\n%s\n", strings.ToUpper(sec.Name))
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, strings.ToUpper(strings.Join(sec.Head, "\t")))
		for _, row := range sec.Rows {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		if len(sec.Rows) == 0 {
			fmt.Fprintln(tw, "(none)")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func runRefineryClose(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "refinery close", "refinery close --operator NAME [--accept REASON] [--key FILE] [--db DSN] FILE|demo\n\n"+
		"Reconciles FILE's period and records its close, signed with the operator key and chained in the audit trail.\n"+
		"A period whose chi-square test fails, whose reconciliation removed measurements as gross errors, that has no\n"+
		"degree of freedom (dof 0) or holds a quantity at a bound is refused unless --accept gives the reason for closing it anyway.")
	dsn := dbFlag(fs, env)
	keyFile := refineryKeyFlag(fs, env)
	operator := fs.String("operator", envOr(env, "USER", ""), "who closes the period (default: $USER)")
	accept := fs.String("accept", "", "close although the global test fails, measurements were removed, dof is 0 or a bound is active, for this reason")
	format := fs.String("format", "text", "text or json")
	src := ledgerFlags(fs, env)
	src.dsn = dsn
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("refinery close: give one problem file, - or demo")
	}
	if refinery.Blank(*operator) {
		return usagef("--operator: required")
	}
	p, err := src.load(ctx, env, fs.Arg(0))
	if err != nil {
		return err
	}
	key, store, err := refineryKeyStore(ctx, env, *keyFile, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	rec, _, err := refinery.Close(ctx, store, p, refinery.Actor{Name: *operator, Role: critmin.RoleOperator}, *accept, key, time.Now())
	if err != nil {
		return err
	}
	if *format == "json" {
		return printJSON(env, rec)
	}
	fmt.Fprintf(env.Stdout, "closed %s %s by %s: record %d, hash %s\n", rec.Site, rec.Period, rec.Actor, rec.Seq, rec.Hash)
	return nil
}

func runRefineryReopen(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "refinery reopen", "refinery reopen --site SITE --period YYYY-MM --reason TEXT --admin NAME [--key FILE] [--db DSN]\n\n"+
		"Reopens a closed period. Whoever holds the database acts as admin here; the name and reason go into the\n"+
		"signed audit trail. Through the API, reopening needs an admin token.")
	dsn := dbFlag(fs, env)
	keyFile := refineryKeyFlag(fs, env)
	site := fs.String("site", "", "the refinery's site (required)")
	period := fs.String("period", "", "the period, YYYY-MM (required)")
	reason := fs.String("reason", "", "why the period is reopened (required)")
	admin := fs.String("admin", envOr(env, "USER", ""), "who reopens it (default: $USER)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *site == "" || *period == "" || refinery.Blank(*reason) || refinery.Blank(*admin) || fs.NArg() != 0 {
		return usagef("refinery reopen: --site, --period, --reason and --admin are required")
	}
	key, store, err := refineryKeyStore(ctx, env, *keyFile, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	rec, err := refinery.ReopenPeriod(ctx, store, *site, *period, refinery.Actor{Name: *admin, Role: critmin.RoleAdmin}, *reason, key, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "reopened %s %s by %s: record %d, hash %s\n", rec.Site, rec.Period, rec.Actor, rec.Seq, rec.Hash)
	return nil
}

// runRefineryVoid appends a void of a period record the installation
// cannot vouch for. critmin refinery void-record --seq N --reason TEXT
func runRefineryVoid(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "refinery void-record", "refinery void-record --seq N --reason TEXT --admin NAME [--db DSN]\n\n"+
		"Sets aside period record N, which is signed by a key that is not this installation's (or was changed after it\n"+
		"was signed) and so blocks every reader of closes: appends a void record naming it, signed with the installation's\n"+
		"key (DB.signing.key beside the database DB, or CRITMIN_SIGNING_KEY). Nothing is deleted; the voided period is as if it\n"+
		"had never been closed, so close it again. Whoever holds the database and the key acts as admin here.")
	dsn := dbFlag(fs, env)
	seq := fs.Int64("seq", 0, "the record to void, as readers and critmin verify name it (required)")
	reason := fs.String("reason", "", "why the record is set aside (required)")
	admin := fs.String("admin", envOr(env, "USER", ""), "who voids it (default: $USER)")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *seq <= 0 || refinery.Blank(*reason) || refinery.Blank(*admin) || fs.NArg() != 0 {
		return usagef("refinery void-record: --seq, --reason and --admin are required")
	}
	key, store, err := refineryKeyStore(ctx, env, "", *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	rec, err := refinery.VoidRecord(ctx, store, *seq, refinery.Actor{Name: *admin, Role: critmin.RoleAdmin}, *reason, key, time.Now())
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "voided record %d (%s %s) by %s: record %d, hash %s\n", *seq, rec.Site, rec.Period, rec.Actor, rec.Seq, rec.Hash)
	return nil
}

// runRefineryBackfillAudit anchors the period records that no audit
// entry anchors (closed before anchoring existed), after checking their
// chain and signatures with the installation key. critmin refinery
// backfill-audit [--db DSN] [--format text|json]
func runRefineryBackfillAudit(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "refinery backfill-audit", "refinery backfill-audit [--db DSN] [--format text|json]\n\n"+
		"Period records closed before the audit chain anchored them are refused by every reader (\"no audit entry anchors\n"+
		"it\"). This checks the whole period chain (hashes, and signatures by the installation key: DB.signing.key beside\n"+
		"the database DB, signing.key in the data directory for PostgreSQL, or CRITMIN_SIGNING_KEY) and then anchors each unanchored record once, in one\n"+
		"append to the audit chain. Running it again anchors nothing (idempotent). It lists what it anchored.")
	dsn := dbFlag(fs, env)
	format := fs.String("format", "text", "text or json")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usagef("refinery backfill-audit takes no arguments")
	}
	if *format != "text" && *format != "json" {
		return usagef("refinery backfill-audit: --format is text or json, not %q", *format)
	}
	store, err := OpenStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	trustReaderKey(ctx, env, *dsn, store)
	recs, err := refinery.BackfillAnchors(ctx, store, store, time.Now().UTC())
	if err != nil {
		return err
	}
	if *format == "json" {
		type row struct {
			Seq    int64  `json:"seq"`
			Action string `json:"action"`
			Site   string `json:"site"`
			Period string `json:"period"`
			Hash   string `json:"hash"`
		}
		out := struct {
			Anchored []row `json:"anchored"`
		}{Anchored: []row{}}
		for _, r := range recs {
			out.Anchored = append(out.Anchored, row{r.Seq, r.Action, r.Site, r.Period, r.Hash})
		}
		return writeJSON(env.Stdout, out)
	}
	if len(recs) == 0 {
		fmt.Fprintln(env.Stdout, "every period record is anchored already: nothing to do")
		return nil
	}
	for _, r := range recs {
		fmt.Fprintf(env.Stdout, "anchored record %d (%s %s %s), hash %s\n", r.Seq, r.Action, r.Site, r.Period, r.Hash)
	}
	fmt.Fprintf(env.Stdout, "anchored %d period record(s)\n", len(recs))
	return nil
}

// runBenchRefinery times the reconciliation of generated flowsheets.
func runBenchRefinery(ctx context.Context, env *Env, args []string) error {
	fs := flagSet(env, "bench refinery", "bench refinery [--units N] [--streams N] [--elements N] [--runs N] [--seed N]\n\n"+
		"Reconciles one month of a generated flowsheet (default 30 units, 80 streams, 15 elements) --runs times and\n"+
		"prints the median wall-clock and CPU time per reconciliation (CPU time shows the work when the machine is shared).")
	cfg := refinery.BenchmarkSize
	fs.IntVar(&cfg.Units, "units", cfg.Units, "units (nodes)")
	fs.IntVar(&cfg.Streams, "streams", cfg.Streams, "streams")
	fs.IntVar(&cfg.Elements, "elements", cfg.Elements, "elements")
	seed := fs.Uint64("seed", cfg.Seed, "random seed of the generated flowsheet")
	runs := fs.Int("runs", 5, "reconciliations to time")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if cfg.Units < 1 || cfg.Streams <= cfg.Units || cfg.Elements < 0 || *runs < 1 {
		return usagef("bench refinery: need units ≥ 1, streams > units, elements ≥ 0, runs ≥ 1")
	}
	cfg.Seed = *seed
	p, err := refinery.Generate(cfg)
	if err != nil {
		return err
	}
	var wall, cpu []time.Duration
	var last *refinery.Result
	for i := 0; i < *runs; i++ {
		c0, t0 := cpuTime(), time.Now()
		r, err := refinery.ReconcileContext(ctx, p)
		if err != nil {
			return err
		}
		wall = append(wall, time.Since(t0))
		cpu = append(cpu, cpuTime()-c0)
		last = r
		fmt.Fprintf(env.Stderr, "run %d: %v wall, %v CPU\n", i+1, wall[i].Round(time.Millisecond), cpu[i].Round(time.Millisecond))
	}
	med := func(d []time.Duration) time.Duration {
		s := append([]time.Duration(nil), d...)
		sort.Slice(s, func(a, b int) bool { return s[a] < s[b] })
		return s[len(s)/2]
	}
	nx := 0
	for _, s := range last.Streams {
		if s.Mass.Measured != nil {
			nx++
		}
		for _, g := range s.Grade {
			if g.Measured != nil {
				nx++
			}
		}
	}
	fmt.Fprintf(env.Stdout, "units=%d streams=%d elements=%d measured=%d dof=%d iterations=%d global_test=%s gross_errors=%d\n",
		cfg.Units, cfg.Streams, cfg.Elements, nx, last.DOF, last.Iterations, last.GlobalTest, len(last.GrossErrors))
	fmt.Fprintf(env.Stdout, "reconcile_median_wall_ms=%s reconcile_median_cpu_ms=%s runs=%d\n",
		units.Fixed(float64(med(wall).Microseconds())/1000, 0), units.Fixed(float64(med(cpu).Microseconds())/1000, 0), *runs)
	return nil
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runRefineryYields turns a closed period's reconciled recoveries into the
// planner's line yields: for each output of each line at --plan-site, the
// recovery of its element (a group such as NdPr is split into Nd+Pr) into
// the refinery product stream of the same commodity.
func runRefineryYields(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "refinery yields", "refinery yields --site SITE --period YYYY-MM [--plan FILE|demo --plan-site ID [--out FILE]] [--db DSN]\n\n"+
		"Prints a closed period's reconciled recoveries as the planner's measured yields. With --plan, applies them to\n"+
		"the lines of --plan-site and writes the planning file with the measured yields to --out (plan it with critmin plan).")
	dsn := dbFlag(fs, env)
	site := fs.String("site", "", "the refinery's site (required)")
	period := fs.String("period", "", "the closed period, YYYY-MM (required)")
	planFile := fs.String("plan", "", "a planning file or demo whose lines take the yields")
	planSite := fs.String("plan-site", "", "the refinery's site id (or ledger location) in the planning file (default: --site)")
	out := fs.String("out", "", "write the planning file with measured yields here")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if *site == "" || *period == "" || fs.NArg() != 0 {
		return usagef("refinery yields: --site and --period are required")
	}
	// yields only reads the closed period; the planning file goes to --out.
	store, err := OpenStoreReadOnly(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	trustReaderKey(ctx, env, *dsn, store)
	if *planFile == "" {
		_, _, r, err := refinery.ClosedResult(ctx, store, *site, *period)
		if err != nil {
			return err
		}
		var all []refinery.Recovery
		for _, e := range r.Elements {
			rs, err := refinery.RecoveryFor(ctx, store, *site, e, *period)
			if err != nil {
				return err
			}
			all = append(all, rs...)
		}
		if len(all) > 0 && all[0].Warning != "" {
			fmt.Fprintf(env.Stderr, "warning: %s\n", all[0].Warning)
		}
		return printJSON(env, all)
	}
	// The period must be closed (and its record intact): a period not
	// closed would otherwise give no yield for every output, silently.
	if _, _, _, err := refinery.ClosedResult(ctx, store, *site, *period); err != nil {
		return err
	}
	n, err := loadNetwork(*planFile)
	if err != nil {
		return err
	}
	ps := *planSite
	if ps == "" {
		ps = *site
	}
	var ys []plan.MeasuredYield
	seen := map[[2]string]bool{}
	for _, l := range n.Lines {
		for _, o := range l.Outputs {
			k := [2]string{o.Element, o.Product}
			if seen[k] {
				continue
			}
			seen[k] = true
			group := strings.Join(splitElements(o.Element), "+")
			rs, err := refinery.RecoveryFor(ctx, store, *site, group, *period)
			if errors.Is(err, refinery.ErrNotAccounted) {
				// Never silently: the planning file's recovery stands.
				fmt.Fprintf(env.Stderr, "note: %s → %s: period %s does not account %s; the planning file's recovery stands\n", o.Element, o.Product, *period, group)
				continue
			} else if err != nil {
				return err
			}
			if len(rs) > 0 && rs[0].Warning != "" {
				fmt.Fprintf(env.Stderr, "warning: %s → %s: %s\n", o.Element, o.Product, rs[0].Warning)
			}
			// Every product stream of the commodity counts: two streams
			// carrying one product sum (refinery.ProductRecovery).
			r, found := refinery.ProductRecovery(rs, o.Product)
			if found {
				ys = append(ys, plan.MeasuredYield{Element: o.Element, Product: o.Product, Recovery: r.Fraction, Period: *period, Source: fmt.Sprintf("refinery close record %d (%s), stream %s", r.Seq, r.Hash, r.Stream)})
			}
			if !found {
				fmt.Fprintf(env.Stderr, "note: %s → %s: period %s has no product stream of commodity %s carrying %s; the planning file's recovery stands\n", o.Element, o.Product, *period, o.Product, group)
			}
		}
	}
	nn, changes, err := n.WithMeasuredYields(ps, ys)
	if err != nil {
		return err
	}
	if *out != "" {
		b, err := json.MarshalIndent(nn, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*out, b, 0o644); err != nil {
			return err
		}
	}
	return printJSON(env, changes)
}

// splitElements splits a lumped element name ("NdPr", "LaCe") into its
// symbols (an upper-case letter and any lower-case ones).
func splitElements(s string) []string {
	var out []string
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			out = append(out, string(r))
		} else if len(out) > 0 {
			out[len(out)-1] += s[i : i+1]
		}
	}
	return out
}

// ledgerSource is the --site/--period pair that makes FILE a flowsheet
// whose check-in and check-out come from the ledger.
type ledgerSource struct {
	site, period *string
	dsn          *string
}

func ledgerFlags(fs *flag.FlagSet, env *Env) *ledgerSource {
	src := &ledgerSource{
		site:   fs.String("site", "", "with --period: fill FILE (a flowsheet, or corridor) with this site's measurements from the ledger (--db)"),
		period: fs.String("period", "", "with --site: the month, YYYY-MM"),
	}
	if fs.Lookup("db") == nil {
		src.dsn = dbFlag(fs, env)
	}
	return src
}

// load reads FILE as a problem, or as a flowsheet filled from the ledger.
func (src *ledgerSource) load(ctx context.Context, env *Env, name string) (*refinery.Problem, error) {
	if *src.site == "" && *src.period == "" {
		return loadProblem(env, name)
	}
	if *src.site == "" || *src.period == "" {
		return nil, usagef("--site and --period go together")
	}
	var flow *refinery.Problem
	if name == "corridor" {
		// The demo corridor's refinery, embedded.
		f, err := refinery.CorridorFlowsheet()
		if err != nil {
			return nil, err
		}
		flow = f
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if flow, err = refinery.DecodeProblemUnvalidated(f); err != nil {
			return nil, inFile(name, err)
		}
	}
	store, err := OpenStoreReadOnly(ctx, *src.dsn)
	if err != nil {
		return nil, err
	}
	defer store.Close()
	return refinery.FromLedger(ctx, store, flow, *src.site, *src.period, refinery.Precision{})
}

// printMeasuredYields says which line recoveries come from a refinery's
// closed period (critmin plan --db).
func printMeasuredYields(w io.Writer, ys []plan.YieldChange) {
	for _, y := range ys {
		fmt.Fprintf(w, "measured yield: line %s %s → %s recovery %s (planning file %s) from %s\n",
			y.Line, y.Output.Element, y.Output.Product, units.Fixed(y.Measured.Recovery, 4), units.Fixed(y.Was, 4), y.Measured.Source)
	}
}

// reportOf reports p's period: when the database holds a close of p's site
// and period, the closed (signed) reconciliation with its sign-off —
// wherever a period is shown its sign-off shows — else p reconciled live.
// Without a database to look in, the report says that it could not check.
// mustJSON is the JSON of v, "" when it has none.
func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func reportOf(ctx context.Context, env *Env, dsn string, p *refinery.Problem) (*refinery.Report, error) {
	var note string
	if p.Site != "" && p.Period != "" {
		store, err := OpenStoreReadOnly(ctx, dsn)
		if err == nil {
			defer store.Close()
			trustReaderKey(ctx, env, dsn, store)
			rec, cp, cr, err := refinery.ClosedResult(ctx, store, p.Site, p.Period)
			switch {
			case err == nil:
				rep := refinery.NewReport(cp, cr, rec, time.Now())
				same := "the same problem as the signed one"
				if a, b := mustJSON(p), mustJSON(cp); a != b {
					same = "a problem that differs from the signed one"
				}
				rep.Notes = append(rep.Notes, fmt.Sprintf("Period %s of %s is closed: this is the signed report of close record %d; the file given (%s) is not used — reopen the period to report or close it from the file.", p.Period, p.Site, rec.Seq, same))
				return rep, rep.CheckStale(ctx, store)
			case critmin.ErrorCode(err) != critmin.ENOTFOUND:
				return nil, err
			}
		} else {
			note = "no database to look up the period's close in (" + Describe(err) + "): reported as reconciled now"
		}
	}
	r, err := refinery.ReconcileContext(ctx, p)
	if err != nil {
		return nil, err
	}
	rep := refinery.NewReport(p, r, nil, time.Now())
	if note != "" {
		rep.Notes = append(rep.Notes, note)
	}
	return rep, nil
}

// pgKeyFile is the installation key file of a PostgreSQL store: one per
// database, DATA/postgres-NAME.signing.key, NAME the database's own name
// (current_database(), so that every spelling of the DSN finds the same
// file; characters other than letters, digits, '.', '_' and '-' are
// %XX-escaped). A store that pinned the data directory's legacy
// signing.key (one file for every PostgreSQL database before fix1213c:
// its servers' certificate key or its first period record) keeps using
// that file, so existing stores keep verifying; a store that pinned
// nothing, or another key, never adopts it.
func pgKeyFile(ctx context.Context, env *Env, store critmin.Store) (string, error) {
	dir := filepath.Dir(DefaultDB(env))
	legacy := filepath.Join(dir, "signing.key")
	db, ok := store.(*sqldb.DB)
	if !ok {
		return legacy, nil
	}
	var name string
	if err := db.Write.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
		return "", fmt.Errorf("installation signing key: the database's name: %w", err)
	}
	own := filepath.Join(dir, "postgres-"+keyFileName(name)+".signing.key")
	if _, err := os.Stat(own); err == nil {
		return own, nil
	}
	lk, err := custody.LoadPrivateKey(legacy)
	if err != nil {
		return own, nil // no legacy key (or not a key): the database's own
	}
	pins, err := pinnedKeys(ctx, store)
	if err != nil {
		return "", err
	}
	pub := lk.Public().(ed25519.PublicKey)
	for _, p := range pins {
		if p.Equal(pub) {
			return legacy, nil // a store from before per-database keys
		}
	}
	return own, nil
}

// keyFileName escapes a database name for a file name: letters, digits,
// '.', '_' and '-' stay, every other byte is %XX (a leading '.' too).
func keyFileName(name string) string {
	var b strings.Builder
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' && i > 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}
