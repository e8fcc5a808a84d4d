package cli_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/critmin/critmin"
	"github.com/critmin/critmin/cli"
)

// TestParentHelpListsEverySubcommand checks that each command's --help
// lists every subcommand it dispatches, that the top-level help shows
// them too, and that each subcommand answers its own --help.
func TestParentHelpListsEverySubcommand(t *testing.T) {
	subs := map[string][]string{
		"lot":            {"show", "trace", "origin", "rules", "certificate"},
		"bench":          {"capture", "query", "load", "risk", "genealogy", "plan"},
		"data":           {"list", "import"},
		"epcis":          {"hash"},
		"risk":           {"concentration", "series", "exposure", "corridor", "scenario", "stockpile"},
		"token":          {"create", "list", "revoke"},
		"massbalance":    {"declare", "statement", "show"},
		"trade contract": {"add", "list", "show"},
		"trade prices":   {"import", "list"},
		"trade invoice":  {"issue", "list", "show"},
		"trade note":     {"issue", "list"},
		"trade":          {"demo", "contract", "prices", "assay", "declare", "settle", "invoice", "pay", "agreement", "nsr", "exposure"},
		"log":            {"checkpoint", "prove", "consistency", "check"},
		"refinery":       {"reconcile", "report", "close", "reopen", "void-record", "yields", "flowsheet"},
	}
	top, _, err := run(t, nil, "--help")
	if err != nil {
		t.Fatal(err)
	}
	for parent, list := range subs {
		path := strings.Fields(parent)
		out, _, err := run(t, nil, append(path, "--help")...)
		if err != nil {
			t.Errorf("%s --help: %v", parent, err)
		}
		for _, s := range list {
			// Listed as "  show  …" or, in trade's own help, "  trade settle …".
			if !strings.Contains(out, "\n  "+s+" ") && !strings.Contains(out, "\n  "+parent+" "+s+" ") {
				t.Errorf("%s --help does not list %s:\n%s", parent, s, out)
			}
			if len(path) == 1 && (!strings.Contains(top, parent+" ") || !strings.Contains(top, s)) {
				t.Errorf("critmin --help does not show %s %s", parent, s)
			}
			if _, nested := subs[parent+" "+s]; nested {
				continue // checked as a parent itself
			}
			sub, _, err := run(t, nil, append(path, s, "--help")...)
			if err != nil || !strings.Contains(sub, "Usage: critmin") {
				t.Errorf("%s %s --help: err %v, output %q", parent, s, err, sub)
			}
		}
		// A word that is no subcommand is named in the error.
		if _, _, err := run(t, nil, append(path, "nosuch")...); err == nil || !strings.Contains(cli.Describe(err), `"nosuch"`) {
			t.Errorf("%s nosuch: %v", parent, err)
		}
		// The command alone is a usage error.
		_, _, err = run(t, nil, path...)
		if err == nil || !cli.UsageError(err) {
			t.Errorf("%s alone: %v", parent, err)
		}
	}
}

// TestDescribeIsOneSentence checks the terminal form of errors: one line,
// no "usage:" or "critmin error: code=" prefix, the argument named.
func TestDescribeIsOneSentence(t *testing.T) {
	_, _, err := run(t, nil, "events", "--db", t.TempDir()+"/x.db", "--format", "xml")
	d := cli.Describe(err)
	if strings.Contains(d, "\n") || strings.HasPrefix(d, "usage") || !strings.Contains(d, "--format") || !strings.Contains(d, "critmin --help") {
		t.Errorf("usage error described as %q", d)
	}
	domain := critmin.Errorf(critmin.ENOTFOUND, "no lot %q", "urn:x")
	wrapped := fmt.Errorf("lot show: %w", domain)
	if d := cli.Describe(wrapped); d != `lot show: no lot "urn:x".` {
		t.Errorf("wrapped domain error described as %q", d)
	}
	fields := &critmin.Error{Code: critmin.EINVALID, Message: "event 0 is invalid", Fields: []critmin.FieldError{{Pointer: "/eventTime", Reason: "missing"}, {Pointer: "/action", Reason: "not ADD, OBSERVE or DELETE"}}}
	if d := cli.Describe(fields); d != "event 0 is invalid (/eventTime: missing; /action: not ADD, OBSERVE or DELETE)" || strings.Contains(d, "code=") {
		t.Errorf("field errors described as %q", d)
	}
	// A capture refusal quotes its first error; it is described once,
	// and two fields with the same reason are both named.
	first := &critmin.Error{Code: critmin.EINVALID, Message: "2 of 2 events are invalid; nothing was stored (rollback). First: /epcisBody/eventList/0/action: must be ADD, OBSERVE or DELETE",
		Fields: []critmin.FieldError{{Pointer: "/epcisBody/eventList/0/action", Reason: "must be ADD, OBSERVE or DELETE"}, {Pointer: "/epcisBody/eventList/1/action", Reason: "must be ADD, OBSERVE or DELETE"}}}
	if d := cli.Describe(fmt.Errorf("capture x.json: %w", first)); d != "capture x.json: 2 of 2 events are invalid; nothing was stored (rollback) (/epcisBody/eventList/0/action: must be ADD, OBSERVE or DELETE; /epcisBody/eventList/1/action: must be ADD, OBSERVE or DELETE)" {
		t.Errorf("capture refusal described as %q", d)
	}
	if d := cli.Describe(errors.New("open x.json: no such file or directory")); d != "open x.json: no such file or directory." {
		t.Errorf("plain error described as %q", d)
	}
}

// TestNoRawDomainErrorText (nu15 #10): a domain error formatted into a
// usage error (plan demo --compare nope) or into another error with %v
// reads as its message, never "critmin error: code=… message=…".
func TestNoRawDomainErrorText(t *testing.T) {
	_, _, err := run(t, nil, "plan", "demo", "--compare", "nope")
	d := cli.Describe(err)
	if err == nil || strings.Contains(d, "code=") || strings.Contains(d, "critmin error") || !strings.Contains(d, `no scenario "nope"`) {
		t.Errorf("plan --compare nope described as %q", d)
	}
	flat := fmt.Errorf("reading x: %v", &critmin.Error{Code: critmin.ENOTFOUND, Message: "no lot \"urn:x\"", Fields: []critmin.FieldError{{Pointer: "/lot", Reason: "unknown"}}})
	if d := cli.Describe(flat); d != `reading x: no lot "urn:x" (/lot: unknown)` {
		t.Errorf("flattened domain error described as %q", d)
	}
}

// TestDescribeFlattenedRefusalsOnce (issue 15, fix15f item 3): a capture
// refused for two events, flattened into another error with %v, names
// each refusal once — it read "First: X; X; Y" (critmin.Error.Error
// listed the field its message quotes again).
func TestDescribeFlattenedRefusalsOnce(t *testing.T) {
	x := critmin.FieldError{Pointer: "/epcisBody/eventList/0/action", Reason: "must be ADD, OBSERVE or DELETE"}
	y := critmin.FieldError{Pointer: "/epcisBody/eventList/1/eventTime", Reason: "must be a date-time"}
	err := &critmin.Error{Code: critmin.EINVALID, Message: "2 of 2 events are invalid; nothing was stored (rollback). First: " + x.Pointer + ": " + x.Reason, Fields: []critmin.FieldError{x, y}}
	d := cli.Describe(fmt.Errorf("capture x.json: %v", err))
	for _, f := range []critmin.FieldError{x, y} {
		if n := strings.Count(d, f.Pointer+": "+f.Reason); n != 1 {
			t.Errorf("%s named %d times in %q; want once", f.Pointer, n, d)
		}
	}
}
