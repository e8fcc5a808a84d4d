// Package cli is the critmin command line: serve, token, capture, events,
// lot and bench. main() only wires signals and the exit code; every command
// here returns its error so that tests can run it.
package cli

import (
	"context"
	"crypto/ed25519"
	"errors"
	"flag"
	"fmt"
	"github.com/critmin/critmin/units"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/custody"
	"github.com/critmin/critmin/postgres"
	"github.com/critmin/critmin/refinery"
	"github.com/critmin/critmin/sqldb"
	"github.com/critmin/critmin/sqlite"
)

// Env is what a command runs with: its output streams and environment.
type Env struct {
	Stdout, Stderr io.Writer
	Stdin          io.Reader
	Getenv         func(string) string
	// Executable is critmin's own path, for commands that run critmin in
	// worker processes (the planner's parallel solves); empty in tests.
	Executable string
	// Now is the clock of local captures (the events' record time, which
	// the mass-balance claim check reads); nil is the wall clock. Tests
	// inject a fixed one; there is no flag or variable to set it.
	Now func() time.Time
}

// command is one CLI command.
type command struct {
	summary string
	run     func(ctx context.Context, env *Env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":         {"start the platform: EPCIS API, REST API and web UI", runServe},
		"init":          {"create and migrate a database (only init, serve and the demo loaders create one)", runInit},
		"backup":        {"write a consistent copy of the database while it runs", runBackup},
		"restore":       {"restore a backup into a database, then verify it", runRestore},
		"token":         {"manage API tokens", runToken},
		"capture":       {"capture EPCIS documents from files, locally or to a server", runCapture},
		"events":        {"query events with EPCIS query parameters", runEvents},
		"lot":           {"a lot of the mineral view: its mass, genealogy, origin, rule verdicts and certificate", runLot},
		"bench":         {"run a benchmark of speed or durability", runBench},
		"data":          {"reference datasets: list editions, import a newer one", runData},
		"epcis":         {"EPCIS tools: epcis hash FILE prints CBV 2.0 event hash IDs", runEPCIS},
		"keygen":        {"make an Ed25519 signing key for bundles and certificates", runKeygen},
		"verify":        {"verify the chain, audit chain and log, and rebuild every derived table from the log", runVerify},
		"rebuild":       {"repair derived tables: rebuild every one from the checked chain and rewrite those that differ", runRebuild},
		"log":           {"the verifiable log: signed checkpoints, inclusion and consistency proofs", runLog},
		"export":        {"export a signed bundle of chained records", runExport},
		"verify-bundle": {"check a signed bundle offline", runVerifyBundle},
		"verify-cert":   {"check a signed origin certificate offline", runVerifyCert},
		"cert-status":   {"check a certificate against error declarations: superseded or current", runCertStatus},
		"plan":          {"plan processing, logistics and offtake with CBC: plan demo --compare all", runPlan},
		"solve":         {"solve an MPS model with CBC/CLP: prints status=… objective=… last", runSolve},
		"refinery":      {"refinery metal accounting: a month's measurements balanced, reported and closed", runRefinery},
		"risk":          {"supply risk: market concentration, US import reliance, what-ifs and stockpile sizing", runRisk},
		"trade":         {"offtake contracts: lot settlement, invoicing, assay exchange and price exposure", runTrade},
		"massbalance":   {"mass balance (ISO 22095): a site's declaration, statements per claim period and figures", runMassBalance},
	}
}

// HandlesSignals reports whether the command args names shuts down
// gracefully on SIGINT and SIGTERM (main then cancels its context).
// A solver worker (critmin solve) does not: CBC does not watch a context,
// so a worker that caught SIGTERM would carry on solving; left to the
// default action it exits at once.
func HandlesSignals(args []string) bool {
	return len(args) == 0 || args[0] != "solve"
}

// errUsage marks an error the user fixes by changing the command line;
// main exits 2 for it.
var errUsage = errors.New("usage")

// UsageError reports whether err came from a bad command line.
func UsageError(err error) bool { return errors.Is(err, errUsage) }

