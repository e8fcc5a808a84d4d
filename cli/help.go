package cli

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/critmin/critmin"
)

// subcommand is one subcommand of a command, for its parent's --help.
type subcommand struct{ name, summary string }

// subcommands lists, for each command that has them, every subcommand in
// the order its help shows them. A command's --help (and the command
// given alone) lists all of them; a test checks that each one answers
// its own --help.
var subcommands = map[string][]subcommand{
	"lot": {
		{"show", "a lot of the mineral view: mass, grades, origin, location, custody"},
		{"trace", "its genealogy, backward (inputs) or forward (products)"},
		{"origin", "its origin by country, mine and supplier, of dry mass and each element"},
		{"rules", "the rule pack's verdicts on it, with the events behind each"},
		{"certificate", "a signed origin certificate (JSON-LD)"},
	},
	"bench": {
		{"capture", "capture throughput"},
		{"query", "query latency"},
		{"load", "200 clients of mixed queries and captures on a 1,000,000-event store"},
		{"risk", "risk computations"},
		{"genealogy", "genealogy traces"},
		{"plan", "planner solve times"},
	},
	"data": {
		{"list", "list the editions of every reference dataset"},
		{"import", "import a newer edition of a dataset"},
	},
	"epcis": {{"hash", "print the CBV 2.0 hash ID of every event of a document"}},
	"risk": {
		{"concentration", "production shares, HHI and top shares of a commodity, stage and year"},
		{"series", "HHI and top shares over the years"},
		{"exposure", "US net import reliance and import-source concentration"},
		{"corridor", "what a new supply corridor changes in concentration"},
		{"scenario", "a disruption scenario's shortfalls (risk scenario --list)"},
		{"stockpile", "stockpile sizing with Monte Carlo bands from a file"},
	},
	"token": {{"create", "create an API token (shown once)"}},
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool { return arg == "-h" || arg == "--help" || arg == "help" }

// subcommandHelp answers "critmin CMD" and "critmin CMD --help" for a
// command with subcommands: it lists them all. handled is false when the
// command line names a subcommand.
func subcommandHelp(env *Env, name string, args []string) (handled bool, err error) {
	subs, ok := subcommands[name]
	if !ok || (len(args) > 0 && !isHelp(args[0])) {
		return false, nil
	}
	w := env.Stdout
	if len(args) == 0 {
		w = env.Stderr
	}
	printSubcommands(w, name, subs)
	if len(args) == 0 {
		return true, usagef("%s needs a subcommand: %s", name, subNames(subs))
	}
	return true, nil
}

func printSubcommands(w io.Writer, name string, subs []subcommand) {
	fmt.Fprintf(w, "Usage: critmin %s SUBCOMMAND [flags]\n\nSubcommands:\n", name)
	for _, s := range subs {
		fmt.Fprintf(w, "  %-14s %s\n", s.name, s.summary)
	}
	fmt.Fprintf(w, "\nRun critmin %s SUBCOMMAND --help for its flags.\n", name)
}

func subNames(subs []subcommand) string {
	names := make([]string, len(subs))
	for i, s := range subs {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

// Describe renders an error for the terminal as one readable sentence:
// a command-line mistake says what is wrong with which argument and how
// to get help; a domain error gives its message and every field at fault
// ("lot show: no lot "urn:x" (not found)"), never the internal
// "critmin error: code=… message=…" form or a bare "usage:" prefix.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	var e *critmin.Error
	if errors.As(err, &e) {
		msg := e.Message
		var extra []string
		for _, f := range e.Fields {
			if !strings.Contains(msg, f.Reason) {
				extra = append(extra, f.Pointer+": "+f.Reason)
			}
		}
		// The context a command added around the domain error, if any.
		outer := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
		if i := strings.Index(outer, "critmin error: "); i > 0 {
			msg = strings.TrimSuffix(strings.TrimSpace(outer[:i]), ":") + ": " + msg
		}
		if len(extra) > 0 {
			msg += " (" + strings.Join(extra, "; ") + ")"
		}
		return sentence(msg)
	}
	msg := err.Error()
	if UsageError(err) {
		msg = strings.TrimPrefix(msg, errUsage.Error()+": ")
		return sentence(msg) + " Run critmin --help, or critmin COMMAND --help, for the usage."
	}
	return sentence(msg)
}

// sentence makes msg one line ending with a full stop.
func sentence(msg string) string {
	msg = strings.Join(strings.Fields(msg), " ")
	if msg == "" {
		return "failed."
	}
	if !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, ")") && !strings.HasSuffix(msg, "?") {
		msg += "."
	}
	return msg
}
