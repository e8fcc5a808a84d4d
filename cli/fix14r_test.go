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

// TestSoakDBPrefix (issue 14, new-user check: `bench soak --postgres`
// always named its scratch database critmin_soak_…): --db-prefix chooses
// the prefix, checked against PostgreSQL's rules for an unquoted name
// before anything runs; a prefix without --postgres is refused too.
func TestSoakDBPrefix(t *testing.T) {
	const pg = "postgres://postgres@127.0.0.1:1/postgres"
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--postgres", pg, "--db-prefix", "9soak_"}, "begin with a lower-case letter or _"},
		{[]string{"--postgres", pg, "--db-prefix", "Soak_"}, "begin with a lower-case letter or _"},
		{[]string{"--postgres", pg, "--db-prefix", "soak-x_"}, `"-"`},
		{[]string{"--postgres", pg, "--db-prefix", ""}, "empty"},
		// 52 letters + 12 hex digits = 64 bytes, over PostgreSQL's 63.
		{[]string{"--postgres", pg, "--db-prefix", strings.Repeat("a", 52)}, "at most 51"},
		{[]string{"--db-prefix", "mine_"}, "--postgres"},
	} {
		_, _, err := run(t, nil, append([]string{"bench", "soak"}, c.args...)...)
		if err == nil || !cli.UsageError(err) || !strings.Contains(err.Error(), "--db-prefix") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v; want a usage error on --db-prefix saying %q", c.args, err, c.want)
		}
	}
}
