package cli_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/critmin/critmin/cli"
)

// TestStrayPositionalArgsRefused: a command that takes no positional
// arguments refuses one with a usage error (exit 2) naming it, and
// nothing is created (issue 14).
func TestStrayPositionalArgsRefused(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"token", "create", "--db", db, "--name", "k8", "--role", "viewer", "extra"},
		{"token", "list", "--db", db, "stray"},
		{"verify", "--db", db, "stray"},
	} {
		_, _, err := run(t, nil, args...)
		if err == nil || !cli.UsageError(err) || !strings.Contains(err.Error(), "stray") && !strings.Contains(err.Error(), "extra") {
			t.Errorf("%q: got %v, want a usage error naming the stray argument", args, err)
		}
	}
	out, _, err := run(t, nil, "token", "list", "--db", db)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "k8") {
		t.Errorf("token k8 was created despite the stray argument:\n%s", out)
	}
}

// TestBackupMissingDirectory: a backup FILE in a directory that does not
// exist is refused naming the directory (not a temporary file's name).
func TestBackupMissingDirectory(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "a.db")
	if _, _, err := run(t, nil, "init", "--db", db); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missingdir")
	_, _, err := run(t, nil, "backup", "--db", db, filepath.Join(missing, "a.backup"))
	if err == nil || !cli.UsageError(err) || !strings.Contains(err.Error(), "the directory "+missing+" does not exist") {
		t.Errorf("got %v, want: the directory %s does not exist", err, missing)
	}
}
