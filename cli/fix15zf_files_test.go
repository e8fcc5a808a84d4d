package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestFileArgumentRefusalsNu15g (issue 15, fix15zf; nu15g item 10): a
// file argument that is a directory, missing or empty is a refusal
// (exit 2: cli.UsageError) in a sentence naming the command and the
// file. Before: `solve DIR` exited 1 with the solver's "read DIR: is a
// directory"; `restore /nope.db` printed "FILE: no backup at …" (the
// usage placeholder); `epcis hash empty.json` exited 1 with "body is
// not valid JSON: EOF".
func TestFileArgumentRefusalsNu15g(t *testing.T) {
	dir := t.TempDir()
	adir := filepath.Join(dir, "adir")
	if err := os.Mkdir(adir, 0o755); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.json")
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(empty, nil, 0o644)
	os.WriteFile(bad, []byte(`{"type": "EPCISDocument"`), 0o644)
	nope := filepath.Join(dir, "nope.db")
	for _, c := range []struct {
		name      string
		args      []string
		want, not string
	}{
		{"solve directory", []string{"solve", adir}, "solve: the file " + adir + " is a directory, not a file.", ""},
		{"solve missing", []string{"solve", nope}, "solve: the file " + nope + " does not exist.", ""},
		{"restore missing", []string{"restore", "--db", filepath.Join(dir, "r.db"), nope}, "restore: no backup at " + nope, "FILE"},
		{"epcis hash empty", []string{"epcis", "hash", empty}, "epcis hash: " + empty + " is empty", "EOF"},
		{"epcis hash truncated", []string{"epcis", "hash", bad}, "epcis hash: " + bad + ":", "body is"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := run(t, nil, c.args...)
			if err == nil || !cli.UsageError(err) {
				t.Fatalf("%v: err %v (usage error %v); want a refusal, exit 2", c.args, err, cli.UsageError(err))
			}
			got := cli.Describe(err)
			if !strings.Contains(got, c.want) || (c.not != "" && strings.Contains(got, c.not)) {
				t.Errorf("%v: %q; want it to contain %q and not %q", c.args, got, c.want, c.not)
			}
			if strings.Contains(got, "Run critmin --help") {
				t.Errorf("%v: %q: a refusal of a file, not of the command line's form, has no usage pointer", c.args, got)
			}
		})
	}
}
