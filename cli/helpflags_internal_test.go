package cli

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
)

func helpText(args ...string) (string, error) {
	var out, errb bytes.Buffer
	err := Run(context.Background(), &Env{Stdout: &out, Stderr: &errb, Stdin: strings.NewReader(""), Getenv: func(string) string { return "" }}, args)
	return out.String() + errb.String(), err
}

var (
	flagLineRE = regexp.MustCompile(`(?m)^  -([a-z0-9-]+)`)
	flagNameRE = regexp.MustCompile(`(?:^|[\s(\[|,])--([a-z][a-z0-9-]*)`)
)

// definedFlags is the set of flags a --help text lists.
func definedFlags(help string) map[string]bool {
	out := map[string]bool{}
	for _, m := range flagLineRE.FindAllStringSubmatch(help, -1) {
		out[m[1]] = true
	}
	return out
}

// commandTree is every command path the CLI answers --help for: each
// command, each subcommand of the subcommands table, of the commands
// with their own help text, and of every `switch args[0]` in the source.
func commandTree(t *testing.T) map[string][]string {
	t.Helper()
	tree := map[string][]string{}
	for name := range commands() {
		tree[name] = nil
		for _, s := range subcommands[name] {
			tree[name] = append(tree[name], s.name)
		}
		for _, s := range strings.Split(ownHelpSubcommands[name], "|") {
			if s = strings.TrimSpace(s); s != "" && !slicesContains(tree[name], s) {
				tree[name] = append(tree[name], s)
			}
		}
	}
	return tree
}

// TestHelpNamesOnlyFlagsThatExist (issue 15: `critmin risk --help`
// advertised `risk scenario --list`, which failed "has no flag --list"):
// walking the command tree, every --flag a help text names is a flag of
// the command it names. A line that starts with a subcommand names that
// subcommand's flags (or its subcommands'); a line that says "critmin A
// B" names those of A B; any other line names the command's own flags or
// those of a command below it. Flags of other programs (pg_dump
// --format=custom) are not critmin's.
func TestHelpNamesOnlyFlagsThatExist(t *testing.T) {
	type node struct {
		help     string
		own, all map[string]bool
		children []string
	}
	nodes := map[string]*node{}
	var walk func(path string) *node
	walk = func(path string) *node {
		args := append(strings.Fields(path), "--help")
		h, err := helpText(args...)
		if err != nil {
			t.Errorf("critmin %s: %v", strings.Join(args, " "), err)
		}
		n := &node{help: h, own: definedFlags(h), all: map[string]bool{}}
		for f := range n.own {
			n.all[f] = true
		}
		var kids []string
		for _, s := range subcommands[path] {
			kids = append(kids, s.name)
		}
		for _, s := range strings.Split(ownHelpSubcommands[path], "|") {
			if s = strings.TrimSpace(s); s != "" && !slicesContains(kids, s) {
				kids = append(kids, s)
			}
		}
		n.children = kids
		for _, k := range kids {
			c := walk(path + " " + k)
			for f := range c.all {
				n.all[f] = true
			}
		}
		nodes[path] = n
		return n
	}
	for name := range commands() {
		walk(name)
	}
	pathRE := regexp.MustCompile(`critmin ([a-z-]+(?: [a-z-]+)*)`)
	checked := 0
	for path, n := range nodes {
		for _, line := range strings.Split(n.help, "\n") {
			allowed := n.all
			fields := strings.Fields(line)
			if len(fields) > 0 && strings.HasPrefix(line, "  ") {
				if c := nodes[path+" "+fields[0]]; c != nil {
					allowed = c.all
				}
			}
			for _, m := range flagNameRE.FindAllStringSubmatchIndex(line, -1) {
				f := line[m[2]:m[3]]
				if f == "help" || strings.HasSuffix(strings.TrimSpace(line[:m[2]-2]), "pg_dump") {
					continue
				}
				checked++
				named := allowed
				// The command path the line names before the flag,
				// the longest one that exists.
				for _, p := range pathRE.FindAllStringSubmatchIndex(line[:m[0]], -1) {
					if strings.ContainsAny(line[p[1]:m[0]], ",.;") {
						continue // another clause: "starts critmin serve, captures from --loaders …"
					}
					words := strings.Fields(line[p[2]:p[3]])
					for i := len(words); i > 0; i-- {
						if c := nodes[strings.Join(words[:i], " ")]; c != nil {
							named = c.all
							break
						}
					}
				}
				if !named[f] {
					t.Errorf("critmin %s --help names --%s, which that command has no flag for: %q", path, f, strings.TrimSpace(line))
				}
			}
		}
	}
	if checked < 50 {
		t.Errorf("only %d flag mentions checked; the walk is broken", checked)
	}
}

