package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestTokenRefusalsOfNamedThingExit2 (issue 14, new-user check: `token
// create --name op` with "op" taken exited 1; README: a refusal about what
// an argument names exits 2, without the usage pointer): a taken name, a
// token not found, a token already revoked and the last active admin
// token are refusals.
func TestTokenRefusalsOfNamedThingExit2(t *testing.T) {
	db := filepath.Join(t.TempDir(), "t.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "token", "create", "--db", db, "--name", "op", "--role", "operator"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "token", "create", "--db", db, "--name", "root", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, nil, "token", "revoke", "--db", db, "op"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "create", "--db", db, "--name", "op", "--role", "viewer"}, "op"},
		{[]string{"token", "revoke", "--db", db, "nosuch"}, "nosuch"},
		{[]string{"token", "revoke", "--db", db, "op"}, "revoked"},
		{[]string{"token", "revoke", "--db", db, "root"}, "last active admin token"},
	} {
		_, _, err := run(t, nil, c.args...)
		if err == nil || !cli.UsageError(err) {
			t.Errorf("%v: %v; want an exit-2 refusal", c.args, err)
			continue
		}
		if d := cli.Describe(err); !strings.Contains(d, c.want) || strings.Contains(d, "for the usage") {
			t.Errorf("%v: %q; want it naming %q, without the usage pointer", c.args, d, c.want)
		}
	}
}

// TestHelpSaysDefaultOnce (issue 14, new-user check: `bench soak --help`
// printed "(default: this one) (default \"/…/bin/critmin\")"): a flag whose
// help says its default in words is not given a second default by the
// flag package, whatever the default value is.
func TestHelpSaysDefaultOnce(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "soak", "--help"},
		{"refinery", "close", "--help"},
		{"refinery", "reopen", "--help"},
	} {
		out, _, err := run(t, map[string]string{"USER": "someone"}, args...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		if !strings.Contains(out, "(default: ") {
			t.Fatalf("%v: no flag says its default in words:\n%s", args, out)
		}
		for _, line := range strings.Split(out, "\n") {
			if strings.Contains(line, "(default: ") && strings.Contains(line, "(default \"") {
				t.Errorf("%v: the default said twice: %q", args, line)
			}
		}
	}
}
