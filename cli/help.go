package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/commercial"
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
		{"verify", "verify time of a generated ledger (chain, log, rebuilt tables)"},
		{"refinery", "reconciliation time of a generated refinery flowsheet"},
		{"soak", "kill -9 campaign: no acknowledged event lost, no document half stored"},
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
		{"scenario", "a disruption scenario's shortfalls (risk scenario --list lists them)"},
		{"stockpile", "stockpile sizing with Monte Carlo bands from a file"},
	},
	"token": {
		{"create", "create an API token (shown once)"},
		{"list", "list the tokens: name, role, created, expiry, revoked (never a secret)"},
		{"revoke", "revoke a token by name: its sessions end at once"},
	},
	"massbalance": {
		{"declare", "record a site's mass-balance declaration: --site SITE --file DECLARATION.json"},
		{"statement", "a site's statement per claim period: --site SITE [--period ID] [--format text|json|csv]"},
		{"show", "a site's declaration and figures: --site SITE"},
	},
	// Subcommands of subcommands are keyed by their path.
	"trade contract": {
		{"add", "store an offtake contract's term sheet: add FILE"},
		{"list", "list the contracts"},
		{"show", "a contract's terms and delivered position: show ID"},
	},
	"trade prices": {
		{"import", "import a price CSV: import [--series ID --source S --unit U --frequency F] FILE"},
		{"list", "list the price series"},
	},
	"trade invoice": {
		{"issue", "issue a provisional or final invoice: --contract ID --lot LOT --kind provisional|final"},
		{"list", "list invoices: [--contract ID] [--lot LOT]"},
		{"show", "an invoice: show ID [--format text|json|xlsx] [--out FILE]"},
	},
	"trade note": {
		{"issue", "issue a credit or debit note against the final invoice: --contract ID --lot LOT --reason TEXT"},
		{"list", "the notes of a final invoice: --invoice ID [--format text|json|csv] [--out FILE]"},
	},
}

// ownHelpSubcommands names the subcommands of the commands whose --help
// is their own text (with each subcommand's flags), for the top-level
// help; a test checks both against what each command dispatches.
var ownHelpSubcommands = map[string]string{
	"log":      "checkpoint | prove | consistency | check",
	"refinery": "reconcile | report | close | reopen | void-record | backfill-audit | yields | flowsheet",
	"trade":    "demo | contract | prices | assay | declare | settle | invoice | pay | note | agreement | nsr | exposure",
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool { return arg == "-h" || arg == "--help" || arg == "help" }

// subcommandHelp answers "critmin CMD" and "critmin CMD --help" for a
// command with subcommands: it lists them all. handled is false when the
// command line names a subcommand.
func subcommandHelp(env *Env, name string, args []string) (handled bool, err error) {
	subs, ok := subcommands[name]
	if !ok {
		return false, nil
	}
	if len(args) > 0 && !isHelp(args[0]) {
		for _, s := range subs {
			if s.name == args[0] {
				return false, nil
			}
		}
		// A word that names no subcommand is named back (a flag
		// before the subcommand, too).
		return true, usagef("%s: %q is not a subcommand; the subcommands are %s", name, args[0], subNames(subs))
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
	if errors.Is(err, context.Canceled) {
		// main cancels the context on SIGINT or SIGTERM (HandlesSignals):
		// the work stopped there, not a failure of its own.
		return "interrupted (SIGINT or SIGTERM): the command stopped before it finished."
	}
	var e *critmin.Error
	if errors.As(err, &e) {
		// Each field error once (critmin.ErrorText): not in the message's
		// "First: …" clause and again in the list.
		msg := critmin.ErrorText(e)
		if text, ok := commercial.TermSheetErrorText(e); ok {
			// A term sheet's faults read as the API's detail does.
			msg = text
		}
		// The context a command added around the domain error, if any.
		outer := strings.TrimPrefix(err.Error(), errUsage.Error()+": ")
		if i := strings.Index(outer, "critmin error: "); i > 0 {
			msg = strings.TrimSuffix(strings.TrimSpace(outer[:i]), ":") + ": " + msg
		}
		return sentence(msg)
	}
	// A domain error flattened into another with %v: its raw form
	// ("critmin error: code=not_found message=…; /ptr: reason") reads as
	// ErrorText does.
	msg := rawDomainRE.ReplaceAllStringFunc(err.Error(), func(raw string) string {
		m := rawDomainRE.FindStringSubmatch(raw)
		head, rest, _ := strings.Cut(m[1], "; ")
		if rest == "" {
			return head
		}
		return strings.TrimSuffix(head, ".") + " (" + rest + ")"
	})
	if UsageError(err) {
		msg = strings.TrimPrefix(msg, errUsage.Error()+": ")
		if isRefusal(err) {
			// Not a fault of the command line's form: no usage pointer.
			return sentence(msg)
		}
		// A full stop before the next sentence, even after a bracket.
		return strings.TrimSuffix(sentence(msg), ".") + ". Run critmin --help, or critmin COMMAND --help, for the usage."
	}
	return sentence(msg)
}

// rawDomainRE is critmin.Error's Error() text inside another message.
var rawDomainRE = regexp.MustCompile(`critmin error: code=\S+ message=(.*)`)

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