// TestSubcommandHelpListsOnlyItsOwnFlags (issue 15: `critmin log prove
// --help` listed --checkpoint, --old and --pubkey, flags of consistency
// and check): a subcommand's help lists the flags it reads and none
// marked for a sibling.
func TestSubcommandHelpListsOnlyItsOwnFlags(t *testing.T) {
	cases := []struct {
		args      []string
		want, not []string
	}{
		{[]string{"log", "prove"}, []string{"event", "size", "key", "db"}, []string{"checkpoint", "old", "pubkey"}},
		{[]string{"log", "consistency"}, []string{"checkpoint", "key"}, []string{"event", "size", "old"}},
		{[]string{"risk", "scenario"}, []string{"list", "from", "to", "commodity"}, []string{"tonnes", "year", "example", "edition"}},
		{[]string{"risk", "concentration"}, []string{"year", "edition", "commodity"}, []string{"list", "from", "tonnes"}},
		{[]string{"massbalance", "show"}, []string{"site"}, []string{"file", "period", "format"}},
		{[]string{"lot", "show"}, []string{"format", "db"}, []string{"direction", "depth", "key", "rules", "evidence"}},
		{[]string{"bench", "capture"}, []string{"events", "clients"}, []string{"queries", "levels"}},
	}
	for _, c := range cases {
		h, err := helpText(append(c.args, "--help")...)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		got := definedFlags(h)
		for _, f := range c.want {
			if !got[f] {
				t.Errorf("critmin %s --help does not list its flag --%s:\n%s", strings.Join(c.args, " "), f, h)
			}
		}
		for _, f := range c.not {
			if got[f] {
				t.Errorf("critmin %s --help lists --%s, a sibling's flag:\n%s", strings.Join(c.args, " "), f, h)
			}
		}
	}
}

// TestTopHelpListsSubcommandsOnce (issue 15: `critmin --help` listed the
// bench subcommands twice, in the summary and on the line below it): a
// command's summary does not list the subcommands its second line lists.
func TestTopHelpListsSubcommandsOnce(t *testing.T) {
	for name, list := range commandTree(t) {
		if len(list) == 0 {
			continue
		}
		summary := commands()[name].summary
		named := 0
		for _, s := range list {
			if regexp.MustCompile(`\b` + regexp.QuoteMeta(s) + `\b`).MatchString(summary) {
				named++
			}
		}
		if named >= 3 {
			t.Errorf("critmin --help: the %s summary %q lists %d of its subcommands, which the next line lists again", name, summary, named)
		}
	}
}

// TestRiskScenarioListFlagLists: the --list that `critmin risk --help`
// advertises lists the scenario library, as no SCENARIO does.
func TestRiskScenarioListFlagLists(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	withList, err := helpText("risk", "scenario", "--list")
	if err != nil {
		t.Fatalf("risk scenario --list: %v\n%s", err, withList)
	}
	if !strings.Contains(withList, "ID") || !strings.Contains(withList, "TITLE") {
		t.Errorf("risk scenario --list printed no scenario table:\n%s", withList)
	}
}