func usagef(format string, args ...any) error {
	// A domain error among the arguments reads as its message (never
	// "critmin error: code=… message=…").
	for i, a := range args {
		var e *critmin.Error
		if err, ok := a.(error); ok && errors.As(err, &e) {
			args[i] = critmin.ErrorText(err)
		}
	}
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// refusal is a usage error (exit 2) about the state of what the command
// line names — no database at a path, a database open in another
// connection, a file that is not a backup, a missing key — rather than
// about the command line's form: Describe gives it no "Run critmin --help
// … for the usage" pointer, which would send the user to the usage for a
// fault the usage does not explain (fix14o).
type refusal struct{ error }

func (r refusal) Unwrap() error { return r.error }

// refusef is usagef for a refusal.
func refusef(format string, args ...any) error {
	return refusal{usagef(format, args...)}
}

// refuseNamed makes a store's refusal of what an argument names — a name
// taken or not found, a token already revoked or the last active admin —
// a refusal (exit 2), as the README says; other errors pass unchanged.
func refuseNamed(err error) error {
	switch critmin.ErrorCode(err) {
	case critmin.ECONFLICT, critmin.ENOTFOUND, critmin.EGONE:
		return refusef("%s", critmin.ErrorMessage(err))
	}
	return err
}

// isRefusal reports whether err is (or wraps) a refusal.
func isRefusal(err error) bool {
	var r refusal
	return errors.As(err, &r)
}

// Run runs the command line args (without the program name).
func Run(ctx context.Context, env *Env, args []string) error {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printUsage(env.Stdout, cmds)
		if len(args) == 0 {
			return usagef("no command given")
		}
		return nil
	}
	c, ok := cmds[args[0]]
	if !ok {
		printUsage(env.Stderr, cmds)
		return usagef("unknown command %q", args[0])
	}
	if handled, err := subcommandHelp(env, args[0], args[1:]); handled {
		return err
	}
	return readOnlyRefusal(args, fileRefusal(args[0], notFoundRefusal(c.run(ctx, env, args[1:]))))
}

// fileRefusal makes a command's failure to read a file the command line
// names — missing, unreadable, a directory — a refusal (exit 2, as the
// README says of a refusal) in one sentence naming the file: "capture:
// the file /x.json does not exist", never Go's "capture: open /x.json:
// no such file or directory" with exit 1 (issue 15, fix15u; nu15f
// finding 8). Every command reading a file argument (capture, import,
// verify, retract, plan, trade, risk, mass-balance …) returns the
// *fs.PathError its os.ReadFile or os.Open gave, wrapped with %w; other
// errors pass unchanged.
func fileRefusal(cmd string, err error) error {
	var pe *fs.PathError
	if err == nil || UsageError(err) || !errors.As(err, &pe) {
		return err
	}
	var why string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		why = "does not exist"
	case errors.Is(err, fs.ErrPermission):
		why = "cannot be read (permission denied)"
	case errors.Is(err, syscall.EISDIR):
		why = "is a directory, not a file"
	default:
		return err
	}
	return refusef("%s: the file %s %s", cmd, pe.Path, why)
}

// readableFile checks that path names a file that can be read, for a
// command whose file argument a library reads by name (solve's MPS file,
// read by the solver): its *fs.PathError, a directory's syscall.EISDIR,
// goes through fileRefusal as os.ReadFile's would.
func readableFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.IsDir() {
		return &fs.PathError{Op: "read", Path: path, Err: syscall.EISDIR}
	}
	return nil
}

// notFoundRefusal makes an error saying that what the command line
// names does not exist, or no longer does (critmin.ENOTFOUND, EGONE: no
// lot, site declaration, closed period, import data of that name), a
// refusal: exit 2, as the README says of a refusal about what a command
// names, without the usage pointer (issue 15, fix15s item 6: `lot show`
// of an unknown lot exited 1, `token revoke` of an unknown token 2).
// Other errors pass unchanged.
func notFoundRefusal(err error) error {
	switch critmin.ErrorCode(err) {
	case critmin.ENOTFOUND, critmin.EGONE:
		if !UsageError(err) {
			return refusal{fmt.Errorf("%w: %w", errUsage, err)}
		}
	}
	return err
}

