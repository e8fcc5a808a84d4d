package cli_test

import (
	"path/filepath"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestMissingFileArgumentRefused (issue 15, fix15u; nu15f finding 8):
// `critmin capture /nonexistent.json` exited 1 with Go's "capture: open
// /nonexistent.json: no such file or directory". A file argument that
// does not exist, or is a directory, is a refusal (exit 2: a usage
// error) in one sentence naming the file — for every command reading a
// file argument, not capture alone.
func TestMissingFileArgumentRefused(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	missing := filepath.Join(dir, "nonexistent.json")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"capture", []string{"capture", "--db", db, missing}, "capture: the file " + missing + " does not exist."},
		{"capture directory", []string{"capture", "--db", db, dir}, "capture: the file " + dir + " is a directory, not a file."},
		{"cert-status", []string{"cert-status", "--db", db, missing}, "cert-status: the file " + missing + " does not exist."},
		{"epcis hash", []string{"epcis", "hash", missing}, "epcis: the file " + missing + " does not exist."},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := run(t, nil, c.args...)
			if err == nil || !cli.UsageError(err) {
				t.Fatalf("%v: err %v (usage error: %v); want a refusal, exit 2", c.args, err, cli.UsageError(err))
			}
			if got := cli.Describe(err); got != c.want {
				t.Errorf("%v: %q; want %q", c.args, got, c.want)
			}
		})
	}
}
