package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestEveryUsageErrorExitsTwo (issue 15, fix15s item 6): `events FOO=1`
// exited 1 where other usage errors exit 2. Every fault of the command
// line — an EPCIS query parameter that is unknown or does not read, a
// flag value a service refuses (--commodity, --year, --commodity with
// --example) — and every refusal of what it names (a lot, a site's
// declaration, import data that do not exist) is a usage error: exit 2,
// the message naming the argument; the first kind points to the usage,
// the second does not (README, TestUsagePointerOnlyOnUsageErrors).
func TestEveryUsageErrorExitsTwo(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args    []string
		names   string
		pointer bool
	}{
		{[]string{"events", "--db", db, "FOO=1"}, "FOO", true},
		{[]string{"events", "--db", db, "perPage=abc"}, "perPage", true},
		{[]string{"risk", "concentration", "--db", db, "--commodity", "unobtainium"}, "--commodity", true},
		{[]string{"risk", "concentration", "--db", db, "--year", "1800"}, "--year", true},
		{[]string{"risk", "stockpile", "--commodity", "nope", "--example"}, "--commodity", true},
		{[]string{"risk", "exposure", "--db", db, "--commodity", "nope"}, `"nope"`, false},
		{[]string{"lot", "show", "--db", db, "urn:t:lot:NOPE"}, "urn:t:lot:NOPE", false},
		{[]string{"massbalance", "show", "--db", db, "--site", "urn:t:site:nope"}, "urn:t:site:nope", false},
	} {
		_, _, err := run(t, nil, c.args...)
		if err == nil || !cli.UsageError(err) {
			t.Errorf("%v: %v; want a usage error (exit 2)", c.args, err)
			continue
		}
		msg := cli.Describe(err)
		if !strings.Contains(msg, c.names) || strings.Contains(msg, "for the usage") != c.pointer {
			t.Errorf("%v: %q; want it to name %s, usage pointer %v", c.args, msg, c.names, c.pointer)
		}
	}
}