// readOnlyDatabase is the error of a command that writes, given a --db it
// cannot write to: a PostgreSQL hot standby or a database in read-only
// mode (SQLSTATE 25006), or a read-only SQLite file.
type readOnlyDatabase struct {
	dsn string
	err error
}

func (e *readOnlyDatabase) Error() string {
	return fmt.Sprintf("--db %s is read-only (a hot standby or a read-only database): %v", redactDSN(e.dsn), e.err)
}

func (e *readOnlyDatabase) Unwrap() error { return e.err }

// isReadOnlyDBError reports whether err is a database's refusal to write
// because it is read-only: PostgreSQL's read_only_sql_transaction (25006,
// a hot standby's "cannot execute … in a read-only transaction" too) or
// SQLite's SQLITE_READONLY.
func isReadOnlyDBError(err error) bool {
	if err == nil {
		return false
	}
	msg := err.Error()
	return strings.Contains(msg, "SQLSTATE 25006") || strings.Contains(msg, "in a read-only transaction") ||
		strings.Contains(msg, "attempt to write a readonly database") || strings.Contains(msg, "SQLITE_READONLY")
}

// writesWhat says, for the commands that write, what they write, for the
// refusal of a read-only --db. Each begins with the command's name
// without "critmin ": the program prints its errors after "critmin: ".
var writesWhat = map[string]string{
	"lot certificate":     "lot certificate signs the certificate and stores it in the database",
	"capture":             "capture stores the events it reads",
	"retract":             "retract stores the retraction",
	"token create":        "token create stores the new token",
	"token revoke":        "token revoke records the revocation",
	"restore":             "restore writes the backup into the database",
	"init":                "init creates the schema",
	"serve":               "serve stores what it is sent (give a replica as --db-read instead)",
	"refinery close":      "refinery close stores the signed period record",
	"refinery reopen":     "refinery reopen stores the reopening",
	"massbalance declare": "massbalance declare stores the declaration",
}

// readOnlyRefusal words err, when it is a read-only database's refusal to
// write, as one sentence: what the command writes, that it needs a
// writable primary, and the --db at fault (fix14q: lot certificate on a
// hot standby printed the driver's "cannot execute CREATE TABLE in a
// read-only transaction (SQLSTATE 25006)").
func readOnlyRefusal(args []string, err error) error {
	var ro *readOnlyDatabase
	if !errors.As(err, &ro) && !isReadOnlyDBError(err) {
		return err
	}
	name := args[0]
	what, ok := "", false
	if len(args) > 1 {
		what, ok = writesWhat[args[0]+" "+args[1]]
		if ok {
			name = args[0] + " " + args[1]
		}
	}
	if !ok {
		if what, ok = writesWhat[args[0]]; !ok {
			what = name + " writes to the database"
		}
	}
	db := "--db"
	if ro != nil {
		db = "--db " + redactDSN(ro.dsn)
	}
	return refusef("%s, so it needs a writable primary database: %s is read-only (a hot standby or a database in read-only mode); give the primary's DSN as --db", what, db)
}

func printUsage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "critmin — a GS1 EPCIS 2.0 ledger for critical-mineral supply chains")
	fmt.Fprintln(w, "\nUsage: critmin COMMAND [flags]\n\nCommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-14s %s\n", n, cmds[n].summary)
		if subs := subcommands[n]; len(subs) > 0 {
			fmt.Fprintf(w, "  %-14s   %s %s\n", "", n, strings.ReplaceAll(subNames(subs), ", ", " | "))
		} else if subs := ownHelpSubcommands[n]; subs != "" {
			fmt.Fprintf(w, "  %-14s   %s %s\n", "", n, subs)
		}
	}
	fmt.Fprintln(w, "\nRun critmin COMMAND --help for a command's flags. Environment variables")
	fmt.Fprintln(w, "CRITMIN_DB, CRITMIN_ADDR, CRITMIN_URL, CRITMIN_TOKEN give flag defaults.")
}

// flagSet makes a command's flag set that prints its help to stdout.
func flagSet(env *Env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stdout, "Usage: critmin %s\n\n", usageNamingEveryFlag(fs, usage))
		own := ownFlags(fs)
		own.SetOutput(env.Stdout)
		own.PrintDefaults()
	}
	return fs
}

// usageNamingEveryFlag is usage with every flag of fs's own list that it
// does not name appended, as [--name] or [--name VALUE], so the Usage line
// and the flag list below it agree (nu39c: `serve --help` left out --force
// and --stockpile-*, others --progress). A usage of "[flags]" names them
// all already.
func usageNamingEveryFlag(fs *flag.FlagSet, usage string) string {
	usage, rest, _ := strings.Cut(usage, "\n")
	if rest != "" {
		rest = "\n" + rest
	}
	if strings.Contains(usage, "[flags]") {
		return usage + rest
	}
	var extra []string
	ownFlags(fs).VisitAll(func(f *flag.Flag) {
		if regexp.MustCompile(`--` + regexp.QuoteMeta(f.Name) + `\b`).MatchString(usage) {
			return
		}
		if name, _ := flag.UnquoteUsage(f); name != "" {
			// A backquoted word of the flag's text ("`FILE`") is kept;
			// the type name the flag package gives otherwise is put
			// as the other Usage lines put it.
			if v, ok := map[string]string{"string": "VALUE", "int": "N", "uint": "N", "duration": "D", "float": "X"}[name]; ok {
				name = v
			}
			extra = append(extra, fmt.Sprintf("[--%s %s]", f.Name, name))
		} else {
			extra = append(extra, fmt.Sprintf("[--%s]", f.Name))
		}
	})
	if len(extra) == 0 {
		return usage + rest
	}
	// Positional arguments (FILE, FILE...) stay last.
	head, tail := usage, ""
	if i := strings.LastIndex(usage, "]"); i >= 0 && i+1 < len(usage) {
		head, tail = usage[:i+1], usage[i+1:]
	}
	return head + " " + strings.Join(extra, " ") + tail + rest
}

// ownFlags is fs without the flags another subcommand reads. Commands
// whose subcommands share one flag set (log, lot, risk, bench,
// massbalance) mark a flag for some of them in its usage, "(prove)",
// "(corridor, scenario; optional)" or "declare: …"; `critmin log prove
// --help` then lists only the flags prove reads, not every log flag.
func ownFlags(fs *flag.FlagSet) *flag.FlagSet {
	parent, sub, ok := strings.Cut(fs.Name(), " ")
	siblings := map[string]bool{}
	for _, s := range subcommands[parent] {
		siblings[s.name] = true
	}
	for _, s := range strings.Split(ownHelpSubcommands[parent], "|") {
		siblings[strings.TrimSpace(s)] = true
	}
	own := flag.NewFlagSet(fs.Name(), flag.ContinueOnError)
	fs.VisitAll(func(f *flag.Flag) {
		if ok && !flagFor(f.Usage, sub, siblings) {
			return
		}
		own.Var(f.Value, f.Name, f.Usage)
		own.Lookup(f.Name).DefValue = f.DefValue
		if strings.Contains(f.Usage, "(default: ") {
			// The help says the default in words ("(default: this
			// one)", "(default: $USER)"): the zero value's text keeps
			// PrintDefaults from adding the value as a second default.
			own.Lookup(f.Name).DefValue = zeroText(f.Value, f.DefValue)
		}
	})
	return own
}

// zeroText is the text of the zero value of v's type, as the flag
// package's PrintDefaults compares a default with; def when v's type has
// no usable zero value.
func zeroText(v flag.Value, def string) (text string) {
	t := reflect.TypeOf(v)
	if t.Kind() != reflect.Pointer {
		return def
	}
	defer func() {
		if recover() != nil {
			text = def
		}
	}()
	return reflect.New(t.Elem()).Interface().(flag.Value).String()
}

// flagFor reports whether a flag whose help is usage belongs to
// subcommand sub: true unless usage names only other subcommands, as a
// leading "declare: " or a bracket "(rules, certificate; …)".
func flagFor(usage, sub string, siblings map[string]bool) bool {
	scope := func(list string) ([]string, bool) {
		words := strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' })
		var subs []string
		for _, w := range words {
			if w == "and" || w == "or" {
				continue
			}
			if !siblings[w] {
				return nil, false
			}
			subs = append(subs, w)
		}
		return subs, len(subs) > 0
	}
	if head, _, found := strings.Cut(usage, ": "); found {
		if subs, ok := scope(head); ok {
			return slices.Contains(subs, sub)
		}
	}
	for rest := usage; ; {
		_, after, found := strings.Cut(rest, "(")
		if !found {
			return true
		}
		inside, tail, _ := strings.Cut(after, ")")
		head, _, _ := strings.Cut(inside, ";")
		if subs, ok := scope(head); ok {
			return slices.Contains(subs, sub)
		}
		rest = tail
	}
}

// takesArgs holds the flag sets of commands that read positional
// arguments (argsFlagSet); parse refuses any positional argument given to
// another command, so that a stray word is not ignored with exit 0.
var takesArgs sync.Map

// argsFlagSet is flagSet for a command that reads positional arguments
// (FILE, ID, NAME=VALUE …); the command checks their number itself.
func argsFlagSet(env *Env, name, usage string) *flag.FlagSet {
	fs := flagSet(env, name, usage)
	takesArgs.Store(fs, true)
	return fs
}

// parse parses flags, turning --help into a nil error after printing help.
// Flags may come after positional arguments (critmin risk scenario ID
// --commodity antimony): they are moved in front before parsing.
// A bad flag is one readable sentence naming it: the flag package's own
// message and the whole usage are not printed.
func parse(fs *flag.FlagSet, args []string) (help bool, err error) {
	usage, out := fs.Usage, fs.Output()
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	ordered := flagsFirst(fs, args)
	repeated, restore := onceFlags(fs)
	err = fs.Parse(ordered)
	restore()
	fs.Usage = usage
	fs.SetOutput(out)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage()
			return true, nil
		}
		if *repeated != nil {
			// The flag package words a Set error itself, without
			// wrapping it.
			return false, usagef("%s", (*repeated).Error())
		}
		return false, usagef("%s", flagError(fs, err))
	}
	if _, ok := takesArgs.Load(fs); !ok && fs.NArg() > 0 {
		return false, usagef("%s takes no positional arguments; %q is not understood (flags are written --name value)", fs.Name(), fs.Args())
	}
	// A text flag given as "" would be read as left out and replaced by
	// its default (--expires "" a token that never expires, --country ""
	// PAK): refused, so that an empty shell variable is not taken for a
	// choice.
	var empty []string
	fs.Visit(func(f *flag.Flag) {
		if g, ok := f.Value.(flag.Getter); ok {
			if s, ok := g.Get().(string); ok && s == "" {
				empty = append(empty, "--"+f.Name)
			}
		}
	})
	if len(empty) > 0 {
		// A flag with a form states it (--period: a month YYYY-MM).
		if form, ok := emptyFlagForms[strings.SplitN(fs.Name(), " ", 2)[0]+" "+empty[0]]; ok {
			return false, usagef("%s: the value is empty: give %s", empty[0], form)
		}
		return false, usagef("%s: an empty value is refused; leave the flag out for its default", strings.Join(empty, ", "))
	}
	return false, nil
}

// emptyFlagForms is the form of each flag (by command group and flag:
// mass-balance's --period is a claim period, not a month) whose empty
// value is refused with the form it takes rather than a bare "empty
// value".
var emptyFlagForms = map[string]string{
	"refinery --period": refinery.PeriodForm,
}

// setFlags is the names of the flags given on the command line, so that
// an explicit 0 is told from a flag left out (flag.Visit).
// RepeatableFlag is implemented by a flag.Value meant to be given more
// than once (a list built one value at a time, --x a --x b): parse lets
// it repeat. Every other flag takes one value.
type RepeatableFlag interface {
	flag.Value
	Repeatable() bool
}

// repeatedFlag is the error of a single-value flag given twice.
type repeatedFlag struct {
	name, first, again string
}

func (e *repeatedFlag) Error() string {
	return fmt.Sprintf("--%s is given more than once (%s, then %s): give it once", e.name, e.first, e.again)
}

// onceValue wraps a single-value flag while parsing: its second Set is
// refused, where the flag package would silently keep the last value
// (--gap 0.1 --gap 0.2 became 0.2).
type onceValue struct {
	flag.Value
	name  string
	first *string
	// repeated receives the refusal, for parse to report as it is.
	repeated **repeatedFlag
}

func (v *onceValue) Set(s string) error {
	if v.first != nil {
		*v.repeated = &repeatedFlag{name: v.name, first: strconv.Quote(*v.first), again: strconv.Quote(s)}
		return *v.repeated
	}
	if err := v.Value.Set(s); err != nil {
		return err
	}
	v.first = &s
	return nil
}

// IsBoolFlag keeps a boolean flag usable without a value (--elastic).
func (v *onceValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// onceFlags wraps every single-value flag of fs in onceValue for one
// Parse; repeated then holds the refusal of a flag given twice, and
// restore puts the original values back.
func onceFlags(fs *flag.FlagSet) (repeated **repeatedFlag, restore func()) {
	repeated = new(*repeatedFlag)
	var wrapped []*flag.Flag
	fs.VisitAll(func(f *flag.Flag) {
		if r, ok := f.Value.(RepeatableFlag); ok && r.Repeatable() {
			return
		}
		f.Value = &onceValue{Value: f.Value, name: f.Name, repeated: repeated}
		wrapped = append(wrapped, f)
	})
	return repeated, func() {
		for _, f := range wrapped {
			f.Value = f.Value.(*onceValue).Value
		}
	}
}

func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// flagError words an error of the flag package as one sentence naming
// the flag and the reason: "flag provided but not defined: -frob" becomes
// "risk corridor has no flag --frob"; `invalid value "abc" for flag -year:
// parse error` becomes `--year: "abc" is not a whole number` — the reason
// by the flag's type (a whole number, a number, a duration with its unit,
// true or false), and for a number beyond the type's range the bound
// (fix14q: the bare "is not a valid value" said neither).
func flagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		return fmt.Sprintf("%s has no flag --%s", fs.Name(), strings.TrimLeft(name, "-"))
	}
	if rest, ok := strings.CutPrefix(msg, "invalid boolean value "); ok {
		if val, after, ok := strings.Cut(rest, " for -"); ok {
			name, _, _ := strings.Cut(after, ": ")
			return fmt.Sprintf("--%s: %s is not true or false (give --%s alone for true)", name, val, name)
		}
	}
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		if val, after, ok := strings.Cut(rest, " for flag -"); ok {
			name, why, _ := strings.Cut(after, ": ")
			if reason := flagValueReason(fs.Lookup(name), val, why); reason != "" {
				return fmt.Sprintf("--%s: %s", name, reason)
			}
			if why == "parse error" || why == "" {
				return fmt.Sprintf("--%s: %s is not a valid value", name, val)
			}
			return fmt.Sprintf("--%s: %s is not a valid value (%s)", name, val, why)
		}
	}
	if rest, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return fmt.Sprintf("-%s needs a value", rest)
	}
	return msg
}

// flagValueReason is why the quoted value val of a numeric, duration or
// boolean flag f was refused by the flag package (why: "parse error" or
// "value out of range"), or "" for a flag of another type, whose own Set
// words its error.
func flagValueReason(f *flag.Flag, val, why string) string {
	if f == nil {
		return ""
	}
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return ""
	}
	raw, _ := strconv.Unquote(val)
	negative := strings.HasPrefix(strings.TrimSpace(raw), "-")
	outOfRange := why == "value out of range"
	switch g.Get().(type) {
	case int, int64:
		max, min := int64(math.MaxInt64), int64(math.MinInt64)
		switch {
		case outOfRange && negative:
			return fmt.Sprintf("%s is too small: at least %s", val, units.Int(min))
		case outOfRange:
			return fmt.Sprintf("%s is too large: at most %s", val, units.Int(max))
		}
		return fmt.Sprintf("%s is not a whole number", val)
	case uint, uint64:
		switch {
		case negative:
			return fmt.Sprintf("%s is below 0: give a whole number of 0 or more", val)
		case outOfRange:
			return fmt.Sprintf("%s is too large: at most %s", val, units.Uint(uint64(math.MaxUint64)))
		}
		return fmt.Sprintf("%s is not a whole number of 0 or more", val)
	case float64:
		if outOfRange {
			return fmt.Sprintf("%s is out of range (beyond ±1.8e308)", val)
		}
		return fmt.Sprintf("%s is not a number", val)
	case time.Duration:
		return fmt.Sprintf("%s is not a duration: give a number with its unit, such as 30s, 2m or 1h", val)
	case bool:
		return fmt.Sprintf("%s is not true or false", val)
	}
	return ""
}

// durationWords writes d for a person, in its largest whole unit — "2 s",
// "1 min", "500 ms", "1.5 s" — where Go's String writes "2s", "1m0s"
// (fix14q: soak's flag errors said "--max-up 1m0s").
func durationWords(d time.Duration) string {
	switch {
	case d != 0 && d%time.Hour == 0:
		return fmt.Sprintf("%d h", d/time.Hour)
	case d != 0 && d%time.Minute == 0:
		return fmt.Sprintf("%d min", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%d s", d/time.Second)
	case d%time.Millisecond == 0 && d < time.Second && d > -time.Second:
		return fmt.Sprintf("%d ms", d/time.Millisecond)
	}
	return strconv.FormatFloat(d.Seconds(), 'f', -1, 64) + " s"
}

func envOr(env *Env, key, def string) string {
	if v := env.Getenv(key); v != "" {
		return v
	}
	return def
}

// DefaultDB is the SQLite file used when neither --db nor CRITMIN_DB is
// given: critmin.db in $CRITMIN_DATA, $XDG_DATA_HOME/critmin or
// ~/.local/share/critmin.
func DefaultDB(env *Env) string {
	if d := env.Getenv("CRITMIN_DATA"); d != "" {
		return filepath.Join(d, "critmin.db")
	}
	if d := env.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "critmin", "critmin.db")
	}
	if h, err := os.UserHomeDir(); err == nil {
		return filepath.Join(h, ".local", "share", "critmin", "critmin.db")
	}
	return "critmin.db"
}

func dbFlag(fs *flag.FlagSet, env *Env) *string {
	return fs.String("db", envOr(env, "CRITMIN_DB", DefaultDB(env)), "database: a SQLite file path, a postgres:// URL or a key=value PostgreSQL DSN (host=… dbname=…) (env CRITMIN_DB)")
}

// OpenStore opens the existing critmin store a DSN names, for a command
// that writes to it. Nothing is created or migrated: a SQLite path that
// does not exist is refused ("no database at …") rather than created, and
// a database without critmin's schema ("not a critmin database") or with
// migrations missing ("needs migrating") is refused untouched
// (sqldb.CheckSchema) — a mistyped --db cannot turn another program's
// database, or an empty file, into a critmin one. Only serve, init and
// the demo loaders (trade demo) create or migrate a store (CreateStore).
func OpenStore(ctx context.Context, dsn string) (critmin.Store, error) {
	return openStore(ctx, dsn, openExisting)
}

// OpenStoreReadOnly is OpenStore for a read-only command: its connections
// are read-only (SQLite mode=ro, PostgreSQL default_transaction_read_only)
// so the command cannot write to the database at all.
func OpenStoreReadOnly(ctx context.Context, dsn string) (critmin.Store, error) {
	return openStore(ctx, dsn, openReadOnly)
}

// CreateStore opens the store a DSN names, creating (and migrating) a
// SQLite file and its directory when missing.
func CreateStore(ctx context.Context, dsn string) (critmin.Store, error) {
	return openStore(ctx, dsn, openCreate)
}

// how openStore opens a store
const (
	openCreate = iota
	openExisting
	openReadOnly
)

// storeOpened, when set (by a test), is told each store a command opens
// and how: the audit that read-only commands open read-only.
var storeOpened func(dsn string, mode int)

func openStore(ctx context.Context, dsn string, mode int) (critmin.Store, error) {
	if storeOpened != nil {
		storeOpened(dsn, mode)
	}
	isPG, err := postgres.ParseDB(dsn)
	if err != nil {
		return nil, usagef("%v", err)
	}
	if isPG {
		var db *sqldb.DB
		if mode == openCreate {
			db, err = postgres.Open(ctx, dsn)
			if critmin.ErrorCode(err) == critmin.EINVALID {
				return nil, refusef("--db %s: %s", redactDSN(dsn), critmin.ErrorMessage(err))
			}
		} else {
			db, err = postgres.OpenExisting(ctx, dsn, mode == openReadOnly)
		}
		if err != nil {
			if postgres.IsMissingDatabase(err) {
				// As a missing SQLite path is "no database at …", not
				// the driver's "FATAL … (SQLSTATE 3D000)" (fix14o).
				return nil, refusef("--db: no database at %s (PostgreSQL says it does not exist); create it with createdb, then `critmin init --db %s`", redactDSN(dsn), redactDSN(dsn))
			}
			if mode != openReadOnly && isReadOnlyDBError(err) {
				return nil, &readOnlyDatabase{dsn: dsn, err: postgres.RedactError(err, dsn)}
			}
			return nil, postgres.RedactError(err, dsn)
		}
		return db, nil
	}
	// A directory is named as one: SQLite says only "disk I/O error".
	if fi, err := os.Stat(dsn); err == nil && fi.IsDir() {
		return nil, refusef("--db: %s is a directory, not a database file; name the SQLite file (e.g. %s)", dsn, filepath.Join(dsn, "critmin.db"))
	}
	var db *sqldb.DB
	if mode == openCreate {
		if db, err = sqlite.Open(ctx, dsn); err != nil {
			if critmin.ErrorCode(err) == critmin.EINVALID {
				return nil, refusef("--db %s: %s", redactDSN(dsn), critmin.ErrorMessage(err))
			}
			return nil, err
		}
	} else {
		if _, err := os.Stat(dsn); errors.Is(err, os.ErrNotExist) {
			return nil, noDatabase(dsn)
		}
		if db, err = sqlite.OpenExisting(ctx, dsn, mode == openReadOnly); err != nil {
			if mode != openReadOnly && isReadOnlyDBError(err) {
				return nil, &readOnlyDatabase{dsn: dsn, err: err}
			}
			return nil, err
		}
	}
	// The installation's key (installationKeyFile, as critmin serve
	// keeps it): period records signed by any other key are refused.
	if file, err := installationKeyFile(ctx, &Env{}, dsn, db); err == nil {
		if key, err := custody.LoadPrivateKey(file); err == nil {
			db.TrustPeriodKeys(key.Public().(ed25519.PublicKey))
		}
	}
	return db, nil
}

// noDatabase refuses a SQLite --db that does not exist, saying how to
// create one: only init, serve and the demo loaders create a database.
func noDatabase(dsn string) error {
	return refusef("--db: no database at %s; create it with `critmin init --db %s` or `critmin serve`", redactDSN(dsn), redactDSN(dsn))
}

// runInit creates and migrates a database. critmin init [--db DSN]
func runInit(ctx context.Context, env *Env, args []string) error {
	fs := argsFlagSet(env, "init", "init [--db DSN]\n\nCreates the database (a SQLite file and its directory, or the schema in an\nexisting PostgreSQL database) and applies every migration.")
	dsn := dbFlag(fs, env)
	force := fs.Bool("force", false, "migrate a database that holds another program's tables (no schema_migrations), adding critmin's beside them")
	if help, err := parse(fs, args); help || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("init takes no arguments, got %q", fs.Args())
	}
	if *force {
		ctx = sqldb.AllowForeign(ctx)
	}
	store, err := CreateStore(ctx, *dsn)
	if err != nil {
		return err
	}
	defer store.Close()
	fmt.Fprintf(env.Stdout, "database ready at %s\n", redactDSN(*dsn))
	return nil
}

// flagsFirst reorders args so that every flag (with its value, for
// non-boolean flags given as two words) precedes the positional arguments;
// "--" ends the flags as usual.
func flagsFirst(fs *flag.FlagSet, args []string) []string {
	var flags, pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			pos = append(pos, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			pos = append(pos, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := fs.Lookup(name); f != nil {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				continue
			}
			if i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		}
	}
	return append(flags, append([]string{"--"}, pos...)...)
}
